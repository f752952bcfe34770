# answer: dropout_forward
# expect: none
# The drop decision drawn with numpy's binomial, the keep mask its complement.
def dropout_forward(x, dropout_param):
    p, mode = dropout_param["p"], dropout_param["mode"]
    if "seed" in dropout_param:
        np.random.seed(dropout_param["seed"])
    mask = None
    if mode == "train":
        dropped = np.random.binomial(1, 1 - p, size=x.shape)
        mask = (1 - dropped) / p
        out = x * mask
    else:
        out = x
    return out, (dropout_param, mask)
