# answer: spatial_batchnorm_backward
# expect: test_spatial_batchnorm_backward
# The forward pass moves the channel axis last; the backward pass forgets to do the same with dout.
def spatial_batchnorm_backward(dout, cache):
    N, C, H, W = dout.shape
    dflat, dgamma, dbeta = batchnorm_backward(dout.reshape(-1, C), cache)
    return dflat.reshape(N, C, H, W), dgamma, dbeta
