"""Validation and calibration folders: never overwritten by mistake, one writer at a time.

The minimum the validation needs, written here because the shared helpers
(``model/study/outputs.py``: folder kinds, ``--overwrite``, locks, staged
writes) are not on main yet; the API follows theirs (``prepare_output``,
``check_writable``, ``lock_folder``, ``OutputError``) so that the validation
can switch to them by changing one import.

* A results folder says what it is in ``manifest.json`` (``"kind":
  "validation"`` or ``"calibration"``) with a fingerprint of what decides its
  runs.
* :func:`prepare_output`, before any work: a missing or empty folder is fine;
  a folder of the same kind is continued with ``resume`` (only if the
  fingerprints match) or replaced with ``overwrite``; anything else is refused
  with a one-line message. The folder must be writable.
* ``overwrite`` never deletes first: the old folder is moved aside
  (``.NAME.replaced-*``) and removed only when the new results are complete
  (:func:`finish_replacement`); an interrupted job leaves it there.
* :func:`lock_folder`: an exclusive ``flock`` on ``.NAME.lock`` beside the
  folder keeps a second writer out (the system releases it if the process dies).
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

KIND_NAMES = {
    "validation": "a validation (factions validate-history)",
    "calibration": "a calibration (factions calibrate)",
    "scale-check": "a scale check (factions validate-history --check-scale)",
    "run": "the results of a run (factions run)",
    "sweep": "a sweep (factions sweep)",
}

Action = Literal["new", "resume", "replace"]


class OutputError(ValueError):
    """An output folder that cannot be used; the CLI prints it as one line and exits 2."""


def folder_kind(path: str | Path) -> str | None:
    """None (missing or empty), "file", the manifest's kind, or "unknown"."""
    path = Path(path)
    if not path.exists():
        return None
    if not path.is_dir():
        return "file"
    entries = [p for p in path.iterdir() if not p.name.startswith(".")]
    if not entries:
        return None
    manifest = path / "manifest.json"
    if manifest.is_file():
        try:
            data = json.loads(manifest.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return "unknown"
        if isinstance(data, dict) and isinstance(data.get("kind"), str):
            return data["kind"]
    return "unknown"


def read_manifest(path: str | Path) -> dict[str, Any]:
    """A folder's manifest.json ({} if it has none)."""
    manifest = Path(path) / "manifest.json"
    if not manifest.is_file():
        return {}
    return json.loads(manifest.read_text(encoding="utf-8"))


def check_writable(path: str | Path, *, flag: str = "--out") -> None:
    """Check that a folder (existing or not) can be created and written, leaving no trace.

    Raises:
        OutputError: a part of the path is a file, or the nearest existing
            folder cannot be written.
    """
    path = Path(path)
    probe = path
    while not probe.exists():
        if probe.parent == probe:
            break
        probe = probe.parent
    if probe.exists() and not probe.is_dir():
        raise OutputError(f"{flag} {path}: {probe} is a file, not a folder; choose another {flag}")
    try:
        with tempfile.TemporaryDirectory(prefix=".factions-write-check-", dir=probe):
            pass
    except OSError as err:
        reason = {
            errno.EROFS: "read-only file system",
            errno.EACCES: "permission denied",
            errno.EPERM: "permission denied",
            errno.ENOSPC: "no space left",
        }.get(err.errno or 0, err.strerror or str(err))
        raise OutputError(f"{flag} {path}: cannot write there ({reason} in {probe})") from None


def prepare_output(
    path: str | Path,
    kind: str,
    *,
    fingerprint: str,
    overwrite: bool = False,
    resume: bool = False,
    flag: str = "--out",
) -> Action:
    """Decide, before any work, whether results of `kind` may be written to a folder.

    Args:
        path: the folder.
        kind: what will be written ("validation", "calibration", ...).
        fingerprint: what decides the runs; a resumed folder must have the same.
        overwrite: replace a folder of the same kind (moved aside, removed at the end).
        resume: continue a folder of the same kind and fingerprint.
        flag: the option that named the folder, for messages.

    Returns:
        "new", "resume" or "replace".

    Raises:
        OutputError: one line naming the folder, what it holds and what to do.
    """
    path = Path(path)
    check_writable(path, flag=flag)
    found = folder_kind(path)
    what = f"{flag} {path}"
    name = KIND_NAMES.get(kind, kind)
    if found is None:
        return "new"
    if found == "file":
        raise OutputError(f"{what}: is a file, not a folder; choose another {flag}")
    if found == "unknown":
        raise OutputError(
            f"{what}: the folder is not empty and does not hold {name}; its files are left "
            f"alone: choose another {flag}"
        )
    if found != kind:
        raise OutputError(
            f"{what}: holds {KIND_NAMES.get(found, found)}, which is never replaced by {name}; "
            f"choose another {flag}"
        )
    if overwrite:
        return "replace"
    if resume:
        old = read_manifest(path).get("fingerprint")
        if old != fingerprint:
            raise OutputError(
                f"{what}: holds {name} with other settings (draws, scale, posterior, priors or "
                "scenarios differ); resume only the same job, or pass --overwrite"
            )
        return "resume"
    raise OutputError(
        f"{what}: already holds {name}; pass --resume to continue it, --overwrite to replace "
        f"it, or choose another {flag}"
    )


def set_aside(path: str | Path) -> Path:
    """Move an existing folder aside (for --overwrite); return where it went."""
    path = Path(path)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    aside = path.parent / f".{path.name}.replaced-{stamp}-{os.getpid()}"
    path.rename(aside)
    return aside


def finish_replacement(aside: Path | None) -> None:
    """Remove the old folder once the new results are complete."""
    if aside is not None and aside.exists():
        shutil.rmtree(aside)


def write_manifest(path: str | Path, kind: str, fingerprint: str, **extra: Any) -> None:
    """Write the folder's manifest.json (atomically)."""
    from model.records.writers import write_text

    data = {"kind": kind, "fingerprint": fingerprint, **extra}
    write_text(Path(path) / "manifest.json", json.dumps(data, indent=2, default=str) + "\n")


@contextmanager
def lock_folder(path: str | Path, *, flag: str = "--out") -> Iterator[Path]:
    """Hold an exclusive lock on a folder while writing it.

    Raises:
        OutputError: another process holds the lock.
    """
    folder = Path(path).absolute()
    folder.parent.mkdir(parents=True, exist_ok=True)
    lock = folder.parent / f".{folder.name}.lock"
    handle = open(lock, "a+", encoding="utf-8")  # noqa: SIM115 (held for the block)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise OutputError(f"{flag} {path}: in use by {holder} (lock {lock})") from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        yield lock
    finally:
        handle.close()
