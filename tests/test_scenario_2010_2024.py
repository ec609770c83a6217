"""The continuous 2010-2024 scenario: sourced throughout, nothing forced, history as proposals.

``[politics: PATH]`` cites labour_politics.json (the packaged copy in model/data/labour) with the same
path syntax as ``[data: PATH]`` (labour_history.json); both are checked
here for this scenario, and ``[politics: ...]`` for every historical one.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from model.calendar import Month
from model.scenario.schema import load_scenario
from model.validation.history import citations, load_history, load_politics, resolve
from model.validation.scenarios import HISTORICAL, SCENARIO_DIR

NAME = "labour_2010_2024"
POLITICS_RE = re.compile(r"\[politics:\s*((?:[^\[\]]|\[[^\[\]]*\])+?)\s*\]")
TAGS = ("[data:", "[politics:", "[assumption", "[calibrated:")


def _text(name: str) -> str:
    return (SCENARIO_DIR / f"{name}.toml").read_text(encoding="utf-8")


def _code_part(line: str) -> str:
    return re.sub(r'"[^"]*"', '""', line).split("#", 1)[0]


@pytest.fixture(scope="module")
def politics() -> dict[str, Any]:
    return load_politics()


def test_loads_and_starts_in_2010_under_the_2010_rules():
    s = load_scenario(SCENARIO_DIR / f"{NAME}.toml")
    assert s.scenario.name == NAME
    assert s.calendar.start == "2010-05" and s.start.plus(s.calendar.months - 1) == Month(2024, 12)
    assert s.rules.preset == "labour_2010" and not s.rules.overrides


def test_history_is_proposed_not_forced():
    s = load_scenario(SCENARIO_DIR / f"{NAME}.toml")
    c = s.conference
    assert c.stances == "interests" and c.balance is None
    assert not c.leader_proposes and not c.faction_proposes
    assert not any(p.forced for p in c.scheduled)
    assert all(p.direction is None for p in c.scheduled)
    factions = {f.name for f in s.factions}
    assert {p.proposer for p in c.scheduled} <= {"leader", "nec"} | factions
    titles = [p.title for p in c.scheduled]
    assert any("Refounding" in t for t in titles) and any("Collins" in t for t in titles)
    collins = next(p for p in c.scheduled if "Collins" in p.title)
    assert collins.special_conference == "2014-03" and collins.tabled == "2013-07"
    starmer = next(p for p in c.scheduled if p.year == 2021)
    assert "college of thirds" in starmer.parts and starmer.preset == "college_thirds_2021"


@pytest.mark.parametrize("name", [NAME, "labour_2020_2024"])
def test_every_number_is_cited_or_marked(name: str) -> None:
    unmarked = []
    for number, line in enumerate(_text(name).splitlines(), start=1):
        code = _code_part(line)
        has_number = "=" in code and re.search(r"(?<![A-Za-z_])[-+]?\d", code.split("=", 1)[1])
        if has_number and not any(tag in line for tag in TAGS):
            unmarked.append(f"{number}: {line.strip()}")
    assert not unmarked, "\n".join(unmarked)


@pytest.mark.parametrize("name", [NAME, "labour_2020_2024"])
def test_data_citations_resolve(name: str) -> None:
    data = load_history()
    found = [p for p in citations(_text(name)) if p != "PATH"]
    assert len(found) >= 20
    bad = []
    for path in found:
        try:
            resolve(data, path)
        except (KeyError, ValueError) as err:
            bad.append(f"{path}: {err}")
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("name", [NAME, "labour_2020_2024", *HISTORICAL])
def test_politics_citations_resolve(name: str, politics: dict[str, Any]) -> None:
    found = [m.group(1).strip() for m in POLITICS_RE.finditer(_text(name))]
    found = [p for p in found if p != "PATH"]
    bad = []
    for path in found:
        try:
            resolve(politics, path)
        except (KeyError, ValueError) as err:
            bad.append(f"{path}: {err}")
    assert not bad, "\n".join(bad)


def test_union_leaderships_change_on_the_sources_dates(politics: dict[str, Any]) -> None:
    s = load_scenario(SCENARIO_DIR / f"{NAME}.toml")
    by_name = {u.name: u for u in s.unions}
    unite = [g.name for g in by_name["Unite"].general_secretaries]
    assert unite == ["Len McCluskey", "Sharon Graham"]
    assert (
        by_name["UNISON"].decided_by == "committee" and by_name["GMB"].decided_by == "consultation"
    )
    assert not by_name["BECTU"].nominates
    assert by_name["FBU"].levy_payers == 0 and by_name["FBU"].affiliation[0].month == "2015-11"
    assert {u.name for u in s.unions if not u.is_union} >= {"Socialist Health Association"}
    listed = {u["union"] for u in politics["unions"]["general_secretaries"]}
    for union in s.unions:
        if union.general_secretaries:
            assert union.name in listed


def test_nec_elections_and_deputy_contests_are_the_published_ones() -> None:
    s = load_scenario(SCENARIO_DIR / f"{NAME}.toml")
    months = [e.month for e in s.nec.elections]
    assert {"2016-08", "2018-09", "2020-11", "2022-09", "2024-09"} <= set(months)
    assert [c.month[:4] for c in s.deputy.scheduled] == ["2015", "2020"]
    assert {d.changes.get("nec.clp_section_system") for d in s.nec.decisions} >= {"stv"}


def test_the_2020_start_is_the_party_starmer_led() -> None:
    s = load_scenario(SCENARIO_DIR / "labour_2020_2024.toml")
    assert s.leader.name == "Keir Starmer" and s.rules.preset == "labour_2020"
    assert not s.contests.scheduled and not s.deputy.scheduled
    assert sum(c.weight for c in s.members.ideology) == pytest.approx(1.0)
    assert len(s.unions) == 12 and sum(s.nec.initial.values()) == 9
    (proposal,) = s.conference.scheduled
    assert proposal.year == 2021 and not proposal.forced and "college of thirds" in proposal.parts


def test_collins_reaches_and_passes_conference_at_small_scale_too() -> None:
    # The 2015 scale gap (docs/calibration.md, Scale, tenth round): the leader's 2013
    # forecast judged every unaligned delegation by its median member, which at small
    # scale is the median of a few dozen simulated members; in about a quarter of runs at
    # 0.1 its noise sank the forecast, Collins was withdrawn and 2015 was held under the
    # college. With each delegation's own lean (conference.delegate_sd) it passes as at
    # full scale (none withdrawn in 30 full-scale runs).
    from model import PartyModel
    from model.scenario.schema import parse_scenario

    base = load_scenario(SCENARIO_DIR / "labour_2010_2024.toml")
    months = Month.parse(base.calendar.start).months_until(Month.parse("2014-04"))
    passed = 0
    for seed in range(1, 21):
        data = base.model_dump()
        data["party"]["scale"] = 0.1
        party = PartyModel(parse_scenario(data), rng=seed)
        party.run_for(months)
        votes = [v for v in party.events.of_type("conference_vote") if "Collins" in v.title]
        passed += bool(votes) and votes[0].passes
    assert passed >= 18  # 14 of 20 without the leans
