"""Can the model fit its fit period at all? The best point by direct search (CMA-ES).

ABC-SMC (``factions calibrate``) gives a posterior, but with a hundred
particles in twenty-odd dimensions and one noisy run per particle it cannot
say whether the model has *any* point that fits 2010–2019 — the question
behind every calibration not adopted so far (docs/calibration.md). This
script asks it directly: it minimises the calibration's own tolerance
distance (the same fit targets, observed values and tolerances as
``factions calibrate --distance tolerance``), averaged over the same few
seeds for every point (common random numbers, so two points differ by their
parameters, not their luck), at the scenario's own candidate attributes,
with CMA-ES (Hansen 2016, arXiv:1604.00772; the ``cma`` package) over the
priors' ranges (each parameter mapped to [0, 1] through its prior: linear
for uniform, logarithmic for log-uniform).

It starts from the values in the scenario file (the published calibration)
and reads nothing after the split: the problem is the calibration's, cut at
December 2019.

    python experiments/fit_point.py --out results/fit_point [--scale 0.05]
        [--seeds 1,2] [--popsize 12] [--generations 40] [--workers 2] [--resume]

With ``--generations 0`` it searches nothing: it scores the scenario's own
point under today's problem and writes it in the same folder format, so that
``factions validate-history --calibration DIR`` can validate the published
point after the fit period or the calibrated parameters change.

Writes, as it goes: ``evaluations.csv`` (every point: generation, the
parameters, each seed's distance, the mean), ``cma.pkl`` (the search state,
for --resume) and ``best.json``; at the end, ``posterior.csv`` and
``settings.json`` in the calibration folder format, one particle, so that
``factions calibrate --apply DIR --point best`` writes the point into the
scenario files. Never writes into an existing folder without --resume.
"""

from __future__ import annotations

import argparse
import json
import pickle
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict
from pathlib import Path
from typing import Any

import _checkout  # noqa: F401  (this checkout's `model`, not another's)
import numpy as np
import pandas as pd

from model.records.writers import atomic_write, write_text
from model.scenario.paths import get_path
from model.validation.calibrate import FitProblem, build_problem, tolerance_weights
from model.validation.priors import PriorTable, load_priors
from model.validation.rescore import run_distance
from model.validation.runner import Spread

SCENARIO = "labour_2010_2024"
_PROBLEM: FitProblem | None = None
_WEIGHTS: dict[str, float] = {}


def to_unit(
    table: PriorTable, values: dict[str, float], free: list[str] | None = None
) -> np.ndarray:
    """Parameter values as [0, 1] quantiles of their priors (clipped into the support).

    `free`: only these parameters, in the table's order (None: all calibrated).
    """
    return np.array(
        [
            p.prior.to_unit(values[p.name])
            for p in table.calibrated
            if free is None or p.name in free
        ]
    )


def from_unit(
    table: PriorTable,
    u: np.ndarray,
    free: list[str] | None = None,
    held: dict[str, float] | None = None,
) -> dict[str, float]:
    """[0, 1] quantiles as parameter values; with `free`, the others are `held`."""
    searched = [p for p in table.calibrated if free is None or p.name in free]
    theta = dict(held or {})
    theta.update(
        {
            p.name: float(p.prior.from_unit(np.clip(x, 0.0, 1.0)))
            for p, x in zip(searched, u, strict=True)
        }
    )
    return theta


def scenario_point(problem: FitProblem, table: PriorTable) -> dict[str, float]:
    """The calibrated parameters' values in the scenario file (the search's start)."""
    data = problem.scenarios[SCENARIO].model_dump(mode="json")
    return {p.name: float(get_path(data, p.paths[0])) for p in table.calibrated}


def _row(
    generation: int, theta: dict[str, float], seeds: list[int], per_seed: list[float]
) -> dict[str, Any]:
    """One line of evaluations.csv: a point, each seed's distance and their mean."""
    return {
        "generation": generation,
        **theta,
        **{f"seed_{s}": d for s, d in zip(seeds, per_seed, strict=True)},
        "distance": float(np.mean(per_seed)),
    }


def _init(problem: FitProblem, weights: dict[str, float]) -> None:
    global _PROBLEM, _WEIGHTS
    _PROBLEM, _WEIGHTS = problem, weights


def _distance(job: tuple[dict[str, float], int]) -> float:
    theta, seed = job
    assert _PROBLEM is not None
    return run_distance(_PROBLEM.simulate(theta, seed=seed), _PROBLEM.observed, _WEIGHTS)


def main(argv: list[str] | None = None) -> int:
    """Run (or resume) the search; see the module docstring."""
    import cma

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--scale", type=float, default=0.05)
    parser.add_argument("--seeds", default="1,2")
    parser.add_argument("--popsize", type=int, default=12)
    parser.add_argument("--generations", type=int, default=40)
    parser.add_argument(
        "--sigma", type=float, default=0.15, help="initial step, in prior quantiles"
    )
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--priors", type=Path, help="another priors table (TOML)")
    parser.add_argument(
        "--candidates",
        choices=("fixed", "drawn"),
        default="fixed",
        help="fixed: the scenario's own candidate attributes (default); drawn: each seed also "
        "draws them around the scenario's (the priors table's [candidates] spread, the same "
        "draw for every point), so the point must fit whatever the attributes",
    )
    parser.add_argument("--months", type=int, help="cut the runs shorter still (tests)")
    parser.add_argument(
        "--free",
        help="comma-separated calibrated parameters to search; the others are held at the "
        "scenario's values (a conditional search; default: all)",
    )
    parser.add_argument("--resume", action="store_true")
    args = parser.parse_args(argv)
    seeds = [int(s) for s in args.seeds.split(",")]

    table = load_priors(args.priors)
    problem = build_problem(scale=args.scale, table=table, months=args.months)
    if args.candidates == "fixed":
        problem.spread = Spread(shock_sd=problem.spread.shock_sd)
    weights = tolerance_weights(problem.targets, table)
    names = [p.name for p in table.calibrated]
    free = None
    if args.free:
        free = [n.strip() for n in args.free.split(",") if n.strip()]
        unknown = sorted(set(free) - set(names))
        if unknown:
            print(
                f"error: --free: {', '.join(unknown)} not calibrated parameters of the "
                f"priors table (allowed: {', '.join(names)})",
                file=sys.stderr,
            )
            return 2
    held = scenario_point(problem, table)

    state = args.out / "cma.pkl"
    log = args.out / "evaluations.csv"
    if args.out.exists() and any(args.out.iterdir()) and not args.resume:
        print(f"error: {args.out} is not empty; pass --resume or another --out", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    if args.resume and state.exists():
        es = pickle.loads(state.read_bytes())
    else:
        start = scenario_point(problem, table)
        es = cma.CMAEvolutionStrategy(
            to_unit(table, start, free),
            args.sigma,
            {"bounds": [0.0, 1.0], "popsize": args.popsize, "seed": 1, "verbose": -9},
        )
    rows = pd.read_csv(log).to_dict(orient="records") if log.exists() else []

    _init(problem, weights)
    pool = (
        ProcessPoolExecutor(args.workers, initializer=_init, initargs=(problem, weights))
        if args.workers > 1
        else None
    )
    run = pool.map if pool is not None else map
    try:
        if args.generations == 0 and not rows:
            # No search: score the scenario's own point under today's problem and
            # write it as a one-particle posterior (to validate a published point
            # against a changed fit period or new parameters).
            theta = scenario_point(problem, table)
            rows.append(_row(0, theta, seeds, list(run(_distance, [(theta, s) for s in seeds]))))
            frame = pd.DataFrame(rows)
            atomic_write(log, lambda p, f=frame: f.to_csv(p, index=False))
            print(f"the scenario's point: mean distance {rows[-1]['distance']:.2f}", flush=True)
        while es.countiter < args.generations and not es.stop():
            candidates = es.ask()
            thetas = [from_unit(table, u, free, held) for u in candidates]
            jobs = [(theta, s) for theta in thetas for s in seeds]
            flat = list(run(_distance, jobs))
            for k, theta in enumerate(thetas):
                rows.append(
                    _row(es.countiter, theta, seeds, flat[k * len(seeds) : (k + 1) * len(seeds)])
                )
            means = [row["distance"] for row in rows[-len(thetas) :]]
            es.tell(candidates, means)
            frame = pd.DataFrame(rows)
            atomic_write(log, lambda p, f=frame: f.to_csv(p, index=False))
            atomic_write(state, lambda p: p.write_bytes(pickle.dumps(es)))
            best = frame.loc[frame["distance"].idxmin()]
            write_text(
                args.out / "best.json",
                json.dumps({n: float(best[n]) for n in [*names, "distance"]}, indent=2) + "\n",
            )
            print(
                f"generation {es.countiter}: best {min(means):.2f}, "
                f"best so far {best['distance']:.2f}",
                flush=True,
            )
    finally:
        if pool is not None:
            pool.shutdown()

    frame = pd.DataFrame(rows)
    best = frame.loc[frame["distance"].idxmin()]
    posterior = pd.DataFrame(
        [{**{n: float(best[n]) for n in names}, "weight": 1.0, "distance": float(best["distance"]),
          "generation": 0}]
    )  # fmt: skip
    atomic_write(args.out / "posterior.csv", lambda p: posterior.to_csv(p, index=False))
    record: dict[str, Any] = {
        "fingerprint": "fit_point",
        "settings": {"scale": args.scale, "distance": "tolerance", "candidates": args.candidates,
                     "seeds": seeds, "popsize": args.popsize, "generations": int(es.countiter),
                     "free": free or names},
        "targets": [t.key for t in problem.targets],
        "parameters": names,
        "spread": asdict(problem.spread),
        "method": (
            f"CMA-ES (cma {cma.__version__}), experiments/fit_point.py"
            if args.generations
            else "the scenarios' own point, scored by experiments/fit_point.py --generations 0"
        ),
        "evaluations": len(rows) * len(seeds),
    }  # fmt: skip
    write_text(args.out / "settings.json", json.dumps(record, indent=2) + "\n")
    print(f"best mean distance {best['distance']:.2f}; written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
