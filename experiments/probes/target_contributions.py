"""Which fit targets a point's distance is spent on, and how two points differ (a probe).

    python experiments/probes/target_contributions.py --seeds 1,2,3,4 --scale 1.0 \
        --point "propensity_spread=5,join_rate=0.005" [--point ...] --out results/tc.csv

Each point (priors-table names; the published point is always the first)
is scored on the 2010–2019 fit targets as `experiments/fit_point.py`
scores it (`FitProblem.simulate`, runs cut at the split); the CSV holds
one row per point, seed and target with the model's statistic, the record
and the weighted miss, and the printout lists, per point, the targets
whose mean squared weighted miss changes most against the published point.
"""

from __future__ import annotations

import argparse
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import _checkout  # noqa: E402,F401  (this checkout's `model`)
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from model.validation.calibrate import build_problem, tolerance_weights  # noqa: E402
from model.validation.priors import load_priors  # noqa: E402
from model.validation.runner import Spread  # noqa: E402

_STATE: dict[str, Any] = {}


def _init(scale: float) -> None:
    table = load_priors()
    problem = build_problem(scale=scale, table=table)
    problem.spread = Spread(shock_sd=problem.spread.shock_sd)
    _STATE.update(problem=problem, weights=tolerance_weights(problem.targets, table))


def one(job: tuple[str, dict[str, float], int]) -> list[dict[str, Any]]:
    """Every fit target's statistic and weighted miss at one point and seed."""
    label, point, seed = job
    problem = _STATE["problem"]
    weights = _STATE["weights"]
    stats = problem.simulate(point, seed=seed)
    return [
        {
            "point": label,
            "seed": seed,
            "target": key,
            "model": stats[key],
            "record": observed,
            "miss": weights[key] * (stats[key] - observed),
        }
        for key, observed in problem.observed.items()
        if key in weights
    ]


def _point(text: str) -> dict[str, float]:
    return {k: float(v) for k, v in (item.split("=", 1) for item in text.split(",") if item)}


def main() -> None:
    """Score the points and print the targets that move most."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="1,2,3,4")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--point", action="append", default=[])
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    if args.out.exists():
        sys.exit(f"{args.out} exists: choose another --out")
    points = {"published": {}} | {text: _point(text) for text in args.point}
    seeds = [int(s) for s in args.seeds.split(",")]
    jobs = [(label, point, seed) for label, point in points.items() for seed in seeds]
    with ProcessPoolExecutor(args.workers, initializer=_init, initargs=(args.scale,)) as pool:
        rows = [row for batch in pool.map(one, jobs) for row in batch]
    frame = pd.DataFrame(rows)
    frame.to_csv(args.out, index=False)
    frame["sq"] = frame["miss"] ** 2
    per = frame.groupby(["point", "target"])[["sq", "model", "record"]].mean().reset_index()
    base = per[per.point == "published"].set_index("target")
    for label in points:
        mine = per[per.point == label].set_index("target")
        total = np.sqrt(frame[frame.point == label].groupby("seed")["sq"].sum()).mean()
        print(f"\n{label}: mean distance {total:.2f}")
        delta = (mine["sq"] - base["sq"]).sort_values()
        shown = (
            pd.concat([delta.head(8), delta.tail(8)])
            if label != "published"
            else (mine["sq"].sort_values().tail(15))
        )
        for key, value in shown.items():
            print(
                f"  {key:40s} {value:+8.2f}  model {mine.loc[key, 'model']:12.4g}"
                f"  (published {base.loc[key, 'model']:12.4g}, record {mine.loc[key, 'record']:12.4g})"
            )


if __name__ == "__main__":
    main()
