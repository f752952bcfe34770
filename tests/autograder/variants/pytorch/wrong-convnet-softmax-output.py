# answer: three_layer_convnet
# expect: test_three_layer_convnet
# probabilities instead of raw scores (F.cross_entropy applies the softmax itself)

def three_layer_convnet(x, params):
    conv_w1, conv_b1, conv_w2, conv_b2, fc_w, fc_b = params
    x = F.relu(F.conv2d(x, conv_w1, conv_b1, padding=2))
    x = F.relu(F.conv2d(x, conv_w2, conv_b2, padding=1))
    return F.softmax(x.flatten(1).mm(fc_w) + fc_b, dim=1)
