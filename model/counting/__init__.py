"""Counting Labour's eliminating ballot, exactly, from ballots held in memory or in files.

Pure functions on numpy arrays and Fractions; nothing here knows about Mesa or
the model. One module per idea:

* :mod:`~model.counting.profile`: :class:`BallotProfile` (grouped ballots) and
  :func:`group_ballots`.
* :mod:`~model.counting.weights`: electoral-college section weights as Fractions.
* :mod:`~model.counting.count`: :func:`count_ballots`, the eliminating ballot
  with recorded tie-breaks (its docstring states every counting rule).
* :mod:`~model.counting.result`: :class:`CountResult` and its rounds and
  tie-breaks, JSON round trips, :func:`diff_results`.
* :mod:`~model.counting.csv_files`: ballots files (CSV).
* :mod:`~model.counting.textio`: :class:`BallotFileError` and shared file plumbing.
* :mod:`~model.counting.announce`: :func:`format_result`, the round-by-round tables.

``model.counting.count`` and ``model.counting.ballot_files`` still export every
name they did before the split, so older imports keep working.
"""

from __future__ import annotations

from model.counting.announce import format_result
from model.counting.count import DEFAULT_SEED, TIE_POLICY, count_ballots
from model.counting.csv_files import COLUMNS, read_ballots_csv
from model.counting.profile import DEFAULT_SECTION, NO_PREFERENCE, BallotProfile, group_ballots
from model.counting.result import (
    JSON_PLACES,
    CountResult,
    RoundRecord,
    TieBreak,
    TieBreakStep,
    diff_results,
    round_half_up,
)
from model.counting.textio import BallotFileError
from model.counting.weights import parse_weight, parse_weights

__all__ = [
    "COLUMNS",
    "DEFAULT_SECTION",
    "DEFAULT_SEED",
    "JSON_PLACES",
    "NO_PREFERENCE",
    "TIE_POLICY",
    "BallotFileError",
    "BallotProfile",
    "CountResult",
    "RoundRecord",
    "TieBreak",
    "TieBreakStep",
    "count_ballots",
    "diff_results",
    "format_result",
    "group_ballots",
    "parse_weight",
    "parse_weights",
    "read_ballots_csv",
    "round_half_up",
]
