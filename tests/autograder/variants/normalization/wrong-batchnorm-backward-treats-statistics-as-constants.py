# answer: batchnorm_backward
# expect: test_batchnorm_backward
# dx = dout * gamma / sqrt(var + eps): as if mean and variance were constants (test-mode backward).
def batchnorm_backward(dout, cache):
    xhat, gamma, inv_std = cache["xhat"], cache["gamma"], cache["inv_std"]
    return dout * gamma * inv_std, (dout * xhat).sum(axis=0), dout.sum(axis=0)
