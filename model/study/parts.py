"""A sweep folder on disk: one Parquet part per run, and reading them back.

    DIR/manifest.json              the experiment as resolved, seeds, versions
    DIR/parts/v0003-r0012.parquet  one run: its monthly series, and in the file's
                                   metadata its record and scalar outcomes (JSON)
                                   and its kept events (zlib-compressed JSON)

A part is written to a temporary name and renamed, so a part that exists is
complete; one file per run id means a row can never be duplicated. A part that
cannot be read is reported by name (`scan_parts`) and run again by a resumed
sweep.
"""

from __future__ import annotations

import json
import math
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from model.records.events import Event, event_from_dict
from model.records.writers import atomic_write

__all__ = [
    "EVENTS_KEY",
    "KEY_COLUMNS",
    "MANIFEST_KIND",
    "PART_KEY",
    "RunRecord",
    "SweepError",
    "first_line",
    "part_path",
    "read_part_events",
    "read_part_meta",
    "scan_parts",
    "write_part",
]


PART_KEY = b"factions.run"


EVENTS_KEY = b"factions.events"


MANIFEST_KIND = "sweep"


KEY_COLUMNS = ["run_id", "variant", "label", "replication"]


class SweepError(ValueError):
    """A sweep that cannot start or continue (message fit for a user)."""


@dataclass
class RunRecord:
    """What the sweep knows about one finished run (one row of the runs table)."""

    run_id: str
    variant: int
    label: str
    replication: int
    seed: int
    status: str
    error: str
    seconds: float
    code: str = ""
    outcomes: dict[str, float] = field(default_factory=dict)

    def row(self) -> dict[str, Any]:
        """The record as a row of the runs table (without outcomes)."""
        return {
            "run_id": self.run_id,
            "variant": self.variant,
            "label": self.label,
            "replication": self.replication,
            "seed": self.seed,
            "status": self.status,
            "error": self.error,
            "seconds": self.seconds,
            "code": self.code,
        }


def part_path(folder: Path, rid: str) -> Path:
    return folder / "parts" / f"{rid}.parquet"


def write_part(folder: Path, record: RunRecord, output: Mapping[str, Any]) -> None:
    """Write one run's part atomically: its series, with the rest as file metadata."""
    series = output["series"].copy()
    table = pa.Table.from_pandas(series, preserve_index=False)
    meta = {
        "run": record.row(),
        "traceback": output.get("traceback", ""),
        "outcomes": {k: _finite_or_none(v) for k, v in output["outcomes"].items()},
    }
    events = json.dumps(
        _clean_json([e.to_dict() for e in output["events"]]),
        separators=(",", ":"),
        allow_nan=False,
    )
    schema_meta = dict(table.schema.metadata or {})
    schema_meta[PART_KEY] = json.dumps(meta, separators=(",", ":"), allow_nan=False).encode()
    # Event records are verbose (a trigger ballot carries every branch's vote)
    # and Parquet does not compress metadata: compress them here (~10x).
    schema_meta[EVENTS_KEY] = zlib.compress(events.encode(), 6)
    table = table.replace_schema_metadata(schema_meta)
    atomic_write(part_path(folder, record.run_id), lambda p: pq.write_table(table, p))


def _clean_json(value: Any) -> Any:
    """Event records with NaN or infinity replaced by None (strict JSON)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _clean_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean_json(v) for v in value]
    return value


def _finite_or_none(value: float) -> float | None:
    return float(value) if value is not None and math.isfinite(value) else None


_RUN_FIELDS = ("run_id", "variant", "label", "replication", "seed", "status", "error", "seconds")


def read_part_meta(path: Path) -> dict[str, Any]:
    """A part's metadata (from the Parquet footer: cheap).

    Raises:
        ValueError: the file is not a complete part; the message says why.
    """
    try:
        meta = pq.read_schema(path).metadata or {}
    except (OSError, pa.ArrowException) as err:
        if "magic bytes" in str(err) or path.stat().st_size < 12:
            raise ValueError("not a Parquet file, or cut short (no Parquet footer)") from None
        raise ValueError(f"not a readable Parquet file ({first_line(err)})") from None
    if PART_KEY not in meta:
        raise ValueError("a Parquet file without a run record")
    try:
        data = json.loads(meta[PART_KEY])
        run = data["run"]
        missing = [k for k in _RUN_FIELDS if k not in run]
    except (ValueError, KeyError, TypeError):
        raise ValueError("its run record is not valid JSON") from None
    if missing:
        raise ValueError(f"its run record lacks {', '.join(missing)}")
    if run["run_id"] != path.stem:
        raise ValueError(f"it holds run {run['run_id']}, not {path.stem}")
    return data


def verify_part(path: Path) -> None:
    """Read a whole part (series and events), as a resumed sweep does before trusting it.

    Raises:
        ValueError: some of it cannot be read.
    """
    try:
        pq.read_table(path)
        read_part_events(path)
    except (OSError, ValueError, zlib.error, pa.ArrowException) as err:
        raise ValueError(f"its data cannot be read ({first_line(err)})") from None


def first_line(err: BaseException) -> str:
    text = str(err).strip().splitlines()
    return text[0] if text else type(err).__name__


def read_part_events(path: Path) -> list[Event]:
    meta = pq.read_schema(path).metadata or {}
    if EVENTS_KEY not in meta:
        return []
    return [event_from_dict(d) for d in json.loads(zlib.decompress(meta[EVENTS_KEY]))]


def scan_parts(
    folder: Path, *, verify: bool = False
) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
    """The complete parts of a sweep folder, and the corrupt ones.

    Args:
        folder: the sweep folder.
        verify: read every part whole (series and events), not just its
            footer; a resumed sweep does, before it trusts a part.

    Returns:
        ({run id: part metadata} of the good parts, {file name: what is
        wrong} of the parts that cannot be read).
    """
    parts = folder / "parts"
    done: dict[str, dict[str, Any]] = {}
    corrupt: dict[str, str] = {}
    if not parts.is_dir():
        return done, corrupt
    for path in sorted(parts.glob("v*-r*.parquet")):
        try:
            meta = read_part_meta(path)
            if verify:
                verify_part(path)
        except ValueError as err:
            corrupt[path.name] = str(err)
            continue
        done[path.stem] = meta
    return done, corrupt
