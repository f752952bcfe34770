# answer: dropout_forward
# expect: test_dropout_forward
# The mode is ignored: units are dropped (and scaled) at test time too.
def dropout_forward(x, dropout_param):
    p = dropout_param["p"]
    if "seed" in dropout_param:
        np.random.seed(dropout_param["seed"])
    mask = (np.random.rand(*x.shape) < p) / p
    return x * mask, (dropout_param, mask)
