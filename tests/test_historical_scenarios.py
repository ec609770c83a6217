"""The historical and counterfactual scenario files: they load, cite real data, follow history.

Citation syntax (model/validation/history.py): ``[data: PATH]`` where PATH is
dot-separated keys of labour_history.json (shipped in model/data/labour/), ``KEY[FIELD=VALUE]``
selects a list element by a field, ``KEY[N]`` by position. Every number in
these files carries ``[data: ...]``, ``[assumption...]`` or
``[calibrated: NAME]`` on its line.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

from model.calendar import Month
from model.scenario.schema import load_scenario
from model.validation.history import citations, load_history, published_value, resolve
from model.validation.scenarios import (
    COUNTERFACTUALS,
    HISTORICAL,
    MEASURED,
    SCENARIO_DIR,
    TWIN_2021,
    load_validation_scenarios,
)

FILES = [*HISTORICAL, *(c for c in COUNTERFACTUALS)]
TAGS = ("[data:", "[politics:", "[assumption", "[calibrated:")
POLITICS_RE = re.compile(r"\[politics:\s*((?:[^\[\]]|\[[^\]]*\])+?)\s*\]")
CALIBRATED_RE = re.compile(r"\[calibrated:\s*(1\s*-\s*)?([A-Za-z_0-9]+)\s*\]")

# What each counterfactual may change relative to its historical scenario.
ONE_CHANGE = {
    "counterfactual_2010_omov": ("labour_2010", {"rules.preset"}),
    "counterfactual_2015_no_rs": ("labour_2015", {"rules.overrides"}),
    "counterfactual_2015_2024_open_selection": ("labour_2015_2024", {"conference.scheduled"}),
}


@pytest.fixture(scope="module")
def data() -> dict[str, Any]:
    return load_history()


@pytest.fixture(scope="module")
def politics() -> dict[str, Any]:
    from model.validation.history import load_politics

    return load_politics()


def _text(name: str) -> str:
    return (SCENARIO_DIR / f"{name}.toml").read_text(encoding="utf-8")


def _code_part(line: str) -> str:
    """The line without its comment and without string contents."""
    code = re.sub(r'"[^"]*"', '""', line)
    return code.split("#", 1)[0]


@pytest.mark.parametrize("name", FILES)
def test_scenario_loads_and_is_named_after_its_file(name: str) -> None:
    scenario = load_scenario(SCENARIO_DIR / f"{name}.toml")
    assert scenario.scenario.name == name


def test_validation_loads_every_scenario_and_the_2021_twin() -> None:
    scenarios = load_validation_scenarios()
    assert set(scenarios) == {*FILES, *MEASURED, TWIN_2021}
    twin, college = scenarios[TWIN_2021], scenarios["counterfactual_2021_college"]
    assert twin.rules.preset == "labour_2021" and college.rules.preset == "college_thirds_2021"
    assert _diff(twin.model_dump(mode="json"), college.model_dump(mode="json")) <= {
        "scenario.name",
        "scenario.description",
        "rules.preset",
    }


@pytest.mark.parametrize("name", FILES)
def test_every_citation_points_into_the_data(name: str, data: dict[str, Any]) -> None:
    # "PATH" is the placeholder in the files' own explanation of the syntax.
    found = [path for path in citations(_text(name)) if path != "PATH"]
    assert len(found) >= 10, "a historical scenario cites the data throughout"
    bad = []
    for path in found:
        try:
            resolve(data, path)
        except (KeyError, ValueError) as err:
            bad.append(f"{path}: {err}")
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("name", FILES)
def test_behaviour_citations_point_into_the_politics_data(
    name: str, politics: dict[str, Any]
) -> None:
    bad = []
    for path in POLITICS_RE.findall(_text(name)):
        try:
            resolve(politics, path)
        except (KeyError, ValueError) as err:
            bad.append(f"{path}: {err}")
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("name", FILES)
def test_every_number_is_cited_or_marked(name: str) -> None:
    unmarked = []
    for number, line in enumerate(_text(name).splitlines(), start=1):
        code = _code_part(line)
        has_number = "=" in code and re.search(r"(?<![A-Za-z_])[-+]?\d", code.split("=", 1)[1])
        if has_number and not any(tag in line for tag in TAGS):
            unmarked.append(f"{number}: {line.strip()}")
    assert not unmarked, "numbers without [data: ...] / [assumption] / [calibrated: ...]:\n" + (
        "\n".join(unmarked)
    )


def test_citation_resolver_walks_selectors(data: dict[str, Any]) -> None:
    assert resolve(data, "membership.year_end_series[date=2015-12-31].members") == 388262
    assert resolve(data, "conference_and_affiliates.affiliation_changes[2]")["value"].startswith(
        "Unite cut"
    )
    assert published_value(data, "momentum_and_factions.membership_series[date=2017-10]")[
        "members"
    ] == (31000)
    for bad in (
        "membership.year_end_series[date=1999-12-31]",
        "leadership_elections.2011",
        "membership.year_end_series[99]",
        "membership..year_end_series",
    ):
        with pytest.raises((KeyError, ValueError)):
            resolve(data, bad)
    assert citations("x = 1  # [data: a.b[c=d].e] and [data: f.g]") == ["a.b[c=d].e", "f.g"]


def test_calibrated_values_agree_across_files() -> None:
    values: dict[str, set[float]] = {}
    for name in FILES:
        for line in _text(name).splitlines():
            tag = CALIBRATED_RE.search(line)
            if not tag or "=" not in _code_part(line):
                continue
            value = float(_code_part(line).split("=", 1)[1])
            if tag.group(1):
                value = 1.0 - value
            values.setdefault(tag.group(2), set()).add(round(value, 9))
    assert values, "the calibrated parameters are tagged"
    from model.validation.priors import load_priors

    known = {p.name for p in load_priors().parameter}
    assert set(values) <= known
    spread = {k: v for k, v in values.items() if len(v) > 1}
    assert not spread, f"a calibrated parameter has different values in different files: {spread}"


def _flat(obj: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(obj, dict):
        out: dict[str, Any] = {}
        for key, value in obj.items():
            out.update(_flat(value, f"{prefix}.{key}" if prefix else key))
        return out
    return {prefix: obj}


def _diff(a: dict[str, Any], b: dict[str, Any]) -> set[str]:
    fa, fb = _flat(a), _flat(b)
    return {k for k in fa.keys() | fb.keys() if fa.get(k) != fb.get(k)}


@pytest.mark.parametrize("cf", sorted(ONE_CHANGE))
def test_counterfactual_changes_one_thing(cf: str) -> None:
    base_name, allowed = ONE_CHANGE[cf]
    a = load_scenario(SCENARIO_DIR / f"{base_name}.toml").model_dump(mode="json")
    b = load_scenario(SCENARIO_DIR / f"{cf}.toml").model_dump(mode="json")
    changed = _diff(a, b) - {"scenario.name", "scenario.description"}
    assert changed, "a counterfactual must change something"
    outside = {k for k in changed if not any(k == p or k.startswith(p + ".") for p in allowed)}
    assert not outside, f"{cf} changes more than {allowed}: {sorted(outside)}"


def test_open_selection_counterfactual_changes_only_the_reselection_rule() -> None:
    a = load_scenario(SCENARIO_DIR / "labour_2015_2024.toml").conference.scheduled
    b = load_scenario(
        SCENARIO_DIR / "counterfactual_2015_2024_open_selection.toml"
    ).conference.scheduled
    assert [p.year for p in a] == [p.year for p in b]
    differs = [(x, y) for x, y in zip(a, b, strict=True) if x != y]
    assert {x.year for x, _ in differs} == {2018, 2021}
    (p2018_a, p2018_b), (p2021_a, p2021_b) = differs
    assert p2018_b.preset == "open_selection" and p2018_a.paths == p2018_b.paths
    assert "reselection" in p2021_a.paths and "reselection" not in p2021_b.paths


@pytest.mark.parametrize("name", HISTORICAL)
def test_history_is_not_fought_by_the_model(name: str) -> None:
    s = load_scenario(SCENARIO_DIR / f"{name}.toml")
    assert not s.conference.leader_proposes and not s.conference.faction_proposes
    assert not any(p.forced for p in s.conference.scheduled)  # proposed, not forced
    assert not s.challenges.enabled
    assert s.elections.resignation_probability == 0.0


@pytest.mark.parametrize("name", HISTORICAL)
def test_contest_results_fall_in_the_published_month(name: str, data: dict[str, Any]) -> None:
    s = load_scenario(SCENARIO_DIR / f"{name}.toml")
    assert s.contests.scheduled
    for contest in s.contests.scheduled:
        result = (
            Month.parse(contest.closes)
            if contest.closes
            else Month.parse(contest.month).plus(s.contests.duration_months)
        )
        year = str(result.year)
        announced = published_value(data, f"leadership_elections.{year}.result_announced")
        assert str(result) == announced[:7], (contest.month, announced)


def test_long_run_elections_use_the_published_seats(data: dict[str, Any]) -> None:
    s = load_scenario(SCENARIO_DIR / "labour_2015_2024.toml")
    seats = s.elections.historical_seats
    assert set(seats) == set(s.elections.dates)
    for month, n in seats.items():
        assert n == published_value(
            data, f"plp_and_constituencies.labour_seats_at_general_elections.{month[:4]}"
        )
    assert s.party.plp_size == published_value(
        data, "plp_and_constituencies.labour_seats_at_general_elections.2015"
    )


def test_rule_changes_arrive_in_the_right_years() -> None:
    s = load_scenario(SCENARIO_DIR / "labour_2015_2024.toml")
    by_year = {p.year: p for p in s.conference.scheduled}
    assert s.rules.preset == "labour_2014"
    assert by_year[2018].preset == "labour_2018" and "reselection" in by_year[2018].paths
    # 2021: the leader's changes as put to the unions, the college of thirds a part of them.
    assert by_year[2021].preset == "college_thirds_2021" and by_year[2021].proposer == "leader"
    assert "college of thirds" in by_year[2021].parts
    assert by_year[2017].changes["leadership.plp_threshold_vacancy"] == "10%"
    assert s.reselection.rounds == ["2019-09", "2022-06"]


def test_toml_files_parse_without_the_model() -> None:
    # The files are plain TOML that other tools can read.
    for name in FILES:
        assert tomllib.loads(_text(name))["scenario"]["name"] == name


def test_scenario_dir_is_the_repository_folder() -> None:
    assert Path(SCENARIO_DIR).name == "scenarios" and (SCENARIO_DIR / "default.toml").exists()
