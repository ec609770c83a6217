"""The wired model: schedule, AGMs as events, series, reproducibility."""

from __future__ import annotations

import numpy as np

from model.party import PartyModel
from tests.conftest import small_scenario


def test_month_schedule_and_series(small):
    party = PartyModel(small, rng=1)
    party.run_for(14)
    series = party.series()
    assert len(series) == 14
    assert series["date"].iloc[0] == small.calendar.start
    assert party.now == small.start.plus(13)
    for col in [
        "members_full",
        "registered_supporters",
        "ideology_median",
        "plp_median",
        "leader_ideology",
        "member_plp_gap",
        "clps_momentum",
        "clps_unaligned",
        "faction_momentum",
    ]:
        assert col in series.columns
    clp_columns = [c for c in series.columns if c.startswith("clps_")]
    assert (series[clp_columns].sum(axis=1) == small.party.clps).all()


def test_every_clp_holds_one_agm_a_year(small):
    party = PartyModel(small, rng=2)
    party.run_for(12)
    agms = party.events.of_type("agm")
    assert sorted(r.clp for r in agms) == list(range(small.party.clps))
    assert all(r.decided_by == "meeting" for r in agms)
    for rec in agms:
        assert int(rec.month[5:]) == party.clps.agm_month[rec.clp]
        assert rec.attendees == sum(rec.votes.values()) <= rec.eligible


def test_agm_control_is_a_majority_of_the_executive_places(small):
    party = PartyModel(small, rng=4)
    party.run_for(12)
    places = small.meetings.executive_places
    factions = [f.name for f in small.factions]
    for rec in party.events.of_type("agm"):
        assert sum(rec.places.values()) == places
        majority = [f for f in factions if 2 * rec.places[f] > places]
        assert rec.control_after == (majority[0] if majority else "unaligned")
        assert party.clps.places[rec.clp].tolist() == list(rec.places.values()) or (
            rec.clp in [r.clp for r in party.events.of_type("agm") if r.month > rec.month]
        )


def test_targeting_raises_faction_attendance():
    # A faction with organisers for every CLP and strong mobilisation ends up
    # with more executive places than the same faction with none (one dotted
    # path edits the faction in the list).
    def places_won(organisers: int, mobilisation: float) -> int:
        scenario = small_scenario(calendar={"months": 24}).with_changes(
            {
                "factions.Momentum.organisers": organisers,
                "factions.Momentum.mobilisation": mobilisation,
            }
        )
        party = PartyModel(scenario, rng=5)
        party.run_for(24)
        return int(party.series()["places_momentum"].iloc[-1])

    assert places_won(632, 4.0) > places_won(0, 1.0)


def test_lapsed_members_stay_as_rows(small):
    party = PartyModel(small, rng=6)
    rows_before = len(party.members)
    party.run_for(6)
    m = party.members
    assert len(m) >= rows_before
    lapsed = np.flatnonzero(~m.active)
    assert lapsed.size > 0
    assert (m.left[lapsed] >= 1).all()


def test_same_seed_same_run_different_seed_different_run(small):
    def run(seed):
        party = PartyModel(small, rng=seed)
        party.run_for(12)
        return party.series(), list(party.events)

    a_series, a_events = run(11)
    b_series, b_events = run(11)
    c_series, _ = run(12)
    assert a_series.equals(b_series)
    assert a_events == b_events
    assert not a_series.equals(c_series)


def test_leader_is_the_named_mp(small):
    party = PartyModel(small, rng=7)
    assert party.leader.name == small.leader.name
    assert party.leader in party.sitting_mps
    # The PLP sits in the seats Labour won in 2015 among the 60 sampled.
    assert len(party.sitting_mps) == int(party.clps.seat_held.sum())
    assert {mp.clp for mp in party.sitting_mps} == set(party.clps.seat_held.nonzero()[0])
