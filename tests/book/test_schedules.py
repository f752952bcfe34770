"""The training-recipe page's schedules and training run (book/optimizers/schedules.py)."""
import math

import pytest
import torch

from schedules import train, warmup_cosine, warmup_step


def test_warmup_is_linear_then_cosine_falls_to_the_floor():
    total, warmup = 100, 10
    assert [warmup_cosine(s, total, warmup) for s in range(warmup)] == pytest.approx([(s + 1) / 10 for s in range(10)])
    assert warmup_cosine(warmup, total, warmup) == pytest.approx(1.0)
    assert warmup_cosine(total - 1, total, warmup) == pytest.approx(0.0, abs=1e-12)
    assert warmup_cosine(total - 1, total, warmup, floor=0.1) == pytest.approx(0.1)
    middle = warmup + (total - 1 - warmup) / 2
    assert warmup_cosine(int(middle), total, warmup) == pytest.approx(0.5 * (1 + math.cos(math.pi * int(middle - warmup) / 89)))
    values = [warmup_cosine(s, total, warmup) for s in range(warmup, total)]
    assert all(a >= b for a, b in zip(values, values[1:]))


def test_step_schedule_drops_by_gamma_at_the_milestones():
    values = [warmup_step(s, 100, 5) for s in range(100)]
    assert values[:5] == pytest.approx([0.2, 0.4, 0.6, 0.8, 1.0])
    assert values[49] == 1.0 and values[50] == pytest.approx(0.1) and values[74] == pytest.approx(0.1)
    assert values[75] == pytest.approx(0.01) and values[99] == pytest.approx(0.01)


@pytest.mark.parametrize("call", [lambda: warmup_cosine(0, 10, 10), lambda: warmup_cosine(10, 10, 0),
                                  lambda: warmup_step(-1, 10), lambda: warmup_step(0, 0)])
def test_bad_steps_are_refused_in_one_line(call):
    with pytest.raises(ValueError, match="schedule|outside"):
        call()


def test_train_applies_the_schedule_and_records_the_weight_norm():
    g = torch.Generator().manual_seed(0)
    data = {"X_train": torch.randn(40, 3, 32, 32, generator=g), "y_train": torch.randint(0, 10, (40,), generator=g),
            "X_val": torch.randn(10, 3, 32, 32, generator=g), "y_val": torch.randint(0, 10, (10,), generator=g)}
    seen = []

    def make(ps):
        opt = torch.optim.SGD(ps, lr=0.1)
        seen.append(opt)
        return opt

    history = train(make, data, epochs=2, batch_size=20, schedule=lambda s, total: warmup_cosine(s, total, 1))
    assert len(history["loss"]) == 4 and len(history["val_acc"]) == 2 and len(history["weight_norm"]) == 3
    assert seen[0].param_groups[0]["lr"] == pytest.approx(0.0, abs=1e-12)  # the last step of the cosine
    frozen = train(lambda ps: torch.optim.SGD(ps, lr=0.0), data, epochs=1, batch_size=20)
    assert frozen["weight_norm"][0] == frozen["weight_norm"][1]
