"""Smoke test: benchmarks/run.py --quick runs end to end and writes sane JSON.

Not a timing test: it checks that every part of the benchmark runs on the
current model and reports what it should, not how fast.
"""

from __future__ import annotations

import json
import subprocess
import sys

from benchmarks.run import longest_scenario
from model.scenario.schema import ScenarioError, load_scenario
from tests.conftest import REPO

SCRIPT = REPO / "benchmarks" / "run.py"


def test_quick_benchmark_runs_and_reports_every_part(tmp_path):
    out = tmp_path / "quick.json"
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick", "--out", str(out)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    for label in ("(a) full run", "(b) member dynamics", "(c) count", "(d) naive", "(e) floor"):
        assert label in proc.stdout
    data = json.loads(out.read_text())
    assert data["quick"] is True and data["targets"] == {}

    full = data["full_run"]
    assert full["scenario"].startswith("scenarios/")
    assert full["months"] == 24 and full["members_start"] > 0
    assert full["wall_s"] > 0 and full["peak_rss_mb"] > 0
    # Every stage the model times is reported, the monthly processes included.
    assert {"influence", "joining_lapsing", "organising", "agm"} <= set(full["stages_s"])
    assert full["dynamics_member_steps_per_s"] > 0

    count = data["counting"]
    assert count["candidates"] == 5 and len(count["sections"]) == 3
    assert count["rounds"] >= 1 and count["total_s"] > 0

    naive = data["naive_reference"]
    assert naive["members"] > 0 and naive["naive_s"] > 0 and naive["vectorised_s"] > 0
    assert naive["ratio"] == naive["naive_s"] / naive["vectorised_s"]

    floor = data["floor"]
    assert floor["columns"] > 0 and floor["pass_s"] > 0


def test_default_scenario_is_the_longest():
    chosen = longest_scenario()
    months = {}
    for path in (REPO / "scenarios").glob("*.toml"):
        try:
            months[path] = load_scenario(path).calendar.months
        except ScenarioError:
            continue
    assert months[chosen] == max(months.values())
