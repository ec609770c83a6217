"""`factions validate-history` and `factions calibrate` on the command line.

Bad input is refused before any work with one line and status 2; a tiny real
run (1 prior draw × 1 seed at scale 0.01) writes the folder and publishes the
page; an existing folder is never replaced without --overwrite, and --resume
redoes nothing.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from model.cli.main import main

TINY = ["--prior-predictive", "--draws", "1", "--seeds", "1", "--scale", "0.01",
        "--no-counterfactuals", "--workers", "1"]  # fmt: skip


def _no_work(monkeypatch: pytest.MonkeyPatch) -> None:
    import model.validation.workflow as workflow

    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("work started before the input was checked")

    monkeypatch.setattr(workflow, "run_many", forbidden)
    monkeypatch.setattr(workflow, "run_calibration", forbidden)


def test_an_unwritable_out_is_refused_before_any_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _no_work(monkeypatch)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    status = main(["validate-history", *TINY, "--out", str(blocker / "validation")])
    err = capsys.readouterr().err.strip()
    assert status == 2
    assert err.startswith("error: --out") and "is a file" in err and len(err.splitlines()) == 1


def test_a_folder_of_other_files_is_left_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _no_work(monkeypatch)
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.txt").write_text("keep me", encoding="utf-8")
    for extra in ([], ["--overwrite"], ["--resume"]):
        assert main(["validate-history", *TINY, "--out", str(folder), *extra]) == 2
        assert "does not hold a validation" in capsys.readouterr().err
    assert (folder / "notes.txt").read_text(encoding="utf-8") == "keep me"


def test_missing_posterior_and_conflicting_sources_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _no_work(monkeypatch)
    out = str(tmp_path / "v")
    assert main(["validate-history", "--out", out]) == 2
    assert "--calibrate" in capsys.readouterr().err
    assert main(["validate-history", "--calibration", str(tmp_path / "none"), "--out", out]) == 2
    assert "no posterior.csv" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["validate-history", "--calibrate", "--calibration", str(tmp_path), "--out", out])
    assert exc.value.code == 2
    with pytest.raises(SystemExit):
        main(["validate-history", "--scales", "0.1,0.1"])
    assert main(["calibrate", "--scheduler", "tcp://x:1", "--out", out]) == 2


def test_bad_priors_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "priors.toml"
    bad.write_text("[[parameter]]\nname = 'x'\n", encoding="utf-8")
    status = main(["validate-history", *TINY, "--priors", str(bad), "--out", str(tmp_path / "v")])
    assert status == 2 and str(bad) in capsys.readouterr().err


def test_a_tiny_validation_from_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    out, docs = tmp_path / "validation", tmp_path / "docs"
    assert main(["validate-history", *TINY, "--out", str(out), "--publish", str(docs)]) == 0
    printed = capsys.readouterr().out
    assert "forecast rows inside their 90% interval" in printed and "Starmer wins 2020" in printed
    assert (out / "validation.md").exists() and (docs / "validation.md").exists()
    assert (docs / "images" / "validation_coverage.png").exists()
    assert "](images/validation_coverage.png)" in (docs / "validation.md").read_text(
        encoding="utf-8"
    )
    # Publishing the same run again compares with the page it replaced, not with itself.
    import pandas as pd

    first = pd.read_csv(docs / "validation_table.csv")
    older = first.assign(median=first["median"].astype(float) + 1.0, git_revision="older")
    older.to_csv(out / "previous_page_table.csv", index=False)
    assert (
        main(["validate-history", *TINY, "--out", str(out), "--resume", "--publish", str(docs)])
        == 0
    )
    page = (docs / "validation.md").read_text(encoding="utf-8")
    assert "runs at `older`" in page
    assert pd.read_csv(docs / "validation_table.csv")["git_revision"].iloc[0] != "older"
    # Never replaced by accident; --resume reruns nothing; --overwrite replaces.
    # (The figures were checked above; they are skipped from here on, for speed.)
    import model.validation.figures as figures

    monkeypatch.setattr(figures, "write_figures", lambda *args, **kwargs: [])
    assert main(["validate-history", *TINY, "--out", str(out)]) == 2
    assert "already holds a validation" in capsys.readouterr().err
    assert main(["validate-history", *TINY, "--out", str(out), "--resume"]) == 0
    import json

    settings = json.loads((out / "settings.json").read_text(encoding="utf-8"))
    assert settings["runs_this_session"] == 0
    (out / "marker.txt").write_text("old", encoding="utf-8")
    assert main(["validate-history", *TINY, "--out", str(out), "--overwrite"]) == 0
    assert not (out / "marker.txt").exists() and (out / "validation.md").exists()
    assert not list(tmp_path.glob(".validation.replaced-*")), "the old folder is removed at the end"


def test_the_subcommands_parse_their_options() -> None:
    from model.cli.calibrate import add_calibrate_parser
    from model.cli.validate import add_validate_parser

    top = argparse.ArgumentParser(prog="factions")
    sub = top.add_subparsers(dest="command")
    add_validate_parser(sub)
    add_calibrate_parser(sub)
    args = top.parse_args(["validate-history", "--calibrate", "--draws", "7", "--quick"])
    assert (args.calibrate, args.draws, args.quick, args.out) == (True, 7, True, None)
    assert top.parse_args(["validate-history", "--check-scale"]).scales == (0.1, 1.0)
    cal = top.parse_args(["calibrate", "--population", "50", "--sampler", "dask"])
    assert (cal.population, cal.sampler, cal.generations) == (50, "dask", 6)
    assert cal.min_acceptance == 0.05
    for bad in (["validate-history", "--draws", "0"], ["calibrate", "--min-acceptance", "1.5"]):
        with pytest.raises(SystemExit):
            top.parse_args(bad)
