"""Does the fit period see a parameter? Its profile at the published point, with the forecast.

Varies one parameter of the priors table (calibrated or not) over a few
values, holding every other at the scenario's value, and for each value and
seed reports

* the calibration's own tolerance distance on the 2010–2019 fit targets
  (``FitProblem.simulate``, as ``experiments/fit_point.py`` scores a point:
  the runs are cut at the split and read nothing after it), and
* the checks of ``experiments/history_checks.py`` on the full 2010–2024 run
  (fit-period figures and the forecast after 2020), for the same seed.

A flat distance with a moving forecast is the sign of a parameter the fit
period does not identify (docs/calibration.md: such parameters are drawn
from their priors in the validation, not fitted).

    python experiments/profile_point.py losers_lapse 0,0.01,0.02,0.03 \\
        --seeds 1,2,3,5,6,7 --scale 1.0 --workers 2 --out results/profile_losers_lapse.csv
        [--hold drawn_tolerance=0.3]

Writes one CSV row per value and seed (never over an existing file) and
prints, per value, the mean distance over the seeds in which Corbyn won the
2015 contest at every value (a run in which he did not has no 2016 contest,
and its distance is an order of magnitude larger whatever the value) and
the medians of the checks.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import _checkout  # noqa: F401  (this checkout's `model`, not another's)
import numpy as np
import pandas as pd

from model import load_scenario
from model.scenario.bundled import bundled_dir
from model.validation.calibrate import FitProblem, build_problem, tolerance_weights
from model.validation.priors import PriorTable, load_priors
from model.validation.rescore import run_distance
from model.validation.runner import Spread

HERE = Path(__file__).resolve().parent
SCENARIO = "labour_2010_2024"
SHOWN = (
    "2010 EdM members last round %",
    "2015 Corbyn R1 %",
    "2016 Corbyn R1 %",
    "members 2015-12",
    "members 2016-12",
    "members 2017-12",
    "members 2019-12",
    "members 2020-12",
    "members 2024-12",
    "fall 2020-2024 %",
    "2020 Starmer R1 %",
    "2019 deselected",
)


def _history_checks():
    spec = importlib.util.spec_from_file_location("history_checks", HERE / "history_checks.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


_STATE: dict[str, Any] = {}


def _init(scale: float, table: PriorTable) -> None:
    problem = build_problem(scale=scale, table=table)
    # The scenario's own candidate attributes, as fit_point.py scores a point
    # by default (only the campaign shocks vary with the seed).
    problem.spread = Spread(shock_sd=problem.spread.shock_sd)
    _STATE.update(
        problem=problem,
        weights=tolerance_weights(problem.targets, table),
        table=table,
        scale=scale,
        checks=_history_checks(),
    )


def one(job: tuple[dict[str, float], int]) -> dict[str, Any]:
    """The fit distance and the full run's checks at one point and seed.

    Parameters not in the job keep the scenario files' values, in the cut
    runs of the fit problem and in the full run alike.
    """
    changed, seed = job
    problem: FitProblem = _STATE["problem"]
    table: PriorTable = _STATE["table"]
    stats = problem.simulate(changed, seed=seed)
    distance = run_distance(stats, problem.observed, _STATE["weights"])
    paths = {p.name: p.paths[0] for p in table.parameter}
    full = load_scenario(bundled_dir() / f"{SCENARIO}.toml").with_changes(
        {"party.scale": _STATE["scale"], **{paths[k]: v for k, v in changed.items()}}
    )
    row = _STATE["checks"].one_run((seed, _STATE["scale"]), scenario=full)
    return {**changed, "seed": seed, "distance": distance, **row}


def main(argv: list[str] | None = None) -> int:
    """Run the profile; see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("parameter", help="a parameter of the priors table")
    parser.add_argument("values", help="comma-separated values")
    parser.add_argument("--seeds", default="1,2,3,4")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument(
        "--hold", action="append", default=[], help="NAME=VALUE: another parameter, held there"
    )
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    if args.out.exists():
        print(f"{args.out} exists: choose another --out", file=sys.stderr)
        return 2
    table = load_priors()
    names = [p.name for p in table.parameter]
    held: dict[str, float] = {}
    for item in args.hold:
        name, _, value = item.partition("=")
        held[name.strip()] = float(value)
    for name in [args.parameter, *held]:
        if name not in names:
            print(
                f"error: {name!r} is not a parameter of the priors table "
                f"(allowed: {', '.join(names)})",
                file=sys.stderr,
            )
            return 2
    values = [float(v) for v in args.values.split(",")]
    seeds = [int(s) for s in args.seeds.split(",")]
    jobs = [({**held, args.parameter: v}, s) for v in values for s in seeds]
    if args.workers > 1:
        with ProcessPoolExecutor(
            args.workers, initializer=_init, initargs=(args.scale, table)
        ) as pool:
            rows = list(pool.map(one, jobs))
    else:
        _init(args.scale, table)
        rows = [one(job) for job in jobs]
    frame = pd.DataFrame(rows)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_suffix(".part")  # moved into place only when complete
    frame.to_csv(tmp, index=False)
    tmp.replace(args.out)
    won = frame.groupby("seed")["2015 Corbyn R1 %"].min() > 40
    clean = won[won].index.tolist()
    print(f"{args.parameter} at {SCENARIO}'s point, scale {args.scale}, seeds {seeds}: {args.out}")
    print(f"  distance: mean over the seeds in which Corbyn won 2015 at every value {clean}")
    for value, group in frame.groupby(args.parameter):
        in_clean = group[group["seed"].isin(clean)]
        line = f"  {args.parameter} = {value:g}: distance {in_clean['distance'].mean():.2f}"
        for key in SHOWN:
            if key in group:
                line += f"; {key} {np.nanmedian(group[key].astype(float)):.1f}"
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
