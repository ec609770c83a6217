"""Figures for reports: each takes result tables and returns a matplotlib Figure.

The CLI (`factions run`, `factions report`) and the web app call the same
functions, so a figure looks the same wherever it appears. One house style
(`style`): dated x-axes, units in the labels, events drawn as vertical lines.
One module per family:

    style       colours, event markers, dated axes, series labels
    timeseries  one run's monthly series: overview, PLP composition
    snapshot    a model's state now, for the web app: positions, CLP control, headlines
    bands       many runs over time: median and a quantile band per variant
    outcomes    scalar outcomes across runs: per variant, contest, parliament, factor

Every name is importable from here (``from model.analysis import figures as
plots``; ``plots.band_figure``).
"""

from model.analysis.figures.bands import band_figure, quantile_bands
from model.analysis.figures.outcomes import (
    contest_outcomes_figure,
    deselections_figure,
    outcome_vs_factor_figure,
    outcomes_figure,
)
from model.analysis.figures.snapshot import (
    clp_control_map_figure,
    headline_series_figure,
    ideology_histogram_figure,
)
from model.analysis.figures.style import (
    EVENT_MARKERS,
    FACTION_COLOURS,
    HOUSE_STYLE,
    IDEOLOGY_UNIT,
    MAX_BANDS,
    SERIES_LABELS,
    UNALIGNED_COLOUR,
    VARIANT_COLOURS,
    faction_colour,
    faction_columns,
    mark_events,
    month_dates,
    series_label,
)
from model.analysis.figures.timeseries import overview_figure, plp_composition_figure
from model.analysis.marks import common_events

__all__ = [
    "EVENT_MARKERS",
    "FACTION_COLOURS",
    "HOUSE_STYLE",
    "IDEOLOGY_UNIT",
    "MAX_BANDS",
    "SERIES_LABELS",
    "UNALIGNED_COLOUR",
    "VARIANT_COLOURS",
    "band_figure",
    "clp_control_map_figure",
    "common_events",
    "contest_outcomes_figure",
    "deselections_figure",
    "faction_colour",
    "faction_columns",
    "headline_series_figure",
    "ideology_histogram_figure",
    "mark_events",
    "month_dates",
    "outcome_vs_factor_figure",
    "outcomes_figure",
    "overview_figure",
    "plp_composition_figure",
    "quantile_bands",
    "series_label",
]
