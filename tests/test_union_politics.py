"""Tests for model.mechanisms.union_politics: general-secretary elections and their calendar."""

from __future__ import annotations

import json

import numpy as np
import pytest

from model.mechanisms.union_politics import general_secretary_election, staggered_schedule
from model.scenario.schema import UnionPoliticsSpec


def elect(members_mean: float, seed: int, **kwargs):
    return general_secretary_election(
        0.0, members_mean, 0.3, rng=np.random.default_rng(seed), **kwargs
    )


def test_reproducible_by_seed():
    assert elect(-0.4, 7) == elect(-0.4, 7)
    assert elect(-0.4, 7).to_dict() == elect(-0.4, 7).to_dict()
    assert [elect(-0.4, s).winner for s in range(10)] != [elect(-0.4, 7).winner] * 10


def test_a_left_membership_elects_a_left_leadership_more_often():
    seeds = range(300)
    left = [elect(-0.5, s) for s in seeds]
    right = [elect(0.5, s) for s in seeds]
    moved_left_under_left = np.mean([r.winner < r.previous for r in left])
    moved_left_under_right = np.mean([r.winner < r.previous for r in right])
    assert moved_left_under_left > 0.8
    assert moved_left_under_right < 0.2
    # the winner comes from the membership's side, not just nearer to it
    assert np.mean([r.winner for r in left]) < -0.3
    assert np.mean([r.winner for r in right]) > 0.3
    # a membership that agrees with its leadership mostly keeps continuity
    agreeing = [elect(0.0, s) for s in seeds]
    assert np.mean([r.continuity_won for r in agreeing]) > np.mean([r.continuity_won for r in left])


def test_result_record():
    result = elect(-0.4, 3, candidates=3, voters=501)
    assert len(result.candidates) == 3 and sum(result.votes) == 501
    assert result.winner == result.candidates[result.winner_index]
    assert result.continuity_won == (result.winner_index == 0)
    assert all(-1.0 <= c <= 1.0 for c in result.candidates)
    assert 0 < result.winner_share <= 1
    record = result.to_dict()
    json.dumps(record)
    assert record["moved"] == pytest.approx(result.winner - result.previous, abs=1e-6)
    with pytest.raises(ValueError, match="at least 2"):
        elect(0.0, 1, candidates=1)


def test_incumbent_advantage_keeps_continuity():
    strong = [elect(-0.5, s, incumbent_advantage=2.0) for s in range(50)]
    assert all(r.continuity_won for r in strong)


def test_staggered_schedule_spreads_elections():
    offsets = staggered_schedule(10, 60, np.random.default_rng(2))
    assert len(offsets) == 10 and len(set(offsets)) == 10
    assert all(0 <= o < 60 for o in offsets)
    assert offsets == staggered_schedule(10, 60, np.random.default_rng(2))
    assert offsets != staggered_schedule(10, 60, np.random.default_rng(3))
    gaps = np.diff(sorted(offsets))
    assert gaps.min() >= 5  # evenly spaced: 60 / 10 = 6 months apart, floor rounding
    mixed = staggered_schedule(3, [60, 48, 12], np.random.default_rng(0))
    assert all(0 <= o < c for o, c in zip(mixed, [60, 48, 12], strict=True))
    assert staggered_schedule(0, 60, np.random.default_rng(0)) == []
    with pytest.raises(ValueError, match="one cycle per union"):
        staggered_schedule(2, [60], np.random.default_rng(0))


def test_spec_defaults():
    spec = UnionPoliticsSpec()
    assert spec.candidates == 2 and spec.enabled
    result = general_secretary_election(
        -0.2,
        -0.1,
        0.4,
        candidates=spec.candidates,
        continuity_sd=spec.continuity_sd,
        incumbent_advantage=spec.incumbent_advantage,
        noise_sd=spec.noise_sd,
        voter_noise_sd=spec.voter_noise_sd,
        voters=spec.voters,
        rng=np.random.default_rng(0),
    )
    assert sum(result.votes) == spec.voters
