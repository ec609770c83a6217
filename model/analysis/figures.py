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

from model.records.events import Event, EventMark, GeneralElection  # noqa: E402

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


def _date_axis(ax: Any) -> None:
    ax.xaxis.set_major_locator(mdates.YearLocator())
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))


def faction_columns(series: pd.DataFrame, prefix: str) -> list[str]:
    """Columns such as clps_momentum, in the order they appear."""
    skip = {f"{prefix}unaligned"}
    return [c for c in series.columns if c.startswith(prefix) and c not in skip]


def overview_figure(
    series: pd.DataFrame,
    events: Sequence[Event | EventMark] = (),
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
        has_poll = "poll" in series and series["poll"].notna().any()
        rows = 6 if has_poll else 5
        fig, axes = plt.subplots(
            rows, 1, figsize=(8.5, 2.2 * rows), sharex=True, layout="constrained"
        )
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
        _date_axis(axes[-1])

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
        ax.plot(when, series["members_full"] / 1000, marker=marker)
        ax.set_ylabel("thousands")
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
                label=_pretty(col, "clps_"),
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


# --- figures over many runs (sweeps): median and a 5–95% band per variant -------
#
# These take the tidy tables of a sweep (`model.study.sweep.SweepResult`: series_long,
# outcomes, events, inputs) or of a single run turned into the same shape, so
# `factions report` draws a run folder and a sweep folder with the same code.

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
    "members_full": ("Full members", "thousands", 1e-3),
    "members_total": ("Members of every type", "thousands", 1e-3),
    "registered_supporters": ("Registered supporters", "thousands", 1e-3),
    "affiliated_supporters": ("Affiliated supporters", "thousands", 1e-3),
    "joined": ("Joiners per month", "members per month", 1.0),
    "lapsed": ("Lapsers per month", "members per month", 1.0),
    "ideology_median": ("Members' median ideology", IDEOLOGY_UNIT, 1.0),
    "ideology_mean": ("Members' mean ideology", IDEOLOGY_UNIT, 1.0),
    "plp_median": ("PLP median ideology", IDEOLOGY_UNIT, 1.0),
    "leader_ideology": ("Leader's ideology", IDEOLOGY_UNIT, 1.0),
    "member_plp_gap": ("Member–PLP gap", "PLP − members (medians)", 1.0),
    "plp_size": ("Labour MPs", "MPs", 1.0),
    "deselections": ("Deselections", "MPs", 1.0),
}


def series_label(variable: str) -> tuple[str, str, float]:
    """(title, unit, multiplier) for a series variable, with per-faction columns named."""
    if variable in SERIES_LABELS:
        return SERIES_LABELS[variable]
    if variable.startswith("clps_"):
        return f"CLPs controlled: {_pretty(variable, 'clps_')}", "CLPs", 1.0
    if variable.startswith("faction_"):
        return f"Faction members: {_pretty(variable, 'faction_')}", "thousands", 1e-3
    return variable.replace("_", " "), "", 1.0


def quantile_bands(
    series_long: pd.DataFrame,
    variable: str,
    *,
    by: str = "label",
    low: float = 0.05,
    high: float = 0.95,
) -> pd.DataFrame:
    """Median and a quantile band of one variable across runs, per group and month.

    Args:
        series_long: long series (run_id, `by`, date, variable, value, ...).
        variable: the variable to summarise.
        by: the grouping column (a variant's label by default).
        low: the band's lower quantile.
        high: the band's upper quantile.

    Returns:
        Columns `by`, date, runs, low, median, high; groups in first-seen order.
    """
    rows = series_long[series_long["variable"] == variable]
    grouped = rows.groupby([by, "date"], sort=False)["value"]
    # One vectorised quantile call: per-group lambdas are ~50x slower on big sweeps.
    table = grouped.quantile([low, 0.5, high]).unstack()[[low, 0.5, high]]
    table.columns = ["low", "median", "high"]
    table.insert(0, "runs", grouped.count())
    return table.reset_index()


def _group_order(table: pd.DataFrame, by: str) -> list[Any]:
    if "variant" in table.columns and by != "variant":
        first = table.drop_duplicates(by).sort_values("variant", kind="stable")
        return list(first[by])
    return list(dict.fromkeys(table[by]))


def _too_many_groups(series_long: pd.DataFrame, by: str) -> pd.DataFrame:
    # More groups than colours (a sampled design) cannot be told apart: pool them.
    if series_long[by].nunique() <= MAX_BANDS:
        return series_long
    pooled = series_long.copy()
    pooled[by] = f"all {series_long['run_id'].nunique()} runs"
    return pooled


def _month_axis(ax: Any, first: pd.Timestamp, last: pd.Timestamp) -> None:
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    if months <= 36:
        # Every tick says its year ("Jan 2017"): a year shown once, in the
        # corner, made the first months read as the following year's.
        ax.xaxis.set_major_locator(mdates.MonthLocator(interval=max(1, -(-months // 6))))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%b %Y"))
    else:
        ax.xaxis.set_major_locator(mdates.AutoDateLocator(minticks=3, maxticks=10))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))


def band_figure(
    series_long: pd.DataFrame,
    variables: Sequence[str],
    *,
    by: str = "label",
    events: Iterable[Event | EventMark] = (),
    title: str | None = None,
    low: float = 0.05,
    high: float = 0.95,
    panel_height: float = 2.1,
) -> Figure:
    """Monthly series across runs: per variant, the median and a 5–95% band over seeds.

    One panel per variable, on a dated axis, with units in the y labels and
    events drawn as vertical lines. With more variants than colours (a
    sampled design) all runs are pooled into one band.

    Args:
        series_long: long series (run_id, label, date, variable, value, ...).
        variables: the variables to draw, one panel each (missing ones are skipped).
        by: the column that names a variant.
        events: event records to mark (e.g. those common to most runs).
        title: figure title.
        low: the band's lower quantile.
        high: the band's upper quantile.
        panel_height: inches per panel.

    Returns:
        The Figure.
    """
    present = set(series_long["variable"].unique()) if not series_long.empty else set()
    variables = [v for v in variables if v in present]
    data = _too_many_groups(series_long, by) if not series_long.empty else series_long
    events = list(events)
    with plt.rc_context(HOUSE_STYLE):
        n = max(1, len(variables))
        fig = Figure(figsize=(8.5, 0.9 + panel_height * n), layout="constrained")
        axes = fig.subplots(n, 1, sharex=True, squeeze=False)[:, 0]
        if not variables:
            axes[0].set_axis_off()
            axes[0].text(0.5, 0.5, "no series to draw", ha="center", va="center")
            return fig
        order = _group_order(data, by)
        # One run per line (a single run's report): no band, no "median".
        single = "run_id" in data and int(data.groupby(by)["run_id"].nunique().max()) <= 1
        for ax, variable in zip(axes, variables, strict=True):
            name, unit, factor = series_label(variable)
            bands = quantile_bands(data, variable, by=by, low=low, high=high)
            for i, group in enumerate(order):
                rows = bands[bands[by] == group]
                if rows.empty:
                    continue
                when = pd.to_datetime(rows["date"] + "-15")
                colour = VARIANT_COLOURS[i % MAX_BANDS]
                runs = int(rows["runs"].max())
                if not single:
                    ax.fill_between(
                        when,
                        rows["low"] * factor,
                        rows["high"] * factor,
                        color=colour,
                        alpha=0.18,
                        lw=0,
                    )
                shown = str(group) if single else f"{group} (n={runs})"
                ax.plot(when, rows["median"] * factor, color=colour, lw=1.3, label=shown)
            if variable == "member_plp_gap":
                ax.axhline(0, color="0.5", lw=0.6)
            ax.set_title(name)
            ax.set_ylabel(unit)
            mark_events(ax, events, label=ax is axes[0])
        dates = pd.to_datetime(data["date"] + "-15")
        _month_axis(axes[-1], dates.min(), dates.max())
        for ax in axes:  # dates under every panel of a tall figure, not only the last
            ax.tick_params(axis="x", labelbottom=True)
        axes[0].legend(loc="best")
        if single:
            caption = "one run: its monthly values"
        else:
            caption = f"lines: median across seeds; bands: {low:.0%}–{high:.0%} of runs"
        fig.suptitle(f"{title}\n{caption}" if title else caption)
    return fig


def outcomes_figure(
    outcomes: pd.DataFrame,
    names: Sequence[str],
    *,
    by: str = "label",
    units: dict[str, str] | None = None,
    titles: dict[str, str] | None = None,
    low: float = 0.05,
    high: float = 0.95,
    title: str | None = None,
) -> Figure:
    """Scalar outcomes by variant: every run as a faint dot, the median and a 5–95% bar.

    Args:
        outcomes: runs × outcomes (with `by` and, ideally, `variant` columns).
        names: outcome columns to draw, one panel each (missing ones skipped).
        by: the column that names a variant.
        units: outcome -> unit, for the x labels (default: the outcome registry's).
        titles: outcome -> panel title.
        low: the bar's lower quantile.
        high: the bar's upper quantile.
        title: figure title.

    Returns:
        The Figure.
    """
    import numpy as np

    from model.analysis.measures import outcome_unit

    names = [n for n in names if n in outcomes.columns]
    order = _group_order(outcomes, by) if not outcomes.empty else []
    units = units if units is not None else {n: outcome_unit(n) for n in names}
    titles = titles or {}
    cols = min(3, max(1, len(names)))
    rows = max(1, -(-len(names) // cols))
    height = 0.6 + max(1.6, 0.32 * len(order) + 0.8) * rows
    with plt.rc_context(HOUSE_STYLE):
        fig = Figure(figsize=(3.2 * cols + 2.4, height), layout="constrained")
        axes = fig.subplots(rows, cols, squeeze=False, sharey=True).ravel()
        for ax in axes[len(names) :]:
            ax.set_axis_off()
        if not names or not order:
            axes[0].set_axis_off()
            axes[0].text(0.5, 0.5, "no outcomes to draw", ha="center", va="center")
            return fig
        y = np.arange(len(order))
        jitter = np.random.default_rng(0)  # fixed: the same figure every time
        for ax, name in zip(axes, names, strict=False):
            for i, group in enumerate(order):
                values = outcomes.loc[outcomes[by] == group, name].astype(float).dropna()
                if values.empty:
                    continue
                colour = VARIANT_COLOURS[i % MAX_BANDS]
                ax.scatter(
                    values,
                    i + jitter.uniform(-0.18, 0.18, len(values)),
                    s=6,
                    color=colour,
                    alpha=0.35,
                    lw=0,
                )
                lo, mid, hi = values.quantile([low, 0.5, high])
                ax.plot([lo, hi], [i, i], color=colour, lw=2.2, solid_capstyle="butt")
                ax.plot([mid], [i], marker="D", color="black", ms=4)
            ax.set_title(titles.get(name, name.replace("_", " ")))
            ax.set_xlabel(units.get(name, ""))
            ax.grid(axis="y", visible=False)
        axes[0].set_yticks(y, [str(g) for g in order])
        axes[0].invert_yaxis()
        caption = f"diamonds: median across seeds; bars: {low:.0%}–{high:.0%}; dots: runs"
        fig.suptitle(f"{title}\n{caption}" if title else caption)
    return fig


def contest_outcomes_figure(
    outcomes: pd.DataFrame, *, by: str = "label", title: str | None = None
) -> Figure:
    """Leadership contests per run won left and right of the party's centre, by variant.

    The centre is the midpoint of the members' and the PLP's medians in the
    month of the contest (see `model.analysis.measures.party_centre`); stacked bars.

    Args:
        outcomes: runs × outcomes with contests_won_left and contests_won_right.
        by: the column that names a variant.
        title: figure title.

    Returns:
        The Figure (saying so when no run held a contest).
    """
    import numpy as np

    needed = {"contests_won_left", "contests_won_right"}
    order = _group_order(outcomes, by) if not outcomes.empty else []
    with plt.rc_context(HOUSE_STYLE):
        fig = Figure(figsize=(8.5, 1.4 + 0.35 * max(len(order), 2)), layout="constrained")
        ax = fig.subplots()
        ax.set_title(title or "Leadership contests won, per run (mean across seeds)")
        if not needed <= set(outcomes.columns) or outcomes[list(needed)].fillna(0).sum().sum() == 0:
            ax.set_axis_off()
            ax.text(0.5, 0.5, "no leadership contests in these runs", ha="center", va="center")
            return fig
        means = outcomes.groupby(by, sort=False)[sorted(needed)].mean().reindex(order)
        y = np.arange(len(order))
        left = means["contests_won_left"].to_numpy()
        right = means["contests_won_right"].to_numpy()
        ax.barh(y, left, color="tab:red", label="won left of the party's centre")
        ax.barh(y, right, left=left, color="tab:blue", label="won right of the party's centre")
        ax.set_yticks(y, [str(g) for g in order])
        ax.invert_yaxis()
        ax.set_xlabel("contests per run")
        ax.grid(axis="y", visible=False)
        ax.legend(loc="best")
    return fig


def deselections_figure(
    events: pd.DataFrame, runs: pd.DataFrame, *, by: str = "label", title: str | None = None
) -> Figure:
    """Deselections per parliament by variant: mean per run, grouped bars.

    A parliament runs from one general election to the next (parliament 0 is
    the time before the run's first election).

    Args:
        events: the long events table (run_id, `by`, type, month, record).
        runs: the runs that count (run_id, `by`): runs without events are zeros.
        by: the column that names a variant.
        title: figure title.

    Returns:
        The Figure (saying so when no run held a selection).
    """
    import numpy as np

    from model.analysis.measures import deselections_by_parliament

    counts: list[dict[str, Any]] = []
    relevant = events[events["type"].isin(["trigger_ballot", "selection", "general_election"])]
    records = relevant.groupby("run_id", sort=False)["record"].apply(list).to_dict()
    for row in runs.itertuples(index=False):
        by_parliament = deselections_by_parliament(records.get(row.run_id, []))
        for parliament, n in by_parliament.items():
            counts.append({by: getattr(row, by), "parliament": parliament, "n": n})
    table = pd.DataFrame(counts, columns=[by, "parliament", "n"])
    order = _group_order(runs, by) if not runs.empty else []
    with plt.rc_context(HOUSE_STYLE):
        fig = Figure(figsize=(8.5, 3.6), layout="constrained")
        ax = fig.subplots()
        ax.set_title(title or "Deselections per parliament (mean per run across seeds)")
        if table.empty or table["n"].sum() == 0:
            ax.set_axis_off()
            ax.text(0.5, 0.5, "no MPs deselected in these runs", ha="center", va="center")
            return fig
        # Runs lacking a later parliament count as zero there, not as missing.
        pivot = table.pivot_table(index="parliament", columns=by, values="n", aggfunc="sum")
        per_run = pivot.fillna(0) / runs.groupby(by).size()
        parliaments = list(per_run.index)
        width = 0.8 / max(len(order), 1)
        x = np.arange(len(parliaments))
        for i, group in enumerate(order):
            if group in per_run.columns:
                ax.bar(
                    x + i * width - 0.4 + width / 2,
                    per_run[group].to_numpy(),
                    width=width,
                    color=VARIANT_COLOURS[i % MAX_BANDS],
                    label=str(group),
                )
        ax.set_xticks(x, ["before 1st GE" if p == 0 else f"after GE {p}" for p in parliaments])
        ax.set_ylabel("MPs deselected per run")
        ax.legend(loc="best")
    return fig


def outcome_vs_factor_figure(
    inputs: pd.DataFrame,
    outcomes: pd.DataFrame,
    factor: str,
    names: Sequence[str],
    *,
    units: dict[str, str] | None = None,
    low: float = 0.05,
    high: float = 0.95,
) -> Figure:
    """Outcomes against a numeric factor: runs as dots, median and 5–95% band per level.

    For a grid factor (few levels) the band joins the levels; for a sampled
    factor (many values) the runs are a scatter.

    Args:
        inputs: runs × inputs (run_id and the factor column).
        outcomes: runs × outcomes (run_id and the outcome columns).
        factor: the factor's column (its dotted path).
        names: outcome columns, one panel each.
        units: outcome -> unit, for the y labels (default: the outcome registry's).
        low: the band's lower quantile.
        high: the band's upper quantile.

    Returns:
        The Figure.
    """
    from model.analysis.measures import outcome_unit

    names = [n for n in names if n in outcomes.columns]
    data = outcomes.merge(inputs[["run_id", factor]], on="run_id")
    data[factor] = pd.to_numeric(data[factor], errors="coerce")
    units = units if units is not None else {n: outcome_unit(n) for n in names}
    cols = min(3, max(1, len(names)))
    rows = max(1, -(-len(names) // cols))
    with plt.rc_context(HOUSE_STYLE):
        fig = Figure(figsize=(3.2 * cols, 0.6 + 2.6 * rows), layout="constrained")
        axes = fig.subplots(rows, cols, squeeze=False).ravel()
        for ax in axes[len(names) :]:
            ax.set_axis_off()
        levels = data[factor].nunique()
        for ax, name in zip(axes, names, strict=False):
            ax.scatter(data[factor], data[name], s=6, alpha=0.35, color="tab:blue", lw=0)
            if 1 < levels <= 20:
                summary = data.groupby(factor)[name].quantile([low, 0.5, high]).unstack()
                ax.fill_between(
                    summary.index, summary[low], summary[high], color="tab:blue", alpha=0.18, lw=0
                )
                ax.plot(summary.index, summary[0.5], color="tab:blue", marker="o", ms=3)
            ax.set_title(name.replace("_", " "))
            ax.set_xlabel(factor)
            ax.set_ylabel(units.get(name, ""))
        fig.suptitle(f"Outcomes against {factor} (line: median; band: {low:.0%}–{high:.0%})")
    return fig


def common_events(events: pd.DataFrame, n_runs: int, *, min_share: float = 0.5) -> list[EventMark]:
    """Events (by type and month) that occur in at least `min_share` of the runs.

    Scheduled events (conferences, fixed-date elections) then show as
    markers on sweep figures; the scattered events of single runs do not.

    Args:
        events: the long events table (run_id, type, month).
        n_runs: the number of runs the table covers.
        min_share: the share of runs an event must occur in.

    Returns:
        EventMarks (type, month) in month order.
    """
    if events.empty or n_runs <= 0:
        return []
    seen = events.drop_duplicates(["run_id", "type", "month"])
    counts = seen.groupby(["type", "month"]).size()
    common = counts[counts >= min_share * n_runs].reset_index()
    return [
        EventMark(t, m)
        for t, m in sorted(zip(common["type"], common["month"], strict=True), key=lambda x: x[1])
    ]


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
        labels = [_pretty(c, "plp_") for c in columns] + ["unaligned"]
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
        _date_axis(bottom)
        for ax in (top, bottom):
            mark_events(ax, events)
        if title:
            fig.suptitle(title)
    return fig
