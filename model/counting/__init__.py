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
* :mod:`~model.counting.ballot_files`: :func:`read_ballots` and :func:`write_ballots`
  in any of the formats below, chosen by extension or by name.
* :mod:`~model.counting.csv_files`: this project's ballots CSV (with sections).
* :mod:`~model.counting.preflib`: PrefLib ordinal files (.soc .soi .toc .toi).
* :mod:`~model.counting.abif`: ABIF, the Aggregated Ballot Information Format.
* :mod:`~model.counting.textio`: :class:`BallotFileError`, :class:`BallotFile`
  and the plumbing the formats share (ties, blank ballots, names).
* :mod:`~model.counting.announce`: :func:`format_result`, the round-by-round tables.

``model.counting.count`` and ``model.counting.ballot_files`` still export every
name they did before the split, so older imports keep working.
"""

from __future__ import annotations

from model.counting.abif import read_abif, write_abif
from model.counting.announce import format_result
from model.counting.ballot_files import (
    EXTENSIONS,
    FORMATS,
    guess_format,
    read_ballots,
    write_ballots,
)
from model.counting.count import DEFAULT_SEED, TIE_POLICY, count_ballots
from model.counting.csv_files import COLUMNS, read_ballots_csv, write_ballots_csv
from model.counting.preflib import read_preflib, write_preflib
from model.counting.profile import (
    DEFAULT_SECTION,
    NO_PREFERENCE,
    BallotProfile,
    ballot_groups,
    group_ballots,
)
from model.counting.result import (
    JSON_PLACES,
    CountResult,
    RoundRecord,
    TieBreak,
    TieBreakStep,
    diff_results,
    round_half_up,
)
from model.counting.textio import TIE_RULES, BallotFile, BallotFileError
from model.counting.weights import parse_weight, parse_weights

__all__ = [
    "COLUMNS",
    "DEFAULT_SECTION",
    "DEFAULT_SEED",
    "EXTENSIONS",
    "FORMATS",
    "JSON_PLACES",
    "NO_PREFERENCE",
    "TIE_POLICY",
    "TIE_RULES",
    "BallotFile",
    "BallotFileError",
    "BallotProfile",
    "CountResult",
    "RoundRecord",
    "TieBreak",
    "TieBreakStep",
    "ballot_groups",
    "count_ballots",
    "diff_results",
    "format_result",
    "group_ballots",
    "guess_format",
    "parse_weight",
    "parse_weights",
    "read_abif",
    "read_ballots",
    "read_ballots_csv",
    "read_preflib",
    "round_half_up",
    "write_abif",
    "write_ballots",
    "write_ballots_csv",
    "write_preflib",
]
