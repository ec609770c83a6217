"""Running validation runs: posterior draws × seeds × campaign shocks, through the sweep runner.

Every run is one (scenario, draw, seed): the scenario with the draw's
parameter values set (a variant of the sweep), the named candidates'
attributes drawn for the draw and their campaign shocks drawn for (draw, seed)
(:mod:`model.validation.shocks`). The sweep runner (:mod:`model.study.sweep`)
writes each run as it finishes, so an interrupted validation keeps every
finished run and a resumed one runs only what is missing. Each run's measures
are computed in the worker; only numbers and a few monthly series come back.

Variants are the draws in order, in every scenario, so draw d and seed r mean
the same parameter values, attributes and shocks in a counterfactual and in its
baseline (common random numbers).
"""

from __future__ import annotations

import functools
import math
import time
import traceback
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from model.scenario.schema import Scenario, parse_scenario
from model.validation.catalogue import MEASURES
from model.validation.measures import RunData, compute_measures
from model.validation.shocks import perturb_candidates

SERIES_KEPT = [
    "members_full",
    "lapsed",
    "registered_supporters",
    "affiliated_supporters",
    "plp_size",
    "leader_ideology",
    "ideology_median",
    "plp_median",
    "faction_*",
    "deselections",
]
"""Monthly series each validation run keeps (for the figures and the patterns)."""

ROOT_SEED = 20100925  # the day Ed Miliband won: any fixed number; seeds spawn from it


@dataclass(frozen=True)
class Spread:
    """The sds of the candidates' attributes and campaign shocks (from the priors table)."""

    ideology_sd: float = 0.0
    valence_sd: float = 0.0
    shock_sd: float = 0.0


def draw_of(run_id: str) -> int:
    """The draw of a run: its variant number ("v0003-r0012" -> 3; variants are draws in order)."""
    return int(run_id.split("-")[0][1:])


def simulate_run(
    scenario_data: Mapping[str, Any],
    *,
    seed: int,
    draw: int,
    spread: Spread,
    keys: Sequence[str] | None = None,
    source: str = "validation run",
) -> tuple[RunData, dict[str, float]]:
    """One validation run: draw the candidates' attributes and shocks, simulate, measure.

    Args:
        scenario_data: the scenario as a dict (parameter values already set).
        seed: the model's root seed.
        draw: the posterior draw (seeds the candidates' attributes).
        spread: the sds of attributes and shocks.
        keys: the measures to compute (default: all).
        source: a name for error messages.

    Returns:
        (the run's data, measure key -> value).
    """
    from model.study.run import simulate

    data = perturb_candidates(
        scenario_data,
        ideology_sd=spread.ideology_sd,
        valence_sd=spread.valence_sd,
        shock_sd=spread.shock_sd,
        draw=draw,
        seed=seed,
    )
    scenario = parse_scenario(data, source=source)
    result = simulate(scenario, int(seed))
    run = RunData(result.series, result.events, scenario.party.scale)
    return run, compute_measures(run, MEASURES, keys)


def run_validation_task(
    task: Mapping[str, Any], *, spread: Spread = Spread(), keys: Sequence[str] | None = None
) -> dict[str, Any]:
    """Run one validation run (a sweep runner: module-level, never raises for a bad run).

    Args:
        task: as built by :func:`model.study.sweep.run_experiment` ("run_id",
            "scenario" as a dict, "seed", "series" patterns, ...).
        spread: the sds of attributes and shocks (bound with functools.partial).
        keys: the measures to compute (default: all).

    Returns:
        The sweep's output record with `outcomes` = the measures.
    """
    from model.study.sweep import _keep_columns, code_fingerprint

    started = time.perf_counter()
    try:
        run, outcomes = simulate_run(
            task["scenario"],
            seed=int(task["seed"]),
            draw=draw_of(task["run_id"]),
            spread=spread,
            keys=keys,
            source=f"run {task['run_id']}",
        )
        series = _keep_columns(run.series, task.get("series", SERIES_KEPT))
    except Exception as err:  # a failed run is recorded, the validation goes on
        return {
            "status": "failed",
            "error": f"{type(err).__name__}: {err}",
            "traceback": traceback.format_exc(),
            "seconds": time.perf_counter() - started,
            "code": code_fingerprint(),
            "series": pd.DataFrame(),
            "outcomes": {},
            "events": [],
        }
    return {
        "status": "ok",
        "error": "",
        "traceback": "",
        "seconds": time.perf_counter() - started,
        "code": code_fingerprint(),
        "series": series,
        "outcomes": outcomes,
        "events": [],
    }


@dataclass
class RunSet:
    """Runs of several scenarios: measures and kept series, tidy.

    Attributes:
        outcomes: one row per run: scenario, run_id, variant, label, replication,
            seed, draw, then one column per measure.
        series: monthly series of every run: scenario, run_id, ..., month,
            date, then the kept columns.
        seconds: wall time of this call.
        failed: run ids and errors of runs that raised.
        ran: runs made by this call (the rest were found finished).
    """

    outcomes: pd.DataFrame
    series: pd.DataFrame
    seconds: float = 0.0
    failed: list[str] = field(default_factory=list)
    ran: int = 0


def run_many(
    scenarios: Mapping[str, Scenario],
    out: str | Path,
    *,
    seeds: int,
    draws: Mapping[str, Sequence[tuple[str, Mapping[str, Any]]]] | None = None,
    spread: Spread = Spread(),
    workers: int | None = None,
    root_seed: int = ROOT_SEED,
    series: Sequence[str] = SERIES_KEPT,
    resume: bool = False,
    progress: bool = True,
) -> RunSet:
    """Run scenarios over draws × seeds through the sweep runner; collect measures.

    Each scenario is a sweep of its own in ``out/<scenario>/``: its variants
    are the draws (label, {dotted path: value}), its replications the seeds.

    Args:
        scenarios: name -> scenario.
        out: the folder of the sweep folders.
        seeds: replications per draw; seed r is the same in every scenario.
        draws: per scenario name, the draws in order (the same order everywhere);
            None or a missing name: the scenario as written (one "as written" draw).
        spread: the sds of candidates' attributes and campaign shocks.
        workers: worker processes (None or 1: serial).
        root_seed: the root the replication seeds are spawned from.
        series: series columns (patterns) to keep.
        resume: continue sweeps already in `out` (finished runs are kept).
        progress: progress bars.

    Returns:
        The RunSet.

    Raises:
        SweepError: a folder holds another sweep (or a finished one without `resume`).
    """
    from model.study.experiment import parse_experiment
    from model.study.sweep import run_experiment

    out = Path(out)
    started = time.perf_counter()
    runner = functools.partial(run_validation_task, spread=spread)
    outcomes, frames, failed, ran = [], [], [], 0
    for name, scenario in scenarios.items():
        variants = (draws or {}).get(name) or [("as written", {})]
        spec: dict[str, Any] = {
            "experiment": {
                "name": name,
                "scenario": f"{name} (in code)",
                "replications": seeds,
                "root_seed": root_seed,
            },
            "variants": [{"name": label, "set": dict(values)} for label, values in variants],
            "outcomes": {"series": list(series), "events": []},
        }
        experiment = parse_experiment(spec, source=f"validation: {name}", base=scenario)
        folder = out / name
        result = run_experiment(
            experiment,
            folder,
            workers=workers,
            resume=resume and folder.exists(),
            progress=progress,
            runner=runner,
        )
        ran += int(result.session.get("ran", 0))
        failed += [f"{name} {r.run_id}: {r.error}" for r in result.failed.itertuples()]
        table = result.outcomes.copy()
        if not table.empty:
            seeds_by_run = result.inputs.set_index("run_id")["seed"]
            table.insert(0, "scenario", name)
            table["seed"] = table["run_id"].map(seeds_by_run)
            table["draw"] = table["variant"].astype(int)
            outcomes.append(table)
        frame = result.series
        if not frame.empty:
            frame.insert(0, "scenario", name)
            frame["scale"] = scenario.party.scale
            frames.append(frame)
    return RunSet(
        outcomes=pd.concat(outcomes, ignore_index=True) if outcomes else pd.DataFrame(),
        series=pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(),
        seconds=time.perf_counter() - started,
        failed=failed,
        ran=ran,
    )


def finite_or_nan(value: Any) -> float:
    """A float, NaN for anything that is not a finite number."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return math.nan
    return number if math.isfinite(number) else math.nan
