"""Running an experiment: serially, in a process pool or on a Dask cluster.

Every run is a task of plain data handed to `run_task`
(`model.study.tasks`), so the same code runs in this process, in a
`ProcessPoolExecutor` or on Dask workers, and gives the same results
everywhere. Results come back to this process, which alone writes them, each
as it arrives (the format: `model.study.parts`):

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
import json
import math
import multiprocessing
import os
import shutil
import sys
import time
import traceback
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd

import model
from model.records.writers import atomic_write, write_text
from model.study.experiment import Experiment, run_id
from model.study.outputs import check_writable, folder_kind, lock_folder, prepare_output
from model.study.outputs import replace_folder as _replace_folder
from model.study.parts import (
    MANIFEST_KIND,
    PART_KEY,
    RunRecord,
    SweepError,
    first_line,
    scan_parts,
    write_part,
)
from model.study.results import SweepResult, load_sweep, outcome_columns, summarise_outcomes
from model.study.run import git_revision, package_versions
from model.study.tasks import Runner, Task, code_fingerprint, keep_columns, run_task

__all__ = [
    "PART_KEY",
    "RunRecord",
    "SweepError",
    "SweepResult",
    "code_fingerprint",
    "load_sweep",
    "outcome_columns",
    "run_experiment",
    "run_ids",
    "run_task",
    "summarise_outcomes",
    "sweep_in_progress",
]

# The old private name, still imported by model.validation.runner.
_keep_columns = keep_columns


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
        done, corrupt = scan_parts(out, verify=True)
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
        write_part(out, record, output)
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
            f"{path}: cannot be read ({first_line(err)}), so the sweep in {folder} cannot be "
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


def run_ids(experiment: Experiment) -> list[str]:
    """Every run id of an experiment, in run order."""
    return [run_id(s.variant, s.replication) for s in experiment.runs()]
