# answer: adamw
# expect: test_adamw
# Adam with an L2 penalty: the decay folded into the gradient, so it is rescaled by 1 / sqrt(v_hat).
def adamw(w, dw, config=None):
    if config is None:
        config = {}
    for key, default in (("learning_rate", 1e-3), ("beta1", 0.9), ("beta2", 0.999), ("epsilon", 1e-8),
                         ("weight_decay", 1e-2), ("t", 0)):
        config.setdefault(key, default)
    lr, b1, b2, t = config["learning_rate"], config["beta1"], config["beta2"], config["t"] + 1
    g = dw + config["weight_decay"] * w
    m = b1 * config.get("m", np.zeros_like(w)) + (1 - b1) * g
    v = b2 * config.get("v", np.zeros_like(w)) + (1 - b2) * g**2
    next_w = w - lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + config["epsilon"])
    config.update(m=m, v=v, t=t)
    return next_w, config
