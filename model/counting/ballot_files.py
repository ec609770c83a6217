"""Ballot files in, result announcements out.

A ballots file is a CSV with a header row and these columns, in any order:

* ``ranking`` (required): candidate names joined by ``>``, most preferred first,
  e.g. ``Ed Miliband>David Miliband>Ed Balls``. Spaces around names are ignored.
* ``count`` (optional, default 1): how many ballots carry this ranking; a whole
  number, zero or more.
* ``section`` (optional): the voter's section (``members``, ``affiliates``...).

Rows with the same section and ranking are added together. Every problem is
reported as a :class:`BallotFileError` naming the file, the line and what is
wrong, so that the command line can print one clear line and exit with status 2.

:func:`format_result` lays a :class:`~model.counting.count.CountResult` out the way
the party announces results: for each section, candidates down the side and
rounds across, with votes and percentages, then the weighted totals for a
college, the exhausted ballots, who was eliminated and why, and the winner.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path

import numpy as np

from model.counting.count import (
    DEFAULT_SECTION,
    NO_PREFERENCE,
    BallotProfile,
    CountResult,
    round_half_up,
)

__all__ = ["COLUMNS", "BallotFileError", "format_result", "read_ballots_csv"]

COLUMNS = ("section", "count", "ranking")
"""The columns a ballots file may have; only ``ranking`` is required."""

_WHOLE_NUMBER = re.compile(r"[0-9]+")
_MAX_BALLOTS = 2**53  # the counting engine's limit


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


def read_ballots_csv(
    path: str | Path,
    *,
    candidates: Sequence[str] | None = None,
    section_names: Sequence[str] | None = None,
) -> BallotProfile:
    """Reads a ballots CSV into grouped ballots.

    Args:
        path: the CSV file.
        candidates: the candidates and their report order. When given, a name
            not in the list is an error; when None, candidates are taken in
            order of first appearance.
        section_names: the sections the count expects (e.g. a college's). When
            given, the file must have a ``section`` column, every row's section
            must be one of them and every one must have ballots. When None,
            sections are taken from the file in order of first appearance, or
            there is a single section "all" if the file has no ``section`` column.

    Returns:
        The grouped profile.

    Raises:
        BallotFileError: on any problem with the file, naming the line.
    """
    path = Path(path)
    declared = None if candidates is None else _declared_candidates(path, candidates)
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            groups, names, sections_seen, has_sections = _read_rows(
                path, handle, declared, section_names
            )
    except FileNotFoundError:
        raise BallotFileError(path, None, "no such file") from None
    except IsADirectoryError:
        raise BallotFileError(path, None, "is a directory, not a ballots file") from None
    except PermissionError:
        raise BallotFileError(path, None, "permission denied") from None
    except UnicodeDecodeError as err:
        raise BallotFileError(
            path, None, f"is not UTF-8 text (byte {err.start}): save it as UTF-8 CSV"
        ) from None

    if not groups:
        raise BallotFileError(path, None, "contains no ballots (only a header)")
    if section_names is not None:
        empty = [s for s in section_names if s not in sections_seen]
        if empty:
            raise BallotFileError(path, None, f"section {empty[0]!r} has no ballots")
        sections = tuple(section_names)
    elif has_sections:
        sections = tuple(sections_seen)
    else:
        sections = (DEFAULT_SECTION,)

    all_candidates = tuple(declared) if declared is not None else tuple(names)
    index = {name: i for i, name in enumerate(all_candidates)}
    section_index = {name: i for i, name in enumerate(sections)}
    width = max(len(ranking) for _, ranking in groups)
    rankings = np.full((len(groups), width), NO_PREFERENCE, dtype=np.int64)
    section_of = np.empty(len(groups), dtype=np.int64)
    counts = np.empty(len(groups), dtype=np.int64)
    for row, ((section, ranking), count) in enumerate(groups.items()):
        rankings[row, : len(ranking)] = [index[name] for name in ranking]
        section_of[row] = section_index[section] if has_sections else 0
        counts[row] = count
    return BallotProfile(
        candidates=all_candidates,
        rankings=rankings,
        counts=counts,
        sections=section_of if has_sections else None,
        section_names=sections,
    )


def _declared_candidates(path: Path, candidates: Sequence[str]) -> list[str]:
    names = [c.strip() for c in candidates]
    for name in names:
        if not name:
            raise BallotFileError(path, None, "--candidates has an empty name")
        if ">" in name:
            raise BallotFileError(path, None, f"candidate name {name!r} contains '>'")
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise BallotFileError(path, None, f"candidate {duplicates[0]!r} is declared twice")
    return names


def _read_rows(
    path: Path,
    handle: object,
    declared: list[str] | None,
    section_names: Sequence[str] | None,
) -> tuple[dict[tuple[str, tuple[str, ...]], int], dict[str, None], dict[str, None], bool]:
    reader = csv.reader(handle, strict=True)  # type: ignore[arg-type]
    header: list[str] | None = None
    column: dict[str, int] = {}
    has_sections = False
    groups: dict[tuple[str, tuple[str, ...]], int] = {}
    names: dict[str, None] = {}  # insertion-ordered set
    sections_seen: dict[str, None] = {}
    known = None if declared is None else set(declared)
    total = 0
    previous_end = 0
    try:
        for row in reader:
            line = previous_end + 1  # where this record starts, for multi-line quoted fields
            previous_end = reader.line_num
            if not row or (len(row) == 1 and not row[0].strip()):
                continue  # blank line
            if header is None:
                header = _parse_header(path, line, row)
                column = {name: i for i, name in enumerate(header)}
                has_sections = "section" in column
                if section_names is not None and not has_sections:
                    raise BallotFileError(
                        path,
                        line,
                        "the count has sections "
                        f"({', '.join(section_names)}) but the file has no 'section' column",
                    )
                continue
            if len(row) != len(header):
                raise BallotFileError(
                    path,
                    line,
                    f"expected {len(header)} fields ({','.join(header)}), found {len(row)}",
                )
            ranking = _parse_ranking(path, line, row[column["ranking"]], known)
            count = _parse_count(path, line, row[column["count"]]) if "count" in column else 1
            section = ""
            if has_sections:
                section = row[column["section"]].strip()
                if not section:
                    raise BallotFileError(path, line, "the section is empty")
                if section_names is not None and section not in section_names:
                    raise BallotFileError(
                        path,
                        line,
                        f"unknown section {section!r} (expected one of: "
                        f"{', '.join(section_names)})",
                    )
                sections_seen.setdefault(section)
            total += count
            if total >= _MAX_BALLOTS:
                raise BallotFileError(path, line, "too many ballots in total (limit 2**53)")
            for name in ranking:
                names.setdefault(name)
            key = (section, ranking)
            groups[key] = groups.get(key, 0) + count
    except csv.Error as err:
        raise BallotFileError(path, reader.line_num or None, f"malformed CSV: {err}") from None
    if header is None:
        raise BallotFileError(
            path, None, "is empty: expected a header row naming the columns section,count,ranking"
        )
    if groups and total == 0:
        raise BallotFileError(path, None, "contains no ballots (every count is 0)")
    return groups, names, sections_seen, has_sections


def _parse_header(path: Path, line: int, row: list[str]) -> list[str]:
    header = [field.strip().lower() for field in row]
    for field in header:
        if field not in COLUMNS:
            hint = (
                " (the first line must be a header such as section,count,ranking)"
                if ">" in field
                else ""
            )
            raise BallotFileError(
                path,
                line,
                f"unknown column {field!r}: expected columns {', '.join(COLUMNS)}{hint}",
            )
    duplicates = sorted({f for f in header if header.count(f) > 1})
    if duplicates:
        raise BallotFileError(path, line, f"column {duplicates[0]!r} appears twice")
    if "ranking" not in header:
        raise BallotFileError(path, line, "there is no 'ranking' column")
    return header


def _parse_ranking(path: Path, line: int, text: str, known: set[str] | None) -> tuple[str, ...]:
    if not text.strip():
        raise BallotFileError(path, line, "the ranking is empty")
    names = tuple(part.strip() for part in text.split(">"))
    seen: set[str] = set()
    for position, name in enumerate(names, start=1):
        if not name:
            raise BallotFileError(
                path, line, f"preference {position} of the ranking {text.strip()!r} is empty"
            )
        if known is not None and name not in known:
            raise BallotFileError(
                path,
                line,
                f"unknown candidate {name!r} (candidates: {', '.join(sorted(known))})",
            )
        if name in seen:
            raise BallotFileError(path, line, f"candidate {name!r} appears twice in the ranking")
        seen.add(name)
    return names


def _parse_count(path: Path, line: int, text: str) -> int:
    value = text.strip()
    if _WHOLE_NUMBER.fullmatch(value):
        return int(value)
    if not value:
        raise BallotFileError(path, line, "the count is empty (write 1, or drop the column)")
    if value.startswith("-") and _WHOLE_NUMBER.fullmatch(value[1:]):
        raise BallotFileError(path, line, f"the count {value!r} is negative")
    raise BallotFileError(path, line, f"the count {value!r} is not a whole number")


# --------------------------------------------------------------------------- announcements


def format_result(result: CountResult, *, title: str | None = None, places: int = 3) -> str:
    """Lays out a count as the party's result announcements do.

    One table per section (candidates down the side; for each round, votes and
    percentage of the section's non-exhausted ballots), then for a college the
    weighted totals in percentage points, or for OMOV the totals of all
    sections together; under each table the exhausted ballots; then a line
    per round saying who was eliminated and why, any tie-breaks, and the winner.

    Args:
        result: the count.
        title: a heading; defaults to one describing the method.
        places: decimal places for percentages (Labour publishes 2 or 3).

    Returns:
        The text, ending with a newline.
    """
    lines: list[str] = []
    if title is None:
        if result.method == "college":
            parts = ", ".join(f"{s} {_weight_text(w)}" for s, w in (result.weights or {}).items())
            title = f"Eliminating ballot - electoral college ({parts})"
        else:
            title = "Eliminating ballot - one member, one vote"
    lines += [title, "=" * len(title), ""]

    multi_section = len(result.section_names) > 1
    for section in result.section_names:
        weight = "" if result.weights is None else f", weight {result.weights[section]}"
        heading = f"Section: {section} ({result.valid[section]:,} valid ballots{weight})"
        if multi_section or result.method == "college":
            lines += _section_table(result, section, heading, places)
            lines.append("")

    if result.method == "college":
        lines += _totals_table(result, "Weighted totals (percentage points)", places)
    else:
        total_valid = sum(result.valid.values())
        heading = (
            f"All sections together ({total_valid:,} valid ballots)"
            if multi_section
            else f"Result ({total_valid:,} valid ballots)"
        )
        lines += _pooled_table(result, heading, places)
    lines.append("")

    for record in result.rounds:
        if record.eliminated is not None:
            lines.append(f"Round {record.number}: {record.eliminated} eliminated ({record.reason})")
    for tie in result.tie_breaks:
        steps = "; ".join(
            f"{step.criterion}: "
            + (
                ", ".join(
                    f"{c} {round_half_up(v, places):.{places}f}" for c, v in step.values.items()
                )
                if step.values
                else f"drawn {step.remaining[0]}"
            )
            for step in tie.steps
        )
        lines.append(f"Tie in round {tie.round} between {', '.join(tie.tied)} -> {steps}")
    final = result.final_round
    total = round_half_up(final.totals[result.winner], places)
    if result.winner_reason != "majority":
        how = f"as the only continuing candidate in round {final.number}"
    elif final.in_play == 100:
        how = f"with {total:.{places}f}% in round {final.number}"
    else:  # an exhausted section's weight is out of play (see model.counting.count)
        in_play = round_half_up(final.in_play, places)
        how = (
            f"with {total:.{places}f} of the {in_play:.{places}f} weighted points "
            f"still in play in round {final.number}"
        )
    lines.append(f"Winner: {result.winner}, elected {how}")
    if result.tie_breaks:
        lines.append(f"Tie policy: {result.tie_policy} (seed {result.seed})")
    return "\n".join(lines) + "\n"


def _weight_text(weight: Fraction) -> str:
    return str(weight)


def _round_headers(result: CountResult, cell: int) -> list[str]:
    return [f"{'Round ' + str(r.number):>{cell}}" for r in result.rounds]


def _section_table(result: CountResult, section: str, heading: str, places: int) -> list[str]:
    name_width = max(len("Exhausted ballots"), *(len(c) for c in result.candidates))
    votes_width = max(
        7, *(len(f"{r.non_exhausted[section] + r.exhausted[section]:,}") for r in result.rounds)
    )
    pct_width = places + 5
    cell = votes_width + 1 + pct_width
    lines = [heading, "-" * len(heading)]
    lines.append(" " * name_width + "  " + "  ".join(_round_headers(result, cell)))
    lines.append(
        " " * name_width
        + "  "
        + "  ".join(f"{'votes':>{votes_width}} {'%':>{pct_width}}" for _ in result.rounds)
    )
    for candidate in result.candidates:
        cells = []
        for record in result.rounds:
            if candidate in record.continuing:
                votes = record.votes[section][candidate]
                pct = round_half_up(record.percentages[section][candidate], places)
                cells.append(f"{votes:>{votes_width},} {pct:>{pct_width}.{places}f}")
            else:
                cells.append(f"{'-':>{votes_width}} {'':>{pct_width}}")
        lines.append(f"{candidate:<{name_width}}  " + "  ".join(cells))
    lines.append(
        f"{'Exhausted ballots':<{name_width}}  "
        + "  ".join(
            f"{r.exhausted[section]:>{votes_width},} {'':>{pct_width}}" for r in result.rounds
        )
    )
    lines.append(
        f"{'Votes counted':<{name_width}}  "
        + "  ".join(
            f"{r.non_exhausted[section]:>{votes_width},} {100 if r.non_exhausted[section] else 0:>{pct_width}.{places}f}"
            for r in result.rounds
        )
    )
    return lines


def _totals_table(result: CountResult, heading: str, places: int) -> list[str]:
    name_width = max(len("Total in play"), *(len(c) for c in result.candidates))
    cell = max(8, places + 5)
    lines = [heading, "-" * len(heading)]
    lines.append(" " * name_width + "  " + "  ".join(_round_headers(result, cell)))
    for candidate in result.candidates:
        cells = [
            f"{round_half_up(r.totals[candidate], places):>{cell}.{places}f}"
            if candidate in r.totals
            else f"{'-':>{cell}}"
            for r in result.rounds
        ]
        lines.append(f"{candidate:<{name_width}}  " + "  ".join(cells))
    lines.append(
        f"{'Total in play':<{name_width}}  "
        + "  ".join(f"{round_half_up(r.in_play, places):>{cell}.{places}f}" for r in result.rounds)
    )
    return lines


def _pooled_table(result: CountResult, heading: str, places: int) -> list[str]:
    name_width = max(len("Exhausted ballots"), *(len(c) for c in result.candidates))
    votes_width = max(7, len(f"{sum(result.valid.values()):,}"))
    pct_width = places + 5
    cell = votes_width + 1 + pct_width
    lines = [heading, "-" * len(heading)]
    lines.append(" " * name_width + "  " + "  ".join(_round_headers(result, cell)))
    lines.append(
        " " * name_width
        + "  "
        + "  ".join(f"{'votes':>{votes_width}} {'%':>{pct_width}}" for _ in result.rounds)
    )
    for candidate in result.candidates:
        cells = []
        for record in result.rounds:
            if candidate in record.continuing:
                votes = record.total_votes[candidate]
                pct = round_half_up(record.totals[candidate], places)
                cells.append(f"{votes:>{votes_width},} {pct:>{pct_width}.{places}f}")
            else:
                cells.append(f"{'-':>{votes_width}} {'':>{pct_width}}")
        lines.append(f"{candidate:<{name_width}}  " + "  ".join(cells))
    lines.append(
        f"{'Exhausted ballots':<{name_width}}  "
        + "  ".join(
            f"{sum(r.exhausted.values()):>{votes_width},} {'':>{pct_width}}" for r in result.rounds
        )
    )
    lines.append(
        f"{'Votes counted':<{name_width}}  "
        + "  ".join(
            f"{sum(r.non_exhausted.values()):>{votes_width},} {100:>{pct_width}.{places}f}"
            for r in result.rounds
        )
    )
    return lines
