# answer: random_weight
# expect: test_random_weight
# a uniform draw with the right standard deviation (Kaiming uniform), not the normal one asked for

def random_weight(shape):
    fan_in = shape[0] if len(shape) == 2 else int(np.prod(shape[1:]))
    bound = math.sqrt(6.0 / fan_in)
    w = (torch.rand(shape) * 2 - 1) * bound
    w.requires_grad = True
    return w
