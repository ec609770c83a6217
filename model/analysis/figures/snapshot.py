"""Figures of a model's state now, for the web app (also usable in reports).

The members' and MPs' positions, which faction controls each CLP, and a
compact version of the headline series that copes with a run of a few months.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

from model.analysis.figures.style import (
    HOUSE_STYLE,
    UNALIGNED_COLOUR,
    faction_colour,
    faction_columns,
    mark_events,
    month_dates,
    pretty,
)
from model.records.events import Event, EventMark
from model.records.series import at_full_size


def ideology_histogram_figure(
    members: Sequence[float],
    plp: Sequence[float],
    leader: float | None = None,
    *,
    leader_name: str | None = None,
    bins: int = 40,
    title: str | None = "Ideology: members and PLP",
    figsize: tuple[float, float] = (6.0, 3.4),
) -> Figure:
    """Members' ideology against the PLP's, as two density histograms.

    Densities rather than counts, because the membership is hundreds of times
    the size of the PLP. Medians are dotted lines; the leader a solid one.

    Args:
        members: ideology of each (full, active) member.
        plp: ideology of each sitting MP.
        leader: the leader's ideology, marked if given.
        leader_name: the leader's name, for the legend.
        bins: bins across [-1, 1].
        title: axes title.
        figsize: figure size in inches.

    Returns:
        The Figure (not registered with pyplot, so nothing needs closing).
    """
    import numpy as np

    members = np.asarray(members, dtype=float)
    plp = np.asarray(plp, dtype=float)
    edges = np.linspace(-1.0, 1.0, bins + 1)
    with plt.rc_context(HOUSE_STYLE):
        fig = Figure(figsize=figsize, layout="constrained")
        ax = fig.subplots()
        for values, colour, name in [
            # Not the faction colours (red, blue...), which mean factions elsewhere.
            (members, "tab:brown", "members"),
            (plp, "tab:cyan", "PLP"),
        ]:
            if values.size == 0:
                continue
            # Values outside [-1, 1] are clipped into the end bins, not dropped.
            ax.hist(
                np.clip(values, -1.0, 1.0),
                bins=edges,
                density=True,
                alpha=0.45,
                color=colour,
                label=f"{name} (n={values.size:,})",
            )
            ax.axvline(float(np.median(values)), color=colour, ls=":", lw=1.2)
        if leader is not None:
            who = f"leader, {leader_name}" if leader_name else "leader"
            ax.axvline(leader, color="black", lw=1.6, label=f"{who} ({leader:+.2f})")
        ax.set_xlim(-1, 1)
        ax.set_xlabel("left (-1) .. right (+1); dotted: medians")
        ax.set_ylabel("density")
        if title:
            ax.set_title(title)
        ax.legend(loc="best")  # the mass of members and MPs moves; keep clear of it
    return fig


def clp_control_map_figure(
    control: Sequence[int],
    faction_names: Sequence[str],
    *,
    columns: int = 26,
    title: str | None = "CLP executives: controlling faction",
    figsize: tuple[float, float] = (6.0, 4.4),
) -> Figure:
    """The CLPs as a grid of tiles coloured by the faction controlling each.

    Each CLP keeps its tile (row-major by CLP index), so a change of control
    shows as one tile changing colour between two frames.

    Args:
        control: controlling faction index per CLP (-1 unaligned).
        faction_names: names of the factions, in index order.
        columns: tiles per row (650 CLPs make a 26 x 25 grid).
        title: axes title.
        figsize: figure size in inches.

    Returns:
        The Figure.
    """
    import numpy as np
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch

    control = np.asarray(control, dtype=int)
    n_factions = len(faction_names)
    rows = max(1, -(-control.size // columns))
    # Codes: 0 = no CLP (padding), 1 = unaligned, 2.. = factions.
    grid = np.zeros(rows * columns, dtype=int)
    grid[: control.size] = control + 2
    colours = ["white", UNALIGNED_COLOUR] + [faction_colour(i) for i in range(n_factions)]
    counts = np.bincount(control + 1, minlength=n_factions + 1)
    with plt.rc_context(HOUSE_STYLE):
        fig = Figure(figsize=figsize, layout="constrained")
        ax = fig.subplots()
        ax.imshow(
            grid.reshape(rows, columns),
            cmap=ListedColormap(colours),
            vmin=-0.5,
            vmax=len(colours) - 0.5,
            interpolation="nearest",
        )
        # Thin white gaps make the tiles read as separate CLPs.
        ax.set_xticks(np.arange(-0.5, columns, 1), minor=True)
        ax.set_yticks(np.arange(-0.5, rows, 1), minor=True)
        ax.grid(which="minor", color="white", lw=0.6, alpha=1.0)
        ax.grid(which="major", visible=False)
        ax.tick_params(which="both", length=0, labelbottom=False, labelleft=False)
        for spine in ax.spines.values():
            spine.set_visible(False)
        handles = [
            Patch(color=faction_colour(i), label=f"{name}: {counts[i + 1]}")
            for i, name in enumerate(faction_names)
        ]
        handles.append(Patch(color=UNALIGNED_COLOUR, label=f"unaligned: {counts[0]}"))
        ax.legend(
            handles=handles,
            loc="upper center",
            bbox_to_anchor=(0.5, -0.01),
            ncol=min(len(handles), 3),
        )
        if title:
            ax.set_title(f"{title} ({control.size} CLPs)")
    return fig


def headline_series_figure(
    series: pd.DataFrame,
    events: Sequence[Event | EventMark] = (),
    *,
    figsize: tuple[float, float] = (6.0, 5.6),
) -> Figure:
    """Three small panels: membership, the member–PLP gap, CLPs per faction.

    A compact cousin of `overview_figure` for the web app; it copes with an
    empty series (before the first month) by saying so.

    Args:
        series: the monthly series (as from `PartyModel.series()`).
        events: event records, drawn as vertical lines where relevant.
        figsize: figure size in inches.

    Returns:
        The Figure.
    """
    with plt.rc_context(HOUSE_STYLE):
        fig = Figure(figsize=figsize, layout="constrained")
        axes = fig.subplots(3, 1, sharex=True)
        if series.empty:
            for ax in axes:
                ax.set_axis_off()
            axes[1].text(0.5, 0.5, "no months simulated yet", ha="center", va="center")
            return fig
        when = month_dates(series)
        # Dots while the run is short: a line needs two months to show at all.
        marker = "." if len(series) < 13 else None

        ax = axes[0]
        ax.plot(when, at_full_size(series)["members_full"] / 1000, marker=marker)
        ax.set_ylabel("thousands (full size)")
        ax.set_title("Full members")

        ax = axes[1]
        ax.plot(when, series["member_plp_gap"], color="tab:purple", marker=marker)
        ax.axhline(0, color="0.5", lw=0.6)
        ax.set_ylabel("PLP − members")
        ax.set_title("Member–PLP gap (medians)")

        ax = axes[2]
        for i, col in enumerate(faction_columns(series, "clps_")):
            ax.plot(
                when,
                series[col],
                color=faction_colour(i),
                marker=marker,
                label=pretty(col, "clps_"),
            )
        ax.plot(
            when, series["clps_unaligned"], color=UNALIGNED_COLOUR, marker=marker, label="unaligned"
        )
        ax.set_ylabel("CLPs")
        ax.set_title("CLPs controlled")
        ax.legend(loc="best", ncol=3)
        # Mid-month points would get day ticks ("15") on a short run: tick months.
        months = len(series)
        if months <= 36:
            locator = mdates.MonthLocator(interval=max(1, -(-months // 6)))
        else:
            locator = mdates.AutoDateLocator(minticks=3, maxticks=8)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))

        for ax in axes:
            mark_events(ax, events)
    return fig
