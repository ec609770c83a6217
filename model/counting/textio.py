"""Plumbing shared by the ballot file formats: the error type, opening files, counts.

Every problem with a ballots file, whatever its format, is reported as a
:class:`BallotFileError` naming the file, the line (when there is one) and what
is wrong in plain words, so that the command line can print one clear line and
exit with status 2 instead of a traceback.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np

from model.counting.profile import NO_PREFERENCE, BallotProfile

__all__ = [
    "MAX_BALLOTS",
    "TIE_RULES",
    "BallotFile",
    "BallotFileError",
    "RankedBallots",
    "Ties",
    "check_writable_names",
    "clean_title",
    "parse_count",
    "read_lines",
    "reading",
    "write_text",
]

MAX_BALLOTS = 2**53
"""The counting engine's limit on the total number of ballots (exact float64 sums)."""

_WHOLE_NUMBER = re.compile(r"[0-9]+")


class BallotFileError(ValueError):
    """A ballots file that cannot be counted, with a message fit for a user.

    Attributes:
        file: the file as the user named it.
        line: the 1-based line the problem is on, or None if it concerns the whole file.
        problem: what is wrong, in plain words.
    """

    def __init__(self, file: str | Path, line: int | None, problem: str):
        self.file = str(file)
        self.line = line
        self.problem = problem
        where = self.file if line is None else f"{self.file}:{line}"
        super().__init__(f"{where}: {problem}")

    def __reduce__(self) -> tuple[Any, ...]:
        # Rebuilt whole when it crosses back from a worker process (see ScenarioError).
        return (type(self), (self.file, self.line, self.problem))


@contextmanager
def reading(path: Path, kind: str) -> Iterator[None]:
    """Turns the ways opening or decoding a file fails into :class:`BallotFileError`.

    Args:
        path: the file being read.
        kind: what the file should be, for the advice on re-saving it ("CSV", "PrefLib").

    Yields:
        Nothing; wrap the code that opens and reads ``path``.

    Raises:
        BallotFileError: if the file is missing, a directory, unreadable or not UTF-8.
    """
    try:
        yield
    except FileNotFoundError:
        raise BallotFileError(path, None, "no such file") from None
    except IsADirectoryError:
        raise BallotFileError(path, None, "is a directory, not a ballots file") from None
    except PermissionError:
        raise BallotFileError(path, None, "permission denied") from None
    except UnicodeDecodeError as err:
        raise BallotFileError(
            path, None, f"is not UTF-8 text (byte {err.start}): save it as UTF-8 {kind}"
        ) from None


def parse_count(
    path: Path, line: int, text: str, empty: str = " (write 1, or drop the column)"
) -> int:
    """Reads the number of ballots on a line: a whole number, zero or more.

    Args:
        path: the file, for the error message.
        line: the 1-based line number, for the error message.
        text: the count as written.
        empty: advice added to the message when the count is empty.

    Returns:
        The count.

    Raises:
        BallotFileError: if the text is empty, negative or not a whole number.
    """
    value = text.strip()
    if _WHOLE_NUMBER.fullmatch(value):
        return int(value)
    if not value:
        raise BallotFileError(path, line, f"the count is empty{empty}")
    if value.startswith("-") and _WHOLE_NUMBER.fullmatch(value[1:]):
        raise BallotFileError(path, line, f"the count {value!r} is negative")
    raise BallotFileError(path, line, f"the count {value!r} is not a whole number")


# --------------------------------------------------------------------------- ranked files

Ties = Literal["refuse", "truncate"]
"""What to do with a ballot that ranks candidates equally (PrefLib ``{a,b}``, ABIF ``a=b``)."""

TIE_RULES: tuple[str, ...] = ("refuse", "truncate")
"""The choices for :data:`Ties`: ``refuse`` stops with an error naming the line;
``truncate`` counts the ballot up to its first tie, the rule for an ambiguous
preference (the ballot is treated as exhausted at that point)."""


@dataclass(frozen=True)
class BallotFile:
    """Ballots read from a file, with what the reader noticed on the way.

    Attributes:
        profile: the grouped ballots.
        format: the format read: "csv", "preflib" or "abif".
        notes: things the user should know that are not errors (blank ballots
            left out, ties truncated, ratings ignored), one sentence each.
        title: the file's title, if its format has one (PrefLib ``# TITLE``,
            ABIF ``{title: ...}``), so that a conversion can keep it.
    """

    profile: BallotProfile
    format: str
    notes: tuple[str, ...] = ()
    title: str | None = None


def read_lines(path: Path, kind: str) -> list[str]:
    """A UTF-8 text file's lines, without line ends or a byte order mark.

    Only ``\\n`` ends a line (a stray ``\\r`` before it is dropped), so that
    a name holding some other Unicode line separator cannot shift the line
    numbers that error messages quote.

    Args:
        path: the file.
        kind: the format's name, for the advice in a decoding error.

    Returns:
        The lines; line ``i`` of the file is ``lines[i - 1]``.

    Raises:
        BallotFileError: if the file cannot be opened or is not UTF-8.
    """
    with reading(path, kind):
        text = path.read_bytes().decode("utf-8-sig")
    return [line.removesuffix("\r") for line in text.split("\n")]


class RankedBallots:
    """Adds up the ballots of a file that ranks candidates by index, line by line.

    Shared by the PrefLib and ABIF readers: both give each ballot line as a
    count and a list of *indifference classes* (candidates ranked equally),
    most preferred first. Ties are refused or truncated here, blank ballots are
    set aside, and a repeated candidate is an error.

    Args:
        path: the file, for messages.
        candidates: the candidate names, looked up by index when a message
            names one (the list may grow while an ABIF file is read).
        ties: the rule for ballots that rank candidates equally.
        flag: how the user chooses the tie rule, quoted in the refusal.
    """

    def __init__(
        self, path: Path, candidates: list[str], ties: Ties, flag: str = "--ties truncate"
    ):
        if ties not in TIE_RULES:
            raise ValueError(f"ties must be one of {', '.join(TIE_RULES)}, got {ties!r}")
        self.path = path
        self.candidates = candidates
        self.ties = ties
        self.flag = flag
        self.groups: dict[tuple[int, ...], int] = {}
        self.total = 0
        self.blank = _Tally()
        self.tied = _Tally()

    def add(self, line: int, count: int, classes: Sequence[Sequence[int]]) -> None:
        """Adds one ballot line.

        Args:
            line: the 1-based line number.
            count: how many ballots carry this ranking.
            classes: candidate indices, one list per preference, most preferred
                first; a list of more than one is a tie.

        Raises:
            BallotFileError: on a repeated candidate, a refused tie or too many ballots.
        """
        seen: set[int] = set()
        for candidate in (c for group in classes for c in group):
            if candidate in seen:
                raise BallotFileError(
                    self.path,
                    line,
                    f"candidate {self.candidates[candidate]!r} appears twice in the ballot",
                )
            seen.add(candidate)
        ranking: list[int] = []
        for position, group in enumerate(classes, start=1):
            if len(group) == 1:
                ranking.append(group[0])
                continue
            if self.ties == "refuse":
                names = ", ".join(repr(self.candidates[c]) for c in group)
                raise BallotFileError(
                    self.path,
                    line,
                    f"preference {position} ranks {names} equally; an eliminating ballot "
                    "needs one candidate at each preference (to count such ballots up to "
                    f"their first tie, use {self.flag})",
                )
            self.tied.add(line, count)
            break
        self.total += count
        if self.total >= MAX_BALLOTS:
            raise BallotFileError(self.path, line, "too many ballots in total (limit 2**53)")
        if not ranking:
            self.blank.add(line, count)
            return
        key = tuple(ranking)
        self.groups[key] = self.groups.get(key, 0) + count

    def notes(self) -> list[str]:
        """Sentences for the user about ballots truncated at a tie or left out as blank."""
        notes = []
        if self.tied.ballots or self.tied.lines:
            notes.append(
                f"{self.tied.ballots:,} ballot(s) on {self.tied.lines:,} line(s) rank "
                f"candidates equally (first on line {self.tied.first}) and are counted up "
                "to their first tie"
            )
        if self.blank.ballots or self.blank.lines:
            notes.append(
                f"{self.blank.ballots:,} blank ballot(s) on {self.blank.lines:,} line(s) "
                f"(first on line {self.blank.first}) have no single first preference (none, "
                "or a tie); they are not valid votes and are left out"
            )
        return notes

    def profile(self) -> BallotProfile:
        """The grouped profile of every valid ballot added.

        Raises:
            BallotFileError: if no valid ballot was added.
        """
        if sum(self.groups.values()) == 0:
            what = "ballots" if self.total == 0 else "valid ballots (every ballot is blank)"
            raise BallotFileError(self.path, None, f"contains no {what}")
        width = max(len(ranking) for ranking in self.groups)
        rankings = np.full((len(self.groups), width), NO_PREFERENCE, dtype=np.int64)
        for row, ranking in enumerate(self.groups):
            rankings[row, : len(ranking)] = ranking
        counts = np.fromiter(self.groups.values(), dtype=np.int64, count=len(self.groups))
        return BallotProfile(candidates=tuple(self.candidates), rankings=rankings, counts=counts)


@dataclass
class _Tally:
    """Ballots and lines of one kind (blank, tied), and the first line it happened on."""

    ballots: int = 0
    lines: int = 0
    first: int | None = None

    def add(self, line: int, count: int) -> None:
        self.ballots += count
        self.lines += 1
        if self.first is None:
            self.first = line


# --------------------------------------------------------------------------- writing


def check_writable_names(
    path: Path, names: Sequence[str], what: str, fmt: str, forbidden: str = ""
) -> None:
    """Refuses names that a format could not give back unchanged.

    Every text format here strips spaces around a name and ends a record at a
    line break, so names with surrounding spaces or control characters could
    not survive a round trip; ``forbidden`` adds the characters a format uses
    for its own syntax.

    Args:
        path: the file being written, for the message.
        names: the candidate or section names.
        what: "candidate" or "section".
        fmt: the format's name, for the message.
        forbidden: characters the format cannot hold in a name.

    Raises:
        BallotFileError: naming the first name that cannot be written.
    """
    for name in names:
        problem = None
        if name != name.strip():
            problem = "starts or ends with a space"
        elif any(unicodedata.category(ch) == "Cc" for ch in name):
            problem = "holds a control character such as a line break or tab"
        else:
            bad = [ch for ch in forbidden if ch in name]
            if bad:
                problem = f"holds {bad[0]!r}, which {fmt} uses for its own syntax"
        if problem:
            raise BallotFileError(
                path, None, f"cannot write {what} {name!r} as {fmt}: the name {problem}"
            )


def clean_title(title: str | None) -> str | None:
    """A title fit for a one-line header: runs of spaces and line breaks made one space.

    A title is a description, not data, so a conversion tidies it rather than
    refusing a file whose title (say, an ABIF title with an escaped line
    break) a line-based header could not hold.

    Args:
        title: the title, or None.

    Returns:
        The tidied title, or None if there is nothing left of it.
    """
    if title is None:
        return None
    printable = "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in title)
    return " ".join(printable.split()) or None


def write_text(path: Path, text: str) -> None:
    """Writes a file as UTF-8 with ``\\n`` line ends, turning OS errors into BallotFileError.

    Args:
        path: where to write.
        text: the contents.

    Raises:
        BallotFileError: if the file cannot be written.
    """
    try:
        with path.open("w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
    except FileNotFoundError:
        raise BallotFileError(path, None, "cannot write: the folder does not exist") from None
    except IsADirectoryError:
        raise BallotFileError(path, None, "cannot write: it is a directory") from None
    except PermissionError:
        raise BallotFileError(path, None, "cannot write: permission denied") from None
