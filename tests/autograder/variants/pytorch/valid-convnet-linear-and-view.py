# answer: three_layer_convnet
# expect: none
# F.linear with the transposed weight instead of mm, .view for the flatten, torch.relu / clamp

def three_layer_convnet(x, params):
    conv_w1, conv_b1, conv_w2, conv_b2, fc_w, fc_b = params
    h = torch.relu(F.conv2d(x, conv_w1, bias=conv_b1, stride=1, padding=(2, 2)))
    h = F.conv2d(h, conv_w2, bias=conv_b2, padding=1).clamp(min=0)
    return F.linear(h.view(h.size(0), -1), fc_w.t(), fc_b)
