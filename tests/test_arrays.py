"""Hot-path helpers give numpy's own results bit for bit (model.mechanisms.arrays)."""

from __future__ import annotations

import numpy as np
import pytest

from model.mechanisms import arrays


@pytest.mark.parametrize("seed", range(12))
def test_median_is_numpys_median(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(50_000, 400_000)) + seed % 2  # odd and even counts
    x = [
        rng.normal(-0.3, 0.4, n),
        np.clip(rng.normal(-0.8, 0.5, n), -1, 1),  # many ties at the bound
        np.sort(rng.random(n)),  # sorted: the sample is not random
        rng.integers(0, 3, n).astype(float),  # few distinct values
    ][seed % 4]
    got = arrays.median(x)
    assert got == float(np.median(x)) and np.signbit(got) == np.signbit(np.median(x))


def test_median_small_and_nan_fall_back_to_numpy():
    assert arrays.median(np.array([3.0, 1.0, 2.0, 10.0])) == 2.5
    x = np.random.default_rng(1).normal(size=100_000)
    x[7] = np.nan
    assert np.isnan(arrays.median(x))


def numpy_segment_medians(x, bounds, empty):
    """The loop segment_medians replaces (Conference.clp_delegates before)."""
    return np.array(
        [
            float(np.median(x[bounds[c] : bounds[c + 1]])) if bounds[c + 1] > bounds[c] else empty
            for c in range(len(bounds) - 1)
        ]
    )


@pytest.mark.parametrize("seed", range(8))
def test_segment_medians_are_numpys_medians_bit_for_bit(seed):
    rng = np.random.default_rng(seed)
    sizes = rng.integers(0, 40, 300)  # empty, one-member, odd and even segments
    sizes[:4] = [0, 1, 2, 3]
    bounds = np.concatenate([[0], np.cumsum(sizes)])
    n = int(bounds[-1])
    x = [
        rng.normal(-0.3, 0.4, n),
        np.clip(rng.normal(-0.8, 0.5, n), -1, 1),  # ties at the bound
        rng.integers(-1, 2, n) * 0.0,  # only zeros of both signs: which one np.median keeps
        rng.choice([-0.5, -0.0, 0.0, 0.25], n),  # ties and signed zeros
    ][seed % 4]
    got = arrays.segment_medians(x, bounds, empty=0.125)
    want = numpy_segment_medians(x, bounds, 0.125)
    assert got.dtype == want.dtype and got.tobytes() == want.tobytes()


def test_segment_medians_with_nan_or_integers_take_numpys_path():
    bounds = np.array([0, 3, 3, 7])
    x = np.array([0.1, np.nan, 0.3, 0.5, 0.2, 0.4, 0.9])
    with np.errstate(invalid="ignore"):
        got = arrays.segment_medians(x, bounds, empty=-1.0)
    assert np.isnan(got[0]) and got[1] == -1.0 and got[2] == 0.45
    ints = np.array([5, 1, 3, 2, 8, 4, 6])
    assert arrays.segment_medians(ints, bounds, empty=0.0).tolist() == [3.0, 0.0, 5.0]


@pytest.mark.parametrize("seed", range(16))
def test_binomial_one_draws_what_numpy_draws(seed):
    g = np.random.default_rng(seed)
    n = int(g.integers(1, 5000))
    p = [
        g.random(n) * 0.3,
        g.random(n),
        np.where(g.random(n) < 0.3, 0.0, np.where(g.random(n) < 0.2, 1.0, g.random(n))),
        np.full(n, 0.5),
    ][seed % 4]
    ours, numpys = np.random.default_rng(seed), np.random.default_rng(seed)
    got = arrays.binomial_one(p, ours)
    want = numpys.binomial(np.ones(n, dtype=np.int64), p)
    assert np.array_equal(got, want) and got.dtype == want.dtype
    assert ours.random() == numpys.random()  # the stream is left where numpy leaves it


def test_binomial_one_falls_back_near_a_threshold(monkeypatch):
    # A wide margin makes nearly every draw "unsure": numpy's own binomial draws.
    monkeypatch.setattr(arrays, "_BINOMIAL_MARGIN", 0.05)
    p = np.random.default_rng(3).random(2000)
    ours, numpys = np.random.default_rng(4), np.random.default_rng(4)
    assert np.array_equal(arrays.binomial_one(p, ours), numpys.binomial(1, p))
    assert ours.random() == numpys.random()


def test_binomial_one_rejects_what_numpy_rejects():
    with pytest.raises(ValueError):
        arrays.binomial_one(np.array([0.5, 1.5]), np.random.default_rng(0))
