"""The worker side of a sweep: one task of plain data in, plain tables out.

A task is the variant's scenario as a dict, the seed and what to keep; `run_task`
is a module-level function of it, so the same code runs in this process, in a
`ProcessPoolExecutor` or on Dask workers, and gives the same results everywhere.
"""

from __future__ import annotations

import fnmatch
import functools
import hashlib
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from model.analysis.measures import compute_outcomes
from model.records.events import Event
from model.scenario.schema import parse_scenario
from model.study.run import simulate

__all__ = ["Runner", "Task", "code_fingerprint", "keep_columns", "run_task"]


Task = dict[str, Any]


Runner = Callable[[Task], dict[str, Any]]


def run_task(task: Task) -> dict[str, Any]:
    """Run one task and return plain tables (runs in a worker; never raises for a bad run).

    Args:
        task: {"run_id", "scenario" (a dict), "seed", "scalars", "series",
            "events"} as built by `run_experiment`.

    Returns:
        {"status": "ok" | "failed", "error", "traceback", "seconds",
        "series" (DataFrame), "outcomes" (dict), "events" (list)}.
    """
    started = time.perf_counter()
    code = code_fingerprint()
    try:
        scenario = parse_scenario(task["scenario"], source=f"run {task['run_id']}")
        result = simulate(scenario, int(task["seed"]))
        outcomes = compute_outcomes(result.series, result.events, task["scalars"])
        series = keep_columns(result.series, task["series"])
        events = [e for e in result.events if _keep_event(e, task["events"])]
    except Exception as err:  # a failed run is a result, not the end of the sweep
        return {
            "status": "failed",
            "error": f"{type(err).__name__}: {err}",
            "traceback": traceback.format_exc(),
            "seconds": time.perf_counter() - started,
            "code": code,
            "series": pd.DataFrame(),
            "outcomes": {},
            "events": [],
        }
    return {
        "status": "ok",
        "error": "",
        "traceback": "",
        "seconds": time.perf_counter() - started,
        "code": code,
        "series": series,
        "outcomes": outcomes,
        "events": events,
    }


@functools.cache
def code_fingerprint() -> str:
    """A hash of this package's source files, as the process running a task sees them.

    Recorded with every run: a sweep whose runs show two fingerprints mixed
    code versions (the code was edited mid-sweep, or a resumed sweep runs
    newer code), and its variants may differ for that reason alone.
    """
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parents[1]
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def keep_columns(series: pd.DataFrame, patterns: Sequence[str]) -> pd.DataFrame:
    keep = ["month", "date", "scale"]  # the scale: member counts read at full size
    for column in series.columns:
        if column not in keep and any(fnmatch.fnmatchcase(column, p) for p in patterns):
            keep.append(column)
    return series[[c for c in keep if c in series.columns]].reset_index(drop=True)


def _keep_event(record: Event, types: Sequence[str] | None) -> bool:
    # AGMs are hundreds a year; they are summarised by outcomes instead.
    return record.type != "agm" if types is None else record.type in types
