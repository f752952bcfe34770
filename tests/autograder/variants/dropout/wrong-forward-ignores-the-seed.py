# answer: dropout_forward
# expect: test_dropout_forward
# A fresh generator on every call, the seed never used: masks are right but not reproducible.
def dropout_forward(x, dropout_param):
    p, mode = dropout_param["p"], dropout_param["mode"]
    mask = None
    if mode == "train":
        mask = (np.random.default_rng().random(x.shape) < p) / p
        out = x * mask
    else:
        out = x
    return out, (dropout_param, mask)
