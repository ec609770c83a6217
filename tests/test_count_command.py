"""`factions count`: good ballot files give tables and JSON; bad ones a clear error.

The command is driven through an argparse parser built with `add_count_parser`,
as the `factions` CLI builds it, and once as `python -m model.cli.count`.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import types
from fractions import Fraction
from pathlib import Path

import pytest

from model.cli.count import add_count_parser
from model.counting.ballot_files import BallotFileError, read_ballots_csv
from model.counting.count import CountResult, count_ballots

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_2010 = ROOT / "experiments" / "examples" / "ballots_2010.csv"
THIRDS = "mps_meps=1/3,members=1/3,affiliates=1/3"

OMOV_FILE = """\
section,count,ranking
members,40,Keir Starmer>Lisa Nandy
members,25,Rebecca Long-Bailey>Lisa Nandy
members,20,Lisa Nandy>Keir Starmer
supporters,5,Rebecca Long-Bailey
supporters,10,Lisa Nandy>Rebecca Long-Bailey
"""


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="factions")
    add_count_parser(top.add_subparsers(dest="command", required=True))
    return top


def run(capsys, *argv: str) -> tuple[int, str, str]:
    args = parser().parse_args(["count", *map(str, argv)])
    status = args.func(args)
    out, err = capsys.readouterr()
    return status, out, err


def write(tmp_path: Path, text: str, name: str = "ballots.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --------------------------------------------------------------------------- good input


def test_omov_text_table(tmp_path, capsys):
    status, out, err = run(capsys, write(tmp_path, OMOV_FILE))
    assert (status, err) == (0, "")
    assert "one member, one vote" in out
    assert "Section: members (85 valid ballots)" in out
    assert "Section: supporters (15 valid ballots)" in out
    assert "All sections together (100 valid ballots)" in out
    # Round 1: Starmer 40, Long-Bailey 30, Nandy 30 of 100: a tie for last in round 1,
    # where first preferences are the tied totals themselves, so it goes to lot.
    pooled = out[out.index("All sections together") :].splitlines()
    assert pooled[4].split() == ["Keir", "Starmer", "40", "40.000", "40", "42.105"] or pooled[
        4
    ].split() == ["Keir", "Starmer", "40", "40.000", "60", "60.000"]
    assert "Tie in round 1 between Lisa Nandy, Rebecca Long-Bailey -> lot: drawn " in out
    if "Round 1: Rebecca Long-Bailey eliminated (tie broken by lot)" in out:
        # Her 5 supporters' ballots exhaust, the members' 25 go to Nandy: 55 of 95.
        assert "Winner: Lisa Nandy, elected with 57.895% in round 2" in out
        assert pooled[7].split() == ["Exhausted", "ballots", "0", "5"]
    else:
        assert "Round 1: Lisa Nandy eliminated (tie broken by lot)" in out
        assert "Winner: Keir Starmer, elected with 60.000% in round 2" in out
    assert out.rstrip().endswith("(seed 0)")


def test_json_is_the_full_record_and_matches_the_library(tmp_path, capsys):
    path = write(tmp_path, OMOV_FILE)
    status, out, err = run(capsys, path, "--json", "--seed", "4")
    assert (status, err) == (0, "")
    record = json.loads(out)
    expected = count_ballots(read_ballots_csv(path), rng=4)
    assert record == expected.to_dict()
    assert CountResult.from_dict(record) == expected
    assert record["method"] == "omov" and record["seed"] == 4
    assert record["tie_policy"] == expected.tie_policy
    assert record["rounds"][0]["votes"]["supporters"] == {
        "Keir Starmer": 0,
        "Rebecca Long-Bailey": 5,
        "Lisa Nandy": 10,
    }


def test_seed_decides_a_lot_and_is_recorded(tmp_path, capsys):
    path = write(tmp_path, OMOV_FILE)
    eliminated = set()
    for seed in range(12):
        status, out, _ = run(capsys, path, "--json", "--seed", str(seed))
        assert status == 0
        record = json.loads(out)
        (tie,) = [t for t in record["tie_breaks"] if t["round"] == 1]
        assert tie["decided_by"] == "lot"
        eliminated.add(tie["eliminated"])
    assert eliminated == {"Rebecca Long-Bailey", "Lisa Nandy"}


def test_college_on_the_2010_example(capsys):
    status, out, err = run(capsys, EXAMPLE_2010, "--sections", THIRDS)
    assert (status, err) == (0, "")
    assert "electoral college (mps_meps 1/3, members 1/3, affiliates 1/3)" in out
    assert "Weighted totals (percentage points)" in out
    assert "Round 1: Diane Abbott eliminated (lowest total)" in out
    assert "Round 3: Ed Balls eliminated (lowest total)" in out
    assert out.rstrip().splitlines()[-1].startswith("Winner: Ed Miliband, elected with 50.65")
    status, out, _ = run(capsys, EXAMPLE_2010, "--sections", THIRDS, "--json")
    record = json.loads(out)
    assert record["weights"] == dict.fromkeys(("mps_meps", "members", "affiliates"), "1/3")
    final = record["rounds"][-1]
    assert round(final["totals_pct"]["Ed Miliband"], 2) == 50.65
    assert sum(final["percentages"]["affiliates"].values()) == pytest.approx(100)


def test_candidates_option_sets_the_order_and_adds_unranked_candidates(tmp_path, capsys):
    path = write(tmp_path, OMOV_FILE)
    names = "Lisa Nandy,Keir Starmer,Rebecca Long-Bailey,Emily Thornberry"
    status, out, _ = run(capsys, path, "--candidates", names, "--json")
    assert status == 0
    record = json.loads(out)
    assert record["candidates"] == names.split(",")
    assert record["rounds"][0]["total_votes"]["Emily Thornberry"] == 0
    assert record["rounds"][0]["eliminated"] == "Emily Thornberry"


def test_file_without_section_or_count_columns(tmp_path, capsys):
    path = write(tmp_path, "ranking\nA>B\nB\nA\n\nC>B\n")
    status, out, err = run(capsys, path)
    assert (status, err) == (0, "")
    assert "Result (4 valid ballots)" in out
    assert "Section:" not in out  # a single section needs no breakdown


def test_rules_preset_college_and_omov(capsys):
    pytest.importorskip(
        "model.rules.presets"
    )  # written alongside; the fake below covers the interface
    status, out, err = run(capsys, EXAMPLE_2010, "--rules", "labour_2010", "--json")
    assert (status, err) == (0, "")
    assert json.loads(out)["weights"] == dict.fromkeys(("mps_meps", "members", "affiliates"), "1/3")
    status, out, err = run(capsys, EXAMPLE_2010, "--rules", "labour_2014", "--json")
    assert status == 0
    assert json.loads(out)["method"] == "omov"
    # The file's sections pool under OMOV: said on stderr, not silently.
    assert err == (
        f"note: {EXAMPLE_2010}: OMOV (labour_2014): the section column "
        "(mps_meps, members, affiliates) is reported but does not weigh votes\n"
    )
    status, _, err = run(capsys, EXAMPLE_2010, "--rules", "no_such_preset")
    assert status == 2
    assert err.startswith("error: --rules: ") and "no_such_preset" in err


def test_rules_interface_with_a_stand_in_presets_module(monkeypatch, capsys):
    def leadership(electorate, sections):
        return types.SimpleNamespace(
            leadership=types.SimpleNamespace(electorate=electorate, college_sections=sections)
        )

    presets = {
        "thirds_as_floats": leadership(
            "college", {"mps_meps": 1 / 3, "members": 1 / 3, "affiliates": 1 / 3}
        ),
        "thirds_as_text": leadership(
            "college", {"mps_meps": "1/3", "members": "1/3", "affiliates": "1/3"}
        ),
        "lopsided": leadership("college", {"mps_meps": 0.5, "members": 0.25, "affiliates": 0.2}),
        "omov": leadership("omov", {}),
    }

    def get_preset(name):
        if name not in presets:
            raise ValueError(f"unknown rules preset {name!r}")
        return presets[name]

    monkeypatch.setitem(
        sys.modules, "model.rules.presets", types.SimpleNamespace(get_preset=get_preset)
    )
    outputs = {}
    for name in ("thirds_as_floats", "thirds_as_text"):
        status, out, err = run(capsys, EXAMPLE_2010, "--rules", name, "--json")
        assert (status, err) == (0, "")
        outputs[name] = json.loads(out)
    assert outputs["thirds_as_floats"] == outputs["thirds_as_text"]
    status, _, err = run(capsys, EXAMPLE_2010, "--rules", "lopsided")
    assert status == 2 and "sum to 1" in err and "--rules lopsided" in err
    status, out, _ = run(capsys, EXAMPLE_2010, "--rules", "omov", "--json")
    assert json.loads(out)["method"] == "omov"


def test_module_entry_point(tmp_path):
    good = subprocess.run(
        [sys.executable, "-m", "model.cli.count", str(EXAMPLE_2010), "--sections", THIRDS],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert good.returncode == 0, good.stderr
    assert "Winner: Ed Miliband" in good.stdout
    bad_file = write(tmp_path, "section,count,ranking\nmembers,1.5,A>B\n")
    bad = subprocess.run(
        [sys.executable, "-m", "model.cli.count", str(bad_file)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert bad.returncode == 2
    assert bad.stderr == f"error: {bad_file}:2: the count '1.5' is not a whole number\n"


# --------------------------------------------------------------------------- bad input


BAD_FILES = [
    pytest.param(
        "section,count,ranking\nmembers,2,A>B\nmembers,1,A>Zed\n",
        ["--candidates", "A,B"],
        3,
        "unknown candidate 'Zed'",
        id="unknown-candidate",
    ),
    pytest.param(
        "ranking\nA>B\nB>A>B\n", [], 3, "candidate 'B' appears twice", id="candidate-twice"
    ),
    pytest.param("count,ranking\n1,A\n4,\n", [], 3, "the ranking is empty", id="empty-ranking"),
    pytest.param(
        "count,ranking\n1,A\n1,A>>B\n", [], 3, "preference 2 of the ranking", id="empty-preference"
    ),
    pytest.param(
        "count,ranking\n1.5,A>B\n", [], 2, "the count '1.5' is not a whole number", id="fraction"
    ),
    pytest.param("count,ranking\nten,A\n", [], 2, "'ten' is not a whole number", id="word"),
    pytest.param("count,ranking\n3,A\n-2,B\n", [], 3, "the count '-2' is negative", id="negative"),
    pytest.param("count,ranking\n,A\n", [], 2, "the count is empty", id="empty-count"),
    pytest.param(
        "section,count,ranking\nmps_meps,1,A\nunions,2,B\n",
        ["--sections", "mps_meps=1/2,members=1/2"],
        3,
        "unknown section 'unions'",
        id="unknown-section",
    ),
    pytest.param(
        "section,ranking\nmembers,A\n,B\n", [], 3, "the section is empty", id="empty-section"
    ),
    pytest.param(
        "section,count,ranking\nmembers,1,A,B\n",
        [],
        2,
        "expected 3 fields (section,count,ranking), found 4",
        id="too-many-fields",
    ),
    pytest.param(
        'section,count,ranking\nmembers,1,"A>B\n', [], 2, "malformed CSV", id="open-quote"
    ),
    pytest.param('ranking\n"A"B\n', [], 2, "malformed CSV", id="stray-quote"),
    pytest.param("A>B\nB>A\n", [], 1, "unknown column 'a>b'", id="no-header"),
    pytest.param("votes,ranking\n1,A\n", [], 1, "unknown column 'votes'", id="bad-column"),
    pytest.param("section,count\nm,1\n", [], 1, "there is no 'ranking' column", id="no-ranking"),
    pytest.param("ranking,ranking\nA,B\n", [], 1, "column 'ranking' appears twice", id="dup-col"),
    pytest.param(
        "ranking\nA\n", ["--sections", "a=1"], 1, "file has no 'section' column", id="no-sections"
    ),
]


@pytest.mark.parametrize(("text", "options", "line", "problem"), BAD_FILES)
def test_bad_files_name_the_line_and_the_problem(tmp_path, capsys, text, options, line, problem):
    path = write(tmp_path, text)
    status, out, err = run(capsys, path, *options)
    assert status == 2
    assert out == ""
    assert err.startswith(f"error: {path}:{line}: "), err
    assert problem in err
    assert err.count("\n") == 1 and "Traceback" not in err


WHOLE_FILE_PROBLEMS = [
    pytest.param("", [], "is empty", id="empty-file"),
    pytest.param("section,count,ranking\n", [], "contains no ballots", id="header-only"),
    pytest.param("count,ranking\n0,A\n0,B\n", [], "every count is 0", id="all-zero"),
    pytest.param(
        "section,ranking\nmps,A\n",
        ["--sections", "mps=1/2,members=1/2"],
        "section 'members' has no ballots",
        id="section-without-ballots",
    ),
    pytest.param(
        "ranking\nA\n", ["--candidates", "A,B,A"], "'A' is declared twice", id="dup-declared"
    ),
]


@pytest.mark.parametrize(("text", "options", "problem"), WHOLE_FILE_PROBLEMS)
def test_whole_file_problems_name_the_file(tmp_path, capsys, text, options, problem):
    path = write(tmp_path, text)
    status, _, err = run(capsys, path, *options)
    assert status == 2
    assert err.startswith(f"error: {path}: ") and problem in err, err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("sections", "problem"),
    [
        ("mps_meps=1/3,members=1/3,affiliates=1/4", "weights must sum to 1, they sum to 11/12"),
        ("mps_meps=0.33,members=0.33,affiliates=0.33", "they sum to 99/100"),
        ("mps_meps=1/2,members", "expected NAME=WEIGHT, got 'members'"),
        ("mps_meps=half,members=1/2", "section 'mps_meps': weight must be a number"),
        ("a=1/2,a=1/2", "section 'a' is given twice"),
        ("a=3/2,b=-1/2", "must not be negative"),
    ],
)
def test_bad_section_weights(capsys, sections, problem):
    status, out, err = run(capsys, EXAMPLE_2010, "--sections", sections)
    assert (status, out) == (2, "")
    assert err.startswith("error: --sections: ") and problem in err, err


def test_missing_and_unreadable_files(tmp_path, capsys):
    status, _, err = run(capsys, tmp_path / "nowhere.csv")
    assert status == 2 and err == f"error: {tmp_path / 'nowhere.csv'}: no such file\n"
    status, _, err = run(capsys, tmp_path)
    assert status == 2 and "is a directory" in err
    latin = tmp_path / "latin1.csv"
    latin.write_bytes("ranking\nJos\xe9>Ana\n".encode("latin-1"))
    status, _, err = run(capsys, latin)
    assert status == 2 and "not UTF-8" in err


def test_reader_accepts_spaces_bom_and_quoted_names(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes(
        "\ufeffSection , Count , Ranking\r\n"
        'members, 3 ," Smith, Jo > Jones "\r\n'
        "members,2,Jones\r\n".encode()
    )
    profile = read_ballots_csv(path)
    assert profile.candidates == ("Smith, Jo", "Jones")
    assert profile.section_names == ("members",)
    assert profile.total == 5


def test_reader_merges_identical_rows_and_keeps_first_seen_order(tmp_path):
    path = write(tmp_path, "section,ranking\nb,Y>X\na,X\nb,Y>X\na,X>Y\n")
    profile = read_ballots_csv(path)
    assert profile.candidates == ("Y", "X")
    assert profile.section_names == ("b", "a")
    assert profile.counts.tolist() == [2, 1, 1]
    result = count_ballots(profile, weights={"a": Fraction(1, 2), "b": Fraction(1, 2)})
    assert result.valid == {"b": 2, "a": 2}


def test_ballot_file_error_carries_file_line_and_problem(tmp_path):
    path = write(tmp_path, "ranking\nA>A\n")
    with pytest.raises(BallotFileError) as caught:
        read_ballots_csv(path)
    assert (caught.value.file, caught.value.line) == (str(path), 2)
    assert caught.value.problem == "candidate 'A' appears twice in the ranking"
    assert isinstance(caught.value, ValueError)


def test_text_explains_a_section_whose_ballots_all_exhausted(tmp_path, capsys):
    path = write(
        tmp_path,
        "section,count,ranking\nmps,2,C\nmembers,50,A\nmembers,45,B\nmembers,5,D>A\n"
        "unions,40,A\nunions,50,B\nunions,10,D>B\n",
    )
    status, out, _ = run(capsys, path, "--sections", "mps=1/10,members=9/20,unions=9/20")
    assert status == 0
    in_play = next(line for line in out.splitlines() if line.startswith("Total in play"))
    assert in_play.split() == ["Total", "in", "play", "100.000", "100.000", "90.000"]
    assert out.rstrip().endswith(
        "Winner: B, elected with 47.250 of the 90.000 weighted points still in play in round 3"
    )
