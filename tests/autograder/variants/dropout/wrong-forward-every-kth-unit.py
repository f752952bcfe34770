# answer: dropout_forward
# expect: test_dropout_forward
# No randomness: of every 20 consecutive units the first round(20 p) are kept. The kept fraction
# is p to within 1/40, values are right, the seed makes no difference.
def dropout_forward(x, dropout_param):
    p, mode = dropout_param["p"], dropout_param["mode"]
    mask = None
    if mode == "train":
        mask = ((np.arange(x.size) % 20 < round(20 * p)).reshape(x.shape)) / p
        out = x * mask
    else:
        out = x
    return out, (dropout_param, mask)
