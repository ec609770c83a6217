"""The `factions` command.

    factions run SCENARIO [--seed N] [--months M] [--scale S] [--out DIR] [--overwrite]
    factions count BALLOTS.csv [--rules PRESET | --sections NAME=WEIGHT,...] [--json]
    factions sweep EXPERIMENT.toml [--workers N] [--scheduler ADDRESS|local] [--out DIR]
                   [--resume | --overwrite] [--retry-failed] [--report]
    factions report RUN_OR_SWEEP_DIR
    factions viz [--port P] [--host H]
    factions validate-history [--seeds N] [--workers N] [--scale S] [--out DIR] [--quick]
    factions seats RESULTS_DIR [--region R] [--sort margin|risk|name] [--triggered] [--map VIEW]

Bad input (a scenario or ballot file that fails validation, a bad option, an
output folder that cannot be used) prints one clear message and exits with
status 2, never a traceback. Output folders are never overwritten unless
``--overwrite`` is given, and never by results of another kind
(`model.study.outputs`).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from model.scenario.schema import Scenario, ScenarioError, load_scenario

EXIT_OK = 0
EXIT_BAD_INPUT = 2
MAX_SEED = 2**63 - 1  # seeds are stored as int64 (Parquet, sweep tables)


def positive_int(text: str) -> int:
    """argparse type: a whole number above 0."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive whole number, got {text}")
    return value


def seed_value(text: str) -> int:
    """argparse type: a seed, a whole number from 0 to 2**63 - 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None
    if not 0 <= value <= MAX_SEED:
        raise argparse.ArgumentTypeError(f"must be a whole number from 0 to 2**63 - 1, got {text}")
    return value


def scale_value(text: str) -> float:
    """argparse type: a scale in (0, 2] (the scenario may ask for more: see smallest_scale)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number, got {text!r}") from None
    if not 0 < value <= 2:
        raise argparse.ArgumentTypeError(f"must be in (0, 2], got {text}")
    return value


class FlagError(ScenarioError):
    """A command-line option that makes a scenario invalid (message names the option)."""

    def __init__(self, file: str, problems: list[str]):
        super().__init__(file, problems)
        self.args = ("\n".join(problems),)

    def __str__(self) -> str:
        return str(self.args[0])


def apply_flags(
    scenario: Scenario, source: str | Path, flags: dict[str, tuple[str, Any]]
) -> Scenario:
    """Apply command-line overrides to a scenario; a bad one is an error naming the option.

    Args:
        scenario: the scenario as loaded.
        source: its file, for messages.
        flags: option -> (dotted scenario path, value), e.g.
            {"--months": ("calendar.months", 60)}; options given as None are skipped.

    Returns:
        The scenario with the overrides, validated.

    Raises:
        FlagError: "--months 10000000: calendar.months in FILE: <what is allowed>".
    """
    given = {flag: pv for flag, pv in flags.items() if pv[1] is not None}
    if not given:
        return scenario
    try:
        return scenario.with_changes(
            {path: value for path, value in given.values()}, source=str(source)
        )
    except ScenarioError as err:
        lines = []
        for problem in err.problems:
            for flag, (path, value) in given.items():
                if problem.startswith(f"{path}: "):
                    rest = problem.removeprefix(f"{path}: ")
                    lines.append(f"{flag} {_show(value)}: {path} in {source}: {rest}")
                    break
            else:
                shown = " ".join(f"{flag} {_show(value)}" for flag, (_, value) in given.items())
                lines.append(f"{source} with {shown}: {problem}")
        raise FlagError(str(source), lines) from None


def _show(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="factions",
        description="Agent-based simulation of party factions under party rules.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser("run", help="run a scenario and write its results")
    run.add_argument("scenario", type=Path, help="scenario TOML file")
    run.add_argument(
        "--seed", type=seed_value, default=1, help="root seed, 0 to 2**63 - 1 (default 1)"
    )
    run.add_argument("--months", type=positive_int, help="months to run (default: scenario's)")
    run.add_argument("--scale", type=scale_value, help="override the scenario's scale")
    run.add_argument("--out", type=Path, help="result folder (default results/NAME-seedN)")
    run.add_argument(
        "--overwrite",
        action="store_true",
        help="replace an earlier run's results in --out (never a sweep or other files)",
    )
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

    from model.cli.seats import add_seats_parser

    add_seats_parser(sub)
    return parser


def cmd_run(args: argparse.Namespace) -> int:
    """`factions run`: simulate a scenario and write a run folder."""
    from model.scenario.schema import members_per_clp_note
    from model.study.outputs import prepare_output
    from model.study.run import save_run, simulate

    scenario = load_scenario(args.scenario)
    scenario = apply_flags(
        scenario,
        args.scenario,
        {
            "--months": ("calendar.months", args.months),
            "--scale": ("party.scale", args.scale),
        },
    )
    out = args.out or Path("results") / f"{scenario.scenario.name}-seed{args.seed}"
    # Before the simulation, so that a folder that cannot take the results
    # is reported now, not after minutes of work.
    prepare_output(out, "run", overwrite=args.overwrite)

    print(
        f"Running {scenario.scenario.name}: {scenario.calendar.months} months from "
        f"{scenario.calendar.start}, scale {scenario.party.scale:g} "
        f"({scenario.party.n_members:,} members at the start), seed {args.seed}"
    )
    note = members_per_clp_note(scenario)
    if note:
        print(f"note: {note}")
    started = time.perf_counter()
    result = simulate(scenario, args.seed, progress=True)
    elapsed = time.perf_counter() - started
    written = save_run(result, out, overwrite=args.overwrite, figures=not args.no_figures)

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
    from model.study.outputs import OutputError

    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args))
    except (ScenarioError, OutputError) as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("interrupted: nothing was written for the unfinished run", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
