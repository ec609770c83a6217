"""experiments/fit_point.py: the direct search for the best point of the fit period."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from model.validation.priors import load_priors
from tests.conftest import load_script


def _fit_point():
    return load_script("experiments/fit_point.py", "fit_point")


def test_prior_quantiles_map_to_values_and_back() -> None:
    fit_point = _fit_point()
    table = load_priors()
    rng = np.random.default_rng(7)
    for _ in range(20):
        u = rng.random(len(table.calibrated))
        values = fit_point.from_unit(table, u)
        for p in table.calibrated:
            assert p.prior.low <= values[p.name] <= p.prior.high
        assert np.allclose(fit_point.to_unit(table, values), u)
    # Log-uniform priors are searched in log space: the midpoint is the geometric mean.
    log_prior = next(p for p in table.calibrated if p.prior.dist == "loguniform")
    mid = fit_point.from_unit(table, np.full(len(table.calibrated), 0.5))[log_prior.name]
    assert mid == pytest.approx(np.sqrt(log_prior.prior.low * log_prior.prior.high))


def test_a_short_search_writes_its_best_point_as_a_calibration_folder(tmp_path: Path) -> None:
    pytest.importorskip("cma")
    from model.validation.apply import calibrated_point

    fit_point = _fit_point()
    out = tmp_path / "fit"
    # Five months reach the 2010 contest: enough targets to search on, in seconds.
    common = ["--out", str(out), "--scale", "0.01", "--popsize", "4", "--seeds", "1"]
    common += ["--months", "5"]
    assert fit_point.main([*common, "--generations", "1"]) == 0
    log = pd.read_csv(out / "evaluations.csv")
    assert len(log) == 4 and (log["distance"] > 0).all()
    posterior = pd.read_csv(out / "posterior.csv")
    assert len(posterior) == 1
    assert posterior["distance"].iloc[0] == pytest.approx(log["distance"].min())
    settings = json.loads((out / "settings.json").read_text())
    assert settings["settings"]["candidates"] == "fixed" and settings["evaluations"] == 4
    # `factions calibrate --apply DIR` reads it like any calibration.
    point = calibrated_point(out, "best")
    best = log.loc[log["distance"].idxmin()]
    assert point["churn"] == pytest.approx(float(best["churn"]), rel=0.01)
    # A folder with results is not written into without --resume; with it, the search goes on.
    assert fit_point.main([*common, "--generations", "2"]) == 2
    assert fit_point.main([*common, "--generations", "2", "--resume"]) == 0
    assert len(pd.read_csv(out / "evaluations.csv")) == 8


def test_a_search_can_draw_the_candidates_attributes_for_each_seed(tmp_path: Path) -> None:
    pytest.importorskip("cma")
    fit_point = _fit_point()
    args = ["--scale", "0.01", "--popsize", "2", "--seeds", "1", "--months", "5"]
    args += ["--generations", "1"]
    assert fit_point.main(["--out", str(tmp_path / "drawn"), *args, "--candidates", "drawn"]) == 0
    assert fit_point.main(["--out", str(tmp_path / "fixed"), *args]) == 0
    drawn = json.loads((tmp_path / "drawn" / "settings.json").read_text())
    fixed = json.loads((tmp_path / "fixed" / "settings.json").read_text())
    assert drawn["settings"]["candidates"] == "drawn" and drawn["spread"]["valence_sd"] > 0
    assert fixed["spread"]["valence_sd"] == 0
    # Same points (same CMA seed), other candidates: the 2010 contest comes out otherwise.
    a = pd.read_csv(tmp_path / "drawn" / "evaluations.csv")
    b = pd.read_csv(tmp_path / "fixed" / "evaluations.csv")
    assert np.allclose(a["churn"], b["churn"]) and not np.allclose(a["distance"], b["distance"])


def test_no_generations_scores_the_scenarios_own_point(tmp_path: Path) -> None:
    pytest.importorskip("cma")
    from model.validation.apply import calibrated_point

    fit_point = _fit_point()
    out = tmp_path / "published"
    args = ["--out", str(out), "--scale", "0.01", "--seeds", "1,2", "--months", "5"]
    assert fit_point.main([*args, "--generations", "0"]) == 0
    log = pd.read_csv(out / "evaluations.csv")
    assert len(log) == 1 and log["distance"].iloc[0] > 0
    settings = json.loads((out / "settings.json").read_text())
    assert "own point" in settings["method"] and settings["evaluations"] == 2
    assert log["distance"].iloc[0] == pytest.approx(log[["seed_1", "seed_2"]].iloc[0].mean())
    # The point written is the scenario file's, parameter by parameter.
    table = fit_point.load_priors()
    problem = fit_point.build_problem(scale=0.01, table=table, months=5)
    start = fit_point.scenario_point(problem, table)
    point = calibrated_point(out, "best")
    assert set(point) == set(start)
    for name, value in start.items():
        assert point[name] == pytest.approx(value), name


def test_a_conditional_search_moves_only_the_free_parameters(tmp_path: Path, capsys) -> None:
    pytest.importorskip("cma")
    fit_point = _fit_point()
    args = ["--scale", "0.01", "--popsize", "3", "--seeds", "1", "--months", "5"]
    args += ["--generations", "1"]
    out = tmp_path / "free"
    assert fit_point.main(["--out", str(out), *args, "--free", "churn,join_rate"]) == 0
    log = pd.read_csv(out / "evaluations.csv")
    table = load_priors()
    held = [p.name for p in table.calibrated if p.name not in ("churn", "join_rate")]
    # The free two vary between the candidates; every other parameter keeps one value.
    assert log["churn"].nunique() == 3 and log["join_rate"].nunique() == 3
    assert (log[held].nunique() == 1).all()
    settings = json.loads((out / "settings.json").read_text())
    assert settings["settings"]["free"] == ["churn", "join_rate"]
    # A name that is not a calibrated parameter is refused, naming what is allowed.
    assert fit_point.main(["--out", str(tmp_path / "bad"), *args, "--free", "churn,nope"]) == 2
    assert "nope" in capsys.readouterr().err
