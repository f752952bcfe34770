# answer: dropout_forward
# expect: test_dropout_forward
# The generator is re-seeded with a constant on every call: every training step drops the same
# units, which trains a fixed thinned network instead of an ensemble.
def dropout_forward(x, dropout_param):
    p, mode = dropout_param["p"], dropout_param["mode"]
    np.random.seed(dropout_param.get("seed", 0))
    mask = None
    if mode == "train":
        mask = (np.random.rand(*x.shape) < p) / p
        out = x * mask
    else:
        out = x
    return out, (dropout_param, mask)
