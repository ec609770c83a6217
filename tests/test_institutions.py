"""Rules as an outcome, wired into the model: elections, resignations,
challenges, conference and unions."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from model.party import PartyModel
from model.scenario.schema import parse_scenario
from tests.conftest import small_scenario


def scenario_with(**sections):
    data = small_scenario(calendar={"months": 24}).model_dump()
    # The seat counts below are counterfactual (2017-06 was a real election):
    # they go to the seats the swing model ranks best, not the real ones.
    data["seats"]["real_results"] = False
    for section, changes in sections.items():
        data[section].update(changes)
    return parse_scenario(data)


def events(party, kind):
    return party.events.of_type(kind)


def test_defeat_with_resignation_probability_one_opens_a_contest():
    scenario = scenario_with(
        elections={
            "dates": ["2017-06"],
            "historical_seats": {"2017-06": 150},
            "resignation_probability": 1.0,
        },
        challenges={"enabled": False},
    )
    party = PartyModel(scenario, rng=1)
    party.run_for(12)
    (ge,) = events(party, "general_election")
    assert ge.month == "2017-06" and ge.won is False and ge.mode == "historical"
    # The count scaled to the 60 of GB's 632 seats, plus the leader's seat if
    # the ranking would have lost it (a leader keeps their seat).
    assert ge.seats == round(150 * 60 / 632) + (ge.kept_for_leader is not None)
    assert ge.seat_source == "count ranked by uniform swing" and ge.base_result == 2015
    (resign,) = events(party, "leader_resigns")
    assert resign.month == "2017-06"
    (contest,) = events(party, "leadership_contest")
    assert contest.opened == "2017-06" and contest.kind == "vacancy"


def test_no_resignation_after_a_win_or_with_probability_zero():
    for seats, probability in [(600, 1.0), (150, 0.0)]:
        scenario = scenario_with(
            elections={
                "dates": ["2017-06"],
                "historical_seats": {"2017-06": seats},
                "resignation_probability": probability,
            },
            challenges={"enabled": False},
        )
        party = PartyModel(scenario, rng=1)
        party.run_for(12)
        assert not events(party, "leader_resigns")
        assert not events(party, "leadership_contest")


def test_seats_lost_remove_mps_and_seats_gained_select_new_ones():
    scenario = scenario_with(
        elections={"dates": ["2017-06"], "historical_seats": {"2017-06": 420}},
    )
    party = PartyModel(scenario, rng=2)
    before = len(party.sitting_mps)
    party.run_for(12)
    (ge,) = events(party, "general_election")
    gained = [s for s in events(party, "selection") if s.reason == "seat gained"]
    assert len(gained) == len(ge.gained_clps) == ge.seats - ge.seats_before > 0
    assert not ge.lost_clps
    assert len(party.sitting_mps) == before + len(gained)
    assert party.series()["seats"].iloc[-1] == ge.seats


def test_challenge_below_the_threshold_does_not_happen():
    # Every MP near the leader: a defeat is a shock, but no challenge is due.
    scenario = scenario_with(
        elections={
            "dates": ["2017-06"],
            "historical_seats": {"2017-06": 150},
            "resignation_probability": 0.0,
        },
        challenges={"distance": 1.9, "share_threshold": 0.5},
    )
    party = PartyModel(scenario, rng=3)
    party.run_for(12)
    assert not events(party, "challenge_launched")
    assert not events(party, "leadership_contest")


def test_challenge_after_a_defeat_when_mps_are_far_from_the_leader():
    scenario = scenario_with(
        elections={
            "dates": ["2017-06"],
            "historical_seats": {"2017-06": 150},
            "resignation_probability": 0.0,
        },
        challenges={"distance": 0.3, "share_threshold": 0.3},
    )
    party = PartyModel(scenario, rng=3)
    party.run_for(12)
    (launched,) = [e for e in events(party, "challenge_launched") if e.month == "2017-06"]
    assert launched.share_of_mps_far > 0.3
    contest = events(party, "leadership_contest")[0]
    assert contest.kind == "challenge"
    incumbent = next(c for c in contest.nominations["candidates"] if c["incumbent"])
    assert incumbent["name"] == scenario.leader.name


def test_passed_change_applies_only_from_the_next_contest():
    # A contest opens in August 2017; conference in September 2017 passes a
    # return to a college; the open contest still runs under OMOV, the next
    # one under the college.
    scenario = scenario_with(
        contests={
            "scheduled": [
                {"month": "2017-08", "kind": "vacancy"},
                {"month": "2018-03", "kind": "vacancy"},
            ]
        },
        conference={
            "leader_proposes": False,
            "faction_proposes": False,
            "balance": 0.0,
            "scheduled": [
                {
                    "year": 2017,
                    "title": "College of thirds",
                    "direction": -1.0,  # made to pass: every bloc left of the balance
                    "preset": "college_thirds_2021",
                    "paths": ["leadership.electorate", "leadership.college_sections"],
                }
            ],
        },
        rules={"preset": "labour_2014", "overrides": {}},
    )
    party = PartyModel(scenario, rng=4)
    party.run_for(24)
    (vote,) = events(party, "conference_vote")
    assert vote.month == "2017-09" and vote.passes is True
    (change,) = events(party, "rule_change")
    assert "college" in change.rules_after
    first, second = events(party, "leadership_contest")
    assert first.opened == "2017-08" and first.month == "2017-11"
    assert first.electorate_rule == "omov"
    assert second.opened == "2018-03" and second.electorate_rule == "college"


def test_proposal_opposed_by_the_unions_fails_when_clps_split():
    scenario = scenario_with(
        conference={
            "leader_proposes": False,
            "faction_proposes": False,
            "balance": 0.0,
            "clp_noise": 0.0,
            "scheduled": [
                {
                    "year": 2017,
                    "title": "Raise the threshold",
                    "direction": 1.0,
                    "changes": {"leadership.plp_threshold_vacancy": 0.2},
                }
            ],
        },
    )
    data = scenario.model_dump()
    for union in data["unions"]:
        union["leadership_ideology"] = -0.5  # every union against a move right
    party = PartyModel(parse_scenario(data), rng=5)
    party.run_for(12)
    (vote,) = events(party, "conference_vote")
    assert vote.blocs["affiliates"]["share_for"] == 0.0
    assert vote.passes is False
    assert not events(party, "rule_change")


def test_union_general_secretary_elections_are_staggered_ballots():
    scenario = scenario_with(calendar={"months": 60})
    party = PartyModel(scenario, rng=6)
    party.run_for(60)
    held = events(party, "union_gs_election")
    assert sorted(e.union for e in held) == sorted(u.name for u in party.unions)
    assert len({e.month for e in held}) == len(held)  # staggered
    assert all(e.decided_by == "ballot" for e in held)


def test_left_led_unions_are_affiliated_unions_led_from_the_left():
    from model.institutions.unions import LEFT_LED

    party = PartyModel(scenario_with(calendar={"months": 1}), rng=2)
    party.run_for(1)
    unions = party.unions
    for u, x in zip(unions, np.linspace(-0.9, 0.1, len(unions)), strict=True):
        u.leadership_ideology = float(x)
    unions[0].is_union = False  # a socialist society, however left, is not a union
    unions[1].levy_payers = 0  # a union that has disaffiliated
    row: dict[str, Any] = {}
    party.institutions["unions"].measure(row)
    expected = sum(
        u.is_union and u.levy_payers > 0 and u.leadership_ideology <= LEFT_LED for u in unions
    )
    assert row["unions_left_led"] == expected
    assert 0 < expected < len(unions) - 2


def test_whole_party_run_is_reproducible():
    scenario = scenario_with(
        calendar={"months": 40},
        elections={"dates": ["2017-06", "2019-12"]},
        reselection={"rounds": ["2019-06"]},
    )

    def run(seed):
        party = PartyModel(scenario, rng=seed)
        party.run_for(40)
        return party.series(), list(party.events)

    a, b = run(7), run(7)
    assert a[0].equals(b[0]) and a[1] == b[1]
    assert {"general_election", "trigger_ballot", "agm"} <= {e.type for e in a[1]}


def test_the_leader_keeps_their_seat_in_a_heavy_defeat():
    scenario = scenario_with(
        elections={
            "dates": ["2017-06"],
            "historical_seats": {"2017-06": 30},
            "resignation_probability": 0.0,
        },
        challenges={"enabled": False},
    )
    party = PartyModel(scenario, rng=8)
    # Make the leader the MP of the most marginal seat the party holds.
    held = party.clps.seat_held.nonzero()[0]
    marginal = int(held[np.argmin(party.clps.lab_margin[held])])
    party.state.leader = party.state.mp_in_seat(marginal)
    party.run_for(12)
    (ge,) = events(party, "general_election")
    assert ge.seats_lost > 0
    assert party.leader.sitting and party.leader.clp not in ge.lost_clps
    assert ge.kept_for_leader == party.clps.name[marginal]
    assert not events(party, "leader_resigns")


def test_a_pool_segment_grows_to_its_size_by_its_date():
    # Nobody joins or returns: the stock moves only by the segment's growth.
    scenario = small_scenario(calendar={"months": 14})
    data = scenario.model_dump()
    data["flows"].update(join_rate=0.0, contest_surge=0.0, rejoin_share=0.0)
    data["flows"]["shocks"] = []
    first = data["flows"]["pool"][0]
    first.update(size=200_000.0, starts_at=80_000.0, reaches_by="2017-09")  # 12 months on
    party = PartyModel(parse_scenario(data), rng=1)
    membership = party.institutions["membership"]
    assert membership.stock[0] == pytest.approx(80_000.0)
    party.run_for(6)
    assert membership.stock[0] == pytest.approx(80_000.0 + 6 * 10_000.0)
    party.run_for(8)
    assert membership.stock[0] == pytest.approx(200_000.0)  # reached, then steady
    others = [segment["size"] for segment in data["flows"]["pool"][1:]]
    assert membership.stock[1:].tolist() == pytest.approx(others)


def test_a_growing_segment_needs_both_ends():
    data = small_scenario().model_dump()
    data["flows"]["pool"][0]["starts_at"] = 1000.0
    with pytest.raises(ValueError, match="reaches_by"):
        parse_scenario(data)


@pytest.mark.parametrize("share", [0.0, 0.5, 1.0])
def test_joiners_carry_their_clps_lean(share: float) -> None:
    scenario = small_scenario(members={"joiners_lean": share, "clp_lean_sd": 0.3})
    party = PartyModel(scenario, rng=4)
    membership = party.institutions["membership"]
    before = len(party.state.members)
    pool = np.full(4000, -0.2)
    added = membership.add_members(pool, np.random.default_rng(9))
    assert added.size == 4000 and len(party.state.members) == before + 4000
    m = party.state.members
    lean = party.state.clps.lean[m.clp[added]]
    assert np.ptp(lean) > 0.3  # the CLPs differ
    assert m.ideology[added] == pytest.approx(np.clip(-0.2 + share * lean, -1.0, 1.0))
    # Joiners spread over the CLPs by size: the lean adds no drift to the party.
    assert abs(float(m.ideology[added].mean()) + 0.2) < 0.05


def test_the_most_willing_join_first_so_a_segment_slows_as_it_is_drawn_in() -> None:
    # The same run with and without spread: with it, each segment's mean propensity
    # falls month by month as its people join (the formula itself is checked in
    # test_sympathisers.py), and fewer join.
    def run(spread: float, propensity: float = 1.0) -> tuple[Any, int]:
        data = small_scenario(calendar={"months": 12}).model_dump()
        data["flows"].update(propensity_spread=spread, rejoin_share=0.0)
        data["flows"]["pool"][0]["propensity"] = propensity
        party = PartyModel(parse_scenario(data), rng=3)
        membership = party.institutions["membership"]
        joined = 0
        for _ in range(12):
            before = membership.propensity.copy()
            party.step()
            joined += membership.joined_this_month
            assert (membership.propensity <= before).all()
        return membership, joined

    alike, joined_alike = run(0.0)
    assert alike.propensity.tolist() == [1.0] * alike.propensity.size
    willing, joined_willing = run(50.0)
    assert (willing.propensity < 1.0).all()
    assert joined_willing < joined_alike
    # A segment already drawn on (a run that starts after a surge) starts lower.
    drawn, _ = run(50.0, propensity=0.2)
    assert drawn.propensity[0] < willing.propensity[0]


def test_nobody_standing_for_deputy_retires_during_the_contest():
    # The same for a deputy contest on its own: opened in month 11, still
    # open at the yearly retirement round (month 12) at which every MP would
    # retire. Its candidates stay, so the deputy it installs sits.
    base = small_scenario(calendar={"months": 16})
    opens = base.start.plus(10)
    field_ = [
        {"name": "Deputy A", "ideology": -0.4, "valence": 0.5},
        {"name": "Deputy B", "ideology": 0.1, "valence": 0.5},
    ]
    scenario = base.with_changes(
        {
            "plp.retirement_rate": 1.0,
            "deputy": {"scheduled": [{"month": str(opens), "candidates": field_}]},
        }
    )
    party = PartyModel(scenario, rng=3)
    party.run_for(16)
    (contest,) = [e for e in party.events.of_type("deputy_contest") if e.outcome == "ballot"]
    retired = {e.mp for e in events(party, "retirement")}
    assert retired  # the round happened while the contest was open
    assert not retired & set(contest.on_ballot)
    assert party.state.deputy.name == contest.winner and party.state.deputy.sitting


def test_nobody_standing_for_leader_retires_during_the_contest():
    # Every MP would retire at the yearly round (month 12), which falls while
    # a vacancy contest opened in month 11 is still open: its candidates stay,
    # so the winner is a sitting MP.
    base = small_scenario(calendar={"months": 15})
    opens = base.start.plus(10)
    scenario = base.with_changes(
        {
            "plp.retirement_rate": 1.0,
            "contests.scheduled": [{"month": str(opens), "kind": "vacancy"}],
        }
    )
    party = PartyModel(scenario, rng=3)
    party.run_for(15)
    (contest,) = [e for e in party.events.of_type("leadership_contest") if e.balloted]
    retired = {e.mp for e in events(party, "retirement")}
    assert retired  # the round happened while the contest was open
    assert not retired & set(contest.on_ballot)
    assert party.leader.name == contest.winner and party.leader.sitting
