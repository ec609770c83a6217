"""The `factions validate-history` subcommand.

    factions validate-history [--seeds N] [--workers N] [--scale S] [--out DIR] [--quick]
                              [--no-counterfactuals] [--resume]

Runs the historical scenarios (scenarios/labour_2010.toml, labour_2015.toml,
labour_2015_2024.toml) and the counterfactuals over the same seeds, compares
them with ../shared/data/labour_history.json and writes results/validation/:
the table (table.md, table.csv), the counterfactual comparison, one figure per
target group, and every run's measures. See model/validation.py and
docs/validation.md.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from model.cli.args import EXIT_BAD_INPUT, EXIT_OK, positive_int, scale_value

QUICK_SEEDS = 4
QUICK_SCALE = 0.02


def add_validate_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add `validate-history` to the `factions` subcommands.

    Args:
        sub: the subparsers of the `factions` parser.

    Returns:
        The new subparser (its handler is `run_validate`).
    """
    parser = sub.add_parser(
        "validate-history",
        help="run the historical scenarios over many seeds and compare with the record",
        description=(
            "Run the historical scenarios (2010, 2015, 2015-2024) and the counterfactuals "
            "over the same seeds and compare the model with the published record in "
            "labour_history.json: a table (published figure, model median, 90% interval, "
            "inside?) and one figure per target group."
        ),
    )
    parser.add_argument(
        "--seeds", type=positive_int, default=50, help="seeds per scenario (default 50)"
    )
    parser.add_argument(
        "--workers",
        type=positive_int,
        default=None,
        help="worker processes (default: one per CPU)",
    )
    parser.add_argument(
        "--scale", type=scale_value, help="override the scenarios' party.scale (default: theirs)"
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("results") / "validation",
        help="result folder (default results/validation)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"a smoke test: {QUICK_SEEDS} seeds at scale {QUICK_SCALE} (about a minute)",
    )
    parser.add_argument(
        "--no-counterfactuals", action="store_true", help="run the historical scenarios only"
    )
    parser.add_argument(
        "--resume", action="store_true", help="keep finished runs of an interrupted validation"
    )
    parser.set_defaults(handler=run_validate)
    return parser


def run_validate(args: argparse.Namespace) -> int:
    """`factions validate-history`: run, compare, write the table and figures.

    Args:
        args: the parsed arguments.

    Returns:
        0 on success, 2 when the data file is missing (a bad scenario raises
        ScenarioError, which the CLI reports with status 2).
    """
    from model.validation.runner import DATA_FILE, validate_history

    if not DATA_FILE.exists():
        print(f"error: the historical data set is missing: {DATA_FILE}", file=sys.stderr)
        return EXIT_BAD_INPUT
    seeds = QUICK_SEEDS if args.quick else args.seeds
    scale = args.scale if args.scale is not None else (QUICK_SCALE if args.quick else None)
    workers = args.workers or os.cpu_count() or 1
    print(
        f"Validating against {DATA_FILE.name}: {seeds} seeds per scenario"
        + (f", scale {scale:g}" if scale else "")
        + f", {workers} worker(s)"
    )
    result = validate_history(
        args.out,
        seeds=seeds,
        workers=workers,
        scale=scale,
        counterfactuals=not args.no_counterfactuals,
        resume=args.resume,
    )
    table = result.table
    measured = table[table["runs"] > 0]
    print()
    for group, rows in measured.groupby("group", sort=False):
        print(f"  {group:<40} {int(rows['inside'].sum()):>3} of {len(rows):>3} inside")
    print(
        f"  {'all targets':<40} {int(measured['inside'].sum()):>3} of {len(measured):>3} inside"
        f"  ({result.settings['seconds']:.0f} s)"
    )
    if result.runs.failed:
        print(f"\n{len(result.runs.failed)} run(s) failed:", *result.runs.failed, sep="\n  ")
    print(f"\nResults written to {args.out}/")
    for path in result.files:
        print(f"  {path.relative_to(args.out)}")
    return EXIT_OK
