"""Minibatch training of a numpy model, with cs231n's Solver semantics.

The model must provide ``model.params`` (dict name -> array) and
``model.loss(X, y=None)`` returning scores, or ``(loss, grads)`` when y is given.
The update rule follows the contract of :mod:`dlcourse.optim`:
``rule(w, dw, config) -> (next_w, config)``, and each parameter keeps its own config.

    solver = Solver(model, data, update_rule=adam, optim_config={"learning_rate": 1e-3},
                    num_epochs=5, batch_size=100)
    solver.train()
    solver.loss_history, solver.train_acc_history, solver.val_acc_history, solver.best_val_acc
"""
import copy

import numpy as np

from . import optim
from .runtime import Progress, cap_epochs


class Solver:
    """
    Inputs:
    - model: see the module docstring.
    - data: dict with X_train (N_train, ...), y_train (N_train,), X_val, y_val.
    - update_rule: a callable rule, or the name of a rule in dlcourse.optim (e.g. "sgd").
    - optim_config: hyperparameters passed to the rule (copied once per parameter).
    - lr_decay: the learning rate is multiplied by this after each epoch.
    - batch_size, num_epochs: minibatch size and epochs.
    - num_train_samples, num_val_samples: examples used to compute accuracies (None: all).
    - print_every: print the loss every this many iterations (0: never); verbose=False silences all.
    - seed: seed of the minibatch sampling.

    After train(): loss_history (per iteration), train_acc_history and val_acc_history (per
    epoch, plus the start), best_val_acc, best_params; model.params is set to best_params.
    """

    def __init__(self, model, data, update_rule="sgd", optim_config=None, lr_decay=1.0, batch_size=100,
                 num_epochs=10, num_train_samples=1000, num_val_samples=None, print_every=0, verbose=True,
                 seed=0):
        self.model = model
        self.X_train, self.y_train = data["X_train"], data["y_train"]
        self.X_val, self.y_val = data["X_val"], data["y_val"]
        if isinstance(update_rule, str):
            if not hasattr(optim, update_rule):
                raise ValueError(f'Invalid update_rule "{update_rule}": dlcourse.optim has no such rule; '
                                 "pass your own function instead")
            update_rule = getattr(optim, update_rule)
        if not callable(update_rule):
            raise TypeError("update_rule must be a callable rule(w, dw, config) -> (next_w, config) or a name")
        self.update_rule = update_rule
        self.optim_config = dict(optim_config or {})
        self.lr_decay, self.batch_size, self.num_epochs = lr_decay, batch_size, num_epochs
        self.num_train_samples, self.num_val_samples = num_train_samples, num_val_samples
        self.print_every, self.verbose = print_every, verbose
        self.rng = np.random.default_rng(seed)
        self._reset()

    def _reset(self):
        self.epoch = 0
        self.best_val_acc = 0.0
        self.best_params = {}
        self.loss_history, self.train_acc_history, self.val_acc_history = [], [], []
        self.optim_configs = {p: copy.deepcopy(self.optim_config) for p in self.model.params}

    def _step(self):
        num_train = self.X_train.shape[0]
        idx = self.rng.choice(num_train, self.batch_size, replace=num_train < self.batch_size)
        loss, grads = self.model.loss(self.X_train[idx], self.y_train[idx])
        self.loss_history.append(float(loss))
        for name, w in self.model.params.items():
            next_w, next_config = self.update_rule(w, grads[name], self.optim_configs[name])
            self.model.params[name] = next_w
            self.optim_configs[name] = next_config

    def check_accuracy(self, X, y, num_samples=None, batch_size=100):
        """Fraction of correctly classified examples (on a random subsample of num_samples, if given)."""
        if num_samples is not None and X.shape[0] > num_samples:
            idx = self.rng.choice(X.shape[0], num_samples, replace=False)
            X, y = X[idx], y[idx]
        preds = [np.argmax(self.model.loss(X[i:i + batch_size]), axis=1) for i in range(0, X.shape[0], batch_size)]
        return float(np.mean(np.concatenate(preds) == y))

    def _record_accuracy(self):
        train_acc = self.check_accuracy(self.X_train, self.y_train, self.num_train_samples)
        val_acc = self.check_accuracy(self.X_val, self.y_val, self.num_val_samples)
        self.train_acc_history.append(train_acc)
        self.val_acc_history.append(val_acc)
        if val_acc > self.best_val_acc or not self.best_params:
            self.best_val_acc = val_acc
            self.best_params = {k: v.copy() for k, v in self.model.params.items()}
        return train_acc, val_acc

    def train(self):
        """Run the optimization; returns self."""
        iters_per_epoch = max(self.X_train.shape[0] // self.batch_size, 1)
        total = cap_epochs(self.num_epochs) * iters_per_epoch  # $DLCOURSE_EPOCHS caps it (dlcourse.runtime)
        progress = Progress(total, label="iteration") if self.verbose else None
        self._record_accuracy()
        for t in range(total):
            self._step()
            if self.verbose and self.print_every and t % self.print_every == 0:
                print(f"(Iteration {t + 1} / {total}) loss: {self.loss_history[-1]:.6f}")
            if progress:
                progress.update(t + 1, loss=self.loss_history[-1])
            if (t + 1) % iters_per_epoch == 0:
                self.epoch += 1
                for config in self.optim_configs.values():
                    if "learning_rate" in config:
                        config["learning_rate"] *= self.lr_decay
                train_acc, val_acc = self._record_accuracy()
                if self.verbose:
                    print(f"(Epoch {self.epoch} / {self.num_epochs}) train acc: {train_acc:.3f}; val_acc: {val_acc:.3f}")
            if not np.isfinite(self.loss_history[-1]):
                if self.verbose:
                    print(f"Stopping: the loss is {self.loss_history[-1]} at iteration {t + 1}")
                break
        self.model.params = self.best_params
        return self
