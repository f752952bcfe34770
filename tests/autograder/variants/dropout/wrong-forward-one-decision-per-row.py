# answer: dropout_forward
# expect: test_dropout_forward
# One keep/drop decision per example, broadcast over its features: whole rows are kept or
# dropped. Values and kept fraction are right.
def dropout_forward(x, dropout_param):
    p, mode = dropout_param["p"], dropout_param["mode"]
    if "seed" in dropout_param:
        np.random.seed(dropout_param["seed"])
    mask = None
    if mode == "train":
        mask = (np.random.rand(x.shape[0], *([1] * (x.ndim - 1))) < p) / p * np.ones_like(x)
        out = x * mask
    else:
        out = x
    return out, (dropout_param, mask)
