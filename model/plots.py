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
            ax.legend(loc="best")
        if title:
            fig.suptitle(title)
    return fig


def _pretty(column: str, prefix: str) -> str:
    return column.removeprefix(prefix).replace("_", " ")
