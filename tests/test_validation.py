"""The validation machinery: targets read from the data, the table, a tiny real run.

The full validation (50 seeds, every scenario, full horizons) is never run
here: `test_machinery_end_to_end` runs the historical scenarios for 2 seeds at
scale 0.01, cut to 8 months (the 2010 and 2015 contests), serially.
"""

from __future__ import annotations

import copy
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from model.records.events import LeadershipContest
from model.validation.runner import (
    COMPARISONS,
    COUNTERFACTUALS,
    MEASURES,
    TARGETS,
    RunData,
    comparison_markdown,
    comparison_table,
    compute_measures,
    load_history,
    table_markdown,
    validate_history,
    validation_table,
)
from tests.factories import make_event

TABLE_COLUMNS = [
    "group",
    "key",
    "target",
    "scenario",
    "role",
    "unit",
    "published",
    "median",
    "low",
    "high",
    "inside",
    "error",
    "p_model",
    "runs",
    "source",
    "note",
]


@pytest.fixture(scope="module")
def data() -> dict[str, Any]:
    return load_history()


def _bump(node: Any) -> Any:
    """The same structure with every number and string changed."""
    if isinstance(node, bool):
        return node
    if isinstance(node, int | float):
        return node * 2 + 7
    if isinstance(node, str):
        return "Someone Else"
    if isinstance(node, dict):
        # Keep what selectors match on (dates) and the sources.
        return {k: (_bump(v) if k not in ("source", "date") else v) for k, v in node.items()}
    if isinstance(node, list):
        return [_bump(v) for v in node]
    return node


def _replace_at(data: Any, path: str) -> Any:
    """A copy of the data with the node at `path` bumped."""
    from model.validation.runner import _select, _split_path

    copied = copy.deepcopy(data)
    container: Any = None
    index: Any = None
    node: Any = copied
    for key, selectors in _split_path(path):
        container, index, node = node, key, node[key]
        for selector in selectors:
            element = _select(node, selector, path)
            container, index = node, next(i for i, e in enumerate(node) if e is element)
            node = element
    container[index] = _bump(node)
    return copied


def test_targets_cover_what_the_issue_asks(data: dict[str, Any]) -> None:
    keys = {t.key for t in TARGETS}
    assert {"2010_winner", "2010_final_ed_miliband"} <= keys
    assert {f"2010_final_{s}_ed_miliband" for s in ("mps_meps", "members", "affiliates")} <= keys
    assert {
        "2015_r1_jeremy_corbyn",
        *(
            f"2015_r1_{t}_jeremy_corbyn"
            for t in ("members", "registered_supporters", "affiliated_supporters")
        ),
    } <= keys
    assert {"2016_winner", "2016_r1_jeremy_corbyn", "2020_r1_keir_starmer"} <= keys
    assert {f"members_{y}" for y in range(2015, 2025)} <= keys
    assert {"plp_2017", "plp_2019", "plp_2024"} <= keys
    assert any(k.startswith("2010_mps_") for k in keys) and any(
        k.startswith("2015_mps_") for k in keys
    )
    assert len(keys) == len(TARGETS), "target keys are unique"
    held = {t.key for t in TARGETS if t.role == "held out"}
    assert held and all(
        k.startswith("2020_") or k in {f"members_{y}" for y in range(2020, 2025)} for k in held
    )
    assert not any(t.role == "fit" and t.key.startswith("2020") for t in TARGETS)


@pytest.mark.parametrize("target", TARGETS, ids=lambda t: t.key)
def test_published_figure_is_read_from_the_json(target: Any, data: dict[str, Any]) -> None:
    published = target.published(data)
    if target.is_winner:
        assert isinstance(published, str) and published
    else:
        assert isinstance(published, int | float) and math.isfinite(published)
    # Change the data at the target's path: the published figure must follow.
    assert target.published(_replace_at(data, target.path)) != published


def test_every_target_has_a_measure_and_published_values_match_the_record(
    data: dict[str, Any],
) -> None:
    assert all(t.key in MEASURES for t in TARGETS)
    by_key = {t.key: t.published(data) for t in TARGETS}
    # A few figures checked by hand against labour_history.md.
    assert by_key["2010_winner"] == "Ed Miliband"
    assert by_key["2015_winner"] == "Jeremy Corbyn"
    assert by_key["2015_r1_jeremy_corbyn"] == 59.5
    assert by_key["2010_final_affiliates_ed_miliband"] == 59.802
    assert by_key["members_2017"] == 564443
    assert by_key["2016_r1_members_jeremy_corbyn"] == pytest.approx(
        100 * 168216 / (168216 + 116960)
    )


def _outcomes(values: dict[str, list[float]], scenario: str) -> pd.DataFrame:
    n = len(next(iter(values.values())))
    return pd.DataFrame({"scenario": scenario, "seed": range(n), **values})


def test_table_median_interval_and_inside(data: dict[str, Any]) -> None:
    target = next(t for t in TARGETS if t.key == "2015_r1_jeremy_corbyn")
    winner = next(t for t in TARGETS if t.key == "2015_winner")
    inside = _outcomes(
        {target.key: list(np.linspace(50, 70, 101)), winner.key: [1.0] * 10 + [0.0] * 91},
        "labour_2015",
    )
    table = validation_table(inside, data, [target, winner])
    assert list(table.columns) == TABLE_COLUMNS
    row = table.iloc[0]
    assert row["median"] == pytest.approx(60.0) and row["runs"] == 101
    assert row["low"] == pytest.approx(51.0) and row["high"] == pytest.approx(69.0)
    assert row["inside"] is True or row["inside"] == True  # noqa: E712
    assert row["error"] == pytest.approx(60.0 - 59.5)  # percentage points
    assert table.iloc[1]["p_model"] == pytest.approx(10 / 101)
    assert bool(table.iloc[1]["inside"])  # the historical winner wins in >= 5% of runs

    outside = _outcomes({target.key: [30.0, 31.0, 32.0], winner.key: [0.0] * 3}, "labour_2015")
    table = validation_table(outside, data, [target, winner])
    assert not table["inside"].any()
    # Runs of another scenario do not count for this target.
    other = _outcomes({target.key: [59.5] * 5, winner.key: [1.0] * 5}, "labour_2015_2024")
    table = validation_table(other, data, [target, winner])
    assert (table["runs"] == 0).all() and table["inside"].isna().all()
    assert "2015 round 1, Jeremy Corbyn" in table_markdown(validation_table(inside, data, [target]))


def test_comparison_pairs_runs_by_seed() -> None:
    cf = "counterfactual_2015_no_rs"
    keys = [c.key for c in COMPARISONS[cf]]
    base = _outcomes({k: [1.0, 2.0, 3.0] for k in keys}, COUNTERFACTUALS[cf])
    other = _outcomes({k: [2.0, 4.0, 6.0] for k in keys}, cf)
    table = comparison_table(pd.concat([base, other], ignore_index=True))
    assert set(table["counterfactual"]) == {cf}
    shares = table[table["unit"] == "%"]
    assert (shares["median_difference"] == 2.0).all()
    assert (shares["baseline_median"] == 2.0).all() and (
        shares["counterfactual_median"] == 4.0
    ).all()
    assert cf in comparison_markdown(table)


def test_measures_of_a_synthetic_run() -> None:
    contest = make_event(
        LeadershipContest,
        "2015-09",
        outcome="ballot",
        winner="Jeremy Corbyn",
        nominations={"plp": {"Jeremy Corbyn": 36}, "clps": {"Jeremy Corbyn": 14}},
        first_round_by_type={
            "members": {"Jeremy Corbyn": 30, "Andy Burnham": 70},
            "registered_supporters": {"Jeremy Corbyn": 9, "Andy Burnham": 1},
        },
        count={
            "rounds": [
                {"totals_pct": {"Jeremy Corbyn": 40.0, "Andy Burnham": 60.0}, "percentages": {}}
            ]
        },
    )
    series = pd.DataFrame({"date": ["2015-11", "2015-12"], "members_full": [100, 200]})
    m = compute_measures(RunData(series, [contest], scale=0.5))
    assert m["2015_winner"] == 1.0
    assert m["2015_r1_jeremy_corbyn"] == 40.0
    assert m["2015_r1_members_jeremy_corbyn"] == 30.0
    assert m["2015_r1_registered_supporters_jeremy_corbyn"] == 90.0
    assert m["2015_votes_members"] == 200.0  # 100 votes at scale 0.5
    assert m["2015_mps_jeremy_corbyn"] == 36.0 and m["2015_clps_jeremy_corbyn"] == 14.0
    assert m["members_2015"] == 400.0
    assert math.isnan(m["2010_winner"]) and math.isnan(m["members_2016"])


def test_machinery_end_to_end(tmp_path: Path, data: dict[str, Any]) -> None:
    result = validate_history(
        tmp_path / "validation",
        seeds=2,
        workers=1,
        scale=0.01,
        months=8,
        counterfactuals=False,
        progress=False,
    )
    table = result.table
    assert list(table.columns) == TABLE_COLUMNS
    assert len(table) == len(TARGETS) and list(table.key) == [t.key for t in TARGETS]
    # Every row's published figure is the one in the JSON, not typed in.
    for target, published in zip(TARGETS, table["published"], strict=True):
        assert published == target.published(data)
    assert table["published"].notna().all()
    measured = table[table["runs"] > 0]
    # The 2010 and 2015 contests fall within 8 months of the start.
    assert {"2010_winner", "2010_final_ed_miliband", "2015_r1_jeremy_corbyn"} <= set(measured.key)
    assert (measured["runs"] == 2).all()
    assert (measured["low"] <= measured["median"]).all()
    assert (measured["median"] <= measured["high"]).all()
    assert measured["inside"].map(lambda v: v in (True, False)).all()
    # Targets after the cut have no runs, and say so rather than guess.
    assert table.loc[table.key == "members_2024", "runs"].item() == 0
    out = tmp_path / "validation"
    for name in ("table.csv", "table.md", "outcomes.csv", "settings.json"):
        assert (out / name).exists()
    figures = sorted(p.name for p in (out / "figures").glob("validation_*.png"))
    assert "validation_membership.png" in figures and "validation_2010_contest.png" in figures
    assert len(figures) == table["group"].nunique()
    outcomes = pd.read_csv(out / "outcomes.csv")
    assert set(outcomes["scenario"]) == {"labour_2010", "labour_2015", "labour_2015_2024"}
    # Common random numbers: every scenario ran the same two seeds.
    assert outcomes.groupby("scenario")["seed"].apply(lambda s: tuple(sorted(s))).nunique() == 1


def test_validate_history_subcommand_parses_its_options() -> None:
    import argparse

    from model.cli.validate import add_validate_parser, run_validate

    top = argparse.ArgumentParser(prog="factions")
    sub = top.add_subparsers(dest="command")
    add_validate_parser(sub)
    args = top.parse_args(
        ["validate-history", "--seeds", "3", "--workers", "1", "--scale", "0.05", "--quick"]
    )
    assert (args.seeds, args.workers, args.scale, args.quick) == (3, 1, 0.05, True)
    assert args.handler is run_validate and args.out == Path("results") / "validation"
    defaults = top.parse_args(["validate-history"])
    assert defaults.seeds == 50 and not defaults.quick and defaults.scale is None
    with pytest.raises(SystemExit):
        top.parse_args(["validate-history", "--seeds", "0"])
