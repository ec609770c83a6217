"""Result announcements: a count laid out the way the party publishes it.

:func:`format_result` lays a :class:`~model.counting.result.CountResult` out as
the party's result announcements do: for each section, candidates down the
side and rounds across, with votes and percentages, then the weighted totals
for a college, the exhausted ballots, who was eliminated and why, and the winner.

Columns are aligned by *display width*, not by ``len``: a CJK name such as
蘇業 takes four columns of a terminal for two characters, and an accent
written as a combining mark takes none, so padding by ``len`` would push
every number after such a name out of line.
"""

from __future__ import annotations

import unicodedata
from fractions import Fraction

from model.counting.result import CountResult, round_half_up

__all__ = ["OMOV_SECTIONS_NOTE", "display_width", "format_result", "pad"]

OMOV_SECTIONS_NOTE = "OMOV: the section column is reported but does not weigh votes"
"""Said under the title of an OMOV count whose ballots come in several sections."""


def display_width(text: str) -> int:
    """The number of terminal columns a string takes in a monospaced font.

    Wide and full-width characters (East Asian Width W or F: CJK ideographs,
    kana, Hangul syllables, full-width forms, most emoji) take two columns;
    combining marks and zero-width format characters take none; everything
    else takes one. This is the rule terminals follow (and ``wcwidth``
    implements); it needs nothing beyond the standard library.

    Args:
        text: the string.

    Returns:
        Its width in columns.
    """
    width = 0
    for ch in text:
        if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def pad(text: str, width: int, align: str = "<") -> str:
    """Pads a string with spaces to a display width (see :func:`display_width`).

    Args:
        text: the string.
        width: the columns it should fill; a longer string is left as it is.
        align: "<" to pad on the right (left-aligned), ">" to pad on the left.

    Returns:
        The padded string.
    """
    fill = " " * max(0, width - display_width(text))
    return text + fill if align == "<" else fill + text


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
    lines += [title, "=" * display_width(title), ""]

    multi_section = len(result.section_names) > 1
    if multi_section and result.method == "omov":
        lines += [f"{OMOV_SECTIONS_NOTE}; every ballot counts the same.", ""]
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
    name_width = max(len("Exhausted ballots"), *(display_width(c) for c in result.candidates))
    votes_width = max(
        7, *(len(f"{r.non_exhausted[section] + r.exhausted[section]:,}") for r in result.rounds)
    )
    pct_width = places + 5
    cell = votes_width + 1 + pct_width
    lines = [heading, "-" * display_width(heading)]
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
        lines.append(pad(candidate, name_width) + "  " + "  ".join(cells))
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
    name_width = max(len("Total in play"), *(display_width(c) for c in result.candidates))
    cell = max(8, places + 5)
    lines = [heading, "-" * display_width(heading)]
    lines.append(" " * name_width + "  " + "  ".join(_round_headers(result, cell)))
    for candidate in result.candidates:
        cells = [
            f"{round_half_up(r.totals[candidate], places):>{cell}.{places}f}"
            if candidate in r.totals
            else f"{'-':>{cell}}"
            for r in result.rounds
        ]
        lines.append(pad(candidate, name_width) + "  " + "  ".join(cells))
    lines.append(
        f"{'Total in play':<{name_width}}  "
        + "  ".join(f"{round_half_up(r.in_play, places):>{cell}.{places}f}" for r in result.rounds)
    )
    return lines


def _pooled_table(result: CountResult, heading: str, places: int) -> list[str]:
    name_width = max(len("Exhausted ballots"), *(display_width(c) for c in result.candidates))
    votes_width = max(7, len(f"{sum(result.valid.values()):,}"))
    pct_width = places + 5
    cell = votes_width + 1 + pct_width
    lines = [heading, "-" * display_width(heading)]
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
        lines.append(pad(candidate, name_width) + "  " + "  ".join(cells))
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
