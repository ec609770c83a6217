"""`factions run` end to end at small scale, and its error handling."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from model.cli.main import main
from tests.conftest import DEFAULT_SCENARIO


def write_small_scenario(folder: Path) -> Path:
    text = DEFAULT_SCENARIO.read_text()
    for key, value in [("scale", "0.01"), ("clps", "60"), ("plp_size", "30"), ("months", "12")]:
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
    }
    assert all(e["month"] <= series["date"].iloc[-1] for e in events)
    for figure in ("overview.png", "plp.png"):
        assert (out / "figures" / figure).stat().st_size > 10_000


def test_same_seed_gives_identical_bytes(tmp_path: Path):
    scenario = write_small_scenario(tmp_path)
    for name in ("a", "b"):
        main(["run", str(scenario), "--seed", "9", "--out", str(tmp_path / name), "--no-figures"])
    for name in ("series.csv", "series.parquet", "events.jsonl", "manifest.json"):
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
