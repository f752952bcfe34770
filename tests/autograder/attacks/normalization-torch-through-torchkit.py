# chapter: normalization
# Every normalization answer delegated to PyTorch's own batch_norm / layer_norm and autograd, with
# torch reached through the course library's re-export (dlcourse.torchkit imports torch), so that
# no `import torch` stands in the student's cells.
# Before (forbidden-call check resolved names, not re-exports): 21/21; the same code with
# `import torch`: 0/21. Base (those answer cells as released): 0/21. After (re-exports resolved by
# the library's introspected map: dlcourse.torchkit.torch is torch): 0/21.
import classroom

ANSWERS = {
    "batchnorm_forward": '''
from dlcourse.torchkit import torch as T


def batchnorm_forward(x, gamma, beta, bn_param):
    mode = bn_param["mode"]
    eps, momentum = bn_param.get("eps", 1e-5), bn_param.get("momentum", 0.9)
    D = x.shape[1]
    running_mean = bn_param.get("running_mean", np.zeros(D, dtype=x.dtype))
    running_var = bn_param.get("running_var", np.zeros(D, dtype=x.dtype))
    xt, g, b = (T.tensor(np.asarray(a, dtype=np.float64), requires_grad=True) for a in (x, gamma, beta))
    if mode == "train":
        out = T.nn.functional.batch_norm(xt, None, None, g, b, training=True, eps=eps)
        running_mean = momentum * running_mean + (1 - momentum) * x.mean(axis=0)
        running_var = momentum * running_var + (1 - momentum) * x.var(axis=0)
    else:
        out = T.nn.functional.batch_norm(xt, T.tensor(running_mean, dtype=T.float64), T.tensor(running_var, dtype=T.float64),
                                         g, b, training=False, eps=eps)
    bn_param["running_mean"], bn_param["running_var"] = running_mean, running_var
    return out.detach().numpy(), (xt, g, b, out)
''',
    "batchnorm_backward": '''
def batchnorm_backward(dout, cache):
    xt, g, b, out = cache
    grads = T.autograd.grad(out, (xt, g, b), T.tensor(np.asarray(dout, dtype=np.float64)), retain_graph=True)
    return tuple(t.numpy() for t in grads)
''',
    "batchnorm_backward_alt": '''
def batchnorm_backward_alt(dout, cache):
    return batchnorm_backward(dout, cache)
''',
    "layernorm_forward": '''
def layernorm_forward(x, gamma, beta, ln_param):
    xt, g, b = (T.tensor(np.asarray(a, dtype=np.float64), requires_grad=True) for a in (x, gamma, beta))
    out = T.nn.functional.layer_norm(xt, (x.shape[1],), g, b, eps=ln_param.get("eps", 1e-5))
    return out.detach().numpy(), (xt, g, b, out)
''',
    "layernorm_backward": '''
def layernorm_backward(dout, cache):
    return batchnorm_backward(dout, cache)
''',
    "batchnorm_module": '''
class BatchNorm(nn.Module):
    def __init__(self, num_features):
        super().__init__()
        self.num_features, self.eps = num_features, 1e-5
        self.gamma = nn.Parameter(T.ones(num_features))
        self.beta = nn.Parameter(T.zeros(num_features))

    def forward(self, x):
        return T.nn.functional.batch_norm(x, None, None, self.gamma, self.beta, training=True, eps=self.eps)
''',
}


def submit(folder, released, source):
    classroom.write_answers(folder, released, source, "normalization", replace=ANSWERS)


def base(folder, released, source):
    classroom.write_answers(folder, released, source, "normalization", replace=classroom.released_answers(released, ANSWERS))
