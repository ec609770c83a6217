"""CLP nominations over the NEC's window: each CLP meets on a day of it, on that month's members."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from model.calendar import Month, window_by_month
from model.institutions.leadership import Leadership
from model.mechanisms import meetings
from model.party import PartyModel
from model.scenario.schema import ScenarioError, parse_scenario
from tests.test_contests import with_contests

# --- the window across months ------------------------------------------------------


@given(
    start=st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 12, 31)),
    length=st.integers(min_value=0, max_value=200),
    lead=st.integers(min_value=-3, max_value=3),
)
def test_each_month_gets_its_share_of_the_windows_days(start, length, lead):
    closes = start + timedelta(days=length)
    first = Month(start.year, start.month).plus(lead)
    if Month(closes.year, closes.month) < first:
        with pytest.raises(ValueError, match="before"):
            window_by_month(start, closes, first)
        return
    shares = window_by_month(start, closes, first)
    months = [month for month, _ in shares]
    assert months == sorted(months) and len(set(months)) == len(months)
    assert months[0] == max(first, Month(start.year, start.month))
    assert months[-1] == Month(closes.year, closes.month)
    assert sum(share for _, share in shares) == pytest.approx(1.0)
    # An independent count: each day falls in its own month, or in `first` if earlier.
    total = length + 1
    for month, share in shares:
        days = sum(
            1
            for k in range(total)
            if max(Month((d := start + timedelta(days=k)).year, d.month), first) == month
        )
        assert share == pytest.approx(days / total)


def test_the_2015_window_falls_mostly_in_july():
    (june, a), (july, b) = window_by_month(date(2015, 6, 15), date(2015, 7, 31), Month(2015, 6))
    assert (june, july) == (Month(2015, 6), Month(2015, 7))
    assert (a, b) == pytest.approx((16 / 47, 31 / 47))


def test_a_window_that_closes_before_it_opens_is_refused():
    with pytest.raises(ValueError, match="before it opens"):
        window_by_month(date(2015, 7, 31), date(2015, 6, 15), Month(2015, 6))


# --- the scenario ----------------------------------------------------------------------


FIELD = [
    {"name": "Left", "ideology": -0.6, "valence": 0.5},
    {"name": "Centre", "ideology": 0.0, "valence": 0.5},
]


def scenario_with(preset, window, field=FIELD, **changes):
    contest = {"month": "2016-11", "closes": "2017-02", "kind": "vacancy", "candidates": field}
    if window is not None:
        contest["clp_nominations"] = window
    changes = {"lend_share": 0.5, "campaign_shock_sd": 0.0, **changes}
    return with_contests(preset, [contest], **changes)


@pytest.mark.parametrize(
    ("window", "problem"),
    [
        ({"opens": "2016-11-20", "closes": "2017-02-03"}, "not in the months from the opening"),
        ({"opens": "2016-12-20", "closes": "2016-11-25"}, "before opens"),
    ],
)
def test_a_window_the_contest_cannot_hold_is_refused_naming_the_key(window, problem):
    data = scenario_with("labour_2014", None).model_dump()
    data["contests"]["scheduled"][0]["clp_nominations"] = window
    with pytest.raises(ScenarioError) as error:
        parse_scenario(data)
    text = str(error.value)
    assert "contests.scheduled.0.clp_nominations.closes" in text and problem in text


# --- the model -------------------------------------------------------------------------


def meeting_months(monkeypatch, scenario, months=6, seed=3):
    """Run; return {model month: ids of the nominating meetings' attenders} and the party."""
    seen: dict[str, list[np.ndarray]] = {}
    attenders = meetings.attenders
    party_ref: list[PartyModel] = []

    def spy(self, field_, rules, rng, *, challenge=False, holding=None):
        def record(ids, chance, scale, rng_, typical=None):
            voters, counts = attenders(ids, chance, scale, rng_, typical)
            seen.setdefault(str(party_ref[0].state.now)[:7], []).append(voters)
            return voters, counts

        monkeypatch.setattr(meetings, "attenders", record)
        try:
            return original(self, field_, rules, rng, challenge=challenge, holding=holding)
        finally:
            monkeypatch.setattr(meetings, "attenders", attenders)

    original = Leadership._clp_nominating_meetings
    monkeypatch.setattr(Leadership, "_clp_nominating_meetings", spy)
    party = PartyModel(scenario, rng=seed)
    party_ref.append(party)
    party.run_for(months)
    return seen, party


def test_without_a_window_every_clp_meets_in_the_opening_month(monkeypatch):
    seen, _ = meeting_months(monkeypatch, scenario_with("labour_2014", None))
    assert list(seen) == ["2016-11"]


def test_clps_meet_across_the_window_and_later_meetings_see_later_joiners(monkeypatch):
    window = {"opens": "2016-11-20", "closes": "2016-12-31"}
    scenario = scenario_with("labour_2014", window, clp_nominating_share=1.0)
    seen, party = meeting_months(monkeypatch, scenario)
    assert list(seen) == ["2016-11", "2016-12"]
    (rec,) = party.events.of_type("leadership_contest")
    noms = rec.nominations
    # Every CLP meets once (share 1.0): about 31/42 of them in December.
    clps = len(party.state.clps)
    assert noms["clps_nominating"] <= clps
    m = party.state.members
    december_clps = len(np.unique(m.clp[np.concatenate(seen["2016-12"])]))
    november_clps = len(np.unique(m.clp[np.concatenate(seen["2016-11"])]))
    assert november_clps + december_clps <= clps
    assert 0.5 < december_clps / clps < 0.95
    # December's meetings admit members who joined after the contest opened.
    opened = party.state.time_of(Month(2016, 11))
    assert np.any(m.joined[np.concatenate(seen["2016-12"])] > opened)
    assert not np.any(m.joined[np.concatenate(seen["2016-11"])] > opened)
    assert sum(noms["clps"].values()) == noms["clps_nominating"]


def test_where_clps_decide_the_ballot_the_field_is_settled_when_the_window_closes(monkeypatch):
    # A fringe candidate the PLP lets through but no CLP or affiliate backs:
    # on the provisional field while CLPs meet, off the ballot once they have.
    field = [*FIELD, {"name": "Fringe", "ideology": 0.95, "valence": -1.5}]
    window = {"opens": "2016-11-15", "closes": "2016-12-14"}
    scenario = scenario_with(
        "labour_2020", window, field=field, clp_nominating_share_binding=1.0, lend_share=1.0
    )
    party = PartyModel(scenario, rng=3)
    opened = scenario.start.months_until(Month(2016, 11)) + 1
    party.run_for(opened)
    contest = party.state.contest
    assert contest is not None and "Fringe" in [c.name for c in contest.on_ballot]
    assert contest.nominations.qualified == []  # not decided yet
    party.run_for(1)  # December: the rest meet, and the window closes
    contest = party.state.contest
    assert contest is not None
    names = [c.name for c in contest.on_ballot]
    assert "Fringe" not in names and {"Left", "Centre"} <= set(names)
    party.run_for(3)
    (rec,) = party.events.of_type("leadership_contest")
    assert "Fringe" not in rec.on_ballot and rec.decided_by == "ballot"
    assert rec.nominations["qualified"]["Fringe"]["qualified"] is False


@pytest.mark.parametrize("months", [None, 2])
def test_members_in_their_provisional_period_take_no_part(monkeypatch, months):
    # 2020: only members past eight weeks' provisional membership could attend.
    data = scenario_with("labour_2020", None, clp_nominating_share=1.0).model_dump()
    if months is not None:
        data["rules"]["overrides"] = {"leadership.nominating_meeting_months": months}
    seen, party = meeting_months(monkeypatch, parse_scenario(data))
    (voters,) = seen["2016-11"]
    opened = party.state.time_of(Month(2016, 11))
    recent = party.state.members.joined[voters] > opened - 2
    if months is None:
        assert recent.any()  # the month's joiners and the last month's are there
    else:
        assert not recent.any()


def deputy_scenario(window):
    data = scenario_with("labour_2014", None).model_dump()
    data["contests"]["scheduled"] = []
    data["contests"]["clp_nominating_share"] = 1.0
    deputy = {"month": "2016-11", "candidates": FIELD}
    if window is not None:
        deputy["clp_nominations"] = window
    data["deputy"]["scheduled"] = [deputy]
    return data


def test_a_deputy_contests_clps_meet_across_its_window_too(monkeypatch):
    window = {"opens": "2016-11-20", "closes": "2016-12-31"}
    seen, party = meeting_months(monkeypatch, parse_scenario(deputy_scenario(window)))
    assert list(seen) == ["2016-11", "2016-12"]
    (rec,) = party.events.of_type("deputy_contest")
    assert rec.decided_by == "ballot"
    assert sum(rec.nominations["clps"].values()) == rec.nominations["clps_nominating"] > 0


def test_without_a_window_a_deputy_contests_clps_meet_in_its_opening_month(monkeypatch):
    seen, _ = meeting_months(monkeypatch, parse_scenario(deputy_scenario(None)))
    assert list(seen) == ["2016-11"]


def test_a_deputy_window_closing_with_the_result_is_refused():
    data = deputy_scenario({"opens": "2016-11-20", "closes": "2017-02-10"})
    with pytest.raises(ScenarioError, match=r"deputy\.scheduled\.0\.clp_nominations\.closes"):
        parse_scenario(data)
