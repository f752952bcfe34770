"""Normalization layers for the normalization chapter, backed by PyTorch (not the exercise's code).

These functions follow the cs231n normalization contract of :mod:`dlcourse.layers`, so they
plug into :class:`dlcourse.fc_net.FullyConnectedNet` like the student's own layers:

- ``norm_forward(x, gamma, beta, param) -> (out, cache)``;
- ``norm_backward(dout, cache) -> (dx, dgamma, dbeta)``.

Design: the book's code, beside its page, not the student library's (it was
``dlcourse.normalization``): students never get it with ``dlcourse``, and it must not contain
the numpy batch norm the exercise asks for. The forward pass here calls
``torch.nn.functional.batch_norm`` / ``layer_norm``; the backward pass is PyTorch's autograd
on that same graph (``torch.autograd.grad``). Nothing here shows how to derive or simplify
the backward pass. The running statistics follow the exercise's convention, which differs
from PyTorch's in two places: ``momentum`` weights the *old* running value
(``running = momentum * running + (1 - momentum) * batch``), and the running variance is the
*biased* batch variance.

Inputs are numpy arrays of shape (N, D); outputs have the input's dtype.
"""
import numpy as np
import torch
import torch.nn.functional as F


def _tensor(a, grad=False):
    t = torch.as_tensor(np.asarray(a, dtype=np.float64))
    return t.requires_grad_(grad)


def _check(x, gamma, beta, what):
    x = np.asarray(x)
    if x.ndim != 2:
        raise ValueError(f"{what}: x must have shape (N, D), got shape {x.shape}")
    d = x.shape[1]
    if np.shape(gamma) != (d,) or np.shape(beta) != (d,):
        raise ValueError(f"{what}: gamma and beta must have shape ({d},), got {np.shape(gamma)} and {np.shape(beta)}")
    return x


def batchnorm_forward(x, gamma, beta, bn_param):
    """Batch normalization, forward (torch-backed reference for the book).

    Inputs:
    - x: data of shape (N, D).
    - gamma, beta: scale and shift of shape (D,).
    - bn_param: dict with mode ('train' | 'test'), eps (default 1e-5), momentum (default 0.9),
      running_mean, running_var (shape (D,), zeros when missing; updated in train mode and
      written back into bn_param).

    Returns a tuple of:
    - out: of shape (N, D)
    - cache: what batchnorm_backward needs (torch tensors of the graph)
    """
    x = _check(x, gamma, beta, "batchnorm_forward")
    mode = bn_param.get("mode", "train")
    if mode not in ("train", "test"):
        raise ValueError(f"batchnorm_forward: bn_param['mode'] must be 'train' or 'test', got {mode!r}")
    eps, momentum = bn_param.get("eps", 1e-5), bn_param.get("momentum", 0.9)
    d = x.shape[1]
    running_mean = np.asarray(bn_param.get("running_mean", np.zeros(d, dtype=x.dtype)))
    running_var = np.asarray(bn_param.get("running_var", np.zeros(d, dtype=x.dtype)))
    xt, gt, bt = _tensor(x, True), _tensor(gamma, True), _tensor(beta, True)
    if mode == "train":
        out = F.batch_norm(xt, None, None, gt, bt, training=True, eps=eps)
        with torch.no_grad():
            mean, var = xt.mean(0).numpy(), xt.var(0, unbiased=False).numpy()
        running_mean = momentum * running_mean + (1 - momentum) * mean
        running_var = momentum * running_var + (1 - momentum) * var
    else:
        out = F.batch_norm(xt, _tensor(running_mean), _tensor(running_var), gt, bt, training=False, eps=eps)
    bn_param["running_mean"] = running_mean.astype(x.dtype)
    bn_param["running_var"] = running_var.astype(x.dtype)
    return out.detach().numpy().astype(x.dtype), (xt, gt, bt, out, x.dtype)


def layernorm_forward(x, gamma, beta, ln_param):
    """Layer normalization, forward (torch-backed reference for the book).

    Inputs:
    - x: data of shape (N, D); each example is normalized over its D features.
    - gamma, beta: scale and shift of shape (D,).
    - ln_param: dict with eps (default 1e-5); other keys (e.g. mode) are ignored.

    Returns a tuple of:
    - out: of shape (N, D)
    - cache: what layernorm_backward needs
    """
    x = _check(x, gamma, beta, "layernorm_forward")
    xt, gt, bt = _tensor(x, True), _tensor(gamma, True), _tensor(beta, True)
    out = F.layer_norm(xt, (x.shape[1],), gt, bt, eps=ln_param.get("eps", 1e-5))
    return out.detach().numpy().astype(x.dtype), (xt, gt, bt, out, x.dtype)


def norm_backward(dout, cache):
    """Backward pass of batchnorm_forward or layernorm_forward, by autograd.

    Inputs:
    - dout: upstream gradient of shape (N, D).
    - cache: from the forward pass.

    Returns a tuple of:
    - dx: of shape (N, D)
    - dgamma, dbeta: of shape (D,)
    """
    xt, gt, bt, out, dtype = cache
    if np.shape(dout) != tuple(out.shape):
        raise ValueError(f"norm_backward: dout must have the output's shape {tuple(out.shape)}, got {np.shape(dout)}")
    grads = torch.autograd.grad(out, (xt, gt, bt), _tensor(dout), retain_graph=True)
    return tuple(g.numpy().astype(dtype) for g in grads)


batchnorm_backward = layernorm_backward = norm_backward

#: (forward, backward) pairs for FullyConnectedNet(norm=...)
BATCHNORM = (batchnorm_forward, batchnorm_backward)
LAYERNORM = (layernorm_forward, layernorm_backward)
