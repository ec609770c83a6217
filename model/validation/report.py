"""The validation page, generated from its template so that its text and its tables cannot disagree.

The template (``model/validation/templates/validation.md``) is Markdown with
fields ``{{ NAME }}``. Generated parts (every table, the figures, the run's
settings) are fields; the parts that need judgement are hand-written in the
template between ``<!-- hand-written: TOPIC -->`` and ``<!-- end
hand-written -->``, and every number in them is a field too (the tests check
that no hand-written section carries a literal decimal or percentage).

Fields:

* named fields (:func:`fields`): the settings, the headline, each table;
* ``t.KEY.COLUMN``: any cell of the target table, formatted by the target's
  unit (``t.2020_r1_keir_starmer.median``, ``t.2020_winner.p``);
* ``p.KEY``: the share of runs in which a pattern holds;
* ``c.ROLE.LEVEL``: coverage of a role's rows at a level (``c.forecast.90``);
* ``s.ROLE.COLUMN``: a cell of the score table (``s.forecast.median_skill_crps``);
* ``f.FAMILY.PERIOD.COLUMN``: pooled skill of a family (``f.membership.forecast.skill``);
* ``q.PARAMETER.COLUMN``: the posterior summary (``q.valence_weight.median``).

An unknown field is an error, never an empty string.
"""

from __future__ import annotations

import json
import math
import re
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from model.validation.markdown import (
    before_after_markdown,
    builtin_markdown,
    comparison_markdown,
    family_markdown,
    fmt,
    generations_markdown,
    pattern_markdown,
    posterior_markdown,
    priors_markdown,
    score_markdown,
    target_markdown,
)
from model.validation.priors import describe_table, load_priors
from model.validation.scores import LEVELS
from model.validation.split import SPLIT

if TYPE_CHECKING:
    from model.validation.workflow import ValidationResult

TEMPLATE = "templates/validation.md"
FIELD_RE = re.compile(r"\{\{\s*([A-Za-z0-9_.\-]+)\s*\}\}")
HAND_RE = re.compile(r"<!-- hand-written: ([^>]*?) -->(.*?)<!-- end hand-written -->", re.DOTALL)


class TemplateError(KeyError):
    """The template refers to a field that does not exist."""


def template_text(path: str | Path | None = None) -> str:
    """The page template (default: the package's)."""
    if path is not None:
        return Path(path).read_text(encoding="utf-8")
    return (resources.files("model.validation") / TEMPLATE).read_text(encoding="utf-8")


def hand_written_sections(text: str) -> dict[str, str]:
    """The hand-written sections of a template: topic -> text."""
    return {m.group(1).strip(): m.group(2) for m in HAND_RE.finditer(text)}


def render(text: str, values: dict[str, str], lookup: Any = None) -> str:
    """Replace every ``{{ NAME }}``; unknown names raise TemplateError.

    Args:
        text: the template.
        values: name -> text.
        lookup: called with a name not in `values` (for t./p./c. fields);
            returns the text or raises KeyError.
    """

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in values:
            return values[name]
        if lookup is not None:
            try:
                return lookup(name)
            except KeyError as err:
                raise TemplateError(f"template field {{{{ {name} }}}}: {err.args[0]}") from None
        raise TemplateError(f"template field {{{{ {name} }}}} is not defined")

    return FIELD_RE.sub(replace, text)


def _cell(table: pd.DataFrame, key: str, column: str) -> str:
    rows = table[table["key"] == key]
    if rows.empty:
        raise KeyError(f"no target {key!r}")
    row = rows.iloc[0]
    if column not in row.index:
        raise KeyError(f"no column {column!r} in the target table")
    value = row[column]
    if column in ("p", "brier_baseline") or column.startswith("inside"):
        return fmt(value, "share") if not isinstance(value, bool) else fmt(value)
    if column.startswith("skill"):
        return fmt(value, "skill")
    if column in ("crps", "is_90", "brier"):
        return fmt(value, "score")
    if column == "error":
        return f"{value:+.1f}" if isinstance(value, float) and math.isfinite(value) else "–"
    if column in ("runs",):
        return str(int(value))
    if isinstance(value, str):
        return value
    return fmt(float(value), row["unit"])


def lookup_for(result: ValidationResult) -> Any:
    """The resolver of ``t.``, ``p.`` and ``c.`` fields for one result."""
    from model.validation.figures import coverage_points

    points = coverage_points(result.table)

    def lookup(name: str) -> str:
        kind, _, rest = name.partition(".")
        if kind == "t":
            key, _, column = rest.rpartition(".")
            return _cell(result.table, key, column)
        if kind == "p":
            rows = result.patterns[result.patterns["key"] == rest]
            if rows.empty:
                raise KeyError(f"no pattern {rest!r}")
            row = rows.iloc[0]
            return fmt(row["share"], "share") if row["status"] == "modelled" else row["status"]
        if kind == "c":
            role, _, level = rest.partition(".")
            if (
                role not in ("fit", "forecast")
                or not level.isdigit()
                or int(level) / 100 not in LEVELS
            ):
                raise KeyError(f"coverage fields are c.fit.LEVEL or c.forecast.LEVEL, got {rest!r}")
            rows = points[(points["role"] == role) & (points["level"] == int(level) / 100)]
            if rows.empty:
                return "– (no rows)"
            row = rows.iloc[0]
            return f"{fmt(row['observed'], 'share')} ({row['covered']} of {row['rows']})"
        if kind == "f":
            family, _, rest2 = rest.rpartition(".")
            family, _, period = family.rpartition(".")
            label = SPLIT.period_label("fit" if period == "fit" else "forecast")
            rows = (
                result.families[
                    (result.families["family"].map(_slug) == family)
                    & (result.families["period"] == label)
                ]
                if not result.families.empty
                else result.families
            )
            if period not in ("fit", "forecast") or rest2 not in (
                "skill",
                "rows",
                "crps",
                "crps_baseline",
            ):
                raise KeyError(
                    f"family fields are f.FAMILY.fit|forecast.skill|rows|crps|crps_baseline, got {rest!r}"
                )
            if rows.empty:
                return "–"
            value = rows.iloc[0][rest2]
            return (
                fmt(value, "skill")
                if rest2 == "skill"
                else (str(int(value)) if rest2 == "rows" else fmt(value, "score"))
            )
        if kind == "s":
            role, _, column = rest.partition(".")
            rows = (
                result.scores[result.scores["role"] == role]
                if not result.scores.empty
                else result.scores
            )
            if role not in ("fit", "forecast"):
                raise KeyError(f"score fields are s.fit.COLUMN or s.forecast.COLUMN, got {rest!r}")
            if rows.empty:
                return "–"
            if column not in rows.columns:
                raise KeyError(f"no column {column!r} in the score table")
            value = rows.iloc[0][column]
            if column.startswith(("coverage", "strict")):
                return fmt(value, "share")
            if "skill" in column and column != "positive_skill":
                return fmt(value, "skill")
            if column.startswith("brier"):
                return fmt(value, "score")
            return str(value)
        if kind == "q":
            name, _, column = rest.rpartition(".")
            rows = (
                result.posterior[result.posterior["parameter"] == name]
                if not result.posterior.empty
                else result.posterior
            )
            if column not in ("median", "low", "high", "shrinkage"):
                raise KeyError(
                    f"posterior fields are q.PARAMETER.median|low|high|shrinkage, got {rest!r}"
                )
            if rows.empty:
                return "–"
            value = rows.iloc[0][column]
            return f"{value:.2f}" if column == "shrinkage" else f"{value:.3g}"
        raise KeyError("unknown field")

    return lookup


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", str(text).lower()).strip("_")


def _minutes(seconds: float) -> str:
    if not isinstance(seconds, int | float) or not math.isfinite(seconds):
        return "–"
    return f"{seconds / 60:.1f} minutes" if seconds >= 60 else f"{seconds:.0f} s"


SCALE_FOLDER = "scale"
"""Where a validation folder keeps its scale check (``--check-scale --out OUT/scale``)."""


def _scale_check(folder: Path) -> str:
    """The scale check's report, if one was run into the validation folder."""
    report = folder / SCALE_FOLDER / "scale_check.md"
    if report.exists():
        return report.read_text(encoding="utf-8")
    return (
        f"(no scale check in this folder: run `factions validate-history --check-scale --out "
        f"{folder}/{SCALE_FOLDER}` and publish again)\n"
    )


def calibration_description(calibration: dict[str, Any]) -> str:
    """The calibration row: an ABC run's budget, or a direct search's (experiments/fit_point.py)."""
    if not calibration:
        return "– (no calibration: the scenarios' values, or draws from the priors)"
    settings = calibration.get("settings", {})
    scale = f"{settings.get('scale', math.nan):g}" if settings else "–"
    targets = len(calibration.get("targets", []))
    if "method" in calibration:
        return (
            f"one point: {calibration['method']}, {calibration.get('evaluations', 0):,} runs at "
            f"scale {scale}, {targets} fit targets"
        )
    return (
        f"{calibration.get('library', '–')} ABC-SMC, {settings.get('population', '–')} particles × "
        f"{calibration.get('generations_done', '–')} generations, "
        f"{calibration.get('simulations', 0):,} simulations at scale {scale}, {targets} fit targets"
    )


def fields(result: ValidationResult, images: str = "figures") -> dict[str, str]:
    """The named fields of the page."""
    s = result.settings
    h = s["headline"]
    scales = sorted(set(s["scale"].values()))
    calibration = s.get("calibration") or {}
    folder = result.folder
    generations = folder / "calibration" / "generations.csv"
    gens = pd.read_csv(generations) if generations.exists() else pd.DataFrame()
    figures = sorted((folder / "figures").glob("validation_*.png"))
    figure_lines = "\n\n".join(
        f"![{p.stem.removeprefix('validation_').replace('_', ' ')}]({images}/{p.name})"
        for p in figures
    )
    meets_share = (
        "meets" if math.isfinite(h["forecast_share_90"]) and h["forecast_share_90"] >= h["goal_share_90"]
        else "does not meet"
    )  # fmt: skip
    meets_winner = (
        "meets" if math.isfinite(h["winner_2020_p"]) and h["winner_2020_p"] >= h["goal_winner_2020"]
        else "does not meet"
    )  # fmt: skip
    return {
        "draws": str(s["draws"]),
        "seeds": str(s["seeds"]),
        "runs_per_scenario": str(s["runs_per_scenario"]),
        "source": s["source"],
        "scale": ", ".join(f"{x:g}" for x in scales),
        "root_seed": str(s["root_seed"]),
        "workers": str(s["workers"]),
        "wall_time": _minutes(
            sum(x["seconds"] for x in s.get("sessions", [])) or s.get("seconds", math.nan)
        ),
        "sessions": str(max(1, len(s.get("sessions", [])))),
        "session_time": _minutes(s.get("seconds", math.nan)),
        "run_compute_time": _minutes(s.get("run_seconds_total", math.nan)),
        "git_revision": str(s.get("git_revision") or "unknown"),
        "runs_git_revisions": ", ".join(
            f"`{r}`"
            for r in sorted({x["git_revision"] for x in s.get("sessions", []) if x.get("runs")})
        )
        or "–",
        "split_month": SPLIT.last_fit_month,
        "fit_period": SPLIT.fit_label,
        "forecast_period": SPLIT.forecast_label,
        "campaign_shocks": s["campaign_shocks"],
        "ideology_sd": f"{s['spread']['ideology_sd']:g}",
        "valence_sd": f"{s['spread']['valence_sd']:g}",
        "shock_sd": f"{s['spread']['shock_sd']:g}",
        "failed_runs": str(len(s["failed_runs"])),
        "data_file": s["data_file"],
        "forecast_rows": str(h["forecast_rows"]),
        "forecast_inside_90": str(h["forecast_inside_90"]),
        "forecast_share_90": fmt(h["forecast_share_90"], "share"),
        "forecast_not_modelled": str(h["forecast_not_modelled"]),
        "winner_2020_p": fmt(h["winner_2020_p"], "share"),
        "goal_share_90": fmt(h["goal_share_90"], "share"),
        "goal_winner_2020": fmt(h["goal_winner_2020"], "share"),
        "verdict_share_90": meets_share,
        "verdict_winner_2020": meets_winner,
        "calibration_description": calibration_description(calibration),
        "table_scores": score_markdown(result.scores),
        "table_families": family_markdown(result.families),
        "table_targets": target_markdown(result.table),
        "table_builtin": builtin_markdown(result.table),
        "table_patterns": pattern_markdown(result.patterns),
        "table_comparisons": comparison_markdown(result.comparisons),
        "table_before_after": before_after_markdown(result.previous, result.table),
        "table_posterior": posterior_markdown(result.posterior),
        "table_priors": priors_markdown(describe_table(load_priors())),
        "table_generations": generations_markdown(gens),
        "figures": figure_lines or "(no figures)",
        "table_scale": _scale_check(folder),
        "images": images,
        "settings_json": json.dumps(
            {k: s[k] for k in ("draws", "seeds", "source", "root_seed", "split", "git_revision")},
            indent=2,
        ),
    }


def render_page(
    result: ValidationResult, images: str = "figures", template: str | Path | None = None
) -> str:
    """The validation page for one result."""
    return render(template_text(template), fields(result, images), lookup_for(result))


def write_figures_and_page(
    result: ValidationResult, out: Path, *, figures: bool = True
) -> list[Path]:
    """The figures and validation.md into the validation folder."""
    from model.records.writers import write_text
    from model.validation.figures import write_figures

    written = []
    if figures:
        written += write_figures(result.table, result.runs.series, out / "figures")
    for name, text in (
        ("table.md", target_markdown(result.table)),
        ("scores.md", score_markdown(result.scores) + "\n" + family_markdown(result.families)),
        ("patterns.md", pattern_markdown(result.patterns)),
        ("counterfactuals.md", comparison_markdown(result.comparisons)),
    ):
        write_text(out / name, text)
        written.append(out / name)
    write_text(out / "validation.md", render_page(result))
    written.append(out / "validation.md")
    return written
