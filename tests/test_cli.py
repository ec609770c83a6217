"""`factions run` end to end at small scale, and its error handling."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from model.cli.main import main
from tests.conftest import DEFAULT_SCENARIO
from tests.test_outputs import read_only_place


def write_small_scenario(folder: Path) -> Path:
    text = DEFAULT_SCENARIO.read_text()
    for key, value in [("scale", "0.01"), ("clps", "60"), ("months", "12")]:
        text = re.sub(rf"(?m)^{key} = \S+", f"{key} = {value}", text, count=1)
    path = folder / "small.toml"
    path.write_text(text)
    return path


def test_run_writes_every_output(tmp_path: Path, capsys):
    scenario = write_small_scenario(tmp_path)
    out = tmp_path / "run"
    assert main(["run", str(scenario), "--seed", "3", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "Results written to" in printed and "CLPs controlled by Momentum" in printed

    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 3
    assert manifest["scenario"]["party"]["clps"] == 60
    assert manifest["versions"]["mesa"].startswith("3.")
    series = pd.read_parquet(out / "series.parquet")
    assert len(series) == 12
    assert pd.read_csv(out / "series.csv").shape == series.shape
    events = [json.loads(line) for line in (out / "events.jsonl").read_text().splitlines()]
    types = {e["type"] for e in events}
    assert "agm" in types and types <= {
        "agm",
        "retirement",
        "selection",
        "union_gs_election",
        "conference_vote",
        "rule_change",
        # the road to conference: consultation, the NEC, withdrawals, the agenda
        "affiliate_consultation",
        "nec_vote",
        "proposal_withdrawn",
        "package_formed",
        "agenda_vote",
        "union_nomination",
        "nec_election",
        "deputy_contest",
        "union_leadership_change",
        "affiliation_change",
        # The default scenario's 2017 election and what follows a defeat:
        "general_election",
        "leader_resigns",
        "challenge_launched",
        "leadership_contest",
        "trigger_ballot",
    }
    assert all(e["month"] <= series["date"].iloc[-1] for e in events)
    for figure in ("overview.png", "plp.png"):
        assert (out / "figures" / figure).stat().st_size > 10_000


def test_same_seed_gives_identical_bytes(tmp_path: Path):
    scenario = write_small_scenario(tmp_path)
    for name in ("a", "b"):
        main(["run", str(scenario), "--seed", "9", "--out", str(tmp_path / name), "--no-figures"])
    for name in ("series.csv", "series.parquet", "events.jsonl", "manifest.json", "clps.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_months_and_scale_overrides(tmp_path: Path):
    scenario = write_small_scenario(tmp_path)
    out = tmp_path / "short"
    args = ["run", str(scenario), "--months", "3", "--scale", "0.005", "--out", str(out)]
    assert main([*args, "--no-figures"]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["months"] == 3 and manifest["scenario"]["party"]["scale"] == 0.005


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda t: t.replace("[party]", "[party]\nsclae = 1"), "party.sclae: unknown key"),
        (lambda t: t.replace("scale = 0.01", "scale = -3"), "party.scale"),
        (lambda t: t + "\n[broken\n", "not valid TOML"),
    ],
)
def test_bad_scenario_exits_2_without_traceback(tmp_path: Path, edit, expected):
    path = write_small_scenario(tmp_path)
    path.write_text(edit(path.read_text()))
    proc = subprocess.run(
        [sys.executable, "-m", "model.cli.main", "run", str(path), "--out", str(tmp_path / "o")],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert expected in proc.stderr and str(path) in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "o").exists()


def test_missing_scenario_file(tmp_path: Path, capsys):
    assert main(["run", str(tmp_path / "missing.toml")]) == 2
    assert "file not found" in capsys.readouterr().err


# --- options and files that cannot be used: one message, exit status 2, no work lost -------


def run_main(*args: str) -> tuple[int, str, str]:
    """`factions ARGS` in this process: (exit status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = main(list(args))
        except SystemExit as exit:  # argparse's own errors
            status = int(exit.code)
    return status, out.getvalue(), err.getvalue()


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        (["--seed", "-1"], "argument --seed: must be a whole number from 0 to 2**63 - 1, got -1"),
        (["--seed", "x"], "argument --seed: must be a whole number, got 'x'"),
        (["--months", "0"], "argument --months: must be a positive whole number, got 0"),
        (
            ["--months", "10000000"],
            "error: --months 10000000: calendar.months in {path}: Input should be less than "
            "or equal to 1200",
        ),
        (
            ["--scale", "0.000001"],
            "error: --scale 1e-06: party.scale in {path}: 1e-06 is too small for this scenario "
            "(20 members for 60 CLPs; no levy payers in",
        ),
    ],
)
def test_bad_options_exit_2_naming_the_option(tmp_path: Path, flags, expected):
    path = write_small_scenario(tmp_path)
    status, _, err = run_main("run", str(path), "--out", str(tmp_path / "o"), *flags)
    assert status == 2, err
    assert expected.format(path=path) in err
    assert "Traceback" not in err and err.count("\n") <= 4
    assert not (tmp_path / "o").exists()


def test_the_smallest_scale_is_named_in_the_message(tmp_path: Path):
    path = write_small_scenario(tmp_path)
    status, _, err = run_main("run", str(path), "--scale", "0.00001", "--out", str(tmp_path / "o"))
    assert status == 2 and "the smallest allowed is 0.00012" in err
    # ... and that scale is accepted (here for one month).
    out = tmp_path / "ok"
    args = ["run", str(path), "--scale", "0.00012", "--months", "1", "--no-figures"]
    assert main([*args, "--out", str(out)]) == 0


def test_unreadable_scenario_exits_2(tmp_path: Path, monkeypatch, capsys):
    path = write_small_scenario(tmp_path)
    original = Path.read_text

    def refuse(self, *args, **kwargs):
        if self == path:
            raise PermissionError(13, "Permission denied", str(self))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Path, "read_text", refuse)
    assert main(["run", str(path), "--out", str(tmp_path / "o")]) == 2
    assert f"invalid scenario {path}:\n  cannot read the file: Permission denied" in (
        capsys.readouterr().err
    )


def test_a_cross_field_problem_is_one_short_message(tmp_path: Path):
    path = write_small_scenario(tmp_path)
    text = path.read_text().replace('name = "Labour to Win"', 'name = "Momentum"')
    path.write_text(text)
    proc = subprocess.run(  # a real process: no traceback, exactly this on stderr
        [sys.executable, "-m", "model.cli", "run", str(path), "--out", str(tmp_path / "o")],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert proc.stderr == (
        f"error: invalid scenario {path}:\n"
        "  factions: the name 'Momentum' is used twice; names must be unique\n"
    )


def test_an_output_folder_that_cannot_be_written_is_refused_before_the_run(tmp_path: Path):
    path = write_small_scenario(tmp_path)
    (tmp_path / "blocker").write_text("a file")
    for out, expected in [
        (tmp_path / "blocker", "is a file, not a folder"),
        (tmp_path / "blocker" / "run", "cannot be created"),
    ]:
        status, stdout, err = run_main("run", str(path), "--out", str(out))
        assert status == 2 and expected in err, err
        assert f"--out {out}" in err
        assert "Running" not in stdout  # refused before the simulation, not after it


def test_a_read_only_output_folder_is_refused_before_the_run(tmp_path: Path):
    path = write_small_scenario(tmp_path)
    out = read_only_place(tmp_path) / "run"
    status, stdout, err = run_main("run", str(path), "--out", str(out))
    assert status == 2 and "cannot write there" in err, err
    assert "Running" not in stdout


def test_run_never_overwrites_without_being_asked(tmp_path: Path, capsys):
    path = write_small_scenario(tmp_path)
    out = tmp_path / "run"
    args = ["run", str(path), "--months", "2", "--no-figures", "--out", str(out)]
    assert main(args) == 0
    (out / "figures").mkdir()
    (out / "figures" / "from-another-scenario.png").write_text("old")
    first = (out / "manifest.json").read_text()
    capsys.readouterr()
    assert main([*args, "--seed", "4"]) == 2
    assert "already holds the results of a run (factions run); pass --overwrite" in (
        capsys.readouterr().err
    )
    assert (out / "manifest.json").read_text() == first
    assert main([*args, "--seed", "4", "--overwrite"]) == 0
    assert json.loads((out / "manifest.json").read_text())["seed"] == 4
    assert not (out / "figures").exists()  # nothing of the old run is left beside the new
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run", "small.toml"]


def test_run_never_replaces_a_sweep(tmp_path: Path, capsys):
    path = write_small_scenario(tmp_path)
    sweep = tmp_path / "sweep"
    (sweep / "parts").mkdir(parents=True)
    (sweep / "parts" / "v0000-r0000.parquet").write_text("a run of the sweep")
    manifest = json.dumps({"kind": "sweep", "runs": 24})
    (sweep / "manifest.json").write_text(manifest)
    for extra in ([], ["--overwrite"]):
        assert main(["run", str(path), "--months", "1", "--out", str(sweep), *extra]) == 2
        err = capsys.readouterr().err
        assert "holds a sweep (factions sweep), which is never replaced" in err
    assert (sweep / "manifest.json").read_text() == manifest
    assert (sweep / "parts" / "v0000-r0000.parquet").exists()


def test_an_interrupted_run_leaves_nothing_behind(tmp_path: Path, monkeypatch, capsys):
    import model.study.run as run_module

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(run_module, "simulate", interrupted)
    path = write_small_scenario(tmp_path)
    assert main(["run", str(path), "--out", str(tmp_path / "run")]) == 130
    assert "interrupted" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["small.toml"]


def test_header_and_summary_agree_on_the_members(tmp_path: Path, capsys):
    path = write_small_scenario(tmp_path)
    assert (
        main(["run", str(path), "--months", "2", "--no-figures", "--out", str(tmp_path / "r")]) == 0
    )
    out = capsys.readouterr().out
    simulated, full = re.search(
        r"\(([\d,]+) simulated members at the start, ([\d,]+) at full size\)", out
    ).groups()
    row = re.search(r"members \(start -> end\)\s+([\d,]+) -> [\d,]+ \(at full size", out).group(1)
    # The summary starts where the header says, both at the party's full size.
    assert simulated == "5,436" and full == row and int(full.replace(",", "")) > 5436


def test_plan_prints_the_month_and_runs_nothing(tmp_path: Path, capsys, monkeypatch):
    """`factions run --plan` prints the plan generated from the registry and exits 0."""
    from model.party import PartyModel
    from model.scenario.schema import load_scenario

    scenario = write_small_scenario(tmp_path)
    monkeypatch.chdir(tmp_path)  # where a default results/ folder would appear
    out = tmp_path / "never"
    assert main(["run", str(scenario), "--plan", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    expected = PartyModel(load_scenario(scenario), rng=1).plan()
    assert expected in printed
    # Every stage of every institution is in it, in rank order.
    lines = [line.strip() for line in printed.splitlines()]
    assert lines[1] == "each month:" and lines[-1] == "3. data collection (the monthly series)"
    assert sum(line[:1].isdigit() and "." in line[:4] for line in lines) >= 10
    assert not out.exists() and not (tmp_path / "results").exists()


def test_a_bundled_scenario_runs_by_name(tmp_path: Path, capsys, monkeypatch):
    """`factions run default` finds the scenario the package ships, from any folder."""
    monkeypatch.chdir(tmp_path)  # no default.toml here
    assert main(["run", "default", "--plan"]) == 0
    assert "The month of default, from 2016-10:" in capsys.readouterr().out
    assert main(["run", "no_such_scenario", "--plan"]) == 2
    err = capsys.readouterr().err
    assert "not the name of a bundled scenario" in err and "labour_2010" in err
    # A file in the working folder wins over a bundled name.
    local = write_small_scenario(tmp_path)
    text = re.sub(r'(?m)^name = "default"', 'name = "local"', local.read_text(), count=1)
    (tmp_path / "default").write_text(text)
    assert main(["run", "default", "--plan"]) == 0
    assert "The month of local" in capsys.readouterr().out


def test_a_reader_that_goes_away_ends_the_command_quietly(monkeypatch, capsys):
    # `factions run default --plan | head -1`: the pipe's reader has closed.
    read_end, write_end = os.pipe()
    os.close(read_end)
    closed_pipe = os.fdopen(write_end, "w", buffering=1)
    monkeypatch.setattr(sys, "stdout", closed_pipe)
    try:
        assert main(["run", "default", "--plan"]) == 141
    finally:
        closed_pipe.close()
    assert "Traceback" not in capsys.readouterr().err
