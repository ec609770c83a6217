"""The house style every figure shares: colours, event markers, dated axes, labels.

One look wherever a figure appears: dated x-axes, units in the labels,
events drawn as vertical lines (`mark_events`), one colour per faction and per
variant.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import matplotlib

matplotlib.use("Agg")  # files, not windows: runs are batch jobs and CI has no screen

import matplotlib.dates as mdates  # noqa: E402
import pandas as pd  # noqa: E402

from model.records.events import Event, EventMark  # noqa: E402

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


# Events worth a vertical line on a time series: (colour, legend name, line
# style, marker at the top or None). AGMs are too many to draw one by one; they
# show as CLP control instead. Every type has its own colour and dash pattern,
# and a rule change also a triangle at the top: it falls in the same month as
# the conference that passed it, where the two lines coincide.
EVENT_MARKERS: dict[str, tuple[str, str, Any, str | None]] = {
    "leadership_contest": ("tab:red", "contest", "--", None),
    "general_election": ("black", "general election", "-.", None),
    "conference_vote": ("tab:purple", "conference", (0, (5, 3)), None),
    "rule_change": ("tab:olive", "rule change", (0, (1, 1.5)), "v"),
    "trigger_ballot_round": ("tab:brown", "trigger ballots", (0, (3, 1, 1, 1, 1, 1)), None),
}


FACTION_COLOURS = ["tab:red", "tab:blue", "tab:green", "tab:orange", "tab:purple"]


UNALIGNED_COLOUR = "0.6"


VARIANT_COLOURS = [
    "tab:blue",
    "tab:orange",
    "tab:green",
    "tab:red",
    "tab:purple",
    "tab:brown",
    "tab:pink",
    "tab:olive",
    "tab:cyan",
    "0.3",
]


MAX_BANDS = len(VARIANT_COLOURS)


IDEOLOGY_UNIT = "left (-1) .. right (+1)"


# Series variables: (title, unit for the y label, multiplier).
SERIES_LABELS: dict[str, tuple[str, str, float]] = {
    "members_full": ("Full members", "thousands (full size)", 1e-3),
    "members_total": ("Members of every type", "thousands (full size)", 1e-3),
    "registered_supporters": ("Registered supporters", "thousands (full size)", 1e-3),
    "affiliated_supporters": ("Affiliated supporters", "thousands (full size)", 1e-3),
    "joined": ("Joiners per month", "members per month (full size)", 1.0),
    "lapsed": ("Lapsers per month", "members per month (full size)", 1.0),
    "ideology_median": ("Members' median ideology", IDEOLOGY_UNIT, 1.0),
    "ideology_mean": ("Members' mean ideology", IDEOLOGY_UNIT, 1.0),
    "plp_median": ("PLP median ideology", IDEOLOGY_UNIT, 1.0),
    "leader_ideology": ("Leader's ideology", IDEOLOGY_UNIT, 1.0),
    "member_plp_gap": ("Member–PLP gap", "PLP − members (medians)", 1.0),
    "plp_size": ("Labour MPs", "MPs", 1.0),
    "deselections": ("Deselections", "MPs", 1.0),
}


def month_dates(series: pd.DataFrame) -> pd.Series:
    """The series' `date` column ("YYYY-MM") as timestamps (mid-month)."""
    return pd.to_datetime(series["date"] + "-15")


def mark_events(ax: Any, events: Iterable[Event | EventMark], *, label: bool = False) -> None:
    """Draw a vertical line at each marked event on a dated axis.

    Args:
        ax: the matplotlib axes.
        events: typed event records, or EventMarks (type and month).
        label: add one legend entry per event type.
    """
    seen: set[str] = set()
    for rec in events:
        style = EVENT_MARKERS.get(rec.type)
        if style is None:
            continue
        colour, name, dashes, marker = style
        when = pd.Timestamp(rec.month + "-15")
        ax.axvline(
            when,
            color=colour,
            lw=0.9,
            ls=dashes,
            alpha=0.8,
            marker=marker,
            markevery=[1],  # the top end only
            ms=5,
            clip_on=marker is None,
            label=name if label and name not in seen else None,
        )
        seen.add(name)


def date_axis(ax: Any) -> None:
    ax.xaxis.set_major_locator(mdates.YearLocator())
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))


def month_axis(ax: Any, first: pd.Timestamp, last: pd.Timestamp) -> None:
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    if months <= 36:
        # Every tick says its year ("Jan 2017"): a year shown once, in the
        # corner, made the first months read as the following year's.
        ax.xaxis.set_major_locator(mdates.MonthLocator(interval=max(1, -(-months // 6))))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%b %Y"))
    else:
        ax.xaxis.set_major_locator(mdates.AutoDateLocator(minticks=3, maxticks=10))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))


def faction_columns(series: pd.DataFrame, prefix: str) -> list[str]:
    """Columns such as clps_momentum, in the order they appear."""
    skip = {f"{prefix}unaligned"}
    return [c for c in series.columns if c.startswith(prefix) and c not in skip]


def faction_colour(index: int) -> str:
    """The house colour of faction `index` (-1, unaligned, is grey)."""
    return UNALIGNED_COLOUR if index < 0 else FACTION_COLOURS[index % len(FACTION_COLOURS)]


def pretty(column: str, prefix: str) -> str:
    return column.removeprefix(prefix).replace("_", " ")


def series_label(variable: str) -> tuple[str, str, float]:
    """(title, unit, multiplier) for a series variable, with per-faction columns named."""
    if variable in SERIES_LABELS:
        return SERIES_LABELS[variable]
    if variable.startswith("clps_"):
        return f"CLPs controlled: {pretty(variable, 'clps_')}", "CLPs", 1.0
    if variable.startswith("faction_"):
        return f"Faction members: {pretty(variable, 'faction_')}", "thousands (full size)", 1e-3
    return variable.replace("_", " "), "", 1.0


def group_order(table: pd.DataFrame, by: str) -> list[Any]:
    if "variant" in table.columns and by != "variant":
        first = table.drop_duplicates(by).sort_values("variant", kind="stable")
        return list(first[by])
    return list(dict.fromkeys(table[by]))
