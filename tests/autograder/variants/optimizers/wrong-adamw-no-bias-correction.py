# answer: adamw
# expect: test_adamw
def adamw(w, dw, config=None):
    if config is None:
        config = {}
    for key, default in (("learning_rate", 1e-3), ("beta1", 0.9), ("beta2", 0.999), ("epsilon", 1e-8),
                         ("weight_decay", 1e-2), ("t", 0)):
        config.setdefault(key, default)
    lr, b1, b2 = config["learning_rate"], config["beta1"], config["beta2"]
    m = b1 * config.get("m", np.zeros_like(w)) + (1 - b1) * dw
    v = b2 * config.get("v", np.zeros_like(w)) + (1 - b2) * dw**2
    next_w = w - lr * config["weight_decay"] * w - lr * m / (np.sqrt(v) + config["epsilon"])
    config.update(m=m, v=v, t=config["t"] + 1)
    return next_w, config
