"""The validation machinery: targets read from the data, the tables and scores, a tiny real run.

The full validation (calibration, 100 draws × 2 seeds, every scenario) is never
run here: `test_machinery_end_to_end` runs the historical scenarios for 2 prior
draws × 1 seed at scale 0.01, cut to 8 months, serially, and checks the
folder, resume and overwrite rules.
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
from model.validation.catalogue import MEASURES, TARGETS, target
from model.validation.history import load_history, load_politics, resolve, select, split_path
from model.validation.markdown import target_markdown
from model.validation.measures import RunData, compute_measures
from model.validation.outputs import OutputError
from model.validation.scenarios import COMPARISONS, COUNTERFACTUALS, load_validation_scenarios
from model.validation.split import SPLIT
from model.validation.tables import comparison_table, headline, score_table, target_table
from model.validation.workflow import ValidationSettings, validate_history
from tests.factories import make_event


@pytest.fixture(scope="module")
def data() -> dict[str, Any]:
    return load_history()


@pytest.fixture(scope="module")
def scenarios() -> dict[str, Any]:
    return load_validation_scenarios(counterfactuals=False)


def _bump(node: Any, salt: int = 0) -> Any:
    """The same structure with every number and string changed (numbers not in proportion)."""
    if isinstance(node, bool):
        return node
    if isinstance(node, int | float):
        return node * 2 + 7 + salt
    if isinstance(node, str):  # a figure in text ("~18,000") gets other digits ("~29,111")
        if any(c.isdigit() for c in node):
            return "".join(str((int(c) + 1) % 10) if c.isdigit() else c for c in node)
        return "Someone Else"
    if isinstance(node, dict):
        # Keep what selectors match on (dates, years) and the sources.
        return {
            k: (_bump(v, len(k) % 7) if k not in ("source", "date", "year") else v)
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_bump(v, salt) for v in node]
    return node


def _set_at(data: Any, path: str, text: str) -> Any:
    """A copy of the data with the value of the record at `path` replaced by `text`."""
    copied = copy.deepcopy(data)
    node = resolve(copied, path)
    node["value"] = text
    return copied


def _replace_at(data: Any, path: str) -> Any:
    """A copy of the data with the node at `path` bumped."""
    copied = copy.deepcopy(data)
    container: Any = None
    index: Any = None
    node: Any = copied
    for key, selectors in split_path(path):
        container, index, node = node, key, node[key]
        for selector in selectors:
            element = select(node, selector, path)
            container, index = node, next(i for i, e in enumerate(node) if e is element)
            node = element
    container[index] = _bump(node)
    return copied


def test_targets_cover_what_the_issue_asks() -> None:
    keys = {t.key for t in TARGETS}
    assert len(keys) == len(TARGETS), "target keys are unique"
    assert {"2010_winner", "2010_final_ed_miliband", "2015_r1_jeremy_corbyn"} <= keys
    assert {f"2010_final_{s}_ed_miliband" for s in ("mps_meps", "members", "affiliates")} <= keys
    assert {"2016_winner", "2016_r1_jeremy_corbyn", "2020_r1_keir_starmer", "2020_winner"} <= keys
    assert {f"members_{y}" for y in (2010, *range(2015, 2025))} <= keys
    assert {"trigger_2019_triggered", "trigger_2019_deselected"} <= keys
    assert {"conference_2021_passes", "conference_2021_pct_for"} <= keys
    assert {f"nec_clp_left_{y}" for y in (2018, 2020, 2022, 2024)} <= keys
    assert all(t.key in MEASURES for t in TARGETS)


TEXT_OUTCOMES = {"conference_2017_passes", "open_selection_2018_falls", "college_2021_dropped"}
"""Binary targets whose outcome is read from a sentence in the data (its words, not digits)."""

TEXT_BOUNDS = {"2016_cohort_before_2015_corbyn_over_half"}
"""Bounds read from a sentence in the data: another sentence gives no bound."""


@pytest.mark.parametrize("t", TARGETS, ids=lambda t: t.key)
def test_published_figure_and_source_are_read_from_the_json(
    t: Any, data: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    import model.validation.history as history_module

    published = t.published(data)
    if t.is_binary:
        assert isinstance(published, str) and published
    else:
        assert isinstance(published, int | float) and math.isfinite(published)
    assert str(t.source(data)).startswith("http"), "every figure carries its URL"
    # Change the data at the target's path: the published figure must follow.
    if t.key == "conference_2021_passes":  # an outcome derived from the card vote
        changed = copy.deepcopy(data)
        changed["rule_changes"]["2021_conference_starmer_reforms"]["conference_vote_pct"][
            "value"
        ] = {
            "for": 40.0,
            "against": 60.0,
        }
        assert t.published(changed) == "fell"
    elif t.key == "deputy_2020_winner":  # the final round's leader
        changed = copy.deepcopy(data)
        record = changed["leadership_elections"]["deputy_leadership"]["2020"]["value"]
        record["round3_pct"] = {"Angela Rayner": 40.0, "Rosena Allin-Khan": 60.0}
        assert t.published(changed) == "Rosena Allin-Khan"
    elif t.path.startswith(history_module.POLITICS_PREFIX):  # read from labour_politics.json
        bare = t.path[len(history_module.POLITICS_PREFIX) :]
        if t.key in TEXT_BOUNDS:
            changed = _set_at(load_politics(), bare, "Something else happened")
            monkeypatch.setattr(history_module, "_politics", lambda: changed)
            with pytest.raises(ValueError, match="no longer say"):
                t.published(data)
            return
        if t.key in TEXT_OUTCOMES:
            changed = _set_at(load_politics(), bare, "Something else happened")
        else:
            changed = _replace_at(load_politics(), bare)
        monkeypatch.setattr(history_module, "_politics", lambda: changed)
        assert t.published(data) != published
    elif t.key in TEXT_OUTCOMES:
        assert t.published(_set_at(data, t.path, "Something else happened")) != published
    else:
        assert t.published(_replace_at(data, t.path)) != published


@pytest.mark.parametrize(
    "t", [t for t in TARGETS if t.baseline and t.baseline.path], ids=lambda t: t.key
)
def test_baselines_are_read_from_the_json_and_never_after_the_split(
    t: Any, data: dict[str, Any]
) -> None:
    value = t.baseline.value(data)
    assert math.isfinite(value)
    assert t.baseline.value(_replace_at(data, t.baseline.path)) != value
    # A forecast's baseline repeats something published up to the split.
    years = [int(y) for y in __import__("re").findall(r"(?<!\d)(20\d\d)(?!\d)", t.baseline.path)]
    if t.period == "forecast":
        assert years and max(years) <= SPLIT.month.year, t.baseline.path


def test_published_values_match_the_record_by_hand(data: dict[str, Any]) -> None:
    by_key = {t.key: t.published(data) for t in TARGETS}
    assert by_key["2010_winner"] == "Ed Miliband" and by_key["2020_winner"] == "Keir Starmer"
    assert by_key["2015_r1_jeremy_corbyn"] == 59.5
    assert by_key["2010_final_affiliates_ed_miliband"] == 59.802
    assert by_key["members_2017"] == 564443
    assert by_key["2016_r1_members_jeremy_corbyn"] == pytest.approx(
        100 * 168216 / (168216 + 116960)
    )
    assert by_key["momentum_2018-04"] == 40000
    # Undated figures: 2019's 40,000 (fit), 2021's "20,000-30,000" by its midpoint (forecast).
    assert by_key["momentum_2019"] == 40000 and by_key["momentum_2021"] == 25000
    assert target("momentum_2019").period == "fit" and target("momentum_2021").period == "forecast"
    assert target("momentum_2021").baseline.value(data) == 40000
    assert by_key["nec_clp_left_2020"] == pytest.approx(100 * 5 / 9)
    # Baselines by hand: 2020 left candidate <- Corbyn's 61.8 in 2016; the two
    # others share the rest: (100 - 61.8) / 2 = 19.1.
    assert target("2020_r1_rebecca_long_bailey").baseline.value(data) == pytest.approx(61.8)
    assert target("2020_r1_keir_starmer").baseline.value(data) == pytest.approx(19.1)
    assert target("members_2024").baseline.value(data) == 532046  # end of 2019, the split
    assert target("2016_clps_owen_smith").baseline.value(data) == 110 + 109 + 18


def test_the_2017_2018_dated_membership_figures_are_fit_targets(data: dict[str, Any]) -> None:
    # The Commons Library's March 2017 figure (after the 2016 contest), June
    # 2017, LabourList's "~575,000" summer peak and January 2018: the shape
    # between the year-ends, every one inside the fit period and scored as
    # membership (the same 10% tolerance).
    expected = {
        "members_2017_03": 517000,
        "members_2017_06": 552000,
        "members_2017_07": 575000,
        "members_2018_01": 552000,
    }
    for key, value in expected.items():
        t = target(key)
        assert t.published(data) == value, key
        assert t.period == "fit" and t.family == "membership", key
    # Each is compared with the last year-end before it.
    assert target("members_2017_03").baseline.value(data) == 543645
    assert target("members_2018_01").baseline.value(data) == 564443


def _outcomes(values: dict[str, list[float]], scenario: str) -> pd.DataFrame:
    n = len(next(iter(values.values())))
    return pd.DataFrame({"scenario": scenario, "draw": range(n), "seed": 1, **values})


def test_target_table_intervals_scores_and_skill(data: dict[str, Any], scenarios: Any) -> None:
    share, winner = target("2020_r1_keir_starmer"), target("2020_winner")
    sample = list(np.linspace(40, 60, 101))  # 40.0, 40.2, ..., 60.0
    outcomes = _outcomes({share.key: sample, winner.key: [1.0] * 30 + [0.0] * 71}, share.scenario)
    table = target_table(outcomes, data, scenarios, [share, winner])
    row = table.iloc[0]
    assert row["runs"] == 101 and row["median"] == pytest.approx(50.0)
    assert (row["low_90"], row["high_90"]) == pytest.approx((41.0, 59.0))
    assert (row["low_50"], row["high_50"]) == pytest.approx((45.0, 55.0))
    # 56.2 is outside the 50% interval, inside the 80% (42-58) and the 90%.
    assert (row["inside_50"], row["inside_80"], row["inside_90"]) == (False, True, True)
    assert row["error"] == pytest.approx(50.0 - 56.2)
    assert row["is_90"] == pytest.approx(18.0)  # inside: the width
    assert row["crps_baseline"] == pytest.approx(abs(19.1 - 56.2))
    assert row["skill_crps"] == pytest.approx(1 - row["crps"] / abs(19.1 - 56.2))
    assert row["role"] == "forecast" and row["status"] == "measured"
    w = table.iloc[1]
    assert w["p"] == pytest.approx(30 / 101)
    assert w["brier"] == pytest.approx((1 - 30 / 101) ** 2)
    assert w["brier_baseline"] == pytest.approx((1 - 1 / 3) ** 2)
    assert "2020 round 1, Keir Starmer" in target_markdown(table)


def test_rows_not_modelled_or_built_in_are_never_scored(
    data: dict[str, Any], scenarios: Any
) -> None:
    import dataclasses

    # A target whose event type the model lacks (none does today: make one).
    ghost = dataclasses.replace(target("nec_clp_left_2020"), requires=("no_such_event",))
    keys = ["plp_2019", "members_2020", "members_2016"]
    outcomes = _outcomes(
        {"plp_2019": [202.0] * 5, "members_2020": [523332.0] * 5, "members_2016": [1.0] * 5},
        "labour_2010_2024",
    )
    chosen = [ghost, *(target(k) for k in keys)]
    table = target_table(outcomes, data, scenarios, chosen).set_index("key")
    assert table.loc["nec_clp_left_2020", "status"] == "not modelled yet"
    assert table.loc["plp_2019", "role"] == "built-in"
    scores = score_table(table.reset_index()).set_index(["period", "role"])
    forecast = scores.loc[("2020–2024", "forecast")]
    # One measured forecast row (members_2020, inside); plp_2019 left out; the
    # NEC row counted as not modelled and, in the strict coverage, as a miss.
    assert forecast["rows"] == 1 and forecast["not_modelled"] == 1
    assert forecast["coverage_90"] == 1.0 and forecast["strict_90"] == 0.5
    assert scores.loc[("2010–2019", "fit"), "coverage_90"] == 0.0
    h = headline(table.reset_index())
    assert (h["forecast_rows"], h["forecast_inside_90"], h["forecast_not_modelled"]) == (1, 1, 1)


def test_comparison_pairs_runs_by_draw_and_seed() -> None:
    cf = "counterfactual_2015_no_rs"
    keys = [c.key for c in COMPARISONS[cf]]
    base = _outcomes({k: [1.0, 2.0, 3.0] for k in keys}, COUNTERFACTUALS[cf])
    other = _outcomes({k: [2.0, 4.0, 6.0] for k in keys}, cf)
    table = comparison_table(pd.concat([base, other], ignore_index=True), COMPARISONS)
    assert set(table["counterfactual"]) == {cf}
    shares = table[table["unit"] == "%"]
    assert (shares["median_difference"] == 2.0).all()
    assert (shares["baseline_median"] == 2.0).all() and (
        shares["counterfactual_median"] == 4.0
    ).all()


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
    m = compute_measures(RunData(series, [contest], scale=0.5), MEASURES)
    assert m["2015_winner"] == 1.0
    assert m["2015_r1_jeremy_corbyn"] == 40.0
    assert m["2015_r1_members_jeremy_corbyn"] == 30.0
    assert m["2015_r1_registered_supporters_jeremy_corbyn"] == 90.0
    assert m["2015_votes_members"] == 200.0  # 100 votes at scale 0.5
    assert m["2015_mps_jeremy_corbyn"] == 36.0 and m["2015_clps_jeremy_corbyn"] == 14.0
    assert m["members_2015"] == 400.0
    assert math.isnan(m["2010_winner"]) and math.isnan(m["members_2016"])
    assert math.isnan(m["nec_clp_left_2018"])  # not modelled: never a number


def test_leavers_are_summed_over_the_contest_months_at_full_size(data: dict[str, Any]) -> None:
    months = ["2015-05", "2015-06", "2015-12", "2016-01", "2016-02"]
    series = pd.DataFrame({"date": months, "lapsed": [1000, 10, 20, 30, 4000]})
    m = compute_measures(RunData(series, [], scale=0.1), MEASURES)
    assert m["lapsed_2015_16"] == 600.0  # (10 + 20 + 30) / 0.1: June 2015 to January 2016
    short = compute_measures(RunData(series.iloc[:3], [], scale=0.1), MEASURES)
    assert math.isnan(short["lapsed_2015_16"])  # the run stopped before January 2016
    assert target("lapsed_2015_16").observed(data) == 13860  # the party's figure


def test_machinery_end_to_end(tmp_path: Path, data: dict[str, Any]) -> None:
    out = tmp_path / "validation"
    settings = ValidationSettings(
        draws=2, seeds=1, scale=0.01, counterfactuals=False, source="prior", months=8
    )
    result = validate_history(out, settings, workers=1, progress=False)
    table = result.table
    assert list(table.key) == [t.key for t in TARGETS]
    measured = table[table["status"] == "measured"]
    # The 2010 contest and the 2010 year-end fall within 8 months of the start.
    assert {"2010_final_ed_miliband", "members_2010"} <= set(measured.key)
    # Every run is measured where its measure exists: the year-end membership always;
    # a contest only where it came to a ballot (with the candidates' attributes drawn
    # from the priors, the 2010 field can leave one qualifier, elected unopposed).
    assert (measured["runs"] >= 1).all() and (measured["runs"] <= 2).all()
    assert measured.loc[measured.key == "members_2010", "runs"].item() == 2
    numeric = measured[measured["kind"] == "number"]
    assert (numeric["low_90"] <= numeric["low_50"]).all() and (
        numeric["high_50"] <= numeric["high_90"]
    ).all()
    # Targets after the cut have no runs, and say so rather than guess.
    assert table.loc[table.key == "members_2024", "status"].item() == "no runs"
    for name in ("table.csv", "scores.csv", "patterns.csv", "outcomes.csv", "draws.csv",
                 "settings.json", "manifest.json", "validation.md"):  # fmt: skip
        assert (out / name).exists(), name
    figures = {p.name for p in (out / "figures").glob("validation_*.png")}
    assert {"validation_membership.png", "validation_coverage.png"} <= figures
    page = (out / "validation.md").read_text(encoding="utf-8")
    assert "{{" not in page and "2 × 1 = 2 runs per scenario" in page
    outcomes = pd.read_csv(out / "outcomes.csv")
    assert set(outcomes["scenario"]) == {"labour_2010_2024"}
    # Common random numbers: both scenarios ran the same (draw, seed) pairs.
    pairs = outcomes.groupby("scenario").apply(
        lambda f: tuple(sorted(zip(f["draw"], f["seed"], strict=True)))
    )
    assert pairs.nunique() == 1

    # The folder is never replaced by accident; --resume keeps every finished run.
    with pytest.raises(OutputError, match="already holds a validation"):
        validate_history(out, settings, workers=1, progress=False, figures=False)
    again = validate_history(out, settings, workers=1, progress=False, figures=False, resume=True)
    assert again.runs.ran == 0 and again.runs.outcomes.shape == result.runs.outcomes.shape
    other = ValidationSettings(
        draws=3, seeds=1, scale=0.01, counterfactuals=False, source="prior", months=8
    )
    with pytest.raises(OutputError, match="other settings"):
        validate_history(out, other, workers=1, progress=False, resume=True)


def test_the_2021_counterfactuals_2022_contest_is_measured_in_its_result_month():
    # The 2022 contest opens in June; its measures read the month the result
    # is recorded, so the counterfactual's comparison is not empty.
    from model import PartyModel, load_scenario
    from model.scenario.bundled import bundled_dir
    from model.validation.catalogue import MEASURES
    from model.validation.measures import RunData, compute_measures

    scenario = load_scenario(bundled_dir() / "counterfactual_2021_college.toml").with_changes(
        {"party.scale": 0.01}
    )
    party = PartyModel(scenario, rng=1)
    party.run_for(scenario.calendar.months)
    run = RunData(party.series(), list(party.events), 0.01)
    keys = [k for k in MEASURES if k.startswith("2022_winner_")]
    values = compute_measures(run, {k: MEASURES[k] for k in keys})
    assert keys and sum(values[k] for k in keys) == 1.0
