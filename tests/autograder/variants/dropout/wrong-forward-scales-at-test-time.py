# answer: dropout_forward
# expect: test_dropout_forward test_dropout_backward
# The original paper's dropout: no scaling at train time, activations multiplied by p at test time.
# Right in expectation, but not the inverted dropout the contract asks for.
def dropout_forward(x, dropout_param):
    p, mode = dropout_param["p"], dropout_param["mode"]
    if "seed" in dropout_param:
        np.random.seed(dropout_param["seed"])
    mask = None
    if mode == "train":
        mask = np.random.rand(*x.shape) < p
        out = x * mask
    else:
        out = x * p
    return out, (dropout_param, mask)
