"""The validation's figures: each target group, membership over time, and coverage.

* one forest plot per target group: the published figure (×) against the
  posterior predictive median (●) and its central 50/80/90% intervals (thick
  to thin bars), coloured by role (fit, forecast, built-in);
* membership over time: the predictive median and 50/80/90% bands of the long
  run against the published year-end figures, with the split marked;
* coverage: nominal against observed coverage of the fit and forecast rows (a
  calibrated forecaster lies on the diagonal).
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from model.validation.scores import LEVELS
from model.validation.split import SPLIT

ROLE_COLOURS = {"fit": "tab:blue", "forecast": "tab:orange", "built-in": "tab:gray"}
WIDTHS = {0.5: 6.0, 0.8: 3.5, 0.9: 1.5}


def group_slug(group: str) -> str:
    """File-name form of a group ("2020 contest" -> "2020_contest")."""
    return re.sub(r"[^a-z0-9]+", "_", group.lower()).strip("_")


def draw_group(table: pd.DataFrame, group: str) -> Any:
    """A forest plot of one target group.

    Args:
        table: the target table.
        group: the group to draw.

    Returns:
        The matplotlib Figure.
    """
    import matplotlib.pyplot as plt

    from model.analysis.figures import HOUSE_STYLE

    rows = table[table["group"] == group].reset_index(drop=True)
    with plt.rc_context(HOUSE_STYLE):
        fig, ax = plt.subplots(figsize=(8, 0.45 * len(rows) + 1.6))
        y = np.arange(len(rows))[::-1]
        binary = rows["kind"] == "binary"
        for i, row in rows.iterrows():
            yy = y[i]
            colour = ROLE_COLOURS.get(row["role"], "black")
            if row["kind"] == "binary":
                p = row["p"]
                ax.barh(
                    yy, 0 if not math.isfinite(p) else 100 * p, color=colour, alpha=0.6, height=0.5
                )
                ax.plot(100, yy, "x", color="tab:red", ms=8, mew=2)
                continue
            if row["status"] == "measured":
                for level in sorted(LEVELS, reverse=True):
                    tag = round(100 * level)
                    ax.plot(
                        [row[f"low_{tag}"], row[f"high_{tag}"]],
                        [yy, yy],
                        color=colour,
                        lw=WIDTHS[level],
                        alpha=0.45,
                        solid_capstyle="butt",
                    )
                ax.plot(row["median"], yy, "o", color=colour, ms=4)
            else:
                ax.text(float(row["observed"]), yy + 0.25, row["status"], fontsize=7, color="gray")
            ax.plot(float(row["observed"]), yy, "x", color="tab:red", ms=8, mew=2)
        ax.set_yticks(y)
        ax.set_yticklabels(
            [f"{t} [{r}]" for t, r in zip(rows["target"], rows["role"], strict=True)]
        )
        if binary.all():
            ax.set_xlabel("share of runs with the historical outcome (%); × = what happened")
            ax.set_xlim(0, 105)
        else:
            units = " / ".join(sorted(set(rows["unit"])))
            ax.set_xlabel(
                f"{units}: median ●, central 50/80/90% intervals (thick to thin),\n"
                "published ×; blue: fit, orange: forecast, grey: built in"
            )
        ax.set_title(group)
        fig.tight_layout()
    return fig


def draw_membership(table: pd.DataFrame, series: pd.DataFrame) -> Any:
    """Membership over time: predictive median and bands against the year-end figures."""
    import matplotlib.pyplot as plt

    from model.analysis.figures import HOUSE_STYLE

    with plt.rc_context(HOUSE_STYLE):
        fig, ax = plt.subplots(figsize=(8.5, 4.2))
        for scenario, colour in (("labour_2010_2024", "tab:blue"),):
            s = series[series["scenario"] == scenario] if not series.empty else series
            if s.empty or "members_full" not in s.columns:
                continue
            frame = pd.DataFrame({"date": s["date"], "members": s["members_full"] / s["scale"]})
            qs = sorted({0.5} | {(1 - lv) / 2 for lv in LEVELS} | {(1 + lv) / 2 for lv in LEVELS})
            q = frame.groupby("date")["members"].quantile(qs).unstack()
            dates = pd.to_datetime(q.index + "-15")
            for level in LEVELS:
                lo, hi = (1 - level) / 2, (1 + level) / 2
                ax.fill_between(dates, q[lo], q[hi], color=colour, alpha=0.12, lw=0)
            ax.plot(dates, q[0.5], color=colour, label=f"{scenario}: median, 50/80/90% bands")
        pub = table[table["group"] == "Membership"]
        dates = pd.to_datetime([f"{m}-28" for m in pub["month"]])
        ax.plot(dates, pub["observed"].astype(float), "x", color="tab:red", ms=8, mew=2,
                label="published year-end figure")  # fmt: skip
        split = pd.Timestamp(f"{SPLIT.last_fit_month}-28")
        ax.axvline(split, color="black", ls="--", lw=1)
        ax.text(split, ax.get_ylim()[1], " forecast →", va="top", fontsize=8)
        ax.text(split, ax.get_ylim()[1], "← fit ", va="top", ha="right", fontsize=8)
        ax.set_ylabel("full members (scaled to full size)")
        ax.set_title("Membership: posterior predictive vs party accounts")
        ax.yaxis.set_major_formatter(lambda v, _: f"{v / 1000:.0f}k")
        ax.legend(loc="upper left", fontsize=8)
        fig.tight_layout()
    return fig


def coverage_points(table: pd.DataFrame) -> pd.DataFrame:
    """Observed coverage at each nominal level, for fit and forecast rows (scored, numeric).

    Returns:
        One row per (role, level): role, level, rows, covered, observed.
    """
    frame = table[
        (table["role"].isin(["fit", "forecast"]))
        & (table["status"] == "measured")
        & (table["kind"] == "number")
    ]
    rows = []
    for role, part in frame.groupby("role", sort=False):
        for level in LEVELS:
            flags = part[f"inside_{round(100 * level)}"].dropna().astype(bool)
            rows.append(
                {
                    "role": role,
                    "level": level,
                    "rows": len(flags),
                    "covered": int(flags.sum()),
                    "observed": float(flags.mean()) if len(flags) else math.nan,
                }
            )
    return pd.DataFrame(rows)


def draw_coverage(table: pd.DataFrame) -> Any:
    """Nominal against observed coverage (the diagonal is a well-calibrated forecaster)."""
    import matplotlib.pyplot as plt

    from model.analysis.figures import HOUSE_STYLE

    points = coverage_points(table)
    with plt.rc_context(HOUSE_STYLE):
        fig, ax = plt.subplots(figsize=(4.8, 4.6))
        ax.plot([0, 1], [0, 1], color="gray", ls="--", lw=1, label="perfect calibration")
        for role, part in points.groupby("role", sort=False) if not points.empty else []:
            n = int(part["rows"].max())
            ax.plot(part["level"], part["observed"], "o-", color=ROLE_COLOURS[role],
                    label=f"{role} rows (n = {n})")  # fmt: skip
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_xticks(list(LEVELS))
        ax.set_xlabel("nominal coverage of the central interval")
        ax.set_ylabel("share of published figures inside")
        ax.set_title("Coverage of the posterior predictive")
        ax.legend(loc="upper left", fontsize=8)
        fig.tight_layout()
    return fig


def write_figures(table: pd.DataFrame, series: pd.DataFrame, folder: Path) -> list[Path]:
    """Every figure into `folder` (validation_<group>.png, validation_coverage.png)."""
    import matplotlib.pyplot as plt

    from model.records.writers import atomic_write

    written = []
    jobs = [(g, lambda g=g: draw_membership(table, series) if g == "Membership" else draw_group(table, g))
            for g in table["group"].unique()]  # fmt: skip
    jobs.append(("coverage", lambda: draw_coverage(table)))
    for name, draw in jobs:
        fig = draw()
        path = folder / f"validation_{group_slug(name)}.png"
        atomic_write(path, lambda p, fig=fig: fig.savefig(p, format="png"))
        plt.close(fig)
        written.append(path)
    return written
