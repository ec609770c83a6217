"""Scenario loading: every kind of bad input gives one clear message."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from model.scenario.schema import ScenarioError, load_scenario, parse_scenario
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
    assert "party.plp_size (600) must equal the seats Labour won at the 2015" in message
    assert "(232)" in message and "got {" not in message  # no dump of the whole scenario


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
