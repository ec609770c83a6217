"""Ballot files in, result announcements out (kept for code that imports this module).

The pieces live in their own modules: :mod:`model.counting.csv_files` reads
ballots CSVs, :mod:`model.counting.textio` holds :class:`BallotFileError`, and
:mod:`model.counting.announce` lays results out as the party announces them.
"""

from __future__ import annotations

from model.counting.announce import format_result
from model.counting.csv_files import COLUMNS, read_ballots_csv
from model.counting.textio import BallotFileError

__all__ = ["COLUMNS", "BallotFileError", "format_result", "read_ballots_csv"]
