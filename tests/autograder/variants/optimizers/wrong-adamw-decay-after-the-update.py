# answer: adamw
# expect: test_adamw
# The decay applied to the updated weights: off by lr**2 * weight_decay * step, which the hidden
# case with learning_rate 5e-2 and weight_decay 0.3 sees (about 1e-3 of a unit step).
def adamw(w, dw, config=None):
    if config is None:
        config = {}
    for key, default in (("learning_rate", 1e-3), ("beta1", 0.9), ("beta2", 0.999), ("epsilon", 1e-8),
                         ("weight_decay", 1e-2), ("t", 0)):
        config.setdefault(key, default)
    lr, b1, b2, t = config["learning_rate"], config["beta1"], config["beta2"], config["t"] + 1
    m = b1 * config.get("m", np.zeros_like(w)) + (1 - b1) * dw
    v = b2 * config.get("v", np.zeros_like(w)) + (1 - b2) * dw**2
    next_w = w - lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + config["epsilon"])
    next_w = next_w - lr * config["weight_decay"] * next_w
    config.update(m=m, v=v, t=t)
    return next_w, config
