"""Figures for reports: each takes result tables and returns a matplotlib Figure.

The CLI (`factions run`, `factions report`) and the web app call the same
functions, so a figure looks the same wherever it appears. One house style:
dated x-axes, units in the labels, events drawn as vertical lines.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import matplotlib

matplotlib.use("Agg")  # files, not windows: runs are batch jobs and CI has no screen

import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

HOUSE_STYLE = {
    "figure.dpi": 110,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "font.size": 9,
    "axes.titlesize": 10,
    "legend.fontsize": 8,
    "legend.frameon": False,
}

# Events worth a vertical line on a time series, with their colour. AGMs are
# too many to draw one by one; they show as CLP control instead.
EVENT_MARKERS = {
    "leadership_contest": ("tab:red", "contest"),
    "general_election": ("black", "general election"),
    "rule_change": ("tab:purple", "rule change"),
    "conference_vote": ("tab:purple", "conference"),
    "trigger_ballot_round": ("tab:brown", "trigger ballots"),
}

FACTION_COLOURS = ["tab:red", "tab:blue", "tab:green", "tab:orange", "tab:purple"]
UNALIGNED_COLOUR = "0.6"


def month_dates(series: pd.DataFrame) -> pd.Series:
    """The series' `date` column ("YYYY-MM") as timestamps (mid-month)."""
    return pd.to_datetime(series["date"] + "-15")


def mark_events(ax: Any, events: Iterable[dict[str, Any]], *, label: bool = False) -> None:
    """Draw a vertical line at each marked event on a dated axis.

    Args:
        ax: the matplotlib axes.
        events: event records (dicts with "type" and "month").
        label: add one legend entry per event type.
    """
    seen: set[str] = set()
    for rec in events:
        style = EVENT_MARKERS.get(rec.get("type", ""))
        if style is None:
            continue
        colour, name = style
        when = pd.Timestamp(rec["month"] + "-15")
        ax.axvline(
            when,
            color=colour,
            lw=0.8,
            ls="--",
            alpha=0.7,
            label=name if label and name not in seen else None,
        )
        seen.add(name)


def _date_axis(ax: Any) -> None:
    ax.xaxis.set_major_locator(mdates.YearLocator())
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))


def faction_columns(series: pd.DataFrame, prefix: str) -> list[str]:
    """Columns such as clps_momentum, in the order they appear."""
    skip = {f"{prefix}unaligned"}
    return [c for c in series.columns if c.startswith(prefix) and c not in skip]


def overview_figure(
    series: pd.DataFrame,
    events: Sequence[dict[str, Any]] = (),
    *,
    title: str | None = None,
) -> Figure:
    """The run's main series on one page.

    Panels: members by type; ideology of members, PLP and leader; the
    member–PLP gap; CLPs controlled by each faction; factions' sizes.

    Args:
        series: the monthly series (as from `PartyModel.series()`).
        events: event records, drawn as vertical lines where relevant.
        title: figure title.

    Returns:
        The Figure.
    """
    with plt.rc_context(HOUSE_STYLE):
        fig, axes = plt.subplots(5, 1, figsize=(8.5, 11), sharex=True, layout="constrained")
        when = month_dates(series)

        ax = axes[0]
        ax.plot(when, series["members_full"] / 1000, label="full members")
        for col, name in [
            ("registered_supporters", "registered supporters"),
            ("affiliated_supporters", "affiliated supporters"),
        ]:
            if series[col].any():
                ax.plot(when, series[col] / 1000, label=name)
        ax.set_ylabel("thousands")
        ax.set_title("Membership")

        ax = axes[1]
        ax.plot(when, series["ideology_median"], label="members (median)")
        ax.fill_between(
            when,
            series["ideology_mean"] - series["ideology_sd"],
            series["ideology_mean"] + series["ideology_sd"],
            alpha=0.15,
            label="members (mean ± sd)",
        )
        ax.plot(when, series["plp_median"], label="PLP (median)")
        ax.plot(when, series["leader_ideology"], color="black", lw=1.2, label="leader")
        ax.set_ylim(-1, 1)
        ax.set_ylabel("left (-1) .. right (+1)")
        ax.set_title("Ideology")

        ax = axes[2]
        ax.plot(when, series["member_plp_gap"], color="tab:purple")
        ax.axhline(0, color="0.5", lw=0.6)
        ax.set_ylabel("PLP − members (median)")
        ax.set_title("Member–PLP gap")

        ax = axes[3]
        for i, col in enumerate(faction_columns(series, "clps_")):
            ax.plot(when, series[col], color=FACTION_COLOURS[i % 5], label=_pretty(col, "clps_"))
        ax.plot(when, series["clps_unaligned"], color=UNALIGNED_COLOUR, label="unaligned")
        ax.set_ylabel("CLPs")
        ax.set_title("CLP executives controlled")

        ax = axes[4]
        for i, col in enumerate(faction_columns(series, "faction_")):
            ax.plot(
                when,
                series[col] / 1000,
                color=FACTION_COLOURS[i % 5],
                label=_pretty(col, "faction_"),
            )
        ax.set_ylabel("members, thousands")
        ax.set_title("Faction sizes")
        _date_axis(ax)

        for i, ax in enumerate(axes):
            mark_events(ax, events, label=i == 0)
            if ax.get_legend_handles_labels()[0]:
                ax.legend(loc="best")
        if title:
            fig.suptitle(title)
    return fig


def _pretty(column: str, prefix: str) -> str:
    return column.removeprefix(prefix).replace("_", " ")


# --- figures for the web app (also usable in reports) -------------------------


def faction_colour(index: int) -> str:
    """The house colour of faction `index` (-1, unaligned, is grey)."""
    return UNALIGNED_COLOUR if index < 0 else FACTION_COLOURS[index % len(FACTION_COLOURS)]


def ideology_histogram_figure(
    members: Sequence[float],
    plp: Sequence[float],
    leader: float | None = None,
    *,
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
            ax.axvline(leader, color="black", lw=1.6, label=f"leader ({leader:+.2f})")
        ax.set_xlim(-1, 1)
        ax.set_xlabel("left (-1) .. right (+1); dotted: medians")
        ax.set_ylabel("density")
        if title:
            ax.set_title(title)
        ax.legend(loc="upper right")
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
    events: Sequence[dict[str, Any]] = (),
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

        ax = axes[0]
        ax.plot(when, series["members_full"] / 1000, marker="." if len(series) < 13 else None)
        ax.set_ylabel("thousands")
        ax.set_title("Full members")

        ax = axes[1]
        ax.plot(when, series["member_plp_gap"], color="tab:purple")
        ax.axhline(0, color="0.5", lw=0.6)
        ax.set_ylabel("PLP − members")
        ax.set_title("Member–PLP gap (medians)")

        ax = axes[2]
        for i, col in enumerate(faction_columns(series, "clps_")):
            ax.plot(when, series[col], color=faction_colour(i), label=_pretty(col, "clps_"))
        ax.plot(when, series["clps_unaligned"], color=UNALIGNED_COLOUR, label="unaligned")
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
