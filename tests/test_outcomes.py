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
from model.records.events import (
    Agm,
    ConferenceVote,
    GeneralElection,
    LeadershipContest,
    Selection,
    TriggerBallot,
)
from model.records.series import at_full_size, long_at_full_size
from model.study.run import simulate
from tests.conftest import small_scenario
from tests.factories import make_event


def tiny_series(**columns) -> pd.DataFrame:
    months = len(next(iter(columns.values())))
    base = {"month": range(1, months + 1), "date": [f"2020-{m:02d}" for m in range(1, months + 1)]}
    return pd.DataFrame({**base, **columns})


def test_every_outcome_on_a_real_run_is_a_number():
    result = simulate(small_scenario(calendar={"months": 36}), seed=4)
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
    # Member counts are at the party's full size: the simulated count / scale.
    scale = result.series["scale"].iloc[-1]
    assert scale < 1
    assert values["final_members"] == round(result.series["members_full"].iloc[-1] / scale)
    assert values["final_clps_momentum"] == result.series["clps_momentum"].iloc[-1]
    assert values["final_clps_unaligned"] == result.series["clps_unaligned"].iloc[-1]
    gap = result.series["member_plp_gap"].tail(12).mean()
    assert values["gap_last12"] == pytest.approx(gap)
    agm_changes = sum(e.control_before != e.control_after for e in result.events if e.type == "agm")
    assert values["agm_control_changes"] == agm_changes > 0


def test_member_counts_are_read_at_full_size_once():
    series = tiny_series(
        scale=[0.1, 0.1], members_full=[10, 12], faction_momentum=[1, 2], clps_momentum=[5, 6]
    )
    real = at_full_size(series)
    assert real["members_full"].tolist() == [100, 120] and real["faction_momentum"].tolist() == [
        10,
        20,
    ]
    assert real["clps_momentum"].tolist() == [5, 6]  # every CLP is simulated: not scaled
    assert at_full_size(real).equals(real)  # converting twice changes nothing
    assert series["members_full"].tolist() == [10, 12]  # the input is not touched
    values = compute_outcomes(series, [], ["final_members", "final_faction_members"])
    assert values["final_members"] == 120 and values["final_faction_members_momentum"] == 20
    # A long table (a sweep's): each run by its own scale.
    long = pd.DataFrame(
        {
            "run_id": ["a", "a", "b", "b"],
            "variable": ["scale", "members_full", "scale", "members_full"],
            "value": [0.5, 10.0, 0.25, 10.0],
        }
    )
    assert long_at_full_size(long)["value"].tolist() == [1.0, 20.0, 1.0, 40.0]
    # A series from before the scale was recorded is left as it was.
    assert at_full_size(tiny_series(members_full=[3]))["members_full"].tolist() == [3]


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
    make_event(LeadershipContest, "2015-09", winner="C", winner_ideology=-0.7),
    make_event(LeadershipContest, "2016-09", winner="S", winner_ideology=0.2),
    make_event(
        LeadershipContest,
        "2020-04",
        winner="K",
        winner_ideology=-0.1,
        winner_faction="Labour to Win",
    ),
    make_event(LeadershipContest, "2021-01", outcome="challenge failed at nominations"),
    make_event(Agm, "2015-10"),
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
        make_event(LeadershipContest, "2015-09", winner_ideology=-0.25),
        make_event(LeadershipContest, "2016-09", winner_ideology=-0.15),
        make_event(LeadershipContest, "2017-09", winner_ideology=-0.15),
    ]
    # Centres: -0.2 in 2015, -0.1 in 2016; 2017 is not in the series, so 0.
    values = compute_outcomes(series, contests, ["contests_won_left", "contests_won_right"])
    assert values == {"contests_won_left": 3, "contests_won_right": 0}
    contests[1] = make_event(LeadershipContest, "2016-09", winner_ideology=-0.05)
    values = compute_outcomes(series, contests, ["contests_won_left", "contests_won_right"])
    assert values == {"contests_won_left": 2, "contests_won_right": 1}


def _trigger(month: str, mp: str, full: bool, result: str) -> TriggerBallot:
    return make_event(TriggerBallot, month, mp=mp, outcome={"full_selection": full}, result=result)


RESELECTION = [
    _trigger("2018-01", "A", True, "reselected in full selection"),
    _trigger("2018-01", "B", False, "reselected automatically"),
    _trigger("2018-02", "C", True, "deselected"),
    _trigger("2018-02", "D", False, "reselected automatically"),
    _trigger("2018-03", "F", True, "deselected"),
    make_event(Selection, "2018-05", reason="retirement", winner="X"),
    make_event(GeneralElection, "2019-12"),
    _trigger("2020-03", "G", True, "deselected"),
    make_event(Selection, "2020-06", reason="seat gained", winner="open seat winner"),
    make_event(GeneralElection, "2024-07"),
    make_event(ConferenceVote, "2018-09", passes=True),
    make_event(ConferenceVote, "2019-09", passes=False),
    make_event(ConferenceVote, "2021-09", passes=True),
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
        "trigger_ballots": 6,
        "trigger_ballots_lost": 4,  # A, C, F, G
        "selections": 2,
        "deselections": 3,  # C, F, G: open-seat selections replace nobody
        "conference_votes": 3,
        "rule_changes_passed": 2,
        "general_elections": 2,
    }


def test_deselection_rules_and_parliaments():
    assert is_deselection(_trigger("2018-01", "A", True, "deselected"))
    assert not is_deselection(_trigger("2018-01", "A", True, "reselected in full selection"))
    assert not is_deselection(make_event(Selection, winner="B"))  # an open seat
    assert not is_deselection(make_event(Agm))
    assert deselections_by_parliament(RESELECTION) == {0: 2, 1: 1, 2: 0}
    assert deselections_by_parliament([]) == {0: 0}
