"""Ballots as CSV: a header row, then one row per ranking (the original ballots file).

A ballots file is a CSV with a header row and these columns, in any order:

* ``ranking`` (required): candidate names joined by ``>``, most preferred first,
  e.g. ``Ed Miliband>David Miliband>Ed Balls``. Spaces around names are ignored.
* ``count`` (optional, default 1): how many ballots carry this ranking; a whole
  number, zero or more.
* ``section`` (optional): the voter's section (``members``, ``affiliates``...).

Rows with the same section and ranking are added together; a row of count 0
adds no ballot but does name its candidates (and section) in order of first
appearance, which is the report order when no ``--candidates`` list is given.
:func:`write_ballots_csv` uses such a row to keep the order. Every problem is
reported as a :class:`~model.counting.textio.BallotFileError` naming the file,
the line and what is wrong.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from model.counting.profile import DEFAULT_SECTION, NO_PREFERENCE, BallotProfile, ballot_groups
from model.counting.textio import (
    MAX_BALLOTS,
    BallotFileError,
    check_writable_names,
    parse_count,
    reading,
    write_text,
)

__all__ = ["COLUMNS", "read_ballots_csv", "write_ballots_csv"]

COLUMNS = ("section", "count", "ranking")
"""The columns a ballots file may have; only ``ranking`` is required."""


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
    with reading(path, "CSV"), path.open(newline="", encoding="utf-8-sig") as handle:
        groups, names, sections_seen, has_sections = _read_rows(
            path, handle, declared, section_names
        )

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
            count = parse_count(path, line, row[column["count"]]) if "count" in column else 1
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
            if total >= MAX_BALLOTS:
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
    # A PrefLib or ABIF file with an extension that names neither is read as CSV;
    # its first line then starts with '#', '{', '=' or 'COUNT:'.
    other_format = bool(re.match(r"[#{=]|[0-9]+\s*:", row[0].strip()))
    for field in header:
        if field not in COLUMNS:
            if other_format:
                hint = (
                    " (is this a PrefLib or ABIF file? name its format with "
                    "--format preflib or --format abif)"
                )
            elif ">" in field:
                hint = " (the first line must be a header such as section,count,ranking)"
            else:
                hint = ""
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


def write_ballots_csv(profile: BallotProfile, path: str | Path) -> None:
    """Writes ballots as a ballots CSV that :func:`read_ballots_csv` reads back unchanged.

    Columns are ``section,count,ranking``, without ``section`` when the profile
    has only the default section. Rows go section by section, most common
    ranking first. A CSV names candidates only in its rankings, so when the
    first appearances would not give the profile's candidate order (or a
    candidate nobody ranked would be lost) the first row is a row of count 0
    listing every candidate in order: it adds no ballot. A section with no
    ballots gets such a row too.

    Args:
        profile: the ballots.
        path: the file to write.

    Raises:
        BallotFileError: if a name holds '>' or cannot survive the round trip
            (surrounding spaces, control characters), or the file cannot be written.
    """
    path = Path(path)
    check_writable_names(path, profile.candidates, "candidate", "CSV", forbidden=">")
    with_sections = profile.sections is not None or profile.section_names != (DEFAULT_SECTION,)
    if with_sections:
        check_writable_names(path, profile.section_names, "section", "CSV")
    groups = ballot_groups(profile)
    rows: list[tuple[str, int, tuple[str, ...]]] = []
    for section in profile.section_names:
        mine = [(ranking, n) for (s, ranking), n in groups.items() if s == section]
        if not mine:
            rows.append((section, 0, profile.candidates[:1]))
        mine.sort(key=lambda item: -item[1])  # stable: equal counts keep their order
        rows += [(section, n, ranking) for ranking, n in mine]
    first_seen = tuple(dict.fromkeys(name for _, _, ranking in rows for name in ranking))
    if first_seen != profile.candidates:
        rows.insert(0, (profile.section_names[0], 0, profile.candidates))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS if with_sections else COLUMNS[1:])
    for section, count, ranking in rows:
        ranking_text = ">".join(ranking)
        writer.writerow((section, count, ranking_text) if with_sections else (count, ranking_text))
    write_text(path, buffer.getvalue())
