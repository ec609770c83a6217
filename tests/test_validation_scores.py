"""The scoring functions against values worked out by hand and against closed forms."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest
from scipy import stats

from model.validation.scores import (
    brier,
    central_interval,
    coverage,
    covers,
    crps_point,
    crps_sample,
    interval_score,
    pooled_skill,
    skill,
)


def crps_brute(sample: list[float], y: float) -> float:
    """CRPS by its definition E|X - y| - E|X - X'| / 2, with explicit double sums (O(m²))."""
    m = len(sample)
    first = sum(abs(x - y) for x in sample) / m
    second = sum(abs(a - b) for a in sample for b in sample) / (m * m)
    return first - second / 2


def test_crps_of_a_three_point_sample_by_hand() -> None:
    # Sample {1, 2, 3}, y = 2: E|X - y| = (1 + 0 + 1) / 3 = 2/3; the nine pairwise
    # |x_i - x_j| are 0,1,2,1,0,1,2,1,0 = 8, so E|X - X'| = 8/9 and
    # CRPS = 2/3 - 4/9 = 2/9.
    assert crps_sample([1.0, 2.0, 3.0], 2.0) == pytest.approx(2 / 9)
    # y = 0, below the sample: E|X - y| = 2, so CRPS = 2 - 4/9 = 14/9.
    assert crps_sample([3.0, 1.0, 2.0], 0.0) == pytest.approx(14 / 9)
    # y = 5: E|X - y| = (4 + 3 + 2) / 3 = 3, CRPS = 3 - 4/9 = 23/9.
    assert crps_sample([1.0, 2.0, 3.0], 5.0) == pytest.approx(23 / 9)


def test_crps_of_a_point_is_the_absolute_error() -> None:
    # One member: the pairwise term vanishes and CRPS = |x - y|.
    assert crps_sample([4.0], 1.5) == pytest.approx(2.5)
    assert crps_point(4.0, 1.5) == pytest.approx(2.5)
    # A sample of identical values is a point forecast too.
    assert crps_sample([7.0] * 10, 10.0) == pytest.approx(3.0)


def test_crps_matches_the_double_sum_on_random_samples() -> None:
    rng = random.Random(3)
    for _ in range(20):
        sample = [rng.gauss(0, 2) for _ in range(rng.randint(1, 30))]
        y = rng.uniform(-4, 4)
        assert crps_sample(sample, y) == pytest.approx(crps_brute(sample, y), rel=1e-12, abs=1e-12)


def test_crps_of_a_large_normal_sample_approaches_the_closed_form() -> None:
    # Gneiting & Raftery (2007), eq. 21: for N(mu, s²),
    # CRPS = s [ z (2 Phi(z) - 1) + 2 phi(z) - 1/sqrt(pi) ], z = (y - mu) / s.
    mu, s, y = 1.0, 2.0, 2.5
    z = (y - mu) / s
    exact = s * (z * (2 * stats.norm.cdf(z) - 1) + 2 * stats.norm.pdf(z) - 1 / math.sqrt(math.pi))
    sample = stats.norm.ppf((np.arange(20000) + 0.5) / 20000, loc=mu, scale=s)
    assert crps_sample(sample, y) == pytest.approx(exact, rel=2e-3)
    # The score is smallest when the observation sits at the centre.
    assert crps_sample(sample, mu) < crps_sample(sample, y)


def test_crps_ignores_missing_values_and_is_nan_without_any() -> None:
    assert crps_sample([1.0, float("nan"), 3.0, 2.0], 2.0) == pytest.approx(2 / 9)
    assert math.isnan(crps_sample([], 1.0)) and math.isnan(crps_sample([float("nan")], 1.0))


def test_interval_score_by_hand() -> None:
    # Inside: the width alone.
    assert interval_score(5.0, 2.0, 8.0, 0.1) == pytest.approx(6.0)
    # Below: width 6 + (2/0.1) * (2 - 1) = 6 + 20 = 26.
    assert interval_score(1.0, 2.0, 8.0, 0.1) == pytest.approx(26.0)
    # Above at alpha 0.5: width 6 + (2/0.5) * (10 - 8) = 6 + 8 = 14.
    assert interval_score(10.0, 2.0, 8.0, 0.5) == pytest.approx(14.0)
    # A point "interval" pays (2/alpha) |y - b|.
    assert interval_score(3.0, 5.0, 5.0, 0.1) == pytest.approx(40.0)
    with pytest.raises(ValueError):
        interval_score(1.0, 3.0, 2.0, 0.1)
    with pytest.raises(ValueError):
        interval_score(1.0, 2.0, 3.0, 1.5)


def test_central_interval_and_cover() -> None:
    sample = np.arange(101, dtype=float)  # 0..100: quantile q is 100 q
    assert central_interval(sample, 0.9) == pytest.approx((5.0, 95.0))
    assert central_interval(sample, 0.5) == pytest.approx((25.0, 75.0))
    assert covers(95.0, 5.0, 95.0) and not covers(95.5, 5.0, 95.0)
    assert all(math.isnan(v) for v in central_interval([], 0.9))
    with pytest.raises(ValueError):
        central_interval(sample, 1.0)


def test_brier_and_skill() -> None:
    # p = 0.7 for an event that happened: (0.7 - 1)² = 0.09; that did not: 0.49.
    assert brier(0.7, 1) == pytest.approx(0.09)
    assert brier(0.7, 0) == pytest.approx(0.49)
    # Equal odds among three: (1/3 - 1)² = 4/9; a forecaster at 0.7 has skill 1 - 0.09/(4/9).
    assert skill(brier(0.7, 1), brier(1 / 3, 1)) == pytest.approx(1 - 0.09 / (4 / 9))
    assert skill(2.0, 1.0) == pytest.approx(-1.0)
    assert math.isnan(skill(1.0, 0.0)) and math.isnan(skill(float("nan"), 1.0))
    with pytest.raises(ValueError):
        brier(1.2, 1)
    with pytest.raises(ValueError):
        brier(0.5, 2)


def test_coverage_and_pooled_skill() -> None:
    assert coverage([True, False, None, True]) == pytest.approx(2 / 3)
    assert math.isnan(coverage([None, None]))
    # Pooled: 1 - (1 + 3) / (2 + 2) = 0; pairs with a missing value are left out.
    assert pooled_skill([1.0, 3.0, float("nan")], [2.0, 2.0, 5.0]) == pytest.approx(0.0)
    assert pooled_skill([1.0], [4.0]) == pytest.approx(0.75)
