# answer: adamw
# expect: none
# torch.optim.AdamW's own ordering: shrink w first, then step by lr / (1 - beta1**t) * m / denom with
# denom = sqrt(v) / sqrt(1 - beta2**t) + epsilon: algebraically the reference, in place.
def adamw(w, dw, config=None):
    if config is None:
        config = {}
    for key, default in (("learning_rate", 1e-3), ("beta1", 0.9), ("beta2", 0.999), ("epsilon", 1e-8),
                         ("weight_decay", 1e-2), ("t", 0)):
        config.setdefault(key, default)
    lr, b1, b2 = config["learning_rate"], config["beta1"], config["beta2"]
    config["t"] += 1
    t = config["t"]
    m = config.setdefault("m", np.zeros_like(w))
    v = config.setdefault("v", np.zeros_like(w))
    m *= b1
    m += (1 - b1) * dw
    v *= b2
    v += (1 - b2) * dw * dw
    w = w * (1 - lr * config["weight_decay"])
    denom = np.sqrt(v) / np.sqrt(1 - b2**t) + config["epsilon"]
    w -= lr / (1 - b1**t) * m / denom
    return w, config
