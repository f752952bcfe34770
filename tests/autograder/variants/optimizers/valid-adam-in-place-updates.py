# answer: adam
# expect: none
# In-place updates of w and of the state arrays, and defaults filled from a dict literal.
def adam(w, dw, config=None):
    defaults = {"learning_rate": 1e-3, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8, "t": 0}
    config = {**defaults, **(config or {})}
    if "m" not in config:
        config["m"] = np.zeros_like(w)
        config["v"] = np.zeros_like(w)
    config["t"] += 1
    m, v = config["m"], config["v"]
    m *= config["beta1"]
    m += (1 - config["beta1"]) * dw
    v *= config["beta2"]
    v += (1 - config["beta2"]) * np.square(dw)
    m_hat = m / (1 - config["beta1"] ** config["t"])
    v_hat = v / (1 - config["beta2"] ** config["t"])
    w -= config["learning_rate"] * m_hat / (np.sqrt(v_hat) + config["epsilon"])
    return w, config
