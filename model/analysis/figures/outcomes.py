"""Figures of scalar outcomes across runs: per variant, per contest, per parliament, per factor."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

from model.analysis.figures.style import HOUSE_STYLE, MAX_BANDS, VARIANT_COLOURS, group_order
from model.analysis.measures import deselections_by_parliament, outcome_unit


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

    names = [n for n in names if n in outcomes.columns]
    order = group_order(outcomes, by) if not outcomes.empty else []
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
    order = group_order(outcomes, by) if not outcomes.empty else []
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

    counts: list[dict[str, Any]] = []
    relevant = events[events["type"].isin(["trigger_ballot", "selection", "general_election"])]
    records = relevant.groupby("run_id", sort=False)["record"].apply(list).to_dict()
    for row in runs.itertuples(index=False):
        by_parliament = deselections_by_parliament(records.get(row.run_id, []))
        for parliament, n in by_parliament.items():
            counts.append({by: getattr(row, by), "parliament": parliament, "n": n})
    table = pd.DataFrame(counts, columns=[by, "parliament", "n"])
    order = group_order(runs, by) if not runs.empty else []
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
