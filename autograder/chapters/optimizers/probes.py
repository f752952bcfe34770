"""Hidden-test probes of the optimizers chapter (run in the grading kernel: autograder/chapters/__init__.py).

probe_update_rule runs a student's update rule on inputs drawn from the grading generator and
records every step's next_w; the judge compares them with the reference's or, for a rule with an
``oracle`` (AdamW: ``torch_adamw`` of autograder/chapters/optimizers/checks.py), recomputes them
outside the kernel from the recorded inputs with PyTorch's own optimizer.
"""
import numpy as np

from dlcourse.grading import grading_rng, record


def _away_from_zero(rng, shape, low=0.5, high=2.0):
    """Random values with |x| in [low, high): results then do not hinge on where epsilon sits."""
    return rng.choice([-1.0, 1.0], size=shape) * rng.uniform(low, high, size=shape)


def probe_update_rule(name, rule, cases, hint_first="", hint_later="", hint_defaults="", oracle=None):
    """Run an update rule on fresh inputs for several steps and record every next_w.

    Inputs:
    - name: the rule's name (key prefix).
    - rule: the student's function, rule(w, dw, config) -> (next_w, config).
    - cases: list of dicts with
        - "shape": shape of w;
        - "steps": number of consecutive calls (the returned config is passed back each time);
        - "config": None, or hyperparameters; state entries given as the string "random"
          (or "random+" for positive values) are drawn from the grading generator.
    - hint_first, hint_later, hint_defaults: hints for a wrong first step, a wrong later step,
      and a wrong first step of a case with config=None.
    - oracle: None (each next_w is compared with the reference run's), or the name of a property
      check of the chapter that recomputes it from the inputs: each record then also holds "w0"
      (the first w), "dws" (the gradients of steps 1..k, stacked) and "initial_<key>" for every
      array the case's config starts with; the check's args are {"config": the case's scalar
      config entries, or None for config=None}. The judge takes those inputs from the reference
      run's record (the same seed drew the same ones), never from the student's.

    Returns the list of next_w arrays (for inspection when not grading).
    """
    results = []
    for c, case in enumerate(cases):
        rng = grading_rng(name, c)
        shape = tuple(case["shape"])
        config = None
        if case.get("config") is not None:
            config = {}
            for key, val in case["config"].items():
                if val == "random":
                    val = rng.standard_normal(shape)
                elif val == "random+":
                    val = rng.uniform(0.1, 1.0, size=shape)
                config[key] = val
        w = rng.standard_normal(shape)
        inputs = {"w0": w.copy()}
        inputs.update({f"initial_{key}": np.array(val) for key, val in (config or {}).items()
                       if isinstance(val, np.ndarray)})
        args = None
        if oracle is not None:
            args = {"config": None if config is None else
                    {key: val for key, val in case["config"].items() if not str(val).startswith("random")}}
        dws = []
        described = "config=None" if config is None else "config with " + ", ".join(sorted(case["config"]))
        for step in range(1, case["steps"] + 1):
            dw = _away_from_zero(rng, shape)
            dws.append(dw)
            next_w, config = rule(w.copy(), dw.copy(), config)
            if step == 1:
                hint = hint_defaults if case.get("config") is None and hint_defaults else hint_first
            else:
                hint = hint_later
            value = {"next_w": next_w}
            if oracle is not None:
                value.update(inputs, dws=np.stack(dws))
            record(f"{name}/case{c + 1}/step{step}", value,
                   label=f"{described}, w of shape {shape}, step {step} of {case['steps']}", hint=hint,
                   rtol=1e-6, atol=1e-6, check=oracle, args=args)
            results.append(np.array(next_w, dtype=np.float64))
            w = np.array(next_w, dtype=np.float64)
    return results
