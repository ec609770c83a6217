"""The `factions` command.

    factions run SCENARIO [--seed N] [--months M] [--scale S] [--out DIR]
    factions count BALLOTS.csv [--rules PRESET | --sections NAME=WEIGHT,...] [--json]
    factions sweep EXPERIMENT.toml [--workers N] [--scheduler ADDRESS|local] [--out DIR]
                   [--resume] [--retry-failed] [--report]
    factions report RUN_OR_SWEEP_DIR
    factions viz [--port P] [--host H]
    factions validate-history [--calibrate | --calibration DIR] [--draws N] [--seeds N] [--quick] ...
    factions calibrate [--out DIR] [--population N] [--generations N] [--scale S] [--quick] ...

Bad input (a scenario or ballot file that fails validation) prints one clear
message and exits with status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from model.scenario.schema import ScenarioError, load_scenario

EXIT_OK = 0
EXIT_BAD_INPUT = 2


def positive_int(text: str) -> int:
    """argparse type: a whole number above 0."""
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive whole number, got {text}")
    return value


def scale_value(text: str) -> float:
    """argparse type: a scale in (0, 2]."""
    value = float(text)
    if not 0 < value <= 2:
        raise argparse.ArgumentTypeError(f"must be in (0, 2], got {text}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="factions",
        description="Agent-based simulation of party factions under party rules.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser("run", help="run a scenario and write its results")
    run.add_argument("scenario", type=Path, help="scenario TOML file")
    run.add_argument("--seed", type=int, default=1, help="root seed (default 1)")
    run.add_argument("--months", type=positive_int, help="months to run (default: scenario's)")
    run.add_argument("--scale", type=scale_value, help="override the scenario's scale")
    run.add_argument("--out", type=Path, help="result folder (default results/NAME-seedN)")
    run.add_argument("--no-figures", action="store_true", help="skip figures/overview.png")
    run.set_defaults(handler=cmd_run)

    from model.cli.count import add_count_parser, run_count

    add_count_parser(sub)
    sub.choices["count"].set_defaults(handler=run_count)

    from model.cli.viz import add_viz_parser

    add_viz_parser(sub)

    from model.cli.sweep import add_report_parser, add_sweep_parser

    add_sweep_parser(sub)
    add_report_parser(sub)

    from model.cli.validate import add_validate_parser

    add_validate_parser(sub)

    from model.cli.calibrate import add_calibrate_parser

    add_calibrate_parser(sub)
    return parser


def cmd_run(args: argparse.Namespace) -> int:
    """`factions run`: simulate a scenario and write a run folder."""
    from model.study.run import simulate, write_run

    scenario = load_scenario(args.scenario)
    changes = {}
    if args.months is not None:
        changes["calendar"] = {"months": args.months}
    if args.scale is not None:
        changes["party"] = {"scale": args.scale}
    if changes:
        scenario = scenario.with_changes(**changes)
    out = args.out or Path("results") / f"{scenario.scenario.name}-seed{args.seed}"

    print(
        f"Running {scenario.scenario.name}: {scenario.calendar.months} months from "
        f"{scenario.calendar.start}, scale {scenario.party.scale:g} "
        f"({scenario.party.n_members:,} members), seed {args.seed}"
    )
    started = time.perf_counter()
    result = simulate(scenario, args.seed, progress=True)
    elapsed = time.perf_counter() - started
    written = write_run(result, out, figures=not args.no_figures)

    width = max(len(k) for k in result.summary) if result.summary else 0
    print()
    for key, value in result.summary.items():
        print(f"  {key:<{width}}  {value}")
    print(f"  {'wall time':<{width}}  {elapsed:.1f} s")
    print(f"\nResults written to {out}/")
    for path in written:
        print(f"  {path.relative_to(out)}")
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `factions` console script.

    Args:
        argv: arguments (default: sys.argv[1:]).

    Returns:
        The exit status (0 success, 2 bad input).
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args))
    except ScenarioError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("interrupted: nothing was written for the unfinished run", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
