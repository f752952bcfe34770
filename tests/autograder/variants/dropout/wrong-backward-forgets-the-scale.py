# answer: dropout_backward
# expect: test_dropout_backward
# The mask is applied but the 1 / p of the forward pass is not.
def dropout_backward(dout, cache):
    dropout_param, mask = cache
    if dropout_param["mode"] == "train":
        return dout * (mask != 0)
    return dout
