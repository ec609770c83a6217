"""The priors table, the posterior draws, the candidates' shocks, and a tiny resumable ABC-SMC."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from model.validation.calibrate import (
    CalibrationSettings,
    encode,
    posterior_draws,
    posterior_summary,
    run_calibration,
    theta_seed,
    weighted_quantiles,
)
from model.validation.history import citations, load_history, load_politics, resolve
from model.validation.priors import (
    PriorError,
    applicability,
    check_against_scenarios,
    load_priors,
    scenario_values,
)
from model.validation.scale import compare_samples, holm
from model.validation.scenarios import (
    ALIASES,
    SCENARIO_DIR,
    load_validation_scenarios,
    scenario_texts,
)
from model.validation.shocks import perturb_candidates

GOOD_ROW = """
[[parameter]]
name = "churn"
paths = ["flows.churn"]
prior = { dist = "loguniform", low = 0.003, high = 0.02 }
justification = "[assumption] a test row"
"""
SPREADS = """
[candidates]
ideology_sd = 0.1
valence_sd = 0.1
justification = "[assumption] a test spread"
[campaign]
shock_sd = 0.1
justification = "[assumption] a test shock"
"""


def test_the_priors_table_loads_and_covers_every_calibrated_tag() -> None:
    table = load_priors()
    names = {p.name for p in table.parameter}
    tagged = set()
    for path in SCENARIO_DIR.glob("*.toml"):
        tagged |= set(
            re.findall(r"\[calibrated:\s*(?:1\s*-\s*)?([A-Za-z_0-9]+)\s*\]", path.read_text())
        )
    tagged.discard("NAME")  # the files' own explanation of the syntax
    assert tagged <= names, f"tags without a prior: {sorted(tagged - names)}"
    assert {p.name for p in table.uncalibrated} == {"reselection_tolerance", "incumbency_bonus"}


def test_every_prior_applies_to_existing_fields_and_holds_the_scenario_value() -> None:
    table = load_priors()
    scenarios = load_validation_scenarios()
    where = applicability(scenario_texts(list(scenarios)), ALIASES)
    assert check_against_scenarios(table, scenarios, where) == []
    # The 2010 weight applies to the 2010 files only, the 2015 one to the 2015 family.
    w2010, w2015 = (
        table.by_name("members_left_weight_2010"),
        table.by_name("members_left_weight_2015"),
    )
    assert where.applies(w2010, "counterfactual_2010_omov") and not where.applies(
        w2010, "labour_2015"
    )
    assert where.applies(w2015, "labour_2015_2024") and not where.applies(w2015, "labour_2010")
    values = scenario_values(table, where, "labour_2010", {"members_left_weight_2010": 0.3})
    assert values == {"members.ideology.0.weight": 0.3, "members.ideology.1.weight": 0.7}


def test_prior_justifications_cite_real_data() -> None:
    history, politics = load_history(), load_politics()
    for p in load_priors().parameter:
        for path in citations(p.justification):
            found = False
            for data in (history, politics):
                try:
                    resolve(data, path)
                    found = True
                except (KeyError, ValueError):
                    pass
            assert found, f"{p.name}: {path} is in neither data set"


@pytest.mark.parametrize(
    "row, message",
    [
        (GOOD_ROW.replace("low = 0.003", "low = 0.05"), "low (0.05) must be below high"),
        (GOOD_ROW.replace('"loguniform"', '"normal"'), "prior.dist"),
        (GOOD_ROW.replace("[assumption] a test row", "just because I say so"), "justification"),
        (GOOD_ROW + "colour = 3\n", "colour"),
        (GOOD_ROW.replace("low = 0.003", "low = -1.0"), "loguniform prior needs low > 0"),
    ],
)
def test_a_bad_priors_table_names_the_file_row_and_field(
    tmp_path: Path, row: str, message: str
) -> None:
    path = tmp_path / "priors.toml"
    path.write_text(row + SPREADS, encoding="utf-8")
    with pytest.raises(PriorError) as err:
        load_priors(path)
    text = str(err.value)
    assert str(path) in text and message in text and "parameter 1 (churn)" in text


def test_posterior_draws_follow_the_weights_and_are_reproducible() -> None:
    table = load_priors()
    names = [p.name for p in table.calibrated]
    posterior = pd.DataFrame(
        [{**{n: float(i) for n in names}, "weight": w} for i, w in enumerate([0.0, 0.9, 0.1])]
    )
    a = posterior_draws(posterior, table, 400, seed=5)
    b = posterior_draws(posterior, table, 400, seed=5)
    pd.testing.assert_frame_equal(a, b)
    assert (a["churn"] != 0.0).all(), "a particle of weight 0 is never drawn"
    assert 0.8 < (a["churn"] == 1.0).mean() < 0.97
    # Uncalibrated parameters come from their priors.
    low, high = (
        table.by_name("incumbency_bonus").prior.low,
        table.by_name("incumbency_bonus").prior.high,
    )
    assert a["incumbency_bonus"].between(low, high).all() and a["incumbency_bonus"].nunique() > 100
    with pytest.raises(ValueError, match="lacks calibrated parameters"):
        posterior_draws(posterior.drop(columns=["churn"]), table, 3, seed=1)


def test_weighted_quantiles_and_summary() -> None:
    # Values 0..4 with equal weights: the weighted CDF midpoints are 0.1, 0.3, ..., 0.9.
    assert weighted_quantiles(np.arange(5.0), np.ones(5), [0.5]) == pytest.approx([2.0])
    assert weighted_quantiles(np.arange(5.0), np.ones(5), [0.3]) == pytest.approx([1.0])
    table = load_priors()
    posterior = pd.DataFrame({p.name: [p.prior.low, p.prior.high] for p in table.calibrated})
    posterior["weight"] = [0.5, 0.5]
    summary = posterior_summary(posterior, table).set_index("parameter")
    assert summary.loc["churn", "low"] >= table.by_name("churn").prior.low
    assert math.isnan(summary.loc["incumbency_bonus", "median"])


def test_summary_statistics_and_seeds() -> None:
    assert encode("%", 55.5) == 55.5 and encode("%", math.nan) == 0.0
    assert encode("members", math.e - 1) == pytest.approx(1.0)
    assert theta_seed({"a": 1.0, "b": 2.0}) == theta_seed({"b": 2.0, "a": 1.0})
    assert theta_seed({"a": 1.0}) != theta_seed({"a": 1.0000001})


def test_candidates_shocks_are_deterministic_per_draw_and_seed() -> None:
    data = load_validation_scenarios(counterfactuals=False)["labour_2015_2024"].model_dump(
        mode="json"
    )
    kwargs = {"ideology_sd": 0.1, "valence_sd": 0.15, "shock_sd": 0.2}
    a = perturb_candidates(data, draw=3, seed=11, **kwargs)
    b = perturb_candidates(data, draw=3, seed=11, **kwargs)
    c = perturb_candidates(data, draw=3, seed=12, **kwargs)
    d = perturb_candidates(data, draw=4, seed=11, **kwargs)

    def people(x: dict) -> list[tuple[str, float, float]]:
        scheduled = x["contests"]["scheduled"]
        return [
            (c["name"], c["ideology"], c["valence"]) for s in scheduled for c in s["candidates"]
        ]

    assert people(a) == people(b)
    # Another seed: new campaign shocks (valence) but the same attributes (ideology).
    assert [p[1] for p in people(a)] == [p[1] for p in people(c)]
    assert [p[2] for p in people(a)] != [p[2] for p in people(c)]
    assert [p[1] for p in people(a)] != [p[1] for p in people(d)]
    assert people(a) != people({"contests": data["contests"]})
    # The input is left alone and the values stay in range.
    assert data["contests"]["scheduled"][2]["candidates"][0]["ideology"] == -0.2
    assert all(-1 <= p[1] <= 1 and -2 <= p[2] <= 2 for p in people(a))
    none = perturb_candidates(data, draw=3, seed=11, ideology_sd=0, valence_sd=0, shock_sd=0)
    assert people(none) == people({"contests": data["contests"]})


def test_holm_and_two_sample_comparison() -> None:
    # Holm with m = 3: sorted 0.01, 0.02, 0.04 -> 0.03, 0.04, 0.04 (monotone).
    assert holm([0.04, 0.01, 0.02]) == pytest.approx([0.04, 0.03, 0.04])
    rng = np.random.default_rng(1)
    same = compare_samples(rng.normal(0, 1, 300), rng.normal(0, 1, 300))
    shifted = compare_samples(rng.normal(0, 1, 300), rng.normal(1, 1, 300))
    assert same[1] > 0.01 and shifted[1] < 1e-6
    assert compare_samples(np.array([2.0, 2.0]), np.array([2.0])) == (0.0, 1.0)


def test_a_tiny_calibration_runs_and_resumes_without_redoing(tmp_path: Path) -> None:
    pytest.importorskip("pyabc")
    out = tmp_path / "calibration"
    settings = CalibrationSettings(
        scale=0.01, population=3, generations=1, workers=1, sampler="single"
    )
    first = run_calibration(out, settings, months=4, progress=False)
    assert first.ran == 1 and (out / "pyabc.db").exists()
    posterior = pd.read_csv(out / "posterior.csv")
    table = load_priors()
    assert {p.name for p in table.calibrated} <= set(posterior.columns)
    assert posterior["weight"].sum() == pytest.approx(1.0) and len(posterior) == 3
    simulations = first.settings["simulations"]
    # Asking for the same number of generations again runs nothing.
    again = run_calibration(out, settings, months=4, progress=False)
    assert again.ran == 0 and again.settings["simulations"] == simulations
    # One more generation continues from the stored one.
    more = run_calibration(
        out,
        CalibrationSettings(**{**settings.__dict__, "generations": 2}),
        months=4,
        progress=False,
    )
    assert more.ran == 1 and more.settings["generations_done"] == 2
    assert more.settings["simulations"] > simulations
    # Other settings in the same folder are refused.
    with pytest.raises(ValueError, match="other settings"):
        run_calibration(
            out,
            CalibrationSettings(**{**settings.__dict__, "population": 4}),
            months=4,
            progress=False,
        )
