"""``factions sweep`` and ``factions report``.

Usage::

    factions sweep EXPERIMENT.toml [--workers N] [--scheduler ADDRESS|local]
                   [--out DIR] [--resume | --overwrite] [--retry-failed] [--report] [--quiet]
    factions report RUN_OR_SWEEP_DIR

``sweep`` runs every run of an experiment, streaming each result to
``DIR/parts/`` as it finishes; interrupted, it is continued with ``--resume``.
By default runs go serially (``--workers 1``) or to a local process pool
(``--workers N``); ``--scheduler local`` starts a Dask LocalCluster and
``--scheduler tcp://HOST:PORT`` uses a running Dask cluster. A folder that
holds results is never overwritten unless ``--overwrite`` is given (and then
only another sweep, once the new one is complete); a lock keeps a second
``factions sweep`` out of a folder in use.

Exit status: 0 done (even if some runs failed: they are recorded), 1 when
every run failed, 2 on bad input (one ``error:`` line, no traceback), 130
when interrupted.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path
from typing import Any

from model.scenario.schema import ScenarioError
from model.study.experiment import load_experiment
from model.study.outputs import OutputError
from model.study.report import ReportError, build_report, write_report
from model.study.sweep import SweepError, load_sweep, run_experiment, sweep_in_progress

__all__ = ["add_report_parser", "add_sweep_parser", "run_report", "run_sweep"]

EXIT_OK = 0
EXIT_ALL_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130


def _workers(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {text}")
    return value


def add_sweep_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``sweep`` to the ``factions`` subcommands (its handler is `run_sweep`).

    Args:
        subparsers: the object returned by ``ArgumentParser.add_subparsers()``.

    Returns:
        The sweep parser.
    """
    parser = subparsers.add_parser(
        "sweep",
        help="run an experiment: many seeds × rule variants, results streamed to disk",
        description="Run every run of an experiment file (variants × replications). Results "
        "are written as each run finishes; an interrupted sweep continues with --resume.",
    )
    parser.add_argument("experiment", type=Path, help="experiment TOML file")
    parser.add_argument(
        "--workers",
        type=_workers,
        metavar="N",
        help="processes (default 1: serial), or Dask workers with --scheduler local "
        "(default: one per CPU)",
    )
    parser.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="'local' to start a Dask LocalCluster, or a running scheduler's address "
        "(tcp://HOST:PORT)",
    )
    parser.add_argument("--out", type=Path, help="sweep folder (default results/NAME)")
    again = parser.add_mutually_exclusive_group()
    again.add_argument(
        "--resume",
        action="store_true",
        help="continue the sweep in --out: run what is missing (or damaged)",
    )
    again.add_argument(
        "--overwrite",
        action="store_true",
        help="replace the sweep in --out (kept until the new one is complete; never a run "
        "folder or other files)",
    )
    parser.add_argument(
        "--retry-failed", action="store_true", help="with --resume, rerun failed runs too"
    )
    parser.add_argument("--report", action="store_true", help="write the report when done")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.set_defaults(handler=run_sweep)
    return parser


def add_report_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``report`` to the ``factions`` subcommands (its handler is `run_report`).

    Args:
        subparsers: the object returned by ``ArgumentParser.add_subparsers()``.

    Returns:
        The report parser.
    """
    parser = subparsers.add_parser(
        "report",
        help="figures (PNG, PDF) and report.md for a run or sweep folder",
        description="Draw the report figures of a run folder (factions run) or a sweep "
        "folder (factions sweep) and write DIR/report.md embedding them.",
    )
    parser.add_argument("folder", type=Path, metavar="RUN_OR_SWEEP_DIR")
    parser.set_defaults(handler=run_report)
    return parser


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_") or "sweep"


def _error(message: str) -> int:
    # A file with one problem gives one line; several problems get a line each.
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    if len(lines) == 2 and lines[0].endswith(":"):
        lines = [f"{lines[0]} {lines[1]}"]
    print("error: " + "\n  ".join(lines), file=sys.stderr)
    return EXIT_BAD_INPUT


def run_sweep(args: argparse.Namespace) -> int:
    """``factions sweep``: run an experiment and print a summary.

    Args:
        args: parsed arguments (see `add_sweep_parser`).

    Returns:
        The exit status.
    """
    if args.retry_failed and not args.resume:
        return _error("--retry-failed goes with --resume")
    if args.scheduler is not None and args.scheduler != "local" and "://" not in args.scheduler:
        return _error(
            f"--scheduler {args.scheduler!r}: give 'local' or an address such as tcp://HOST:8786"
        )
    try:
        experiment = load_experiment(args.experiment)
    except ScenarioError as err:  # ExperimentError is one
        return _error(str(err))
    out = args.out or Path("results") / _slug(experiment.name)
    where = (
        "serially"
        if args.scheduler is None and (args.workers or 1) == 1
        else f"on {args.workers} worker processes"
        if args.scheduler is None
        else "on a Dask LocalCluster"
        if args.scheduler == "local"
        else f"on the Dask cluster at {args.scheduler}"
    )
    variants, seeds = len(experiment.points), experiment.replications
    print(
        f"Sweep {experiment.name}: {variants} variant{'s' * (variants != 1)} × "
        f"{seeds} replication{'s' * (seeds != 1)} = {experiment.n_runs} runs of "
        f"{experiment.base.calendar.months} months, {where} -> {out}/"
    )
    started = time.perf_counter()
    try:
        result = run_experiment(
            experiment,
            out,
            workers=args.workers,
            scheduler=args.scheduler,
            resume=args.resume,
            overwrite=args.overwrite,
            retry_failed=args.retry_failed,
            progress=not args.quiet,
        )
    except (SweepError, OutputError) as err:
        return _error(str(err))
    except KeyboardInterrupt:
        folder = sweep_in_progress(out)
        try:
            saved = len(load_sweep(folder).inputs)
        except (SweepError, OSError, ValueError):
            saved = 0
        where = f"{folder}/"
        if folder != out:
            where += f" ({out}/ keeps the previous sweep until this one is complete)"
        print(
            f"\ninterrupted: {saved} of {experiment.n_runs} runs are saved in {where}; "
            "run the same command with --resume"
            + (" (instead of --overwrite)" if args.overwrite else "")
            + " to finish",
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED
    _print_summary(result, time.perf_counter() - started)
    if args.report:
        try:
            print(f"\nReport: {write_report(out)}")
        except (ReportError, OutputError) as err:
            return _error(str(err))
    else:
        print(f"\nReport: factions report {out}")
    session = result.session
    if session.get("ran") and session.get("failed") == session.get("ran"):
        return EXIT_ALL_FAILED
    return EXIT_OK


def _print_summary(result: Any, elapsed: float) -> None:
    session = result.session
    ran, failed, skipped = session["ran"], session["failed"], session["skipped"]
    rate = ran / elapsed * 60 if elapsed > 0 and ran else 0.0
    print()
    print(f"  runs           {len(result.inputs)} of {result.manifest['runs']} saved")
    print(f"  this session   {ran} ran ({failed} failed), {skipped} already done")
    print(f"  where          {session['where']}")
    print(f"  wall time      {elapsed:.1f} s ({rate:.1f} runs/min)")
    if result.corrupt:
        print(f"  damaged parts  {len(result.corrupt)} (run again with --resume):")
        for name, why in list(result.corrupt.items())[:10]:
            print(f"    parts/{name}: {why}")
    if not result.outcomes.empty:
        names = [
            n
            for n in ("final_members", "gap_last12", "deselections", "contests")
            if n in result.outcomes.columns
        ]
        names += [c for c in result.outcomes.columns if c.startswith("final_clps_")][:2]
        if names:
            table = result.outcomes.groupby("label", sort=False)[names].median()
            print("\n  median across seeds, by variant:")
            text = table.to_string(float_format=_number)
            print("\n".join(f"    {line}" for line in text.splitlines()))
    if len(result.code_versions) > 1:
        print(
            f"\n  warning: the runs were made by {len(result.code_versions)} versions of the code "
            "(edited during the sweep, or resumed after a change); rerun into a new folder "
            "for results that compare like with like"
        )
    if failed or not result.failed.empty:
        bad = result.failed
        print(f"\n  failed runs ({len(bad)}):")
        for row in bad.head(10).itertuples(index=False):
            first = str(row.error).splitlines()[0] if row.error else ""
            print(f"    {row.run_id} ({row.label}, seed {row.seed}): {first}")
        if len(bad) > 10:
            print(f"    ... and {len(bad) - 10} more (see inputs.csv)")


def _number(value: float) -> str:
    """A table cell: whole thousands with separators (12,345), small values to 3 figures."""
    if value != value:  # NaN
        return "–"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def run_report(args: argparse.Namespace) -> int:
    """``factions report``: write figures and report.md for a run or sweep folder.

    Args:
        args: parsed arguments (see `add_report_parser`).

    Returns:
        The exit status.
    """
    try:
        files = build_report(args.folder)
    except (ReportError, SweepError, OutputError) as err:
        return _error(str(err))
    folder = files.report.parent
    print(f"Report written to {files.report}")
    for path in [*files.figures, *files.tables]:
        print(f"  {path.relative_to(folder)}")
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    """Run ``sweep`` or ``report`` on its own: ``python -m model.cli.sweep sweep ...``."""
    parser = argparse.ArgumentParser(prog="factions")
    sub = parser.add_subparsers(dest="command", required=True)
    add_sweep_parser(sub)
    add_report_parser(sub)
    args = parser.parse_args(argv)
    return int(args.handler(args))


if __name__ == "__main__":
    sys.exit(main())
