"""The validation's tables as Markdown (for the generated page and the folder's .md files)."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from model.validation.scores import LEVELS


def fmt(value: Any, unit: str = "") -> str:
    """A number as the tables show it ("–" for missing)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "yes" if value else "no"
    if unit in ("%", "% of seats"):
        return f"{value:.1f}"
    if unit == "ideology":
        return f"{value:+.2f}"
    if unit in ("winner", "passes", "share"):
        return f"{value:.0%}"
    if unit == "skill":
        return f"{value:+.2f}"
    if unit == "score":
        return f"{value:.3g}"
    return f"{value:,.0f}"


def _inside(row: Any) -> str:
    flags = []
    for level in LEVELS:
        flag = row[f"inside_{round(100 * level)}"]
        flags.append(
            "–"
            if flag is None or (isinstance(flag, float) and math.isnan(flag))
            else ("yes" if flag else "**no**")
        )
    return " / ".join(flags)


def _error(row: Any) -> str:
    error = row["error"]
    if not isinstance(error, float) or not math.isfinite(error):
        return "–"
    return f"{error:+.1f} pp" if str(row["unit"]).startswith("%") else f"{error:+.0f}%"


def _role(row: Any) -> str:
    role = row["role"]
    if row["status"] == "not modelled yet":
        return f"{role} (not modelled yet)"
    if row["status"] == "no runs":
        return f"{role} (no runs)"
    return role


def target_markdown(table: pd.DataFrame) -> str:
    """The target table, one section per group.

    Numeric rows: published, median, central 50/80/90% intervals, whether each
    holds the figure, error of the median, CRPS skill against the baseline,
    role. Binary rows: the share of runs with the historical outcome, Brier
    score, the baseline's, skill.
    """
    lines: list[str] = []
    for group, rows in table.groupby("group", sort=False):
        lines += [f"**{group}**", ""]
        if (rows["kind"] == "binary").all():
            lines += [
                "| outcome | runs with it | Brier | baseline | Brier baseline | skill | role |",
                "|---|---:|---:|---|---:|---:|---|",
            ]
            for _, row in rows.iterrows():
                lines.append(
                    f"| {row['target']} | {fmt(row['p'], 'share')} | {fmt(row['brier'], 'score')} "
                    f"| {row['baseline_note'] or '–'} | {fmt(row['brier_baseline'], 'score')} "
                    f"| {fmt(row['skill_brier'], 'skill')} | {_role(row)} |"
                )
            lines.append("")
            continue
        lines += [
            "| target | published | median | 50% | 80% | 90% | inside 50/80/90 | error | CRPS skill | role |",
            "|---|---:|---:|---:|---:|---:|:---:|---:|---:|---|",
        ]
        for _, row in rows.iterrows():
            unit = row["unit"]
            if row["kind"] == "binary":
                lines.append(
                    f"| {row['target']} | {row['published']} | runs with it: {fmt(row['p'], 'share')} "
                    f"| | | | | | Brier {fmt(row['brier'], 'score')} | {_role(row)} |"
                )
                continue
            intervals = [
                f"{fmt(row[f'low_{round(100 * lv)}'], unit)}–{fmt(row[f'high_{round(100 * lv)}'], unit)}"
                if isinstance(row[f"low_{round(100 * lv)}"], float)
                and math.isfinite(row[f"low_{round(100 * lv)}"])
                else "–"
                for lv in LEVELS
            ]
            lines.append(
                f"| {row['target']} | {fmt(float(row['observed']), unit)} | {fmt(row['median'], unit)} "
                f"| {' | '.join(intervals)} | {_inside(row)} | {_error(row)} "
                f"| {fmt(row['skill_crps'], 'skill')} | {_role(row)} |"
            )
        lines.append("")
    return "\n".join(lines)


def builtin_markdown(table: pd.DataFrame) -> str:
    """The built-in rows and why each is built in."""
    rows = table[table["role"] == "built-in"]
    if rows.empty:
        return "(none)\n"
    lines = ["| target | why it is built in |", "|---|---|"]
    lines += [f"| {r['target']} | {r['reason']} |" for _, r in rows.iterrows()]
    return "\n".join(lines) + "\n"


def score_markdown(scores: pd.DataFrame) -> str:
    """Coverage and skill by period and role."""
    if scores.empty:
        return "(no scored rows)\n"
    lines = [
        "| period | role | numeric rows | not modelled yet | coverage 50% | 80% | 90% | 90%, not modelled as misses "
        "| median CRPS skill | rows with positive skill | outcomes | Brier | Brier baseline | Brier skill |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for _, r in scores.iterrows():
        lines.append(
            f"| {r['period']} | {r['role']} | {r['rows']} | {r['not_modelled']} "
            f"| {fmt(r['coverage_50'], 'share')} | {fmt(r['coverage_80'], 'share')} "
            f"| {fmt(r['coverage_90'], 'share')} | {fmt(r['strict_90'], 'share')} "
            f"| {fmt(r['median_skill_crps'], 'skill')} | {r['positive_skill']} of {r['with_baseline']} "
            f"| {r['binary']} | {fmt(r['brier'], 'score')} | {fmt(r['brier_baseline'], 'score')} "
            f"| {fmt(r['skill_brier'], 'skill')} |"
        )
    return "\n".join(lines) + "\n"


def family_markdown(families: pd.DataFrame) -> str:
    """Pooled CRPS skill by target family and period."""
    if families.empty:
        return "(no family with a baseline)\n"
    lines = [
        "| family | period | unit | rows | CRPS (sum) | baseline (sum) | skill |",
        "|---|---|---|---:|---:|---:|---:|",
    ]
    for _, r in families.iterrows():
        lines.append(
            f"| {r['family']} | {r['period']} | {r['unit']} | {r['rows']} | {r['crps']:,.3g} "
            f"| {r['crps_baseline']:,.3g} | {fmt(r['skill'], 'skill')} |"
        )
    return "\n".join(lines) + "\n"


def pattern_markdown(patterns: pd.DataFrame) -> str:
    """The pattern table."""
    lines = [
        "| pattern | holds in | 90% interval | runs judged | status |",
        "|---|---:|---|---:|---|",
    ]
    for _, r in patterns.iterrows():
        if r["status"] == "modelled":
            share = fmt(r["share"], "share")
            band = f"{fmt(r['low'], 'share')}–{fmt(r['high'], 'share')}"
        else:
            share = band = "–"
        status = r["status"] if r["status"] == "modelled" else f"**{r['status']}**: {r['note']}"
        lines.append(f"| {r['pattern']} | {share} | {band} | {r['runs']} | {status} |")
    return "\n".join(lines) + "\n"


def comparison_markdown(table: pd.DataFrame) -> str:
    """The counterfactual comparison."""
    if table.empty:
        return "(no counterfactual runs)\n"
    lines: list[str] = []
    for cf, rows in table.groupby("counterfactual", sort=False):
        baseline = rows["baseline"].iloc[0]
        lines += [
            f"**{cf}** (against {baseline}, same draws and seeds)",
            "",
            "| measure | baseline | counterfactual | median paired difference |",
            "|---|---:|---:|---:|",
        ]
        for row in rows.itertuples(index=False):
            unit = row.unit
            if unit == "winner":
                base = f"{fmt(row.baseline_median, unit)} of runs"
                cfv = f"{fmt(row.counterfactual_median, unit)} of runs"
                diff = "–"
            else:
                base = f"{fmt(row.baseline_median, unit)} ({fmt(row.baseline_low, unit)} – {fmt(row.baseline_high, unit)})"
                cfv = (
                    f"{fmt(row.counterfactual_median, unit)} "
                    f"({fmt(row.counterfactual_low, unit)} – {fmt(row.counterfactual_high, unit)})"
                )
                diff = fmt(row.median_difference, unit)
            lines.append(f"| {row.measure} | {base} | {cfv} | {diff} |")
        lines.append("")
    return "\n".join(lines)


def before_after_markdown(previous: pd.DataFrame | None, table: pd.DataFrame) -> str:
    """The previously published page's rows beside this run's: median, error, inside 90%."""
    if previous is None or previous.empty:
        return "(no earlier published run to compare with)\n"
    revision = str(previous["git_revision"].iloc[0]) if "git_revision" in previous else "?"
    before = previous.set_index("key")
    scored = table[table["unit"] != "winner"]
    lines = [
        f"Against the page published before this one (runs at `{revision[:12]}`). "
        "Error: median minus published; inside: within the 90% interval.",
        "",
        "| figure | role | published | before: median | error | inside | "
        "now: median | error | inside |",
        "|---|---|---:|---:|---:|:-:|---:|---:|:-:|",
    ]
    counts = {"before": 0, "now": 0, "both": 0}
    for row in scored.itertuples(index=False):
        if row.key not in before.index:
            old = ("–", "–", "–")
        else:
            b = before.loc[row.key]
            old = (fmt(b["median"], row.unit), _error(b), _yes(b["inside_90"]))
        new = (fmt(row.median, row.unit), _error(row._asdict()), _yes(row.inside_90))
        if row.role != "built-in" and row.key in before.index:
            counts["both"] += 1
            counts["before"] += old[2] == "yes"
            counts["now"] += new[2] == "yes"
        lines.append(
            f"| {row.target} | {row.role} | {fmt(row.published, row.unit)} | "
            + " | ".join(old)
            + " | "
            + " | ".join(new)
            + " |"
        )
    lines += [
        "",
        f"Of the {counts['both']} scored figures in both runs, {counts['before']} were inside "
        f"their 90% interval before and {counts['now']} are now.",
        "",
    ]
    return "\n".join(lines)


def _yes(value: Any) -> str:
    if isinstance(value, str):
        value = value.strip().lower() == "true"
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return "yes" if bool(value) else "**no**"


def posterior_markdown(summary: pd.DataFrame) -> str:
    """The calibrated parameters: prior, posterior median and 5–95%, shrinkage."""
    if summary.empty:
        return "(no posterior: the runs used the scenarios as written or the priors)\n"
    lines = [
        "| parameter | prior | posterior median | 5–95% | shrinkage |",
        "|---|---|---:|---|---:|",
    ]
    for _, r in summary.iterrows():
        if isinstance(r["median"], float) and math.isnan(r["median"]):
            lines.append(
                f"| {r['parameter']} | {r['prior']} | not calibrated: drawn from the prior | | |"
            )
            continue
        lines.append(
            f"| {r['parameter']} | {r['prior']} | {r['median']:.4g} | {r['low']:.4g} – {r['high']:.4g} "
            f"| {r['shrinkage']:.2f} |"
        )
    return "\n".join(lines) + "\n"


def priors_markdown(rows: list[dict[str, Any]]) -> str:
    """The priors table."""
    lines = ["| parameter | sets | prior | calibrated | justification |", "|---|---|---|:---:|---|"]
    for r in rows:
        lines.append(
            f"| {r['parameter']} | `{r['paths']}` | {r['prior']} | {'yes' if r['calibrated'] else 'no'} "
            f"| {r['justification']} |"
        )
    return "\n".join(lines) + "\n"


def generations_markdown(generations: pd.DataFrame) -> str:
    """The ABC-SMC generations: epsilon, simulations, acceptance."""
    if generations.empty:
        return "(no calibration in this folder)\n"
    lines = [
        "| generation | epsilon | simulations | accepted | acceptance |",
        "|---:|---:|---:|---:|---:|",
    ]
    for _, r in generations.iterrows():
        lines.append(
            f"| {int(r['t'])} | {r['epsilon']:.4g} | {int(r['samples']):,} | {int(r['particles'])} "
            f"| {r['particles'] / r['samples']:.1%} |"
        )
    return "\n".join(lines) + "\n"
