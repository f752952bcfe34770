"""Property checks of the ResNet chapter, run by the judge outside the kernel (contract:
autograder/judge/properties.py; found by name through autograder/chapters/__init__.py)."""
import numpy as np

from autograder.judge.properties import field, registry, within

PROPERTIES = {}
prop = registry(PROPERTIES)


@prop("crop_and_flip")
def crop_and_flip(ref, got, *, pad=4, flip_p=0.5, **_):
    """Random-crop augmentation: each output image is a crop of its zero-padded input, maybe mirrored.

    Record: {"inputs": (N, H, W, C) images (from the reference run: trusted), "outputs": the
    student's (N, H, W, C) result}. args: pad (zero pixels added on every side), flip_p (the
    probability of a left-right flip).

    Passes when every output equals the (H, W) window at some offset (dy, dx) in 0..2*pad of the
    zero-padded input, flipped left-right or not; the fraction flipped is within 4 standard
    deviations of flip_p; and dy and dx each take every value 0..2*pad with a mean within 4
    standard deviations of pad (so an unpadded crop, a vertical flip, a fixed or a biased offset fail).
    """
    inputs, outputs = field(ref, "inputs"), field(got, "outputs")
    if outputs.shape != inputs.shape:
        return f"output shape {outputs.shape}, expected the input's {inputs.shape}"
    n, h, w = inputs.shape[:3]
    padded = np.pad(inputs, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    k = 2 * pad + 1
    offsets = np.full((n, 3), -1)
    for dy in range(k):
        for dx in range(k):
            window = padded[:, dy:dy + h, dx:dx + w]
            for flipped, candidate in ((0, window), (1, window[:, :, ::-1])):
                hit = (offsets[:, 0] < 0) & np.all((candidate == outputs).reshape(n, -1), axis=1)
                offsets[hit] = (dy, dx, flipped)
    unmatched = int(np.sum(offsets[:, 0] < 0))
    if unmatched:
        return (f"{unmatched} of {n} outputs are no {h}x{w} crop of the input padded with {pad} zeros "
                "on every side (flipped left-right or not)")
    sd = np.sqrt(flip_p * (1 - flip_p) / n)
    flipped = offsets[:, 2].mean()
    if abs(flipped - flip_p) > 4 * sd:
        return f"{flipped:.1%} of the images are flipped left-right, expected about {flip_p:.0%}"
    sd_offset = np.sqrt((k * k - 1) / 12 / n)
    for axis, name in ((0, "vertical"), (1, "horizontal")):
        values = offsets[:, axis]
        missing = sorted(set(range(k)) - set(values.tolist()))
        if missing:
            return f"{name} crop offsets never take the values {missing} (expected every value 0..{2 * pad})"
        if abs(values.mean() - pad) > 4 * sd_offset:
            return f"{name} crop offsets average {values.mean():.2f}, expected about {pad} (uniform on 0..{2 * pad})"
    return None


@prop("any_placement")
def any_placement(ref, got, *, rtol=1e-4, atol=1e-4, **_):
    """Outputs equal to the reference's for one of the placements of option A's zero channels.

    Record (autograder/chapters/resnet/probes.py, by_placement): {name: array, ...,
    "placements": {placement: {name: array, ...}}}; only the reference's placements count (the
    reference run computed them on the same inputs), only the student's own arrays are read.
    Passes when, for the reference's own outputs or those of some placement, every array of the
    student's is within rtol/atol (as an equality record's tolerance). The spec leaves open
    whether the zero channels go after the input's channels, before them or on both sides: each
    correct block matches one of them, a wrong one none.
    """
    own = {k: v for k, v in ref.items() if k != "placements"}
    candidates = [own] + list((ref.get("placements") or {}).values())
    mine = {k: field(got, k) for k in own}
    for expected in candidates:
        if within(expected, mine, rtol, atol):
            return None
    for key, exp in own.items():
        if mine[key].shape != exp.shape:
            return f"{key}: shape {mine[key].shape}, expected {exp.shape}"
    worst = max(float(np.max(np.abs(mine[k] - v) / (np.abs(mine[k]) + np.abs(v) + atol))) for k, v in own.items())
    where = f" or any of the {len(candidates) - 1} placements of option A's zero channels" if len(candidates) > 1 else ""
    return f"relative error up to {worst:.1e} against the reference's outputs{where}"
