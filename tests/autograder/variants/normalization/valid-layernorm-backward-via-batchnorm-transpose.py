# answer: layernorm_backward
# expect: none
# Both layer-norm passes through the student's batch norm on the transposed data; the cache is
# batch norm's cache plus gamma and xhat.
def layernorm_forward(x, gamma, beta, ln_param):
    N = x.shape[0]
    xhat_t, bn_cache = batchnorm_forward(x.T, np.ones(N), np.zeros(N), {"mode": "train", "eps": ln_param.get("eps", 1e-5)})
    return gamma * xhat_t.T + beta, (bn_cache, gamma, xhat_t.T)


def layernorm_backward(dout, cache):
    bn_cache, gamma, xhat = cache
    dx_t, _, _ = batchnorm_backward_alt((dout * gamma).T, bn_cache)
    return dx_t.T, (dout * xhat).sum(axis=0), dout.sum(axis=0)
