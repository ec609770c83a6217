"""The web page without a browser: its model, panels, figures, command and assets.

The real-browser test is tests/test_app_browser.py; these run in seconds.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import inspect
import io
import re
import tarfile
from pathlib import Path

import ipyvuetify as v
import ipywidgets
import numpy as np
import pandas as pd
import pytest
import solara
from matplotlib.figure import Figure
from mesa.visualization.solara_viz import _build_model_init_kwargs, _check_model_params
from mesa.visualization.utils import update_counter

from model.analysis import figures as plots
from model.app import assets as viz_assets
from model.app import page as app
from model.cli import viz as viz_command
from model.rules.schema import preset_names, resolve_rules

SMALL = {"scale": 0.005}


@pytest.fixture(scope="module")
def stepped() -> app.VizPartyModel:
    """A small page model three months in."""
    model = app.VizPartyModel(**SMALL)
    model.run_for(3)
    return model


# --- the model the page drives ---------------------------------------------------


def test_scenario_names_lists_the_folder_default_first() -> None:
    names = app.scenario_names()
    assert names[0] == "default"
    assert sorted(names) == sorted(p.stem for p in app.SCENARIO_DIR.glob("*.toml"))


def test_build_scenario_applies_the_page_parameters() -> None:
    base = app.build_scenario()
    changed = app.build_scenario(
        "default",
        "labour_2018",
        scale=0.05,
        joining=2.0,
        lapsing=0.5,
        leader_cue=3.0,
        organisers=100.0,
    )
    assert changed.party.scale == 0.05
    assert changed.rules.preset == "labour_2018"
    assert changed.flows.join_rate == pytest.approx(2 * base.flows.join_rate)
    assert changed.flows.churn == pytest.approx(0.5 * base.flows.churn)
    assert changed.influence.leader_cue == pytest.approx(3 * base.influence.leader_cue)
    assert all(f.organisers == 650 for f in changed.factions)  # capped at the CLP count
    assert base.rules.preset == app.load_scenario(app.SCENARIO_DIR / "default.toml").rules.preset


def test_seed_text_is_accepted() -> None:
    assert app.parse_seed(" 42 ") == 42
    assert app.parse_seed("abc") == app.parse_seed("abc") != app.parse_seed("abd")


def test_model_params_match_the_model_and_reset_rebuilds_it() -> None:
    params = app.make_model_params()
    _check_model_params(app.VizPartyModel.__init__, params)  # Mesa's own check
    signature = inspect.signature(app.VizPartyModel.__init__).parameters
    for name, spec in params.items():
        default = signature[name].default
        assert spec["value"] == default or str(spec["value"]) == str(default), name
        if spec["type"] == "Select":
            assert spec["value"] in spec["values"]
    assert params["rules_preset"]["values"][1:] == preset_names()

    # What Mesa's Reset does with the sidebar's values.
    model = app.VizPartyModel(**SMALL)
    values = {name: spec["value"] for name, spec in params.items()}
    values.update(scale=0.01, rules_preset="labour_2014", seed="7")
    kwargs = _build_model_init_kwargs(
        model, values, add_scenario_when_empty=True, require_model_accepts_scenario=True
    )
    rebuilt = type(model)(**kwargs)
    assert rebuilt.config.party.scale == 0.01
    assert rebuilt.rules.label() == resolve_rules("labour_2014").label()
    assert rebuilt.seed == 7
    assert rebuilt.time == 0


def test_model_steps_and_stops_at_the_end_of_its_calendar() -> None:
    model = app.VizPartyModel(**SMALL)
    assert model.running
    model.run_for(model.horizon - 1)
    assert model.running
    model.step()
    assert not model.running
    assert len(model.series()) == model.horizon


# --- what the panels say ------------------------------------------------------------


def test_status_lines_before_and_after_steps(stepped: app.VizPartyModel) -> None:
    fresh = app.VizPartyModel(**SMALL)
    assert app.status_lines(fresh)[0] == "Month: 2016-10 (not yet simulated)"
    lines = app.status_lines(stepped)
    assert lines[0] == "Month: 2016-12 (month 3 of 120)"
    assert any(line.startswith("Rules: ") and stepped.rules.label() in line for line in lines)
    assert any("Multipliers: joining ×1" in line for line in lines)


def test_feed_folds_the_latest_agms_into_one_entry(stepped: app.VizPartyModel) -> None:
    entries = app.feed_entries(stepped.events)
    agms = [heading for heading, _ in entries if "CLP AGMs" in heading]
    assert len(agms) == 1 and agms[0].startswith("2016-12")  # the latest month's only
    assert entries[0][0] == agms[0]  # newest first
    n_agms = sum(1 for r in stepped.events if r.type == "agm" and r.month == "2016-12")
    assert f"{n_agms} CLP AGMs" in entries[0][0]
    assert all(re.match(r"CLP \d+: .+ → .+|… and \d+ more", d) for d in entries[0][1])


def test_contest_rounds_and_unknown_events_are_described() -> None:
    contest = {
        "type": "leadership_contest",
        "month": "2020-04",
        "decided_by": "ballot",
        "winner": "Starmer",
        "rounds": [
            {
                "round": 1,
                "totals_pct": {"Starmer": 56.2, "Long-Bailey": 27.6, "Nandy": 16.2},
                "totals": {"Starmer": "281/5"},
                "eliminated": None,
                "majority": "Starmer",
            }
        ],
    }
    heading, details = app.describe_event(contest)
    assert heading == "2020-04 · leadership contest (by ballot) · winner: Starmer"
    assert details[0] == "R1: Starmer 56.2% · Long-Bailey 27.6% · Nandy 16.2% (Starmer wins)"

    votes = {"round": 2, "votes": {"A": 1200, "B": 800}, "eliminated": "B"}
    assert app.describe_round(votes) == "R2: A 1,200 · B 800 (B out)"
    shares = {"round": 1, "shares": {"A": 0.6, "B": 0.4}}
    assert app.describe_round(shares) == "R1: A 60.0% · B 40.0%"

    odd = {"type": "new_kind_of_thing", "month": "2019-01", "level": 3, "tags": ["x", "y"]}
    heading, details = app.describe_event(odd)
    assert heading == "2019-01 · new kind of thing"
    assert details == ["level: 3", "tags: x, y"]
    agm = {"type": "agm", "month": "2020-05", "clp": 1, "control_before": "x", "control_after": "y"}
    feed = [h for h, _ in app.feed_entries([dict(agm, month="2018-01"), odd, contest, agm])]
    assert feed == [
        "2020-05 · 1 CLP AGMs, 1 changed control",
        "2020-04 · leadership contest (by ballot) · winner: Starmer",
        "2019-01 · new kind of thing",
    ]


def test_nested_counts_are_found_and_bulky_fields_left_out() -> None:
    rnd = {"round": 1, "totals_pct": {"A": 72.8, "B": 27.2}, "majority": "A"}
    contest = {
        "type": "leadership_contest",
        "month": "2020-04",
        "winner": "A",
        "count": {"winner": "A", "rounds": [rnd]},
        "ballots": {"rankings": [[0, 1]] * 50, "counts": [1] * 50},
        "nominations": {"candidates": [{"name": "A"}, {"name": "B"}]},
        "on_ballot": ["A", "B"],
    }
    heading, details = app.describe_event(contest)
    assert details == ["R1: A 72.8% · B 27.2% (A wins)", "on_ballot: A, B"]
    trigger = {
        "type": "trigger_ballot",
        "month": "2019-09",
        "selection": {"count": contest["count"]},
    }
    assert app.describe_event(trigger)[1][0].startswith("R1: A 72.8%")


def test_many_events_of_a_kind_in_a_month_fold_into_one_entry() -> None:
    results = ["reselected automatically"] * 6 + ["deselected"]
    events = [
        {"type": "trigger_ballot", "month": "2019-09", "mp": f"MP {i:03d}", "result": r}
        for i, r in enumerate(results)
    ] + [{"type": "retirement", "month": "2019-09", "mp": "MP 100", "clp": 100}]
    entries = app.feed_entries(events)
    assert [h for h, _ in entries] == [
        "2019-09 · retirement · mp: MP 100 · clp: 100",
        "2019-09 · trigger ballot ×7",
    ]
    assert entries[1][1] == [
        "result: reselected automatically 6 · deselected 1",
        "result: deselected · mp: MP 006",
    ]


# --- figures ------------------------------------------------------------------------


def test_ideology_histogram_marks_the_leader() -> None:
    rng = np.random.default_rng(0)
    fig = plots.ideology_histogram_figure(
        rng.normal(-0.3, 0.3, 500), rng.normal(0.1, 0.2, 50), -0.8
    )
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert len(ax.patches) == 2 * 40  # two histograms of 40 bins
    leader = [line for line in ax.lines if line.get_label().startswith("leader")]
    assert leader and leader[0].get_xdata()[0] == -0.8


def test_clp_map_is_a_tile_grid_with_counts() -> None:
    control = np.array([-1, 0, 1, 0] * 162 + [1, 1])  # 650 CLPs
    fig = plots.clp_control_map_figure(control, ["Left", "Right"])
    ax = fig.axes[0]
    grid = ax.images[0].get_array()
    assert grid.shape == (25, 26)
    assert (grid.ravel()[:650] == control + 2).all()
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["Left: 324", "Right: 164", "unaligned: 162"]


def test_series_figure_has_three_panels_and_copes_with_no_data(
    stepped: app.VizPartyModel,
) -> None:
    fig = plots.headline_series_figure(stepped.series(), list(stepped.events))
    assert len(fig.axes) == 3
    assert [len(ax.lines) > 0 for ax in fig.axes] == [True, True, True]
    empty = plots.headline_series_figure(pd.DataFrame())
    assert any("no months" in t.get_text() for ax in empty.axes for t in ax.texts)


# --- components (rendered headless) -------------------------------------------------


def _text(widget) -> str:
    children = getattr(widget, "children", [])
    return "".join(c if isinstance(c, str) else _text(c) for c in children)


@pytest.mark.parametrize("panel", [app.IdeologyPanel, app.ClpMapPanel, app.SeriesPanel])
def test_figure_panels_render_png(panel, stepped: app.VizPartyModel) -> None:
    _, rc = solara.render(panel(stepped), handle_error=False)
    image = rc.find(ipywidgets.Image).widget
    assert image.format == "png"
    assert bytes(image.value).startswith(b"\x89PNG")


def test_status_panel_renders_month_rules_and_feed(stepped: app.VizPartyModel) -> None:
    box, rc = solara.render(app.StatusAndEventsPanel(stepped), handle_error=False)
    text = _text(rc.find(v.Html, class_="status").widget)
    assert "Month: 2016-12 (month 3 of 120)" in text
    assert stepped.rules.label() in text
    assert "CLP AGMs" in _text(rc.find(v.Html, class_="event-feed").widget)


def test_panels_redraw_only_when_what_they_show_changes(monkeypatch) -> None:
    model = app.VizPartyModel(**SMALL)
    drawn = []
    original = app.clp_map_png
    monkeypatch.setattr(app, "clp_map_png", lambda *a: drawn.append(1) or original(*a))
    _, rc = solara.render(app.ClpMapPanel(model), handle_error=False)
    first = bytes(rc.find(ipywidgets.Image).widget.value)
    update_counter.value += 1  # a re-render with nothing changed
    assert len(drawn) == 1
    model.clps.control[:5] = (model.clps.control[:5] + 2) % 3 - 1  # five CLPs change hands
    update_counter.value += 1
    assert len(drawn) == 2
    assert bytes(rc.find(ipywidgets.Image).widget.value) != first


# --- the command and the offline assets ---------------------------------------------


def test_viz_parser_and_server_settings() -> None:
    parser = argparse.ArgumentParser()
    viz_command.add_viz_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["viz", "--port", "9001"])
    assert (args.port, args.host, args.open, args.handler) == (
        9001,
        "127.0.0.1",
        False,
        viz_command.run_viz,
    )
    with pytest.raises(SystemExit):
        parser.parse_args(["viz", "--port", "70000"])

    env = viz_command.server_env({"PATH": "/bin"})
    assert env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "False"
    assert env["SOLARA_ASSETS_CDN"].startswith("http://127.0.0.1:")
    assert viz_command.server_env({"SOLARA_ASSETS_CDN": "x"})["SOLARA_ASSETS_CDN"] == "x"
    command = viz_command.server_command("127.0.0.1", 9001)
    assert Path(command[4]) == viz_command.APP and viz_command.APP.exists()
    assert {"--production", "--no-check-version", "--no-open"} <= set(command)


def _tarball(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(f"package/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def test_assets_unpack_checked_tarballs_into_the_cache(tmp_path: Path, monkeypatch) -> None:
    data = _tarball({"dist/x.js": b"x()", "package.json": b"{}"})
    integrity = "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()
    package = viz_assets.NpmPackage("@scope/thing", "1.0.0", integrity)
    assert package.tarball_url() == "https://registry.npmjs.org/@scope/thing/-/thing-1.0.0.tgz"
    monkeypatch.setattr(viz_assets, "fetch", lambda p, registry: data)
    assert viz_assets.missing(tmp_path, [package]) == [package]
    created = viz_assets.install(tmp_path, assets=[package], log=False)
    assert created == [tmp_path / "@scope" / "thing@1.0.0"]
    assert (created[0] / "dist" / "x.js").read_bytes() == b"x()"
    assert viz_assets.missing(tmp_path, [package]) == []
    viz_assets.check_integrity(data, integrity)
    with pytest.raises(ValueError, match="integrity mismatch"):
        viz_assets.check_integrity(data + b"!", integrity)


def test_assets_are_the_versions_solara_asks_for() -> None:
    """A Solara upgrade that moves an asset version must update viz_assets.ASSETS."""
    import solara as solara_package

    root = Path(solara_package.__file__).parent
    sources = "".join(
        p.read_text(errors="ignore")
        for p in [
            root / "server" / "templates" / "solara.html.j2",
            root / "server" / "settings.py",
            root / "widgets" / "vue" / "gridlayout.vue",
        ]
    )
    for package in viz_assets.ASSETS:
        assert package.folder in sources, package.folder


def test_browser_test_fails_rather_than_skips_under_ci(monkeypatch) -> None:
    from tests.test_app_browser import require

    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception):
        require(False, "no browser")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="may not be skipped"):
        require(False, "no browser")
    require(True, "fine")
