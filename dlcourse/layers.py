"""Given layers (numpy), in the cs231n contract.

Every layer is a pair of functions:

- ``forward(x, *params) -> (out, cache)``: ``cache`` holds whatever the backward pass needs;
- ``backward(dout, cache) -> dx`` or a tuple ``(dx, dparam1, ...)`` in the order of the params.

Normalization layers (written by students in the normalization chapter) follow
``norm_forward(x, gamma, beta, param) -> (out, cache)`` / ``norm_backward(dout, cache) -> (dx, dgamma, dbeta)``;
dropout follows ``dropout_forward(x, param) -> (out, cache)`` / ``dropout_backward(dout, cache) -> dx``.
"""
import numpy as np


def affine_forward(x, w, b):
    """Fully-connected layer, forward.

    Inputs:
    - x: input of shape (N, d_1, ..., d_k); each example is flattened to D = d_1 * ... * d_k.
    - w: weights of shape (D, M).
    - b: biases of shape (M,).

    Returns a tuple of:
    - out: output of shape (N, M)
    - cache: (x, w, b)
    """
    out = x.reshape(x.shape[0], -1) @ w + b
    return out, (x, w, b)


def affine_backward(dout, cache):
    """Fully-connected layer, backward.

    Inputs:
    - dout: upstream gradient of shape (N, M).
    - cache: (x, w, b) from affine_forward.

    Returns a tuple of:
    - dx: gradient w.r.t. x, shape (N, d_1, ..., d_k)
    - dw: gradient w.r.t. w, shape (D, M)
    - db: gradient w.r.t. b, shape (M,)
    """
    x, w, _ = cache
    dx = (dout @ w.T).reshape(x.shape)
    dw = x.reshape(x.shape[0], -1).T @ dout
    db = dout.sum(axis=0)
    return dx, dw, db


def relu_forward(x):
    """ReLU, forward. Inputs: - x: array of any shape. Returns a tuple of: out (same shape), cache (x)."""
    return np.maximum(0, x), x


def relu_backward(dout, cache):
    """ReLU, backward. Inputs: - dout: upstream gradient; - cache: x. Returns: dx, of x's shape."""
    return dout * (cache > 0)


def softmax_loss(x, y):
    """Softmax cross-entropy loss and its gradient.

    Inputs:
    - x: class scores of shape (N, C).
    - y: labels of shape (N,), 0 <= y[i] < C.

    Returns a tuple of:
    - loss: scalar, mean over the N examples
    - dx: gradient of the loss w.r.t. x, shape (N, C)
    """
    shifted = x - x.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    n = x.shape[0]
    loss = -log_probs[np.arange(n), y].mean()
    dx = np.exp(log_probs)
    dx[np.arange(n), y] -= 1
    return loss, dx / n
