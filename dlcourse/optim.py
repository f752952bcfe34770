"""Update rules (numpy), in the cs231n contract.

Every rule is ``rule(w, dw, config=None) -> (next_w, config)``:

- ``w``: current weights (array of any shape); ``dw``: the loss gradient, same shape;
- ``config``: a dict of hyperparameters *and* the rule's state (velocity, moment estimates,
  step count). ``None`` means "use the defaults"; keys that are missing get their defaults.
- The rule returns the new weights and the config to pass to the next call: the state must be
  written back into it, because the Solver keeps only what the rule returns.

The library gives plain SGD only. sgd_momentum, rmsprop and adam are written by students in the
optimizers exercise; their reference solutions live in ``solutions/optimizers``.
"""


def sgd(w, dw, config=None):
    """Vanilla stochastic gradient descent: next_w = w - learning_rate * dw.

    config format:
    - learning_rate: scalar learning rate (default 1e-2).
    """
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    return w - config["learning_rate"] * dw, config
