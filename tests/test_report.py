"""Reports: figures (PNG and PDF) and report.md for sweep and run folders; the figure
functions on synthetic contests and deselections."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from model.analysis.figures import (
    band_figure,
    common_events,
    contest_outcomes_figure,
    deselections_figure,
    quantile_bands,
)
from model.cli.sweep import main as command
from model.records.events import EventMark, GeneralElection, Selection, TriggerBallot
from model.study.experiment import parse_experiment
from model.study.report import load_report_data
from model.study.run import simulate, write_run
from model.study.sweep import run_experiment
from tests.conftest import small_scenario
from tests.factories import make_event


def assert_report_complete(path: Path) -> list[str]:
    """report.md embeds every figure, and each figure exists as PNG and PDF."""
    text = path.read_text()
    embedded = re.findall(r"!\[[^\]]*\]\((figures/[\w-]+)\.png\)", text)
    assert embedded, "report.md embeds no figures"
    for stem in embedded:
        png, pdf = path.parent / f"{stem}.png", path.parent / f"{stem}.pdf"
        assert png.read_bytes().startswith(b"\x89PNG"), png
        assert pdf.read_bytes().startswith(b"%PDF"), pdf
        assert f"({stem}.pdf)" in text
    return [Path(stem).name for stem in embedded]


def test_report_of_a_sweep(tmp_path: Path, capsys):
    data = {
        "experiment": {"name": "tiny report", "scenario": "-", "replications": 2, "root_seed": 1},
        "factors": [{"path": "factions.Momentum.organisers", "levels": [0, 30, 60]}],
    }
    experiment = parse_experiment(data, base=small_scenario(calendar={"months": 4}))
    run_experiment(experiment, tmp_path, progress=False)
    assert command(["report", str(tmp_path)]) == 0
    assert "Report written to" in capsys.readouterr().out
    names = assert_report_complete(tmp_path / "report.md")
    assert names[:4] == ["series", "clps", "outcomes", "contests"]
    assert "deselections" in names and "factor_0" in names  # organisers has three levels
    text = (tmp_path / "report.md").read_text()
    assert "# Sweep report: tiny report" in text and "3 variants × 2 replications" in text
    assert "| 2 | factions.Momentum.organisers=60 | 60 | 2 | 0 |" in text
    assert "median [5%, 95%] across seeds" in text
    summary = pd.read_csv(tmp_path / "report_outcomes.csv")
    members = summary[summary["outcome"] == "final_members"]
    assert list(members["variant"]) == [0, 1, 2] and (members["runs"] == 2).all()
    assert (members["low"] <= members["median"]).all()


def test_report_of_a_run_folder(tmp_path: Path, capsys):
    result = simulate(small_scenario(calendar={"months": 5}), seed=2)
    write_run(result, tmp_path, figures=True)  # figures/plp.png, which has no PDF
    assert command(["report", str(tmp_path)]) == 0
    path = tmp_path / "report.md"
    names = assert_report_complete(path)
    assert names[:3] == ["overview", "series", "clps"]
    text = path.read_text()
    assert "# Run report: default, seed 2" in text and "## Outcomes" in text
    # The command lists exactly the files it wrote: nothing stale, nothing missing.
    listed = [line.strip() for line in capsys.readouterr().out.splitlines()[1:]]
    assert "figures/series.png" in listed and "figures/series.pdf" in listed
    assert all((tmp_path / name).is_file() for name in listed)
    assert "figures/plp.pdf" not in listed and "figures/plp.png" not in listed
    # One run is not a "median across seeds".
    assert "across seeds" not in text and "The run's monthly values" in text


def test_report_refuses_other_folders(tmp_path: Path, capsys):
    assert command(["report", str(tmp_path / "nowhere")]) == 2
    assert "no such folder" in capsys.readouterr().err
    assert command(["report", str(tmp_path)]) == 2
    assert "not a run or sweep folder" in capsys.readouterr().err


# --- figure functions on synthetic tables ----------------------------------------------------


def synthetic_long() -> pd.DataFrame:
    rows = []
    for run, label in [("a", "x"), ("b", "x"), ("c", "y")]:
        for month, date in enumerate(["2019-11", "2019-12", "2020-01"], start=1):
            value = {"a": 1.0, "b": 3.0, "c": 10.0}[run] * month
            rows.append(
                {
                    "run_id": run,
                    "variant": int(label == "y"),
                    "label": label,
                    "replication": 0,
                    "month": month,
                    "date": date,
                    "variable": "member_plp_gap",
                    "value": value,
                }
            )
    return pd.DataFrame(rows)


def test_quantile_bands_and_band_figure():
    long = synthetic_long()
    bands = quantile_bands(long, "member_plp_gap")
    x = bands[bands["label"] == "x"].reset_index(drop=True)
    assert list(x["median"]) == [2.0, 4.0, 6.0] and list(x["runs"]) == [2, 2, 2]
    assert x["low"].iloc[0] == pytest.approx(1.1) and x["high"].iloc[0] == pytest.approx(2.9)
    events = [EventMark("general_election", "2019-12")]
    fig = band_figure(long, ["member_plp_gap", "not_there"], events=events)
    (ax,) = fig.axes
    assert ax.get_title() == "Member–PLP gap" and "PLP − members" in ax.get_ylabel()
    labels = [line.get_label() for line in ax.get_lines()]
    assert "x (n=2)" in labels and "y (n=1)" in labels and "general election" in labels


def test_common_events_keep_those_in_most_runs():
    events = pd.DataFrame(
        [{"run_id": r, "type": "general_election", "month": "2019-12"} for r in "abc"]
        + [{"run_id": "a", "type": "leadership_contest", "month": "2020-04"}]
    )
    assert common_events(events, 3) == [EventMark("general_election", "2019-12")]


def test_contest_figure_draws_bars_or_says_there_were_none():
    outcomes = pd.DataFrame(
        {
            "variant": [0, 0, 1],
            "label": ["omov", "omov", "college"],
            "contests_won_left": [2.0, 1.0, 0.0],
            "contests_won_right": [0.0, 1.0, 1.0],
        }
    )
    ax = contest_outcomes_figure(outcomes).axes[0]
    widths = [p.get_width() for p in ax.patches]
    assert widths == [1.5, 0.0, 0.5, 1.0]  # left bars per variant, then right bars
    empty = outcomes.assign(contests_won_left=0.0, contests_won_right=0.0)
    texts = [t.get_text() for t in contest_outcomes_figure(empty).axes[0].texts]
    assert texts == ["no leadership contests in these runs"]


def test_deselections_figure_counts_per_parliament_per_run():
    deselected = make_event(TriggerBallot, outcome={"full_selection": True}, result="deselected")
    records = [
        ("a", deselected),
        ("a", make_event(Selection, reason="retirement", winner="N")),
        ("a", make_event(GeneralElection)),
        ("a", deselected),
        ("b", deselected),
    ]
    events = pd.DataFrame(
        [
            {"run_id": r, "label": "v", "type": rec.type, "month": "2020-01", "record": rec}
            for r, rec in records
        ]
    )
    runs = pd.DataFrame({"run_id": ["a", "b", "c"], "variant": [0, 0, 0], "label": "v"})
    ax = deselections_figure(events, runs).axes[0]
    # Before the first election: 2 deselections in 3 runs; after it: 1 in 3.
    heights = [p.get_height() for p in ax.patches]
    assert heights == pytest.approx([2 / 3, 1 / 3])
    assert [t.get_text() for t in ax.get_xticklabels()] == ["before 1st GE", "after GE 1"]


def test_report_data_of_a_sweep_matches_its_tables(tmp_path: Path):
    data = {"experiment": {"name": "one", "scenario": "-", "replications": 2, "root_seed": 4}}
    experiment = parse_experiment(data, base=small_scenario(calendar={"months": 3}))
    result = run_experiment(experiment, tmp_path, progress=False)
    report = load_report_data(tmp_path)
    assert report.kind == "sweep" and report.factors == []
    pd.testing.assert_frame_equal(report.outcomes, result.outcomes)
    assert len(report.series_long) == len(result.series_long)


# --- a single run's report, and what the command lists -------------------------------------


def test_a_single_run_is_not_drawn_as_a_median_across_seeds():
    long = synthetic_long()
    one = long[long["run_id"] == "a"]
    fig = band_figure(one, ["member_plp_gap"])
    assert fig.get_suptitle() == "one run: its monthly values"
    labels = [line.get_label() for line in fig.axes[0].get_lines()]
    assert labels[0] == "x" and not any("(n=" in label for label in labels)
    assert not fig.axes[0].collections  # no band around one line
    several = band_figure(long, ["member_plp_gap"])
    assert "median across seeds" in several.get_suptitle() and several.axes[0].collections


def test_short_series_put_the_year_on_every_date(tmp_path: Path):
    long = synthetic_long()  # 2019-11 .. 2020-01
    fig = band_figure(long, ["member_plp_gap"])
    fig.canvas.draw()
    (ax,) = fig.axes
    labels = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert labels and all(re.fullmatch(r"[A-Z][a-z]{2} 20\d\d", label) for label in labels)


def test_every_event_marker_looks_different():
    from model.analysis.figures import EVENT_MARKERS

    looks = [(colour, str(dashes), marker) for colour, _, dashes, marker in EVENT_MARKERS.values()]
    assert len(set(looks)) == len(looks)
    colours = [colour for colour, _, _, _ in EVENT_MARKERS.values()]
    assert len(set(colours)) == len(colours)  # conference and rule change were both purple
    names = [name for _, name, _, _ in EVENT_MARKERS.values()]
    assert len(set(names)) == len(names)


def test_report_of_a_folder_that_cannot_be_written(tmp_path: Path, capsys, monkeypatch):
    from model.study import outputs

    result = simulate(small_scenario(calendar={"months": 2}), seed=2)
    write_run(result, tmp_path, figures=False)

    def read_only(path, *, flag="--out"):
        raise outputs.OutputError(f"{path}: cannot write there (read-only file system in {path})")

    monkeypatch.setattr(outputs, "check_writable", read_only)
    assert command(["report", str(tmp_path)]) == 2
    assert "cannot write there (read-only file system" in capsys.readouterr().err
    assert not (tmp_path / "report.md").exists() and not (tmp_path / "figures").exists()


def test_report_refuses_a_folder_in_use(tmp_path: Path, capsys):
    from model.study.outputs import lock_folder

    result = simulate(small_scenario(calendar={"months": 2}), seed=2)
    write_run(result, tmp_path / "run", figures=False)
    with lock_folder(tmp_path / "run", command="factions sweep x"):
        assert command(["report", str(tmp_path / "run")]) == 2
    assert "in use by process" in capsys.readouterr().err
    assert not (tmp_path / "run" / "report.md").exists()
