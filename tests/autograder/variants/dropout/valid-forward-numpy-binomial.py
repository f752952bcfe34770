# answer: dropout_forward
# expect: none
# The mask drawn with np.random.binomial (another stream of numbers than np.random.rand: a
# different mask for the same seed, equally right).
def dropout_forward(x, dropout_param):
    p, mode = dropout_param["p"], dropout_param["mode"]
    if "seed" in dropout_param:
        np.random.seed(dropout_param["seed"])
    mask = None
    if mode == "train":
        mask = np.random.binomial(1, p, size=x.shape) / p
        out = x * mask
    else:
        out = x
    return out, (dropout_param, mask)
