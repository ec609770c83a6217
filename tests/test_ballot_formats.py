"""Ballot files in PrefLib and ABIF (and CSV): reading, writing, round trips, refusals.

The example files below are written by hand from the published format
descriptions (PrefLib's 2022 data format; ABIF's draft and v0.31 grammar), and
their expected ballots and counts are worked out by hand in the comments, so
that a reader bug cannot hide behind a writer bug. ``preflibtools`` (PrefLib's
own library) checks that our PrefLib files are PrefLib files, both ways.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from preflibtools.instances import OrdinalInstance

from model.counting import (
    BallotFileError,
    BallotProfile,
    ballot_groups,
    count_ballots,
    guess_format,
    read_abif,
    read_ballots,
    read_ballots_csv,
    read_preflib,
    write_abif,
    write_ballots,
    write_ballots_csv,
    write_preflib,
)
from model.counting.abif import _tokens

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_2010 = ROOT / "experiments" / "examples" / "ballots_2010.csv"

STARMER, RLB, NANDY, THORNBERRY = (
    "Keir Starmer",
    "Rebecca Long-Bailey",
    "Lisa Nandy",
    "Emily Thornberry",
)

# Twenty ballots, some truncated; Thornberry stands but nobody ranks her.
PREFLIB_SOI = """\
# FILE NAME: leader.soi
# TITLE: A truncated example
# DESCRIPTION: Written by hand for the tests
# DATA TYPE: soi
# MODIFICATION TYPE: synthetic
# NUMBER ALTERNATIVES: 4
# NUMBER VOTERS: 20
# NUMBER UNIQUE ORDERS: 4
# ALTERNATIVE NAME 1: Keir Starmer
# ALTERNATIVE NAME 2: Rebecca Long-Bailey
# ALTERNATIVE NAME 3: Lisa Nandy
# ALTERNATIVE NAME 4: Emily Thornberry
8: 1,3
7: 2
3: 3,2
2: 3
"""

# The same ballots as ABIF, using most of what the format allows.
ABIF_SAME = """\
# The same twenty ballots as PREFLIB_SOI
{"title": "A truncated example"}
{version: "0.1"}
=Keir:[Keir Starmer]
=RLB:[Rebecca Long-Bailey]   # a comment after a declaration
Lisa:[Lisa Nandy]
=Emily:[Emily Thornberry]

8: Keir > Lisa
5:RLB
2:RLB/5
3:[Lisa Nandy]/4>"RLB"/2
2:Lisa
"""

EXPECTED_GROUPS = {
    ("all", (STARMER, NANDY)): 8,
    ("all", (RLB,)): 7,
    ("all", (NANDY, RLB)): 3,
    ("all", (NANDY,)): 2,
}


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --------------------------------------------------------------------------- reading


def test_preflib_file_reads_as_written(tmp_path):
    ballots = read_preflib(write(tmp_path, "leader.soi", PREFLIB_SOI))
    assert ballots.format == "preflib"
    assert ballots.profile.candidates == (STARMER, RLB, NANDY, THORNBERRY)
    assert ballot_groups(ballots.profile) == EXPECTED_GROUPS
    assert ballots.title == "A truncated example"
    assert ballots.notes == ()


def test_abif_file_reads_as_the_same_ballots(tmp_path):
    preflib = read_preflib(write(tmp_path, "leader.soi", PREFLIB_SOI))
    ballots = read_abif(write(tmp_path, "leader.abif", ABIF_SAME))
    assert ballots.profile.same_ballots(preflib.profile)
    assert ballots.title == "A truncated example"
    assert ballots.notes == (
        "ratings ('/N') on 2 line(s) are ignored: the count follows the order given by '>'",
    )


def test_truncated_ballots_count_as_worked_by_hand(tmp_path):
    result = count_ballots(read_preflib(write(tmp_path, "leader.soi", PREFLIB_SOI)).profile)
    # Round 1: Starmer 8, Long-Bailey 7, Nandy 5, Thornberry 0 -> Thornberry out (no ballot moves).
    # Round 2: 8, 7, 5 -> Nandy out: 3 of her ballots go on to Long-Bailey, 2 end with her.
    # Round 3: Long-Bailey 10 of the 18 still in play (55.6%) beats Starmer's 8.
    assert result.elimination_order == [THORNBERRY, NANDY]
    assert [r.total_votes for r in result.rounds] == [
        {STARMER: 8, RLB: 7, NANDY: 5, THORNBERRY: 0},
        {STARMER: 8, RLB: 7, NANDY: 5},
        {STARMER: 8, RLB: 10},
    ]
    assert result.final_round.exhausted == {"all": 2}
    assert result.winner == RLB and result.winner_reason == "majority"


def test_abif_without_declarations_takes_names_from_the_ballots(tmp_path):
    text = (
        "3:[Smith, Jo]>[A > B]>Ray\n"
        "2:Ray>[C = D #1]   # '>', ',', '=' and '#' are plain text in brackets\n"
        "1:[蘇業]\n"
        '4:"Smith, Jo"\n'
    )
    ballots = read_abif(write(tmp_path, "names.abif", text))
    assert ballots.profile.candidates == ("Smith, Jo", "A > B", "Ray", "C = D #1", "蘇業")
    assert ballot_groups(ballots.profile) == {
        ("all", ("Smith, Jo", "A > B", "Ray")): 3,
        ("all", ("Ray", "C = D #1")): 2,
        ("all", ("蘇業",)): 1,
        ("all", ("Smith, Jo",)): 4,
    }


def test_blank_abif_ballots_are_left_out_with_a_note(tmp_path):
    ballots = read_abif(write(tmp_path, "blank.abif", "500:\n3:A>B\n2:B\n"))
    assert ballots.profile.total == 5
    assert ballots.notes == (
        "500 blank ballot(s) on 1 line(s) (first on line 1) have no single first "
        "preference (none, or a tie); they are not valid votes and are left out",
    )


TOC = """\
# DATA TYPE: toc
# NUMBER ALTERNATIVES: 3
# NUMBER VOTERS: 13
# NUMBER UNIQUE ORDERS: 3
# ALTERNATIVE NAME 1: A
# ALTERNATIVE NAME 2: B
# ALTERNATIVE NAME 3: C
6: 1,{2,3}
4: 2,1,3
3: {1,2},3
"""


def test_ties_are_refused_by_default_naming_the_line(tmp_path):
    path = write(tmp_path, "ties.toc", TOC)
    with pytest.raises(BallotFileError) as caught:
        read_preflib(path)
    assert (caught.value.file, caught.value.line) == (str(path), 8)
    assert caught.value.problem.startswith("preference 2 ranks 'B', 'C' equally")
    assert "--ties truncate" in caught.value.problem


def test_ties_truncate_counts_up_to_the_first_tie(tmp_path):
    # 6: A then a tie -> just A. 4: untied. 3: tied at first preference -> blank, left out.
    ballots = read_preflib(write(tmp_path, "ties.toc", TOC), ties="truncate")
    assert ballot_groups(ballots.profile) == {("all", ("A",)): 6, ("all", ("B", "A", "C")): 4}
    assert ballots.notes == (
        "9 ballot(s) on 2 line(s) rank candidates equally (first on line 8) and are counted "
        "up to their first tie",
        "3 blank ballot(s) on 1 line(s) (first on line 10) have no single first "
        "preference (none, or a tie); they are not valid votes and are left out",
    )
    abif = read_abif(write(tmp_path, "ties.abif", "6:A>B=C\n4:B>A>C\n3:A,B>C\n"), ties="truncate")
    assert abif.profile.same_ballots(ballots.profile)
    assert [n.split(" (")[0] for n in abif.notes] == [n.split(" (")[0] for n in ballots.notes]


# --------------------------------------------------------------------------- round trips


CSV_TRUNCATED = """\
count,ranking
5,"Smith, Jo>蘇業>Zoë Doña"
3,蘇業
4,"Zoë Doña>Smith, Jo"
1,"Smith, Jo"
"""


@pytest.mark.parametrize("preflib_ext", [".soi", ".toi"])
def test_csv_to_preflib_to_abif_to_csv_keeps_the_ballots(tmp_path, preflib_ext):
    original = read_ballots_csv(write(tmp_path, "start.csv", CSV_TRUNCATED))
    assert original.total == 13
    step = original
    for name in (f"a{preflib_ext}", "b.abif", "c.csv"):
        path = tmp_path / name
        write_ballots(step, path, title="round trip")
        step = read_ballots(path).profile
        assert step.same_ballots(original), name
    assert count_ballots(step).to_dict() == count_ballots(original).to_dict()


def test_csv_round_trip_keeps_sections_order_and_unranked_candidates(tmp_path):
    original = read_ballots_csv(EXAMPLE_2010).with_candidates(
        ["Ed Balls", "David Miliband", "Ed Miliband", "Andy Burnham", "Diane Abbott", "Nobody"]
    )
    path = tmp_path / "copy.csv"
    write_ballots_csv(original, path)
    back = read_ballots_csv(path)
    assert back.same_ballots(original)
    assert back.section_names == ("mps_meps", "members", "affiliates")
    assert path.read_text(encoding="utf-8").splitlines()[1] == (
        "mps_meps,0,Ed Balls>David Miliband>Ed Miliband>Andy Burnham>Diane Abbott>Nobody"
    )
    weights = dict.fromkeys(original.section_names, "1/3")
    assert count_ballots(back, weights=weights) == count_ballots(original, weights=weights)


def test_our_preflib_files_are_preflib_files(tmp_path):
    profile = read_preflib(write(tmp_path, "leader.soi", PREFLIB_SOI)).profile
    path = tmp_path / "ours.soi"
    assert write_preflib(profile, path, title="Ours") == "soi"
    theirs = OrdinalInstance(str(path))
    assert theirs.data_type == "soi" and theirs.title == "Ours"
    assert theirs.num_voters == 20 and theirs.num_unique_orders == 4
    assert theirs.alternatives_name == {1: STARMER, 2: RLB, 3: NANDY, 4: THORNBERRY}
    assert theirs.vote_map() == {((1,), (3,)): 8, ((2,),): 7, ((3,), (2,)): 3, ((3,),): 2}


def test_preflibtools_files_read_back(tmp_path):
    theirs = OrdinalInstance()
    theirs.append_order_list([((2,), (1,), (3,)), ((3,), (1,)), ((3,), (1,)), ((1,),)])
    theirs.alternatives_name = {1: "Smith, Jo", 2: "A > B", 3: "蘇業"}
    theirs.num_alternatives = 3
    theirs.data_type = "soi"
    path = tmp_path / "theirs.soi"
    theirs.write(str(path))
    ours = read_preflib(path).profile
    assert ours.candidates == ("Smith, Jo", "A > B", "蘇業")
    assert ballot_groups(ours) == {
        ("all", ("A > B", "Smith, Jo", "蘇業")): 1,
        ("all", ("蘇業", "Smith, Jo")): 2,
        ("all", ("Smith, Jo",)): 1,
    }


def test_preflib_data_type_follows_the_ballots_or_the_extension(tmp_path):
    complete = BallotProfile.from_named(("A", "B"), [("A", "B"), ("B", "A")], [2, 1])
    assert write_preflib(complete, tmp_path / "x.txt") == "soc"
    assert write_preflib(complete, tmp_path / "x.toc") == "toc"
    truncated = BallotProfile.from_named(("A", "B"), [("A",), ("B", "A")], [2, 1])
    assert write_preflib(truncated, tmp_path / "y.txt") == "soi"
    with pytest.raises(BallotFileError, match=r"cannot write \.soc .*write \.soi or \.toi"):
        write_preflib(truncated, tmp_path / "y.soc")


def test_abif_tokens_are_bare_unique_and_start_with_a_letter():
    names = ("Ed Balls", "EdBalls", "蘇業", "2nd choice", "Zoë Doña", "Write-in")
    tokens = _tokens(names)
    assert tokens == {
        "Ed Balls": "EdBalls_2",
        "EdBalls": "EdBalls",
        "蘇業": "C",
        "2nd choice": "C2ndChoice",
        "Zoë Doña": "ZoeDona",
        "Write-in": "Write-in",
    }


# --------------------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    ("writer", "names", "problem"),
    [
        (write_ballots_csv, ("A>B", "C"), "holds '>', which CSV uses for its own syntax"),
        (write_abif, ("A]", "C"), "holds ']', which ABIF uses for its own syntax"),
        (write_preflib, (" A", "C"), "starts or ends with a space"),
        (write_abif, ("A\nB", "C"), "holds a control character"),
    ],
)
def test_writers_refuse_names_they_cannot_give_back(tmp_path, writer, names, problem):
    profile = BallotProfile.from_named(names, [names], [1])
    path = tmp_path / "out.any"
    with pytest.raises(BallotFileError) as caught:
        writer(profile, path)
    assert caught.value.file == str(path) and problem in caught.value.problem
    assert not path.exists()


@pytest.mark.parametrize("ext", [".soi", ".abif"])
def test_one_pool_formats_refuse_sections(tmp_path, ext):
    profile = read_ballots_csv(EXAMPLE_2010)
    with pytest.raises(BallotFileError, match="cannot write 3 sections .* write CSV to keep"):
        write_ballots(profile, tmp_path / f"out{ext}")


def test_formats_are_guessed_from_extensions():
    assert [guess_format(f"x{e}") for e in (".csv", ".SOC", ".soi", ".toc", ".toi", ".abif")] == [
        "csv",
        "preflib",
        "preflib",
        "preflib",
        "preflib",
        "abif",
    ]
    assert guess_format("x.txt") is None


# --------------------------------------------------------------------------- properties

ROUND_TRIP = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))

# Names as people write them: letters of many scripts, digits, spaces and punctuation,
# never starting or ending with a space (every format strips those).
_CHARS = st.characters(
    categories=("L", "M", "N", "P", "S", "Zs"), exclude_characters="\x85\xa0\u2028\u2029"
)


def names(forbidden: str = "") -> st.SearchStrategy[str]:
    return (
        st.text(_CHARS.filter(lambda ch: ch not in forbidden), min_size=1, max_size=12)
        .map(str.strip)
        .filter(lambda name: name and name == name.strip())
    )


@st.composite
def profiles(draw, forbidden: str = "") -> BallotProfile:
    candidates = draw(st.lists(names(forbidden), min_size=1, max_size=5, unique=True))
    n = len(candidates)
    rankings = draw(
        st.lists(
            st.permutations(candidates).flatmap(
                lambda order: st.integers(1, n).map(lambda k, order=order: tuple(order[:k]))
            ),
            min_size=1,
            max_size=8,
        )
    )
    counts = draw(st.lists(st.integers(1, 50), min_size=len(rankings), max_size=len(rankings)))
    return BallotProfile.from_named(candidates, rankings, counts)


@ROUND_TRIP
@given(profile=profiles(forbidden=">"))
def test_any_profile_survives_csv(tmp_path_factory, profile):
    path = tmp_path_factory.mktemp("csv") / "p.csv"
    write_ballots_csv(profile, path)
    assert read_ballots_csv(path).same_ballots(profile)


@ROUND_TRIP
@given(profile=profiles())
def test_any_profile_survives_preflib(tmp_path_factory, profile):
    path = tmp_path_factory.mktemp("preflib") / "p.soi"
    write_preflib(profile, path)
    assert read_preflib(path).profile.same_ballots(profile)


@ROUND_TRIP
@given(
    profile=profiles(forbidden="]"),
    title=st.one_of(st.just('a "title # with" [brackets] and \\ "'), st.text(max_size=20)),
)
def test_any_profile_and_title_survive_abif(tmp_path_factory, profile, title):
    path = tmp_path_factory.mktemp("abif") / "p.abif"
    write_abif(profile, path, title=title)
    back = read_abif(path)
    assert back.profile.same_ballots(profile)
    assert back.title == tidy(title)


@ROUND_TRIP
@given(title=st.text(max_size=20))
def test_any_title_survives_preflib_tidied(tmp_path_factory, title):
    path = tmp_path_factory.mktemp("preflib") / "p.soi"
    write_preflib(BallotProfile.from_named(("A",), [("A",)], [1]), path, title=title)
    assert read_preflib(path).title == tidy(title)


def tidy(title: str) -> str | None:
    """A title as a one-line header holds it: control characters and runs of space made one space."""
    text = "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in title)
    return " ".join(text.split()) or None


@ROUND_TRIP
@given(
    profile=profiles(forbidden=">]"),
    chain=st.permutations(["x.csv", "x.soi", "x.toi", "x.abif"]),
)
def test_any_chain_of_conversions_keeps_the_ballots(tmp_path_factory, profile, chain):
    folder = tmp_path_factory.mktemp("chain")
    step = profile
    for name in chain:
        write_ballots(step, folder / name)
        step = read_ballots(folder / name).profile
    assert step.same_ballots(profile)


# Lines of both formats' headers, and pieces of ballot lines, so that random files
# are often nearly right and reach deep into the readers.
_HEADER_LINES = [
    "# ALTERNATIVE NAME 1: A",
    "# ALTERNATIVE NAME 2: B",
    "# ALTERNATIVE NAME 3: A",
    "# NUMBER ALTERNATIVES: 2",
    "# NUMBER VOTERS: 3",
    "# NUMBER UNIQUE ORDERS: 1",
    "# DATA TYPE: soc",
    "# DATA TYPE: toi",
    "=A:[Ann]",
    "=B:[Bob]",
    '{title: "x"}',
    "",
]
_BALLOT_PIECES = [*"0123:,{}>=#", "1:", "2: ", "/5", "[A B]", '"A"', "A", "B", "蘇", "*", "-", "."]


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    header=st.lists(st.sampled_from(_HEADER_LINES), max_size=8),
    ballots=st.lists(
        st.lists(st.sampled_from(_BALLOT_PIECES), max_size=8).map("".join), max_size=6
    ),
    noise=st.text(st.characters(codec="utf-8"), max_size=3),
    ties=st.sampled_from(["refuse", "truncate"]),
)
def test_readers_fail_only_with_a_ballot_file_error(tmp_path_factory, header, ballots, noise, ties):
    folder = tmp_path_factory.mktemp("fuzz")
    text = "\n".join([*header, *ballots]) + noise
    for name, reader in (("f.toi", read_preflib), ("f.abif", read_abif)):
        path = folder / name
        path.write_text(text, encoding="utf-8")
        try:
            ballots_read = reader(path, ties=ties)
        except BallotFileError as err:
            assert err.file == str(path) and err.problem
            assert err.line is None or 1 <= err.line <= text.count("\n") + 1
        else:
            assert ballots_read.profile.total > 0
