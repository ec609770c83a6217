"""Sweeps: serial, process pool and Dask agree; interrupted sweeps resume without
duplicates; failing runs are recorded and the rest complete."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from model.cli.sweep import main as sweep_main
from model.study.experiment import Experiment, parse_experiment
from model.study.outputs import OutputError
from model.study.sweep import (
    SweepError,
    SweepResult,
    load_sweep,
    run_experiment,
    run_task,
    sweep_in_progress,
)
from tests.conftest import DEFAULT_SCENARIO, REPO, small_scenario

REPLICATIONS = 3
VARIANTS = 2


def tiny_experiment(replications: int = REPLICATIONS, root_seed: int = 5) -> Experiment:
    """2 variants × 3 replications of a 6-month, 60-CLP party (about 0.1 s a run)."""
    data = {
        "experiment": {
            "name": "tiny",
            "scenario": "unused",
            "replications": replications,
            "root_seed": root_seed,
        },
        "factors": [{"path": "factions.Momentum.organisers", "levels": [0, 632]}],
        "outcomes": {"series": ["members_*", "member_plp_gap", "clps_*", "places_*", "leader"]},
    }
    return parse_experiment(data, base=small_scenario(calendar={"months": 6}))


def failing_runner(task: dict) -> dict:
    """run_task, except that run v0001-r0001 raises (as a model bug would)."""
    if task["run_id"] == "v0001-r0001":
        task = {**task, "seed": "not a seed"}  # int("not a seed") raises inside run_task
    return run_task(task)


def dying_runner(task: dict) -> dict:
    """run_task, except that the worker process running v0001-r0001 dies (as if out of memory)."""
    if task["run_id"] == "v0001-r0001":
        os._exit(1)
    return run_task(task)


def comparable(result: SweepResult) -> list[pd.DataFrame]:
    # Wall-clock seconds differ from run to run; everything else must not. (The
    # code fingerprint is left out: an edit to any file of the package while
    # the tests run changes it, even one that cannot change a result.)
    inputs = result.inputs.drop(columns=["seconds", "code"])
    return [inputs, result.outcomes, result.series, result.events]


def assert_same_results(a: SweepResult, b: SweepResult) -> None:
    for left, right in zip(comparable(a), comparable(b), strict=True):
        pd.testing.assert_frame_equal(left, right)


def parts_of(folder: Path) -> list[Path]:
    return sorted((folder / "parts").glob("*.parquet"))


@pytest.fixture(scope="module")
def serial(tmp_path_factory) -> SweepResult:
    return run_experiment(tiny_experiment(), tmp_path_factory.mktemp("serial"), progress=False)


# --- what a sweep writes ---------------------------------------------------------------


def test_serial_sweep_writes_tidy_tables(serial: SweepResult):
    n = VARIANTS * REPLICATIONS
    inputs, outcomes = serial.inputs, serial.outcomes
    assert serial.complete and serial.session["ran"] == n and serial.session["where"] == "serial"
    assert list(inputs["run_id"]) == sorted(
        f"v{v:04d}-r{r:04d}" for v in range(2) for r in range(3)
    )
    assert set(inputs["status"]) == {"ok"} and inputs["run_id"].is_unique
    assert list(inputs["factions.Momentum.organisers"].unique()) == [0, 632]
    assert list(outcomes["run_id"]) == list(inputs["run_id"])
    assert {"final_members", "gap_last12", "final_clps_momentum", "deselections"} <= set(outcomes)
    # Monthly series: 6 months per run; long form has one row per run, month and variable.
    assert len(serial.series) == n * 6
    assert {"members_full", "clps_momentum", "leader"} <= set(serial.series.columns)
    assert "ideology_median" not in serial.series.columns  # not kept by this experiment
    numeric = serial.series_long["variable"].nunique()
    assert len(serial.series_long) == n * 6 * numeric
    assert "leader" not in set(serial.series_long["variable"])
    assert len(parts_of(serial.folder)) == n
    assert pd.read_csv(serial.folder / "outcomes.csv").shape == outcomes.shape
    manifest = json.loads((serial.folder / "manifest.json").read_text())
    assert manifest["runs"] == n and manifest["experiment"]["seeds"] == list(
        tiny_experiment().seeds
    )
    assert manifest["versions"]["mesa"].startswith("3.")


def test_variants_share_seeds_and_the_factor_reaches_the_model(serial: SweepResult):
    seeds = serial.inputs.pivot(index="replication", columns="variant", values="seed")
    assert (seeds[0] == seeds[1]).all() and seeds[0].is_unique
    # Same seed, different organiser capacity: executive places must differ somewhere.
    clps = serial.series.pivot(
        index=["replication", "month"], columns="variant", values="places_momentum"
    )
    for _, months in clps.groupby(level="replication"):
        assert (months[0] != months[1]).any()


def test_outcome_summary(serial: SweepResult):
    summary = serial.outcome_summary(["final_members"])
    assert list(summary["runs"]) == [REPLICATIONS, REPLICATIONS]
    assert (summary["low"] <= summary["median"]).all() and (
        summary["median"] <= summary["high"]
    ).all()


# --- the same results everywhere ---------------------------------------------------------


def test_two_worker_pool_equals_serial(serial: SweepResult, tmp_path: Path):
    pooled = run_experiment(tiny_experiment(), tmp_path, workers=2, progress=False)
    assert pooled.session["where"] == "2 worker processes"
    assert_same_results(pooled, serial)


def test_dask_local_cluster_equals_serial(serial: SweepResult, tmp_path: Path):
    distributed = run_experiment(
        tiny_experiment(), tmp_path, scheduler="local", workers=2, progress=False
    )
    assert distributed.session["where"] == "Dask LocalCluster, 2 workers"
    assert_same_results(distributed, serial)


# --- interruption and resumption -------------------------------------------------------------


def test_interrupted_sweep_resumes_without_duplicates(serial: SweepResult, tmp_path: Path):
    seen = []

    def stop_after_two(record):
        seen.append(record.run_id)
        if len(seen) == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_experiment(tiny_experiment(), tmp_path, progress=False, on_result=stop_after_two)
    assert len(parts_of(tmp_path)) == 2
    assert len(load_sweep(tmp_path).inputs) == 2 and not load_sweep(tmp_path).complete

    resumed = run_experiment(tiny_experiment(), tmp_path, resume=True, progress=False)
    assert resumed.session["skipped"] == 2 and resumed.session["ran"] == 4
    assert resumed.inputs["run_id"].is_unique and resumed.complete
    assert_same_results(resumed, serial)


KILLABLE = """
import sys, time
from model.study.sweep import run_experiment, run_task
from tests.test_sweep import tiny_experiment

def slow(task):
    out = run_task(task)
    time.sleep(0.5)  # time for the test to kill this process between runs or mid-write
    return out

run_experiment(tiny_experiment(), sys.argv[1], progress=False, runner=slow)
"""


def test_killed_sweep_resumes_with_the_same_results(serial: SweepResult, tmp_path: Path, capsys):
    out = tmp_path / "killed"
    proc = subprocess.Popen([sys.executable, "-c", KILLABLE, str(out)], cwd=REPO)
    try:
        deadline = time.monotonic() + 120
        while len(parts_of(out)) < 2:
            assert proc.poll() is None, "the sweep ended before it could be killed"
            assert time.monotonic() < deadline, "no results after two minutes"
            time.sleep(0.02)
        # A second writer (another --resume) is refused while the first runs.
        with pytest.raises(OutputError, match=f"in use by process {proc.pid} "):
            run_experiment(tiny_experiment(), out, resume=True, progress=False)
        proc.kill()  # SIGKILL: no clean-up code runs
    finally:
        proc.wait(timeout=60)
    saved = len(parts_of(out))
    assert 2 <= saved < VARIANTS * REPLICATIONS

    # The dead writer's lock is taken over, with a note naming it.
    resumed = run_experiment(tiny_experiment(), out, resume=True, progress=False)
    assert f"left by process {proc.pid}" in capsys.readouterr().err
    assert resumed.session["skipped"] == saved
    assert resumed.session["ran"] == VARIANTS * REPLICATIONS - saved
    assert not list((out / "parts").glob(".*.tmp"))
    assert resumed.inputs["run_id"].is_unique and resumed.complete
    assert_same_results(resumed, serial)


def test_more_replications_extend_a_sweep(serial: SweepResult, tmp_path: Path):
    run_experiment(tiny_experiment(replications=2), tmp_path, progress=False)
    extended = run_experiment(
        tiny_experiment(replications=3), tmp_path, resume=True, progress=False
    )
    assert extended.session["ran"] == VARIANTS and extended.complete
    assert_same_results(extended, serial)


def test_a_folder_is_not_overwritten_or_mixed(serial: SweepResult, tmp_path: Path):
    with pytest.raises(OutputError, match="already holds a sweep.*--resume.*--overwrite"):
        run_experiment(tiny_experiment(), serial.folder, progress=False)
    with pytest.raises(SweepError, match="holds a different experiment"):
        run_experiment(tiny_experiment(root_seed=6), serial.folder, resume=True, progress=False)
    (tmp_path / "notes.txt").write_text("mine")
    for flags in ({}, {"overwrite": True}, {"resume": True}):
        with pytest.raises(OutputError, match="not empty and does not hold a sweep"):
            run_experiment(tiny_experiment(), tmp_path, progress=False, **flags)
    assert (tmp_path / "notes.txt").read_text() == "mine"
    with pytest.raises(SweepError, match="not a sweep folder"):
        load_sweep(tmp_path)
    again = run_experiment(tiny_experiment(), serial.folder, resume=True, progress=False)
    assert again.session["ran"] == 0 and again.session["skipped"] == VARIANTS * REPLICATIONS


# --- failures ---------------------------------------------------------------------------


def test_a_failing_run_is_recorded_and_the_rest_complete(serial: SweepResult, tmp_path: Path):
    result = run_experiment(tiny_experiment(), tmp_path, progress=False, runner=failing_runner)
    assert result.session["failed"] == 1 and result.session["ran"] == 6
    failed = result.failed
    assert list(failed["run_id"]) == ["v0001-r0001"]
    assert failed["error"].iloc[0].startswith("ValueError: invalid literal for int()")
    assert list(result.inputs["status"]).count("ok") == 5
    assert "v0001-r0001" not in set(result.outcomes["run_id"])
    ok = serial.outcomes[serial.outcomes["run_id"] != "v0001-r0001"].reset_index(drop=True)
    pd.testing.assert_frame_equal(result.outcomes, ok)

    # Resumed, a failed run stays failed (it is a result); --retry-failed reruns it.
    again = run_experiment(tiny_experiment(), tmp_path, resume=True, progress=False)
    assert again.session["ran"] == 0 and len(again.failed) == 1
    retried = run_experiment(
        tiny_experiment(), tmp_path, resume=True, retry_failed=True, progress=False
    )
    assert retried.session["ran"] == 1 and retried.failed.empty
    assert_same_results(retried, serial)


def test_a_dead_worker_stops_the_pool_cleanly_and_resume_finishes(
    serial: SweepResult, tmp_path: Path
):
    with pytest.raises(SweepError, match="a worker process died.*--resume"):
        run_experiment(tiny_experiment(), tmp_path, workers=2, progress=False, runner=dying_runner)
    saved = load_sweep(tmp_path)
    assert "v0001-r0001" not in set(saved.inputs["run_id"])  # not recorded as a result
    resumed = run_experiment(tiny_experiment(), tmp_path, resume=True, progress=False)
    assert resumed.session["ran"] == VARIANTS * REPLICATIONS - len(saved.inputs)
    assert_same_results(resumed, serial)


def stamped_runner(task: dict) -> dict:
    """run_task, with the code fingerprint another version of the code would give."""
    output = run_task(task)
    if task["run_id"].endswith("r0002"):
        output["code"] = "0123456789ab"
    return output


def test_runs_made_by_other_code_are_flagged(tmp_path: Path, capsys):
    result = run_experiment(tiny_experiment(), tmp_path, progress=False, runner=stamped_runner)
    assert len(result.code_versions) == 2 and "0123456789ab" in result.code_versions
    assert set(result.inputs.loc[result.inputs["replication"] == 2, "code"]) == {"0123456789ab"}
    from model.cli.sweep import _print_summary

    _print_summary(result, 1.0)
    assert "made by 2 versions of the code" in capsys.readouterr().out


# --- the command ---------------------------------------------------------------------------


def write_files(folder: Path, experiment_extra: str = "") -> Path:
    scenario = DEFAULT_SCENARIO.read_text()
    for key, value in [("scale", "0.01"), ("clps", "60"), ("months", "4")]:
        scenario = re.sub(rf"(?m)^{key} = \S+", f"{key} = {value}", scenario, count=1)
    (folder / "small.toml").write_text(scenario)
    path = folder / "exp.toml"
    path.write_text(
        '[experiment]\nname = "cli"\nscenario = "small.toml"\nreplications = 2\nroot_seed = 3\n'
        '[[variants]]\nname = "2018"\nset = { "rules.preset" = "labour_2018" }\n'
        '[[variants]]\nname = "college"\nset = { "rules.preset" = "labour_2010" }\n'
        + experiment_extra
    )
    return path


def test_sweep_command_runs_resumes_and_summarises(tmp_path: Path, capsys):
    experiment = write_files(tmp_path)
    out = tmp_path / "out"
    assert sweep_main(["sweep", str(experiment), "--out", str(out), "--quiet"]) == 0
    printed = capsys.readouterr().out
    assert "2 variants × 2 replications = 4 runs of 4 months, serially" in printed
    assert "4 of 4 saved" in printed and "4 ran (0 failed)" in printed
    assert "median across seeds, by variant" in printed and "college" in printed
    assert (
        re.search(r"\s\d{1,3}(,\d{3})+\s", printed) and "e+0" not in printed
    )  # 53,550, not 5.36e+04
    assert f"factions report {out}" in printed

    assert sweep_main(["sweep", str(experiment), "--out", str(out), "--quiet"]) == 2
    assert "already holds a sweep" in capsys.readouterr().err
    assert sweep_main(["sweep", str(experiment), "--out", str(out), "--resume", "--quiet"]) == 0
    assert "0 ran (0 failed), 4 already done" in capsys.readouterr().out


def test_sweep_command_bad_input_is_one_line_and_status_2(tmp_path: Path, capsys):
    experiment = write_files(tmp_path, '[[factors]]\npath = "flows.chrun"\nlevels = [0.01]\n')
    assert sweep_main(["sweep", str(experiment), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"error: invalid experiment {experiment}: ")
    assert "unknown key 'chrun'" in err and "Traceback" not in err
    assert sweep_main(["sweep", str(tmp_path / "none.toml")]) == 2
    assert "file not found" in capsys.readouterr().err
    assert sweep_main(["sweep", str(experiment), "--scheduler", "somewhere"]) == 2
    assert "give 'local' or an address" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


# --- damaged parts, replacement, refusals ----------------------------------------------------


def copy_of(result: SweepResult, folder: Path) -> Path:
    import shutil

    shutil.copytree(result.folder, folder)
    return folder


def test_damaged_parts_are_named_and_run_again(serial: SweepResult, tmp_path: Path, capsys):
    out = copy_of(serial, tmp_path / "sweep")
    (out / "parts" / "v0000-r0001.parquet").write_bytes(os.urandom(300))
    whole = (out / "parts" / "v0001-r0002.parquet").read_bytes()
    (out / "parts" / "v0001-r0002.parquet").write_bytes(whole[: len(whole) // 2])  # truncated
    loaded = load_sweep(out)
    assert sorted(loaded.corrupt) == ["v0000-r0001.parquet", "v0001-r0002.parquet"]
    assert set(loaded.corrupt.values()) == {"not a Parquet file, or cut short (no Parquet footer)"}
    assert len(loaded.inputs) == 4 and not loaded.complete
    assert "v0000-r0001" not in set(loaded.inputs["run_id"])

    resumed = run_experiment(tiny_experiment(), out, resume=True, progress=False)
    err = capsys.readouterr().err
    assert "2 damaged parts will be run again: parts/v0000-r0001.parquet" in err
    assert resumed.session["ran"] == 2 and resumed.complete and not resumed.corrupt
    assert_same_results(resumed, serial)
    assert pd.read_csv(out / "inputs.csv")["run_id"].tolist() == resumed.inputs["run_id"].tolist()


def test_a_damaged_part_is_named_by_the_command(serial: SweepResult, tmp_path: Path, capsys):
    out = copy_of(serial, tmp_path / "sweep")
    (out / "parts" / "v0001-r0000.parquet").write_bytes(b"PAR1" + os.urandom(200) + b"PAR1")
    from model.cli.sweep import _print_summary

    result = load_sweep(out)
    result.session = {"ran": 0, "failed": 0, "skipped": 6, "where": "serial"}
    _print_summary(result, 1.0)
    printed = capsys.readouterr().out
    assert "damaged parts  1 (run again with --resume):" in printed
    assert "parts/v0001-r0000.parquet: not a readable Parquet file" in printed


def test_overwrite_replaces_a_sweep_only_when_the_new_one_is_complete(
    serial: SweepResult, tmp_path: Path, capsys
):
    out = copy_of(serial, tmp_path / "sweep")
    old_manifest = (out / "manifest.json").read_text()
    seen = []

    def stop_after_two(record):
        seen.append(record.run_id)
        if len(seen) == 2:
            raise KeyboardInterrupt

    other = tiny_experiment(root_seed=6)
    with pytest.raises(KeyboardInterrupt):
        run_experiment(other, out, overwrite=True, progress=False, on_result=stop_after_two)
    # Interrupted: the old sweep is untouched, the new one waits beside it.
    assert (out / "manifest.json").read_text() == old_manifest
    assert_same_results(load_sweep(out), serial)
    staging = tmp_path / ".sweep.replacement"
    assert sweep_in_progress(out) == staging and len(parts_of(staging)) == 2
    with pytest.raises(SweepError, match="an unfinished sweep that is to replace it"):
        run_experiment(other, out, progress=False)
    finished = run_experiment(other, out, resume=True, progress=False)
    assert "continuing the sweep that will replace" in capsys.readouterr().err
    assert finished.session["ran"] == VARIANTS * REPLICATIONS - 2 and finished.complete
    assert finished.folder == out and not staging.exists()
    assert json.loads((out / "manifest.json").read_text())["fingerprint"] == other.fingerprint()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sweep"]  # no lock, no leftovers


def test_a_sweep_never_replaces_a_run_or_other_files(tmp_path: Path, capsys):
    experiment = write_files(tmp_path)
    run = tmp_path / "run"
    run.mkdir()
    (run / "manifest.json").write_text(json.dumps({"kind": "run", "scenario": {}, "seed": 1}))
    for flag in ([], ["--overwrite"], ["--resume"]):
        assert sweep_main(["sweep", str(experiment), "--out", str(run), "--quiet", *flag]) == 2
        assert "holds the results of a run (factions run), which is never replaced" in (
            capsys.readouterr().err
        )
    assert sorted(p.name for p in run.iterdir()) == ["manifest.json"]
    (tmp_path / "blocker").write_text("a file")
    assert sweep_main(["sweep", str(experiment), "--out", str(tmp_path / "blocker" / "s")]) == 2
    assert "cannot be created" in capsys.readouterr().err


def test_a_damaged_manifest_on_resume_is_a_message(tmp_path: Path, capsys):
    experiment = write_files(tmp_path)
    out = tmp_path / "out"
    assert sweep_main(["sweep", str(experiment), "--out", str(out), "--quiet"]) == 0
    capsys.readouterr()
    (out / "manifest.json").write_text('{"kind": "sweep", broken')
    assert sweep_main(["sweep", str(experiment), "--out", str(out), "--resume", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {out / 'manifest.json'}: cannot be read (")
    assert "pass --overwrite to start it again" in err and "Traceback" not in err
    assert sweep_main(["sweep", str(experiment), "--out", str(out), "--overwrite", "--quiet"]) == 0
    assert json.loads((out / "manifest.json").read_text())["kind"] == "sweep"


def test_resume_and_overwrite_together_are_refused(tmp_path: Path, capsys):
    with pytest.raises(SweepError, match="choose one"):
        run_experiment(tiny_experiment(), tmp_path, resume=True, overwrite=True, progress=False)
    experiment = write_files(tmp_path)
    with pytest.raises(SystemExit):
        sweep_main(["sweep", str(experiment), "--resume", "--overwrite"])
    assert "not allowed with argument" in capsys.readouterr().err
