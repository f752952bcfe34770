# answer: adam
# expect: test_adam
def adam(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-3)
    config.setdefault("beta1", 0.9)
    config.setdefault("beta2", 0.999)
    config.setdefault("epsilon", 1e-8)
    config.setdefault("m", np.zeros_like(w))
    config.setdefault("v", np.zeros_like(w))
    config.setdefault("t", 0)
    b1, b2 = config["beta2"], config["beta1"]
    t = config["t"] + 1
    m = b1 * config["m"] + (1 - b1) * dw
    v = b2 * config["v"] + (1 - b2) * dw**2
    next_w = w - config["learning_rate"] * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + config["epsilon"])
    config.update(m=m, v=v, t=t)
    return next_w, config
