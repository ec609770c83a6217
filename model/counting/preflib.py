"""Ballots as PrefLib ordinal files (``.soc``, ``.soi``, ``.toc``, ``.toi``).

This implements the PrefLib data format as published at preflib.org since its
2022 overhaul (the format ``preflibtools`` 2 reads and writes). A file is a
header of ``# KEY: value`` lines, then one line per distinct order::

    # FILE NAME: leader.soi
    # TITLE: Example
    # DATA TYPE: soi
    # NUMBER ALTERNATIVES: 3
    # NUMBER VOTERS: 12
    # NUMBER UNIQUE ORDERS: 2
    # ALTERNATIVE NAME 1: Ed Miliband
    # ALTERNATIVE NAME 2: David Miliband
    # ALTERNATIVE NAME 3: Ed Balls
    7: 2,1,3
    5: 1,{2,3}

Alternatives are numbered from 1. ``7: 2,1,3`` means seven voters ranked
alternative 2 first, then 1, then 3; braces hold alternatives ranked equally.
The four data types say what the orders may be: ``soc`` strict and complete,
``soi`` strict and possibly incomplete (truncated), ``toc`` complete with ties
allowed, ``toi`` anything. Other header keys (DESCRIPTION, PUBLICATION DATE...)
are accepted and ignored, except TITLE, which a conversion keeps.

Rules of this reader, for an eliminating ballot:

* A tie inside a ballot (``{2,3}``) has no place on Labour's ballot paper, so by
  default it is refused with the file and line. With ``ties="truncate"`` the
  ballot counts up to its first tie and is exhausted there (the usual rule for
  an ambiguous preference); a ballot tied at its first preference is then
  blank, not a valid vote, and is left out with a note. In a ``.toc`` file the
  candidates a voter left unranked are often written as one final tie, which
  this rule turns back into a truncated ballot.
* The header must agree with the data: every alternative named, the numbers of
  alternatives, voters and unique orders right, and every order allowed by the
  data type (no ties in ``soc``/``soi``, every alternative in ``soc``/``toc``),
  because a mismatch usually means a truncated or hand-edited file.
* The pre-2022 PrefLib layout (a bare count of candidates on the first line)
  is recognised and refused with advice.

PrefLib has no sections, so a profile with more than one section cannot be
written, and a PrefLib file cannot be counted as an electoral college.
"""

from __future__ import annotations

import re
from pathlib import Path

from model.counting.profile import BallotProfile, ballot_groups
from model.counting.textio import (
    BallotFile,
    BallotFileError,
    RankedBallots,
    Ties,
    check_writable_names,
    clean_title,
    parse_count,
    read_lines,
    write_text,
)

__all__ = ["DATA_TYPES", "read_preflib", "write_preflib"]

DATA_TYPES = {
    "soc": "strict complete orders",
    "soi": "strict incomplete orders",
    "toc": "complete orders with ties",
    "toi": "incomplete orders with ties",
}
"""PrefLib's ordinal data types (also the file extensions) and what they allow."""

_HEADER = re.compile(r"#\s*([A-Za-z][A-Za-z ]*?)\s*(?:(\d+)\s*)?:\s?(.*)")
_ORDER = re.compile(r"\s*([^:]*?)\s*:(.*)")


def read_preflib(path: str | Path, *, ties: Ties = "refuse") -> BallotFile:
    """Reads a PrefLib ordinal file into grouped ballots.

    Args:
        path: the ``.soc``/``.soi``/``.toc``/``.toi`` file.
        ties: "refuse" (default) stops at a ballot that ranks alternatives
            equally; "truncate" counts it up to its first tie (module docstring).

    Returns:
        The ballots (one section, candidates in alternative-number order), any
        notes about truncated or blank ballots, and the file's TITLE.

    Raises:
        BallotFileError: on any problem with the file, naming the line.
    """
    path = Path(path)
    lines = read_lines(path, "PrefLib")
    header, first_data = _read_header(path, lines)
    names = _alternatives(path, header)
    data_type = _data_type(path, header)
    ballots = RankedBallots(path, names, ties)
    orders = 0
    for number, text in enumerate(lines[first_data:], start=first_data + 1):
        if not text.strip():
            continue
        if text.lstrip().startswith("#"):
            raise BallotFileError(
                path, number, "a '#' header line after the first order; the header comes first"
            )
        count, classes = _parse_order(path, number, text, len(names))
        _check_data_type(path, number, classes, data_type, len(names))
        ballots.add(number, count, classes)
        orders += 1
    _check_totals(path, header, orders, ballots.total)
    title = header.get("TITLE", (0, ""))[1].strip() or None
    return BallotFile(ballots.profile(), "preflib", tuple(ballots.notes()), title)


def _read_header(path: Path, lines: list[str]) -> tuple[dict[str, tuple[int, str]], int]:
    """Header key -> (line, value), and the index of the first line after the header."""
    header: dict[str, tuple[int, str]] = {}
    index = 0
    for index, text in enumerate(lines):
        stripped = text.strip()
        if not stripped:
            continue
        if not stripped.startswith("#"):
            break
        match = _HEADER.fullmatch(stripped)
        if match is None:
            continue  # a comment-like line with no "KEY:"; PrefLib defines none, so skip it
        key = " ".join(match.group(1).upper().split())
        if match.group(2) is not None:
            key = f"{key} {int(match.group(2))}"
        if key in header:
            raise BallotFileError(
                path, index + 1, f"header '{key}' appears twice (first on line {header[key][0]})"
            )
        header[key] = (index + 1, match.group(3).strip())
    else:
        index = len(lines)
    if not header and any(line.strip() for line in lines):
        first = next(i for i, line in enumerate(lines) if line.strip())
        if re.fullmatch(r"\s*\d+\s*", lines[first]):
            raise BallotFileError(
                path,
                first + 1,
                "this looks like the PrefLib layout before 2022 (a bare number of "
                "candidates on the first line); convert it to the current layout "
                "('# ALTERNATIVE NAME 1: ...' headers), e.g. with preflibtools",
            )
    return header, index


def _alternatives(path: Path, header: dict[str, tuple[int, str]]) -> list[str]:
    numbered = {}
    for key, (line, value) in header.items():
        if key.startswith("ALTERNATIVE NAME "):
            if not value:
                raise BallotFileError(path, line, f"'{key}' has no name")
            numbered[int(key.rsplit(" ", 1)[1])] = (line, value)
    if not numbered:
        raise BallotFileError(
            path,
            None,
            "names no alternatives: expected header lines such as '# ALTERNATIVE NAME 1: Ed Balls'",
        )
    stated = _number(path, header, "NUMBER ALTERNATIVES")
    count = max(numbered) if stated is None else stated
    missing = next((i for i in range(1, count + 1) if i not in numbered), None)
    if missing is not None:
        raise BallotFileError(path, None, f"alternative {missing} has no '# ALTERNATIVE NAME'")
    extra = [i for i in numbered if not 1 <= i <= count]
    if extra:
        line = numbered[extra[0]][0]
        raise BallotFileError(
            path, line, f"alternative {extra[0]} is beyond NUMBER ALTERNATIVES ({count})"
        )
    names: list[str] = []
    for i in range(1, count + 1):
        line, name = numbered[i]
        if name in names:
            raise BallotFileError(
                path, line, f"alternative name {name!r} is used twice (alternatives must differ)"
            )
        names.append(name)
    return names


def _number(path: Path, header: dict[str, tuple[int, str]], key: str) -> int | None:
    if key not in header:
        return None
    line, value = header[key]
    if not re.fullmatch(r"[0-9]+", value):
        raise BallotFileError(path, line, f"'{key}' must be a whole number, got {value!r}")
    return int(value)


def _data_type(path: Path, header: dict[str, tuple[int, str]]) -> str:
    if "DATA TYPE" in header:
        line, value = header["DATA TYPE"]
        value = value.lower()
        if value not in DATA_TYPES:
            raise BallotFileError(
                path,
                line,
                f"DATA TYPE {value!r} is not an ordinal type (allowed: {', '.join(DATA_TYPES)})",
            )
        return value
    extension = path.suffix.lower().lstrip(".")
    return extension if extension in DATA_TYPES else "toi"  # toi allows every order


def _parse_order(path: Path, line: int, text: str, n: int) -> tuple[int, list[list[int]]]:
    match = _ORDER.fullmatch(text)
    if match is None:
        raise BallotFileError(
            path, line, f"expected 'count: order' such as '12: 2,1,3', found {text.strip()!r}"
        )
    count = parse_count(
        path, line, match.group(1), empty=" (write the number of ballots before ':')"
    )
    body = match.group(2).strip()
    if not body:
        return count, []  # a blank ballot: set aside by RankedBallots
    # Split at the commas outside braces: each item is one preference.
    items, current, inside = [], [], False
    for ch in body:
        if ch == "{":
            if inside:
                raise BallotFileError(path, line, "braces '{' cannot be nested")
            inside = True
        elif ch == "}":
            if not inside:
                raise BallotFileError(path, line, "a '}' without a '{' before it")
            inside = False
        elif ch == "," and not inside:
            items.append("".join(current).strip())
            current = []
            continue
        current.append(ch)
    if inside:
        raise BallotFileError(path, line, "a '{' is never closed with '}'")
    items.append("".join(current).strip())
    classes = []
    for item in items:
        if item.startswith("{") and item.endswith("}"):
            classes.append([_alternative(path, line, x, n) for x in item[1:-1].split(",")])
        elif "{" in item or "}" in item:
            raise BallotFileError(
                path, line, f"{item!r}: a tie is written '{{2,3}}', with ',' around it"
            )
        else:
            classes.append([_alternative(path, line, item, n)])
    return count, classes


def _alternative(path: Path, line: int, text: str, n: int) -> int:
    value = text.strip()
    if not value:
        raise BallotFileError(path, line, "an empty preference (two commas, or '{}')")
    if not re.fullmatch(r"[0-9]+", value):
        raise BallotFileError(
            path, line, f"{value!r} is not an alternative number (allowed: 1 to {n})"
        )
    number = int(value)
    if not 1 <= number <= n:
        raise BallotFileError(
            path, line, f"alternative {number} does not exist (allowed: 1 to {n})"
        )
    return number - 1


def _check_data_type(
    path: Path, line: int, classes: list[list[int]], data_type: str, n: int
) -> None:
    if data_type in ("soc", "soi") and any(len(group) > 1 for group in classes):
        raise BallotFileError(
            path,
            line,
            f"a tie ('{{...}}') in a file of DATA TYPE {data_type} "
            f"({DATA_TYPES[data_type]}); ties are allowed only in toc and toi",
        )
    if data_type in ("soc", "toc"):
        ranked = sum(len(group) for group in classes)
        if ranked != n:
            raise BallotFileError(
                path,
                line,
                f"the order ranks {ranked} of {n} alternatives, but DATA TYPE {data_type} "
                f"({DATA_TYPES[data_type]}) needs all of them; use soi or toi for "
                "truncated ballots",
            )


def _check_totals(path: Path, header: dict[str, tuple[int, str]], orders: int, total: int) -> None:
    for key, actual in (("NUMBER VOTERS", total), ("NUMBER UNIQUE ORDERS", orders)):
        stated = _number(path, header, key)
        if stated is not None and stated != actual:
            raise BallotFileError(
                path,
                header[key][0],
                f"'{key}: {stated}' but the file holds {actual:,} "
                f"{'ballots' if key == 'NUMBER VOTERS' else 'order lines'}",
            )


def write_preflib(profile: BallotProfile, path: str | Path, *, title: str | None = None) -> str:
    """Writes ballots as a PrefLib ordinal file.

    Orders are written most common first (PrefLib's habit), groups with the same
    ranking merged and empty groups left out. The data type is the file's
    extension when it is one of PrefLib's and fits the ballots; otherwise
    ``soc`` if every ballot ranks every candidate, else ``soi``.

    Args:
        profile: the ballots; a single section only.
        path: the file to write.
        title: a title for the ``# TITLE`` header (see
            :func:`~model.counting.textio.clean_title`).

    Returns:
        The data type written.

    Raises:
        BallotFileError: if the profile has several sections, a name cannot be
            written, the extension's data type does not fit, or the file cannot
            be written.
    """
    path = Path(path)
    if profile.n_sections > 1:
        raise BallotFileError(
            path,
            None,
            f"cannot write {profile.n_sections} sections ({', '.join(profile.section_names)}) "
            "as PrefLib, which holds one pool of ballots; write CSV to keep the sections",
        )
    check_writable_names(path, profile.candidates, "candidate", "PrefLib")
    title = clean_title(title)
    groups = ballot_groups(profile)
    n = profile.n_candidates
    complete = all(len(ranking) == n for _, ranking in groups)
    extension = path.suffix.lower().lstrip(".")
    if extension in DATA_TYPES:
        if extension in ("soc", "toc") and not complete:
            raise BallotFileError(
                path,
                None,
                f"cannot write .{extension} ({DATA_TYPES[extension]}): some ballots rank "
                f"fewer than all {n} candidates; write .soi or .toi",
            )
        data_type = extension
    else:
        data_type = "soc" if complete else "soi"
    index = {name: i + 1 for i, name in enumerate(profile.candidates)}
    ordered = sorted(groups.items(), key=lambda item: -item[1])  # stable: ties keep their order
    lines = [
        f"# FILE NAME: {path.name}",
        f"# TITLE: {title or ''}",
        "# DESCRIPTION: ",
        f"# DATA TYPE: {data_type}",
        "# MODIFICATION TYPE: ",
        "# RELATES TO: ",
        "# RELATED FILES: ",
        "# PUBLICATION DATE: ",
        "# MODIFICATION DATE: ",
        f"# NUMBER ALTERNATIVES: {n}",
        f"# NUMBER VOTERS: {sum(groups.values())}",
        f"# NUMBER UNIQUE ORDERS: {len(groups)}",
        *(f"# ALTERNATIVE NAME {i}: {name}" for name, i in index.items()),
        *(
            f"{count}: {','.join(str(index[c]) for c in ranking)}"
            for (_, ranking), count in ordered
        ),
    ]
    write_text(path, "\n".join(lines) + "\n")
    return data_type
