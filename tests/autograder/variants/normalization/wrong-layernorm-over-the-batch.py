# answer: layernorm_forward
# expect: test_layernorm_forward test_layernorm_backward
# Statistics over the batch (axis 0), i.e. batch norm again, with the reference cache layout.
def layernorm_forward(x, gamma, beta, ln_param):
    eps = ln_param.get("eps", 1e-5)
    mu = x.mean(axis=0, keepdims=True)
    var = x.var(axis=0, keepdims=True)
    inv_std = 1.0 / np.sqrt(var + eps)
    xhat = (x - mu) * inv_std
    return gamma * xhat + beta, (xhat, gamma, inv_std)
