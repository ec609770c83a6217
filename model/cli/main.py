"""The `factions` command.

    factions run SCENARIO [--seed N] [--months M] [--scale S] [--out DIR] [--overwrite] [--plan]
    factions count BALLOTS.csv [--rules PRESET | --sections NAME=WEIGHT,...] [--json]
    factions sweep EXPERIMENT.toml [--workers N] [--scheduler ADDRESS|local] [--out DIR]
                   [--resume | --overwrite] [--retry-failed] [--report]
    factions report RUN_OR_SWEEP_DIR
    factions viz [--port P] [--host H]
    factions validate-history [--calibrate | --calibration DIR] [--draws N] [--seeds N] [--quick] ...
    factions calibrate [--out DIR] [--population N] [--generations N] [--scale S] [--quick] ...
    factions seats RESULTS_DIR [--region R] [--sort margin|risk|name] [--triggered] [--map VIEW]

Bad input (a scenario or ballot file that fails validation, a bad option, an
output folder that cannot be used) prints one clear message and exits with
status 2, never a traceback. Output folders are never overwritten unless
``--overwrite`` is given, and never by results of another kind
(`model.study.outputs`).

One module per subcommand (`run`, `count`, `sweep` and `report`, `viz`,
`validate`, `calibrate`, `seats`), each adding its parser and handler; what they share is
in `model.cli.args`.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

# Kept importable from here (subcommand modules import them from model.cli.args).
from model.cli.args import (
    EXIT_BAD_INPUT,
    EXIT_OK,
    MAX_SEED,
    FlagError,
    apply_flags,
    positive_int,
    scale_value,
    seed_value,
)
from model.scenario.errors import ScenarioError
from model.study.outputs import OutputError

__all__ = [
    "EXIT_BAD_INPUT",
    "EXIT_OK",
    "MAX_SEED",
    "FlagError",
    "apply_flags",
    "build_parser",
    "main",
    "positive_int",
    "scale_value",
    "seed_value",
]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="factions",
        description="Agent-based simulation of party factions under party rules.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    # Imported here, not at the top: `model.cli` imports this module, and a
    # subcommand module run as a script (`python -m model.cli.count`) must not
    # have been imported already by its own package. Each import is downward:
    # subcommands share model.cli.args, never this module.
    from model.cli.calibrate import add_calibrate_parser
    from model.cli.count import add_count_parser, run_count
    from model.cli.run import add_run_parser
    from model.cli.seats import add_seats_parser
    from model.cli.sweep import add_report_parser, add_sweep_parser
    from model.cli.validate import add_validate_parser
    from model.cli.viz import add_viz_parser

    add_run_parser(sub)
    add_count_parser(sub)
    sub.choices["count"].set_defaults(handler=run_count)
    add_viz_parser(sub)
    add_sweep_parser(sub)
    add_report_parser(sub)
    add_validate_parser(sub)
    add_calibrate_parser(sub)
    add_seats_parser(sub)
    return parser


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
    except (ScenarioError, OutputError) as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("interrupted: nothing was written for the unfinished run", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`factions seats ... | head`): stop quietly, as
        # Unix tools do, and keep Python from complaining again at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141


if __name__ == "__main__":
    sys.exit(main())
