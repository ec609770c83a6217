"""Ballot files in any supported format: choosing the format, reading, writing.

Three formats are supported, each in its own module:

* ``csv`` (:mod:`model.counting.csv_files`): this project's ballots CSV with
  ``section``, ``count`` and ``ranking`` columns; the only one with sections,
  so the only one an electoral college can be counted from.
* ``preflib`` (:mod:`model.counting.preflib`): PrefLib ordinal files,
  ``.soc``, ``.soi``, ``.toc`` and ``.toi``.
* ``abif`` (:mod:`model.counting.abif`): the Aggregated Ballot Information
  Format, ``.abif``.

:func:`read_ballots` and :func:`write_ballots` pick the format from the file's
extension unless told; a file whose extension is none of these is read as CSV,
the format ``factions count`` has always read. This module also keeps the names
it exported before the package was split (``COLUMNS``, ``BallotFileError``,
``format_result``, ``read_ballots_csv``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from model.counting.abif import read_abif, write_abif
from model.counting.announce import format_result
from model.counting.csv_files import COLUMNS, read_ballots_csv, write_ballots_csv
from model.counting.preflib import read_preflib, write_preflib
from model.counting.profile import BallotProfile
from model.counting.textio import BallotFile, BallotFileError, Ties

__all__ = [
    "COLUMNS",
    "EXTENSIONS",
    "FORMATS",
    "BallotFile",
    "BallotFileError",
    "format_result",
    "guess_format",
    "read_ballots",
    "read_ballots_csv",
    "write_ballots",
]

FORMATS = ("csv", "preflib", "abif")
"""The ballot file formats, as ``--format`` names them."""

EXTENSIONS = {
    ".csv": "csv",
    ".soc": "preflib",
    ".soi": "preflib",
    ".toc": "preflib",
    ".toi": "preflib",
    ".abif": "abif",
}
"""File extension (lower case) -> format."""

_A_FILE = {"csv": "a CSV file", "preflib": "a PrefLib file", "abif": "an ABIF file"}


def guess_format(path: str | Path) -> str | None:
    """The format a file's extension suggests.

    Args:
        path: the file.

    Returns:
        "csv", "preflib" or "abif", or None for any other extension.
    """
    return EXTENSIONS.get(Path(path).suffix.lower())


def read_ballots(
    path: str | Path,
    *,
    format: str | None = None,
    candidates: Sequence[str] | None = None,
    section_names: Sequence[str] | None = None,
    ties: Ties = "refuse",
) -> BallotFile:
    """Reads a ballots file in any supported format.

    Args:
        path: the file.
        format: "csv", "preflib" or "abif"; None guesses from the extension and
            reads anything unrecognised as CSV.
        candidates: the candidates in report order. Every candidate the file
            names must be among them; the others stand unranked.
        section_names: the sections an electoral college expects; only a CSV
            has sections, so any other format is then refused.
        ties: for PrefLib and ABIF, "refuse" a ballot that ranks candidates
            equally or "truncate" it at its first tie (see those modules).

    Returns:
        The ballots with any notes and title.

    Raises:
        BallotFileError: on any problem with the file or the options.
    """
    path = Path(path)
    chosen = format or guess_format(path) or "csv"
    if chosen not in FORMATS:
        raise BallotFileError(
            path, None, f"unknown format {chosen!r} (allowed: {', '.join(FORMATS)})"
        )
    if chosen == "csv":
        profile = read_ballots_csv(path, candidates=candidates, section_names=section_names)
        return BallotFile(profile, "csv")
    if section_names is not None:
        raise BallotFileError(
            path,
            None,
            f"{_A_FILE[chosen]} has no sections, so it cannot be counted as an "
            f"electoral college ({', '.join(section_names)}); use a ballots CSV with a "
            "'section' column",
        )
    read = read_preflib if chosen == "preflib" else read_abif
    ballots = read(path, ties=ties)
    if candidates is None:
        return ballots
    names = [c.strip() for c in candidates]
    missing = [c for c in ballots.profile.candidates if c not in names]
    if missing:
        raise BallotFileError(
            path, None, f"candidate {missing[0]!r} is in the file but not in --candidates"
        )
    try:
        profile = ballots.profile.with_candidates(names)
    except ValueError as err:
        raise BallotFileError(path, None, f"--candidates: {err}") from None
    return BallotFile(profile, ballots.format, ballots.notes, ballots.title)


def write_ballots(
    profile: BallotProfile,
    path: str | Path,
    *,
    format: str | None = None,
    title: str | None = None,
) -> str:
    """Writes ballots in any supported format, so that reading them back gives them again.

    Args:
        profile: the ballots.
        path: the file to write (replaced if it exists).
        format: "csv", "preflib" or "abif"; None takes it from the extension.
        title: a title, for the formats that hold one (PrefLib, ABIF).

    Returns:
        What was written: "csv", "abif" or "preflib (soi)"-style with the data type.

    Raises:
        BallotFileError: if the format cannot be told or cannot hold these
            ballots (several sections in PrefLib or ABIF, a name it cannot
            hold), or the file cannot be written.
    """
    path = Path(path)
    chosen = format or guess_format(path)
    if chosen is None:
        raise BallotFileError(
            path,
            None,
            "cannot tell which format to write from the extension: use .csv, "
            ".soc/.soi/.toc/.toi (PrefLib) or .abif, or choose one with --write-format",
        )
    if chosen == "csv":
        write_ballots_csv(profile, path)
        return "csv"
    if chosen == "preflib":
        return f"preflib ({write_preflib(profile, path, title=title)})"
    if chosen == "abif":
        write_abif(profile, path, title=title)
        return "abif"
    raise BallotFileError(path, None, f"unknown format {chosen!r} (allowed: {', '.join(FORMATS)})")
