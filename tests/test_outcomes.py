"""The scalar-outcome registry: real runs, and synthetic event lists for events the model
does not produce yet (contests, trigger ballots, selections, conference votes)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from model.analysis.measures import (
    OUTCOMES,
    compute_outcomes,
    contest_winner_ideology,
    deselections_by_parliament,
    is_deselection,
    outcome_unit,
    register,
)
from model.study.run import simulate
from tests.conftest import small_scenario


def tiny_series(**columns) -> pd.DataFrame:
    months = len(next(iter(columns.values())))
    base = {"month": range(1, months + 1), "date": [f"2020-{m:02d}" for m in range(1, months + 1)]}
    return pd.DataFrame({**base, **columns})


def test_every_outcome_on_a_real_run_is_a_number():
    result = simulate(small_scenario(calendar={"months": 14}), seed=4)
    values = compute_outcomes(result.series, result.events)
    for name, spec in OUTCOMES.items():
        if spec.family:
            assert any(k.startswith(name + "_") for k in values), name
        else:
            assert isinstance(values[name], float), name
    # Events the model does not produce yet count as zero, not as missing.
    # Event counts agree with the model's own running tallies, where it keeps them.
    for name in ("deselections", "trigger_ballots_lost"):
        if name in result.series.columns:
            assert values[name] == result.series[name].iloc[-1], name
    assert values["final_members"] == result.series["members_full"].iloc[-1]
    assert values["final_clps_momentum"] == result.series["clps_momentum"].iloc[-1]
    assert values["final_clps_unaligned"] == result.series["clps_unaligned"].iloc[-1]
    gap = result.series["member_plp_gap"].tail(12).mean()
    assert values["gap_last12"] == pytest.approx(gap)
    agm_changes = sum(
        e["control_before"] != e["control_after"] for e in result.events if e["type"] == "agm"
    )
    assert values["agm_control_changes"] == agm_changes > 0


def test_missing_series_columns_give_nan_not_errors():
    values = compute_outcomes(tiny_series(joined=[1, 2]), [], ["final_members", "gap_last12"])
    assert math.isnan(values["final_members"]) and math.isnan(values["gap_last12"])
    assert math.isnan(compute_outcomes(pd.DataFrame(), [], ["leader_changes"])["leader_changes"])


def test_selected_names_only_and_unknown_names_fail():
    series = tiny_series(members_full=[10, 12])
    assert list(compute_outcomes(series, [], ["final_members"])) == ["final_members"]
    with pytest.raises(KeyError, match="unknown outcome 'nope'"):
        compute_outcomes(series, [], ["nope"])
    with pytest.raises(ValueError, match="already registered"):
        register("final_members", "again", "members")(lambda s, e: 0.0)


def test_units_for_columns_and_family_members():
    assert outcome_unit("final_members") == "members"
    assert outcome_unit("final_clps_momentum") == "CLPs"
    assert outcome_unit("final_clps") == "CLPs"
    assert outcome_unit("not_an_outcome") == ""


def test_leader_changes_and_distances_from_the_series():
    series = tiny_series(
        leader=["A", "A", "B", "B", "A"],
        leader_ideology=[-0.5, -0.5, 0.1, 0.1, -0.4],
        ideology_median=[-0.3] * 5,
        plp_median=[0.1] * 5,
    )
    values = compute_outcomes(
        series, [], ["leader_changes", "leader_member_distance", "leader_plp_distance"]
    )
    assert values["leader_changes"] == 2
    # Mean of |leader - median| over the (here: all five) last months.
    assert values["leader_member_distance"] == pytest.approx((0.2 + 0.2 + 0.4 + 0.4 + 0.1) / 5)
    assert values["leader_plp_distance"] == pytest.approx((0.6 + 0.6 + 0 + 0 + 0.5) / 5)


CONTESTS = [
    {"type": "leadership_contest", "month": "2015-09", "winner_ideology": -0.7},
    {"type": "leadership_contest", "month": "2016-09", "winner": {"name": "S", "ideology": 0.2}},
    {
        "type": "leadership_contest",
        "month": "2020-04",
        "winner": "K",
        "candidates": [{"name": "R", "ideology": -0.6}, {"name": "K", "ideology": -0.1}],
        "winner_faction": "Labour to Win",
    },
    {"type": "leadership_contest", "month": "2021-01", "winner": "nobody-known"},
    {"type": "agm", "month": "2015-10"},
]


def test_contest_outcomes_on_synthetic_records():
    assert contest_winner_ideology(CONTESTS[0]) == -0.7
    assert contest_winner_ideology(CONTESTS[1]) == 0.2
    assert contest_winner_ideology(CONTESTS[2]) == -0.1
    assert math.isnan(contest_winner_ideology(CONTESTS[3]))
    series = tiny_series(faction_momentum=[5, 5], faction_labour_to_win=[3, 3])
    values = compute_outcomes(
        series,
        CONTESTS,
        [
            "contests",
            "contests_won_left",
            "contests_won_right",
            "winner_ideology_mean",
            "contests_won_by_faction",
        ],
    )
    assert values["contests"] == 4
    assert values["contests_won_left"] == 2  # -0.7 and -0.1; the unknown one is neither
    assert values["contests_won_right"] == 1
    assert values["winner_ideology_mean"] == pytest.approx((-0.7 + 0.2 - 0.1) / 3)
    assert values["contests_won_by_faction_labour_to_win"] == 1
    assert values["contests_won_by_faction_momentum"] == 0


def test_left_and_right_are_read_against_the_party_centre_that_month():
    series = pd.DataFrame(
        {
            "date": ["2015-09", "2016-09"],
            "ideology_median": [-0.5, -0.5],
            "plp_median": [0.1, 0.3],
        }
    )
    contests = [
        {"type": "leadership_contest", "month": "2015-09", "winner_ideology": -0.25},
        {"type": "leadership_contest", "month": "2016-09", "winner_ideology": -0.15},
        {"type": "leadership_contest", "month": "2017-09", "winner_ideology": -0.15},
    ]
    # Centres: -0.2 in 2015, -0.1 in 2016; 2017 is not in the series, so 0.
    values = compute_outcomes(series, contests, ["contests_won_left", "contests_won_right"])
    assert values == {"contests_won_left": 3, "contests_won_right": 0}
    contests[1]["winner_ideology"] = -0.05
    values = compute_outcomes(series, contests, ["contests_won_left", "contests_won_right"])
    assert values == {"contests_won_left": 2, "contests_won_right": 1}


RESELECTION = [
    {"type": "trigger_ballot", "month": "2018-01", "mp": "A", "triggered": True},
    {"type": "trigger_ballot", "month": "2018-01", "mp": "B", "triggered": False},
    {"type": "trigger_ballot", "month": "2018-02", "mp": "C", "outcome": "full_selection"},
    {"type": "trigger_ballot", "month": "2018-02", "mp": "D", "outcome": "reselected"},
    # The model's own shape: an outcome mapping and a result string.
    {
        "type": "trigger_ballot",
        "month": "2018-03",
        "mp": "F",
        "outcome": {"full_selection": True, "method": "either_third"},
        "result": "deselected",
    },
    {
        "type": "trigger_ballot",
        "month": "2018-03",
        "mp": "G",
        "outcome": {"full_selection": True, "method": "either_third"},
        "result": "reselected in full selection",
    },
    {
        "type": "trigger_ballot",
        "month": "2018-03",
        "mp": "H",
        "outcome": {"full_selection": False, "method": "either_third"},
        "result": "reselected automatically",
    },
    {"type": "selection", "month": "2018-05", "incumbent": "A", "winner": "X"},
    {"type": "selection", "month": "2018-05", "incumbent": "C", "winner": "C"},
    {"type": "general_election", "month": "2019-12"},
    {"type": "selection", "month": "2020-05", "deselected": True},
    {"type": "selection", "month": "2020-06", "winner": "open seat winner"},
    {"type": "selection", "month": "2020-07", "incumbent": {"name": "E"}, "winner": {"name": "Y"}},
    {"type": "general_election", "month": "2024-07"},
    {"type": "conference_vote", "month": "2018-09", "passed": True},
    {"type": "conference_vote", "month": "2019-09", "outcome": "lost"},
    {"type": "conference_vote", "month": "2021-09", "outcome": "carried"},
    {"type": "conference_vote", "month": "2022-09", "passes": False},
    {"type": "conference_vote", "month": "2023-09", "result": {"passes": True}},
]


def test_reselection_and_conference_outcomes_on_synthetic_records():
    values = compute_outcomes(
        tiny_series(members_full=[1, 1]),
        RESELECTION,
        [
            "trigger_ballots",
            "trigger_ballots_lost",
            "selections",
            "deselections",
            "conference_votes",
            "rule_changes_passed",
            "general_elections",
        ],
    )
    assert values == {
        "trigger_ballots": 7,
        "trigger_ballots_lost": 4,  # A, C, F, G
        "selections": 5,
        "deselections": 4,  # F at a trigger ballot; A, the flagged one and E at selections
        "conference_votes": 5,
        "rule_changes_passed": 3,
        "general_elections": 2,
    }


def test_deselection_rules_and_parliaments():
    assert is_deselection({"deselected": True})
    assert not is_deselection({"deselected": False, "incumbent": "A", "winner": "B"})
    assert is_deselection({"incumbent": "A", "winner": "B"})
    assert not is_deselection({"incumbent": "A", "winner": "A"})
    assert not is_deselection({"winner": "B"})  # an open seat
    assert is_deselection({"type": "trigger_ballot", "result": "deselected"})
    assert not is_deselection({"type": "trigger_ballot", "result": "reselected unopposed"})
    assert not is_deselection({"type": "agm", "deselected": True})
    assert deselections_by_parliament(RESELECTION) == {0: 2, 1: 2, 2: 0}
    assert deselections_by_parliament([]) == {0: 0}
