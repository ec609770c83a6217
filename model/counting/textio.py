"""Plumbing shared by the ballot file formats: the error type, opening files, counts.

Every problem with a ballots file, whatever its format, is reported as a
:class:`BallotFileError` naming the file, the line (when there is one) and what
is wrong in plain words, so that the command line can print one clear line and
exit with status 2 instead of a traceback.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["MAX_BALLOTS", "BallotFileError", "parse_count", "reading"]

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


def parse_count(path: Path, line: int, text: str) -> int:
    """Reads the number of ballots on a line: a whole number, zero or more.

    Args:
        path: the file, for the error message.
        line: the 1-based line number, for the error message.
        text: the count as written.

    Returns:
        The count.

    Raises:
        BallotFileError: if the text is empty, negative or not a whole number.
    """
    value = text.strip()
    if _WHOLE_NUMBER.fullmatch(value):
        return int(value)
    if not value:
        raise BallotFileError(path, line, "the count is empty (write 1, or drop the column)")
    if value.startswith("-") and _WHOLE_NUMBER.fullmatch(value[1:]):
        raise BallotFileError(path, line, f"the count {value!r} is negative")
    raise BallotFileError(path, line, f"the count {value!r} is not a whole number")
