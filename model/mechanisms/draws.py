"""Random draws for the hot paths: numpy's distributions, drawn with less work.

Both pick the few positions a rare event touches out of many, with about
n*p draws instead of n: `bernoulli_positions` in ascending order (geometric
gaps), `bernoulli_sample` in random order (a binomial count and one sample).
Unlike `arrays` (numpy's own results, bit for bit), these give the *same
distribution* as the numpy call they replace, not the same numbers: a run's
results change seed by seed, not in distribution (`tests/test_draws.py`
checks the distributions; `benchmarks/equivalence.py` compares whole runs).
"""

from __future__ import annotations

import numpy as np


def bernoulli_sample(n: int, p: float, rng: np.random.Generator) -> np.ndarray:
    """Positions in 0..n-1, each included independently with probability p, in random order.

    The number included is binomial(n, p) and, given it, which ones is a
    uniformly random sample without replacement, returned in uniformly
    random order (numpy's `choice`, which shuffles): exactly the
    distribution of one Bernoulli(p) per position followed by a shuffle,
    with about n*p draws instead of n + n*p.

    Args:
        n: number of positions.
        p: inclusion probability.
        rng: random generator.

    Returns:
        The included positions (distinct, intp), in random order.
    """
    if n <= 0 or p <= 0:
        return np.zeros(0, dtype=np.intp)
    k = n if p >= 1 else int(rng.binomial(n, p))
    return rng.choice(n, size=k, replace=False).astype(np.intp, copy=False)


def bernoulli_positions(n: int, p: float, rng: np.random.Generator) -> np.ndarray:
    """Positions in 0..n-1, each included independently with probability p.

    Drawn as the running sum of geometric gaps, so the cost is about n*p
    draws rather than n: the way to pick the few members a rare event (a
    lapse, a recruitment) can touch.

    Args:
        n: number of positions.
        p: inclusion probability.
        rng: random generator.

    Returns:
        The included positions, ascending.
    """
    if n <= 0 or p <= 0:
        return np.zeros(0, dtype=np.intp)
    if p >= 1:
        return np.arange(n)
    parts = []
    last = -1
    while last < n - 1:
        expected = (n - 1 - last) * p
        gaps = rng.geometric(p, int(expected + 6 * np.sqrt(expected) + 16))
        positions = np.cumsum(gaps) + last
        parts.append(positions)
        last = int(positions[-1])
    positions = parts[0] if len(parts) == 1 else np.concatenate(parts)
    return positions[: np.searchsorted(positions, n)]
