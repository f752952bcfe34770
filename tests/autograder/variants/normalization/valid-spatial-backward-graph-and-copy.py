# answer: spatial_batchnorm_backward
# expect: none
# Uses the graph backward on a contiguous copy, swapaxes instead of transpose.
def spatial_batchnorm_backward(dout, cache):
    N, C, H, W = dout.shape
    flat = np.ascontiguousarray(dout.swapaxes(1, 3)).reshape(-1, C)  # (N, W, H, C)
    return _undo(flat, cache, (N, W, H, C))


def _undo(flat, cache, shape):
    # the forward pass ordered rows as (N, H, W); reorder (N, W, H) rows to match it
    N, W, H, C = shape
    rows = flat.reshape(N, W, H, C).swapaxes(1, 2).reshape(-1, C)
    dflat, dgamma, dbeta = batchnorm_backward(rows, cache)
    return dflat.reshape(N, H, W, C).transpose(0, 3, 1, 2), dgamma, dbeta
