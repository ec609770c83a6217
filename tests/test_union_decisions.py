"""Affiliates' decision rules (model.mechanisms.union_decisions): nominations and stances."""

from __future__ import annotations

import numpy as np
import pytest

from model.mechanisms.union_decisions import (
    UnionRules,
    body_position,
    first_preference_shares,
    leadership_favourite,
    loyalty,
    needs_consultation,
    nominate,
    stance,
    vote_of,
)

RULES = UnionRules()
POSITIONS = [-0.8, -0.15, 0.05]  # a left, a soft-left and a centrist candidate
VALENCE = [0.3, 0.6, 0.6]


# --- nominations -------------------------------------------------------------------


def test_leadership_backs_its_nearest_candidate_weighing_electability():
    assert leadership_favourite(-0.6, POSITIONS, VALENCE, electability=0.0, radius=0.8) == 0
    # Electable enough, the soft-left candidate overtakes the nearer one.
    assert leadership_favourite(-0.45, POSITIONS, VALENCE, electability=1.0, radius=0.8) == 1
    # Nobody within reach: the leadership backs no one.
    assert leadership_favourite(0.9, POSITIONS, VALENCE, electability=0.0, radius=0.5) == -1
    assert leadership_favourite(0.0, [], [], electability=0.0, radius=1.0) == -1


def test_an_executive_follows_its_leadership_a_ballot_its_members():
    shares = [0.6, 0.3, 0.1]
    by_executive = nominate(1, shares, leadership_weight=1.0, consensus=0.4)
    assert by_executive.nominee == 1 and by_executive.reason == "nominated"
    by_ballot = nominate(1, shares, leadership_weight=0.0, consensus=0.4)
    assert by_ballot.nominee == 0  # GMB 2016: the ballot, not the leadership, decided
    # A committee half the leadership's: 0.5 + 0.15 for 1 against 0.3 for 0.
    committee = nominate(1, shares, leadership_weight=0.5, consensus=0.4)
    assert committee.nominee == 1
    assert committee.support == pytest.approx((0.3, 0.65, 0.05))


def test_no_clear_consensus_means_no_nomination():
    # GMB 2015: consultation found "no clear consensus".
    split = nominate(-1, [0.35, 0.33, 0.32], leadership_weight=0.25, consensus=0.4)
    assert split.nominee == -1 and split.reason == "no clear consensus"
    never = nominate(0, [1.0, 0.0, 0.0], leadership_weight=1.0, consensus=0.4, nominates=False)
    assert never.nominee == -1 and never.reason == "does not nominate"
    record = split.to_dict(["A", "B", "C"])
    assert record["nominee"] is None and record["consulted_shares"]["A"] == 0.35
    with pytest.raises(ValueError):
        nominate(0, [1.0], leadership_weight=1.5, consensus=0.4)


def test_first_preference_shares():
    utility = np.array([[1.0, 0.0], [0.0, 1.0], [2.0, 1.0], [0.5, 0.4]])
    assert first_preference_shares(utility).tolist() == [0.75, 0.25]
    assert first_preference_shares(np.zeros((0, 3))).tolist() == [0.0, 0.0, 0.0]


# --- stances on rule changes ---------------------------------------------------------


def test_a_union_can_abstain():
    parts = dict(loyalty_bonus=0.0, position=0.0, rules=RULES)
    assert stance(ideological=0.05, say_change=0.0, **parts).kind == "for"
    assert stance(ideological=-0.05, say_change=0.0, **parts).kind == "against"
    indifferent = stance(ideological=0.001, say_change=0.0, **parts)
    assert indifferent.kind == "abstain"
    assert vote_of("abstain") == "abstain"


def test_own_say_and_loyalty_weigh_in():
    # A small ideological loss outweighed by more say for the affiliates ...
    gain = stance(ideological=-0.01, say_change=0.2, loyalty_bonus=0.0, position=0.0, rules=RULES)
    assert gain.kind == "for" and gain.institutional == pytest.approx(
        0.2 * RULES.institutional_weight
    )
    # ... and a loss of say accepted for a leader the union trusts.
    loyal = stance(ideological=0.0, say_change=-0.1, loyalty_bonus=0.05, position=0.0, rules=RULES)
    assert loyal.kind == "for"
    assert (
        stance(ideological=0.0, say_change=-0.1, loyalty_bonus=0.0, position=0.0, rules=RULES).kind
        == "against"
    )


def test_a_change_to_its_own_rights_needs_time_to_consult():
    # 2021: the college of thirds was put to the unions days before conference.
    short = stance(
        ideological=0.1,
        say_change=0.1,
        loyalty_bonus=0.05,
        position=-0.2,
        rules=RULES,
        consultation_required=True,
        notice_months=0,
        procedure="committee",
    )
    assert short.kind == "needs time" and vote_of(short.kind) == "against"
    enough = stance(
        ideological=0.1,
        say_change=0.1,
        loyalty_bonus=0.05,
        position=-0.2,
        rules=RULES,
        consultation_required=True,
        notice_months=RULES.consultation_months["committee"],
        procedure="committee",
    )
    assert enough.kind == "for"
    assert needs_consultation(0.08, 0.05) and not needs_consultation(0.02, 0.05)
    assert needs_consultation(-0.15, 0.05)  # losing say needs a mandate too (Collins)


def test_a_rival_that_would_pass_is_the_reference():
    # Better than nothing, worse than the rival that would pass if this fell.
    kwargs = dict(ideological=0.05, say_change=0.0, loyalty_bonus=0.0, position=0.0, rules=RULES)
    assert stance(**kwargs).kind == "for"
    assert stance(**kwargs, reference=0.2).kind == "against"
    # Worse than the rules as they are, better than the rival: for (2018, Usdaw).
    assert stance(
        ideological=-0.1, say_change=0.0, loyalty_bonus=0.0, position=0.0, rules=RULES,
        reference=-0.3,
    ).kind == "for"  # fmt: skip


def test_who_decides_sets_the_position():
    assert body_position("executive", -0.6, -0.2, 0.0) == -0.6
    assert body_position("committee", -0.6, -0.2, 0.0) == pytest.approx(-0.4)
    assert body_position("conference", -0.6, -0.2, 0.0) == -0.2
    assert body_position("consultation", -0.6, -0.2, 0.0) == pytest.approx(-0.3)
    assert body_position("ballot", -0.6, -0.2, 0.0) == 0.0
    with pytest.raises(ValueError, match="unknown procedure"):
        body_position("show of hands", 0, 0, 0)


def test_trust_near_the_leader_distrust_far_from_it():
    at = loyalty(-0.2, -0.2, weight=0.1, radius=0.5)
    assert at == pytest.approx(0.1)
    assert loyalty(-0.45, -0.2, weight=0.1, radius=0.5) == pytest.approx(0.05)
    assert loyalty(-0.7, -0.2, weight=0.1, radius=0.5) == pytest.approx(0.0)
    assert loyalty(-1.0, -0.2, weight=0.1, radius=0.5) == pytest.approx(-0.06)
    assert loyalty(1.0, -0.2, weight=0.1, radius=0.5) == pytest.approx(-0.1)  # capped
    assert loyalty(0.3, None, weight=0.1, radius=0.5) == 0.0
    many = loyalty(np.array([-0.2, 1.0]), -0.2, weight=0.1, radius=0.5)
    assert many.tolist() == pytest.approx([0.1, -0.1])
