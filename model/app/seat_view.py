"""The CLP panel of the web page: the real seats on the hex map, and one seat's state.

Plain functions of the model, tested without a browser; `model.app.panels`
lays them out. The map is `model.analysis.seat_tables.seat_map` (the figure
`factions run` and `factions report` draw), without its legend, which the
panel shows beside it; the selected seat is outlined and named on the map.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import TYPE_CHECKING

import pandas as pd
from matplotlib import colors

from model.analysis.seat_map import MISSING_COLOUR
from model.analysis.seat_tables import MAP_VIEWS, clp_table, map_values, seat_map
from model.scenario.seats import GB_SEATS, HOUSE_SEATS

if TYPE_CHECKING:
    from model.party import PartyModel

__all__ = [
    "VIEW_LABELS",
    "default_seat",
    "legend_items",
    "map_png",
    "map_table",
    "seat_lines",
    "seat_names",
    "view_key",
]

VIEW_LABELS: dict[str, str] = {
    "Executive control": "control",
    "The MP's faction": "mp_faction",
    "Labour's margin": "margin",
    "Trigger ballots": "trigger",
}
"""What the panel's "Colour by" select offers, label -> map view."""

assert set(VIEW_LABELS.values()) == set(MAP_VIEWS)

MAP_SIZE = (3.5, 3.9)  # inches at the page's 100 dpi: fits a grid cell beside the seat box


def seat_names(model: PartyModel) -> list[str]:
    """The simulated seats' names, sorted (the panel's seat select)."""
    return sorted(model.clps.name.tolist())


def map_table(model: PartyModel) -> pd.DataFrame:
    """The CLP table without its costly columns, for drawing the map every month."""
    return clp_table(model, details=False)


def view_key(table: pd.DataFrame, view: str) -> int:
    """A key that changes exactly when what the map shows changes (for caching its picture)."""
    values, _, _, _ = map_values(table, view)
    return hash((view, tuple(values.values())))


def map_png(table: pd.DataFrame, view: str, seat: str | None = None, dpi: int = 100) -> bytes:
    """The seats coloured by `view`, the selected seat outlined and named, as PNG bytes."""
    code = None
    if seat is not None:
        hits = table.index[table["seat"] == seat]
        code = str(table.at[hits[0], "ons_code"]) if len(hits) else None
    fig = seat_map(
        table,
        view,
        title=None,
        highlight=[code] if code else (),
        labels=[code] if code else (),
        figsize=MAP_SIZE,
    )
    legend = fig.axes[0].get_legend()
    if legend is not None:
        legend.remove()  # the panel lists the colours beside the map
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


def legend_items(table: pd.DataFrame, view: str) -> list[tuple[str, str]]:
    """(label with count, colour as #rrggbb) for a categorical view; empty for the margin."""
    values, kind, palette, _ = map_values(table, view)
    if kind != "category" or palette is None:
        return []
    counts: dict[str, int] = {}
    for v in values.values():
        counts[v] = counts.get(v, 0) + 1
    items = [(f"{k} ({counts[k]})", colors.to_hex(c)) for k, c in palette.items() if k in counts]
    missing = HOUSE_SEATS - len(table)
    if missing:
        label = "Northern Ireland: no CLPs" if len(table) >= GB_SEATS else "no CLP simulated"
        items.append((f"{label} ({missing})", MISSING_COLOUR))
    return items


def _pct(x: float) -> str:
    return f"{100 * x:+.1f} points"


def seat_lines(table: pd.DataFrame, seat: str | None) -> list[str]:
    """One seat's state, one line each (empty if the seat is not in the table)."""
    if seat is None:
        return []
    rows = table[table["seat"] == seat]
    if rows.empty:
        return []
    r = rows.iloc[0]
    held = str(r["held"]).lower() == "true"
    lines = [
        f"{r['seat']} ({r['ons_code']}), {r['region_name']}",
        f"Labour {'holds it' if held else 'does not hold it'}: margin {_pct(r['lab_margin'])} "
        f"({r['last_election']})",
        f"Executive: {r['control']}" + _places(r),
        f"Members: {int(r['members_real']):,} (simulated {int(r['members'])})",
    ]
    if r["mp"]:
        mp = f"MP: {r['mp']} ({r['mp_faction']}, {float(r['mp_ideology']):+.2f})"
        if not pd.isna(r["risk"]):
            mp += f"; {100 * float(r['risk']):.0f}% of members would want a full selection"
        lines.append(mp)
    if int(r["trigger_ballots"]):
        lines.append(
            f"Trigger ballots: {int(r['trigger_ballots'])}, last {r['last_trigger']}: "
            f"{r['last_trigger_mp']} {r['last_trigger_result']}"
        )
    return lines


def _places(row: pd.Series) -> str:
    places = {
        k.removeprefix("places_"): int(v)
        for k, v in row.items()
        if str(k).startswith("places_") and int(v)
    }
    if len(places) <= 1:
        return ""
    return " (places: " + ", ".join(f"{k} {v}" for k, v in places.items()) + ")"


def default_seat(model: PartyModel, names: Sequence[str]) -> str | None:
    """The seat the panel shows first: the leader's, else the first."""
    seat = model.clps.label(model.leader.clp) if len(model.clps) else None
    if seat in names:
        return seat
    return names[0] if len(names) else None
