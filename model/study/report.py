"""Reports: figures (PNG and PDF) and a report.md for a run folder or a sweep folder.

A run folder (from `factions run`) and a sweep folder (from `factions sweep`)
are first turned into the same tidy tables — runs × inputs, runs × outcomes,
long monthly series, long events — so one set of figure functions from
`model.analysis.figures` draws both; a single run is a sweep of one.

    DIR/report.md                     the report, embedding the figures
    DIR/figures/<name>.png, .pdf      one file pair per figure
    DIR/report_outcomes.csv           median and 5–95% of every outcome by variant
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from model.analysis import figures as plots
from model.analysis.marks import common_events
from model.analysis.measures import compute_outcomes, outcome_unit
from model.analysis.seat_tables import read_clps, run_map, seat_notes
from model.records.events import Event
from model.records.series import at_full_size, long_at_full_size
from model.records.writers import atomic_write, read_events, write_text
from model.study import outputs  # by attribute: tests stand in for check_writable
from model.study.results import load_sweep, outcome_columns, summarise_outcomes

__all__ = [
    "ReportData",
    "ReportError",
    "ReportFiles",
    "build_report",
    "load_report_data",
    "report_figures",
    "write_report",
]

# The outcomes the report shows first (when the runs have them).
KEY_OUTCOMES = [
    "final_members",
    "gap_last12",
    "leader_member_distance",
    "leader_plp_distance",
    "contests",
    "leader_changes",
    "deselections",
    "trigger_ballots_lost",
    "rule_changes_passed",
]
SERIES_PANELS = [
    "members_full",
    "ideology_median",
    "plp_median",
    "leader_ideology",
    "member_plp_gap",
    "deselections",
]
TABLE_COLUMNS = 6


class ReportError(ValueError):
    """A folder that is neither a run folder nor a sweep folder."""


@dataclass
class ReportData:
    """Everything a report draws, as tidy tables.

    Attributes:
        kind: "run" or "sweep".
        folder: where the results are.
        title: the report's title.
        facts: (label, value) lines for the report's header.
        inputs: runs × inputs (run_id, variant, label, replication, seed, ..., status, error).
        outcomes: runs × outcomes of the successful runs.
        series_long: run_id, variant, label, replication, month, date, variable, value.
        events: run_id, variant, label, replication, type, month, record.
        factors: numeric input columns worth an outcome-against-factor figure.
        series: the wide monthly series of a single run (None for sweeps).
        run_events: a single run's event records (empty for sweeps).
        damaged: a sweep's parts that cannot be read: file name -> why.
    """

    kind: str
    folder: Path
    title: str
    facts: list[tuple[str, str]]
    inputs: pd.DataFrame
    outcomes: pd.DataFrame
    series_long: pd.DataFrame
    events: pd.DataFrame
    factors: list[str] = field(default_factory=list)
    series: pd.DataFrame | None = None
    run_events: list[Event] = field(default_factory=list)
    damaged: dict[str, str] = field(default_factory=dict)

    @property
    def ok_runs(self) -> pd.DataFrame:
        """The successful runs."""
        return self.inputs[self.inputs["status"] == "ok"]

    @property
    def markers(self) -> list[dict[str, Any]]:
        """Events to draw on time series: all of a run's, or those common to a sweep."""
        if self.kind == "run":
            return self.run_events

        return common_events(self.events, len(self.ok_runs))


def load_report_data(folder: str | Path) -> ReportData:
    """Read a run folder or a sweep folder into ReportData.

    Args:
        folder: the folder.

    Returns:
        The tables.

    Raises:
        ReportError: the folder holds neither kind of results.
    """
    folder = Path(folder)
    manifest_path = folder / "manifest.json"
    if not folder.is_dir():
        raise ReportError(f"{folder}: no such folder")
    if not manifest_path.exists():
        raise ReportError(f"{folder}: not a run or sweep folder (no manifest.json)")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except ValueError as err:
        raise ReportError(f"{manifest_path}: not valid JSON ({err})") from None
    if manifest.get("kind") == "sweep":
        return _sweep_data(folder)
    if (folder / "series.parquet").exists() and "scenario" in manifest:
        return _run_data(folder, manifest)
    raise ReportError(f"{folder}: not a run or sweep folder (no series.parquet or parts/)")


def _sweep_data(folder: Path) -> ReportData:

    result = load_sweep(folder)
    experiment = result.manifest["experiment"]
    spec = experiment["spec"]
    base = experiment["base_scenario"]
    inputs = result.inputs
    n_ok = int((inputs["status"] == "ok").sum())
    damaged = result.corrupt
    runs = f"{n_ok} ok, {len(inputs) - n_ok} failed, "
    if damaged:
        runs += f"{len(damaged)} damaged (run again with factions sweep --resume), "
    runs += f"{result.manifest['runs'] - len(inputs) - len(damaged)} not run yet"
    facts = [
        ("experiment", f"{experiment['name']} ({experiment['source']})"),
        (
            "base scenario",
            f"{base['scenario']['name']}, from {base['calendar']['start']}, "
            f"{base['calendar']['months']} months, scale {base['party']['scale']:g}",
        ),
        (
            "design",
            f"{len(experiment['variants'])} variants × {experiment['replications']} "
            f"replications ({spec['design']['kind']}), root seed {experiment['root_seed']}",
        ),
        ("runs", runs),
        (
            "code",
            f"git {result.manifest.get('git_revision') or 'unknown'}, "
            f"mesa {result.manifest['versions'].get('mesa', '?')}",
        ),
    ]
    sampled = {f["path"] for f in spec.get("factors", []) if f.get("range") is not None}
    grid = [f["path"] for f in spec.get("factors", []) if f.get("levels") is not None]
    factors = [
        path
        for path in [*grid, *sorted(sampled)]
        if path in inputs.columns
        and pd.api.types.is_numeric_dtype(inputs[path])
        and (path in sampled or inputs[path].nunique() >= 3)
    ]
    return ReportData(
        kind="sweep",
        folder=folder,
        title=f"Sweep report: {experiment['name']}",
        facts=facts,
        inputs=inputs,
        outcomes=result.outcomes,
        series_long=long_at_full_size(result.series_long),
        events=result.events,
        factors=factors,
        damaged=damaged,
    )


def _code_note(versions: list[str]) -> str:
    if len(versions) <= 1:
        return ""
    return f"**WARNING: runs made by {len(versions)} code versions ({', '.join(versions)})**; "


def _run_data(folder: Path, manifest: dict[str, Any]) -> ReportData:
    series = pd.read_parquet(folder / "series.parquet")
    events = read_events(folder / "events.jsonl") if (folder / "events.jsonl").exists() else []
    scenario = manifest["scenario"]
    name = scenario["scenario"]["name"]
    keys = {"run_id": "run", "variant": 0, "label": name, "replication": 0}
    inputs = pd.DataFrame(
        [{**keys, "seed": manifest["seed"], "status": "ok", "error": "", "seconds": float("nan")}]
    )
    outcomes = pd.DataFrame([{**keys, **compute_outcomes(series, events)}])
    numeric = [
        c for c in series.columns if c != "month" and pd.api.types.is_numeric_dtype(series[c])
    ]
    long = at_full_size(series).melt(
        id_vars=["month", "date"], value_vars=numeric, var_name="variable", value_name="value"
    )
    for key, value in keys.items():
        long[key] = value
    long["value"] = long["value"].astype(float)
    kept = [e for e in events if e.type != "agm"]
    event_table = pd.DataFrame(
        [{**keys, "type": e.type, "month": e.month, "record": e} for e in kept],
        columns=[*keys, "type", "month", "record"],
    )
    facts = [
        ("scenario", f"{name}: {scenario['scenario'].get('description', '')}"),
        ("period", f"{series['date'].iloc[0]} .. {series['date'].iloc[-1]} ({len(series)} months)"),
        ("seed", str(manifest["seed"])),
        ("scale", f"{scenario['party']['scale']:g}"),
        ("code", f"git {manifest.get('git_revision') or 'unknown'}"),
    ]
    return ReportData(
        kind="run",
        folder=folder,
        title=f"Run report: {name}, seed {manifest['seed']}",
        facts=facts,
        inputs=inputs,
        outcomes=outcomes,
        series_long=long,
        events=event_table,
        series=series,
        run_events=events,
    )


@dataclass
class ReportFigure:
    """One figure of a report: file stem, heading, caption and the Figure."""

    name: str
    heading: str
    caption: str
    figure: Figure


def report_figures(data: ReportData) -> list[ReportFigure]:
    """The report's figures, in order (each from the shared functions in model.analysis.figures).

    Args:
        data: the report's tables.

    Returns:
        The figures; nothing is written.
    """
    figures: list[ReportFigure] = []
    markers = data.markers
    if data.kind == "run" and data.series is not None:
        figures.append(
            ReportFigure(
                "overview",
                "Overview",
                "The run's main series; dashed lines mark events.",
                plots.overview_figure(data.series, data.run_events, title=data.title),
            )
        )
    variables = set(data.series_long["variable"].unique()) if not data.series_long.empty else set()
    panels = [v for v in SERIES_PANELS if v in variables]
    if data.kind == "run":
        series_caption = "The run's monthly values; dashed lines mark its events."
        clps_caption = "CLP executives each faction controls after its AGMs, month by month."
    else:
        series_caption = (
            "Median across seeds per variant, with the 5–95% band; dashed lines mark "
            "events that happen in at least half of the runs."
        )
        clps_caption = (
            "CLP executives each faction controls after its AGMs (median and 5–95% band)."
        )
    if panels:
        figures.append(
            ReportFigure(
                "series",
                "Membership, ideology and the member–PLP gap",
                series_caption,
                plots.band_figure(data.series_long, panels, events=markers),
            )
        )
    clps = sorted(v for v in variables if v.startswith("clps_"))
    clps = [c for c in clps if c != "clps_unaligned"] + [c for c in clps if c == "clps_unaligned"]
    if clps:
        figures.append(
            ReportFigure(
                "clps",
                "CLPs controlled per faction",
                clps_caption,
                plots.band_figure(data.series_long, clps, events=markers, panel_height=1.7),
            )
        )
    if data.kind == "run" and (data.folder / "clps.csv").exists():
        table = read_clps(data.folder)
        figures.append(
            ReportFigure(
                "map",
                "The CLPs on the map of the seats",
                "Each hex is a Westminster seat (2010–2019 boundaries; hex map © Open "
                "Innovations, MIT), coloured by the faction controlling the CLP's executive "
                "at the end of the run; `factions seats` lists them. "
                + seat_notes(data.run_events),
                run_map(table, f"CLP executives at the end: {data.title}"),
            )
        )
    names = _outcomes_to_show(data.outcomes)
    if data.kind == "sweep" and names:
        figures.append(
            ReportFigure(
                "outcomes",
                "Outcomes by variant",
                "Each dot is one run; bars span 5–95% of runs; diamonds are medians.",
                plots.outcomes_figure(
                    data.outcomes, names, units={n: outcome_unit(n) for n in names}
                ),
            )
        )
    single = data.kind == "run"
    figures.append(
        ReportFigure(
            "contests",
            "Leadership contests" if single else "Leadership contests by variant",
            "Contests won left or right of the party's centre (the midpoint of the members' "
            "and the PLP's medians that month)"
            + (" in this run." if single else ", per run, mean across seeds."),
            plots.contest_outcomes_figure(
                data.outcomes, title="Leadership contests won in this run" if single else None
            ),
        )
    )
    figures.append(
        ReportFigure(
            "deselections",
            "Deselections per parliament",
            "Sitting MPs replaced at selections, per parliament (between general elections).",
            plots.deselections_figure(
                data.events,
                data.ok_runs,
                title="Deselections per parliament in this run" if single else None,
            ),
        )
    )
    for i, factor in enumerate(data.factors):
        figures.append(
            ReportFigure(
                f"factor_{i}",
                f"Outcomes against {factor}",
                "Each dot is one run; the line joins the medians, the band spans 5–95%.",
                plots.outcome_vs_factor_figure(
                    data.inputs,
                    data.outcomes,
                    factor,
                    names,
                    units={n: outcome_unit(n) for n in names},
                ),
            )
        )
    return figures


def _outcomes_to_show(outcomes: pd.DataFrame) -> list[str]:
    """Key outcomes, then CLPs per faction; leaving out those that are all NaN."""
    names = [n for n in KEY_OUTCOMES if n in outcomes.columns]
    names += [c for c in outcomes.columns if c.startswith("final_clps_")]
    return [n for n in names if outcomes[n].notna().any()][:9]


@dataclass(frozen=True)
class ReportFiles:
    """What `build_report` wrote.

    Attributes:
        report: report.md.
        figures: the figure files (PNG and PDF), in the report's order.
        tables: report_outcomes.csv, when there were outcomes.
    """

    report: Path
    figures: list[Path]
    tables: list[Path]


def write_report(folder: str | Path) -> Path:
    """Write the report of a run or sweep folder: figures (PNG and PDF) and report.md.

    Args:
        folder: a folder written by `factions run` or `factions sweep`.

    Returns:
        The path of report.md.

    Raises:
        ReportError: the folder holds neither kind of results.
        OutputError: the folder cannot be written, or another process is writing it.
    """
    return build_report(folder).report


def build_report(folder: str | Path) -> ReportFiles:
    """Write the report of a run or sweep folder and say which files it wrote.

    The folder is checked for writing before anything is drawn, and locked
    (`model.study.outputs`) while the report is written into it.

    Args:
        folder: a folder written by `factions run` or `factions sweep`.

    Returns:
        The files written.

    Raises:
        ReportError: the folder holds neither kind of results.
        OutputError: the folder cannot be written, or another process is writing it.
    """
    data = load_report_data(folder)
    out = data.folder
    outputs.check_writable(out, flag="")
    with outputs.lock_folder(out):
        figures = report_figures(data)
        written: list[Path] = []
        for item in figures:
            for fmt, meta in (("png", {"Software": None}), ("pdf", {"CreationDate": None})):
                path = out / "figures" / f"{item.name}.{fmt}"
                atomic_write(
                    path,
                    lambda p, f=item.figure, fmt=fmt, meta=meta: f.savefig(
                        p, format=fmt, metadata=meta
                    ),
                )
                written.append(path)
            _close(item.figure)
        tables = []
        summary = _outcome_summary(data.outcomes)
        if not summary.empty:
            atomic_write(
                out / "report_outcomes.csv",
                lambda p: summary.to_csv(p, index=False, float_format="%.6g"),
            )
            tables.append(out / "report_outcomes.csv")
        path = out / "report.md"
        write_text(path, _markdown(data, figures, summary))
    return ReportFiles(path, written, tables)


def _close(figure: Figure) -> None:
    # Figures made through pyplot (the run overview) stay registered until closed.
    import matplotlib.pyplot as plt

    plt.close(figure)


def _outcome_summary(outcomes: pd.DataFrame) -> pd.DataFrame:

    if outcomes.empty:
        return pd.DataFrame()
    return summarise_outcomes(outcomes, outcome_columns(outcomes))


def _markdown(data: ReportData, figures: Sequence[ReportFigure], summary: pd.DataFrame) -> str:
    lines = [f"# {data.title}", ""]
    lines += [f"- **{label}**: {value}" for label, value in data.facts]
    lines.append("")
    if data.kind == "sweep":
        lines += _variant_table(data)
    lines += _outcome_table(data, summary)
    if data.damaged:
        lines += [
            "## Damaged parts",
            "",
            "These runs' files cannot be read and are left out; `factions sweep "
            "--resume` runs them again.",
            "",
        ]
        lines += [f"- `parts/{name}`: {why}" for name, why in data.damaged.items()]
        lines.append("")
    failed = data.inputs[data.inputs["status"] != "ok"]
    if not failed.empty:
        lines += ["## Failed runs", "", "| run | variant | seed | error |", "|---|---|---|---|"]
        for row in failed.head(20).itertuples(index=False):
            error = str(row.error).splitlines()[0] if row.error else ""
            lines.append(f"| {row.run_id} | {_cell(row.label)} | {row.seed} | {_cell(error)} |")
        if len(failed) > 20:
            lines.append(f"| … | {len(failed) - 20} more | | |")
        lines.append("")
    lines += ["## Figures", ""]
    for item in figures:
        lines += [
            f"### {item.heading}",
            "",
            f"![{item.heading}](figures/{item.name}.png)",
            "",
            f"{item.caption} ([PDF](figures/{item.name}.pdf))",
            "",
        ]
    return "\n".join(lines)


def _variant_table(data: ReportData) -> list[str]:
    inputs = data.inputs
    keys = [
        "run_id",
        "variant",
        "label",
        "replication",
        "seed",
        "status",
        "error",
        "seconds",
        "code",
    ]
    paths = [c for c in inputs.columns if c not in keys]
    per_variant = inputs.groupby(["variant", "label"], sort=True)
    lines = ["## Variants", ""]
    shown = paths[:4]
    header = ["#", "variant", *_short_names(shown), "runs ok", "failed"]
    lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for (variant, label), rows in list(per_variant)[:60]:
        first = rows.iloc[0]
        ok = int((rows["status"] == "ok").sum())
        cells = [str(variant), _cell(label), *[_cell(first[p]) for p in shown]]
        lines.append("| " + " | ".join([*cells, str(ok), str(len(rows) - ok)]) + " |")
    if per_variant.ngroups > 60:
        lines.append(f"\n({per_variant.ngroups - 60} more variants in inputs.csv)")
    lines.append("")
    return lines


def _short_names(paths: Sequence[str]) -> list[str]:
    """The shortest tail of each dotted path that tells it from the others."""
    names = []
    for path in paths:
        parts = path.split(".")
        for n in range(1, len(parts) + 1):
            tail = ".".join(parts[-n:])
            if sum(1 for other in paths if other == tail or other.endswith("." + tail)) == 1:
                break
        names.append(tail)
    return names


def _outcome_table(data: ReportData, summary: pd.DataFrame) -> list[str]:
    names = _outcomes_to_show(data.outcomes)[:TABLE_COLUMNS]
    if summary.empty or not names:
        return []
    heading = "## Outcomes" if data.kind == "run" else "## Outcomes: median [5%, 95%] across seeds"
    lines = [heading, ""]
    header = ["variant", *[n.replace("_", " ") for n in names]]
    lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    table = summary.set_index(["variant", "outcome"])
    labels = summary.drop_duplicates("variant").set_index("variant")["label"]
    for variant, label in list(labels.items())[:60]:
        cells = [_cell(label)]
        for name in names:
            row = table.loc[(variant, name)]
            if data.kind == "run":
                cells.append(_number(row["median"]))
            else:
                cells.append(
                    f"{_number(row['median'])} [{_number(row['low'])}, {_number(row['high'])}]"
                )
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "Every outcome, by variant: [report_outcomes.csv](report_outcomes.csv).", ""]
    return lines


def _number(value: float) -> str:
    if pd.isna(value):
        return "–"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def _cell(value: Any) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "–"  # not set: the base scenario's rules apply
    return str(value).replace("|", "\\|").replace("\n", " ")
