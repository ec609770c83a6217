"""Do a scenario's outcomes depend on the simulated scale? Runs it at two scales and compares.

Usage::

    .venv/bin/python experiments/scale_check.py                      # labour_2015_2024 at 0.1 and 1.0, 8 seeds
    .venv/bin/python experiments/scale_check.py --scenario labour_2015 --scales 0.05 0.2 --seeds 6
    .venv/bin/python experiments/scale_check.py --out results/scale_check.csv
    .venv/bin/python experiments/scale_check.py --workers 2 --runs results/scale_runs.csv

For each scale it runs the scenario over the seeds and collects outcomes that
meetings decide (CLP executive places and control, trigger-ballot full
selections) and that ballots decide (each contest's winner and round-1 shares),
plus membership. It prints, per outcome, the mean and sd at each scale and a
two-sample Kolmogorov-Smirnov p-value: a small p-value says the outcome's
distribution differs between the scales (meetings are drawn at their real size,
so it should not; a ballot's share has a little more sampling noise at a small
scale, but the same mean). Counts of members are compared per real member
(divided by the scale).
"""

from __future__ import annotations

import argparse
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from itertools import product
from pathlib import Path

import _checkout  # noqa: F401  (this checkout's `model`, not another's)
import pandas as pd
from scipy import stats

from model.party import PartyModel
from model.records.events import LeadershipContest, TriggerBallot
from model.scenario import load_scenario

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


def scenario_file(name: str) -> Path:
    """A scenario given by its name in scenarios/ ("labour_2015_2024") or as a path to a file."""
    if name.endswith(".toml") or "/" in name:
        return Path(name)
    return SCENARIOS / f"{name}.toml"


def outcomes(name: str, scale: float, seed: int) -> dict[str, float]:
    """One run's outcomes (counts of members per real member)."""
    scenario = load_scenario(scenario_file(name)).with_changes(party={"scale": scale})
    party = PartyModel(scenario, rng=seed)
    party.run_for(scenario.calendar.months)
    s = party.series()
    last = s.iloc[-1]
    out: dict[str, float] = {
        "members_end (real)": last["members_full"] / scale,
        "members_peak (real)": s["members_full"].max() / scale,
    }
    for c in s.columns:
        if c.startswith(("clps_", "places_")):
            out[f"{c}_end"] = float(last[c])
    for rec in party.events.of_type(LeadershipContest):
        if rec.balloted:
            for name_, pct in rec.rounds[0]["totals_pct"].items():
                out[f"{rec.month} R1 {name_}"] = float(pct)
    rounds: dict[str, int] = {}
    for tb in party.events.of_type(TriggerBallot):
        rounds[tb.month] = rounds.get(tb.month, 0) + int(tb.full_selection)
    for month, n in rounds.items():
        out[f"{month} full selections"] = float(n)
    return out


def _outcomes(task: tuple[str, float, int]) -> dict[str, float]:
    """`outcomes` of one (scenario, scale, seed), for a worker process."""
    return outcomes(*task)


def run_all(name: str, scales: list[float], seeds: int, workers: int = 1) -> pd.DataFrame:
    """Every run's outcomes, one row per (scale, seed); runs are independent of `workers`."""
    tasks = list(product([name], scales, range(1, seeds + 1)))
    if workers > 1:
        with ProcessPoolExecutor(workers) as pool:
            rows = list(pool.map(_outcomes, tasks))
    else:
        rows = [_outcomes(t) for t in tasks]
    keys = pd.DataFrame([{"scale": s, "seed": seed} for _, s, seed in tasks])
    return pd.concat([keys, pd.DataFrame(rows)], axis=1)


def compare(name: str, scales: list[float], seeds: int, workers: int = 1) -> pd.DataFrame:
    """Mean and sd of each outcome at each scale, and the KS p-value between the two scales."""
    return compare_runs(run_all(name, scales, seeds, workers), scales)


def compare_runs(runs: pd.DataFrame, scales: list[float]) -> pd.DataFrame:
    """The comparison table from `run_all`'s rows."""
    a, b = (runs[runs["scale"] == s].drop(columns=["scale", "seed"]) for s in scales)
    rows = []
    for column in sorted(set(a.columns) & set(b.columns)):
        x, y = a[column].dropna(), b[column].dropna()
        p = stats.ks_2samp(x, y).pvalue if len(x) and len(y) else float("nan")
        rows.append(
            {
                "outcome": column,
                f"mean at {scales[0]}": x.mean(),
                f"sd at {scales[0]}": x.std(),
                f"mean at {scales[1]}": y.mean(),
                f"sd at {scales[1]}": y.std(),
                "KS p": p,
            }
        )
    return pd.DataFrame(rows)


def main(argv: list[str] | None = None) -> int:
    """Run the comparison and print it (and write it with --out)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--scenario",
        default="labour_2015_2024",
        help="a name in scenarios/ or a path to a scenario file",
    )
    parser.add_argument("--scales", type=float, nargs=2, default=[0.1, 1.0])
    parser.add_argument("--seeds", type=int, default=8)
    parser.add_argument("--workers", type=int, default=1, help="worker processes")
    parser.add_argument("--out", type=Path, default=None, help="also write the table as CSV")
    parser.add_argument("--runs", type=Path, default=None, help="also write every run's outcomes")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    runs = run_all(args.scenario, list(args.scales), args.seeds, args.workers)
    table = compare_runs(runs, list(args.scales))
    with pd.option_context("display.width", 160, "display.max_rows", 200):
        print(table.round(3).to_string(index=False))
    print(
        f"\n{args.scenario}: {args.seeds} seeds at scales {args.scales[0]} and {args.scales[1]} "
        f"in {time.perf_counter() - started:.0f} s; "
        f"{int((table['KS p'] < 0.01).sum())} of {len(table)} outcomes differ at p < 0.01"
    )
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        table.to_csv(args.out, index=False)
    if args.runs is not None:
        args.runs.parent.mkdir(parents=True, exist_ok=True)
        runs.to_csv(args.runs, index=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
