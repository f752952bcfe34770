# answer: dropout_module
# expect: test_dropout_module
# Right values, computed in place on the input: the caller's tensor is overwritten (and autograd
# refuses it on a leaf that requires grad).
class Dropout(nn.Module):
    def __init__(self, p=0.5):
        super().__init__()
        self.p = p

    def forward(self, x):
        if not self.training:
            return x
        mask = (torch.rand_like(x) >= self.p).to(x.dtype)
        x.mul_(mask).div_(1 - self.p)
        return x
