# answer: batchnorm_forward
# expect: none
# Updates the running statistics in place (on copies, so the caller's arrays are not aliased),
# computes the variance with np.var, and stores them with setdefault.
def batchnorm_forward(x, gamma, beta, bn_param):
    mode = bn_param["mode"]
    eps = bn_param.get("eps", 1e-5)
    momentum = bn_param.get("momentum", 0.9)
    N, D = x.shape
    running_mean = np.array(bn_param.get("running_mean", np.zeros(D)), dtype=np.float64)
    running_var = np.array(bn_param.get("running_var", np.zeros(D)), dtype=np.float64)
    if mode == "train":
        mu = np.mean(x, axis=0)
        var = np.var(x, axis=0)
        xmu = x - mu
        std = np.sqrt(var + eps)
        inv_std = 1.0 / std
        xhat = xmu / std
        out = xhat * gamma
        out += beta
        cache = {"x": x, "mu": mu, "xmu": xmu, "var": var, "eps": eps, "std": std, "inv_std": inv_std,
                 "xhat": xhat, "gamma": gamma}
        running_mean *= momentum
        running_mean += (1 - momentum) * mu
        running_var *= momentum
        running_var += (1 - momentum) * var
    elif mode == "test":
        out = (x - running_mean) * (gamma / np.sqrt(running_var + eps)) + beta
        cache = None
    else:
        raise ValueError(f"Invalid forward batchnorm mode {mode!r}")
    bn_param["running_mean"] = running_mean
    bn_param["running_var"] = running_var
    return out, cache
