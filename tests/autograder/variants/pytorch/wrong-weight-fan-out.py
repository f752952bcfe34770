# answer: random_weight
# expect: test_random_weight
# fan_in taken from the wrong end of the shape: shape[1] (fan-out of a (Din, Dout) weight) and shape[0] * KH * KW for a conv

def random_weight(shape):
    fan = shape[1] if len(shape) == 2 else shape[0] * int(np.prod(shape[2:]))
    w = torch.randn(shape) * math.sqrt(2.0 / fan)
    w.requires_grad = True
    return w
