"""Learning-rate schedules with linear warmup and the small training run of the optimizers
chapter's training-recipe page (book/optimizers/recipe.md); code only the book uses (authoring
guide: beside its page, imported by name).

- ``warmup_step(step, total, warmup, drops, gamma)`` and ``warmup_cosine(step, total, warmup,
  floor)``: the learning-rate multiplier at a step (1 = the base rate), for
  ``torch.optim.lr_scheduler.LambdaLR`` or a plot;
- ``five_layer_net()``: the chapter's five-layer fully-connected network (four hidden layers of
  100 ReLUs), initialized from seed 0;
- ``train(make_optimizer, data, epochs, schedule=...)``: that network trained with a torch
  optimizer, the multiplier applied at every step; returns the losses, validation accuracies
  and weight norms.

The page trains with ``torch.optim`` (Adam, AdamW, SGD), never with the exercise's rules, so it
gives no solution away.
"""
import math

import torch


def _check(step, total, warmup):
    if total < 1 or not 0 <= warmup < total:
        raise ValueError(f"a schedule needs total >= 1 steps and 0 <= warmup < total (got total={total}, warmup={warmup})")
    if not 0 <= step < total:
        raise ValueError(f"step {step} is outside the schedule's {total} steps")


def warmup_step(step, total, warmup=0, drops=(0.5, 0.75), gamma=0.1):
    """Multiplier of the base learning rate at `step` (0-based) of `total`: a linear warmup from
    1/warmup to 1 over the first `warmup` steps, then 1, times `gamma` at each fraction of the
    steps in `drops` (the classic ResNet schedule: x0.1 at 50% and 75%)."""
    _check(step, total, warmup)
    if step < warmup:
        return (step + 1) / warmup
    return gamma ** sum(step >= round(d * total) for d in drops)


def warmup_cosine(step, total, warmup=0, floor=0.0):
    """Multiplier of the base learning rate at `step` (0-based) of `total`: a linear warmup from
    1/warmup to 1 over the first `warmup` steps, then a half cosine from 1 down to `floor` at the
    last step (Loshchilov & Hutter's SGDR without restarts)."""
    _check(step, total, warmup)
    if step < warmup:
        return (step + 1) / warmup
    progress = (step - warmup) / max(total - 1 - warmup, 1)
    return floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * progress))


def five_layer_net(seed=0):
    """The chapter's five-layer net: 3072 -> 100 -> 100 -> 100 -> 100 -> 10, ReLUs between."""
    torch.manual_seed(seed)
    layers, width = [torch.nn.Flatten()], 3 * 32 * 32
    for _ in range(4):
        layers += [torch.nn.Linear(width, 100), torch.nn.ReLU()]
        width = 100
    return torch.nn.Sequential(*layers, torch.nn.Linear(width, 10))


def train(make_optimizer, data, epochs, batch_size=100, schedule=None, seed=0):
    """Train five_layer_net() with make_optimizer(parameters) on `data`, the learning rate
    multiplied by schedule(step, total) at every step (None: constant).

    Inputs:
    - data: dict of float tensors X_train (N, 3, 32, 32), X_val and long tensors y_train, y_val.
    - epochs: passes over the training set, minibatches in one seeded order per pass.

    Returns a dict: "loss" (per step), "val_acc" (after each epoch), "weight_norm" (the Euclidean
    norm of all weight matrices together, at the start and after each epoch).
    """
    model = five_layer_net(seed)
    opt = make_optimizer(model.parameters())
    n = len(data["y_train"])
    total = epochs * math.ceil(n / batch_size)
    scheduler = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: schedule(min(s, total - 1), total)) if schedule else None
    order = torch.Generator().manual_seed(seed)

    def weight_norm():
        with torch.no_grad():
            return math.sqrt(sum(float((p**2).sum()) for p in model.parameters() if p.ndim > 1))

    history = {"loss": [], "val_acc": [], "weight_norm": [weight_norm()]}
    for _ in range(epochs):
        for idx in torch.randperm(n, generator=order).split(batch_size):
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(model(data["X_train"][idx]), data["y_train"][idx])
            loss.backward()
            opt.step()
            if scheduler:
                scheduler.step()
            history["loss"].append(loss.item())
        with torch.no_grad():
            history["val_acc"].append((model(data["X_val"]).argmax(1) == data["y_val"]).float().mean().item())
        history["weight_norm"].append(weight_norm())
    return history
