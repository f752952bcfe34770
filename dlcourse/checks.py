"""Visible checks: the published CS231n check values for the optimizers exercise.

Each check calls the student's rule on CS231n's fixed ``linspace`` inputs, prints the relative
errors, asserts them below ``tol`` (the published arrays carry 8 decimals: an exact Adam lands
at about 1.1e-7), and hands the raw outputs to the grader (:func:`dlcourse.grading.record`).
"""
import numpy as np

from .gradient_check import rel_error
from .grading import record

N, D = 4, 5


def _lin(a, b):
    return np.linspace(a, b, num=N * D).reshape(N, D)


CS231N = {
    "sgd_momentum": {
        "hint": "classical momentum is v = momentum * v - learning_rate * dw, then next_w = w + v (not Nesterov)",
        "config": lambda: {"learning_rate": 1e-3, "velocity": _lin(0.6, 0.9)},
        "expected": {
            "next_w": [[0.1406, 0.20738947, 0.27417895, 0.34096842, 0.40775789],
                       [0.47454737, 0.54133684, 0.60812632, 0.67491579, 0.74170526],
                       [0.80849474, 0.87528421, 0.94207368, 1.00886316, 1.07565263],
                       [1.14244211, 1.20923158, 1.27602105, 1.34281053, 1.4096]],
            "velocity": [[0.5406, 0.55475789, 0.56891579, 0.58307368, 0.59723158],
                         [0.61138947, 0.62554737, 0.63970526, 0.65386316, 0.66802105],
                         [0.68217895, 0.69633684, 0.71049474, 0.72465263, 0.73881053],
                         [0.75296842, 0.76712632, 0.78128421, 0.79544211, 0.8096]],
        },
    },
    "rmsprop": {
        "hint": "cache = decay_rate * cache + (1 - decay_rate) * dw**2, and the step divides by sqrt(cache) + epsilon",
        "config": lambda: {"learning_rate": 1e-2, "cache": _lin(0.6, 0.9)},
        "expected": {
            "next_w": [[-0.39223849, -0.34037513, -0.28849239, -0.23659121, -0.18467247],
                       [-0.132737, -0.08078555, -0.02881884, 0.02316247, 0.07515774],
                       [0.12716641, 0.17918792, 0.23122175, 0.28326742, 0.33532447],
                       [0.38739248, 0.43947102, 0.49155973, 0.54365823, 0.59576619]],
            "cache": [[0.5976, 0.6126277, 0.6277108, 0.64284931, 0.65804321],
                      [0.67329252, 0.68859723, 0.70395734, 0.71937285, 0.73484377],
                      [0.75037008, 0.7659518, 0.78158892, 0.79728144, 0.81302936],
                      [0.82883269, 0.84469141, 0.86060554, 0.87657507, 0.8926]],
        },
    },
    "adam": {
        "hint": "t is incremented before it is used; m uses beta1, v uses beta2; both are bias-corrected",
        "config": lambda: {"learning_rate": 1e-2, "m": _lin(0.6, 0.9), "v": _lin(0.7, 0.5), "t": 5},
        "expected": {
            "next_w": [[-0.40094747, -0.34836187, -0.29577703, -0.24319299, -0.19060977],
                       [-0.1380274, -0.08544591, -0.03286534, 0.01971428, 0.0722929],
                       [0.1248705, 0.17744702, 0.23002243, 0.28259667, 0.33516969],
                       [0.38774145, 0.44031188, 0.49288093, 0.54544852, 0.59801459]],
            "v": [[0.69966, 0.68908382, 0.67851319, 0.66794809, 0.65738853],
                  [0.64683452, 0.63628604, 0.6257431, 0.61520571, 0.60467385],
                  [0.59414753, 0.58362676, 0.57311152, 0.56260183, 0.55209767],
                  [0.54159906, 0.53110598, 0.52061845, 0.51013645, 0.49966]],
            "m": [[0.48, 0.49947368, 0.51894737, 0.53842105, 0.55789474],
                  [0.57736842, 0.59684211, 0.61631579, 0.63578947, 0.65526316],
                  [0.67473684, 0.69421053, 0.71368421, 0.73315789, 0.75263158],
                  [0.77210526, 0.79157895, 0.81105263, 0.83052632, 0.85]],
        },
    },
}


def check_update_rule(name, rule, tol=1e-6):
    """Run CS231n's published check for update rule `name` ("sgd_momentum", "rmsprop", "adam").

    Inputs:
    - name: which published check.
    - rule: your function, rule(w, dw, config) -> (next_w, config).
    - tol: largest relative error accepted.

    Returns a dict of relative errors (next_w and each state array); raises AssertionError
    naming the first array that is off.
    """
    case = CS231N[name]
    w, dw = _lin(-0.4, 0.6), _lin(-0.6, 0.4)
    config = case["config"]()
    next_w, config = rule(w, dw, config=config)
    got = {"next_w": next_w}
    for key in case["expected"]:
        if key != "next_w":
            if not isinstance(config, dict) or key not in config:
                raise AssertionError(f"{name}: the returned config has no '{key}': write the new state back into config")
            got[key] = config[key]
    record(f"{name}/cs231n", got, label="CS231n's published check inputs", hint=case["hint"])
    errors = {}
    for key, expected in case["expected"].items():
        errors[key] = rel_error(np.asarray(expected), np.asarray(got[key], dtype=np.float64))
        print(f"{name}: {key} error {errors[key]:.2e}")
    for key, err in errors.items():
        assert err < tol, f"{name}: {key} differs from the published values (relative error {err:.2e} >= {tol:g})"
    return errors
