"""``factions count``: count an eliminating ballot from a ballots file.

Usage::

    factions count BALLOTS [--format csv|preflib|abif] [--ties refuse|truncate]
                   [--rules PRESET | --sections NAME=WEIGHT,...]
                   [--candidates A,B,...] [--seed N] [--json]
                   [--write PATH [--write-format csv|preflib|abif]]

The ballots file is a ballots CSV (``section,count,ranking``), a PrefLib
ordinal file (``.soc .soi .toc .toi``) or an ABIF file (``.abif``); the
extension tells which unless ``--format`` says, and any other extension is read
as CSV. PrefLib and ABIF can rank candidates equally, which an eliminating
ballot cannot: such a ballot is an error unless ``--ties truncate`` counts it up
to its first tie. Blank ballots are left out with a note on stderr.

Without ``--rules`` or ``--sections`` the count is OMOV: every ballot counts the
same and any ``section`` column is only used to report the breakdown (the table
says so, and with an OMOV ``--rules`` preset a note on stderr says so too). With
``--sections mps_meps=1/3,members=1/3,affiliates=1/3`` (or a preset whose
leadership electorate is a college) it is an electoral college, which needs a
CSV with a ``section`` column.

``--write PATH`` also writes the ballots as read to PATH, in the format its
extension names (or ``--write-format``), so files can be converted from one
format to another; reading the written file gives the same ballots. The count
is printed as usual, and a line on stderr says what was written.

Exit status: 0 when counted, 2 on bad input, with one line on stderr of the form
``error: FILE:LINE: problem`` and no traceback. The module can also be run on
its own: ``python -m model.cli.count BALLOTS ...``.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Mapping, Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

from model.counting.announce import format_result
from model.counting.ballot_files import FORMATS, read_ballots, write_ballots
from model.counting.count import DEFAULT_SEED, count_ballots
from model.counting.profile import ballot_groups
from model.counting.textio import TIE_RULES, BallotFileError
from model.counting.weights import parse_weight

__all__ = ["add_count_parser", "build_parser", "main", "run_count"]

_DESCRIPTION = (
    "Count an eliminating ballot (alternative vote) from a ballots file: a CSV with columns "
    "section (optional), count (optional, default 1) and ranking (names joined by '>'), a "
    "PrefLib ordinal file (.soc .soi .toc .toi) or an ABIF file (.abif). "
    "OMOV unless --rules or --sections makes it an electoral college (CSV with sections only)."
)


class _InputError(Exception):
    """Bad input that is not tied to a line of the ballots file."""


def add_count_parser(subparsers: Any) -> None:
    """Adds the ``count`` subcommand to the ``factions`` command line.

    Args:
        subparsers: the object returned by ``ArgumentParser.add_subparsers()``.
            The subcommand's ``func`` default is set to :func:`run_count`.
    """
    parser = subparsers.add_parser(
        "count",
        help="count an eliminating ballot from a ballots file (CSV, PrefLib or ABIF)",
        description=_DESCRIPTION,
    )
    _add_arguments(parser)
    parser.set_defaults(func=run_count)


def build_parser() -> argparse.ArgumentParser:
    """A stand-alone parser for ``python -m model.cli.count``.

    Returns:
        The parser, with the same arguments as ``factions count``.
    """
    parser = argparse.ArgumentParser(prog="factions count", description=_DESCRIPTION)
    _add_arguments(parser)
    return parser


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "ballots", metavar="BALLOTS", help="the ballots file (.csv, .soc/.soi/.toc/.toi, .abif)"
    )
    parser.add_argument(
        "--format",
        choices=FORMATS,
        help="the ballots file's format (default: from its extension; otherwise csv)",
    )
    parser.add_argument(
        "--ties",
        choices=TIE_RULES,
        default="refuse",
        help="a PrefLib/ABIF ballot ranking candidates equally: refuse it (default) or "
        "count it up to its first tie (truncate)",
    )
    rules = parser.add_mutually_exclusive_group()
    rules.add_argument(
        "--rules",
        metavar="PRESET",
        help="count under a rules preset, e.g. labour_2010 (college) or labour_2014 (OMOV)",
    )
    rules.add_argument(
        "--sections",
        metavar="NAME=WEIGHT,...",
        help="electoral college sections and weights, e.g. "
        "mps_meps=1/3,members=1/3,affiliates=1/3 (weights must sum to exactly 1)",
    )
    parser.add_argument(
        "--candidates",
        metavar="A,B,...",
        help="the candidates, in report order; any other name in a ranking is an error",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=DEFAULT_SEED,
        help=f"seed for drawing lots if a tie survives every other test (default {DEFAULT_SEED})",
    )
    parser.add_argument("--json", action="store_true", help="print the full result record as JSON")
    parser.add_argument(
        "--write",
        metavar="PATH",
        help="also write the ballots as read to PATH (.csv, .soc/.soi/.toc/.toi or .abif), "
        "e.g. to convert a file from one format to another",
    )
    parser.add_argument(
        "--write-format",
        choices=FORMATS,
        help="the format for --write (default: from PATH's extension)",
    )


def run_count(args: argparse.Namespace) -> int:
    """Runs ``factions count``.

    Args:
        args: parsed arguments (``ballots``, ``format``, ``ties``, ``rules``,
            ``sections``, ``candidates``, ``seed``, ``json``, ``write``,
            ``write_format``).

    Returns:
        The exit status: 0 when counted, 2 on bad input (after printing
        ``error: ...`` on stderr).
    """
    write = args.write
    try:
        weights, omov_preset = _weights(args)
        candidates = None if args.candidates is None else args.candidates.split(",")
        if args.write_format is not None and write is None:
            raise _InputError("--write-format: give --write PATH too")
        if write is not None and Path(write).resolve() == Path(args.ballots).resolve():
            raise _InputError(f"--write {write}: that is the ballots file being read")
        ballots = read_ballots(
            args.ballots,
            format=args.format,
            candidates=candidates,
            section_names=None if weights is None else list(weights),
            ties=args.ties,
        )
        notes = [f"{args.ballots}: {note}" for note in ballots.notes]
        sections = ballots.profile.section_names
        if omov_preset is not None and len(sections) > 1:
            notes.append(
                f"{args.ballots}: OMOV ({omov_preset}): the section column "
                f"({', '.join(sections)}) is reported but does not weigh votes"
            )
        result = count_ballots(ballots.profile, weights=weights, rng=args.seed)
        if write is not None:
            written = write_ballots(
                ballots.profile,
                write,
                format=args.write_format,
                title=ballots.title,
            )
            notes.append(
                f"wrote {ballots.profile.total:,} ballots "
                f"({len(ballot_groups(ballots.profile)):,} distinct rankings) to {write} "
                f"as {written}"
            )
    except (BallotFileError, _InputError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except ValueError as err:  # from the counting engine: a problem with the whole file
        print(f"error: {args.ballots}: {err}", file=sys.stderr)
        return 2

    for note in notes:
        print(f"note: {note}", file=sys.stderr)
    text = result.to_json() + "\n" if args.json else format_result(result)
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:  # e.g. piped into `head`; nothing useful left to do
        return 0
    return 0


def _weights(args: argparse.Namespace) -> tuple[dict[str, Fraction] | None, str | None]:
    """The college weights (None for OMOV), and the preset's name when a preset chose OMOV."""
    if args.sections is not None:
        return _parse_sections(args.sections), None
    if args.rules is not None:
        weights = _preset_weights(args.rules)
        return weights, args.rules if weights is None else None
    return None, None


def _parse_sections(spec: str) -> dict[str, Fraction]:
    weights: dict[str, Fraction] = {}
    for item in spec.split(","):
        name, equals, value = item.partition("=")
        name = name.strip()
        if not equals or not name:
            raise _InputError(
                f"--sections: expected NAME=WEIGHT, got {item.strip()!r} "
                "(e.g. mps_meps=1/3,members=1/3,affiliates=1/3)"
            )
        if name in weights:
            raise _InputError(f"--sections: section {name!r} is given twice")
        try:
            weights[name] = parse_weight(value)
        except ValueError as err:
            raise _InputError(f"--sections: section {name!r}: {err}") from None
    return _checked_total(weights, "--sections")


def _checked_total(weights: Mapping[str, Fraction], source: str) -> dict[str, Fraction]:
    total = sum(weights.values(), Fraction(0))
    if total != 1:
        raise _InputError(
            f"{source}: weights must sum to 1, they sum to {total} (~{float(total):.6g})"
        )
    return dict(weights)


def _preset_weights(name: str) -> dict[str, Fraction] | None:
    try:
        # Loaded on demand: counting a ballots file needs no presets.
        rules = importlib.import_module("model.rules.presets")
    except ImportError as err:
        raise _InputError(f"--rules: rules presets are not available ({err})") from None
    try:
        preset = rules.get_preset(name)
    except (KeyError, LookupError, ValueError) as err:
        message = err.args[0] if err.args else name
        raise _InputError(f"--rules: {message}") from None
    try:
        leadership = preset.leadership
        electorate = str(leadership.electorate)
        sections = leadership.college_sections
    except AttributeError:
        raise _InputError(f"--rules: preset {name!r} has no leadership rules") from None
    if electorate == "omov":
        return None
    if electorate != "college":
        raise _InputError(f"--rules: preset {name!r} has unknown electorate {electorate!r}")
    if not sections:
        raise _InputError(f"--rules: preset {name!r} is a college without sections")
    weights = {}
    for section, weight in dict(sections).items():
        try:
            weights[str(section)] = _preset_weight(weight)
        except ValueError as err:
            raise _InputError(f"--rules: preset {name!r}, section {section!r}: {err}") from None
    return _checked_total(weights, f"--rules {name}")


def _preset_weight(weight: Any) -> Fraction:
    if isinstance(weight, float):
        # Presets may store 1/3 as 0.333...; the nearest simple fraction is what was meant.
        return Fraction(str(weight)).limit_denominator(1000)
    return parse_weight(weight)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point for ``python -m model.cli.count``.

    Args:
        argv: the arguments (defaults to ``sys.argv[1:]``).

    Returns:
        The exit status.
    """
    return run_count(build_parser().parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
