"""dlcourse.stats: the exact binomial bounds the dropout checks (visible and judged) rely on."""
from math import comb

import pytest

from dlcourse.stats import binomial_interval


def test_binomial_interval_matches_exact_sums_and_stays_below_alpha():
    n, p, alpha = 200, 0.3, 1e-6
    lo, hi, outside = binomial_interval(n, p, alpha)
    pmf = [comb(n, k) * p**k * (1 - p) ** (n - k) for k in range(n + 1)]
    assert outside == pytest.approx(sum(pmf[:lo]) + sum(pmf[hi + 1:]), rel=1e-9)
    assert sum(pmf[:lo]) <= alpha / 2 < sum(pmf[:lo + 1])        # the tightest lower bound
    assert sum(pmf[hi + 1:]) <= alpha / 2 < sum(pmf[hi:])       # the tightest upper bound
    lo, hi, outside = binomial_interval(20000, 0.8)
    assert outside < 1e-8 and lo < 16000 < hi and hi - lo < 1000
