"""`factions run`: simulate a scenario and write a run folder (or print its month: --plan).

    factions run SCENARIO [--seed N] [--months M] [--scale S] [--out DIR] [--overwrite]
                 [--no-figures] [--plan]

SCENARIO is a TOML file, or the name of a scenario the package ships
(``factions run default``; `model.scenario.bundled`).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from model.cli.args import EXIT_OK, apply_flags, positive_int, scale_value, seed_value
from model.scenario.bundled import open_scenario
from model.scenario.schema import members_per_clp_note
from model.study import run as study_run  # attribute access: tests stand in for simulate
from model.study.outputs import prepare_output

__all__ = ["add_run_parser", "cmd_run"]


def add_run_parser(sub: Any) -> argparse.ArgumentParser:
    """Add `run` to the `factions` subcommands (its handler is `cmd_run`).

    Args:
        sub: the subparsers of the `factions` parser.

    Returns:
        The new subparser.
    """
    run = sub.add_parser("run", help="run a scenario and write its results")
    run.add_argument(
        "scenario",
        type=Path,
        help="scenario TOML file, or the name of a bundled scenario (e.g. default)",
    )
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
    run.add_argument(
        "--plan",
        action="store_true",
        help="print what runs in a month, in order, and exit (nothing is simulated or written)",
    )
    run.set_defaults(handler=cmd_run)
    return run


def cmd_run(args: argparse.Namespace) -> int:
    """`factions run`: simulate a scenario and write a run folder."""
    scenario = open_scenario(args.scenario)
    scenario = apply_flags(
        scenario,
        args.scenario,
        {
            "--months": ("calendar.months", args.months),
            "--scale": ("party.scale", args.scale),
        },
    )
    if args.plan:
        print(f"The month of {scenario.scenario.name}, from {scenario.calendar.start}:")
        print(study_run.month_plan(scenario, args.seed))
        return EXIT_OK
    out = args.out or Path("results") / f"{scenario.scenario.name}-seed{args.seed}"
    # Before the simulation, so that a folder that cannot take the results
    # is reported now, not after minutes of work.
    prepare_output(out, "run", overwrite=args.overwrite)

    print(
        f"Running {scenario.scenario.name}: {scenario.calendar.months} months from "
        f"{scenario.calendar.start}, scale {scenario.party.scale:g} "
        f"({scenario.party.n_members:,} simulated members at the start, "
        f"{round(scenario.party.n_members / scenario.party.scale):,} at full size), seed {args.seed}"
    )
    note = members_per_clp_note(scenario)
    if note:
        print(f"note: {note}")
    started = time.perf_counter()
    result = study_run.simulate(scenario, args.seed, progress=True)
    elapsed = time.perf_counter() - started
    written = study_run.save_run(result, out, overwrite=args.overwrite, figures=not args.no_figures)

    width = max(len(k) for k in result.summary) if result.summary else 0
    print()
    for key, value in result.summary.items():
        print(f"  {key:<{width}}  {value}")
    print(f"  {'wall time':<{width}}  {elapsed:.1f} s")
    print(f"\nResults written to {out}/")
    for path in written:
        print(f"  {path.relative_to(out)}")
    return EXIT_OK
