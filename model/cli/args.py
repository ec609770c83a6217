"""What every subcommand shares: exit statuses, argument types, scenario overrides from flags.

Subcommand modules import these from here, never from `model.cli.main`
(which imports every subcommand to build the parser).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from model.scenario.schema import Scenario, ScenarioError

__all__ = [
    "EXIT_BAD_INPUT",
    "EXIT_OK",
    "MAX_SEED",
    "FlagError",
    "apply_flags",
    "positive_int",
    "scale_value",
    "seed_value",
]

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


def fraction(text: str) -> float:
    """argparse type: a number in [0, 1)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number, got {text!r}") from None
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"must be in [0, 1), got {text}")
    return value


def non_negative(text: str) -> float:
    """argparse type: a number >= 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number, got {text!r}") from None
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, got {text}")
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
