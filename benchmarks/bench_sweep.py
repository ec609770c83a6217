"""Benchmark: sweep throughput, serial against a two-process pool (and Dask).

Runs one small experiment (the default scenario at 2% scale, ten years;
2 rule variants × 6 seeds = 12 runs) serially, in a local pool of two worker
processes, and with ``--dask`` on a two-worker Dask LocalCluster, each into a
fresh folder. Times the whole sweep (pool or cluster start-up included: that
is what a user waits for), reports runs per minute and the speed-up, and
checks that every way gives identical tables.

Prints a table and writes ``benchmarks/results/sweep.json`` with the figures,
the machine and a timestamp.

Usage: ``python benchmarks/bench_sweep.py [--replications N] [--months M] [--scale S] [--dask]``
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from model.study.experiment import parse_experiment  # noqa: E402
from model.study.sweep import SweepResult, run_experiment  # noqa: E402

RESULTS = REPO / "benchmarks" / "results" / "sweep.json"


def experiment(replications: int, months: int, scale: float):
    data = {
        "experiment": {
            "name": "bench_sweep",
            "scenario": str(REPO / "scenarios" / "default.toml"),
            "months": months,
            "replications": replications,
            "root_seed": 8,
        },
        "changes": {"party.scale": scale},
        "variants": [
            {"name": "2018 rules", "set": {"rules.preset": "labour_2018"}},
            {"name": "2021 rules", "set": {"rules.preset": "labour_2021"}},
        ],
    }
    return parse_experiment(data, source="bench_sweep")


def timed(label: str, **kwargs) -> tuple[SweepResult, float]:
    with tempfile.TemporaryDirectory(prefix="bench_sweep_") as folder:
        start = time.perf_counter()
        result = run_experiment(kwargs.pop("exp"), Path(folder) / "out", progress=False, **kwargs)
        seconds = time.perf_counter() - start
        # Read the lazily loaded tables before the folder goes.
        _ = result.series
    print(f"  {label:<24} {seconds:7.1f} s", flush=True)
    return result, seconds


def same(a: SweepResult, b: SweepResult) -> bool:
    """Identical tables (wall seconds and the code fingerprint aside)."""
    drop = ["seconds", "code"]
    try:
        pd.testing.assert_frame_equal(a.inputs.drop(columns=drop), b.inputs.drop(columns=drop))
        pd.testing.assert_frame_equal(a.outcomes, b.outcomes)
        pd.testing.assert_frame_equal(a.series, b.series)
    except AssertionError:
        return False
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=6)
    parser.add_argument("--months", type=int, default=120)
    parser.add_argument("--scale", type=float, default=0.02)
    parser.add_argument("--dask", action="store_true", help="also a 2-worker Dask LocalCluster")
    args = parser.parse_args()

    load_before = os.getloadavg()
    exp = experiment(args.replications, args.months, args.scale)
    print(
        f"{exp.n_runs} runs ({len(exp.points)} variants × {exp.replications} seeds), "
        f"{args.months} months, {exp.base.party.n_members:,} members, {os.cpu_count()} CPUs"
    )
    serial, serial_s = timed("serial", exp=exp)
    pool, pool_s = timed("2 worker processes", exp=exp, workers=2)
    ways = {"serial": (serial, serial_s), "pool_2": (pool, pool_s)}
    if args.dask:
        ways["dask_local_2"] = timed("Dask LocalCluster, 2", exp=exp, scheduler="local", workers=2)

    run_seconds = serial.inputs["seconds"]
    figures = {
        name: {
            "seconds": round(seconds, 2),
            "runs_per_minute": round(exp.n_runs / seconds * 60, 1),
            "speedup_vs_serial": round(serial_s / seconds, 2),
            "identical_to_serial": same(result, serial),
            # Differing results with differing fingerprints mean that the code
            # was edited while the benchmark ran, not that a way is wrong.
            "code": result.code_versions,
        }
        for name, (result, seconds) in ways.items()
    }
    record = {
        "benchmark": "sweep throughput",
        "runs": exp.n_runs,
        "variants": len(exp.points),
        "replications": exp.replications,
        "months": args.months,
        "members": exp.base.party.n_members,
        "seconds_per_run_median": round(float(run_seconds.median()), 3),
        "seconds_in_runs_serial": round(float(run_seconds.sum()), 2),
        "results": figures,
        "machine": {
            "cpus": os.cpu_count(),
            # Other work on the machine takes cores from the pool: read the
            # speed-up against these (1-minute load averages, before and after).
            "load_average_before": round(load_before[0], 2),
            "load_average_after": round(os.getloadavg()[0], 2),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    print()
    print(f"  {'way':<14} {'seconds':>8} {'runs/min':>9} {'speed-up':>9}  identical")
    for name, row in figures.items():
        print(
            f"  {name:<14} {row['seconds']:8.1f} {row['runs_per_minute']:9.1f} "
            f"{row['speedup_vs_serial']:8.2f}x  {row['identical_to_serial']}"
        )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    tmp = RESULTS.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(record, indent=2) + "\n")
    os.replace(tmp, RESULTS)
    print(f"  load average {load_before[0]:.1f} before, {os.getloadavg()[0]:.1f} after")
    print(f"\nwritten: {RESULTS.relative_to(REPO)}")


if __name__ == "__main__":  # required: worker processes import this file
    main()
