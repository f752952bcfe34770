# answer: batchnorm_backward_alt
# expect: none
# A different cache layout: the forward pass keeps only (x, gamma, eps) and both backward passes
# recompute the statistics. All three functions are (re)defined in the last batch-norm answer cell,
# so every later test (alt, spatial) runs on this layout.
def batchnorm_forward(x, gamma, beta, bn_param):
    mode = bn_param["mode"]
    eps = bn_param.get("eps", 1e-5)
    momentum = bn_param.get("momentum", 0.9)
    D = x.shape[1]
    if mode == "train":
        mu, var = np.mean(x, axis=0), np.var(x, axis=0)
        bn_param["running_mean"] = momentum * bn_param.get("running_mean", np.zeros(D)) + (1 - momentum) * mu
        bn_param["running_var"] = momentum * bn_param.get("running_var", np.zeros(D)) + (1 - momentum) * var
    elif mode == "test":
        bn_param.setdefault("running_mean", np.zeros(D))
        bn_param.setdefault("running_var", np.zeros(D))
        mu, var = bn_param["running_mean"], bn_param["running_var"]
    else:
        raise ValueError(mode)
    return gamma * (x - mu) / np.sqrt(var + eps) + beta, (x, gamma, eps)


def _stats(cache):
    x, gamma, eps = cache
    inv = 1 / np.sqrt(np.var(x, axis=0) + eps)
    return (x - x.mean(axis=0)) * inv, gamma, inv


def batchnorm_backward(dout, cache):
    x = cache[0]
    xhat, gamma, inv = _stats(cache)
    N = x.shape[0]
    dxhat = dout * gamma
    dvar = np.sum(dxhat * (x - x.mean(0)), axis=0) * -0.5 * inv**3
    dmu = -np.sum(dxhat * inv, axis=0) - 2 * dvar * np.mean(x - x.mean(0), axis=0)
    dx = dxhat * inv + dvar * 2 * (x - x.mean(0)) / N + dmu / N
    return dx, np.sum(dout * xhat, axis=0), np.sum(dout, axis=0)


def batchnorm_backward_alt(dout, cache):
    xhat, gamma, inv = _stats(cache)
    N = dout.shape[0]
    dx = gamma * inv * (dout - dout.mean(0) - xhat * (dout * xhat).mean(0))
    return dx, (dout * xhat).sum(0), dout.sum(0)
