"""Exact binomial tail bounds: acceptance intervals for counts of random events.

Used where a correct answer is random (dropout masks): a check accepts a count ``k`` of
successes out of ``n`` trials of probability ``p`` when ``lo <= k <= hi``, with the interval
chosen so that a correct implementation falls outside it with probability at most ``alpha``
(computed exactly from the binomial distribution, no normal approximation). Shared by the
visible checks (in the student's kernel) and the grader's property checks (outside it).
"""
import math

import numpy as np

ALPHA = 1e-8  # per check: a correct answer fails one check in 10^8 gradings


def _pmf(n, p):
    """P(K = k) for k = 0..n, K ~ Binomial(n, p) (log-space recursion, then exp)."""
    n = int(n)
    if not (0.0 < p < 1.0):
        raise ValueError(f"p must be in (0, 1), got {p}")
    k = np.arange(n)
    steps = np.log(n - k) - np.log(k + 1) + math.log(p) - math.log1p(-p)
    logpmf = np.concatenate([[n * math.log1p(-p)], n * math.log1p(-p) + np.cumsum(steps)])
    return np.exp(logpmf)


def binomial_interval(n, p, alpha=ALPHA):
    """(lo, hi, probability outside): the widest-tail-first interval of counts a correct draw leaves
    with probability at most `alpha` (at most alpha / 2 on each side), and that exact probability."""
    pmf = _pmf(n, p)
    lower = np.cumsum(pmf)               # P(K <= k)
    upper = np.cumsum(pmf[::-1])[::-1]   # P(K >= k)
    below = np.nonzero(lower <= alpha / 2)[0]   # k with P(K <= k) <= alpha/2: lo = last such k + 1
    lo = int(below[-1]) + 1 if below.size else 0
    above = np.nonzero(upper <= alpha / 2)[0]   # k with P(K >= k) <= alpha/2: hi = first such k - 1
    hi = int(above[0]) - 1 if above.size else int(n)
    outside = (float(lower[lo - 1]) if lo > 0 else 0.0) + (float(upper[hi + 1]) if hi < n else 0.0)
    return lo, hi, outside
