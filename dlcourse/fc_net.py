"""A fully-connected net of any depth (numpy), with pluggable normalization and dropout.

Architecture: {affine - [norm] - relu - [dropout]} x (L - 1) - affine - softmax.

The normalization and dropout *functions* are arguments, so later chapters plug in the
student's own ``batchnorm_forward``/``batchnorm_backward`` or ``dropout_forward``/``dropout_backward``
(contracts in :mod:`dlcourse.layers`). Parameters live in ``self.params`` under the names
W1, b1, gamma1, beta1, ..., which is what :class:`dlcourse.solver.Solver` updates.
"""
import numpy as np

from .layers import affine_backward, affine_forward, relu_backward, relu_forward, softmax_loss


class FullyConnectedNet:
    """
    Inputs:
    - hidden_dims: list of hidden layer sizes.
    - input_dim: size of one (flattened) input.
    - num_classes: number of classes.
    - norm: None, or a pair (norm_forward, norm_backward); adds gamma/beta per hidden layer.
    - norm_param: dict passed to every norm_forward call (its "mode" is set to train/test).
    - dropout: None, or a pair (dropout_forward, dropout_backward).
    - dropout_param: dict passed to dropout_forward (e.g. {"p": 0.5}); "mode" is set for you. Put a
      "seed" in it only for gradient checks: with a seed every call draws the same mask.
    - reg: L2 regularization strength.
    - weight_scale: std of the Gaussian initial weights; "he" for He initialization.
    - dtype: numpy dtype of the parameters (np.float64 for gradient checks).
    - seed: seed for the initial weights (not for the dropout masks: training needs a new mask per call).
    """

    def __init__(self, hidden_dims, input_dim=3 * 32 * 32, num_classes=10, norm=None, norm_param=None,
                 dropout=None, dropout_param=None, reg=0.0, weight_scale=1e-2, dtype=np.float32, seed=None):
        self.num_layers = len(hidden_dims) + 1
        self.reg, self.dtype = reg, dtype
        self.norm, self.dropout = norm, dropout
        rng = np.random.default_rng(seed)
        dims = [input_dim, *hidden_dims, num_classes]
        self.params = {}
        for i in range(self.num_layers):
            fan_in, fan_out = dims[i], dims[i + 1]
            scale = np.sqrt(2.0 / fan_in) if weight_scale == "he" else weight_scale
            self.params[f"W{i + 1}"] = (scale * rng.standard_normal((fan_in, fan_out))).astype(dtype)
            self.params[f"b{i + 1}"] = np.zeros(fan_out, dtype=dtype)
            if norm is not None and i < self.num_layers - 1:
                self.params[f"gamma{i + 1}"] = np.ones(fan_out, dtype=dtype)
                self.params[f"beta{i + 1}"] = np.zeros(fan_out, dtype=dtype)
        self.norm_params = [dict(norm_param or {}) for _ in range(self.num_layers - 1)]
        self.dropout_param = dict(dropout_param or {})

    def loss(self, X, y=None):
        """Scores for X, or (loss, grads) when labels y are given.

        Inputs:
        - X: input of shape (N, d_1, ..., d_k).
        - y: labels of shape (N,), or None for test-time scores.

        Returns:
        - y is None: scores of shape (N, C).
        - otherwise a tuple of: loss (scalar), grads (dict, same keys as self.params).
        """
        mode = "test" if y is None else "train"
        for p in self.norm_params:
            p["mode"] = mode
        self.dropout_param["mode"] = mode
        X = X.astype(self.dtype)
        caches, h = [], X
        for i in range(1, self.num_layers):
            h, c_aff = affine_forward(h, self.params[f"W{i}"], self.params[f"b{i}"])
            c_norm = c_drop = None
            if self.norm is not None:
                h, c_norm = self.norm[0](h, self.params[f"gamma{i}"], self.params[f"beta{i}"], self.norm_params[i - 1])
            h, c_relu = relu_forward(h)
            if self.dropout is not None:
                h, c_drop = self.dropout[0](h, self.dropout_param)
            caches.append((c_aff, c_norm, c_relu, c_drop))
        L = self.num_layers
        scores, c_last = affine_forward(h, self.params[f"W{L}"], self.params[f"b{L}"])
        if y is None:
            return scores

        loss, dout = softmax_loss(scores, y)
        grads = {}
        dh, grads[f"W{L}"], grads[f"b{L}"] = affine_backward(dout, c_last)
        for i in range(L - 1, 0, -1):
            c_aff, c_norm, c_relu, c_drop = caches[i - 1]
            if self.dropout is not None:
                dh = self.dropout[1](dh, c_drop)
            dh = relu_backward(dh, c_relu)
            if self.norm is not None:
                dh, grads[f"gamma{i}"], grads[f"beta{i}"] = self.norm[1](dh, c_norm)
            dh, grads[f"W{i}"], grads[f"b{i}"] = affine_backward(dh, c_aff)
        for i in range(1, L + 1):
            W = self.params[f"W{i}"]
            loss += 0.5 * self.reg * float(np.sum(W * W))
            grads[f"W{i}"] = grads[f"W{i}"] + self.reg * W
        return loss, grads
