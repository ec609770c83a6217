"""Random draws for the hot paths: numpy's distributions, drawn with less work.

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
