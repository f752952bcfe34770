# answer: three_layer_convnet
# expect: test_three_layer_convnet
# no ReLU after the second convolution

def three_layer_convnet(x, params):
    conv_w1, conv_b1, conv_w2, conv_b2, fc_w, fc_b = params
    x = F.relu(F.conv2d(x, conv_w1, conv_b1, padding=2))
    x = F.conv2d(x, conv_w2, conv_b2, padding=1)
    return x.flatten(1).mm(fc_w) + fc_b
