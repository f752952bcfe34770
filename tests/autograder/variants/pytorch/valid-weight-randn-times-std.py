# answer: random_weight
# expect: none
# torch.randn * std inside no_grad, then requires_grad_ (numel / shape[0] is fan_in for a conv weight)

def random_weight(shape):
    fan_in = shape[0] if len(shape) == 2 else torch.Size(shape).numel() // shape[0]
    with torch.no_grad():
        w = torch.randn(*shape) * (2.0 / fan_in) ** 0.5
    return w.requires_grad_(True)
