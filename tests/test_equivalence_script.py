"""benchmarks/equivalence.py: what it keeps of a run, and how it tests two versions.

The model runs themselves take minutes (see benchmarks/README.md); here one
short run shows the outcomes are read, and synthetic results show `compare`
accepts two samples of one distribution and rejects a shifted one.
"""

from __future__ import annotations

import json

import numpy as np

from benchmarks.equivalence import compare, main, outcomes
from model.scenario.schema import load_scenario
from model.study.run import simulate
from tests.conftest import DEFAULT_SCENARIO


def test_outcomes_of_a_short_run():
    scenario = load_scenario(DEFAULT_SCENARIO).with_changes(
        party={"scale": 0.02}, calendar={"months": 14}
    )
    result = simulate(scenario, 1)
    got = outcomes(result.series, result.events)
    assert got["members_full@12"] > 0 and got["members_full@end"] > 0
    assert got["joined_total"] >= 0 and got["lapsed_total"] > 0
    assert "plp_median@end" in got and "clps_unaligned@end" in got
    assert got["full_selections"] <= got["trigger_ballots"]


def _write(path, rng, shift):
    runs = []
    for seed in range(1, 31):
        value = float(rng.normal(shift, 1.0))
        runs.append(
            {
                "scenario": "scenarios/x.toml",
                "seed": seed,
                "outcomes": {"a": value, "b": value * 2, "winner": "L" if value > 0 else "R"},
            }
        )
    path.write_text(json.dumps({"code": "c", "revision": "r", "scale": 0.2, "runs": runs}))


def test_compare_accepts_one_distribution_and_rejects_a_shift(tmp_path, capsys):
    rng = np.random.default_rng(3)
    old, same, shifted = tmp_path / "old.json", tmp_path / "same.json", tmp_path / "shift.json"
    _write(old, rng, 0.0)
    _write(same, rng, 0.0)
    _write(shifted, rng, 3.0)
    assert main(["compare", str(old), str(same)]) == 0
    assert "| x | a |" in capsys.readouterr().out
    args = type("Args", (), {"old": str(old), "new": str(shifted)})
    assert compare(args) == 1
