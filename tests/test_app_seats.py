"""The web page's CLP panel: the real seats on the hex map and one seat's state (no browser).

The real-browser check that a named seat appears on the page is in
tests/test_app_browser.py.
"""

from __future__ import annotations

import ipyvuetify as v
import ipywidgets
import pytest
import solara

from model.analysis.seat_tables import MAP_VIEWS
from model.app import panels, seat_view
from model.app import viz_model as vm
from model.records.events import GeneralElection, TriggerBallot
from tests.factories import make_event


@pytest.fixture(scope="module")
def stepped() -> vm.VizPartyModel:
    model = vm.VizPartyModel(scale=0.005)
    model.run_for(3)
    return model


def _text(widget) -> str:
    children = getattr(widget, "children", [])
    return "".join(c if isinstance(c, str) else _text(c) for c in children)


def test_the_panel_shows_the_leaders_seat_first(stepped: vm.VizPartyModel) -> None:
    _, rc = solara.render(panels.ClpMapPanel(stepped), handle_error=False)
    details = _text(rc.find(v.Html, class_="seat-details").widget)
    assert details.startswith("Islington North (E14000763), London")
    assert "MP: Jeremy Corbyn" in details and "Executive:" in details
    legend = _text(rc.find(v.Html, class_="seat-legend").widget)
    assert "Momentum (" in legend and "unaligned (" in legend
    image = rc.find(ipywidgets.Image).widget
    assert bytes(image.value).startswith(b"\x89PNG")


def test_every_view_draws_and_switching_changes_the_picture(stepped: vm.VizPartyModel) -> None:
    table = seat_view.map_table(stepped)
    pictures = {view: seat_view.map_png(table, view, "Islington North") for view in MAP_VIEWS}
    assert len(set(pictures.values())) == len(MAP_VIEWS)
    assert seat_view.legend_items(table, "margin") == []  # a colour bar instead
    trigger = dict(seat_view.legend_items(table, "trigger"))
    assert any(k.startswith("no trigger ballot") for k in trigger)
    assert set(seat_view.VIEW_LABELS.values()) == set(MAP_VIEWS)


def test_choosing_a_seat_describes_it(stepped: vm.VizPartyModel) -> None:
    _, rc = solara.render(panels.ClpMapPanel(stepped), handle_error=False)
    seat_select = rc.find(v.Select, label="Seat").widget
    assert "Ynys Môn" in seat_select.items and len(seat_select.items) == 632
    seat_select.v_model = "Ynys Môn"
    details = _text(rc.find(v.Html, class_="seat-details").widget)
    assert details.startswith("Ynys Môn (W07000041), Wales")
    rc.find(v.Select, label="Colour by").widget.v_model = "Labour's margin"
    assert _text(rc.find(v.Html, class_="seat-legend").widget) == ""


def test_status_names_the_leaders_seat(stepped: vm.VizPartyModel) -> None:
    assert any(
        line.startswith("Leader: Jeremy Corbyn") and line.endswith("Islington North")
        for line in panels.status_lines(stepped)
    )


def test_the_feed_names_seats() -> None:
    from model.app.feed import feed_entries

    ballot = make_event(
        TriggerBallot,
        "2019-09",
        mp="MP for Bassetlaw",
        clp=12,
        seat="Bassetlaw",
        mp_faction="unaligned",
        result="deselected",
        outcome={"full_selection": True},
    )
    election = make_event(
        GeneralElection,
        "2019-12",
        seats=202,
        total_seats=632,
        seat_source="real result 2019",
        lost_seats=["Bury North", "Kensington"],
        gained_seats=["Putney"],
    )
    (first, second) = feed_entries([ballot, election])
    assert "seats from: real result 2019" in second.details or (
        "seats from: real result 2019" in first.details
    )
    text = " ".join([first.heading, *first.details, second.heading, *second.details])
    assert "Bassetlaw" in text and "CLP 12" not in text
    assert "gained: Putney" in text and "lost: Bury North; Kensington" in text


def test_the_chosen_seat_stays_when_the_leader_changes() -> None:
    model = vm.VizPartyModel(scale=0.005)
    _, rc = solara.render(panels.ClpMapPanel(model), handle_error=False)
    rc.find(v.Select, label="Seat").widget.v_model = "Ynys Môn"
    successor = next(mp for mp in model.sitting_mps if mp is not model.leader)
    model.state.leader = successor  # a new leader, as after a contest
    from mesa.visualization.utils import update_counter

    update_counter.value += 1
    assert rc.find(v.Select, label="Seat").widget.v_model == "Ynys Môn"
