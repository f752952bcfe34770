# answer: batchnorm_forward
# expect: test_batchnorm_running_stats test_spatial_batchnorm_forward
# The new running averages go into other names; bn_param keeps the old (zero) statistics.
def batchnorm_forward(x, gamma, beta, bn_param):
    mode = bn_param["mode"]
    eps = bn_param.get("eps", 1e-5)
    momentum = bn_param.get("momentum", 0.9)
    N, D = x.shape
    running_mean = bn_param.get("running_mean", np.zeros(D, dtype=x.dtype))
    running_var = bn_param.get("running_var", np.zeros(D, dtype=x.dtype))
    if mode == "train":
        mu = x.mean(axis=0)
        xmu = x - mu
        var = (xmu**2).mean(axis=0)
        std = np.sqrt(var + eps)
        inv_std = 1.0 / std
        xhat = xmu * inv_std
        out = gamma * xhat + beta
        cache = {"x": x, "mu": mu, "xmu": xmu, "var": var, "eps": eps, "std": std, "inv_std": inv_std,
                 "xhat": xhat, "gamma": gamma}
        new_running_mean = momentum * running_mean + (1 - momentum) * mu
        new_running_var = momentum * running_var + (1 - momentum) * var
    elif mode == "test":
        out = gamma * (x - running_mean) / np.sqrt(running_var + eps) + beta
        cache = None
    else:
        raise ValueError(f"Invalid forward batchnorm mode {mode!r}")
    bn_param["running_mean"] = running_mean
    bn_param["running_var"] = running_var
    return out, cache
