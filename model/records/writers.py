"""Writing results to disk: atomically, so an interrupted run leaves nothing half-written.

Files are written to a temporary name in the same folder and renamed into
place; the event log as JSON lines (one typed event per line), the monthly
series as Parquet and CSV.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

import pandas as pd

from model.records.events import Event, EventError, event_from_dict

# mkstemp creates files readable by the owner only; results are ordinary
# files, so they get the permissions the user's umask gives a new file.
_UMASK = os.umask(0)
os.umask(_UMASK)
FILE_MODE = 0o666 & ~_UMASK


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


def events_jsonl(events: Iterable[Event]) -> str:
    """The event log as JSON lines (one event per line)."""
    lines = [json.dumps(e.to_dict(), ensure_ascii=False, separators=(",", ":")) for e in events]
    return "\n".join(lines) + ("\n" if lines else "")


def write_events(events: Iterable[Event], path: Path) -> None:
    """Write the event log as JSON lines, atomically."""
    write_text(path, events_jsonl(events))


def read_events(path: Path) -> list[Event]:
    """Read a JSON-lines event file into typed events.

    Raises:
        EventError: a line is not JSON or not a known event (the message
            names the file and line).
    """
    events = []
    with open(path, encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                events.append(event_from_dict(json.loads(line)))
            except (json.JSONDecodeError, EventError) as err:
                raise EventError(f"{path}, line {number}: {err}") from None
    return events


def write_series(series: pd.DataFrame, folder: Path) -> None:
    """Write the monthly series as series.parquet and series.csv, atomically."""
    atomic_write(folder / "series.parquet", lambda p: series.to_parquet(p, index=False))
    atomic_write(
        folder / "series.csv", lambda p: series.to_csv(p, index=False, float_format="%.10g")
    )
