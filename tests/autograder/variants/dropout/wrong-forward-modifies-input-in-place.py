# answer: dropout_forward
# expect: test_dropout_forward
# Right values, but the caller's x is overwritten (x *= mask): the layer below loses its activations.
def dropout_forward(x, dropout_param):
    p, mode = dropout_param["p"], dropout_param["mode"]
    if "seed" in dropout_param:
        np.random.seed(dropout_param["seed"])
    mask = None
    if mode == "train":
        mask = (np.random.rand(*x.shape) < p) / p
        x *= mask
    return x, (dropout_param, mask)
