# answer: rmsprop
# expect: none
# TensorFlow 1's placement of epsilon, inside the square root.
def rmsprop(w, dw, config=None):
    config = {} if config is None else config
    lr = config.setdefault("learning_rate", 1e-2)
    rho = config.setdefault("decay_rate", 0.99)
    eps = config.setdefault("epsilon", 1e-8)
    cache = config.get("cache")
    if cache is None:
        cache = np.zeros_like(w)
    config["cache"] = rho * cache + (1 - rho) * dw**2
    return w - lr * dw / np.sqrt(config["cache"] + eps), config
