"""Pattern-oriented checks: each holds in the record, can fail, and is never passed unmodelled."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
import pytest

from model.validation.history import load_history
from model.validation.patterns import PATTERNS, pattern_table, record_row, wilson
from model.validation.targets import LONG


@pytest.fixture(scope="module")
def record() -> dict[str, float]:
    return record_row(load_history())


@pytest.mark.parametrize("pattern", [p for p in PATTERNS if p.modelled()], ids=lambda p: p.key)
def test_every_modelled_pattern_holds_in_the_published_record(pattern: Any, record: Any) -> None:
    assert pattern.predicate(record) is True


def test_patterns_fail_when_the_run_differs(record: dict[str, float]) -> None:
    by_key = {p.key: p for p in PATTERNS}
    # Corbyn strongest among members: the order is broken.
    row = dict(record, **{"2015_r1_members_jeremy_corbyn": 90.0})
    assert by_key["corbyn_order_2015"].predicate(row) is False
    # Membership peaking in 2016 instead of 2017.
    assert by_key["membership_peak_fall"].predicate(dict(record, members_2016=600000.0)) is False
    # No fall after 2019: lowest year-end 2021-24 above 70% of 2019.
    flat = dict(record, **{f"members_{y}": 500000.0 for y in range(2021, 2025)})
    assert by_key["membership_peak_fall"].predicate(flat) is False
    # Forty MPs triggered is not a handful; nor is none.
    assert (
        by_key["handful_of_triggers"].predicate(dict(record, trigger_2019_triggered=40.0)) is False
    )
    assert (
        by_key["handful_of_triggers"].predicate(dict(record, trigger_2022_triggered=0.0)) is False
    )
    assert by_key["won_2020"].predicate(dict(record, **{"2020_winner": 0.0})) is False
    assert by_key["won_all"].predicate(dict(record, **{"2010_winner": 0.0})) is False
    # The 2021 college kept (or the package falling) breaks the unions' pattern.
    assert (
        by_key["unions_block_college_2021"].predicate(dict(record, college_2021_dropped=0.0))
        is False
    )
    assert (
        by_key["unions_block_college_2021"].predicate(dict(record, conference_2021_passes=0.0))
        is False
    )
    # The left keeping every NEC seat breaks the NEC pattern.
    kept = dict(record, nec_clp_left_2022=100.0, nec_clp_left_2024=100.0)
    assert by_key["nec_left_falls"].predicate(kept) is False
    # A run that lacks a measure cannot judge the pattern.
    assert by_key["won_2016"].predicate({"2016_winner": math.nan}) is None


def test_unmodelled_patterns_are_reported_as_such(monkeypatch: pytest.MonkeyPatch) -> None:
    import dataclasses

    import model.validation.patterns as patterns_module

    # Every pattern is modelled since the unions, the NEC and conference (issue 15);
    # a pattern that needed an event type the model lacks would say so.
    assert all(p.modelled() for p in PATTERNS)
    ghost = dataclasses.replace(PATTERNS[-1], key="ghost", requires=("no_such_event",))
    monkeypatch.setattr(patterns_module, "PATTERNS", [*PATTERNS, ghost])
    missing = [ghost]
    table = pattern_table(pd.DataFrame(), [LONG]).set_index("key")
    for p in missing:
        row = table.loc[p.key]
        assert row["status"] == "not modelled yet" and row["runs"] == 0 and row["holds"] == 0
        assert math.isnan(row["share"])


def test_pattern_table_joins_scenarios_by_draw_and_seed(record: dict[str, float]) -> None:
    rows = []
    for draw in range(4):
        # Runs of the one historical scenario: Starmer wins in draws 0 and 1 only,
        # Ed Miliband in every draw but 0.
        values = dict(record)
        values["2020_winner"] = 1.0 if draw < 2 else 0.0
        values["2010_winner"] = float(draw != 0)
        values["trigger_2022_triggered"] = 3.0
        rows.append({"scenario": LONG, "draw": draw, "seed": 7, **values})
        # Another scenario's runs are never joined in.
        rows.append({"scenario": "labour_2010", "draw": draw, "seed": 7, "2010_winner": 0.0})
    table = pattern_table(pd.DataFrame(rows), [LONG]).set_index("key")
    assert table.loc["won_2020", "share"] == pytest.approx(0.5)
    assert table.loc["won_2010", "share"] == pytest.approx(0.75)
    # Every winner right in the same (draw, seed): only draw 1.
    assert table.loc["won_all", "holds"] == 1 and table.loc["won_all", "runs"] == 4
    assert table.loc["corbyn_order_2015", "share"] == 1.0


def test_wilson_interval() -> None:
    low, high = wilson(5, 10)
    assert low < 0.5 < high and high - low < 0.6
    assert wilson(0, 10)[0] == 0.0 and wilson(10, 10)[1] == 1.0
    assert all(math.isnan(v) for v in wilson(0, 0))


def test_the_nec_ballot_measure_compares_the_sides_best_candidates():
    import math

    import pandas as pd

    from model.records.events import NecElection
    from model.validation.history import load_history
    from model.validation.institution_measures import nec_right_to_left
    from model.validation.institution_targets import _nec_section
    from model.validation.measures import RunData
    from model.validation.targets import published_value
    from tests.factories import make_event

    ballot = make_event(
        NecElection,
        "2016-08",
        by_election=False,
        candidate_votes={"Left slate 1": 800, "Left slate 2": 750, "Labour to Win slate 1": 600},
    )
    by_election = make_event(
        NecElection,
        "2020-04",
        by_election=True,
        candidate_votes={"Left slate 1": 500, "Labour to Win slate 1": 510},
    )
    run = RunData(pd.DataFrame({"date": []}), [ballot, by_election], scale=1.0)
    assert nec_right_to_left(2016)(run) == 75.0
    assert nec_right_to_left(2020, by_election=True)(run) == 102.0
    assert math.isnan(nec_right_to_left(2018)(run))  # no ballot that year
    # The published figures: Reeves against Black (2016), Josan against Townsend (2020).
    history = load_history()
    rows = {t.key: t for t in _nec_section()}
    for key, expected in (
        ("nec_ballot_right_to_left_2016", 100 * 72514 / 100999),
        ("nec_ballot_right_to_left_2020_by_election", 100 * 57361 / 56929),
    ):
        target = rows[key]
        assert target.derive(published_value(history, target.path)) == pytest.approx(expected)
