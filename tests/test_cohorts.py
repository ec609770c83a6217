"""Members' votes by length of membership: the tally, the record, the measures."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from model.mechanisms import contests
from model.records.events import LeadershipContest, event_from_dict
from model.validation.measures import RunData, cohort_share, excess_over
from model.validation.patterns import _smith_leads_old_members_2016


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(-1, 3),  # first preference (-1: none)
            st.integers(-30, 12),  # joining month
            st.booleans(),  # in the members' section
            st.booleans(),  # joining month held
        ),
        max_size=60,
    )
)
def test_the_tally_by_joining_month_matches_a_loop(voters: list) -> None:
    first = np.array([v[0] for v in voters], dtype=int)
    joined = np.array([v[1] if v[3] else contests.NOT_RECORDED for v in voters], dtype=np.int32)
    member = np.array([v[2] for v in voters], dtype=bool)
    got = contests.members_by_joined(first, joined, member, 4)
    expected: dict[int, list[int]] = {}
    for f, j, m, held in voters:
        if m and held and f >= 0:
            expected.setdefault(j, [0, 0, 0, 0])[f] += 1
    assert got == dict(sorted(expected.items()))
    assert list(got) == sorted(got)


def test_a_roll_keeps_joining_months_through_concat() -> None:
    members = contests.VoterRoll.of("members", np.zeros(3), 1.0, joined=np.array([-5, 2, 7]))
    mps = contests.VoterRoll.of("members", np.zeros(2), 1.0)
    roll = contests.VoterRoll.concat([members, mps])
    assert roll.joined is not None
    assert roll.joined.tolist() == [-5, 2, 7, contests.NOT_RECORDED, contests.NOT_RECORDED]
    assert contests.VoterRoll.concat([mps, mps]).joined is None


def _contest(by_month: dict[str, dict[str, int]] | None) -> LeadershipContest:
    return LeadershipContest(
        month="2016-09",
        decided_by="ballot",
        kind="challenge",
        opened="2016-07",
        outcome="ballot",
        rules="r",
        rules_label="r",
        electorate_rule="omov",
        nominations={},
        on_ballot=["Jeremy Corbyn", "Owen Smith"],
        previous_leader="Jeremy Corbyn",
        winner="Jeremy Corbyn",
        winner_faction=None,
        winner_ideology=-0.8,
        count={"rounds": []},
        members_by_joining_month=by_month,
    )


BY_MONTH = {
    "2009-03": {"Jeremy Corbyn": 10, "Owen Smith": 30},
    "2015-04": {"Jeremy Corbyn": 5, "Owen Smith": 5},
    "2015-05": {"Jeremy Corbyn": 40, "Owen Smith": 10},
    "2015-11": {"Jeremy Corbyn": 20, "Owen Smith": 0},
}


def test_cohorts_split_at_the_cut_month() -> None:
    rec = _contest(BY_MONTH)
    before, since = rec.members_by_cohort(["2015-05"])
    assert before == {"Jeremy Corbyn": 15, "Owen Smith": 35}
    assert since == {"Jeremy Corbyn": 60, "Owen Smith": 10}
    three = rec.members_by_cohort(["2015-05", "2015-09"])
    assert three[1] == {"Jeremy Corbyn": 40, "Owen Smith": 10}
    assert three[2] == {"Jeremy Corbyn": 20, "Owen Smith": 0}
    # Every member is in exactly one cohort, whatever the cuts.
    for cuts in ([], ["2001-01"], ["2015-05", "2015-06", "2030-01"]):
        totals = [sum(c.values()) for c in rec.members_by_cohort(cuts)]
        assert sum(totals) == 120


def test_the_record_round_trips_through_json() -> None:
    rec = _contest(BY_MONTH)
    again = event_from_dict(rec.to_dict())
    assert again == rec
    assert "members_by_joining_month" not in _contest(None).to_dict()


def test_the_cohort_measures_and_the_bound() -> None:
    import pandas as pd

    run = RunData(pd.DataFrame({"date": []}), [_contest(BY_MONTH)], scale=1.0)
    old = cohort_share("2016-09", "Jeremy Corbyn", ("2015-05",), 0)(run)
    new = cohort_share("2016-09", "Jeremy Corbyn", ("2015-05",), 1)(run)
    assert old == 30.0 and math.isclose(new, 600 / 7)
    over = excess_over(50.0, cohort_share("2016-09", "Jeremy Corbyn", ("2015-05",), 0))
    assert over(run) == 0.0
    assert excess_over(20.0, cohort_share("2016-09", "Jeremy Corbyn", ("2015-05",), 0))(run) == 10.0
    assert _smith_leads_old_members_2016({"2016_cohort_before_2015_corbyn_over_half": 0.0})
    assert not _smith_leads_old_members_2016({"2016_cohort_before_2015_corbyn_over_half": 4.0})
    # No contest, or no joining months recorded: nothing to measure.
    empty = RunData(pd.DataFrame({"date": []}), [_contest(None)], scale=1.0)
    assert math.isnan(cohort_share("2016-09", "Jeremy Corbyn", ("2015-05",), 0)(empty))
    assert math.isnan(over(RunData(pd.DataFrame({"date": []}), [], scale=1.0)))


def test_a_run_records_every_voting_member_by_joining_month(small) -> None:
    from model.party import PartyModel

    scenario = small.with_changes(
        contests={
            "scheduled": [
                {
                    "month": "2017-01",
                    "kind": "vacancy",
                    "candidates": [
                        {"name": "Left", "ideology": -0.6, "valence": 0.3},
                        {"name": "Right", "ideology": 0.3, "valence": 0.3},
                    ],
                }
            ]
        }
    )
    model = PartyModel(scenario, rng=3)
    model.run_for(8)
    ballots = [e for e in model.state.events if isinstance(e, LeadershipContest) and e.balloted]
    assert ballots
    rec = ballots[0]
    assert rec.members_by_joining_month
    by_type = rec.first_round_by_type["members"]
    cohorts = rec.members_by_cohort([])
    # MPs vote as members under OMOV but have no joining month: the cohorts
    # hold the members' section less the MPs' first preferences.
    mps = sum(by_type.values()) - sum(cohorts[0].values())
    assert 0 <= mps <= len(model.state.sitting_mps)


def test_the_series_counts_members_by_when_they_joined() -> None:
    # Each month's counts are the full members who joined before the last
    # general election held and before the sitting leader took office: what
    # the table says, checked month by month against the members themselves.
    from model.calendar import Month
    from model.party import PartyModel
    from tests.conftest import small_scenario

    scenario = small_scenario()
    party = PartyModel(scenario, rng=4)
    state = party.state
    seen_election = False
    for _ in range(30):
        party.step()
        row = party.series().iloc[-1]
        m = state.members
        joined = m.joined[m.full_member_ids()]
        held = [at for at in state.election_times if at <= state.time]
        seen_election |= bool(held)
        cut = max(held, default=0)
        assert row["members_before_last_election"] == np.count_nonzero(joined < cut)
        assert row["members_before_leader"] == np.count_nonzero(joined < max(state.leader_since, 0))
        assert 0 <= row["members_before_leader"] <= row["members_full"]
    assert seen_election, "the scenario should hold an election within 30 months"
    assert str(state.now) > str(Month.parse(scenario.calendar.start))


def test_share_of_members_reads_the_series() -> None:
    import pandas as pd

    from model.validation.measures import share_of_members

    series = pd.DataFrame(
        {
            "date": ["2015-11", "2015-12"],
            "members_full": [400, 500],
            "members_before_leader": [300, 200],
        }
    )
    run = RunData(series=series, events=[], scale=0.1)
    assert share_of_members("members_before_leader", "2015-12")(run) == 40.0
    assert math.isnan(share_of_members("members_before_leader", "2016-01")(run))
    assert math.isnan(share_of_members("no_such_column", "2015-12")(run))


def test_composition_baselines_are_the_published_memberships() -> None:
    # Each "nobody lapsed" baseline is recomputed from the record it cites.
    from model.validation.catalogue import target
    from model.validation.cohort_targets import NO_LAPSE_BASELINES
    from model.validation.history import load_history, published_value

    data = load_history()
    flows = "politics:membership_flows.events"
    year_end = {
        r["date"][:4]: r["members"] for r in published_value(data, "membership.year_end_series")
    }
    start_2015 = published_value(data, f"{flows}[0]")["members_start"]
    corbyn_elected = published_value(data, f"{flows}[2]")["total"]
    january_2020 = 105_000  # "more than 100,000 (105,000 by mid-January)"
    assert "105,000" in published_value(data, f"{flows}[8]")["joined"]
    assert {
        "2015-12": (start_2015, year_end["2015"]),
        "2017-02": (corbyn_elected, year_end["2016"]),
        "2020-02": (year_end["2019"], year_end["2019"] + january_2020),
    } == NO_LAPSE_BASELINES
    assert target("composition_2015_before_election").published(data) == 52
    assert target("composition_2017_before_leader").published(data) == pytest.approx(39.1, abs=0.05)
    assert target("composition_2020_before_election").published(data) == pytest.approx(
        100 * (574 + 248) / (201 + 574 + 248)
    )
