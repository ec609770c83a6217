"""One run, end to end: build the model, run it, and write what came out.

`simulate` is what the CLI, the sweep runner and scripts share; `save_run`
writes a run folder safely (never over other results unless asked, complete
or not at all) and `write_run` lays one out:

    DIR/manifest.json     kind "run", scenario as resolved, seed, versions, git revision
    DIR/series.parquet    monthly series (also series.csv)
    DIR/events.jsonl      one JSON record per event
    DIR/clps.csv          one row per CLP: its real seat, executive, members, MP, trigger
                          ballots and last result (model.analysis.seat_tables.COLUMNS)
    DIR/figures/overview.png, plp.png, map.png (the CLPs on the hex map of the seats)
"""

from __future__ import annotations

import json
import platform
import subprocess
import sys
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd
from tqdm.auto import tqdm

from model.records.events import SCHEMA as EVENTS_SCHEMA
from model.records.events import Event
from model.records.series import at_full_size
from model.records.writers import atomic_write, write_events, write_series, write_text
from model.scenario.schema import Scenario
from model.study.outputs import staged_folder

PACKAGES = (
    "party-factions",
    "mesa",
    "numpy",
    "scipy",
    "pandas",
    "pyarrow",
    "pydantic",
    "matplotlib",
)


@dataclass
class RunResult:
    """What one run produced.

    Attributes:
        scenario: the scenario as run (after overrides).
        seed: the root seed.
        series: the monthly series.
        events: the event records.
        timings: seconds per stage.
        summary: headline figures (label -> text).
        clps: one row per CLP at the end (`model.analysis.seat_tables.clp_table`).
    """

    scenario: Scenario
    seed: int
    series: pd.DataFrame
    events: list[Event]
    timings: dict[str, float] = field(default_factory=dict)
    summary: dict[str, Any] = field(default_factory=dict)
    clps: pd.DataFrame | None = None


def month_plan(scenario: Scenario, seed: int = 1) -> str:
    """The printable plan of a scenario's month (`PartyModel.plan`), without running it.

    Args:
        scenario: the validated scenario.
        seed: the root seed (the plan does not depend on it; building the party does).

    Returns:
        The plan, one line per stage, in the order the stages run.
    """
    # Deferred: Mesa is loaded only when a model is built (the CLI, the sweep
    # runner and reports import this module without needing it).
    from model.party import PartyModel

    return PartyModel(scenario, rng=seed).plan()


def simulate(
    scenario: Scenario, seed: int, *, months: int | None = None, progress: bool = False
) -> RunResult:
    """Run a scenario from its start for `months` months (default: its calendar).

    Args:
        scenario: the validated scenario.
        seed: the root seed; (scenario, seed) determines the result exactly.
        months: months to run; default the scenario's `calendar.months`.
        progress: show a progress bar (only appears for runs over ~2 s).

    Returns:
        The RunResult.
    """
    # Deferred: Mesa and matplotlib are loaded only when a model is run.
    from model.analysis.seat_tables import clp_table
    from model.party import PartyModel

    months = scenario.calendar.months if months is None else months
    party = PartyModel(scenario, rng=seed)
    # In a terminal the bar appears for runs over ~2 s; in a log (no TTY)
    # it is off rather than thousands of carriage returns.
    show = progress and sys.stderr.isatty()
    with tqdm(
        total=months, unit="month", disable=not show, delay=2.0, desc=scenario.scenario.name
    ) as bar:
        for _ in range(months):
            party.run_for(1)
            bar.update(1)
    series = party.series()
    return RunResult(
        scenario=scenario,
        seed=seed,
        series=series,
        events=list(party.events),
        timings=dict(party.timings),
        summary=_summary(party.summary(), scenario, series),
        clps=clp_table(party),
    )


MEMBERS_ROW = "members (start -> end)"


def _summary(summary: dict[str, Any], scenario: Scenario, series: pd.DataFrame) -> dict[str, Any]:
    """The model's summary, with the members row starting where the run starts.

    `PartyModel.summary()` takes the "start" from the first row of the series,
    which is measured at the end of the first month (after its joiners and
    lapsers), while the run's header announces the members it is built with.
    Both now show the members the run starts with: `party.n_members`, at the
    party's full size (as every member count a reader sees).
    """
    if MEMBERS_ROW in summary and not series.empty:
        summary = dict(summary)
        scale = scenario.party.scale
        start = round(scenario.party.n_members / scale)
        end = int(at_full_size(series)["members_total"].iloc[-1])
        text = f"{start:,} -> {end:,}"
        summary[MEMBERS_ROW] = text if scale == 1 else f"{text} (at full size; scale {scale:g})"
    return summary


def manifest(result: RunResult) -> dict[str, Any]:
    """The run's manifest: everything needed to repeat it.

    Deliberately free of timestamps and host names, so that the same
    (scenario, seed) on the same code gives the same bytes.
    """
    return {
        "kind": "run",
        "scenario": result.scenario.model_dump(mode="json"),
        "seed": result.seed,
        "months": len(result.series),
        "events_schema": EVENTS_SCHEMA,
        "versions": package_versions(),
        "python": platform.python_version(),
        "git_revision": git_revision(),
    }


def package_versions() -> dict[str, str]:
    """Installed versions of the packages that shape a result."""
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def git_revision() -> str | None:
    """The git commit of the code that ran (with "+dirty" for local changes), if any."""
    here = Path(__file__).resolve().parent
    try:
        rev = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=here, capture_output=True, text=True, timeout=5
        )
        if rev.returncode != 0:
            return None
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=here,
            capture_output=True,
            text=True,
            timeout=5,
        )
        return rev.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")
    except (OSError, subprocess.SubprocessError):
        return None


def save_run(
    result: RunResult, out: str | Path, *, overwrite: bool = False, figures: bool = True
) -> list[Path]:
    """Write a run folder safely: into a temporary folder, moved into place when complete.

    Args:
        result: the run.
        out: the run folder.
        overwrite: replace the results of an earlier run in `out` (never a
            sweep's or anything else: see `model.study.outputs`).
        figures: also draw figures/overview.png, plp.png and map.png.

    Returns:
        The paths written (under `out`).

    Raises:
        OutputError: `out` holds other results, or cannot be written.
    """
    out = Path(out)
    # No check up front (the caller makes one before the simulation, with
    # `prepare_output`): the results are written first, and if `out` cannot
    # take them at the end they are kept, and the error says where.
    with staged_folder(out, "run", overwrite=overwrite) as tmp:
        written = write_run(result, tmp, figures=figures)
    return [out / path.relative_to(tmp) for path in written]


def write_run(result: RunResult, out: Path, *, figures: bool = True) -> list[Path]:
    """Lay out a run folder (each file atomically) in `out`, whatever it holds.

    Use `save_run` to write a run folder safely; this writes into a folder
    that is known to be the run's own (a new or temporary one).

    Args:
        result: the run.
        out: the folder (created if missing).
        figures: also draw figures/overview.png, plp.png and map.png.

    Returns:
        The paths written.
    """
    out.mkdir(parents=True, exist_ok=True)
    write_series(result.series, out)
    write_events(result.events, out / "events.jsonl")
    write_text(out / "manifest.json", json.dumps(manifest(result), indent=2) + "\n")
    written = [
        out / "manifest.json",
        out / "series.parquet",
        out / "series.csv",
        out / "events.jsonl",
    ]
    if result.clps is not None:
        clps_csv = result.clps.to_csv(index=False, lineterminator="\n", float_format="%.6g")
        write_text(out / "clps.csv", clps_csv)
        written.append(out / "clps.csv")
    if figures:
        # Deferred: matplotlib only when figures are drawn (sweep workers never do).
        import matplotlib.pyplot as plt

        from model.analysis.figures import overview_figure, plp_composition_figure

        title = f"{result.scenario.scenario.name}, seed {result.seed}"
        for name, draw in [("overview", overview_figure), ("plp", plp_composition_figure)]:
            fig = draw(result.series, result.events, title=title)
            path = out / "figures" / f"{name}.png"
            atomic_write(path, lambda p, fig=fig: fig.savefig(p, format="png"))
            written.append(path)
            plt.close(fig)
        if result.clps is not None:
            from model.analysis.seat_tables import run_map

            fig = run_map(result.clps, f"CLP executives at the end: {title}")
            path = out / "figures" / "map.png"
            atomic_write(path, lambda p, fig=fig: fig.savefig(p, format="png", dpi=110))
            written.append(path)
    return written
