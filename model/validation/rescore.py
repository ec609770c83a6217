"""The robust point of a calibration: its last generation re-run with several seeds.

ABC-SMC accepts a particle on one run. Where one run's outcome swings with
its seed (whether a fringe candidate reaches the ballot, how large a surge
grows) the particle with the smallest distance is often the luckiest run,
not the best parameters: re-run with other seeds, calibration_v13's best
particle put 2010's membership anywhere from 325k to 700k. The robust point
re-runs every particle of the last generation with the same few seeds, at
the scenario's own candidate attributes (as users run it), scores each run
with the calibration's own distance, and picks the particle with the
smallest mean distance: the parameters that fit whatever the seed.

``factions calibrate --apply DIR --point robust`` writes it; the scores are
kept in ``DIR/robust.csv`` (one row per particle and seed), so that a second
--apply with the same seeds reuses them.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pandas as pd

from model.records.writers import atomic_write
from model.validation.calibrate import (
    FitProblem,
    build_problem,
    load_posterior,
    tolerance_weights,
)
from model.validation.priors import PriorTable, load_priors
from model.validation.runner import Spread

ROBUST_FILE = "robust.csv"


def distance_weights(folder: Path, problem: FitProblem, table: PriorTable) -> dict[str, float]:
    """The calibration's own weights: its tolerances, or the adaptive weights of its last generation.

    Raises:
        FileNotFoundError: an adaptive calibration without its weights file (named).
    """
    settings = json.loads((folder / "settings.json").read_text(encoding="utf-8"))
    if settings.get("settings", {}).get("distance") == "tolerance":
        return tolerance_weights(problem.targets, table)
    path = folder / "scale_weights.json"
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: the adaptive distance's weights are needed")
    generations = json.loads(path.read_text(encoding="utf-8"))
    last = generations[max(generations, key=int)]
    return {key: float(last.get(key, 0.0)) for key in problem.observed}


def run_distance(
    statistics: Mapping[str, float], observed: Mapping[str, float], weights: Mapping[str, float]
) -> float:
    """The calibration's distance between one run and the record (pyabc's weighted 2-norm)."""
    return math.sqrt(
        sum((weights[k] * (statistics[k] - observed[k])) ** 2 for k in observed if k in weights)
    )


def _score(job: tuple[FitProblem, dict[str, float], dict[str, float], int, int]) -> dict[str, Any]:
    problem, theta, weights, particle, seed = job
    statistics = problem.simulate(theta, seed=seed)
    return {
        "particle": particle,
        "seed": seed,
        "distance": run_distance(statistics, problem.observed, weights),
    }


def rescore(
    folder: str | Path,
    *,
    seeds: Sequence[int] = (1, 2, 3),
    table: PriorTable | None = None,
    workers: int = 1,
    months: int | None = None,
) -> pd.DataFrame:
    """Every particle of the last generation, run with each seed and scored.

    Args:
        folder: a finished calibration (posterior.csv, settings.json).
        seeds: the model seeds, the same for every particle.
        table: the priors table (default: the package's).
        workers: processes.
        months: cut the runs shorter (tests).

    Returns:
        One row per particle and seed: particle (row of posterior.csv),
        seed, distance. Also written to ``folder/robust.csv``; a file there
        with the same particles and seeds is read instead of re-running.
    """
    folder = Path(folder)
    table = table or load_priors()
    posterior, settings = load_posterior(folder)
    kept = folder / ROBUST_FILE
    wanted = {(i, int(s)) for i in range(len(posterior)) for s in seeds}
    if kept.exists():
        old = pd.read_csv(kept)
        if set(zip(old["particle"], old["seed"], strict=True)) == wanted:
            return old
    scale = float(settings["settings"]["scale"])
    problem = build_problem(scale=scale, table=table, months=months)
    # The scenario's own candidates: the point is judged as users will run it.
    problem.spread = Spread(shock_sd=problem.spread.shock_sd)
    weights = distance_weights(folder, problem, table)
    jobs = [
        (problem, {n: float(posterior.loc[i, n]) for n in problem.parameter_names}, weights, i, s)
        for i in range(len(posterior))
        for s in seeds
    ]
    if workers > 1:
        with ProcessPoolExecutor(workers) as pool:
            rows = list(pool.map(_score, jobs, chunksize=2))
    else:
        rows = [_score(job) for job in jobs]
    frame = pd.DataFrame(rows, columns=["particle", "seed", "distance"])
    atomic_write(kept, lambda p: frame.to_csv(p, index=False))
    return frame


def robust_particle(scores: pd.DataFrame) -> int:
    """The particle with the smallest mean distance over its seeds (ties: the lower row)."""
    means = scores.groupby("particle")["distance"].mean()
    return int(means.sort_index().idxmin())
