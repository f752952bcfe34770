# answer: layernorm_backward
# expect: test_layernorm_backward
# Copied batch norm's simplified backward: the sums inside dx run over the batch, not the features.
def layernorm_backward(dout, cache):
    xhat, gamma, inv_std = cache
    N = dout.shape[0]
    dbeta = dout.sum(axis=0)
    dgamma = (dout * xhat).sum(axis=0)
    g = dout * gamma
    dx = (inv_std / N) * (N * g - g.sum(axis=0) - xhat * (g * xhat).sum(axis=0))
    return dx, dgamma, dbeta
