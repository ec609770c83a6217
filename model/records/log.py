"""Event records and monthly series, and writing them to disk.

Every event (an AGM, a contest, a trigger ballot...) becomes one plain dict
with `type`, `month` and, for decisions, `decided_by` ("meeting" or
"ballot"), so the log can be written as JSON lines and read by anything.
Files are written atomically (to a temporary name, then renamed), so an
interrupted run never leaves a half-written result behind.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from model.calendar import Month

DECIDED_BY = ("meeting", "ballot", "rule", "election", "card vote")

# mkstemp creates files readable by the owner only; results are ordinary
# files, so they get the permissions the user's umask gives a new file.
_UMASK = os.umask(0)
os.umask(_UMASK)
FILE_MODE = 0o666 & ~_UMASK


_PLAIN = frozenset({str, int, bool, type(None)})


def jsonable(value: Any) -> Any:
    """Convert numpy scalars/arrays, Fractions and Months into JSON-safe values."""
    # Fast path for the plain values most records are made of (an exact type
    # check is much cheaper than the isinstance chain below).
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind is float:
        return round(value, 10)
    if kind is list:
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return [jsonable(v) for v in value.tolist()]
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating | float):
        return round(float(value), 10)
    if isinstance(value, Fraction):
        return str(value)
    if isinstance(value, Month):
        return str(value)
    return value


class EventLog:
    """The model's event log: one record (a dict) per event, in order."""

    def __init__(self) -> None:
        self._records: list[dict[str, Any]] = []

    def record(
        self, event_type: str, month: Month, /, *, decided_by: str | None = None, **fields: Any
    ) -> dict[str, Any]:
        """Append one event record.

        Args:
            event_type: the event type ("agm", "leadership_contest", ...).
            month: the month it happened.
            decided_by: "meeting", "ballot", ... for decisions (MODEL.md §4).
            **fields: the event's content.

        Returns:
            The stored record.
        """
        if decided_by is not None and decided_by not in DECIDED_BY:
            raise ValueError(f"decided_by must be one of {DECIDED_BY}, got {decided_by!r}")
        rec: dict[str, Any] = {"type": event_type, "month": str(month)}
        if decided_by is not None:
            rec["decided_by"] = decided_by
        rec.update(jsonable(fields))
        self._records.append(rec)
        return rec

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self._records)

    def __len__(self) -> int:
        return len(self._records)

    def __getitem__(self, index: int) -> dict[str, Any]:
        return self._records[index]

    def of_type(self, kind: str) -> list[dict[str, Any]]:
        """All records of one type."""
        return [r for r in self._records if r["type"] == kind]


def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Write a file through a temporary name in the same folder, then rename.

    Args:
        path: the final file.
        write: called with the temporary path; must create that file.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        write(tmp_path)
        os.chmod(tmp_path, FILE_MODE)
        os.replace(tmp_path, path)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def write_text(path: Path, text: str) -> None:
    """Write a text file atomically."""
    atomic_write(path, lambda p: p.write_text(text, encoding="utf-8"))


def write_events(records: Iterable[dict[str, Any]], path: Path) -> None:
    """Write event records as JSON lines (one record per line), atomically."""
    lines = [json.dumps(r, ensure_ascii=False, separators=(",", ":")) for r in records]
    write_text(path, "\n".join(lines) + ("\n" if lines else ""))


def read_events(path: Path) -> list[dict[str, Any]]:
    """Read a JSON-lines event file."""
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def write_series(series: pd.DataFrame, folder: Path) -> None:
    """Write the monthly series as series.parquet and series.csv, atomically."""
    atomic_write(folder / "series.parquet", lambda p: series.to_parquet(p, index=False))
    atomic_write(
        folder / "series.csv", lambda p: series.to_csv(p, index=False, float_format="%.10g")
    )
