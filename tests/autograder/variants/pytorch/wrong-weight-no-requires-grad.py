# answer: random_weight
# expect: test_random_weight
# requires_grad set before the scaling: the returned tensor is not a leaf (autograd will not fill its .grad)

def random_weight(shape):
    fan_in = shape[0] if len(shape) == 2 else int(np.prod(shape[1:]))
    return torch.randn(shape, requires_grad=True) * math.sqrt(2.0 / fan_in)
