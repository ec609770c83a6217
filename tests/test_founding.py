"""A faction exists from its founding month: before it, it holds nothing."""

from __future__ import annotations

from model.party import PartyModel
from model.scenario import load_scenario
from tests.conftest import REPO


def test_momentum_holds_nothing_before_october_2015():
    scenario = load_scenario(REPO / "scenarios" / "labour_2015_2024.toml")
    scenario = scenario.with_changes(party={"scale": 0.02}, calendar={"months": 8})
    party = PartyModel(scenario, rng=3)
    assert not (party.members.faction == 0).any()  # Momentum is faction 0
    assert all(mp.faction != 0 for mp in party.mps)
    party.run_for(8)
    s = party.series().set_index("date")
    assert (s.loc[:"2015-09", "clps_momentum"] == 0).all()
    assert (s.loc[:"2015-09", "places_momentum"] == 0).all()
    assert (s.loc[:"2015-09", "faction_momentum"] == 0).all()
    # ...and it recruits once founded.
    assert s.loc["2015-12", "faction_momentum"] > 0


def test_a_faction_takes_in_the_mps_drawn_for_it_when_it_is_founded():
    scenario = load_scenario(REPO / "scenarios" / "labour_2015_2024.toml")
    scenario = scenario.with_changes(party={"scale": 0.02}, calendar={"months": 8})
    party = PartyModel(scenario, rng=3)
    waiting = party.institutions["organising"].waiting_mps.get(0, [])
    assert waiting  # MPs near Momentum's line, drawn with its mp_affinity at the start
    party.run_for(8)
    s = party.series().set_index("date")
    assert (s.loc[:"2015-09", "plp_momentum"] == 0).all()
    joined = [mp for mp in waiting if mp.faction == 0]
    assert joined and s.loc["2015-10", "plp_momentum"] >= len(joined)
    line, radius = party.state.faction_lines[0], scenario.factions[0].recruit_radius
    assert all(abs(mp.ideology - line) <= radius for mp in joined)
    assert not party.institutions["organising"].waiting_mps  # taken in once


def test_a_faction_not_yet_founded_changes_nothing_before_its_founding():
    # Its recruitment and churn act from its founding: a run that differs
    # only in them draws the same numbers until then, so profiles of them
    # compare like with like.
    base = load_scenario(REPO / "scenarios" / "labour_2015_2024.toml").with_changes(
        party={"scale": 0.02}, calendar={"months": 5}
    )
    data = base.model_dump(mode="json")
    data["factions"][0]["churn"] = 0.04  # Momentum, founded 2015-10
    data["factions"][0]["recruitment_rate"] = 0.007
    other = type(base).model_validate(data)
    a, b = PartyModel(base, rng=5), PartyModel(other, rng=5)
    a.run_for(5)
    b.run_for(5)
    assert a.series().equals(b.series())
    assert (a.members.ideology == b.members.ideology).all()
