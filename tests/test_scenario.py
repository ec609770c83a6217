"""Scenario loading: every kind of bad input gives one clear message."""

from __future__ import annotations

import pickle
import tomllib
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from model.cli.args import FlagError
from model.counting.textio import BallotFileError
from model.scenario.paths import PathError
from model.scenario.schema import (
    ScenarioError,
    load_scenario,
    members_per_clp_note,
    parse_scenario,
    smallest_scale,
)
from model.study.experiment import ExperimentError
from model.validation.priors import PriorError
from tests.conftest import DEFAULT_SCENARIO


def default_data() -> dict:
    return tomllib.loads(DEFAULT_SCENARIO.read_text())


def problems_of(data: dict) -> str:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(data, source="test.toml")
    message = str(info.value)
    assert "test.toml" in message
    return message


def test_default_scenario_loads():
    scenario = load_scenario(DEFAULT_SCENARIO)
    assert scenario.party.clps == 632  # every seat in Great Britain
    assert scenario.start.year == 2016


def test_unknown_key_names_path_and_allowed_keys():
    data = default_data()
    data["party"]["sclae"] = 0.5
    message = problems_of(data)
    assert "party.sclae: unknown key" in message
    assert "scale" in message and "plp_size" in message


def test_unknown_section():
    data = default_data()
    data["partty"] = {}
    assert "partty: unknown key" in problems_of(data)


def test_wrong_type():
    data = default_data()
    data["party"]["clps"] = "many"
    message = problems_of(data)
    assert "party.clps" in message and "integer" in message


def test_out_of_range():
    data = default_data()
    data["party"]["scale"] = 5.0
    message = problems_of(data)
    assert "party.scale" in message and "less than or equal to 2" in message


def test_share_out_of_range_in_list_item():
    data = default_data()
    data["factions"][0]["slate_discipline"] = 1.5
    assert "factions.0.slate_discipline" in problems_of(data)


def test_mixture_weights_must_sum_to_one():
    data = default_data()
    data["members"]["ideology"][0]["weight"] = 0.9
    message = problems_of(data)
    assert "members.ideology" in message and "sum to 1" in message


def test_faction_shares_must_not_exceed_one():
    data = default_data()
    data["factions"][0]["member_share"] = 0.7
    data["factions"][1]["member_share"] = 0.6
    assert "member_share must sum to at most 1" in problems_of(data)


def test_missing_key():
    data = default_data()
    del data["calendar"]["months"]
    assert "calendar.months: required key is missing" in problems_of(data)


def test_bad_month():
    data = default_data()
    data["calendar"]["start"] = "2016-13"
    message = problems_of(data)
    assert "calendar.start" in message and "YYYY-MM" in message


def test_plp_size_must_match_the_real_starting_result():
    data = default_data()
    data["party"]["plp_size"] = 600
    message = problems_of(data)
    assert "party.plp_size: 600 is not the 232 seats Labour won at the 2015" in message
    assert "got {" not in message  # no dump of the whole scenario


def test_more_clps_than_seats_in_great_britain():
    data = default_data()
    data["party"]["clps"] = 650
    assert "party.clps" in problems_of(data) and "632" in problems_of(data)


def test_unknown_rules_preset_names_the_known_ones():
    data = default_data()
    data["rules"]["preset"] = "labour_1066"
    message = problems_of(data)
    assert "rules" in message and "labour_1066" in message and "labour_2014" in message


def test_missing_file(tmp_path: Path):
    with pytest.raises(ScenarioError) as info:
        load_scenario(tmp_path / "nope.toml")
    assert "nope.toml" in str(info.value) and "file not found" in str(info.value)


def test_not_toml(tmp_path: Path):
    bad = tmp_path / "bad.toml"
    bad.write_text("this is [not toml\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(bad)
    assert "bad.toml" in str(info.value) and "not valid TOML" in str(info.value)


def test_with_changes_revalidates():
    scenario = load_scenario(DEFAULT_SCENARIO)
    assert scenario.with_changes(party={"scale": 0.5}).party.scale == 0.5
    with pytest.raises(ScenarioError):
        scenario.with_changes(party={"scale": -1})


# --- messages that name the key ---------------------------------------------------------


def test_cross_field_problems_name_their_key_in_one_short_line():
    data = default_data()
    data["factions"][1]["name"] = data["factions"][0]["name"]
    data["contests"] = {"candidates": [3, 2]}
    message = problems_of(data)
    lines = message.splitlines()
    assert lines[0] == "invalid scenario test.toml:"
    assert "  factions: the name 'Momentum' is used twice; names must be unique" in lines
    assert "  contests.candidates: [3, 2]; allowed: [low, high] with 1 <= low <= high" in lines
    # No dump of the whole scenario (it used to be a 3 KB line with an empty key path).
    assert len(message) < 400 and "'scenario':" not in message and "\n  : " not in message


def test_a_table_level_problem_names_the_field():
    data = default_data()
    data["party"]["plp_size"] = 600
    message = problems_of(data)
    assert "party.plp_size: 600 is not the 232 seats Labour won" in message
    assert "got {" not in message  # the whole scenario is not repeated


def test_long_values_are_shortened():
    data = default_data()
    data["party"]["clps"] = "x" * 500
    message = problems_of(data)
    assert "party.clps" in message and len(message) < 300


def test_unreadable_file_is_a_scenario_error(tmp_path: Path, monkeypatch):
    path = tmp_path / "locked.toml"
    path.write_text(DEFAULT_SCENARIO.read_text())

    def refuse(self, *args, **kwargs):
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_text", refuse)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert str(info.value) == f"invalid scenario {path}:\n  cannot read the file: Permission denied"


# --- the smallest scale ---------------------------------------------------------------------


SCENARIOS = sorted((DEFAULT_SCENARIO.parent).glob("*.toml"))


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_smallest_scale_gives_every_institution_its_minimum(path: Path):
    scenario = load_scenario(path)
    smallest = smallest_scale(scenario)
    at = scenario.with_changes(party={"scale": smallest})
    assert at.party.n_members >= at.party.clps  # a member per CLP
    # a card vote each (an affiliate with no levy payers is not affiliated: the FBU before 2015)
    assert all(round(u.levy_payers * smallest) >= 1 for u in at.unions if u.levy_payers > 0)
    below = smallest * 0.95
    with pytest.raises(ScenarioError) as info:
        scenario.with_changes(party={"scale": below}, source=path.name)
    message = str(info.value)
    assert f"party.scale: {below:g} is too small" in message
    assert f"the smallest allowed is {smallest:g}" in message and path.name in message


def test_smallest_scale_of_the_default_and_what_limits_it():
    default = load_scenario(DEFAULT_SCENARIO)
    assert smallest_scale(default) == 0.0012  # 632 CLPs / 543,645 members, rounded up
    # A tiny union makes the levy payers the limit: 1,000 levy payers need 0.0005+.
    few_clps = default.with_changes({"party.clps": 20})
    tiny_union = few_clps.with_changes({"unions.0.levy_payers": 1000})
    assert smallest_scale(few_clps) < 0.0005 < smallest_scale(tiny_union) <= 0.00051
    with pytest.raises(ScenarioError, match="no levy payers in Unite"):
        tiny_union.with_changes({"party.scale": 0.0004})


def test_a_run_at_the_smallest_scale_holds_its_conference():
    # Below it, the card vote failed mid-run (ValueError: both halves need votes).
    from model.party import PartyModel

    default = load_scenario(DEFAULT_SCENARIO)
    scenario = default.with_changes({"party.scale": smallest_scale(default), "calendar.months": 12})
    party = PartyModel(scenario, rng=1)
    party.run_for(12)
    assert party.events.of_type("conference_vote")


def test_few_members_per_clp_get_a_note():
    default = load_scenario(DEFAULT_SCENARIO)
    assert members_per_clp_note(default) is None  # scale 0.1: 86 per CLP
    note = members_per_clp_note(default.with_changes(party={"scale": 0.005}))
    assert note is not None and "4.3 members per CLP" in note and "0.018" in note


# --- with_changes by dotted path ------------------------------------------------------------


def test_with_changes_by_dotted_path_reaches_list_items():
    scenario = load_scenario(DEFAULT_SCENARIO)
    changed = scenario.with_changes(
        {
            "factions.Momentum.organisers": 40,
            "factions[name=Labour to Win].line": 0.25,
            "unions.0.ballot_turnout": 0.5,
            "rules.overrides.leadership.registered_supporters": False,
        },
        party={"scale": 0.05},
    )
    assert [f.organisers for f in changed.factions] == [40, scenario.factions[1].organisers]
    assert changed.factions[1].line == 0.25 and changed.unions[0].ballot_turnout == 0.5
    assert changed.rules.overrides == {"leadership": {"registered_supporters": False}}
    assert changed.party.scale == 0.05 and changed.party.clps == scenario.party.clps
    assert scenario.factions[0].organisers != 40  # the original is untouched


def test_with_changes_names_a_bad_path_and_what_is_allowed():
    scenario = load_scenario(DEFAULT_SCENARIO)
    with pytest.raises(ScenarioError) as info:
        scenario.with_changes({"factions.Momentm.organisers": 1, "party.sclae": 1}, source="x.toml")
    message = str(info.value)
    assert message.startswith("invalid scenario x.toml:")
    assert "factions.Momentm: no item named 'Momentm' (use an index 0..1 or a name:" in message
    assert "party.sclae: unknown key 'sclae' (allowed: affiliated_branches_per_clp," in message
    with pytest.raises(ScenarioError, match="partty: unknown key 'partty'"):
        scenario.with_changes(partty={"scale": 1})


def test_every_scenario_file_is_bundled_and_loads_by_name():
    """`factions run NAME` reaches every file in scenarios/ (model/data/scenarios links there)."""
    from model.scenario.bundled import bundled_dir, bundled_names, load_named

    repo_scenarios = DEFAULT_SCENARIO.parent
    link = repo_scenarios.parent / "model" / "data" / "scenarios"
    assert link.is_symlink() and link.resolve() == repo_scenarios.resolve()
    assert bundled_dir() == repo_scenarios.resolve()
    assert bundled_names() == sorted(p.stem for p in repo_scenarios.glob("*.toml"))
    for name in bundled_names():
        assert load_named(name) == load_scenario(repo_scenarios / f"{name}.toml"), name
    with pytest.raises(ScenarioError, match="not the name of a bundled scenario"):
        load_named("no_such_scenario")


# Keys of the behaviour sections that describe history, not behaviour: the
# default runs on its own from October 2016, so it has none of them.
HISTORICAL_ONLY = {
    "contests.scheduled",
    "reselection.nec_shortlisting",
    "reselection.nec_shortlisting_from",
    "reselection.nec_applicants",
    "reselection.nec_endorsement",
    "reselection.nec_endorsement_from",
    "flows.shocks",
}


def test_default_behaves_as_the_historical_scenarios():
    # The default's header promises "the calibrated behaviour of the historical
    # scenarios": every behavioural value labour_2015_2024 sets, the default
    # sets to the same value (not the schema's fallback).
    def flat(data: dict, prefix: str = "") -> dict:
        out = {}
        for key, value in data.items():
            if isinstance(value, dict):
                out.update(flat(value, f"{prefix}{key}."))
            else:
                out[f"{prefix}{key}"] = value
        return out

    scenarios = DEFAULT_SCENARIO.parent
    history = flat(tomllib.loads((scenarios / "labour_2015_2024.toml").read_text()))
    default = flat(default_data())
    sections = ("contests.", "reselection.", "union_decisions.", "flows.", "meetings.")
    behaviour = {
        k: v
        for k, v in history.items()
        if k.startswith(sections) and not any(k.startswith(h) for h in HISTORICAL_ONLY)
    }
    assert len(behaviour) > 30
    # One declared departure (the default's header says why): it starts after
    # the 2015-16 surge and lets the most willing join first, with the left's
    # remaining willingness; everything else about the pools is the same.
    assert behaviour.pop("flows.propensity_spread") == 0.0
    assert default["flows.propensity_spread"] > 0
    pools = [{k: v for k, v in seg.items() if k != "propensity"} for seg in default["flows.pool"]]
    assert pools == behaviour.pop("flows.pool")
    assert 0 < default["flows.pool"][0]["propensity"] < 1
    missing = sorted(k for k in behaviour if k not in default)
    different = sorted(k for k in behaviour if k in default and default[k] != behaviour[k])
    assert not missing and not different, (missing, different)


def test_momentum_is_founded_in_october_2015_in_every_scenario_that_has_it():
    # A faction holds nothing before it exists; the historical scenarios and
    # the default must agree on when that is [data: momentum_and_factions.founded].
    for path in sorted(DEFAULT_SCENARIO.parent.glob("*.toml")):
        scenario = load_scenario(path)
        for faction in scenario.factions:
            if faction.name == "Momentum" and scenario.start.year <= 2015:
                assert faction.founded == "2015-10", path.name


def _load_in_worker(path: str) -> None:
    load_scenario(path)


@pytest.mark.parametrize(
    "error",
    [
        ScenarioError("a.toml", ["party.scale: must be > 0 (got 0)"]),
        FlagError("--set", ["party.scale: must be > 0"]),
        ExperimentError("sweep.toml", ["runs.seeds: required key is missing"]),
        PriorError("priors.toml", ["parameter.join_rate: unknown key"]),
    ],
)
def test_scenario_errors_survive_pickling(error):
    """A worker's error crosses back to the parent whole (file, problems, message)."""
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is type(error)
    assert (copy.file, copy.problems, str(copy)) == (error.file, error.problems, str(error))


def test_a_bad_scenario_in_a_process_pool_reports_its_problems(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[party]\nscale = -1\n", encoding="utf-8")
    with ProcessPoolExecutor(1) as pool, pytest.raises(ScenarioError) as info:
        pool.submit(_load_in_worker, str(bad)).result()
    assert str(bad) in str(info.value) and "party" in str(info.value)


@pytest.mark.parametrize(
    "error",
    [
        PathError("party.scale.x", "party.scale: not a table"),
        BallotFileError("ballots.csv", 3, "an empty ranking"),
        BallotFileError("ballots.csv", None, "no header"),
    ],
)
def test_other_input_errors_survive_pickling(error):
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is type(error)
    assert str(copy) == str(error) and vars(copy) == vars(error)
