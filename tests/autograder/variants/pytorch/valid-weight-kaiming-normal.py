# answer: random_weight
# expect: none
# torch.empty + nn.init.kaiming_normal_ on the transposed view (PyTorch's fan_in of a (Din, Dout) weight is Dout)

def random_weight(shape):
    w = torch.empty(shape)
    if len(shape) == 2:
        nn.init.kaiming_normal_(w.t())
    else:
        nn.init.kaiming_normal_(w)
    return w.requires_grad_()
