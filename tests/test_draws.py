"""model/mechanisms/draws.py gives the distributions of the draws it replaces.

These draws are not numpy's numbers (unlike `arrays`), so each is held to
the distribution it stands for: by binomial tolerances (4 sd) and
two-sample tests against the plain draw on large samples.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from model.mechanisms import draws, dynamics
from tests.conftest import within


def test_bernoulli_sample_edges():
    rng = np.random.default_rng(1)
    assert draws.bernoulli_sample(0, 0.5, rng).size == 0
    assert draws.bernoulli_sample(10, 0.0, rng).size == 0
    assert sorted(draws.bernoulli_sample(10, 1.0, rng).tolist()) == list(range(10))
    assert draws.bernoulli_sample(10, 0.5, rng).dtype == np.intp


def test_bernoulli_sample_counts_are_binomial_and_positions_independent():
    rng = np.random.default_rng(2)
    n, p, runs = 1_000, 0.1, 4_000
    counts = np.zeros(runs, dtype=np.int64)
    hits = np.zeros(n, dtype=np.int64)
    both = 0  # positions 0 and 1 together: p^2 if independent
    for r in range(runs):
        pos = draws.bernoulli_sample(n, p, rng)
        assert np.unique(pos).size == pos.size and pos.min(initial=0) >= 0
        assert pos.max(initial=0) < n
        counts[r] = pos.size
        hits[pos] += 1
        both += bool(np.isin([0, 1], pos).all())
    # The count: the distribution of a sum of n Bernoulli(p).
    plain = rng.binomial(n, p, runs)
    assert stats.ks_2samp(counts, plain).pvalue > 0.001
    # Every position equally likely, and two positions independently.
    assert all(within(h, runs, p, sigmas=5) for h in hits)
    assert within(both, runs, p * p)


def test_bernoulli_sample_comes_in_random_order():
    # Where the smallest position lands in a sample of ten: each of the ten
    # places equally likely, as after a shuffle (a sorted sample puts it first).
    rng = np.random.default_rng(3)
    places = []
    while len(places) < 5_000:
        pos = draws.bernoulli_sample(40, 0.25, rng)
        if pos.size == 10:
            places.append(int(np.argmin(pos)))
    observed = np.bincount(places, minlength=10)
    assert stats.chisquare(observed).pvalue > 0.001


def test_sampled_meeters_are_paired_as_shuffled_ones_are():
    # Members of one group drawn by `bernoulli_sample` and paired without a
    # further shuffle: every pairing of four equally likely.
    rng = np.random.default_rng(4)
    seen: dict[frozenset, int] = {}
    for _ in range(6_000):
        members = draws.bernoulli_sample(4, 1.0, rng)
        a, b = dynamics.pair_within(members, np.zeros(4, dtype=int), rng, shuffled=True)
        key = frozenset(frozenset(p) for p in zip(a.tolist(), b.tolist(), strict=True))
        seen[key] = seen.get(key, 0) + 1
    assert len(seen) == 3
    assert all(within(c, 6_000, 1 / 3) for c in seen.values())
