"""Figures over many runs (sweeps): the median and a 5–95% band per variant, over time.

These take the tidy tables of a sweep (`model.study.results.SweepResult`:
series_long, outcomes, events, inputs) or of a single run turned into the same
shape, so `factions report` draws a run folder and a sweep folder with the same
code.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

from model.analysis.figures.style import (
    HOUSE_STYLE,
    MAX_BANDS,
    VARIANT_COLOURS,
    group_order,
    mark_events,
    month_axis,
    series_label,
)
from model.records.events import Event, EventMark
from model.records.series import long_at_full_size


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


def _too_many_groups(series_long: pd.DataFrame, by: str) -> pd.DataFrame:
    # More groups than colours (a sampled design) cannot be told apart: pool them.
    if series_long[by].nunique() <= MAX_BANDS:
        return series_long
    pooled = series_long.copy()
    pooled[by] = f"all {series_long['run_id'].nunique()} runs"
    return pooled


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
    series_long = long_at_full_size(series_long)  # member counts at the party's full size
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
        order = group_order(data, by)
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
        month_axis(axes[-1], dates.min(), dates.max())
        for ax in axes:  # dates under every panel of a tall figure, not only the last
            ax.tick_params(axis="x", labelbottom=True)
        axes[0].legend(loc="best")
        if single:
            caption = "one run: its monthly values"
        else:
            caption = f"lines: median across seeds; bands: {low:.0%}–{high:.0%} of runs"
        fig.suptitle(f"{title}\n{caption}" if title else caption)
    return fig
