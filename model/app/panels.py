"""The page's four panels: three figures and the status with the event feed.

* members' ideology against the PLP's (histograms; the leader marked);
* the CLPs on the hex map of the real seats (`model.app.seat_view`), coloured
  by executive control, the MP's faction, Labour's margin or trigger ballots,
  with one chosen seat's state beside it;
* time series (full members, the member–PLP gap, CLPs per faction);
* the month, the rules and an event feed (`model.app.feed`).

The figures come from `model.analysis.figures`, so `factions report` draws
the same pictures. Each panel caches its picture on what it shows (the model
and its month; for the map, the control of every CLP), so a re-render that
changed nothing redraws nothing.
"""

from __future__ import annotations

import io
from collections.abc import Callable

import numpy as np
import pandas as pd
import reacton.ipywidgets as rw
import solara
from matplotlib.figure import Figure
from mesa.visualization.utils import update_counter

from model.agents.mps import MP_PREFIX
from model.analysis import figures as plots
from model.analysis.seat_tables import clp_table
from model.app import seat_view
from model.app.feed import feed_entries
from model.app.viz_model import MULTIPLIERS
from model.party import PartyModel

PANEL_DPI = 100
# Figure sizes (inches at PANEL_DPI) that fit Mesa's grid cells (about 390 px high).
PANEL_SIZES = {"ideology": (5.4, 3.3), "map": (5.4, 3.8), "series": (5.4, 3.8)}


def status_lines(model: PartyModel) -> list[str]:
    """The month, the rules and headline figures, one line each."""
    months = int(model.time)
    horizon = getattr(model, "horizon", model.config.calendar.months)
    if months == 0:
        when = f"{model.start} (not yet simulated)"
    else:
        when = f"{model.now} (month {months} of {horizon})"
    m = model.members
    full = int(np.count_nonzero(m.full_members()))
    control = np.bincount(model.clps.control + 1, minlength=len(model.factions) + 1)
    held = ", ".join(f"{f.name} {control[f.index + 1]}" for f in model.factions)
    lines = [
        f"Month: {when}",
        f"Scenario: {model.config.scenario.name}, scale {model.config.party.scale:g}, "
        f"seed {model.seed}",
        f"Rules: {model.rules.label()}",
        f"Leader: {model.leader.name} ({model.leader.ideology:+.2f})"
        + ("" if model.leader.name.startswith(MP_PREFIX) else f", {model.leader.seat}"),
        f"Full members: {full / model.config.party.scale:,.0f} at full size "
        f"({full:,} simulated); PLP: {len(model.sitting_mps)}",
        f"CLPs held: {held}, unaligned {control[0]}",
    ]
    multipliers = getattr(model, "multipliers", None)
    if multipliers:
        lines.append(
            "Multipliers: "
            + ", ".join(f"{MULTIPLIERS.get(k, k)} ×{v:g}" for k, v in multipliers.items())
        )
    return lines


# --- panels --------------------------------------------------------------------


def figure_png(make: Callable[[], Figure]) -> bytes:
    """Draw a figure to PNG bytes (the figures are not pyplot's: nothing to close)."""
    buf = io.BytesIO()
    make().savefig(buf, format="png", dpi=PANEL_DPI)
    return buf.getvalue()


def ideology_png(model: PartyModel) -> bytes:
    """The ideology histograms of the model as it stands."""
    m = model.members
    return figure_png(
        lambda: plots.ideology_histogram_figure(
            m.ideology[m.full_members()],
            [mp.ideology for mp in model.sitting_mps],
            model.leader.ideology,
            leader_name=model.leader.name,
            title=f"Ideology, {model.now}: members and PLP",
            figsize=PANEL_SIZES["ideology"],
        )
    )


def clp_map_png(table: pd.DataFrame, view: str, seat: str | None) -> bytes:
    """The seats on the hex map, coloured by `view`, `seat` outlined (`model.app.seat_view`)."""
    return seat_view.map_png(table, view, seat, dpi=PANEL_DPI)


def series_png(model: PartyModel) -> bytes:
    """The time-series panels of the run so far."""
    return figure_png(
        lambda: plots.headline_series_figure(
            model.series(), list(model.events), figsize=PANEL_SIZES["series"]
        )
    )


def PanelImage(png: bytes):
    """A figure scaled down (never up) to fit its grid cell, keeping its shape."""
    return rw.Image(
        value=png,
        format="png",
        layout={"max_width": "100%", "max_height": "380px"},
        _dom_classes=["solara-image", "panel-figure"],
    )


@solara.component
def IdeologyPanel(model: PartyModel):
    """Members' ideology against the PLP's, with the leader marked."""
    update_counter.get()  # re-render after each Step / Play tick
    png = solara.use_memo(lambda: ideology_png(model), [id(model), model.time])
    PanelImage(png)


@solara.component
def ClpMapPanel(model: PartyModel):
    """The CLPs on the hex map of the real seats, and the state of a chosen seat.

    "Colour by" switches the map between the faction controlling each executive,
    the MP's faction, Labour's margin and trigger-ballot results; "Seat" picks a
    seat (the leader's at first), outlined on the map and described beside it.
    """
    update_counter.get()
    names = solara.use_memo(lambda: seat_view.seat_names(model), [id(model)])
    view_label = solara.use_reactive(next(iter(seat_view.VIEW_LABELS)))
    # The first seat shown is the leader's when the model is made; solara.use_reactive
    # follows its argument, so it must not change when the leader does.
    first = solara.use_memo(lambda: seat_view.default_seat(model, names), [id(model)])
    chosen = solara.use_reactive(first)
    # After a Reset the model may stand on other seats: fall back to its default.
    seat = chosen.value if chosen.value in names else seat_view.default_seat(model, names)
    view = seat_view.VIEW_LABELS[view_label.value]
    table = seat_view.map_table(model)
    # Keyed on what the map shows: most months no hex changes colour, so no redraw.
    key = (id(model), seat_view.view_key(table, view), seat)
    png = solara.use_memo(lambda: clp_map_png(table, view, seat), [key])
    details = solara.use_memo(
        lambda: seat_view.seat_lines(clp_table(model), seat),
        [id(model), model.time, len(model.events), seat],
    )
    with solara.Row(gap="6px", style={"align-items": "flex-start"}, classes=["seat-panel"]):
        with solara.Column(style={"flex": "0 0 58%", "max-width": "58%"}):
            PanelImage(png)
        with solara.Column(gap="2px", style={"flex": "1 1 0", "font-size": "12px"}):
            solara.Select(label="Colour by", values=list(seat_view.VIEW_LABELS), value=view_label)
            with solara.v.Html(tag="div", class_="seat-legend"):
                for label, colour in seat_view.legend_items(table, view):
                    solara.v.Html(
                        tag="div",
                        children=[
                            solara.v.Html(
                                tag="span",
                                children=["\u25a0 "],
                                style_=f"color: {colour}; font-size: 15px",
                            ),
                            label,
                        ],
                    )
            solara.Select(label="Seat", values=names, value=seat, on_value=chosen.set)
            with solara.v.Html(
                tag="div", class_="seat-details", style_="overflow-y: auto; max-height: 150px"
            ):
                for line in details:
                    solara.v.Html(tag="div", children=[line], style_="margin-bottom: 2px")


@solara.component
def SeriesPanel(model: PartyModel):
    """Membership, the member–PLP gap and CLPs per faction over time."""
    update_counter.get()
    png = solara.use_memo(lambda: series_png(model), [id(model), model.time])
    PanelImage(png)


@solara.component
def StatusAndEventsPanel(model: PartyModel):
    """The month, the rules and the latest events."""
    update_counter.get()
    lines = solara.use_memo(lambda: status_lines(model), [id(model), model.time])
    entries = solara.use_memo(lambda: feed_entries(model.events), [id(model), len(model.events)])
    with solara.Column(
        gap="4px", style={"padding": "8px", "font-size": "13px"}, classes=["status-panel"]
    ):
        with solara.v.Html(tag="div", class_="status"):
            for line in lines:
                label, _, value = line.partition(": ")
                solara.v.Html(
                    tag="div", children=[solara.v.Html(tag="b", children=[label + ": "]), value]
                )
        solara.v.Html(
            tag="div",
            children=["Events (newest first)"],
            style_="font-weight: bold; margin-top: 6px",
        )
        if not entries:
            solara.v.Html(tag="div", children=["none yet"], style_="color: #777")
        with solara.v.Html(
            tag="div", class_="event-feed", style_="overflow-y: auto; max-height: 150px"
        ):
            for heading, details in entries:
                solara.v.Html(tag="div", children=[heading], style_="font-weight: 500")
                if details:
                    with solara.v.Html(tag="ul", style_="margin: 0 0 4px 0; padding-left: 18px"):
                        for line in details:
                            solara.v.Html(tag="li", children=[line], style_="font-size: 12px")
