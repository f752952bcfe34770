# answer: three_layer_convnet
# expect: test_three_layer_convnet
# padding derived from the kernel ("same" padding, k // 2) instead of the asked 2 then 1: right for 5x5 then 3x3 only

def three_layer_convnet(x, params):
    conv_w1, conv_b1, conv_w2, conv_b2, fc_w, fc_b = params
    x = F.relu(F.conv2d(x, conv_w1, conv_b1, padding=conv_w1.shape[-1] // 2))
    x = F.relu(F.conv2d(x, conv_w2, conv_b2, padding=conv_w2.shape[-1] // 2))
    return x.flatten(1).mm(fc_w) + fc_b
