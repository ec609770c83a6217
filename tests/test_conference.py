"""Tests for model.mechanisms.proposals and .conference: proposals, the support rule, card votes, adopting changes."""

from __future__ import annotations

import json
from fractions import Fraction

import numpy as np
import pytest
from pydantic import ValidationError

from model.mechanisms.conference import ClpDelegates, UnionBloc, adopt_passed, card_vote
from model.mechanisms.proposals import (
    CATALOGUE,
    Proposal,
    propose,
    scheduled_proposal,
    support_mask,
    supports,
)
from model.rules.presets import get_preset, preset_names
from model.rules.schema import RuleSet
from model.scenario.schema import ConferenceSpec, ScheduledProposal

ENTRIES = {entry.key: entry for entry in CATALOGUE}
RIGHT_LINE, LEFT_LINE = 0.3, -0.6


def clp_blocs(lines: list[float | None], votes: list[int] | None = None, medians=None):
    """CLP delegations from their controlling lines (None = unaligned)."""
    n = len(lines)
    return ClpDelegates(
        votes=np.array(votes if votes is not None else [1000] * n, dtype=np.int64),
        line=np.array([np.nan if x is None else x for x in lines], dtype=float),
        member_median=np.array(medians if medians is not None else [0.0] * n, dtype=float),
    )


def leader_college_proposal() -> Proposal:
    proposal = ENTRIES["college_thirds"].proposal(get_preset("labour_2021"), "leader")
    assert proposal is not None and proposal.direction > 0
    return proposal


# --- who supports what ---------------------------------------------------------


def test_support_rule_sides_and_dead_zone():
    # direction +0.6 with shift_scale 0.2 moves the balance by 0.12: a voter
    # supports when it is right of the balance by more than 0.06.
    assert supports(0.5, 0.6)
    assert not supports(-0.5, 0.6)
    assert not supports(0.0, 0.6)  # at the balance: status quo
    assert not supports(0.05, 0.6)  # would be overshot
    assert supports(0.07, 0.6)
    assert supports(-0.5, -0.6) and not supports(0.5, -0.6)
    assert not supports(0.9, 0.0) and not supports(-0.9, 0.0)
    # the balance point shifts the sides
    assert supports(0.0, 0.6, balance=-0.3) and not supports(0.0, 0.6, balance=0.3)
    mask = support_mask(np.array([-0.5, 0.0, 0.5]), -0.6)
    assert mask.tolist() == [True, False, False]


# --- the card vote -------------------------------------------------------------------


def test_leader_proposal_opposed_by_unions_holding_most_of_affiliates_fails_on_split_clps():
    proposal = leader_college_proposal()
    unions = [
        UnionBloc("Left union", 700_000, -0.6),  # 70% of the affiliates' half, against
        UnionBloc("Right union", 300_000, 0.5),
    ]
    clps = clp_blocs([RIGHT_LINE, RIGHT_LINE, LEFT_LINE, LEFT_LINE])  # split 50/50
    result = card_vote(proposal, unions=unions, clps=clps, rules=get_preset("labour_2021"))
    assert result.affiliates_for == Fraction(3, 10)
    assert result.clps_for == Fraction(1, 2)
    assert result.share_for == Fraction(2, 5)
    assert not result.passes
    assert [v.supports for v in result.union_votes] == [False, True]
    assert (result.clps_voting_for, result.clps_voting_against) == (2, 2)


def test_converse_unions_for_and_clps_split_passes():
    proposal = leader_college_proposal()
    unions = [UnionBloc("Right union", 700_000, 0.5), UnionBloc("Left union", 300_000, -0.6)]
    clps = clp_blocs([RIGHT_LINE, RIGHT_LINE, LEFT_LINE, LEFT_LINE])
    result = card_vote(proposal, unions=unions, clps=clps, rules=get_preset("labour_2021"))
    assert result.share_for == Fraction(3, 5)
    assert result.passes


def test_exactly_half_fails_just_above_passes():
    proposal = leader_college_proposal()
    rules = get_preset("labour_2021")
    unions = [UnionBloc("A", 500_000, 0.5), UnionBloc("B", 500_000, -0.5)]
    level = card_vote(
        proposal, unions=unions, clps=clp_blocs([RIGHT_LINE, LEFT_LINE], [500, 500]), rules=rules
    )
    assert level.share_for == Fraction(1, 2)
    assert not level.passes
    above = card_vote(
        proposal, unions=unions, clps=clp_blocs([RIGHT_LINE, LEFT_LINE], [501, 500]), rules=rules
    )
    assert above.share_for == Fraction(1, 2) + Fraction(1, 2) * (
        Fraction(501, 1001) - Fraction(1, 2)
    )
    assert above.share_for > Fraction(1, 2)
    assert above.passes


def test_clp_votes_are_weighted_by_membership_and_halves_normalised():
    # Sizes of 2021's first card vote: ~352k CLP votes, ~1.81m affiliates' votes;
    # each half is worth half whatever its raw size.
    proposal = leader_college_proposal()
    unions = [UnionBloc("Big", 1_810_000, 0.5)]
    clps = clp_blocs([LEFT_LINE, RIGHT_LINE], [300_000, 52_000])
    result = card_vote(proposal, unions=unions, clps=clps, rules=get_preset("labour_2021"))
    assert result.affiliates_for == 1
    assert result.clps_for == Fraction(52_000, 352_000)
    assert result.share_for == Fraction(1, 2) + Fraction(1, 2) * Fraction(52, 352)
    record = result.to_dict()
    json.dumps(record)
    blocs = record["blocs"]
    assert blocs["affiliates"]["votes_for"] == 1_810_000
    assert blocs["clps"]["votes_for"] == 52_000 and blocs["clps"]["votes_against"] == 300_000
    assert record["share_for_exact"] == str(result.share_for)
    assert record["unions"] == [{"name": "Big", "votes": 1_810_000, "vote": "for"}]


def test_float_membership_shares_are_exact_too():
    proposal = leader_college_proposal()
    clps = ClpDelegates(
        votes=np.array([0.25, 0.25, 0.5]),
        line=np.array([RIGHT_LINE, RIGHT_LINE, LEFT_LINE]),
        member_median=np.zeros(3),
    )
    result = card_vote(
        proposal,
        unions=[UnionBloc("A", 10, 0.5), UnionBloc("B", 10, -0.5)],
        clps=clps,
        rules=get_preset("labour_2021"),
    )
    assert result.clps_for == Fraction(1, 2) and result.share_for == Fraction(1, 2)
    assert not result.passes


def test_unaligned_clps_vote_by_members_median_and_noise_is_seeded():
    proposal = leader_college_proposal()
    rules = get_preset("labour_2021")
    unions = [UnionBloc("A", 10, 0.5)]
    clps = clp_blocs([None, None, None], medians=[0.5, -0.5, 0.4])
    result = card_vote(proposal, unions=unions, clps=clps, rules=rules)
    assert (result.unaligned_for, result.unaligned_against) == (2, 1)
    with pytest.raises(ValueError, match="rng"):
        card_vote(proposal, unions=unions, clps=clps, rules=rules, clp_noise=0.1)
    many = clp_blocs([None] * 200, medians=[0.06] * 200)
    a = card_vote(
        proposal, unions=unions, clps=many, rules=rules, clp_noise=0.2, rng=np.random.default_rng(5)
    )
    b = card_vote(
        proposal, unions=unions, clps=many, rules=rules, clp_noise=0.2, rng=np.random.default_rng(5)
    )
    assert a == b
    # near the dead zone's edge, noise splits the unaligned CLPs
    assert 0 < a.unaligned_for < 200


def test_card_vote_needs_both_halves():
    with pytest.raises(ValueError, match="both halves"):
        card_vote(
            leader_college_proposal(),
            unions=[UnionBloc("A", 0, 0.5)],
            clps=clp_blocs([RIGHT_LINE]),
            rules=get_preset("labour_2021"),
        )
    with pytest.raises(ValueError, match="one entry per CLP"):
        ClpDelegates(votes=np.ones(2), line=np.ones(3), member_median=np.zeros(2))


# --- proposals --------------------------------------------------------------------


def _same_rules(a: RuleSet, b: RuleSet) -> bool:
    return all(getattr(a, s) == getattr(b, s) for s in ("leadership", "reselection", "conference"))


@pytest.mark.parametrize("preset", preset_names())
def test_catalogue_proposals_are_never_no_ops_and_always_valid(preset: str):
    rules = get_preset(preset)
    for entry in CATALOGUE:
        proposal = entry.proposal(rules, "leader")
        if proposal is None:
            continue
        assert proposal.changes
        changed = rules.with_changes(proposal.changes)  # raises if invalid
        assert not _same_rules(changed, rules), (preset, entry.key)
        # applying it again changes nothing, so it is not proposed again
        assert entry.proposal(changed, "leader") is None, (preset, entry.key)


@pytest.mark.parametrize("preset", preset_names())
@pytest.mark.parametrize("ideology", [-0.8, -0.3, 0.2, 0.6])
def test_propose_picks_changes_on_the_proposers_side(preset: str, ideology: float):
    rules = get_preset(preset)
    for seed in range(5):
        chosen = propose(rules, "leader", ideology, np.random.default_rng(seed), max_proposals=2)
        assert len(chosen) <= 2
        for proposal in chosen:
            assert np.sign(proposal.direction) == np.sign(ideology)
            assert not _same_rules(rules.with_changes(proposal.changes), rules)


def test_propose_catalogue_content():
    right = get_preset("labour_2018")
    college = ENTRIES["college_thirds"].changes_for(right)
    target = get_preset("college_thirds_2021").leadership
    assert college["leadership.electorate"] == "college"
    assert college["leadership.college_sections"] == target.college_sections
    assert ENTRIES["raise_plp_threshold"].changes_for(right) == {
        "leadership.plp_threshold_vacancy": Fraction(1, 5)
    }
    assert ENTRIES["harder_reselection_college"].changes_for(right)["reselection.method"] == (
        "weighted_college"
    )
    assert (
        ENTRIES["abolish_registered_supporters"].changes_for(right)[
            "leadership.registered_supporters"
        ]
        is False
    )
    left = get_preset("labour_2021")
    assert ENTRIES["lower_plp_threshold"].changes_for(left) == {
        "leadership.plp_threshold_vacancy": Fraction(1, 10)
    }
    assert ENTRIES["open_selection"].changes_for(left)["reselection.method"] == "open_selection"
    supermajority = ENTRIES["members_supermajority"].changes_for(left)
    assert supermajority["reselection.supermajority_share"] == Fraction(3, 4)
    assert ENTRIES["registered_supporters_3"].changes_for(left) == {
        "leadership.registered_supporters": True,
        "leadership.registered_supporter_fee_gbp": 3.0,
    }
    # supporters exist at £25 in 2016: the motion only cuts the fee
    assert ENTRIES["registered_supporters_3"].changes_for(get_preset("labour_2016")) == {
        "leadership.registered_supporter_fee_gbp": 3.0
    }
    # 2021 rules already have a weighted college: the right's next step is pre-2018
    assert ENTRIES["harder_reselection_college"].changes_for(left) == {}
    assert ENTRIES["harder_reselection_pre_2018"].changes_for(left)["reselection.method"] == (
        "pre_2018"
    )
    # a "raise" never cuts, a "lower" never raises
    assert ENTRIES["raise_plp_threshold"].changes_for(left) == {}
    assert ENTRIES["lower_plp_threshold"].changes_for(right) == {}


def test_propose_is_reproducible_and_respects_limits():
    rules = get_preset("labour_2016")
    a = propose(rules, "Labour to Win", 0.3, np.random.default_rng(11), max_proposals=2)
    b = propose(rules, "Labour to Win", 0.3, np.random.default_rng(11), max_proposals=2)
    assert a == b and len(a) == 2 and all(p.proposer == "Labour to Win" for p in a)
    assert propose(rules, "leader", 0.0, np.random.default_rng(1)) == []  # at the balance
    assert propose(rules, "leader", 0.5, np.random.default_rng(1), max_proposals=0) == []
    everything = propose(rules, "leader", -0.7, np.random.default_rng(1), max_proposals=99)
    keys = [p.key for p in everything]
    assert keys == [e.key for e in CATALOGUE if e.key in keys]  # catalogue order
    assert {"open_selection", "lower_plp_threshold"} <= set(keys)


def test_proposal_to_dict_is_json_ready():
    record = leader_college_proposal().to_dict()
    text = json.dumps(record)
    assert '"1/3"' in text and record["proposer"] == "leader"
    with pytest.raises(ValueError, match="changes nothing"):
        Proposal("empty", "leader", {}, 0.5)
    with pytest.raises(ValueError, match="direction"):
        Proposal("x", "leader", {"leadership.freeze_months": 1}, 1.5)


# --- adopting passed changes ---------------------------------------------------------------


def _vote(proposal: Proposal | None, passes: bool):
    """A card vote in which everyone votes for (or everyone against) the proposal."""
    assert proposal is not None
    side = float(np.sign(proposal.direction)) * (0.9 if passes else -0.9)
    return card_vote(
        proposal,
        unions=[UnionBloc("U", 10, side)],
        clps=clp_blocs([side]),
        rules=get_preset("labour_2021"),
    )


def test_passed_change_applies_from_the_next_event_only():
    before = get_preset("labour_2021")
    snapshot = before.model_copy(deep=True)  # what an open contest holds
    proposal = ENTRIES["lower_plp_threshold"].proposal(before, "Momentum")
    result = _vote(proposal, True)
    assert result.passes
    after, applied = adopt_passed(before, [result], reason="conference 2022")
    assert applied == [proposal]
    assert after.leadership.plp_threshold_vacancy == Fraction(1, 10)
    # the rules in force before conference are untouched
    assert before == snapshot and before.leadership.plp_threshold_vacancy == Fraction(1, 5)
    assert "conference 2022" in after.sources["leadership.plp_threshold_vacancy"]


def test_failed_and_superseded_proposals_are_not_applied():
    rules = get_preset("labour_2018")
    failed = _vote(ENTRIES["raise_plp_threshold"].proposal(rules, "leader"), False)
    assert not failed.passes
    first = _vote(ENTRIES["open_selection"].proposal(rules, "Momentum"), True)
    second = _vote(ENTRIES["members_supermajority"].proposal(rules, "Momentum"), True)
    after, applied = adopt_passed(rules, [failed, first, second])
    assert [p.key for p in applied] == ["open_selection", "members_supermajority"]
    # both change the method; the later one was valid on top of the first
    assert after.reselection.method == "members_supermajority"
    same, none = adopt_passed(rules, [failed])
    assert same is rules and none == []
    # a passed proposal that an earlier one made a no-op is skipped
    again, applied_twice = adopt_passed(rules, [first, first])
    assert [p.key for p in applied_twice] == ["open_selection"]
    assert again.reselection.method == "open_selection"


# --- scenario proposals and spec -------------------------------------------------------------


def test_scheduled_proposal_from_preset_or_changes():
    spec = ScheduledProposal(
        year=2018,
        title="Open selection",
        direction=-0.7,
        preset="open_selection",
        paths=["reselection"],
    )
    proposal = scheduled_proposal(spec, get_preset("labour_2018"))
    assert proposal is not None and proposal.proposer == "scenario"
    assert proposal.changes["reselection.method"] == "open_selection"
    assert scheduled_proposal(spec, get_preset("open_selection")) is None  # no-op now
    by_changes = ScheduledProposal(
        year=2021,
        title="20% threshold",
        direction=0.5,
        changes={"leadership.plp_threshold_vacancy": "20%"},
    )
    assert scheduled_proposal(by_changes, get_preset("labour_2021")) is None
    assert scheduled_proposal(by_changes, get_preset("labour_2018")) is not None


def test_scenario_specs_validate():
    with pytest.raises(ValidationError, match="exactly one"):
        ScheduledProposal(year=2021, title="x", direction=0.5)
    with pytest.raises(ValidationError, match="unknown rules preset"):
        ScheduledProposal(year=2021, title="x", direction=0.5, preset="nope")
    with pytest.raises(ValidationError):
        ScheduledProposal(year=2021, title="x", direction=2.0, preset="open_selection")
    with pytest.raises(ValidationError, match="paths: unknown rule field"):
        ScheduledProposal(
            year=2021, title="x", direction=0.5, preset="open_selection", paths=["reselect"]
        )
    with pytest.raises(ValidationError, match="unknown rule field"):
        ScheduledProposal(
            year=2021, title="x", direction=0.5, changes={"leadership.plp_threshold": "20%"}
        )
    # a bad value is only found against the rules in force at the conference
    late = ScheduledProposal(
        year=2021, title="x", direction=0.5, changes={"leadership.plp_threshold_vacancy": 7}
    )
    assert scheduled_proposal(late, get_preset("labour_2021")) is None
    spec = ConferenceSpec()
    assert spec.month == 9 and spec.balance is None and spec.scheduled == []
    with pytest.raises(ValidationError):
        ConferenceSpec(month=13)


def test_delegation_mandates_drawn_at_a_vote_and_spread_evenly_in_a_forecast():
    from scipy import special

    from model.mechanisms.conference import delegation_mandates

    drawn = delegation_mandates(500, "x", np.random.default_rng(1))
    again = delegation_mandates(500, "x", np.random.default_rng(1))
    assert np.array_equal(drawn, again) and abs(drawn.mean()) < 0.15
    assert 0.85 < drawn.std() < 1.15
    forecast = delegation_mandates(500, "Trigger ballots", None)
    # A forecast takes the normal's quantiles (the expected spread, no draw)...
    expected = special.ndtri((np.arange(500) + 0.5) / 500)
    assert np.allclose(np.sort(forecast), expected)
    # ...in an order fixed by the proposal, the same each time it is asked.
    assert np.array_equal(forecast, delegation_mandates(500, "Trigger ballots", None))
    assert not np.array_equal(forecast, delegation_mandates(500, "Open selection", None))
