# answer: sgd_momentum
# expect: none
# Updates the velocity array in place.
def sgd_momentum(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("momentum", 0.9)
    if "velocity" not in config:
        config["velocity"] = np.zeros_like(w)
    v = config["velocity"]
    v *= config["momentum"]
    v -= config["learning_rate"] * dw
    return w + v, config
