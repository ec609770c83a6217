"""Array helpers for the hot paths: numpy's own results, bit for bit, for less work.

Each function here returns exactly what the numpy call it names returns (the
same floats, not merely close ones), so a run's series do not change when a
hot path uses it; `tests/test_arrays.py` checks that.
"""

from __future__ import annotations

import numpy as np

# Below this size np.median is already quick.
_MEDIAN_DIRECT = 50_000
# Sample size used to bracket the middle of a large array.
_MEDIAN_SAMPLE = 16384


def median(x: np.ndarray) -> float:
    """`float(np.median(x))` for a 1-D array, selecting from a narrow window around the middle.

    np.median partially sorts the whole array. Here an evenly spaced sample
    of about 16,000 values brackets the middle; a few passes count the
    values below and above the bracket and gather those inside it (about
    one in twenty), and only that window is partially sorted. When the bracket misses the
    middle (or the array holds NaNs) it falls back to np.median, so the
    result is always np.median's.

    Args:
        x: values (1-D; not modified).

    Returns:
        The median, as np.median computes it (the mean of the two middle
        values for an even count).
    """
    n = x.size
    if n < _MEDIAN_DIRECT:
        return float(np.median(x))
    lo_k, hi_k = (n - 1) // 2, n // 2
    sample = x[:: max(n // _MEDIAN_SAMPLE, 1)]
    m = sample.size
    centre = m * lo_k / n
    half = 3.0 * np.sqrt(m) + 2.0  # six standard errors of the sample's middle rank
    ranks = [max(int(centre - half), 0), min(int(centre + half) + 1, m - 1)]
    lo, hi = np.partition(sample, ranks)[ranks]
    below = int(np.count_nonzero(x < lo))
    above = int(np.count_nonzero(x > hi))
    window = x[(x >= lo) & (x <= hi)]
    # Every value is below, inside or above (no NaN), and both middle ranks are inside.
    if below + window.size + above != n or not (below <= lo_k and hi_k < below + window.size):
        return float(np.median(x))
    kth = [lo_k - below] if lo_k == hi_k else [lo_k - below, hi_k - below]
    part = np.partition(window, kth)
    # np.median takes the mean of the middle one or two values of its partition.
    return float(np.mean(part[lo_k - below : hi_k - below + 1]))


def segment_medians(x: np.ndarray, bounds: np.ndarray, empty: float) -> np.ndarray:
    """`np.median` of each segment `x[bounds[i]:bounds[i + 1]]`, `empty` for an empty one.

    The same floats as `float(np.median(segment))` per segment, with less
    overhead per call: each segment is partitioned with np.median's own
    partition indexes (the middle one or two, and the last, which np.median
    adds to find NaNs) and the middle value(s) averaged with `np.mean`, as
    np.median does. An array with NaNs, or not of floats, takes np.median
    itself.

    Args:
        x: values, grouped into segments (1-D; not modified).
        bounds: segment i is `x[bounds[i]:bounds[i + 1]]` (length segments + 1).
        empty: the value for an empty segment.

    Returns:
        One median per segment (float64).
    """
    starts = np.asarray(bounds[:-1]).tolist()
    stops = np.asarray(bounds[1:]).tolist()
    out = np.full(len(starts), empty, dtype=np.float64)
    quick = x.dtype.kind == "f" and not np.isnan(x).any()
    for i, (start, stop) in enumerate(zip(starts, stops, strict=True)):
        size = stop - start
        if size <= 0:
            continue
        segment = x[start:stop]
        if not quick:
            out[i] = float(np.median(segment))
            continue
        half = size // 2
        if size % 2:
            part = np.partition(segment, [half, -1])
            out[i] = np.mean(part[half : half + 1], axis=0)
        else:
            part = np.partition(segment, [half - 1, half, -1])
            out[i] = np.mean(part[half - 1 : half + 1], axis=0)
    return out


# How far a uniform draw must be from a decision threshold for the quick
# Bernoulli draw to be sure of the outcome numpy's binomial gives (the
# thresholds numpy computes differ from the ones here by a few 1e-16 at most).
_BINOMIAL_MARGIN = 1e-9


def binomial_one(p: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """`rng.binomial(1, p)` for an array of chances: the same outcomes from the same draws.

    numpy draws each Bernoulli(p) by inversion: nothing for p = 0, else one
    uniform U per element (p > 0.5 is drawn as 1 minus a Bernoulli(1 - p)),
    giving 0 when U <= exp(log(1 - p)), else 1 -- and a fresh U in the
    (about 1e-16 likely) case that U also exceeds the chance of a 1. Here
    the uniforms come from one `rng.random` call (the same stream), and
    each U is compared with 1 - p directly. Wherever a U falls within 1e-9
    of a threshold, where the two computations could disagree in the last
    bit, the generator is rewound and numpy's own binomial draws instead;
    so the result is always numpy's, and the generator ends where numpy
    leaves it.

    Args:
        p: chances in [0, 1].
        rng: random generator.

    Returns:
        0/1 outcomes (int64), as `rng.binomial(1, p)` returns them.
    """
    p = np.asarray(p, dtype=np.float64)
    if p.size == 0 or not (p.min() >= 0.0 and p.max() <= 1.0):
        return rng.binomial(1, p)  # numpy's checks and messages
    start = rng.bit_generator.state
    live = None if p.min() > 0.0 else np.flatnonzero(p)  # numpy draws nothing where p == 0
    chance = p if live is None else p[live]
    u = rng.random(chance.size)
    # numpy inverts with min(p, 1 - p): a draw of 0 is U <= 1 - p, or for
    # p > 0.5 a draw of 1 is U <= 1 - (1 - p). Few chances are above 0.5.
    threshold = 1.0 - chance
    flip = np.flatnonzero(chance > 0.5)
    threshold[flip] = 1.0 - threshold[flip]
    gap = u - threshold
    np.abs(gap, out=gap)
    if gap.size and (gap.min() <= _BINOMIAL_MARGIN or u.max() >= 1.0 - _BINOMIAL_MARGIN):
        rng.bit_generator.state = start
        return rng.binomial(1, p)
    drawn = np.greater(u, threshold).astype(np.int64)
    drawn[flip] ^= 1
    if live is None:
        return drawn
    out = np.zeros(p.size, dtype=np.int64)
    out[live] = drawn
    return out
