# answer: dropout_forward
# expect: test_dropout_forward
# Plain dropout without the inverted scaling: the kept units are not divided by p, so the
# expected output at train time is p * x, not x.
def dropout_forward(x, dropout_param):
    p, mode = dropout_param["p"], dropout_param["mode"]
    if "seed" in dropout_param:
        np.random.seed(dropout_param["seed"])
    mask = None
    if mode == "train":
        mask = np.random.rand(*x.shape) < p
        out = x * mask
        mask = mask / p  # the backward pass still gets the scaled mask: only the forward pass is wrong
    else:
        out = x
    return out, (dropout_param, mask)
