"""The NEC (model.mechanisms.nec): seats, votes, CLP-section elections, shortlists."""

from __future__ import annotations

import numpy as np
import pytest

from model.mechanisms.nec import (
    NEC_PROCEDURAL_FIELDS,
    Slate,
    allocate_union_seats,
    composition,
    distinct_orders,
    elect_clp_section,
    endorses,
    nec_vote,
    shortlist,
    slate_orders,
)
from model.rules.schema import get_preset

UNIONS = [
    ("Unite", 500_000, -0.6, True),
    ("UNISON", 500_000, -0.2, True),
    ("GMB", 50_000, -0.3, True),
    ("USDAW", 320_000, 0.1, True),
    ("Fabians", 5_000, -0.1, False),
    ("FBU", 0, -0.6, True),  # disaffiliated: no seat
]


def test_union_seats_by_dhondt():
    # 13 seats over 500k, 500k, 320k, 50k: quotients give 5, 5, 3, 0.
    assert allocate_union_seats([500_000, 500_000, 50_000, 320_000], 13) == [5, 5, 0, 3]
    assert allocate_union_seats([0, 0], 3) == [0, 0]
    assert allocate_union_seats([10, 0], 2) == [2, 0]


def test_composition_fills_every_seat():
    rules = get_preset("labour_2021").nec
    seats = composition(
        rules,
        leader=("Leader", -0.2),
        deputy=("Deputy", -0.35),
        plp_median=0.0,
        mep_median=0.05,
        members_median=-0.4,
        unions=UNIONS,
        clp_section=[("Left 1", -0.65), ("Right 1", 0.2)],
    )
    assert len(seats) == rules.size == 39
    by_section = {}
    for seat in seats:
        by_section.setdefault(seat.section, []).append(seat)
    assert [s.holder for s in by_section["unions"]].count("FBU") == 0
    assert {s.holder for s in by_section["unions"]} == {
        "Unite",
        "UNISON",
        "USDAW",
    }  # GMB's 50k: none
    assert by_section["socialist_societies"][0].position == -0.1
    clp = by_section["clp"]
    assert len(clp) == 9 and clp[0].holder == "Left 1" and clp[-1].holder == "vacant"
    assert by_section["frontbench"][0].position == -0.2  # the leader's nominees
    assert by_section["deputy_leader"][0].holder == "Deputy"
    assert "eplp" not in by_section  # no MEPs after 2020


def test_nec_vote_counts_seats_union_stances_and_the_leaders_own():
    seats = composition(
        get_preset("labour_2014").nec,
        leader=("Leader", -0.3),
        deputy=None,
        plp_median=0.0,
        mep_median=0.0,
        members_median=-0.3,
        unions=UNIONS,
        clp_section=[],
    )
    utility = [-0.1] * len(seats)
    against = nec_vote(seats, utility, abstain_band=0.01)
    assert against.votes_against == len(seats) and not against.passes
    # Union seats vote their union's stance; the leader's own seats back the leader.
    unite = {0: "for", 1: "for", 3: "for"}
    result = nec_vote(seats, utility, abstain_band=0.01, union_votes=unite, leaders_proposal=True)
    assert result.by_section["unions"]["for"] == 12
    assert result.by_section["leader"]["for"] == 1 and result.by_section["frontbench"]["for"] == 3
    assert result.votes_for == 16 and result.passes is False  # 16 for, 17 against
    abstaining = nec_vote(seats, [0.0] * len(seats), abstain_band=0.01)
    assert abstaining.abstained == len(seats) and not abstaining.passes
    assert set(result.to_dict()) == {"for", "against", "abstained", "passes", "by_section"}


SLATES = [
    Slate("Left", -0.65, 0, tuple(f"L{i}" for i in range(9))),
    Slate("Right", 0.2, 1, tuple(f"R{i}" for i in range(9))),
    Slate("Soft left", -0.3, -1, ("S0",)),
]


def _orders(left: int, right: int, soft: int) -> np.ndarray:
    return np.array([[0, 2, 1]] * left + [[1, 2, 0]] * right + [[2, 0, 1]] * soft)


def test_block_vote_lets_a_plurality_sweep():
    result = elect_clp_section(_orders(45, 40, 15), SLATES, 9, "block_vote", seed=1)
    assert result.seats_by_slate == {"Left": 9, "Right": 0, "Soft left": 0}
    assert result.slate_first == {"Left": 45, "Right": 40, "Soft left": 15}
    # The soft left's voters give S0 one vote and eight to the left's list.
    assert result.candidate_votes["S0"] == 15 and result.candidate_votes["L0"] == 60


def test_stv_shares_the_seats():
    result = elect_clp_section(_orders(50, 35, 15), SLATES, 9, "stv", seed=1)
    assert result.seats_by_slate == {"Left": 5, "Right": 3, "Soft left": 1}
    assert result.count is not None and result.count["quota"] == 11
    assert len(result.elected) == 9


def test_slate_orders_follow_closeness_and_discipline():
    rng = np.random.default_rng(0)
    x = np.array([-0.7, 0.25, -0.3, 0.25])
    faction = np.array([-1, -1, -1, 0])  # the last is a left faction member on the right
    orders = slate_orders(x, faction, SLATES, discipline=[1.0, 1.0], noise_sd=0.0, rng=rng)
    assert orders[:, 0].tolist() == [0, 1, 2, 0]


def test_shortlists_and_endorsement():
    nec = [-0.2, -0.1, 0.0, 0.1, 0.3]
    picks = shortlist(nec, [-0.9, -0.1, 0.2, 0.05], [0.5, 0.1, 0.9, 0.2], 2, radius=0.5)
    assert picks == [3, 1]  # nearest first; the far left hopeful is kept off
    electable = shortlist(
        nec, [-0.9, -0.1, 0.2, 0.05], [0.5, 0.1, 0.9, 0.2], 2, radius=0.5, electability=1.0
    )
    assert electable[0] == 2
    assert endorses(nec, -0.3, radius=0.5) and not endorses(nec, -0.8, radius=0.5)
    assert shortlist(nec, [], [], 3, radius=1.0) == []


def test_the_nec_decides_only_procedures():
    assert "leadership.incumbent_automatic" in NEC_PROCEDURAL_FIELDS
    assert "leadership.electorate" not in NEC_PROCEDURAL_FIELDS
    with pytest.raises(ValueError):
        elect_clp_section(_orders(1, 1, 1), SLATES, 2, "lottery", seed=1)


def test_distinct_orders_is_np_unique_of_the_rows():
    # The count by base-k codes gives np.unique(axis=0)'s arrays, dtypes included.
    rng = np.random.default_rng(5)
    for k in (1, 2, 3, 4, 5):
        for n in (1, 7, 1_000, 50_000):
            lean = (rng.random((n, 1)) < 0.5) * np.arange(k)  # some orders far commoner
            orders = np.argsort(-rng.random((n, k)) - lean, axis=1, kind="stable")
            groups, counts = distinct_orders(orders)
            want_groups, want_counts = np.unique(orders, axis=0, return_counts=True)
            assert groups.dtype == want_groups.dtype and counts.dtype == want_counts.dtype
            assert np.array_equal(groups, want_groups) and np.array_equal(counts, want_counts)
