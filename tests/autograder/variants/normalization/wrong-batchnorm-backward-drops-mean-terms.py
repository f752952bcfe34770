# answer: batchnorm_backward
# expect: test_batchnorm_backward
# Back-propagates through xhat and the variance but forgets that the mean depends on every row:
# the gradient through mu is dropped.
def batchnorm_backward(dout, cache):
    xmu, var, eps, inv_std, xhat, gamma = (cache[k] for k in ("xmu", "var", "eps", "inv_std", "xhat", "gamma"))
    N = dout.shape[0]
    dbeta = dout.sum(axis=0)
    dgamma = (dout * xhat).sum(axis=0)
    dxhat = dout * gamma
    dvar = (dxhat * xmu).sum(axis=0) * -0.5 * (var + eps) ** -1.5
    dx = dxhat * inv_std + 2 * xmu * dvar / N
    return dx, dgamma, dbeta
