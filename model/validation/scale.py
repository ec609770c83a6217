"""Does a smaller scale give the same outcome distributions? A two-sample check.

The calibration and the validation run many simulations; at full scale
(1.0) each is several times slower than at 0.1. A smaller scale is only
acceptable if it gives the same *distributions* of the outcomes that are
scored. :func:`compare_scales` runs the calibration scenarios (cut at the
split: the fit targets) at two scales over the same seeds, draws and shocks
and compares each fit target's distribution with a two-sample
Kolmogorov–Smirnov test (``scipy.stats.ks_2samp``), adjusting the p-values
for the number of targets with Holm's method. It reports, per target, both
medians, the KS statistic and the adjusted p-value; a target "differs" when
the adjusted p-value is below 0.05.

Counts are compared after scaling back to full size, so a difference is a
difference in behaviour, not in units. A low-power check (few seeds) that
finds no difference is weak evidence; the table gives the number of runs.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from model.validation.catalogue import fit_targets
from model.validation.priors import PriorTable, applicability, load_priors, scenario_values
from model.validation.runner import Spread, run_many
from model.validation.scenarios import (
    ALIASES,
    MEASURED,
    SCENARIO_DIR,
    adjust,
    load_validation_scenarios,
    scenario_texts,
)
from model.validation.split import SPLIT


def holm(pvalues: list[float]) -> list[float]:
    """Holm–Bonferroni adjusted p-values (NaN stays NaN)."""
    indexed = [(p, i) for i, p in enumerate(pvalues) if math.isfinite(p)]
    indexed.sort()
    m = len(indexed)
    adjusted = [math.nan] * len(pvalues)
    running = 0.0
    for rank, (p, i) in enumerate(indexed):
        running = max(running, min(1.0, (m - rank) * p))
        adjusted[i] = running
    return adjusted


def compare_samples(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """(KS statistic, p-value) of two samples; (NaN, NaN) if either is empty or both constant alike."""
    a, b = a[np.isfinite(a)], b[np.isfinite(b)]
    if a.size == 0 or b.size == 0:
        return math.nan, math.nan
    if np.ptp(a) == 0 and np.ptp(b) == 0:
        return (0.0, 1.0) if a[0] == b[0] else (1.0, 0.0)
    result = stats.ks_2samp(a, b)
    return float(result.statistic), float(result.pvalue)


def compare_scales(
    out: str | Path,
    scales: tuple[float, float],
    *,
    seeds: int,
    draws: list[dict[str, float]] | None = None,
    table: PriorTable | None = None,
    workers: int = 1,
    scenario_dir: str | Path = SCENARIO_DIR,
    months: int | None = None,
    progress: bool = True,
) -> pd.DataFrame:
    """Run the fit scenarios at two scales and compare each fit target's distribution.

    Args:
        out: the folder (one sweep folder per scale and scenario; resumable).
        scales: the two scales, e.g. (0.1, 1.0).
        seeds: seeds per draw and scale.
        draws: parameter values to run at (default: the scenarios as written).
        table: the priors table (for the spread of shocks and the parameters).
        workers: worker processes.
        scenario_dir: where the scenario files are.
        months: cut the runs shorter still (tests).
        progress: progress bars.

    Returns:
        One row per fit target: key, target, unit, runs_a, runs_b, median_a,
        median_b, ks, p, p_holm, differs.
    """
    table = table or load_priors()
    loaded = load_validation_scenarios(scenario_dir, counterfactuals=False)
    where = applicability(scenario_texts(list(MEASURED), scenario_dir), ALIASES)
    spread = Spread(
        table.candidates.ideology_sd, table.candidates.valence_sd, table.campaign.shock_sd
    )
    thetas = draws or [{}]
    outcomes = {}
    for scale in scales:
        scenarios = {
            name: SPLIT.truncate(adjust(loaded[name], scale=scale, months=months))
            for name in MEASURED
        }
        variants = {
            name: [
                (f"draw {i:04d}", scenario_values(table, where, name, t))
                for i, t in enumerate(thetas)
            ]
            for name in scenarios
        }
        runs = run_many(
            scenarios,
            Path(out) / f"scale_{scale:g}",
            seeds=seeds,
            draws=variants,
            spread=spread,
            workers=workers,
            resume=True,
            progress=progress,
        )
        outcomes[scale] = runs.outcomes
        scenarios_used = scenarios
    rows: list[dict[str, Any]] = []
    for t in fit_targets(scenarios_used):
        samples = []
        for scale in scales:
            frame = outcomes[scale]
            here = (
                frame.loc[frame["scenario"] == t.scenario, t.key]
                if not frame.empty
                else pd.Series(dtype=float)
            )
            samples.append(here.to_numpy(dtype=float))
        ks, p = compare_samples(*samples)
        rows.append(
            {
                "key": t.key,
                "target": t.label,
                "unit": t.unit,
                "runs_a": int(np.isfinite(samples[0]).sum()),
                "runs_b": int(np.isfinite(samples[1]).sum()),
                "median_a": float(np.nanmedian(samples[0])) if samples[0].size else math.nan,
                "median_b": float(np.nanmedian(samples[1])) if samples[1].size else math.nan,
                "ks": ks,
                "p": p,
            }
        )
    frame = pd.DataFrame(rows)
    if not frame.empty:
        frame["p_holm"] = holm(list(frame["p"]))
        frame["differs"] = frame["p_holm"] < 0.05
    return frame


def scale_markdown(
    frame: pd.DataFrame, scales: tuple[float, float], what: str = "the scenarios as written"
) -> str:
    """The comparison as Markdown, with a one-line summary first.

    Args:
        frame: as from compare_scales.
        scales: the two scales.
        what: the parameter values the runs used, for the summary line.
    """
    a, b = scales
    if frame.empty:
        return "(nothing compared)\n"
    differs = int(frame["differs"].sum())
    lines = [
        f"{differs} of {len(frame)} fit targets differ between scale {a:g} and {b:g} "
        f"(two-sample Kolmogorov–Smirnov, Holm-adjusted p < 0.05; runs of {what}, cut at "
        f"the split, with candidates' attributes and campaign shocks).",
        "",
        f"| target | runs | median at {a:g} | median at {b:g} | KS | p (Holm) | differs |",
        "|---|---:|---:|---:|---:|---:|:---:|",
    ]
    for _, r in frame.iterrows():
        lines.append(
            f"| {r['target']} | {r['runs_a']} / {r['runs_b']} | {r['median_a']:,.4g} | {r['median_b']:,.4g} "
            f"| {r['ks']:.2f} | {r['p_holm']:.3g} | {'**yes**' if r['differs'] else 'no'} |"
        )
    return "\n".join(lines) + "\n"
