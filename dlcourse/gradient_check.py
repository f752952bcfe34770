"""Numeric checks used by every chapter.

rel_error compares arrays the cs231n way; the two eval_numerical_gradient functions estimate
gradients with centred differences, to check hand-written backward passes; forward_output checks
what a layer forward returned against the layer contract (dlcourse.layers).
"""
import numpy as np


def rel_error(x, y):
    """Maximum elementwise relative error between two arrays.

    Inputs:
    - x, y: arrays (or scalars) of the same shape.

    Returns:
    - a float: max over elements of |x - y| / max(1e-8, |x| + |y|).
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if x.shape != y.shape:
        raise ValueError(f"rel_error: shapes differ, {x.shape} vs {y.shape}")
    if x.size == 0:
        return 0.0
    return float(np.max(np.abs(x - y) / np.maximum(1e-8, np.abs(x) + np.abs(y))))


def eval_numerical_gradient(f, x, verbose=False, h=1e-5):
    """Centred-difference gradient of a scalar function at x.

    Inputs:
    - f: function taking an array of x's shape and returning a scalar.
    - x: array of any shape; it is perturbed in place and restored.
    - verbose: print each coordinate's estimate.
    - h: step size.

    Returns:
    - grad: array of x's shape, d f / d x.
    """
    grad = np.zeros_like(x, dtype=np.float64)
    it = np.nditer(x, flags=["multi_index"], op_flags=["readwrite"])
    while not it.finished:
        ix = it.multi_index
        old = x[ix]
        x[ix] = old + h
        fxph = f(x)
        x[ix] = old - h
        fxmh = f(x)
        x[ix] = old
        grad[ix] = (fxph - fxmh) / (2 * h)
        if verbose:
            print(ix, grad[ix])
        it.iternext()
    return grad


def eval_numerical_gradient_array(f, x, df, h=1e-5):
    """Centred-difference gradient of an array-valued function, contracted with an upstream gradient.

    Inputs:
    - f: function taking an array of x's shape and returning an array of any shape.
    - x: array of any shape; it is perturbed in place and restored.
    - df: upstream gradient, of f(x)'s shape.
    - h: step size.

    Returns:
    - grad: array of x's shape, sum(df * d f / d x).
    """
    # d/dx sum(df * f(x)) is the scalar case
    return eval_numerical_gradient(lambda v: float(np.sum(np.asarray(f(v), dtype=np.float64) * df)), x, h=h)


def forward_output(result, shape, what):
    """The (out, cache) a student's layer forward returned, checked against the layer contract
    (see dlcourse.layers): a 2-tuple whose ``out`` has the input's shape.

    Inputs:
    - result: what ``forward(x, ...)`` returned.
    - shape: the input's shape.
    - what: the call, for the message (e.g. "dropout_forward (train, p=0.5)").

    Returns a tuple of: out (as float64), cache. Raises AssertionError with a message otherwise.
    """
    if not (isinstance(result, tuple) and len(result) == 2):
        raise AssertionError(f"{what} must return a tuple (out, cache), got {type(result).__name__}")
    out = np.asarray(result[0], dtype=np.float64)
    if out.shape != tuple(shape):
        raise AssertionError(f"{what}: out has shape {out.shape}, expected the input's shape {tuple(shape)}")
    return out, result[1]
