"""Proper scores of probabilistic forecasts, and skill against a naive baseline.

Every function here is a plain formula on numbers (the tests check them
against values worked out by hand and against closed forms):

* **central interval** at level 1 - α: the α/2 and 1 - α/2 quantiles of the
  predictive sample;
* **interval score** (Gneiting & Raftery 2007, eq. 43) of a central
  (1 - α) interval [l, u] for an observation y::

      IS_α(l, u; y) = (u - l) + (2/α)(l - y)·1{y < l} + (2/α)(y - u)·1{y > u}

  (width plus a penalty for missing; lower is better);
* **CRPS** of a predictive sample x_1..x_m (Gneiting & Raftery 2007, eq. 20,
  with the sample's empirical distribution)::

      CRPS = (1/m) Σ_i |x_i - y|  -  (1/(2m²)) Σ_i Σ_j |x_i - x_j|

  which for a point forecast b (m = 1) is |b - y|, the absolute error;
* **Brier score** of a probability p for an event that did (o = 1) or did not
  (o = 0) happen: (p - o)²;
* **skill score** of a score S against a reference score S_ref::

      skill = 1 - S / S_ref

  (1: perfect; 0: no better than the reference; negative: worse), undefined
  when the reference scores 0.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np

LEVELS: tuple[float, ...] = (0.5, 0.8, 0.9)
"""The central interval levels every table reports."""


def _finite(sample: Iterable[float]) -> np.ndarray:
    values = np.asarray(list(sample) if not isinstance(sample, np.ndarray) else sample, dtype=float)
    return values[np.isfinite(values)]


def central_interval(sample: Iterable[float], level: float) -> tuple[float, float]:
    """The central `level` interval of a sample: its (1-level)/2 and (1+level)/2 quantiles.

    Quantiles are numpy's default (linear interpolation between order
    statistics). An empty sample gives (NaN, NaN).
    """
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be in (0, 1), got {level}")
    values = _finite(sample)
    if values.size == 0:
        return math.nan, math.nan
    low, high = np.quantile(values, [(1.0 - level) / 2.0, (1.0 + level) / 2.0])
    return float(low), float(high)


def covers(y: float, low: float, high: float, *, tolerance: float = 1e-9) -> bool:
    """Whether y lies in [low, high] (closed; a tiny tolerance for float round-off)."""
    return bool(low - tolerance <= y <= high + tolerance)


def interval_score(y: float, low: float, high: float, alpha: float) -> float:
    """The interval score of a central (1 - alpha) interval (see the module docstring)."""
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha must be in (0, 1), got {alpha}")
    if high < low:
        raise ValueError(f"interval upper bound {high} is below its lower bound {low}")
    score = high - low
    if y < low:
        score += (2.0 / alpha) * (low - y)
    elif y > high:
        score += (2.0 / alpha) * (y - high)
    return float(score)


def crps_sample(sample: Iterable[float], y: float) -> float:
    """The CRPS of a predictive sample for observation y (NaN for an empty sample).

    Uses the sorted-sample identity Σ_i Σ_j |x_i - x_j| = 2 Σ_k (2k - m - 1) x_(k)
    (k = 1..m over the sorted sample), so it costs O(m log m).
    """
    x = np.sort(_finite(sample))
    m = x.size
    if m == 0:
        return math.nan
    first = float(np.mean(np.abs(x - y)))
    k = np.arange(1, m + 1)
    pairs = 2.0 * float(np.sum((2 * k - m - 1) * x))
    return first - pairs / (2.0 * m * m)


def crps_point(forecast: float, y: float) -> float:
    """The CRPS of a point forecast: the absolute error."""
    return abs(float(forecast) - float(y))


def brier(probability: float, outcome: float) -> float:
    """The Brier score (p - o)² of a probability for an outcome o in {0, 1}."""
    if not 0.0 <= probability <= 1.0:
        raise ValueError(f"probability must be in [0, 1], got {probability}")
    if outcome not in (0, 1, 0.0, 1.0):
        raise ValueError(f"outcome must be 0 or 1, got {outcome}")
    return float((probability - outcome) ** 2)


def skill(score: float, reference: float) -> float:
    """1 - score / reference; NaN when either is missing or the reference is 0."""
    if not (math.isfinite(score) and math.isfinite(reference)) or reference == 0:
        return math.nan
    return 1.0 - score / reference


def coverage(flags: Sequence[bool | None]) -> float:
    """The share of True among the flags that are not None (NaN if none)."""
    known = [bool(f) for f in flags if f is not None]
    return float(np.mean(known)) if known else math.nan


def pooled_skill(scores: Sequence[float], references: Sequence[float]) -> float:
    """Skill of summed scores: 1 - Σ score / Σ reference, over pairs where both are finite."""
    pairs = [
        (s, r)
        for s, r in zip(scores, references, strict=True)
        if math.isfinite(s) and math.isfinite(r)
    ]
    if not pairs:
        return math.nan
    return skill(sum(s for s, _ in pairs), sum(r for _, r in pairs))
