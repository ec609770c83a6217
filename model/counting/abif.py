"""Ballots as ABIF, the Aggregated Ballot Information Format (``.abif``).

This implements ABIF as drafted by the electorama/abif project: the grammar
``abif-v0.31.ebnf`` and the draft ``draft1/abif_file.md`` and
``draft1/ballot_lines.md``, as read by abiftool (2023-2025). A file is UTF-8
text, one item per line::

    # Comments start with '#' (outside brackets and quotes) and run to the line end
    {"title": "Example leadership ballot"}
    =EdM:[Ed Miliband]
    =DavidM:[David Miliband]
    =Balls:[Ed Balls]
    7:DavidM>EdM>Balls
    5:EdM>[David Miliband]
    2:Balls

* ``{key: value}`` lines are metadata (JSON-like; keys and values may be
  quoted). The ``title`` is kept when a file is converted; the rest is ignored.
* ``=TOKEN:[Full name]`` declares a candidate: the token is what ballot lines
  use, the bracketed text is the name reported. Tokens are bare words
  (letters, digits, ``_`` and ``-``) or, like names, text in ``[...]`` or
  ``"..."`` (which may hold spaces, commas, ``>``, ``=``, ``#``... but not the
  closing ``]`` or ``"``). The grammar allows the ``=`` to be left out.
* ``COUNT:BALLOT`` lines give a number of ballots and their ranking: candidates
  separated by ``>`` (preferred to), ``=`` or ``,`` (ranked equally). Spaces
  are ignored. A line with nothing after the colon is that many blank ballots.

Rules of this reader, for an eliminating ballot:

* When the file declares candidates (any ``=`` line), every candidate on a
  ballot must be declared (by token or full name), so that a typo cannot add a
  candidate; the declarations give the report order, and a declared candidate
  nobody ranked stands with no votes. A file without declarations takes its
  candidates from the ballots, in order of first appearance, as named there.
* Candidates ranked equally (``A=B``, ``A,B``) are refused with the file and
  line, or with ``ties="truncate"`` the ballot counts up to its first tie and is
  exhausted there. Blank ballots (and, when truncating, ballots tied at their
  first preference) are not valid votes: they are left out, with a note.
* Ratings (``A/5>B/3``) are accepted and ignored: the order is the one ``>``
  gives, which is what an eliminating ballot counts. Scored ballots that give
  no order (``A/5,B/3``) are refused: turning scores into rankings is a choice
  this reader does not make for you.
* Not supported, and refused with a message: cumulative weights (``A*2``),
  extended ballot data after a second colon (``3:A>B:{"precinct": 5}``) and the
  draft's ``ABIF 1.0`` header line.

The writer declares every candidate (so report order and unranked candidates
survive a round trip), writes a name as its own token when it is a plain word
and otherwise derives an ASCII token from it, and writes the most common
rankings first. ABIF has no sections.
"""

from __future__ import annotations

import json
import re
import unicodedata
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

__all__ = ["read_abif", "write_abif"]

_BARE = re.compile(r"[\w-]+")  # bare tokens on reading: lenient (any letters)
_WRITE_BARE = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")  # and on writing: the grammar's own
_METADATA = re.compile(
    r"""\{\s*(?:"([^"]*)"|'([^']*)'|([A-Za-z_][\w ]*?))\s*:\s*"""
    r"""(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|([\w. -]*?))\s*\}"""
)
_ALLOWED_LINES = (
    "a ballot line 'COUNT:A>B', a candidate line '=TOKEN:[Name]', "
    "metadata '{key: \"value\"}' or a comment '# ...'"
)


def read_abif(path: str | Path, *, ties: Ties = "refuse") -> BallotFile:
    """Reads an ABIF file into grouped ballots.

    Args:
        path: the ``.abif`` file.
        ties: "refuse" (default) stops at a ballot that ranks candidates
            equally; "truncate" counts it up to its first tie (module docstring).

    Returns:
        The ballots (one section), notes about truncated, blank or rated
        ballots, and the file's title if its metadata has one.

    Raises:
        BallotFileError: on any problem with the file, naming the line.
    """
    path = Path(path)
    lines = [_strip_comment(text).strip() for text in read_lines(path, "ABIF")]
    title = None
    tokens: dict[str, int] = {}  # declared token -> candidate index
    names: list[str] = []
    ballot_lines: list[tuple[int, str]] = []
    # Declarations may come anywhere (the draft only recommends them first), so they
    # are all read before any ballot is looked up.
    for number, text in enumerate(lines, start=1):
        if not text:
            continue
        if text.startswith("{"):
            key, value = _metadata(path, number, text)
            if key.lower() == "title" and value:
                title = value
        elif text[0].isdigit() or text[0] in "-+.":
            ballot_lines.append((number, text))
        elif text.startswith("=") or _looks_like_declaration(text):
            token, name = _declaration(path, number, text.removeprefix("="))
            if token in tokens:
                raise BallotFileError(path, number, f"candidate token {token!r} is declared twice")
            if name in names:
                raise BallotFileError(path, number, f"candidate name {name!r} is declared twice")
            tokens[token] = len(names)
            names.append(name)
        elif text.upper().startswith("ABIF"):
            raise BallotFileError(
                path, number, "the draft's 'ABIF' header line is not supported; delete it"
            )
        else:
            raise BallotFileError(path, number, f"expected {_ALLOWED_LINES}, found {text!r}")

    declared = bool(names)
    by_name = {name: i for i, name in enumerate(names)}
    ballots = RankedBallots(path, names, ties)
    rated_lines = 0
    for number, text in ballot_lines:
        count_text, colon, body = text.partition(":")
        if not colon:
            raise BallotFileError(
                path, number, f"a ballot line is 'COUNT:RANKING' (e.g. '12:A>B'), found {text!r}"
            )
        count = parse_count(path, number, count_text, empty=" (write the number of ballots)")
        preferences, rated, separators = _ballot(path, number, body)
        if rated and "," in separators:
            raise BallotFileError(
                path,
                number,
                "a scored ballot with no order ('A/5,B/3'); an eliminating ballot needs "
                "the order written with '>' (ratings are not turned into rankings)",
            )
        rated_lines += rated
        classes = [
            [_candidate(path, number, c, tokens, by_name, names, declared) for c in group]
            for group in preferences
        ]
        ballots.add(number, count, classes)
    if not ballot_lines:
        raise BallotFileError(path, None, "contains no ballot lines ('COUNT:A>B')")
    notes = ballots.notes()
    if rated_lines:
        notes.append(
            f"ratings ('/N') on {rated_lines:,} line(s) are ignored: the count follows "
            "the order given by '>'"
        )
    return BallotFile(ballots.profile(), "abif", tuple(notes), title)


def _candidate(
    path: Path,
    line: int,
    candidate: str,
    tokens: dict[str, int],
    by_name: dict[str, int],
    names: list[str],
    declared: bool,
) -> int:
    """The index of a candidate named on a ballot: a declared token, else a full name."""
    if candidate in tokens:
        return tokens[candidate]
    if candidate in by_name:
        return by_name[candidate]
    if declared:
        known = ", ".join(list(tokens)[:12]) + (", ..." if len(tokens) > 12 else "")
        raise BallotFileError(
            path, line, f"candidate {candidate!r} is not declared (declared tokens: {known})"
        )
    # Without declarations the ballots name the candidates, in order of first appearance.
    by_name[candidate] = len(names)
    names.append(candidate)
    return by_name[candidate]


def _strip_comment(text: str) -> str:
    """The line up to a '#' that is outside brackets and quotes."""
    closing = None
    escaped = False
    for i, ch in enumerate(text):
        if closing is not None:
            if escaped:
                escaped = False
            elif ch == "\\" and closing == '"':
                escaped = True  # a JSON escape such as \" in a metadata value
            elif ch == closing:
                closing = None
        elif ch == "[":
            closing = "]"
        elif ch == '"':
            closing = '"'
        elif ch == "#":
            return text[:i]
    return text


def _metadata(path: Path, line: int, text: str) -> tuple[str, str]:
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if isinstance(data, dict) and len(data) == 1:
        ((key, value),) = data.items()
        return str(key), str(value)
    match = _METADATA.fullmatch(text)
    if match is None:
        raise BallotFileError(
            path, line, f'metadata lines hold one pair, e.g. {{title: "..."}}; found {text!r}'
        )
    key = next(g for g in match.groups()[:3] if g is not None)
    quoted = match.group(4)
    if quoted is not None:
        value = json.loads(f'"{quoted}"')
    else:
        value = next((g for g in match.groups()[4:] if g is not None), "")
    return key.strip(), value.strip()


def _read_name(path: Path, line: int, text: str, start: int) -> tuple[str, int]:
    """A token or name starting at ``start``: bare, ``[...]`` or ``"..."``; and where it ends."""
    opening = text[start]
    if opening in '["':
        closing = "]" if opening == "[" else '"'
        end = text.find(closing, start + 1)
        if end < 0:
            raise BallotFileError(path, line, f"a {opening!r} is never closed with {closing!r}")
        name = text[start + 1 : end].strip()
        if not name:
            raise BallotFileError(path, line, f"an empty name {opening}{closing}")
        return name, end + 1
    match = _BARE.match(text, start)
    if match is None:
        raise BallotFileError(
            path,
            line,
            f"expected a candidate at {text[start:][:20]!r}: a word of letters, digits, "
            "'_' and '-', or a name in [brackets] or \"quotes\"",
        )
    return match.group(), match.end()


def _looks_like_declaration(text: str) -> bool:
    """A candidate line whose optional '=' was left out: TOKEN:[Name]."""
    return bool(re.fullmatch(r"""(?:[\w-]+|\[[^\]]*\]|"[^"]*")\s*:\s*(?:\[.*\]|"[^"]*")""", text))


def _declaration(path: Path, line: int, text: str) -> tuple[str, str]:
    text = text.strip()
    if not text:
        raise BallotFileError(path, line, "a candidate line is '=TOKEN:[Full name]'")
    token, end = _read_name(path, line, text, 0)
    rest = text[end:].lstrip()
    if not rest.startswith(":"):
        raise BallotFileError(
            path, line, f"a candidate line is '=TOKEN:[Full name]'; found {('=' + text)!r}"
        )
    rest = rest[1:].strip()
    if not rest:
        raise BallotFileError(path, line, f"candidate {token!r} has no name after ':'")
    if rest[0] in '["':
        name, end = _read_name(path, line, rest, 0)
        if rest[end:].strip():
            raise BallotFileError(
                path, line, f"unexpected {rest[end:].strip()!r} after the candidate's name"
            )
    else:
        name = rest
    return token, name


def _ballot(path: Path, line: int, body: str) -> tuple[list[list[str]], bool, set[str]]:
    """Preference groups of a ballot, whether it had ratings, and the separators used."""
    groups: list[list[str]] = []
    separators: set[str] = set()
    rated = False
    position = 0
    pending = None  # the separator read last, until a candidate follows it
    while True:
        while position < len(body) and body[position].isspace():
            position += 1
        if position == len(body):
            if pending is not None:
                raise BallotFileError(path, line, f"the ballot ends with {pending!r}")
            return groups, rated, separators
        name, position = _read_name(path, line, body, position)
        if pending in (None, ">"):
            groups.append([name])
        else:
            groups[-1].append(name)
        pending = None
        while position < len(body) and body[position].isspace():
            position += 1
        if position < len(body) and body[position] == "/":
            match = re.compile(r"/\s*([0-9]+)(?![0-9.])").match(body, position)
            if match is None:
                raise BallotFileError(
                    path, line, f"a rating after {name!r} must be a whole number ('/5')"
                )
            rated = True
            position = match.end()
            while position < len(body) and body[position].isspace():
                position += 1
        if position == len(body):
            continue
        ch = body[position]
        if ch in ">=,":
            separators.add(ch)
            pending = ch
            position += 1
        elif ch == ":":
            raise BallotFileError(
                path, line, "extended ballot data after a second ':' is not supported"
            )
        elif ch == "*":
            raise BallotFileError(
                path, line, "weighted (cumulative) ballots ('A*2') are not supported"
            )
        else:
            raise BallotFileError(
                path,
                line,
                f"unexpected {ch!r} after candidate {name!r} (allowed: '>', '=', ',', a "
                "rating '/N' or the end of the line)",
            )


def write_abif(profile: BallotProfile, path: str | Path, *, title: str | None = None) -> None:
    """Writes ballots as an ABIF file.

    Args:
        profile: the ballots; a single section only.
        path: the file to write.
        title: a title for the ``{"title": ...}`` metadata line (see
            :func:`~model.counting.textio.clean_title`).

    Raises:
        BallotFileError: if the profile has several sections, a name cannot be
            written (it holds ']' or a control character, or has surrounding
            spaces), or the file cannot be written.
    """
    path = Path(path)
    if profile.n_sections > 1:
        raise BallotFileError(
            path,
            None,
            f"cannot write {profile.n_sections} sections ({', '.join(profile.section_names)}) "
            "as ABIF, which holds one pool of ballots; write CSV to keep the sections",
        )
    check_writable_names(path, profile.candidates, "candidate", "ABIF", forbidden="]")
    title = clean_title(title)
    groups = ballot_groups(profile)
    tokens = _tokens(profile.candidates)
    lines = [
        f"# {sum(groups.values()):,} ballots, {len(groups):,} distinct rankings, "
        f"{profile.n_candidates} candidates",
    ]
    if title:
        lines.append(f'{{"title": {json.dumps(title, ensure_ascii=False)}}}')
    lines += [f"={tokens[name]}:[{name}]" for name in profile.candidates]
    ordered = sorted(groups.items(), key=lambda item: -item[1])  # stable: ties keep their order
    lines += [f"{count}:{'>'.join(tokens[c] for c in ranking)}" for (_, ranking), count in ordered]
    write_text(path, "\n".join(lines) + "\n")


def _tokens(names: tuple[str, ...]) -> dict[str, str]:
    """A bare, unique ASCII token for every candidate: the name itself when it is one."""
    tokens: dict[str, str] = {}
    used: set[str] = set()
    # Names that are tokens already keep them; the others must not take those.
    for name in names:
        if _WRITE_BARE.fullmatch(name):
            tokens[name] = name
            used.add(name)
    for name in names:
        if name in tokens:
            continue
        ascii_text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
        words = re.findall(r"[A-Za-z0-9]+", ascii_text)
        base = "".join(word[:1].upper() + word[1:] for word in words)[:24]
        if not base or not base[0].isalpha():
            base = "C" + base  # a token starts with a letter (the grammar's BKEY)
        token, k = base, 2
        while token in used:
            token, k = f"{base}_{k}", k + 1
        tokens[name] = token
        used.add(token)
    return tokens
