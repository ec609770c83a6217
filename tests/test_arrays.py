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
