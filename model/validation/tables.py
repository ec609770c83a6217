"""The validation's tables: every target against its posterior predictive, the scores, the comparisons.

The **target table** has one row per target: the published figure and its
source, the model's median and central 50/80/90% intervals over every run
(posterior draws × seeds × campaign shocks), whether each holds the figure,
the CRPS and the 90% interval score, the naive baseline and the skill against
it; for a binary target (who won, whether a proposal passed), the share of
runs with the historical outcome, its Brier score and the baseline's.

The **score table** summarises the rows by period and role: coverage at each
level, skill, Brier scores. Built-in rows are shown in the target table and
excluded from every score; rows the model cannot produce yet are counted
separately ("not modelled yet") and, in the strict coverage, as misses.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from model.scenario.schema import Scenario
from model.validation.catalogue import TARGETS
from model.validation.scenarios import COUNTERFACTUALS
from model.validation.scores import (
    LEVELS,
    brier,
    central_interval,
    coverage,
    covers,
    crps_point,
    crps_sample,
    interval_score,
    pooled_skill,
    skill,
)
from model.validation.split import SPLIT
from model.validation.targets import Target

ALPHA_90 = 0.1


def _pct(level: float) -> str:
    return f"{round(100 * level)}"


def target_table(
    outcomes: pd.DataFrame,
    data: Any,
    scenarios: Mapping[str, Scenario],
    targets: Iterable[Target] = TARGETS,
) -> pd.DataFrame:
    """The target table (see the module docstring).

    Args:
        outcomes: one row per run: scenario, draw, seed, then the measures.
        data: the historical data set.
        scenarios: the scenarios as run (they decide which rows are built in).
        targets: the targets (default: all).

    Returns:
        One row per target with columns: group, key, target, scenario, month,
        period, role, reason, unit, family, kind, status, published, observed,
        runs, median, low_50 .. high_90, inside_50 .. inside_90, error, crps,
        is_90, baseline, baseline_note, crps_baseline, is_90_baseline,
        skill_crps, p, brier, brier_baseline, skill_brier, source, path, note.
    """
    rows = []
    for t in targets:
        role, reason = t.role(scenarios.get(t.scenario))
        here = (
            outcomes.loc[outcomes["scenario"] == t.scenario, t.key]
            if not outcomes.empty and t.key in outcomes.columns and "scenario" in outcomes
            else pd.Series(dtype=float)
        )
        sample = here.to_numpy(dtype=float)
        sample = sample[np.isfinite(sample)]
        y = t.observed(data)
        row: dict[str, Any] = {
            "group": t.group,
            "key": t.key,
            "target": t.label,
            "scenario": t.scenario,
            "month": t.month,
            "period": SPLIT.period_label(t.period),
            "role": role,
            "reason": reason,
            "unit": t.unit,
            "family": t.family,
            "kind": t.kind,
            "published": t.published(data),
            "observed": y,
            "runs": int(sample.size),
        }
        if not t.modelled():
            row["status"] = "not modelled yet"
        elif sample.size == 0:
            row["status"] = "no runs"
        else:
            row["status"] = "measured"
        base = t.baseline.value(data) if t.baseline is not None else math.nan
        row["baseline"] = base
        row["baseline_note"] = t.baseline.description if t.baseline is not None else ""
        measured = row["status"] == "measured"
        if t.is_binary:
            p = float(np.mean(sample >= 0.5)) if measured else math.nan
            row.update(p=p, median=math.nan, error=math.nan, crps=math.nan, is_90=math.nan)
            row["brier"] = brier(p, 1.0) if measured else math.nan
            row["brier_baseline"] = brier(base, 1.0) if math.isfinite(base) else math.nan
            row["skill_brier"] = skill(row["brier"], row["brier_baseline"])
            for level in LEVELS:
                row.update({f"low_{_pct(level)}": math.nan, f"high_{_pct(level)}": math.nan})
                row[f"inside_{_pct(level)}"] = None
            row.update(crps_baseline=math.nan, is_90_baseline=math.nan, skill_crps=math.nan)
        else:
            row.update(p=math.nan, brier=math.nan, brier_baseline=math.nan, skill_brier=math.nan)
            row["median"] = float(np.median(sample)) if measured else math.nan
            for level in LEVELS:
                low, high = central_interval(sample, level) if measured else (math.nan, math.nan)
                row[f"low_{_pct(level)}"], row[f"high_{_pct(level)}"] = low, high
                row[f"inside_{_pct(level)}"] = covers(y, low, high) if measured else None
            if measured:
                row["error"] = row["median"] - y if t.unit.startswith("%") else (
                    100.0 * (row["median"] - y) / y if y else math.nan
                )  # fmt: skip
                row["crps"] = crps_sample(sample, y)
                row["is_90"] = interval_score(y, row["low_90"], row["high_90"], ALPHA_90)
            else:
                row.update(error=math.nan, crps=math.nan, is_90=math.nan)
            if math.isfinite(base):
                row["crps_baseline"] = crps_point(base, y)
                row["is_90_baseline"] = interval_score(y, base, base, ALPHA_90)
            else:
                row["crps_baseline"] = row["is_90_baseline"] = math.nan
            row["skill_crps"] = skill(row["crps"], row["crps_baseline"])
        row["source"] = t.source(data) or ""
        row["path"] = t.path
        row["note"] = t.note
        rows.append(row)
    return pd.DataFrame(rows)


def scored(table: pd.DataFrame) -> pd.DataFrame:
    """The rows that count in the scores: not built in, measured."""
    return table[(table["role"] != "built-in") & (table["status"] == "measured")]


def score_table(table: pd.DataFrame) -> pd.DataFrame:
    """Scores by period and role (built-in rows excluded; see the module docstring).

    Returns:
        One row per (period, role) present: rows
        (numeric, measured), not_modelled, coverage_50/80/90, strict_90 (not
        modelled counted as outside), median_skill_crps, positive_skill (count),
        with_baseline (count), binary rows, brier, brier_baseline, skill_brier.
    """
    out = []
    frame = table[table["role"] != "built-in"]
    groups: list[tuple[str, str, pd.DataFrame]] = []
    for (period, role), rows in frame.groupby(["period", "role"], sort=False):
        groups.append((str(period), str(role), rows))
    for period, role, rows in groups:
        numeric = rows[rows["kind"] == "number"]
        measured = numeric[numeric["status"] == "measured"]
        missing = numeric[numeric["status"] != "measured"]
        binary = rows[(rows["kind"] == "binary") & (rows["status"] == "measured")]
        entry: dict[str, Any] = {
            "period": period,
            "role": role,
            "rows": len(measured),
            "not_modelled": int((numeric["status"] == "not modelled yet").sum()),
        }
        for level in LEVELS:
            entry[f"coverage_{_pct(level)}"] = coverage(list(measured[f"inside_{_pct(level)}"]))
        hits = int(measured["inside_90"].fillna(False).astype(bool).sum())
        entry["strict_90"] = hits / (len(measured) + len(missing)) if len(numeric) else math.nan
        skills = measured["skill_crps"].to_numpy(dtype=float)
        skills = skills[np.isfinite(skills)]
        entry["median_skill_crps"] = float(np.median(skills)) if skills.size else math.nan
        entry["positive_skill"] = int((skills > 0).sum())
        entry["with_baseline"] = int(skills.size)
        entry["binary"] = len(binary)
        entry["brier"] = float(binary["brier"].mean()) if len(binary) else math.nan
        entry["brier_baseline"] = (
            float(binary["brier_baseline"].mean()) if len(binary) else math.nan
        )
        entry["skill_brier"] = skill(entry["brier"], entry["brier_baseline"])
        out.append(entry)
    return pd.DataFrame(out)


def family_table(table: pd.DataFrame) -> pd.DataFrame:
    """Pooled CRPS skill by family and period (same unit within a family).

    Returns:
        One row per (family, period) with a baseline: rows, crps (sum),
        crps_baseline (sum), skill (1 - sum / sum baseline).
    """
    frame = scored(table)
    frame = frame[(frame["kind"] == "number") & frame["crps_baseline"].notna()]
    out = []
    for (family, period), rows in frame.groupby(["family", "period"], sort=False):
        out.append(
            {
                "family": family,
                "period": period,
                "unit": rows["unit"].iloc[0],
                "rows": len(rows),
                "crps": float(rows["crps"].sum()),
                "crps_baseline": float(rows["crps_baseline"].sum()),
                "skill": pooled_skill(list(rows["crps"]), list(rows["crps_baseline"])),
            }
        )
    return pd.DataFrame(out)


def headline(table: pd.DataFrame) -> dict[str, Any]:
    """The two figures the model is judged by, and the counts behind them.

    Returns:
        forecast_rows, forecast_inside_90, forecast_share_90 (non-built-in
        numeric forecast rows measured, inside their 90% interval, share),
        forecast_not_modelled, winner_2020_p, and the targets set for the
        model (at least 60% inside; the 2020 winner at even odds or better).
    """
    forecast = table[(table["role"] == "forecast") & (table["kind"] == "number")]
    measured = forecast[forecast["status"] == "measured"]
    inside = int(measured["inside_90"].fillna(False).astype(bool).sum())
    winner = table.loc[table["key"] == "2020_winner", "p"]
    p2020 = float(winner.iloc[0]) if len(winner) else math.nan
    return {
        "forecast_rows": len(measured),
        "forecast_inside_90": inside,
        "forecast_share_90": inside / len(measured) if len(measured) else math.nan,
        "forecast_not_modelled": int((forecast["status"] == "not modelled yet").sum()),
        "winner_2020_p": p2020,
        "goal_share_90": 0.6,
        "goal_winner_2020": 0.5,
    }


# --- counterfactual comparisons ----------------------------------------------------------


def comparison_table(
    outcomes: pd.DataFrame, comparisons: Mapping[str, Sequence[Any]]
) -> pd.DataFrame:
    """Counterfactuals against their baselines, paired by (draw, seed).

    Args:
        outcomes: run outcomes including the counterfactual runs.
        comparisons: counterfactual -> the comparisons (key, label, unit) to make.

    Returns:
        One row per (counterfactual, measure): baseline and counterfactual
        median, 5% and 95% (winner measures: the share of runs won), runs,
        and the median paired difference.
    """
    rows = []
    if outcomes.empty:
        return pd.DataFrame(rows)
    for cf, items in comparisons.items():
        baseline = COUNTERFACTUALS[cf]
        a = outcomes[outcomes["scenario"] == baseline].set_index(["draw", "seed"])
        b = outcomes[outcomes["scenario"] == cf].set_index(["draw", "seed"])
        if a.empty or b.empty:
            continue
        for comp in items:
            if comp.key not in a.columns or comp.key not in b.columns:
                continue
            row: dict[str, Any] = {
                "counterfactual": cf,
                "baseline": baseline,
                "measure": comp.label,
                "unit": comp.unit,
            }
            for who, frame in (("baseline", a), ("counterfactual", b)):
                values = frame[comp.key].to_numpy(dtype=float)
                values = values[np.isfinite(values)]
                if comp.unit == "winner":
                    median = float(np.mean(values >= 0.5)) if values.size else math.nan
                    low = high = math.nan
                elif values.size:
                    low, median, high = (float(x) for x in np.quantile(values, [0.05, 0.5, 0.95]))
                else:
                    low = median = high = math.nan
                row.update({f"{who}_median": median, f"{who}_low": low, f"{who}_high": high})
                row[f"{who}_runs"] = int(values.size)
            paired = (b[comp.key] - a[comp.key].reindex(b.index)).dropna()
            row["median_difference"] = float(paired.median()) if len(paired) else math.nan
            rows.append(row)
    return pd.DataFrame(rows)
