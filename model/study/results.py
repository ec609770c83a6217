"""A sweep's results as tidy tables: inputs and outcomes by run id, series and events.

`load_sweep` reads a sweep folder (complete or not) into a `SweepResult`
(EMA-style: runs × inputs and runs × outcomes, joined by run id); the monthly
series and the kept events are read from the parts on first use.
"""

from __future__ import annotations

import json
import math
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from model.analysis import marks
from model.records.events import Event, EventMark
from model.scenario.paths import get_path
from model.study.parts import (
    KEY_COLUMNS,
    MANIFEST_KIND,
    SweepError,
    first_line,
    part_path,
    read_part_events,
    scan_parts,
)

__all__ = ["SweepResult", "load_sweep", "outcome_columns", "summarise_outcomes"]


@dataclass
class SweepResult:
    """A sweep folder's results as tidy tables (EMA-style: inputs and outcomes by run id).

    Attributes:
        folder: the sweep folder.
        manifest: the manifest (experiment as resolved, seeds, versions).
        inputs: runs × inputs: run_id, variant, label, replication, seed, one
            column per factor path, status ("ok"/"failed"), error, seconds, code
            (the fingerprint of the model code that made the run).
        outcomes: runs × scalar outcomes (successful runs only), keyed like inputs.
        session: what this call did (ran, skipped, failed, seconds); empty
            for `load_sweep`.
        corrupt: parts that cannot be read: file name -> what is wrong. They
            are not in the tables; a resumed sweep runs them again.

    `series`, `series_long` and `events` are read from the parts on first use.
    """

    folder: Path
    manifest: dict[str, Any]
    inputs: pd.DataFrame
    outcomes: pd.DataFrame
    session: dict[str, Any] = field(default_factory=dict)
    corrupt: dict[str, str] = field(default_factory=dict)

    @cached_property
    def events(self) -> pd.DataFrame:
        """The kept event records of the successful runs, one row each: run_id,
        variant, label, replication, type, month, record (the typed event)."""
        rows = []
        for row in self.inputs.itertuples(index=False):
            if row.status != "ok":
                continue
            keys = {
                "run_id": row.run_id,
                "variant": row.variant,
                "label": row.label,
                "replication": row.replication,
            }
            for record in self._part_events(row.run_id):
                rows.append(
                    {
                        **keys,
                        "type": record.type,
                        "month": record.month,
                        "record": record,
                    }
                )
        return pd.DataFrame(rows, columns=[*KEY_COLUMNS, "type", "month", "record"])

    def _part_series(self, rid: str) -> pd.DataFrame:
        path = part_path(self.folder, rid)
        try:
            return pq.read_table(path).to_pandas()
        except (OSError, pa.ArrowException) as err:
            raise SweepError(_damaged(path, err)) from None

    def _part_events(self, rid: str) -> list[Event]:
        path = part_path(self.folder, rid)
        try:
            return read_part_events(path)
        except (OSError, ValueError, zlib.error, pa.ArrowException) as err:
            raise SweepError(_damaged(path, err)) from None

    @property
    def runs(self) -> pd.DataFrame:
        """Another name for `inputs` (the runs table)."""
        return self.inputs

    @property
    def complete(self) -> bool:
        """True when every planned run has a readable part."""
        return len(self.inputs) == self.manifest["runs"]

    @property
    def code_versions(self) -> list[str]:
        """The code fingerprints the runs were made with (more than one: mixed code)."""
        return sorted(c for c in self.inputs["code"].dropna().unique() if c)

    @property
    def failed(self) -> pd.DataFrame:
        """The failed runs (run_id, label, seed, error)."""
        bad = self.inputs[self.inputs["status"] != "ok"]
        return bad[["run_id", "label", "seed", "error"]].reset_index(drop=True)

    @cached_property
    def series(self) -> pd.DataFrame:
        """Monthly series of the successful runs, wide: key columns + series columns."""
        frames = []
        for row in self.inputs.itertuples(index=False):
            if row.status != "ok":
                continue
            frame = self._part_series(row.run_id)
            keys = pd.DataFrame(
                {
                    "run_id": row.run_id,
                    "variant": row.variant,
                    "label": row.label,
                    "replication": row.replication,
                },
                index=frame.index,
            )
            frames.append(pd.concat([keys, frame], axis=1))
        if not frames:
            return pd.DataFrame(columns=[*KEY_COLUMNS, "month", "date"])
        return pd.concat(frames, ignore_index=True)

    @cached_property
    def series_long(self) -> pd.DataFrame:
        """Monthly series in long form: run_id, variant, label, replication, month,
        date, variable, value (numeric columns only)."""
        wide = self.series
        values = [
            c
            for c in wide.columns
            if c not in (*KEY_COLUMNS, "month", "date") and pd.api.types.is_numeric_dtype(wide[c])
        ]
        long = wide.melt(
            id_vars=[*KEY_COLUMNS, "month", "date"],
            value_vars=values,
            var_name="variable",
            value_name="value",
        )
        long["value"] = long["value"].astype(float)
        return long

    def common_events(self, min_share: float = 0.5) -> list[EventMark]:
        """Events (type and month) found in at least `min_share` of the successful runs,
        for marking on figures (see `model.analysis.marks.common_events`)."""
        ok = int((self.inputs["status"] == "ok").sum())
        return marks.common_events(self.events, ok, min_share=min_share)

    def outcome_summary(
        self, names: Sequence[str] | None = None, quantiles: tuple[float, float] = (0.05, 0.95)
    ) -> pd.DataFrame:
        """Median and a quantile band of each outcome per variant.

        Args:
            names: outcome columns (default: all).
            quantiles: the band's low and high quantiles.

        Returns:
            One row per (variant, label, outcome): runs, median, low, high.
        """
        return summarise_outcomes(self.outcomes, names, quantiles)


def _damaged(path: Path, err: BaseException) -> str:
    return (
        f"{path}: this part is damaged ({first_line(err)}); run the sweep again with "
        "--resume to run it again"
    )


def summarise_outcomes(
    outcomes: pd.DataFrame,
    names: Sequence[str] | None = None,
    quantiles: tuple[float, float] = (0.05, 0.95),
) -> pd.DataFrame:
    """Median and a quantile band of each outcome per variant (see SweepResult)."""
    names = list(names) if names is not None else outcome_columns(outcomes)
    long = outcomes.melt(
        id_vars=["variant", "label"], value_vars=names, var_name="outcome", value_name="value"
    )
    grouped = long.groupby(["variant", "label", "outcome"], sort=False)["value"]
    table = grouped.quantile([0.5, *quantiles]).unstack()[[0.5, *quantiles]]
    table.columns = ["median", "low", "high"]
    table.insert(0, "runs", grouped.count())
    table = table.reset_index().sort_values(["variant", "outcome"], kind="stable")
    return table.reset_index(drop=True)


def outcome_columns(outcomes: pd.DataFrame) -> list[str]:
    """The outcome columns of an outcomes table (everything but the keys)."""
    return [c for c in outcomes.columns if c not in (*KEY_COLUMNS, "seed")]


def load_sweep(folder: str | Path) -> SweepResult:
    """Read a sweep folder (complete or not) into tidy tables.

    Args:
        folder: the folder `run_experiment` (or `factions sweep`) wrote.

    Returns:
        The SweepResult; `series` and `series_long` are read on first use.

    Raises:
        SweepError: the folder is not a sweep folder.
    """
    folder = Path(folder)
    manifest_path = folder / "manifest.json"
    if not manifest_path.exists():
        raise SweepError(f"{folder} is not a sweep folder (no manifest.json)")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise SweepError(f"{manifest_path}: cannot be read ({first_line(err)})") from None
    if not isinstance(manifest, dict) or manifest.get("kind") != MANIFEST_KIND:
        raise SweepError(f"{folder} is not a sweep folder (its manifest is not a sweep's)")
    experiment = manifest["experiment"]
    variants = {v["variant"]: v for v in experiment["variants"]}
    paths: list[str] = []
    for v in experiment["variants"]:
        paths.extend(p for p in v["values"] if p not in paths)
    base = experiment["base_scenario"]

    rows, outcome_rows = [], []
    done, corrupt = scan_parts(folder)
    for _rid, meta in sorted(done.items()):
        run = meta["run"]
        values = variants[run["variant"]]["values"]
        inputs = {p: values[p] if p in values else _base_value(base, p) for p in paths}
        rows.append(
            {
                **{k: run[k] for k in ("run_id", "variant", "label", "replication", "seed")},
                **inputs,
                "status": run["status"],
                "error": run["error"],
                "seconds": run["seconds"],
                "code": run.get("code", ""),
            }
        )
        keys = {k: run[k] for k in KEY_COLUMNS}
        if run["status"] == "ok":
            outcome_rows.append(
                {**keys, **{k: (math.nan if v is None else v) for k, v in meta["outcomes"].items()}}
            )
    inputs_table = pd.DataFrame(
        rows, columns=[*KEY_COLUMNS, "seed", *paths, "status", "error", "seconds", "code"]
    )
    for path in paths:
        inputs_table[path] = _uniform(inputs_table[path])
    outcomes = pd.DataFrame(outcome_rows)
    if outcomes.empty:
        outcomes = pd.DataFrame(columns=KEY_COLUMNS)
    return SweepResult(folder, manifest, inputs_table, outcomes, corrupt=corrupt)


def _base_value(base: Mapping[str, Any], path: str) -> Any:
    try:
        return get_path(base, path)
    except (KeyError, IndexError):
        return None


def _uniform(column: pd.Series) -> pd.Series:
    """Numbers stay numbers; a column of mixed or structured values becomes text (None stays)."""

    def missing(v: Any) -> bool:
        return v is None or (isinstance(v, float) and math.isnan(v))

    values = [v for v in column if not missing(v)]
    if all(isinstance(v, bool) for v in values) or all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in values
    ):
        return column
    return column.map(lambda v: None if missing(v) else v if isinstance(v, str) else json.dumps(v))
