# answer: batchnorm_backward
# expect: none
# The graph backward written with the derivative of xhat w.r.t. the variance in closed form and einsum sums.
def batchnorm_backward(dout, cache):
    x, mu, var, eps, gamma = cache["x"], cache["mu"], cache["var"], cache["eps"], cache["gamma"]
    N = x.shape[0]
    xmu = x - mu
    inv = (var + eps) ** -0.5
    dxhat = dout * gamma
    dvar = -0.5 * np.einsum("nd,nd->d", dxhat, xmu) * inv**3
    dmu = -inv * dxhat.sum(axis=0) + dvar * (-2.0 / N) * xmu.sum(axis=0)
    dx = dxhat * inv + dvar * 2.0 * xmu / N + dmu / N
    return dx, np.einsum("nd,nd->d", dout, xmu * inv), dout.sum(axis=0)
