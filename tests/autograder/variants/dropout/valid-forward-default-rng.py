# answer: dropout_forward
# expect: none
# numpy's Generator API: a generator seeded with the seed when there is one, fresh entropy otherwise.
def dropout_forward(x, dropout_param):
    p, mode = dropout_param["p"], dropout_param["mode"]
    rng = np.random.default_rng(dropout_param.get("seed"))
    mask = None
    if mode == "train":
        mask = (rng.random(x.shape) < p) / p
        out = x * mask
    elif mode == "test":
        out = x.copy()
    else:
        raise ValueError(mode)
    return out, (dropout_param, mask)
