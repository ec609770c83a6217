"""The round-by-round tables: columns line up whatever script the names are in.

A terminal gives a CJK character two columns and a combining accent none, so
the tables pad names by display width. ``wcwidth`` (what terminal programs use)
is the reference for that width.
"""

from __future__ import annotations

import unicodedata

import pytest
import wcwidth
from hypothesis import given, settings
from hypothesis import strategies as st

from model.counting import BallotProfile, count_ballots, format_result
from model.counting.announce import OMOV_SECTIONS_NOTE, display_width, pad

CJK = "蘇業"
NAMES = (
    CJK,
    "Keir Starmer",
    "Zoe\u0308 Don\u0303a",
    "ＬＩＳＡ",
    "이재명",
)  # combining marks; full width


def numbers_column(line: str, name: str) -> int:
    """The display column where the first number after ``name`` ends."""
    rest = line[len(name) :]
    stripped = rest.lstrip()
    first = stripped.split()[0]
    return display_width(name) + (len(rest) - len(stripped)) + len(first)


@pytest.mark.parametrize("sections", [False, True])
def test_numbers_line_up_after_wide_and_combining_names(sections):
    rankings = [(CJK, "Keir Starmer"), ("Keir Starmer",), (NAMES[2], CJK), (NAMES[3],), (NAMES[4],)]
    counts = [40, 30, 20, 6, 4]
    if sections:
        profile = BallotProfile.from_named(
            NAMES, rankings, counts, sections=["members", "supporters", "members", "其他", "其他"]
        )
        weights = {"members": "1/2", "supporters": "1/4", "其他": "1/4"}
    else:
        profile, weights = BallotProfile.from_named(NAMES, rankings, counts), None
    text = format_result(count_ballots(profile, weights=weights))
    tables = [block.splitlines() for block in text.split("\n\n")]
    tables = [t for t in tables if any(line.startswith(NAMES) for line in t)]
    assert len(tables) == (4 if sections else 1)
    for table in tables:
        rows = [line for line in table if line.startswith(NAMES)]
        assert len(rows) == len(NAMES)
        columns = {numbers_column(row, next(n for n in NAMES if row.startswith(n))) for row in rows}
        assert len(columns) == 1, "\n".join(table)
    # Underlines are as wide as what they underline, even when a section name is CJK.
    lines = text.splitlines()
    for above, rule in zip(lines, lines[1:], strict=False):
        if rule and set(rule) <= {"-", "="}:
            assert len(rule) == display_width(above), (above, rule)


def test_len_would_not_line_them_up():
    # The test above fails with len(): these names' widths differ from their lengths.
    assert [len(n) for n in NAMES] != [display_width(n) for n in NAMES]
    assert display_width(CJK) == 4 and display_width(NAMES[2]) == 8


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        st.sampled_from(
            "aZ09 -,.é"  # ASCII and a precomposed accent
            "\u0301\u0308\u0303"  # combining marks
            "蘇業中文かなカナ한국"  # CJK, kana, Hangul syllables
            "ＡＢ１"  # full-width forms
            "\u200b"  # zero-width space
        ),
        max_size=20,
    )
)
def test_display_width_agrees_with_wcwidth(text):
    text = unicodedata.normalize("NFC", text) if text[:1] != "\u0301" else text
    assert display_width(text) == wcwidth.wcswidth(text)


def test_pad_fills_to_a_display_width():
    assert pad(CJK, 6) == CJK + "  "
    assert pad(CJK, 6, ">") == "  " + CJK
    assert pad("toolong", 3) == "toolong"


def test_omov_with_sections_says_the_sections_do_not_weigh_votes():
    profile = BallotProfile.from_named(
        ("A", "B"), [("A",), ("B",), ("B",)], [5, 3, 3], sections=["m", "s", "m"]
    )
    text = format_result(count_ballots(profile))
    assert text.splitlines()[3] == f"{OMOV_SECTIONS_NOTE}; every ballot counts the same."
    college = format_result(count_ballots(profile, weights={"m": "1/2", "s": "1/2"}))
    assert OMOV_SECTIONS_NOTE not in college
    single = format_result(count_ballots(BallotProfile.from_named(("A", "B"), [("A",)], [1])))
    assert OMOV_SECTIONS_NOTE not in single
