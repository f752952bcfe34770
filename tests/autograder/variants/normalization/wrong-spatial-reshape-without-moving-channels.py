# answer: spatial_batchnorm_forward
# expect: test_spatial_batchnorm_forward test_spatial_batchnorm_backward
# x.reshape(-1, C) straight from (N, C, H, W): the columns mix channels and pixels.
def spatial_batchnorm_forward(x, gamma, beta, bn_param):
    N, C, H, W = x.shape
    out, cache = batchnorm_forward(x.reshape(-1, C), gamma, beta, bn_param)
    return out.reshape(N, C, H, W), cache
