# answer: spatial_batchnorm_forward
# expect: none
# np.moveaxis instead of transpose, and the graph backward's cache layout unchanged.
def spatial_batchnorm_forward(x, gamma, beta, bn_param):
    C = x.shape[1]
    moved = np.moveaxis(x, 1, -1)
    out, cache = batchnorm_forward(moved.reshape(-1, C), gamma, beta, bn_param)
    return np.moveaxis(out.reshape(moved.shape), -1, 1), cache
