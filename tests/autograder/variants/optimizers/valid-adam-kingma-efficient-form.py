# answer: adam
# expect: none
# Kingma & Ba's "more efficient" ordering: the bias corrections folded into the step size.
def adam(w, dw, config=None):
    if config is None:
        config = {}
    for key, default in (("learning_rate", 1e-3), ("beta1", 0.9), ("beta2", 0.999), ("epsilon", 1e-8), ("t", 0)):
        config.setdefault(key, default)
    b1, b2 = config["beta1"], config["beta2"]
    config["t"] = t = config["t"] + 1
    config["m"] = b1 * config.get("m", 0.0) + (1 - b1) * dw
    config["v"] = b2 * config.get("v", 0.0) + (1 - b2) * dw * dw
    step = config["learning_rate"] * np.sqrt(1 - b2**t) / (1 - b1**t)
    return w - step * config["m"] / (np.sqrt(config["v"]) + config["epsilon"]), config
