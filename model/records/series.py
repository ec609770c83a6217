"""The monthly series: column names shared by the model and everything that reads it.

**Member counts at the party's full size.** A run at scale s simulates one
member for every 1/s real ones, so the series counts *simulated* members
(`members_full`, the factions' sizes, joiners...). What a reader wants is the
party those members stand for: every figure, summary and outcome that shows
a count of members shows it at full size, using the series' own `scale`
column (`at_full_size`). Counts of CLPs, MPs, places and seats are not
scaled (every CLP and seat is simulated), nor is `sympathisers` (the pools
outside the party are kept in real people).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd


def slug(name: str) -> str:
    """A column-safe version of a name ("Labour to Win" -> "labour_to_win")."""
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


MEMBER_COUNT_COLUMNS: tuple[str, ...] = (
    "members_full",
    "registered_supporters",
    "affiliated_supporters",
    "members_total",
    "joined",
    "lapsed",
    "members_before_last_election",
    "members_before_leader",
)
"""Series columns that count simulated members; per-faction `faction_<name>` columns too."""


def is_member_count(column: str) -> bool:
    """The series column counts simulated members (and so scales with the run)."""
    return column in MEMBER_COUNT_COLUMNS or column.startswith("faction_")


def at_full_size(series: pd.DataFrame) -> pd.DataFrame:
    """The series with its member counts at the party's full size (a copy).

    Each row is scaled by its own `scale` (a sweep's runs may differ in
    scale), rounded to whole members, and its `scale` becomes 1, so that
    converting twice changes nothing. A series without a `scale` column (a
    results folder written before it was recorded) is returned unchanged.

    Args:
        series: a monthly series, as from `PartyModel.series()`.

    Returns:
        A new DataFrame.
    """
    out = series.copy()
    if "scale" not in out.columns:
        return out
    per = 1.0 / pd.to_numeric(out["scale"], errors="coerce")
    for column in out.columns:
        if is_member_count(column) and pd.api.types.is_numeric_dtype(out[column]):
            out[column] = np.round(out[column].astype(float) * per)
    out["scale"] = 1.0
    return out


def long_at_full_size(long: pd.DataFrame) -> pd.DataFrame:
    """A long series table (run_id, ..., variable, value) with member counts at full size.

    Each run's `scale` rows give its scale (which becomes 1, as in
    `at_full_size`); runs without one are unchanged.

    Args:
        long: columns run_id, month, variable, value (and any others).

    Returns:
        A new DataFrame.
    """
    out = long.copy()
    if out.empty or not {"variable", "run_id"} <= set(out.columns):
        return out
    scales = out.loc[out["variable"] == "scale", ["run_id", "value"]].drop_duplicates("run_id")
    if scales.empty:
        return out
    scale_of = dict(zip(scales["run_id"], scales["value"], strict=True))
    counts = out["variable"].map(is_member_count) & out["run_id"].isin(scale_of)
    per = 1.0 / out.loc[counts, "run_id"].map(scale_of).astype(float)
    out.loc[counts, "value"] = np.round(out.loc[counts, "value"].astype(float) * per)
    out.loc[out["variable"] == "scale", "value"] = 1.0
    return out
