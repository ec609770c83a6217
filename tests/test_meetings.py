"""Meetings: the few who attend decide."""

from __future__ import annotations

import numpy as np

from model.mechanisms import meetings


def test_faction_with_majority_of_attendees_wins_while_a_minority_of_members():
    rng = np.random.default_rng(0)
    n = 1000
    # 200 faction members who always attend; 800 unaligned who rarely do.
    faction = np.where(np.arange(n) < 200, 0, -1).astype(np.int16)
    activism = np.where(faction == 0, 1.0, 0.05).astype(np.float32)
    ideology = np.where(faction == 0, -0.7, 0.3)
    clp = np.zeros(n, dtype=np.int32)
    result = meetings.hold_meetings(
        np.array([0]),
        clp,
        np.arange(n),
        ideology=ideology,
        activism=activism,
        faction=faction,
        clp=clp,
        targeted=np.zeros((1, 1), bool),
        mobilisation=np.array([1.0]),
        faction_lines=np.array([-0.7]),
        discipline=np.array([1.0]),
        affinity=0.1,
        incumbent=np.array([-1]),
        rng=rng,
    )
    assert (faction == 0).mean() == 0.2
    assert result.votes[0, 0] == 200
    assert result.votes[0, 0] > result.votes[0, 1]
    assert result.winner.tolist() == [0]
    assert result.eligible.tolist() == [n]


def test_mobilisation_raises_attendance_only_where_targeted():
    n = 200_000
    activism = np.full(n, 0.1, dtype=np.float32)
    faction = np.zeros(n, dtype=np.int16)
    clp = np.where(np.arange(n) < n // 2, 0, 1)
    targeted = np.array([[True, False]])
    p = meetings.attendance_chance(activism, faction, clp, targeted, np.array([3.0]))
    assert np.allclose(p[clp == 0], 0.3) and np.allclose(p[clp == 1], 0.1)


def test_incumbent_keeps_control_on_a_tie():
    n = 4
    clp = np.zeros(n, dtype=np.int32)
    faction = np.array([0, 0, 1, 1], dtype=np.int16)
    result = meetings.hold_meetings(
        np.array([0]),
        clp,
        np.arange(n),
        ideology=np.array([-0.7, -0.7, 0.3, 0.3]),
        activism=np.ones(n, dtype=np.float32),
        faction=faction,
        clp=clp,
        targeted=np.zeros((2, 1), bool),
        mobilisation=np.ones(2),
        faction_lines=np.array([-0.7, 0.3]),
        discipline=np.ones(2),
        affinity=0.1,
        incumbent=np.array([1]),
        rng=np.random.default_rng(0),
    )
    assert result.votes.tolist() == [[2, 2, 0]]
    assert result.winner.tolist() == [1]


def test_slate_choice_discipline_and_affinity():
    rng = np.random.default_rng(0)
    ideology = np.array([0.3, -0.65, 0.9])
    faction = np.array([0, -1, -1], dtype=np.int16)
    slate = meetings.slate_choice(
        ideology,
        faction,
        faction_lines=np.array([-0.7, 0.2]),
        discipline=np.array([1.0, 1.0]),
        affinity=0.15,
        rng=rng,
    )
    # a disciplined member votes its slate even when far from the line; an
    # unaligned member near a line votes that slate; one far from both
    # votes the unaligned slate.
    assert slate.tolist() == [0, 0, 2]
