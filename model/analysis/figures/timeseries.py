"""Figures of one run's monthly series: the overview page and the PLP's composition.

`factions run` draws both into the run folder (figures/overview.png, plp.png).
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

from model.analysis.figures.style import (
    FACTION_COLOURS,
    HOUSE_STYLE,
    UNALIGNED_COLOUR,
    date_axis,
    faction_columns,
    mark_events,
    month_dates,
    pretty,
)
from model.records.events import Event, EventMark, GeneralElection
from model.records.series import at_full_size


def overview_figure(
    series: pd.DataFrame,
    events: Sequence[Event | EventMark] = (),
    *,
    title: str | None = None,
) -> Figure:
    """The run's main series on one page.

    Panels: members by type; ideology of members, PLP and leader; the
    member–PLP gap; CLPs controlled by each faction; factions' sizes. Member
    counts are shown at the party's full size (the series' `scale`).

    Args:
        series: the monthly series (as from `PartyModel.series()`).
        events: event records, drawn as vertical lines where relevant.
        title: figure title.

    Returns:
        The Figure.
    """
    with plt.rc_context(HOUSE_STYLE):
        has_poll = "poll" in series and series["poll"].notna().any()
        rows = 6 if has_poll else 5
        fig, axes = plt.subplots(
            rows, 1, figsize=(8.5, 2.2 * rows), sharex=True, layout="constrained"
        )
        when = month_dates(series)
        series = at_full_size(series)

        ax = axes[0]
        ax.plot(when, series["members_full"] / 1000, label="full members")
        for col, name in [
            ("registered_supporters", "registered supporters"),
            ("affiliated_supporters", "affiliated supporters"),
        ]:
            if series[col].any():
                ax.plot(when, series[col] / 1000, label=name)
        ax.set_ylabel("thousands (full size)")
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
            ax.plot(when, series[col], color=FACTION_COLOURS[i % 5], label=pretty(col, "clps_"))
        ax.plot(when, series["clps_unaligned"], color=UNALIGNED_COLOUR, label="unaligned")
        ax.set_ylabel("CLPs")
        ax.set_title("CLP executives controlled")

        ax = axes[4]
        for i, col in enumerate(faction_columns(series, "faction_")):
            ax.plot(
                when,
                series[col] / 1000,
                color=FACTION_COLOURS[i % 5],
                label=pretty(col, "faction_"),
            )
        ax.set_ylabel("members, thousands (full size)")
        ax.set_title("Faction sizes")

        if has_poll:
            ax = axes[5]
            ax.plot(when, series["poll"] * 100, color="0.3", label="national poll")
            elections = [e for e in events if isinstance(e, GeneralElection)]
            shares = [(e.month, e.vote_share) for e in elections]
            shown = [(pd.Timestamp(m + "-15"), v * 100) for m, v in shares if v is not None]
            if shown:
                ax.scatter(*zip(*shown, strict=True), color="black", zorder=3, label="election")
            ax.set_ylabel("vote share, %")
            ax.set_title("National vote")
        date_axis(axes[-1])

        for i, ax in enumerate(axes):
            mark_events(ax, events, label=i == 0)
            if ax.get_legend_handles_labels()[0]:
                ax.legend(loc="best")
        if title:
            fig.suptitle(title)
    return fig


def plp_composition_figure(
    series: pd.DataFrame, events: Sequence[Event | EventMark] = (), *, title: str | None = None
) -> Figure:
    """The PLP by faction over time, with deselections and retirements.

    Args:
        series: the monthly series (plp_<faction>, plp_unaligned, deselections,
            retirements columns).
        events: event records, drawn as vertical lines where relevant.
        title: figure title.

    Returns:
        The Figure.
    """
    with plt.rc_context(HOUSE_STYLE):
        fig, (top, bottom) = plt.subplots(
            2, 1, figsize=(8.5, 6), sharex=True, height_ratios=[2, 1], layout="constrained"
        )
        when = month_dates(series)
        columns = faction_columns(series, "plp_")
        columns = [c for c in columns if c not in ("plp_size", "plp_mean", "plp_median")]
        stacks = [series[c] for c in columns] + [series["plp_unaligned"]]
        labels = [pretty(c, "plp_") for c in columns] + ["unaligned"]
        colours = [FACTION_COLOURS[i % 5] for i in range(len(columns))] + [UNALIGNED_COLOUR]
        top.stackplot(when, *stacks, labels=labels, colors=colours, alpha=0.8)
        top.set_ylabel("MPs")
        top.set_title("PLP by faction")
        top.legend(loc="upper left")
        for col, name in [("deselections", "deselected (cumulative)"), ("retirements", "retired")]:
            if col in series:
                bottom.step(when, series[col], where="post", label=name)
        bottom.set_ylabel("MPs")
        bottom.set_title("Deselections and retirements")
        bottom.legend(loc="upper left")
        date_axis(bottom)
        for ax in (top, bottom):
            mark_events(ax, events)
        if title:
            fig.suptitle(title)
    return fig
