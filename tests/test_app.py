"""The web page without a browser: its model, inputs, panels, figures, error view and assets.

The event feed is tested in tests/test_app_feed.py, the `factions viz`
command in tests/test_viz_command.py and the page in a real browser in
tests/test_app_browser.py; these run in seconds.
"""

from __future__ import annotations

import base64
import hashlib
import inspect
import io
import logging
import math
import os
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
from model.app import panels
from model.app import viz_model as vm
from model.party import PartyModel
from model.rules.presets import preset_names, resolve_rules
from model.scenario.schema import load_scenario

ROOT = Path(__file__).resolve().parents[1]
SMALL = {"scale": 0.005}


@pytest.fixture(scope="module")
def stepped() -> vm.VizPartyModel:
    """A small page model three months in."""
    model = vm.VizPartyModel(**SMALL)
    model.run_for(3)
    return model


# --- the model the page drives ---------------------------------------------------


def test_scenario_names_lists_the_folder_default_first() -> None:
    names = vm.scenario_names()
    assert names[0] == "default"
    assert sorted(names) == sorted(p.stem for p in vm.SCENARIO_DIR.glob("*.toml"))


def test_build_scenario_applies_the_page_parameters() -> None:
    base = vm.build_scenario()
    changed = vm.build_scenario(
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
    assert base.rules.preset == load_scenario(vm.SCENARIO_DIR / "default.toml").rules.preset


def test_seed_text_is_accepted() -> None:
    assert vm.parse_seed(" 42 ") == 42
    assert vm.parse_seed("abc") == vm.parse_seed("abc") != vm.parse_seed("abd")
    # numpy refuses negative seeds: they are hashed like text, as are huge numbers.
    assert vm.parse_seed("-1") == vm.parse_seed("-1") >= 0
    assert 0 <= vm.parse_seed("9" * 5000) <= vm.MAX_SEED
    assert vm.VizPartyModel(seed="-1", **SMALL).seed == vm.parse_seed("-1")


def test_model_params_match_the_model_and_reset_rebuilds_it() -> None:
    params = vm.make_model_params()
    _check_model_params(vm.VizPartyModel.__init__, params)  # Mesa's own check
    signature = inspect.signature(vm.VizPartyModel.__init__).parameters
    for name, spec in params.items():
        default = signature[name].default
        assert spec["value"] == default or str(spec["value"]) == str(default), name
        if spec["type"] == "Select":
            assert spec["value"] in spec["values"]
    assert params["rules_preset"]["values"][1:] == preset_names()
    assert app.model_params == params  # what the page shows is what is checked

    # What Mesa's Reset does with the sidebar's values.
    model = vm.VizPartyModel(**SMALL)
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
    model = vm.VizPartyModel(**SMALL)
    assert model.running
    model.run_for(model.horizon - 1)
    assert model.running
    model.step()
    assert not model.running
    assert len(model.series()) == model.horizon


# --- values from the browser are checked (path traversal and friends) -----------------


def evil_scenario(folder: Path) -> Path:
    """A valid scenario file outside scenarios/, named EVIL (loading it would show)."""
    text = (vm.SCENARIO_DIR / "default.toml").read_text()
    evil = folder / "evil.toml"
    evil.write_text(text.replace('name = "default"', 'name = "EVIL"', 1))
    assert load_scenario(evil).scenario.name == "EVIL"
    return evil


def _assert_short(message: str) -> None:
    """A message fit for the page: one short line, no server path, no traceback."""
    assert len(message) < 120 and "\n" not in message, message
    assert str(ROOT) not in message and "Traceback" not in message, message
    assert ".toml" not in message and "/" not in message, message


def test_scenario_values_outside_the_list_never_reach_the_file_system(
    tmp_path: Path, monkeypatch
) -> None:
    evil = evil_scenario(tmp_path)
    traversal = os.path.relpath(evil.with_suffix(""), vm.SCENARIO_DIR)  # ../../…/evil
    assert (vm.SCENARIO_DIR / f"{traversal}.toml").resolve() == evil.resolve()
    opened: list[Path] = []
    monkeypatch.setattr(
        vm, "load_scenario", lambda path: opened.append(path) or load_scenario(path)
    )
    crafted = [
        traversal,
        str(evil.with_suffix("")),  # absolute
        "../pyproject",
        "default/../default",
        "default.toml",
        "./default",
        "",
        None,
        7,
        ["default"],
        {"name": "default"},
    ]
    for value in crafted:
        with pytest.raises(vm.PageInputError) as refused:
            vm.build_scenario(value)  # type: ignore[arg-type]
        _assert_short(str(refused.value))
        with pytest.raises(vm.PageInputError) as refused:
            vm.VizPartyModel(scenario_name=value, **SMALL)  # type: ignore[arg-type]
        assert str(refused.value) == "Scenario: not one of the listed choices."
    assert opened == []  # nothing was even looked up
    vm.build_scenario("default")
    assert opened == [vm.SCENARIO_DIR / "default.toml"]


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("rules_preset", "../../etc/passwd", "Rules preset: not one of the listed choices."),
        ("rules_preset", None, "Rules preset: not one of the listed choices."),
        ("scale", 50.0, "Scale (share of real size): must be a number from 0.005 to 0.1."),
        ("scale", -1, "Scale (share of real size): must be a number from 0.005 to 0.1."),
        ("scale", math.nan, "Scale (share of real size): must be a number from 0.005 to 0.1."),
        ("scale", "0.01", "Scale (share of real size): must be a number from 0.005 to 0.1."),
        ("scale", True, "Scale (share of real size): must be a number from 0.005 to 0.1."),
        ("organisers", 1e9, "Faction organisers (× scenario): must be a number from 0 to 3."),
        ("seed", ["1"], "Random seed: must be text."),
    ],
)
def test_other_values_the_sidebar_does_not_offer_are_refused(name, value, message) -> None:
    with pytest.raises(vm.PageInputError) as refused:
        vm.VizPartyModel(**{**SMALL, name: value})
    assert str(refused.value) == message


def test_inputs_within_the_sidebar_are_accepted() -> None:
    values = {name: spec["value"] for name, spec in vm.make_model_params().items()}
    values.update(scale=0.1, organisers=0, seed=12, rules_preset="labour_2018")
    checked = vm.check_inputs(values)
    assert checked["scale"] == 0.1 and checked["organisers"] == 0.0 and checked["seed"] == "12"
    assert len(vm.check_inputs({"seed": "x" * 10_000})["seed"]) == vm.MAX_SEED_TEXT
    with pytest.raises(vm.PageInputError, match="not an input of this page"):
        vm.check_inputs({"folder": "/"})


def test_a_listed_scenario_that_fails_to_load_gives_a_short_message(
    tmp_path: Path, monkeypatch, caplog
) -> None:
    (tmp_path / "default.toml").write_text((vm.SCENARIO_DIR / "default.toml").read_text())
    (tmp_path / "broken.toml").write_text("[scenario]\nname = 'broken'\n")
    monkeypatch.setattr(vm, "SCENARIO_DIR", tmp_path)
    assert vm.scenario_names() == ["default", "broken"]
    with (
        caplog.at_level(logging.WARNING, logger=vm.__name__),
        pytest.raises(vm.PageInputError) as refused,
    ):
        vm.VizPartyModel(scenario_name="broken", **SMALL)
    assert str(refused.value) == (
        "Scenario broken: could not be loaded (details in the server's log)."
    )
    assert str(tmp_path) in caplog.text  # the details, for whoever runs the server


# --- what the panels say ------------------------------------------------------------


def test_status_lines_before_and_after_steps(stepped: vm.VizPartyModel) -> None:
    fresh = vm.VizPartyModel(**SMALL)
    assert panels.status_lines(fresh)[0] == "Month: 2016-10 (not yet simulated)"
    lines = panels.status_lines(stepped)
    assert lines[0] == "Month: 2016-12 (month 3 of 120)"
    assert any(line.startswith("Rules: ") and stepped.rules.label() in line for line in lines)
    assert any("Multipliers: joining ×1" in line for line in lines)


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
    stepped: vm.VizPartyModel,
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


@pytest.mark.parametrize("panel", [panels.IdeologyPanel, panels.ClpMapPanel, panels.SeriesPanel])
def test_figure_panels_render_png(panel, stepped: vm.VizPartyModel) -> None:
    _, rc = solara.render(panel(stepped), handle_error=False)
    image = rc.find(ipywidgets.Image).widget
    assert image.format == "png"
    assert bytes(image.value).startswith(b"\x89PNG")


def test_status_panel_renders_month_rules_and_feed(stepped: vm.VizPartyModel) -> None:
    box, rc = solara.render(panels.StatusAndEventsPanel(stepped), handle_error=False)
    text = _text(rc.find(v.Html, class_="status").widget)
    assert "Month: 2016-12 (month 3 of 120)" in text
    assert stepped.rules.label() in text
    assert "CLP AGMs" in _text(rc.find(v.Html, class_="event-feed").widget)


def test_panels_redraw_only_when_what_they_show_changes(monkeypatch) -> None:
    model = vm.VizPartyModel(**SMALL)
    drawn = []
    original = panels.clp_map_png
    monkeypatch.setattr(panels, "clp_map_png", lambda *a: drawn.append(1) or original(*a))
    _, rc = solara.render(panels.ClpMapPanel(model), handle_error=False)
    first = bytes(rc.find(ipywidgets.Image).widget.value)
    update_counter.value += 1  # a re-render with nothing changed
    assert len(drawn) == 1
    model.clps.control[:5] = (model.clps.control[:5] + 2) % 3 - 1  # five CLPs change hands
    update_counter.value += 1
    assert len(drawn) == 2
    assert bytes(rc.find(ipywidgets.Image).widget.value) != first


# --- errors on the page: one short line, never a traceback --------------------------------


def _page():
    """The page as Solara serves it: Page inside the module's Layout (the error boundary)."""
    box, rc = solara.render(app.Layout(children=[app.Page()]), handle_error=False)
    return box, rc


def _click(rc, label: str) -> None:
    rc.find(v.Btn, children=[label]).widget.click()


def _status(rc) -> str:
    return _text(rc.find(v.Html, class_="status").widget)


def test_a_crafted_select_value_is_refused_with_a_short_line(caplog) -> None:
    box, rc = _page()
    _click(rc, "Step")
    assert "Month: 2016-10 (month 1 of 120)" in _status(rc)
    # What a browser can send: any value for the select, whatever its items.
    rc.find(v.Select, label="Scenario").widget.v_model = "../../somewhere/evil"
    with caplog.at_level(logging.WARNING, logger=app.__name__):
        _click(rc, "Reset")
    text = _text(box)
    assert "Refused: Scenario: not one of the listed choices." in text
    assert "Traceback" not in text and str(ROOT) not in text and "somewhere" not in text
    assert "refused a value from the page" in caplog.text
    assert "Traceback" not in caplog.text
    _click(rc, "Back to the page")
    assert "Month: 2016-10 (month 1 of 120)" in _status(rc)  # the model was left as it was
    assert rc.find(v.Select, label="Scenario").widget.v_model == "default"


def test_an_error_on_the_page_shows_no_message_or_path(monkeypatch, caplog) -> None:
    def fail(self) -> None:
        raise RuntimeError(f"failed reading {ROOT}/model/secret.py")

    # A bug in the month's work: a short line naming the month, the rest in the log.
    monkeypatch.setattr(PartyModel, "step", fail)  # before Mesa takes the model's step
    box, rc = _page()
    with caplog.at_level(logging.WARNING):
        _click(rc, "Step")
    text = _text(box)
    assert (
        "The model failed in month 1 (RuntimeError); the details are in the server's log."
    ) in text
    assert str(ROOT) not in text and "secret" not in text and "Traceback" not in text
    assert "secret.py" in caplog.text and "Traceback" in caplog.text  # for the server's owner


def test_an_error_while_drawing_the_page_shows_a_generic_line(monkeypatch, caplog) -> None:
    def fail(model) -> list[str]:
        raise OSError(f"cannot open {ROOT}/model/secret.py")

    monkeypatch.setattr(panels, "status_lines", fail)
    with caplog.at_level(logging.ERROR, logger=app.__name__):
        box, _ = _page()
    text = _text(box)
    assert "Something went wrong (OSError); the details are in the server's log." in text
    assert str(ROOT) not in text and "secret" not in text and "Traceback" not in text
    assert "secret.py" in caplog.text and "Traceback" in caplog.text


# --- the offline assets -------------------------------------------------------------


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
