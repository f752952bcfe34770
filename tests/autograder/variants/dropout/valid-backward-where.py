# answer: dropout_backward
# expect: none
# np.where on the cached mask, dividing by p again instead of reusing the scaled mask.
def dropout_backward(dout, cache):
    dropout_param, mask = cache
    if dropout_param["mode"] == "train":
        return np.where(mask != 0, dout / dropout_param["p"], 0.0)
    return dout
