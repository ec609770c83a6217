"""Running an experiment: serially, in a process pool or on a Dask cluster.

Every run is a task of plain data (the variant's scenario as a dict, the
seed, what to keep) handed to `run_task`, a module-level function, so the
same code runs in this process, in a `ProcessPoolExecutor` or on Dask
workers, and gives the same results everywhere. Results come back to this
process, which alone writes them, each as it arrives:

    DIR/manifest.json              the experiment as resolved, seeds, versions
    DIR/parts/v0003-r0012.parquet  one run: its monthly series, and in the file's
                                   metadata its record and scalar outcomes (JSON)
                                   and its kept events (zlib-compressed JSON)
    DIR/inputs.csv, outcomes.csv   the runs × inputs and runs × outcomes tables,
                                   rewritten at the end of each sweep session

A part is written to a temporary name and renamed, so a part that exists is
complete. A resumed sweep runs only the run ids that have no part; one file
per run id means a row can never be duplicated. A run that raises is written
as a part with status "failed" and its error, and the sweep goes on. A part
that cannot be read (damaged on disk) is reported by name (`SweepResult.corrupt`)
and run again by a resumed sweep.

The folder is never overwritten by mistake (`model.study.outputs`): a new
sweep needs an empty or new folder, ``resume`` continues the same
experiment, and ``overwrite`` replaces an earlier sweep only once the new one
is complete (it is built in ``.NAME.replacement`` beside it, which a resumed
sweep continues if interrupted). A lock file keeps a second writer out.
"""

from __future__ import annotations

import concurrent.futures as cf
import fnmatch
import functools
import hashlib
import json
import math
import multiprocessing
import os
import shutil
import sys
import time
import traceback
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from model.records.events import Event, EventMark, event_from_dict
from model.records.writers import atomic_write, write_text
from model.study.experiment import Experiment, run_id
from model.study.outputs import check_writable, folder_kind, lock_folder, prepare_output
from model.study.outputs import replace_folder as _replace_folder

__all__ = [
    "PART_KEY",
    "RunRecord",
    "SweepError",
    "SweepResult",
    "load_sweep",
    "run_experiment",
    "run_task",
    "sweep_in_progress",
]

PART_KEY = b"factions.run"
EVENTS_KEY = b"factions.events"
MANIFEST_KIND = "sweep"
KEY_COLUMNS = ["run_id", "variant", "label", "replication"]
Task = dict[str, Any]
Runner = Callable[[Task], dict[str, Any]]


class SweepError(ValueError):
    """A sweep that cannot start or continue (message fit for a user)."""


# --- the worker side ---------------------------------------------------------------


def run_task(task: Task) -> dict[str, Any]:
    """Run one task and return plain tables (runs in a worker; never raises for a bad run).

    Args:
        task: {"run_id", "scenario" (a dict), "seed", "scalars", "series",
            "events"} as built by `run_experiment`.

    Returns:
        {"status": "ok" | "failed", "error", "traceback", "seconds",
        "series" (DataFrame), "outcomes" (dict), "events" (list)}.
    """
    from model.analysis.measures import compute_outcomes
    from model.scenario.schema import parse_scenario
    from model.study.run import simulate

    started = time.perf_counter()
    code = code_fingerprint()
    try:
        scenario = parse_scenario(task["scenario"], source=f"run {task['run_id']}")
        result = simulate(scenario, int(task["seed"]))
        outcomes = compute_outcomes(result.series, result.events, task["scalars"])
        series = _keep_columns(result.series, task["series"])
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


def _keep_columns(series: pd.DataFrame, patterns: Sequence[str]) -> pd.DataFrame:
    keep = ["month", "date"]
    for column in series.columns:
        if column not in keep and any(fnmatch.fnmatchcase(column, p) for p in patterns):
            keep.append(column)
    return series[[c for c in keep if c in series.columns]].reset_index(drop=True)


def _keep_event(record: Event, types: Sequence[str] | None) -> bool:
    # AGMs are hundreds a year; they are summarised by outcomes instead.
    return record.type != "agm" if types is None else record.type in types


# --- records -------------------------------------------------------------------------


@dataclass
class RunRecord:
    """What the sweep knows about one finished run (one row of the runs table)."""

    run_id: str
    variant: int
    label: str
    replication: int
    seed: int
    status: str
    error: str
    seconds: float
    code: str = ""
    outcomes: dict[str, float] = field(default_factory=dict)

    def row(self) -> dict[str, Any]:
        """The record as a row of the runs table (without outcomes)."""
        return {
            "run_id": self.run_id,
            "variant": self.variant,
            "label": self.label,
            "replication": self.replication,
            "seed": self.seed,
            "status": self.status,
            "error": self.error,
            "seconds": self.seconds,
            "code": self.code,
        }


def _part_path(folder: Path, rid: str) -> Path:
    return folder / "parts" / f"{rid}.parquet"


def _write_part(folder: Path, record: RunRecord, output: Mapping[str, Any]) -> None:
    """Write one run's part atomically: its series, with the rest as file metadata."""
    series = output["series"].copy()
    table = pa.Table.from_pandas(series, preserve_index=False)
    meta = {
        "run": record.row(),
        "traceback": output.get("traceback", ""),
        "outcomes": {k: _finite_or_none(v) for k, v in output["outcomes"].items()},
    }
    events = json.dumps(
        _clean_json([e.to_dict() for e in output["events"]]),
        separators=(",", ":"),
        allow_nan=False,
    )
    schema_meta = dict(table.schema.metadata or {})
    schema_meta[PART_KEY] = json.dumps(meta, separators=(",", ":"), allow_nan=False).encode()
    # Event records are verbose (a trigger ballot carries every branch's vote)
    # and Parquet does not compress metadata: compress them here (~10x).
    schema_meta[EVENTS_KEY] = zlib.compress(events.encode(), 6)
    table = table.replace_schema_metadata(schema_meta)
    atomic_write(_part_path(folder, record.run_id), lambda p: pq.write_table(table, p))


def _clean_json(value: Any) -> Any:
    """Event records with NaN or infinity replaced by None (strict JSON)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _clean_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean_json(v) for v in value]
    return value


def _finite_or_none(value: float) -> float | None:
    return float(value) if value is not None and math.isfinite(value) else None


_RUN_FIELDS = ("run_id", "variant", "label", "replication", "seed", "status", "error", "seconds")


def _read_part_meta(path: Path) -> dict[str, Any]:
    """A part's metadata (from the Parquet footer: cheap).

    Raises:
        ValueError: the file is not a complete part; the message says why.
    """
    try:
        meta = pq.read_schema(path).metadata or {}
    except (OSError, pa.ArrowException) as err:
        if "magic bytes" in str(err) or path.stat().st_size < 12:
            raise ValueError("not a Parquet file, or cut short (no Parquet footer)") from None
        raise ValueError(f"not a readable Parquet file ({_first_line(err)})") from None
    if PART_KEY not in meta:
        raise ValueError("a Parquet file without a run record")
    try:
        data = json.loads(meta[PART_KEY])
        run = data["run"]
        missing = [k for k in _RUN_FIELDS if k not in run]
    except (ValueError, KeyError, TypeError):
        raise ValueError("its run record is not valid JSON") from None
    if missing:
        raise ValueError(f"its run record lacks {', '.join(missing)}")
    if run["run_id"] != path.stem:
        raise ValueError(f"it holds run {run['run_id']}, not {path.stem}")
    return data


def _verify_part(path: Path) -> None:
    """Read a whole part (series and events), as a resumed sweep does before trusting it.

    Raises:
        ValueError: some of it cannot be read.
    """
    try:
        pq.read_table(path)
        _read_part_events(path)
    except (OSError, ValueError, zlib.error, pa.ArrowException) as err:
        raise ValueError(f"its data cannot be read ({_first_line(err)})") from None


def _first_line(err: BaseException) -> str:
    text = str(err).strip().splitlines()
    return text[0] if text else type(err).__name__


def _read_part_events(path: Path) -> list[Event]:
    meta = pq.read_schema(path).metadata or {}
    if EVENTS_KEY not in meta:
        return []
    return [event_from_dict(d) for d in json.loads(zlib.decompress(meta[EVENTS_KEY]))]


def _scan_parts(
    folder: Path, *, verify: bool = False
) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
    """The complete parts of a sweep folder, and the corrupt ones.

    Args:
        folder: the sweep folder.
        verify: read every part whole (series and events), not just its
            footer; a resumed sweep does, before it trusts a part.

    Returns:
        ({run id: part metadata} of the good parts, {file name: what is
        wrong} of the parts that cannot be read).
    """
    parts = folder / "parts"
    done: dict[str, dict[str, Any]] = {}
    corrupt: dict[str, str] = {}
    if not parts.is_dir():
        return done, corrupt
    for path in sorted(parts.glob("v*-r*.parquet")):
        try:
            meta = _read_part_meta(path)
            if verify:
                _verify_part(path)
        except ValueError as err:
            corrupt[path.name] = str(err)
            continue
        done[path.stem] = meta
    return done, corrupt


# --- the sweep ----------------------------------------------------------------------


@dataclass
class SweepResult:
    """A sweep folder's results as tidy tables (EMA-style: inputs and outcomes by run id).

    Attributes:
        folder: the sweep folder.
        manifest: the manifest (experiment as resolved, seeds, versions).
        inputs: runs × inputs: run_id, variant, label, replication, seed, one
            column per factor path, status ("ok"/"failed"), error, seconds, code
            (the fingerprint of the model code that made the run).
        outcomes: runs × scalar outcomes (successful runs only), keyed like inputs.
        session: what this call did (ran, skipped, failed, seconds); empty
            for `load_sweep`.
        corrupt: parts that cannot be read: file name -> what is wrong. They
            are not in the tables; a resumed sweep runs them again.

    `series`, `series_long` and `events` are read from the parts on first use.
    """

    folder: Path
    manifest: dict[str, Any]
    inputs: pd.DataFrame
    outcomes: pd.DataFrame
    session: dict[str, Any] = field(default_factory=dict)
    corrupt: dict[str, str] = field(default_factory=dict)

    @cached_property
    def events(self) -> pd.DataFrame:
        """The kept event records of the successful runs, one row each: run_id,
        variant, label, replication, type, month, record (the typed event)."""
        rows = []
        for row in self.inputs.itertuples(index=False):
            if row.status != "ok":
                continue
            keys = {
                "run_id": row.run_id,
                "variant": row.variant,
                "label": row.label,
                "replication": row.replication,
            }
            for record in self._part_events(row.run_id):
                rows.append(
                    {
                        **keys,
                        "type": record.type,
                        "month": record.month,
                        "record": record,
                    }
                )
        return pd.DataFrame(rows, columns=[*KEY_COLUMNS, "type", "month", "record"])

    def _part_series(self, rid: str) -> pd.DataFrame:
        path = _part_path(self.folder, rid)
        try:
            return pq.read_table(path).to_pandas()
        except (OSError, pa.ArrowException) as err:
            raise SweepError(_damaged(path, err)) from None

    def _part_events(self, rid: str) -> list[Event]:
        path = _part_path(self.folder, rid)
        try:
            return _read_part_events(path)
        except (OSError, ValueError, zlib.error, pa.ArrowException) as err:
            raise SweepError(_damaged(path, err)) from None

    @property
    def runs(self) -> pd.DataFrame:
        """Another name for `inputs` (the runs table)."""
        return self.inputs

    @property
    def complete(self) -> bool:
        """True when every planned run has a readable part."""
        return len(self.inputs) == self.manifest["runs"]

    @property
    def code_versions(self) -> list[str]:
        """The code fingerprints the runs were made with (more than one: mixed code)."""
        return sorted(c for c in self.inputs["code"].dropna().unique() if c)

    @property
    def failed(self) -> pd.DataFrame:
        """The failed runs (run_id, label, seed, error)."""
        bad = self.inputs[self.inputs["status"] != "ok"]
        return bad[["run_id", "label", "seed", "error"]].reset_index(drop=True)

    @cached_property
    def series(self) -> pd.DataFrame:
        """Monthly series of the successful runs, wide: key columns + series columns."""
        frames = []
        for row in self.inputs.itertuples(index=False):
            if row.status != "ok":
                continue
            frame = self._part_series(row.run_id)
            keys = pd.DataFrame(
                {
                    "run_id": row.run_id,
                    "variant": row.variant,
                    "label": row.label,
                    "replication": row.replication,
                },
                index=frame.index,
            )
            frames.append(pd.concat([keys, frame], axis=1))
        if not frames:
            return pd.DataFrame(columns=[*KEY_COLUMNS, "month", "date"])
        return pd.concat(frames, ignore_index=True)

    @cached_property
    def series_long(self) -> pd.DataFrame:
        """Monthly series in long form: run_id, variant, label, replication, month,
        date, variable, value (numeric columns only)."""
        wide = self.series
        values = [
            c
            for c in wide.columns
            if c not in (*KEY_COLUMNS, "month", "date") and pd.api.types.is_numeric_dtype(wide[c])
        ]
        long = wide.melt(
            id_vars=[*KEY_COLUMNS, "month", "date"],
            value_vars=values,
            var_name="variable",
            value_name="value",
        )
        long["value"] = long["value"].astype(float)
        return long

    def common_events(self, min_share: float = 0.5) -> list[EventMark]:
        """Events (type and month) found in at least `min_share` of the successful runs,
        for marking on figures (see `model.analysis.figures.common_events`)."""
        from model.analysis.figures import common_events

        ok = int((self.inputs["status"] == "ok").sum())
        return common_events(self.events, ok, min_share=min_share)

    def outcome_summary(
        self, names: Sequence[str] | None = None, quantiles: tuple[float, float] = (0.05, 0.95)
    ) -> pd.DataFrame:
        """Median and a quantile band of each outcome per variant.

        Args:
            names: outcome columns (default: all).
            quantiles: the band's low and high quantiles.

        Returns:
            One row per (variant, label, outcome): runs, median, low, high.
        """
        return summarise_outcomes(self.outcomes, names, quantiles)


def _damaged(path: Path, err: BaseException) -> str:
    return (
        f"{path}: this part is damaged ({_first_line(err)}); run the sweep again with "
        "--resume to run it again"
    )


def summarise_outcomes(
    outcomes: pd.DataFrame,
    names: Sequence[str] | None = None,
    quantiles: tuple[float, float] = (0.05, 0.95),
) -> pd.DataFrame:
    """Median and a quantile band of each outcome per variant (see SweepResult)."""
    names = list(names) if names is not None else outcome_columns(outcomes)
    long = outcomes.melt(
        id_vars=["variant", "label"], value_vars=names, var_name="outcome", value_name="value"
    )
    grouped = long.groupby(["variant", "label", "outcome"], sort=False)["value"]
    table = grouped.quantile([0.5, *quantiles]).unstack()[[0.5, *quantiles]]
    table.columns = ["median", "low", "high"]
    table.insert(0, "runs", grouped.count())
    table = table.reset_index().sort_values(["variant", "outcome"], kind="stable")
    return table.reset_index(drop=True)


def outcome_columns(outcomes: pd.DataFrame) -> list[str]:
    """The outcome columns of an outcomes table (everything but the keys)."""
    return [c for c in outcomes.columns if c not in (*KEY_COLUMNS, "seed")]


def run_experiment(
    experiment: Experiment,
    out: str | Path,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    resume: bool = False,
    overwrite: bool = False,
    retry_failed: bool = False,
    progress: bool = True,
    runner: Runner = run_task,
    on_result: Callable[[RunRecord], None] | None = None,
) -> SweepResult:
    """Run every run of an experiment that has no result yet, streaming results to `out`.

    The folder is locked for the whole session (a second writer is refused);
    `out` must be new or empty, unless `resume` (continue the same
    experiment: runs without a readable part are run) or `overwrite` (replace
    an earlier sweep: the new one is built beside it, in
    ``.NAME.replacement``, and moved into place once every run has a part; if
    interrupted, `resume` continues it there).

    Args:
        experiment: the loaded experiment.
        out: the sweep folder.
        workers: processes (local pool) or Dask workers (``scheduler="local"``).
            None or 1 without a scheduler runs serially in this process; with
            ``scheduler="local"`` None means one per CPU.
        scheduler: None (this machine), "local" (start a Dask LocalCluster), or
            the address of a running Dask scheduler ("tcp://HOST:PORT").
        resume: continue the sweep already in `out` (it must be the same
            experiment; more replications are allowed), or the replacement
            an interrupted `overwrite` left beside it.
        overwrite: replace the sweep in `out` (never a run folder or other files).
        retry_failed: with `resume`, also rerun runs recorded as failed.
        progress: show a progress bar with an ETA.
        runner: the module-level function that runs one task (tests pass one
            that fails on purpose).
        on_result: called in this process after each run is written.

    Returns:
        The SweepResult for the whole folder (including earlier sessions).

    Raises:
        SweepError: `out` holds another experiment, its manifest cannot be
            read, or the Dask scheduler cannot be reached.
        OutputError: `out` holds results and neither `resume` nor
            `overwrite` was given, or other files, or cannot be written, or
            another process is writing it.
    """
    out = Path(out)
    if resume and overwrite:
        raise SweepError(
            "--resume and --overwrite: choose one (--resume continues the sweep in the "
            "folder, --overwrite starts a new one that replaces it)"
        )
    check_writable(out)  # before the lock file beside it is created
    with lock_folder(out):
        target = _target_folder(experiment, out, resume=resume, overwrite=overwrite)
        result = _run_session(
            experiment,
            target,
            resume=resume,
            workers=workers,
            scheduler=scheduler,
            retry_failed=retry_failed,
            progress=progress,
            runner=runner,
            on_result=on_result,
        )
        if target != out and result.complete:
            _replace_folder(target, out, "sweep", overwrite=True)
            session = result.session
            result = load_sweep(out)
            result.session = session
    return result


def sweep_in_progress(out: str | Path) -> Path:
    """The folder a sweep into `out` writes runs to.

    Args:
        out: the sweep folder.

    Returns:
        `out`, or its replacement beside it (``.NAME.replacement``) while a
        sweep started with ``overwrite`` is unfinished (see `run_experiment`).
    """
    out = Path(out)
    staging = _replacement(out)
    return staging if folder_kind(staging) == "sweep" else out


def _replacement(out: Path) -> Path:
    return out.absolute().parent / f".{out.absolute().name}.replacement"


def _run_session(
    experiment: Experiment,
    out: Path,
    *,
    resume: bool,
    workers: int | None,
    scheduler: str | None,
    retry_failed: bool,
    progress: bool,
    runner: Runner,
    on_result: Callable[[RunRecord], None] | None,
) -> SweepResult:
    """One session in a folder already checked and locked: run what has no part yet."""
    done: dict[str, dict[str, Any]] = {}
    corrupt: dict[str, str] = {}
    if resume:
        for stale in (out / "parts").glob(".*.tmp"):  # left by a process killed mid-write
            stale.unlink(missing_ok=True)
        done, corrupt = _scan_parts(out, verify=True)
        if corrupt:
            names = ", ".join(f"parts/{name} ({why})" for name, why in corrupt.items())
            print(
                f"note: {len(corrupt)} damaged part{'s' * (len(corrupt) != 1)} will be run "
                f"again: {names}",
                file=sys.stderr,
            )
    if retry_failed:
        done = {rid: meta for rid, meta in done.items() if meta["run"]["status"] == "ok"}
    todo = [spec for spec in experiment.runs() if spec.run_id not in done]
    session: dict[str, Any] = {
        "planned": experiment.n_runs,
        "skipped": experiment.n_runs - len(todo),
        "ran": 0,
        "failed": 0,
        "where": "serial",
        "workers": 1,
    }

    payloads: dict[int, dict[str, Any]] = {}

    def task_of(spec: Any) -> Task:
        if spec.variant not in payloads:
            payloads[spec.variant] = experiment.scenario(spec.variant).model_dump(mode="json")
        return {
            "run_id": spec.run_id,
            "scenario": payloads[spec.variant],
            "seed": spec.seed,
            "scalars": experiment.scalars,
            "series": list(experiment.spec.outcomes.series),
            "events": experiment.spec.outcomes.events,
        }

    labels = {p.index: p.label for p in experiment.points}
    started = time.perf_counter()
    from tqdm.auto import tqdm

    bar = tqdm(
        total=experiment.n_runs,
        initial=session["skipped"],
        unit="run",
        desc=experiment.name,
        disable=not progress or not todo,
        dynamic_ncols=True,
        file=sys.stderr,
        # In a log file (no terminal) a line every 30 s, not one per run.
        mininterval=0.1 if sys.stderr.isatty() else 30.0,
    )

    def finished(spec: Any, output: Mapping[str, Any]) -> None:
        record = RunRecord(
            run_id=spec.run_id,
            variant=spec.variant,
            label=labels[spec.variant],
            replication=spec.replication,
            seed=spec.seed,
            status=output["status"],
            error=output["error"],
            seconds=float(output["seconds"]),
            code=str(output.get("code", "")),
            outcomes=dict(output["outcomes"]),
        )
        _write_part(out, record, output)
        session["ran"] += 1
        session["failed"] += record.status != "ok"
        bar.update(1)
        if session["failed"]:
            bar.set_postfix(failed=session["failed"], refresh=False)
        if on_result is not None:
            on_result(record)

    try:
        if not todo:
            _write_manifest(experiment, out)
        else:
            with _executor(workers, scheduler, len(todo)) as (executor, where, slots):
                # Written once the workers are up: a cluster that cannot be
                # reached leaves no half-started sweep behind.
                _write_manifest(experiment, out)
                session["where"], session["workers"] = where, slots
                if executor is None:
                    for spec in todo:
                        finished(spec, runner(task_of(spec)))
                else:
                    in_flight = max(2, 2 * slots)
                    _drive(executor, todo, task_of, runner, finished, in_flight=in_flight)
    finally:
        bar.close()
        session["seconds"] = time.perf_counter() - started
        if session["ran"] or corrupt:
            _write_tables(out)
    result = load_sweep(out)
    result.session = session
    return result


def _drive(
    executor: cf.Executor,
    todo: Sequence[Any],
    task_of: Callable[[Any], Task],
    runner: Runner,
    finished: Callable[[Any, Mapping[str, Any]], None],
    *,
    in_flight: int,
) -> None:
    """Keep at most `in_flight` tasks submitted; write each result as it arrives.

    Bounding what is in flight keeps memory flat for big sweeps and lets an
    interrupt stop the sweep promptly.
    """
    pending: dict[cf.Future[dict[str, Any]], Any] = {}
    queue = iter(todo)
    try:
        while True:
            while len(pending) < in_flight:
                spec = next(queue, None)
                if spec is None:
                    break
                pending[executor.submit(runner, task_of(spec))] = spec
            if not pending:
                return
            ready, _ = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
            for future in sorted(ready, key=lambda f: pending[f].run_id):
                spec = pending.pop(future)
                try:
                    output = future.result()
                except cf.BrokenExecutor:  # the pool is gone (a worker died)
                    raise SweepError(
                        "a worker process died (out of memory?); the runs finished so far "
                        "are saved: rerun with --resume to continue"
                    ) from None
                except Exception as err:  # e.g. Dask's KilledWorker: record it like a raise
                    output = {
                        "status": "failed",
                        "error": f"{type(err).__name__}: {err}",
                        "traceback": "".join(traceback.format_exception(err)),
                        "seconds": math.nan,
                        "series": pd.DataFrame(),
                        "outcomes": {},
                        "events": [],
                    }
                finished(spec, output)
    finally:
        for future in pending:
            future.cancel()


@contextmanager
def _executor(
    workers: int | None, scheduler: str | None, n_tasks: int
) -> Iterator[tuple[cf.Executor | None, str, int]]:
    """(executor or None for serial, a description, parallel slots)."""
    if workers is not None and workers < 1:
        raise SweepError(f"workers must be at least 1, got {workers}")
    if scheduler is None:
        n = min(workers or 1, max(n_tasks, 1))
        if n <= 1:
            yield None, "serial", 1
            return
        # spawn, not fork: a forked copy of a process with threads (tqdm's
        # monitor, Dask's loop) can deadlock, and spawn behaves alike on every OS.
        pool = cf.ProcessPoolExecutor(
            max_workers=n, mp_context=multiprocessing.get_context("spawn")
        )
        try:
            yield pool, f"{n} worker processes", n
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
        return
    with _dask_client(workers, scheduler) as (client, where):
        slots = max(1, sum(client.nthreads().values()))
        executor = client.get_executor(pure=False)
        try:
            yield executor, where, slots
        finally:
            executor.shutdown(wait=False)


@contextmanager
def _dask_client(workers: int | None, scheduler: str) -> Iterator[tuple[Any, str]]:
    import logging

    from dask.distributed import Client, LocalCluster

    if scheduler == "local":
        n = workers or os.cpu_count() or 1
        cluster = LocalCluster(
            n_workers=n,
            threads_per_worker=1,  # the model is single-threaded numpy; processes give the speed
            processes=True,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        )
        client = Client(cluster)
        try:
            yield client, f"Dask LocalCluster, {n} workers"
        finally:
            client.close()
            cluster.close()
        return
    try:
        client = Client(scheduler, timeout="10s")
    except (OSError, TimeoutError, ValueError) as err:
        raise SweepError(f"cannot reach the Dask scheduler at {scheduler}: {err}") from None
    try:
        _check_worker_versions(client)
        n = len(client.scheduler_info().get("workers", {}))
        yield client, f"Dask cluster {scheduler}, {n} workers"
    finally:
        client.close()


def _model_version() -> str:
    import model

    return model.__version__


def _check_worker_versions(client: Any) -> None:
    """Refuse workers that run another version of this package (results would differ)."""
    here = _model_version()
    try:
        theirs = client.run(_model_version)
    except Exception as err:  # a worker without the package at all
        raise SweepError(
            f"the Dask workers cannot import this package ({err}); install it on every worker"
        ) from None
    wrong = {w: v for w, v in theirs.items() if v != here}
    if wrong:
        listed = ", ".join(f"{w} has {v}" for w, v in sorted(wrong.items()))
        raise SweepError(
            f"Dask workers run another version of party-factions ({here} here): {listed}"
        )


# --- the folder -------------------------------------------------------------------


def _target_folder(experiment: Experiment, out: Path, *, resume: bool, overwrite: bool) -> Path:
    """The folder this session writes (`out` or its replacement), after checking it.

    Raises:
        SweepError: a resumed folder holds another experiment or an unreadable
            manifest; an unfinished replacement is in the way.
        OutputError: `out` cannot be used (see `model.study.outputs.prepare_output`).
    """
    staging = _replacement(out)
    if folder_kind(staging) is not None:
        if resume:
            _check_same_experiment(experiment, staging)
            print(
                f"note: continuing the sweep that will replace {out} (started with "
                f"--overwrite), in {staging}",
                file=sys.stderr,
            )
            return staging
        if not overwrite:
            raise SweepError(
                f"{out}: an unfinished sweep that is to replace it (started with --overwrite) "
                f"is in {staging}; pass --resume to finish it, or --overwrite to start again"
            )
        shutil.rmtree(staging)  # --overwrite again: the user starts the replacement afresh
    if resume and (out / "manifest.json").exists():
        _check_same_experiment(experiment, out)
    prepare_output(out, "sweep", overwrite=overwrite, resume=resume)
    if overwrite and folder_kind(out) == "sweep":
        return staging
    return out


def _check_same_experiment(experiment: Experiment, folder: Path) -> None:
    """Refuse to resume a folder whose manifest is unreadable or is another experiment's."""
    path = folder / "manifest.json"
    try:
        old = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(old, dict):
            raise ValueError("not a JSON object")
    except (OSError, ValueError) as err:
        raise SweepError(
            f"{path}: cannot be read ({_first_line(err)}), so the sweep in {folder} cannot be "
            "resumed; pass --overwrite to start it again, or choose another --out"
        ) from None
    if old.get("kind") not in (None, MANIFEST_KIND):
        return  # not a sweep: prepare_output says what it is
    if old.get("fingerprint") != experiment.fingerprint():
        raise SweepError(
            f"{folder} holds a different experiment (its design, base scenario, seeds or "
            "outcomes differ); resume only the same experiment, or choose another --out"
        )


def _write_manifest(experiment: Experiment, out: Path) -> None:
    """Write the manifest (before any run), once the runs can start."""
    from model.study.run import git_revision, package_versions

    manifest = {
        "kind": MANIFEST_KIND,
        "experiment": {"name": experiment.name, **experiment.to_dict()},
        "fingerprint": experiment.fingerprint(),
        "runs": experiment.n_runs,
        "run_ids": "v{variant:04d}-r{replication:04d}",
        "versions": package_versions(),
        "python": sys.version.split()[0],
        "git_revision": git_revision(),
    }
    write_text(out / "manifest.json", json.dumps(manifest, indent=2) + "\n")
    (out / "parts").mkdir(parents=True, exist_ok=True)


def _write_tables(out: Path) -> None:
    """Rewrite DIR/inputs.csv and DIR/outcomes.csv from the parts (for other tools)."""
    result = load_sweep(out)
    atomic_write(out / "inputs.csv", lambda p: result.inputs.to_csv(p, index=False))
    atomic_write(out / "outcomes.csv", lambda p: result.outcomes.to_csv(p, index=False))


def load_sweep(folder: str | Path) -> SweepResult:
    """Read a sweep folder (complete or not) into tidy tables.

    Args:
        folder: the folder `run_experiment` (or `factions sweep`) wrote.

    Returns:
        The SweepResult; `series` and `series_long` are read on first use.

    Raises:
        SweepError: the folder is not a sweep folder.
    """
    folder = Path(folder)
    manifest_path = folder / "manifest.json"
    if not manifest_path.exists():
        raise SweepError(f"{folder} is not a sweep folder (no manifest.json)")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise SweepError(f"{manifest_path}: cannot be read ({_first_line(err)})") from None
    if not isinstance(manifest, dict) or manifest.get("kind") != MANIFEST_KIND:
        raise SweepError(f"{folder} is not a sweep folder (its manifest is not a sweep's)")
    experiment = manifest["experiment"]
    variants = {v["variant"]: v for v in experiment["variants"]}
    paths: list[str] = []
    for v in experiment["variants"]:
        paths.extend(p for p in v["values"] if p not in paths)
    base = experiment["base_scenario"]

    rows, outcome_rows = [], []
    done, corrupt = _scan_parts(folder)
    for _rid, meta in sorted(done.items()):
        run = meta["run"]
        values = variants[run["variant"]]["values"]
        inputs = {p: values[p] if p in values else _base_value(base, p) for p in paths}
        rows.append(
            {
                **{k: run[k] for k in ("run_id", "variant", "label", "replication", "seed")},
                **inputs,
                "status": run["status"],
                "error": run["error"],
                "seconds": run["seconds"],
                "code": run.get("code", ""),
            }
        )
        keys = {k: run[k] for k in KEY_COLUMNS}
        if run["status"] == "ok":
            outcome_rows.append(
                {**keys, **{k: (math.nan if v is None else v) for k, v in meta["outcomes"].items()}}
            )
    inputs_table = pd.DataFrame(
        rows, columns=[*KEY_COLUMNS, "seed", *paths, "status", "error", "seconds", "code"]
    )
    for path in paths:
        inputs_table[path] = _uniform(inputs_table[path])
    outcomes = pd.DataFrame(outcome_rows)
    if outcomes.empty:
        outcomes = pd.DataFrame(columns=KEY_COLUMNS)
    return SweepResult(folder, manifest, inputs_table, outcomes, corrupt=corrupt)


def _base_value(base: Mapping[str, Any], path: str) -> Any:
    from model.study.experiment import get_path

    try:
        return get_path(base, path)
    except (KeyError, IndexError):
        return None


def _uniform(column: pd.Series) -> pd.Series:
    """Numbers stay numbers; a column of mixed or structured values becomes text (None stays)."""

    def missing(v: Any) -> bool:
        return v is None or (isinstance(v, float) and math.isnan(v))

    values = [v for v in column if not missing(v)]
    if all(isinstance(v, bool) for v in values) or all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in values
    ):
        return column
    return column.map(lambda v: None if missing(v) else v if isinstance(v, str) else json.dumps(v))


def run_ids(experiment: Experiment) -> list[str]:
    """Every run id of an experiment, in run order."""
    return [run_id(s.variant, s.replication) for s in experiment.runs()]
