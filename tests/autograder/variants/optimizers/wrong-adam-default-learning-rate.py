# answer: adam
# expect: test_adam
# The visible check passes its own learning rate: only config=None shows the wrong default.
def adam(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("beta1", 0.9)
    config.setdefault("beta2", 0.999)
    config.setdefault("epsilon", 1e-8)
    config.setdefault("m", np.zeros_like(w))
    config.setdefault("v", np.zeros_like(w))
    config.setdefault("t", 0)
    t = config["t"] + 1
    m = config["beta1"] * config["m"] + (1 - config["beta1"]) * dw
    v = config["beta2"] * config["v"] + (1 - config["beta2"]) * dw**2
    next_w = w - config["learning_rate"] * (m / (1 - config["beta1"] ** t)) / (
        np.sqrt(v / (1 - config["beta2"] ** t)) + config["epsilon"])
    config.update(m=m, v=v, t=t)
    return next_w, config
