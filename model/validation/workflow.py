"""The whole validation: calibrate (optionally), draw, run, score, write tables, figures and the page.

:func:`validate_history` is what ``factions validate-history`` runs. Its
folder (``--out``) holds::

    manifest.json            kind "validation", the fingerprint of the settings
    settings.json            seeds, draws, scale, shocks, git revision, wall time
    calibration/             the ABC-SMC calibration (with --calibrate): pyabc.db,
                             posterior.csv, generations.csv, settings.json
    draws.csv                the parameter draws of the posterior predictive
    runs/<scenario>/         one sweep folder per scenario (each run as it finishes)
    outcomes.csv             every run's measures
    table.csv, scores.csv, families.csv, patterns.csv, counterfactuals.csv
    figures/*.png            one figure per target group, membership, coverage
    validation.md            the validation page, generated from its template

Everything after the runs is derived from them, so a resumed validation
(``--resume``) runs only what is missing and rewrites the rest.
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from model.validation.calibrate import (
    CalibrationSettings,
    load_posterior,
    posterior_draws,
    posterior_summary,
    prior_draws,
    run_calibration,
)
from model.validation.history import data_label, load_history
from model.validation.outputs import (
    finish_replacement,
    lock_folder,
    prepare_output,
    set_aside,
    write_manifest,
)
from model.validation.patterns import pattern_table
from model.validation.priors import (
    PriorTable,
    applicability,
    check_against_scenarios,
    load_priors,
    scenario_values,
)
from model.validation.runner import ROOT_SEED, RunSet, Spread, run_many
from model.validation.scenarios import (
    ALIASES,
    COMPARISONS,
    MEASURED,
    SCENARIO_DIR,
    adjust,
    load_validation_scenarios,
    scenario_texts,
)
from model.validation.shocks import shock_mode
from model.validation.split import SPLIT
from model.validation.tables import (
    comparison_table,
    family_table,
    headline,
    score_table,
    target_table,
)

Source = Literal["posterior", "prior", "as written"]


@dataclass(frozen=True)
class ValidationSettings:
    """What decides a validation's runs.

    Attributes:
        draws: parameter draws of the predictive distribution.
        seeds: seeds per draw (each run also draws its own campaign shocks).
        scale: party.scale of every run (None: the scenarios' own).
        counterfactuals: also run the counterfactuals and their baselines.
        source: where the draws come from: the calibration's posterior, the
            priors (a prior-predictive check), or the scenarios as written.
        months: cut every scenario (tests only).
        root_seed: the root of the replication seeds and of the draws.
    """

    draws: int
    seeds: int
    scale: float | None
    counterfactuals: bool = True
    source: Source = "posterior"
    months: int | None = None
    root_seed: int = ROOT_SEED


@dataclass
class ValidationResult:
    """What validate_history produced."""

    folder: Path
    table: pd.DataFrame
    scores: pd.DataFrame
    families: pd.DataFrame
    patterns: pd.DataFrame
    comparisons: pd.DataFrame
    posterior: pd.DataFrame
    runs: RunSet
    settings: dict[str, Any]
    files: list[Path] = field(default_factory=list)
    previous: pd.DataFrame | None = None
    """The previously published page's rows (`PUBLISHED_TABLE`), for its before-and-after."""


PUBLISHED_TABLE = "validation_table.csv"
PREVIOUS_TABLE = "previous_page_table.csv"
"""In a validation folder: the published page's rows this run replaced (its before-and-after)."""
"""The published page's rows, kept beside it in docs/: the next publication compares with them."""

PUBLISHED_COLUMNS = (
    "key", "target", "role", "unit", "published", "median", "error", "inside_90", "git_revision",
)  # fmt: skip


def fingerprint(
    settings: ValidationSettings,
    table: PriorTable,
    calibration: CalibrationSettings | None,
    posterior_file: Path | None,
) -> str:
    """A hash of what decides the runs (a resumed folder must match it)."""
    data: dict[str, Any] = {
        "settings": asdict(settings),
        "priors": table.model_dump(mode="json"),
        "split": SPLIT.last_fit_month,
    }
    if calibration is not None:
        # Everything but the workers decides the posterior, hence the draws.
        data["calibration"] = asdict(calibration) | {"workers": None}
    if posterior_file is not None and posterior_file.exists():
        data["posterior"] = hashlib.sha256(posterior_file.read_bytes()).hexdigest()
    text = json.dumps(data, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def validate_history(
    out: str | Path,
    settings: ValidationSettings,
    *,
    workers: int = 1,
    calibration: CalibrationSettings | None = None,
    posterior_dir: str | Path | None = None,
    priors: str | Path | None = None,
    scenario_dir: str | Path = SCENARIO_DIR,
    overwrite: bool = False,
    resume: bool = False,
    progress: bool = True,
    figures: bool = True,
    publish: str | Path | None = None,
) -> ValidationResult:
    """Calibrate (if asked), run the posterior predictive, score it and write everything.

    Args:
        out: the validation folder.
        settings: what decides the runs.
        workers: worker processes.
        calibration: run this calibration into ``out/calibration`` first.
        posterior_dir: use the posterior of an existing calibration folder.
        priors: another priors table (default: the package's).
        scenario_dir: where the scenario files are.
        overwrite: replace a validation already in `out`.
        resume: continue a validation already in `out` (same settings).
        progress: progress bars on a terminal.
        figures: draw the figures.
        publish: also write the page to this docs folder (validation.md and
            images/validation_*.png), e.g. docs/.

    Returns:
        The ValidationResult.

    Raises:
        OutputError: `out` cannot be used (before any work).
        FileNotFoundError: the posterior is missing.
    """
    from model.records.writers import atomic_write, write_text
    from model.study.run import git_revision
    from model.validation.report import render_page, write_figures_and_page

    started = time.perf_counter()
    revision = git_revision()  # the code that runs, taken before any edit can happen
    out = Path(out)
    table = load_priors(priors)
    posterior_file = Path(posterior_dir) / "posterior.csv" if posterior_dir else None
    if settings.source == "posterior" and calibration is None and posterior_file is None:
        raise FileNotFoundError(
            "no posterior to draw from: pass --calibrate, or --calibration DIR (a folder "
            "written by `factions calibrate`), or --prior-predictive"
        )
    if posterior_file is not None and not posterior_file.exists():
        raise FileNotFoundError(
            f"--calibration {posterior_dir}: no posterior.csv there; run `factions calibrate "
            f"--out {posterior_dir}` first"
        )
    mark = fingerprint(settings, table, calibration, posterior_file)
    action = prepare_output(out, "validation", fingerprint=mark, overwrite=overwrite, resume=resume)
    with lock_folder(out):
        aside = set_aside(out) if action == "replace" else None
        out.mkdir(parents=True, exist_ok=True)
        write_manifest(out, "validation", mark, split=SPLIT.last_fit_month)

        # 1. The parameter draws.
        posterior = pd.DataFrame()
        calibration_record: dict[str, Any] = {}
        if calibration is not None:
            result = run_calibration(
                out / "calibration",
                calibration,
                table=table,
                scenario_dir=scenario_dir,
                months=settings.months,
                progress=progress,
            )
            posterior, calibration_record = result.posterior, result.settings
        elif posterior_file is not None:
            posterior, calibration_record = load_posterior(posterior_file.parent)
        if settings.source == "posterior":
            draws = posterior_draws(posterior, table, settings.draws, seed=settings.root_seed)
        elif settings.source == "prior":
            draws = prior_draws(table, settings.draws, seed=settings.root_seed)
        else:
            draws = pd.DataFrame({"draw": [0]})
        atomic_write(out / "draws.csv", lambda p: draws.to_csv(p, index=False))

        # 2. The runs: every scenario over the same draws and seeds.
        scale = settings.scale
        if scale is None and calibration_record:
            scale = calibration_record.get("settings", {}).get("scale")
        scenarios = {
            name: adjust(s, scale=scale, months=settings.months)
            for name, s in load_validation_scenarios(
                scenario_dir, counterfactuals=settings.counterfactuals
            ).items()
        }
        where = applicability(scenario_texts(list(scenarios), scenario_dir), ALIASES)
        problems = check_against_scenarios(table, scenarios, where)
        thetas = [
            {k: float(v) for k, v in row.items() if k != "draw" and not _missing(v)}
            for row in draws.to_dict(orient="records")
        ]
        variants = {
            name: [
                (f"draw {i:04d}", scenario_values(table, where, name, theta))
                for i, theta in enumerate(thetas)
            ]
            for name in scenarios
        }
        spread = Spread(
            ideology_sd=table.candidates.ideology_sd,
            valence_sd=table.candidates.valence_sd,
            shock_sd=table.campaign.shock_sd,
        )
        runs = run_many(
            scenarios,
            out / "runs",
            seeds=settings.seeds,
            draws=variants,
            spread=spread,
            workers=workers,
            root_seed=settings.root_seed,
            resume=True,  # the folder is ours (prepare_output checked it); keep finished runs
            progress=progress,
        )

        # 3. Scores, patterns, comparisons.
        data = load_history()
        targets = target_table(runs.outcomes, data, scenarios)
        scores = score_table(targets)
        families = family_table(targets)
        patterns = pattern_table(runs.outcomes, MEASURED)
        comparisons = (
            comparison_table(runs.outcomes, COMPARISONS)
            if settings.counterfactuals
            else pd.DataFrame()
        )
        summary = posterior_summary(posterior, table) if not posterior.empty else pd.DataFrame()
        files = []
        for name, frame in (
            ("outcomes.csv", runs.outcomes),
            ("table.csv", targets),
            ("scores.csv", scores),
            ("families.csv", families),
            ("patterns.csv", patterns),
            ("counterfactuals.csv", comparisons),
            ("posterior_summary.csv", summary),
        ):
            atomic_write(out / name, lambda p, frame=frame: frame.to_csv(p, index=False))
            files.append(out / name)

        record = {
            "draws": settings.draws,
            "seeds": settings.seeds,
            "runs_per_scenario": settings.draws * settings.seeds,
            "source": settings.source,
            "root_seed": settings.root_seed,
            "scale": {name: s.party.scale for name, s in scenarios.items()},
            "months": {name: s.calendar.months for name, s in scenarios.items()},
            "split": SPLIT.last_fit_month,
            "campaign_shocks": shock_mode(),
            "spread": asdict(spread),
            "workers": workers,
            "runs_this_session": runs.ran,
            "failed_runs": runs.failed,
            "run_seconds_total": _run_seconds(out / "runs"),
            "prior_warnings": problems,
            "calibration": calibration_record,
            "headline": headline(targets),
            "git_revision": revision,
            "data_file": data_label(),
        }
        record["seconds"] = round(time.perf_counter() - started, 1)
        record["sessions"] = _sessions(out)
        result = ValidationResult(
            out, targets, scores, families, patterns, comparisons, summary, runs, record, files
        )
        files += write_figures_and_page(result, out, figures=figures)
        record["seconds"] = round(time.perf_counter() - started, 1)
        # Every session of this folder (a resumed one adds its own line), so the
        # page can give the total wall time, not just the last session's.
        session = {
            "finished": time.strftime("%Y-%m-%d %H:%M:%S"),
            "seconds": record["seconds"],
            "runs": runs.ran,
            "workers": workers,
            "git_revision": revision,
        }
        with open(out / SESSIONS, "a", encoding="utf-8") as log:
            log.write(json.dumps(session) + "\n")
        record["sessions"] = _sessions(out)
        write_text(out / "settings.json", json.dumps(record, indent=2, default=str) + "\n")
        # The page again, now that the wall time is final.
        write_text(out / "validation.md", render_page(result))
        files += [out / "settings.json"]
        if publish is not None:
            files += publish_page(result, Path(publish))
        finish_replacement(aside)
    return result


def publish_page(result: ValidationResult, docs: Path) -> list[Path]:
    """Copy the page and its figures into a docs folder (validation.md, images/)."""
    import shutil

    from model.records.writers import write_text
    from model.validation.report import render_page

    written = []
    kept = docs / PUBLISHED_TABLE
    # The page this run replaces, kept in the run's folder on its first publish: a
    # second publish of the same run (after --resume, or an edited template) then
    # compares with that page, not with the rows the first publish wrote over it.
    before = result.folder / PREVIOUS_TABLE
    if before.exists():
        result.previous = pd.read_csv(before)
    elif kept.exists():
        result.previous = pd.read_csv(kept)
        shutil.copy2(kept, before)
    images = docs / "images"
    images.mkdir(parents=True, exist_ok=True)
    new = sorted((result.folder / "figures").glob("validation_*.png"))
    # The page's figures are generated: figures of groups that no longer exist go.
    for stale in images.glob("validation_*.png"):
        if stale.name not in {p.name for p in new}:
            stale.unlink()
    for figure in new:
        shutil.copy2(figure, images / figure.name)
        written.append(images / figure.name)
    write_text(docs / "validation.md", render_page(result, images="images"))
    written.append(docs / "validation.md")
    rows = result.table.assign(git_revision=result.settings.get("git_revision") or "unknown")
    write_text(kept, rows[list(PUBLISHED_COLUMNS)].to_csv(index=False))
    written.append(kept)
    return written


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


SESSIONS = "sessions.jsonl"
"""One line per session that worked on a validation folder (wall time, runs made)."""


def _sessions(out: Path) -> list[dict[str, Any]]:
    path = out / SESSIONS
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def _run_seconds(runs: Path) -> float:
    """The compute time of every finished run in the folder (seconds)."""
    total = 0.0
    for inputs in runs.glob("*/inputs.csv"):
        frame = pd.read_csv(inputs)
        if "seconds" in frame:
            total += float(frame["seconds"].fillna(0).sum())
    return round(total, 1)


def scenario_scale(scenarios: Mapping[str, Any]) -> float | None:
    """The one scale all scenarios share (None if they differ)."""
    scales = {s.party.scale for s in scenarios.values()}
    return scales.pop() if len(scales) == 1 else None
