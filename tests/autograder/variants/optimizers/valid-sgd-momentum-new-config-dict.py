# answer: sgd_momentum
# expect: none
# Returns a new config dict instead of updating the one passed in.
def sgd_momentum(w, dw, config=None):
    config = dict(config or {})
    lr = config.get("learning_rate", 1e-2)
    mu = config.get("momentum", 0.9)
    v = mu * config.get("velocity", 0) - lr * dw
    return w + v, {**config, "learning_rate": lr, "momentum": mu, "velocity": v}
