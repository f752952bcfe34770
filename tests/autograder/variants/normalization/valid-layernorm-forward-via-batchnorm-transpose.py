# answer: layernorm_forward
# expect: none
# Layer norm is batch norm of the transposed data (one "feature" per example), with gamma = 1,
# beta = 0, then the real gamma and beta per feature; a throwaway bn_param keeps running stats out.
def layernorm_forward(x, gamma, beta, ln_param):
    eps = ln_param.get("eps", 1e-5)
    N = x.shape[0]
    xhat_t, _ = batchnorm_forward(x.T, np.ones(N), np.zeros(N), {"mode": "train", "eps": eps})
    xhat = xhat_t.T
    inv_std = 1.0 / np.sqrt(x.var(axis=1, keepdims=True) + eps)
    return gamma * xhat + beta, (xhat, gamma, inv_std)
