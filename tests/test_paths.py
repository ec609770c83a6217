"""Dotted paths (model.scenario.paths): one implementation for scenarios, experiments
and sweeps; every error names the bad part and what is allowed."""

from __future__ import annotations

import copy

import pytest
from hypothesis import given
from hypothesis import strategies as st

from model.scenario.paths import (
    PathError,
    Selector,
    delete_path,
    flatten,
    get_path,
    is_open_map,
    join_path,
    set_path,
    split_path,
)
from model.scenario.schema import Scenario


def data() -> dict:
    return {
        "party": {"scale": 0.1, "clps": 650},
        "factions": [
            {"name": "Momentum", "organisers": 120, "line": -0.6},
            {"name": "Labour to Win", "organisers": 80, "line": 0.3},
        ],
        "elections": {"historical_seats": {"2019-12": 202, "0": 1}},
        "rules": {"overrides": {}},
        "leader": None,
    }


def test_split_and_join():
    assert split_path("factions.0.line") == ("factions", "0", "line")
    assert split_path("factions[name=Momentum].line") == (
        "factions",
        Selector("name", "Momentum"),
        "line",
    )
    assert split_path("contests.scheduled[2].candidates") == (
        "contests",
        "scheduled",
        2,
        "candidates",
    )
    for path in ("factions[name=Momentum].line", "contests.scheduled[2].candidates", "a.b"):
        assert split_path(join_path(split_path(path))) == split_path(path)


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("", "empty path"),
        ("party..scale", "empty step"),
        ("party.", "ends with a dot"),
        ("factions[x]", "neither an index [N] nor a selector [FIELD=VALUE]"),
        ("factions]x", "unexpected ']'"),
    ],
)
def test_malformed_paths(path: str, message: str):
    with pytest.raises(PathError, match=message.replace("[", r"\[").replace("]", r"\]")):
        split_path(path)


def test_get_by_key_index_name_and_selector():
    d = data()
    assert get_path(d, "party.scale") == 0.1
    assert get_path(d, "factions.1.organisers") == 80
    assert get_path(d, "factions.Momentum.line") == -0.6
    assert get_path(d, "factions[name=Labour to Win].line") == 0.3
    assert get_path(d, "factions[1].name") == "Labour to Win"
    # Digits meet a table as a key, a list as an index.
    assert get_path(d, "elections.historical_seats.0") == 1
    assert get_path(d, "elections.historical_seats.2019-12") == 202


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("party.sclae", "party.sclae: unknown key 'sclae' (allowed: clps, scale)"),
        ("factions.2.line", "factions.2: index 2 out of range (0..1)"),
        (
            "factions.Momentm.line",
            "factions.Momentm: no item named 'Momentm' (use an index 0..1 or a name: "
            "Momentum, Labour to Win)",
        ),
        (
            "factions[name=Nobody].line",
            "factions[name=Nobody]: no item with name = Nobody (name values: Momentum, "
            "Labour to Win)",
        ),
        (
            "party.scale.low",
            "party.scale.low: party.scale is a single value (0.1); it has no key 'low'",
        ),
        ("leader.name", "leader.name: leader is not set (None); it has no key 'name'"),
        ("party[0]", "party[0]: party is a table, not a list (use a key: clps, scale)"),
    ],
)
def test_errors_name_the_bad_part_and_what_is_allowed(path: str, message: str):
    with pytest.raises(PathError) as info:
        get_path(data(), path)
    assert str(info.value) == message
    assert isinstance(info.value, KeyError)  # callers that catch KeyError keep working
    assert info.value.path == path


def test_set_existing_values_in_place():
    d = data()
    set_path(d, "factions.Momentum.organisers", 60)
    set_path(d, "factions[name=Labour to Win].line", 0.2)
    set_path(d, "party.scale", 0.05)
    assert d["factions"][0]["organisers"] == 60 and d["factions"][1]["line"] == 0.2
    assert d["party"]["scale"] == 0.05


def test_set_creates_keys_only_where_allowed():
    d = data()
    with pytest.raises(PathError, match="unknown key 'sclae'"):
        set_path(d, "party.sclae", 1)
    set_path(d, "rules.overrides.leadership.electorate", "omov", create=True)
    assert d["rules"]["overrides"] == {"leadership": {"electorate": "omov"}}
    only_overrides = lambda steps: steps[:2] == ("rules", "overrides")  # noqa: E731
    set_path(d, "rules.overrides.reselection.method", "open", create=only_overrides)
    with pytest.raises(PathError, match="unknown key 'new'"):
        set_path(d, "party.new", 1, create=only_overrides)
    assert "new" not in d["party"]


def test_delete_key_and_item():
    d = data()
    assert delete_path(d, "factions.Momentum")["name"] == "Momentum"
    assert [f["name"] for f in d["factions"]] == ["Labour to Win"]
    assert delete_path(d, "party.scale") == 0.1 and "scale" not in d["party"]
    with pytest.raises(PathError, match="unknown key 'scale'"):
        delete_path(d, "party.scale")
    assert delete_path(d, "party.scale", missing_ok=True) is None


def test_flatten_nested_and_dotted_keys_alike():
    assert flatten({"party": {"scale": 1}, "rules.preset": "x", "rules": {"overrides": {}}}) == {
        "party.scale": 1,
        "rules.preset": "x",
        "rules.overrides": {},
    }


def test_free_form_tables_of_the_scenario_schema():
    assert is_open_map(Scenario, ("rules", "overrides"))
    assert is_open_map(Scenario, ("rules", "overrides", "leadership"))  # inside a free table
    assert is_open_map(Scenario, ("elections", "historical_seats"))
    assert is_open_map(Scenario, ("conference", "scheduled", 0, "changes"))
    assert not is_open_map(Scenario, ("party",))
    assert not is_open_map(Scenario, ("factions", 0))
    assert not is_open_map(Scenario, ("nowhere",))


# A nested structure of tables and named lists, and a path to one of its leaves.
names = st.text(alphabet="abcxyz", min_size=1, max_size=4)
leaves = st.one_of(st.integers(), st.floats(allow_nan=False), st.text(max_size=5), st.none())
trees = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.dictionaries(names, inner, min_size=1, max_size=3),
        st.lists(inner, min_size=1, max_size=3),
    ),
    max_leaves=12,
)


def leaf_paths(node, prefix=()):
    if isinstance(node, dict):
        for key, value in node.items():
            yield from leaf_paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from leaf_paths(value, (*prefix, str(i)))
    else:
        yield prefix


@given(tree=st.dictionaries(names, trees, min_size=1, max_size=3), new=leaves)
def test_set_then_get_round_trips_and_touches_nothing_else(tree, new):
    for steps in leaf_paths(tree):
        path = ".".join(steps)
        before = copy.deepcopy(tree)
        old = get_path(tree, path)
        set_path(tree, path, new)
        assert get_path(tree, path) == new
        set_path(tree, path, old)
        assert tree == before
