# answer: dropout_backward
# expect: test_dropout_backward
# The gradient is scaled but flows through the dropped units too.
def dropout_backward(dout, cache):
    dropout_param, mask = cache
    if dropout_param["mode"] == "train":
        return dout / dropout_param["p"]
    return dout
