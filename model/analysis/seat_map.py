"""The 650 seats on the hex map: geometry, region borders and the map figure.

**Layout.** The hex map (``constituencies_2010.hexjson``, © Open Innovations,
MIT) uses the ``odd-r`` offset layout: pointy-topped hexes in rows, odd rows
shoved half a hex to the right. ``q`` is the column (eastwards), ``r`` the row
and **r grows northwards**, so plotting ``y = r`` puts north up. A hex of
circumradius ``size`` (centre to corner) has its centre at::

    x = √3 · size · (q + ½ · (r mod 2))      y = 1.5 · size · r

(``r mod 2`` is 1 for odd rows, negative ones included: row −11 is odd.)

**Border edges.** The hex map's ``boundaries`` block lists each region or
country border as hex edges ``{q, r, e}``. Worked out from the data (every
edge must lie between a hex of one named region and a hex of the other; see
``tests/test_seat_map.py``): ``|e|`` numbers the six sides clockwise from the
north-east, ``1`` NE, ``2`` E, ``3`` SE, ``4`` SW, ``5`` W, ``6`` NW, and the
neighbour across side ``e`` of hex ``(q, r)`` is (:func:`neighbour`)::

    side     even r        odd r
    1 NE     (q,   r+1)    (q+1, r+1)
    2 E      (q+1, r)      (q+1, r)
    3 SE     (q,   r−1)    (q+1, r−1)
    4 SW     (q−1, r−1)    (q,   r−1)
    5 W      (q−1, r)      (q−1, r)
    6 NW     (q−1, r+1)    (q,   r+1)

The sign of ``e`` does not change the side: each line uses one sign
throughout (positive for ``sc-en``, ``wa-en``, ``nw-*``, ``sw-*``, ``se-em``,
``se-wm``; negative for ``ne-yh``, ``yh-em``, ``ea-*``, ``lo-se``, ``em-wm``),
and ``-4`` is as much the south-west side as ``4`` (the ``ne-yh`` line lists
``-4`` and ``-3`` on North East hexes whose Yorkshire neighbours are to the
SW and SE). Line names are two tokens: ``en`` is England as a whole, the
others region codes (``sc`` Scotland, ``wa`` Wales, ``lo`` London…).

In this file 232 of the 236 listed edges lie between the two named regions.
The four others, and one duplicate, are in ``lo-se`` around Epsom and Ewell and
Reigate (Surrey, region SE): the published line runs south of them as if they
were in London, and misses their real borders with Kingston and Surbiton,
Richmond Park, Wimbledon, Sutton and Cheam, and Mitcham and Morden.
:func:`check_borders` reports such differences; :func:`border_segments` draws
the published lines with those corrected from the hexes' regions
(``repair=True``, the default).

**The figure.** :func:`seat_map_figure` draws the seats coloured by a category
(e.g. the faction controlling each CLP's executive, the MP's faction, a
trigger-ballot result, the winning party) or a continuous value (e.g.
Labour's margin, with a colour bar), with the region borders, optional
highlighted and labelled seats, and seats without a value (not simulated;
Northern Ireland) in light grey. It uses the matplotlib Figure API only (no
pyplot state), like every figure of :mod:`model.analysis`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from matplotlib import colormaps, colors, patheffects
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.figure import Figure
from matplotlib.patches import Patch

if TYPE_CHECKING:
    from model.data.seats import SeatTable

__all__ = [
    "EDGE_SIDES",
    "MISSING_COLOUR",
    "PARTY_COLOURS",
    "BorderCheck",
    "border_segments",
    "check_borders",
    "edge_endpoints",
    "hex_centres",
    "hex_corners",
    "neighbour",
    "offset_to_xy",
    "seat_map_figure",
]

SQRT3 = float(np.sqrt(3.0))

EDGE_SIDES: Mapping[int, str] = {1: "NE", 2: "E", 3: "SE", 4: "SW", 5: "W", 6: "NW"}
"""Hex side by ``|e|`` in the hex map's ``boundaries`` block."""

# Neighbour offsets (dq, dr) by side, for even and odd rows (odd rows sit half
# a hex to the right, so their diagonal neighbours are one column further east).
_EVEN = {1: (0, 1), 2: (1, 0), 3: (0, -1), 4: (-1, -1), 5: (-1, 0), 6: (-1, 1)}
_ODD = {1: (1, 1), 2: (1, 0), 3: (1, -1), 4: (0, -1), 5: (-1, 0), 6: (0, 1)}

# Corner k of a pointy-topped hex sits at angle 90° − 60°·k (k = 0 the top,
# then clockwise); side e runs from corner e − 1 to corner e.
_CORNER_ANGLES = np.deg2rad(90.0 - 60.0 * np.arange(6))

MISSING_COLOUR = "#dcdcdc"
"""Seats without a value: not simulated, or Northern Ireland."""

PARTY_COLOURS: Mapping[str, str] = {
    "lab": "#d50000",
    "con": "#0087dc",
    "ld": "#fdbb30",
    "snp": "#fff95d",
    "pc": "#3f8428",
    "other": "#9e9e9e",
    "green": "#6ab023",
    "ukip": "#70147a",
    "brexit": "#12b6cf",
    "dup": "#d46a4c",
    "sf": "#326760",
    "sdlp": "#2aa82c",
    "uup": "#48a5ee",
    "alliance": "#f6cb2f",
    "spk": "#505050",
    "oth": "#9e9e9e",
}
"""Conventional party colours, used when every category is a party code."""

# Country borders heavier than region borders; both dark enough to read over
# saturated party colours.
_BORDER_STYLE = {"country": (1.8, "#111111"), "region": (1.1, "#2b2b2b")}


def offset_to_xy(q: Any, r: Any, size: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Centres of odd-r hexes (north up).

    Args:
        q: column(s).
        r: row(s), growing northwards.
        size: hex circumradius (centre to corner).

    Returns:
        (x, y) arrays.
    """
    q = np.asarray(q, dtype=np.int64)
    r = np.asarray(r, dtype=np.int64)
    x = SQRT3 * size * (q + 0.5 * np.mod(r, 2))
    y = 1.5 * size * r
    return x, y.astype(float)


def hex_centres(seats: SeatTable, size: float = 1.0) -> np.ndarray:
    """(n_seats, 2) centre of each seat's hex, rows in table order.

    Args:
        seats: the seat table.
        size: hex circumradius.
    """
    x, y = offset_to_xy(seats.q, seats.r, size)
    return np.column_stack([x, y])


def hex_corners(centres: np.ndarray, size: float = 1.0) -> np.ndarray:
    """(n, 6, 2) corners of pointy-topped hexes, clockwise from the top.

    Args:
        centres: (n, 2) hex centres.
        size: hex circumradius.
    """
    offsets = size * np.column_stack([np.cos(_CORNER_ANGLES), np.sin(_CORNER_ANGLES)])
    return np.asarray(centres, dtype=float)[:, None, :] + offsets[None, :, :]


def _side(e: int) -> int:
    side = abs(int(e))
    if side not in EDGE_SIDES:
        raise ValueError(f"hex edge must be ±1…±6, got {e}")
    return side


def neighbour(q: int, r: int, e: int) -> tuple[int, int]:
    """The hex across side ``e`` (``|e|`` 1 NE … 6 NW, module docstring) of ``(q, r)``."""
    dq, dr = (_ODD if r % 2 else _EVEN)[_side(e)]
    return q + dq, r + dr


def edge_endpoints(q: int, r: int, e: int, size: float = 1.0) -> np.ndarray:
    """(2, 2) the two corners bounding side ``e`` of hex ``(q, r)``."""
    side = _side(e)
    x, y = offset_to_xy(q, r, size)
    corners = hex_corners(np.array([[float(x), float(y)]]), size)[0]
    return np.array([corners[side - 1], corners[side % 6]])


def _line_regions(name: str, regions: Iterable[str]) -> tuple[frozenset[str], frozenset[str]]:
    """The region codes on each side of a named line (``en`` is England)."""
    english = frozenset(g for g in regions if g not in ("SC", "WA", "NI"))
    sides = []
    for token in name.split("-"):
        sides.append(english if token == "en" else frozenset({token.upper()}))
    if len(sides) != 2:
        raise ValueError(f"border name {name!r} is not two region tokens joined by '-'")
    return sides[0], sides[1]


@dataclass(frozen=True)
class BorderCheck:
    """One published border line compared with the hexes' regions.

    Attributes:
        name: the line (e.g. ``"lo-se"``).
        listed: distinct edges listed.
        misplaced: listed ``(q, r, e)`` edges not between the two named regions.
        missing: hex pairs ``((q, r), (q2, r2))`` across the two regions that
            the line does not list.
        duplicates: ``(q, r, e)`` edges listed more than once.
    """

    name: str
    listed: int
    misplaced: tuple[tuple[int, int, int], ...]
    missing: tuple[tuple[tuple[int, int], tuple[int, int]], ...]
    duplicates: tuple[tuple[int, int, int], ...]

    @property
    def ok(self) -> bool:
        """True when the line lists exactly the edges between its two regions."""
        return not (self.misplaced or self.missing or self.duplicates)


def _pair(a: tuple[int, int], b: tuple[int, int]) -> tuple[tuple[int, int], tuple[int, int]]:
    return (a, b) if a <= b else (b, a)


def check_borders(seats: SeatTable) -> dict[str, BorderCheck]:
    """Compare every published border line with the regions of the hexes it separates.

    Args:
        seats: the seat table (its ``borders`` and hex positions).

    Returns:
        One :class:`BorderCheck` per line, by name.
    """
    region_at = {
        (int(q), int(r)): str(g) for q, r, g in zip(seats.q, seats.r, seats.region, strict=True)
    }
    out: dict[str, BorderCheck] = {}
    for name, line in seats.borders.items():
        side_a, side_b = _line_regions(name, set(region_at.values()))
        seen: set[tuple[tuple[int, int], tuple[int, int]]] = set()
        seen_edges: set[tuple[int, int, int]] = set()
        misplaced, duplicates = [], []
        for q, r, e in line.edges:
            key = (q, r, _side(e))
            if key in seen_edges:
                duplicates.append((q, r, e))
                continue
            seen_edges.add(key)
            here, there = region_at.get((q, r)), region_at.get(neighbour(q, r, e))
            if (here in side_a and there in side_b) or (here in side_b and there in side_a):
                seen.add(_pair((q, r), neighbour(q, r, e)))
            else:
                misplaced.append((q, r, e))
        expected = set()
        for (q, r), g in region_at.items():
            if g not in side_a:
                continue
            for e in EDGE_SIDES:
                if region_at.get(neighbour(q, r, e)) in side_b:
                    expected.add(_pair((q, r), neighbour(q, r, e)))
        out[name] = BorderCheck(
            name=name,
            listed=len(seen_edges),
            misplaced=tuple(misplaced),
            missing=tuple(sorted(expected - seen)),
            duplicates=tuple(duplicates),
        )
    return out


def _shared_side(a: tuple[int, int], b: tuple[int, int]) -> int:
    for e in EDGE_SIDES:
        if neighbour(a[0], a[1], e) == b:
            return e
    raise ValueError(f"hexes {a} and {b} are not neighbours")


def border_segments(
    seats: SeatTable, *, repair: bool = True, size: float = 1.0
) -> dict[str, np.ndarray]:
    """Line segments of the published border lines, ready to draw.

    Args:
        seats: the seat table.
        repair: drop listed edges that do not separate the line's two regions
            and add the edges between them that the line misses (the ``lo-se``
            line around Epsom and Ewell and Reigate); False draws the lines
            exactly as published.
        size: hex circumradius.

    Returns:
        Per line name, an (m, 2, 2) array of segments (start and end points).
    """
    checks = check_borders(seats) if repair else {}
    out: dict[str, np.ndarray] = {}
    for name, line in seats.borders.items():
        drop = set(checks[name].misplaced) if repair else set()
        kept: dict[tuple[int, int, int], np.ndarray] = {}
        for q, r, e in line.edges:
            if (q, r, e) in drop:
                continue
            kept.setdefault((q, r, _side(e)), edge_endpoints(q, r, e, size))
        if repair:
            for a, b in checks[name].missing:
                kept.setdefault(
                    (*a, _shared_side(a, b)), edge_endpoints(*a, _shared_side(a, b), size)
                )
        out[name] = np.array(list(kept.values())) if kept else np.empty((0, 2, 2))
    return out


def _aligned(seats: SeatTable, values: Mapping[str, Any] | Sequence[Any] | np.ndarray) -> list[Any]:
    """One value per seat in table order; None where a seat has no value."""
    if isinstance(values, Mapping):
        known = set(seats.code.tolist())
        unknown = [c for c in values if c not in known]
        if unknown:
            raise KeyError(f"values for unknown ONS codes: {', '.join(map(str, unknown[:5]))}")
        return [values.get(c) for c in seats.code.tolist()]
    seq = list(values)
    if len(seq) != len(seats):
        raise ValueError(
            f"values must be a mapping by ONS code or one value per seat ({len(seats)}); got {len(seq)}"
        )
    return seq


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float | np.floating) and np.isnan(v))


def _category_colours(categories: list[Any], colours: Mapping[Any, Any] | None) -> dict[Any, Any]:
    if colours is not None:
        absent = [c for c in categories if c not in colours]
        if absent:
            raise KeyError(f"no colour given for categories {absent}")
        return dict(colours)
    if categories and all(isinstance(c, str) and c in PARTY_COLOURS for c in categories):
        return {c: PARTY_COLOURS[c] for c in PARTY_COLOURS if c in categories}
    palette = colormaps["tab10"].colors if len(categories) <= 10 else colormaps["tab20"].colors
    return {c: palette[i % len(palette)] for i, c in enumerate(categories)}


def seat_map_figure(
    seats: SeatTable,
    values: Mapping[str, Any] | Sequence[Any] | np.ndarray,
    *,
    kind: Literal["category", "continuous"] = "category",
    colours: Mapping[Any, Any] | None = None,
    cmap: str | colors.Colormap = "RdBu_r",
    vmin: float | None = None,
    vmax: float | None = None,
    centre: float | None = None,
    title: str | None = None,
    legend_title: str | None = None,
    colorbar_label: str | None = None,
    highlight: Iterable[str] = (),
    labels: Iterable[str] | Mapping[str, str] = (),
    missing_label: str = "not simulated",
    borders: bool = True,
    figsize: tuple[float, float] = (7.0, 8.6),
) -> Figure:
    """The seats on the hex map, coloured by a category or a value.

    Args:
        seats: the seat table (all 650 seats are drawn).
        values: per seat, by ONS code (a mapping; seats left out have no value)
            or one per seat in table order. ``None`` or NaN: no value (grey).
        kind: ``"category"`` (one colour per distinct value, with a legend) or
            ``"continuous"`` (a colour scale with a colour bar).
        colours: category → colour; the legend follows its order. Default:
            party colours when every category is a party code, else tab10/tab20.
        cmap: colour map for ``"continuous"`` (default ``RdBu_r``: low blue,
            high red).
        vmin: lower end of the colour scale (default: the smallest value).
        vmax: upper end of the colour scale (default: the largest value).
        centre: a value to put at the middle of the colour map (e.g. 0 for a
            margin); the scale then stretches each side separately.
        title: figure title.
        legend_title: title over the category legend.
        colorbar_label: label of the colour bar.
        highlight: ONS codes to outline in black (e.g. seats at risk).
        labels: ONS codes to label with their name, or a mapping code → text.
        missing_label: legend entry for seats without a value.
        borders: draw the country and region borders.
        figsize: figure size in inches.

    Returns:
        The matplotlib Figure (nothing is shown or saved).

    Raises:
        ValueError: unknown ``kind``, or values of the wrong length.
        KeyError: unknown ONS codes, or categories without a colour.
    """
    if kind not in ("category", "continuous"):
        raise ValueError(f"kind must be 'category' or 'continuous', got {kind!r}")
    per_seat = _aligned(seats, values)
    absent = np.array([_missing(v) for v in per_seat])
    centres = hex_centres(seats)
    corners = hex_corners(centres, 0.98)  # a hairline gap between hexes reads better

    fig = Figure(figsize=figsize, layout="constrained")
    ax = fig.add_subplot()
    face = np.empty((len(seats), 4))
    face[:] = colors.to_rgba(MISSING_COLOUR)
    legend_handles: list[Patch] = []
    mappable = None

    if kind == "category":
        categories = list(dict.fromkeys(v for v, a in zip(per_seat, absent, strict=True) if not a))
        palette = _category_colours(categories, colours)
        # The legend follows the palette's order (the caller's, or the party
        # order), otherwise the order in which categories first appear.
        order = [c for c in palette if c in categories]
        for i, v in enumerate(per_seat):
            if not absent[i]:
                face[i] = colors.to_rgba(palette[v])
        counts = {c: sum(1 for v in per_seat if not _missing(v) and v == c) for c in order}
        legend_handles = [
            Patch(facecolor=palette[c], edgecolor="none", label=f"{c} ({counts[c]})") for c in order
        ]
    else:
        numbers = np.array(
            [np.nan if a else float(v) for v, a in zip(per_seat, absent, strict=True)]
        )
        present = numbers[~absent]
        lo = vmin if vmin is not None else (float(present.min()) if present.size else 0.0)
        hi = vmax if vmax is not None else (float(present.max()) if present.size else 1.0)
        if centre is not None:
            lo, hi = min(lo, centre - 1e-9), max(hi, centre + 1e-9)
            norm: colors.Normalize = colors.TwoSlopeNorm(vcenter=centre, vmin=lo, vmax=hi)
        else:
            norm = colors.Normalize(vmin=lo, vmax=hi if hi > lo else lo + 1e-9)
        scale = colormaps[cmap] if isinstance(cmap, str) else cmap
        face[~absent] = scale(norm(present))
        mappable = scale, norm

    if absent.any():
        legend_handles.append(
            Patch(
                facecolor=MISSING_COLOUR,
                edgecolor="none",
                label=f"{missing_label} ({int(absent.sum())})",
            )
        )

    ax.add_collection(PolyCollection(corners, facecolors=face, edgecolors="white", linewidths=0.3))

    if borders and seats.borders:
        for name, segments in border_segments(seats).items():
            width, colour = _BORDER_STYLE.get(seats.borders[name].kind, _BORDER_STYLE["region"])
            ax.add_collection(
                LineCollection(
                    segments, colors=colour, linewidths=width, capstyle="round", zorder=3
                )
            )

    marked = list(dict.fromkeys(highlight))
    if marked:
        rows = seats.indices(marked)
        ax.add_collection(
            PolyCollection(
                hex_corners(centres[rows], 0.92),
                facecolors="none",
                edgecolors="black",
                linewidths=1.4,
                zorder=4,
            )
        )

    named = dict(labels) if isinstance(labels, Mapping) else {c: None for c in labels}
    halo = [patheffects.withStroke(linewidth=2.2, foreground="white")]
    for code, text in named.items():
        i = seats.index(code)
        x, y = centres[i]
        ax.plot([x], [y], marker="o", ms=2.5, color="black", zorder=5)
        note = ax.annotate(
            text if text is not None else str(seats.name[i]),
            (x, y),
            xytext=(5, 3),
            textcoords="offset points",
            fontsize=7,
            zorder=6,
            path_effects=halo,
        )
        # Labels near the edge must not shrink the map to make room for them.
        note.set_in_layout(False)

    ax.set_aspect("equal")
    ax.set_axis_off()
    pad = 1.2
    ax.set_xlim(centres[:, 0].min() - pad, centres[:, 0].max() + pad)
    ax.set_ylim(centres[:, 1].min() - pad, centres[:, 1].max() + pad)
    if title:
        ax.set_title(title, fontsize=11)
    if mappable is not None:
        from matplotlib.cm import ScalarMappable

        scale, norm = mappable
        bar = fig.colorbar(ScalarMappable(norm=norm, cmap=scale), ax=ax, shrink=0.45, pad=0.01)
        if colorbar_label:
            bar.set_label(colorbar_label)
    if legend_handles:
        ax.legend(
            handles=legend_handles,
            title=legend_title,
            loc="upper right",
            frameon=False,
            fontsize=8,
            title_fontsize=8,
        )
    return fig
