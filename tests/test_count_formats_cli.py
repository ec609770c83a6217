"""`factions count` on PrefLib and ABIF files: formats, conversion, ties, and bad input.

Every malformed file must give exit status 2 and one line on stderr naming the
file, the line (when there is one) and what is wrong or allowed, never a
traceback.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import pytest

from model.cli.count import add_count_parser
from model.counting import read_ballots, read_ballots_csv

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_2010 = ROOT / "experiments" / "examples" / "ballots_2010.csv"

HEADER = """\
# DATA TYPE: {kind}
# NUMBER ALTERNATIVES: 3
# NUMBER VOTERS: {voters}
# NUMBER UNIQUE ORDERS: {orders}
# ALTERNATIVE NAME 1: Andy Burnham
# ALTERNATIVE NAME 2: Yvette Cooper
# ALTERNATIVE NAME 3: Liz Kendall
"""

# 2015-like: Burnham 9, Cooper 7, Kendall 4; Kendall's 3 + 1 go to Cooper and Burnham.
SOI = HEADER.format(kind="soi", voters=20, orders=4) + "9: 1\n7: 2,1\n3: 3,2\n1: 3,1\n"


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="factions")
    add_count_parser(top.add_subparsers(dest="command", required=True))
    return top


def run(capsys, *argv) -> tuple[int, str, str]:
    args = parser().parse_args(["count", *map(str, argv)])
    status = args.func(args)
    out, err = capsys.readouterr()
    return status, out, err


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --------------------------------------------------------------------------- good input


def test_preflib_file_is_counted(tmp_path, capsys):
    status, out, err = run(capsys, write(tmp_path, "2015.soi", SOI), "--json")
    assert (status, err) == (0, "")
    record = json.loads(out)
    assert record["rounds"][0]["total_votes"] == {
        "Andy Burnham": 9,
        "Yvette Cooper": 7,
        "Liz Kendall": 4,
    }
    assert record["rounds"][1]["total_votes"] == {"Andy Burnham": 10, "Yvette Cooper": 10}
    # A tie for the lead in the final round is a tie for last: Cooper had fewer
    # first preferences, so she goes and Burnham is the only continuing candidate.
    assert record["tie_breaks"][0]["decided_by"] == "first preferences"
    assert record["winner"] == "Andy Burnham"


def test_abif_file_is_counted_and_format_can_be_forced(tmp_path, capsys):
    abif = "=A:[Andy Burnham]\n=Y:[Yvette Cooper]\n=L:[Liz Kendall]\n9:A\n8:Y>A\n4:L>Y\n"
    path = write(tmp_path, "2015.txt", abif)  # an extension that says nothing
    status, _, err = run(capsys, path)
    assert status == 2 and "unknown column" in err  # read as CSV, as before, with a hint:
    assert err.endswith(
        "(is this a PrefLib or ABIF file? name its format with --format preflib or --format abif)\n"
    )
    status, out, err = run(capsys, path, "--format", "abif", "--json")
    assert (status, err) == (0, "")
    assert json.loads(out)["winner"] == "Yvette Cooper"


def test_ties_truncate_prints_notes_on_stderr(tmp_path, capsys):
    text = HEADER.format(kind="toi", voters=12, orders=3) + "5: 1,{2,3}\n4: 2,3\n3: {1,3}\n"
    path = write(tmp_path, "tied.toi", text)
    status, out, err = run(capsys, path)
    assert (status, out) == (2, "")
    assert err.startswith(f"error: {path}:8: preference 2 ranks 'Yvette Cooper', 'Liz Kendall'")
    status, out, err = run(capsys, path, "--ties", "truncate", "--json")
    assert status == 0
    assert err.splitlines() == [
        f"note: {path}: 8 ballot(s) on 2 line(s) rank candidates equally (first on line 8) "
        "and are counted up to their first tie",
        f"note: {path}: 3 blank ballot(s) on 1 line(s) (first on line 10) have no single first "
        "preference (none, or a tie); they are not valid votes and are left out",
    ]
    assert json.loads(out)["valid"] == {"all": 9}


def test_write_converts_and_still_counts(tmp_path, capsys):
    source = write(tmp_path, "2015.soi", SOI)
    target = tmp_path / "2015.abif"
    status, out, err = run(capsys, source, "--write", target)
    assert status == 0
    assert err == f"note: wrote 20 ballots (4 distinct rankings) to {target} as abif\n"
    assert "Winner: Andy Burnham" in out
    assert read_ballots(target).profile.same_ballots(read_ballots(source).profile)
    # and back again through CSV, with the format named instead of guessed
    csv_path = tmp_path / "2015.data"
    status, _, err = run(capsys, target, "--write", csv_path, "--write-format", "csv")
    assert status == 0 and err.endswith(f"to {csv_path} as csv\n")
    assert read_ballots_csv(csv_path).same_ballots(read_ballots(source).profile)


def test_candidates_option_on_a_preflib_file(tmp_path, capsys):
    path = write(tmp_path, "2015.soi", SOI)
    order = "Liz Kendall,Yvette Cooper,Andy Burnham,Mary Creagh"
    status, out, _ = run(capsys, path, "--candidates", order, "--json")
    assert status == 0
    record = json.loads(out)
    assert record["candidates"] == order.split(",")
    assert record["rounds"][0]["eliminated"] == "Mary Creagh"
    status, _, err = run(capsys, path, "--candidates", "Liz Kendall,Yvette Cooper")
    assert status == 2
    assert (
        err == f"error: {path}: candidate 'Andy Burnham' is in the file but not in --candidates\n"
    )


def test_module_entry_point_reads_abif(tmp_path):
    path = write(tmp_path, "x.abif", "3:A>B\n2:B\n")
    done = subprocess.run(
        [sys.executable, "-m", "model.cli.count", str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Winner: A, elected with 60.000% in round 1" in done.stdout


# --------------------------------------------------------------------------- bad input


def preflib(body: str, *, kind: str = "soi", voters: int = 5, orders: int = 1) -> str:
    return HEADER.format(kind=kind, voters=voters, orders=orders) + body


BAD_PREFLIB = [
    pytest.param(
        preflib("5: 1,4\n"), 8, "alternative 4 does not exist (allowed: 1 to 3)", id="range"
    ),
    pytest.param(preflib("5: 1,x\n"), 8, "'x' is not an alternative number", id="word"),
    pytest.param(
        preflib("5 1,2\n"), 8, "expected 'count: order' such as '12: 2,1,3'", id="no-colon"
    ),
    pytest.param(preflib("1.5: 1,2\n"), 8, "the count '1.5' is not a whole number", id="decimal"),
    pytest.param(preflib("-5: 1\n"), 8, "the count '-5' is negative", id="negative"),
    pytest.param(preflib(": 1\n"), 8, "the count is empty", id="no-count"),
    pytest.param(preflib("5: 1,,2\n"), 8, "an empty preference", id="empty-pref"),
    pytest.param(preflib("5: 1,2,1\n"), 8, "'Andy Burnham' appears twice", id="repeat"),
    pytest.param(preflib("5: 1,{2,3\n", kind="toi"), 8, "'{' is never closed", id="open"),
    pytest.param(preflib("5: 1,2}\n", kind="toi"), 8, "a '}' without a '{'", id="close"),
    pytest.param(preflib("5: {1,{2}}\n", kind="toi"), 8, "cannot be nested", id="nested"),
    pytest.param(preflib("5: 1 {2,3}\n", kind="toi"), 8, "a tie is written '{2,3}'", id="no-comma"),
    pytest.param(
        preflib("5: 1,{2,3}\n"), 8, "a tie ('{...}') in a file of DATA TYPE soi", id="tie-in-soi"
    ),
    pytest.param(preflib("5: 1,{2,3}\n", kind="toi"), 8, "use --ties truncate", id="tie-refused"),
    pytest.param(
        preflib("5: 1,2\n", kind="soc"), 8, "ranks 2 of 3 alternatives, but DATA TYPE soc", id="soc"
    ),
    pytest.param(
        preflib("5: 1\n", voters=6), 3, "'NUMBER VOTERS: 6' but the file holds 5", id="voters"
    ),
    pytest.param(preflib("5: 1\n", orders=2), 4, "'NUMBER UNIQUE ORDERS: 2'", id="orders"),
    pytest.param(
        preflib("5: 1\n", kind="xyz"), 1, "DATA TYPE 'xyz' is not an ordinal type", id="type"
    ),
    pytest.param(
        preflib("5: 1\n# ALTERNATIVE NAME 4: Mary\n"),
        9,
        "a '#' header line after",
        id="late-header",
    ),
    pytest.param(
        preflib("5: 1\n").replace("NAME 3: Liz Kendall", "NAME 3: Andy Burnham"),
        7,
        "alternative name 'Andy Burnham' is used twice",
        id="same-name",
    ),
    pytest.param(
        preflib("5: 1\n").replace("ALTERNATIVES: 3", "ALTERNATIVES: three"),
        2,
        "'NUMBER ALTERNATIVES' must be a whole number",
        id="number-word",
    ),
    pytest.param(
        "3\n1,A\n2,B\n3,C\n5,5,1\n5,1,2,3\n", 1, "the PrefLib layout before 2022", id="old-layout"
    ),
]


@pytest.mark.parametrize(("text", "line", "problem"), BAD_PREFLIB)
def test_bad_preflib_files_name_the_line_and_the_problem(tmp_path, capsys, text, line, problem):
    assert_bad_line(tmp_path, capsys, "bad.soi", text, line, problem)


BAD_ABIF = [
    pytest.param("12:A>B>\n", 1, "the ballot ends with '>'", id="trailing"),
    pytest.param("12:A>>B\n", 1, "expected a candidate at '>B'", id="double"),
    pytest.param("3:A\n12:[A>B\n", 2, "a '[' is never closed with ']'", id="bracket"),
    pytest.param(
        "12:A B\n", 1, "unexpected 'B' after candidate 'A' (allowed: '>', '='", id="space"
    ),
    pytest.param("A>B\n", 1, "expected a ballot line 'COUNT:A>B', a candidate line", id="no-count"),
    pytest.param("12 A>B\n", 1, "a ballot line is 'COUNT:RANKING'", id="no-colon"),
    pytest.param("1.5:A\n", 1, "the count '1.5' is not a whole number", id="decimal"),
    pytest.param("12:A/x>B\n", 1, "a rating after 'A' must be a whole number", id="rating"),
    pytest.param("12:A/5,B/3\n", 1, "a scored ballot with no order", id="scored"),
    pytest.param("12:A*2,B*1\n", 1, "weighted (cumulative) ballots", id="cumulative"),
    pytest.param('12:A>B:{"precinct": 5}\n', 1, "extended ballot data", id="extended"),
    pytest.param("=A:[Ann]\n=A:[Bob]\n1:A\n", 2, "token 'A' is declared twice", id="dup-token"),
    pytest.param("=A:[Ann]\n=B:[Ann]\n1:A\n", 2, "name 'Ann' is declared twice", id="dup-name"),
    pytest.param(
        "=A:[Ann]\n3:A>Zed\n", 2, "'Zed' is not declared (declared tokens: A)", id="undeclared"
    ),
    pytest.param("=A:\n1:A\n", 1, "candidate 'A' has no name after ':'", id="no-name"),
    pytest.param("{title is bad}\n1:A\n", 1, "metadata lines hold one pair", id="metadata"),
    pytest.param("ABIF 1.0\n1:A\n", 1, "'ABIF' header line is not supported", id="header"),
    pytest.param("12:A>B>A\n", 1, "candidate 'A' appears twice in the ballot", id="repeat"),
    pytest.param("2:B\n12:A=B\n", 2, "preference 1 ranks 'A', 'B' equally", id="tie"),
    pytest.param("12:[]\n", 1, "an empty name []", id="empty-name"),
]


@pytest.mark.parametrize(("text", "line", "problem"), BAD_ABIF)
def test_bad_abif_files_name_the_line_and_the_problem(tmp_path, capsys, text, line, problem):
    assert_bad_line(tmp_path, capsys, "bad.abif", text, line, problem)


def assert_bad_line(tmp_path, capsys, name, text, line, problem):
    path = write(tmp_path, name, text)
    status, out, err = run(capsys, path)
    assert (status, out) == (2, "")
    assert err.startswith(f"error: {path}:{line}: "), err
    assert problem in err, err
    assert err.count("\n") == 1 and "Traceback" not in err


WHOLE_FILE = [
    pytest.param(
        "x.abif", "# nothing but a comment\n", [], "contains no ballot lines", id="abif-empty"
    ),
    pytest.param(
        "x.abif", "500:\n", [], "contains no valid ballots (every ballot is blank)", id="blank"
    ),
    pytest.param("x.soi", "", [], "names no alternatives", id="preflib-empty"),
    pytest.param(
        "x.soi",
        preflib("", voters=0, orders=0),
        [],
        "contains no ballots",
        id="preflib-header-only",
    ),
    pytest.param(
        "x.soi",
        HEADER.format(kind="soi", voters=5, orders=1).replace(
            "# ALTERNATIVE NAME 2: Yvette Cooper\n", ""
        )
        + "5: 1\n",
        [],
        "alternative 2 has no '# ALTERNATIVE NAME'",
        id="unnamed",
    ),
    pytest.param(
        "x.soi",
        SOI,
        ["--sections", "members=1/2,affiliates=1/2"],
        "a PrefLib file has no sections, so it cannot be counted as an electoral college",
        id="college",
    ),
    pytest.param(
        "x.abif",
        "3:A\n",
        ["--rules", "labour_2010"],
        "an ABIF file has no sections",
        id="college-preset",
    ),
]


@pytest.mark.parametrize(("name", "text", "options", "problem"), WHOLE_FILE)
def test_whole_file_problems_name_the_file(tmp_path, capsys, name, text, options, problem):
    path = write(tmp_path, name, text)
    status, out, err = run(capsys, path, *options)
    assert (status, out) == (2, "")
    assert err.startswith(f"error: {path}: ") and problem in err, err
    assert err.count("\n") == 1


def test_write_problems_are_reported_without_counting(tmp_path, capsys):
    source = write(tmp_path, "2015.soi", SOI)
    cases = [
        (["--write", source], f"error: --write {source}: that is the ballots file being read"),
        (["--write-format", "csv"], "error: --write-format: give --write PATH too"),
        (
            ["--write", tmp_path / "out.txt"],
            f"error: {tmp_path / 'out.txt'}: cannot tell which format to write from the extension",
        ),
        (
            ["--write", tmp_path / "missing" / "out.csv"],
            f"error: {tmp_path / 'missing' / 'out.csv'}: cannot write: the folder does not exist",
        ),
    ]
    for options, message in cases:
        status, out, err = run(capsys, source, *options)
        assert (status, out) == (2, ""), options
        assert err.startswith(message), err
    status, _, err = run(capsys, EXAMPLE_2010, "--write", tmp_path / "2010.abif")
    assert status == 2 and "cannot write 3 sections" in err
    assert not (tmp_path / "2010.abif").exists()


EXAMPLES = ROOT / "experiments" / "examples"


def test_example_selection_files_hold_the_same_ballots_and_count_as_worked_by_hand(capsys):
    toc, abif = EXAMPLES / "selection_example.toc", EXAMPLES / "selection_example.abif"
    from_toc = read_ballots(toc, ties="truncate")
    assert from_toc.profile.same_ballots(read_ballots(abif).profile)
    assert from_toc.title == "Example CLP selection (made up)"
    status, out, err = run(capsys, toc, "--ties", "truncate", "--json")
    assert status == 0 and err.count("note: ") == 2
    record = json.loads(out)
    # Round 1: Amara 41, Siân 33+9, Tom 28+12, Priya 22+6, Daniel 17+5 -> Daniel out:
    # 17 go on to Tom, 5 exhaust. Round 2: Priya out: 22 to Siân, 6 to Tom (Daniel is out).
    # Round 3: Amara 41 out, all to Tom. Round 4: Tom 104 of 168 in play.
    assert [r["total_votes"] for r in record["rounds"]] == [
        {
            "Amara Okafor": 41,
            "Siân Griffiths": 42,
            "Tom Hughes": 40,
            "Priya Sharma": 28,
            "Daniel Cohen": 22,
        },
        {"Amara Okafor": 41, "Siân Griffiths": 42, "Tom Hughes": 57, "Priya Sharma": 28},
        {"Amara Okafor": 41, "Siân Griffiths": 64, "Tom Hughes": 63},
        {"Siân Griffiths": 64, "Tom Hughes": 104},
    ]
    assert record["winner"] == "Tom Hughes" and record["valid"] == {"all": 173}
    status, _, err = run(capsys, toc)
    assert status == 2 and f"{toc}:18: preference 3 ranks" in err
