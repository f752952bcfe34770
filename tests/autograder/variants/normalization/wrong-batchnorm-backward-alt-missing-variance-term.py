# answer: batchnorm_backward_alt
# expect: test_batchnorm_backward_alt test_spatial_batchnorm_backward
# The simplified formula without the xhat * sum(dout * xhat) term (the path through the variance).
def batchnorm_backward_alt(dout, cache):
    xhat, gamma, inv_std = cache["xhat"], cache["gamma"], cache["inv_std"]
    N = dout.shape[0]
    dbeta = dout.sum(axis=0)
    dgamma = (dout * xhat).sum(axis=0)
    dx = (gamma * inv_std / N) * (N * dout - dbeta)
    return dx, dgamma, dbeta
