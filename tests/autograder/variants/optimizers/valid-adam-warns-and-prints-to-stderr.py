# answer: adam
# expect: none
# A correct Adam that emits a warning and progress on stderr: plain nbgrader scores such a
# test cell 0; here only the values count.
import sys
import warnings


def adam(w, dw, config=None):
    if config is None:
        config = {}
    if "t" not in config:
        warnings.warn("adam: starting from zero moments", RuntimeWarning)
    config.setdefault("learning_rate", 1e-3)
    config.setdefault("beta1", 0.9)
    config.setdefault("beta2", 0.999)
    config.setdefault("epsilon", 1e-8)
    config.setdefault("m", np.zeros_like(w))
    config.setdefault("v", np.zeros_like(w))
    config.setdefault("t", 0)
    config["t"] += 1
    print(f"adam step {config['t']}", file=sys.stderr)
    config["m"] = config["beta1"] * config["m"] + (1 - config["beta1"]) * dw
    config["v"] = config["beta2"] * config["v"] + (1 - config["beta2"]) * dw**2
    m_hat = config["m"] / (1 - config["beta1"] ** config["t"])
    v_hat = config["v"] / (1 - config["beta2"] ** config["t"])
    return w - config["learning_rate"] * m_hat / (np.sqrt(v_hat) + config["epsilon"]), config
