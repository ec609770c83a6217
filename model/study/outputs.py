"""Output folders: never overwritten by mistake, never half-written, one writer at a time.

Every command that writes a results folder (`factions run`, `sweep`,
`report`, `validate-history`) goes through the helpers here:

- `prepare_output(path, kind, overwrite=...)` before any work: refuses a
  folder that holds results unless the user said ``--overwrite``, refuses
  results of *another kind* (a run never replaces a sweep, and vice versa,
  even with ``--overwrite``) and anything that is not results at all, and
  checks that the folder can be written, so that a long job does not
  discover at the end that its results have nowhere to go.
- `lock_folder(path)` while writing: a lock file beside the folder
  (``.NAME.lock``, holding the writer's pid, host and command) keeps a
  second writer out; a lock left by a process that has died is taken over,
  with a message.
- `staged_folder(path, kind, overwrite=...)`: results are written into a
  temporary folder beside the target and moved into place only when
  complete, so a folder is either the old results or the new ones, never a
  mixture, and an interrupted job leaves the old results as they were.

A results folder says what it is in ``manifest.json`` (``"kind": "run"`` or
``"sweep"``); `folder_kind` reads it (and recognises folders written before
the field existed).
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import socket
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

__all__ = [
    "KIND_NAMES",
    "FolderLock",
    "OutputError",
    "check_writable",
    "folder_kind",
    "lock_folder",
    "lock_path",
    "prepare_output",
    "replace_folder",
    "staged_folder",
]

KIND_NAMES = {
    "run": "the results of a run (factions run)",
    "sweep": "a sweep (factions sweep)",
    "validation": "a validation (factions validate-history)",
}
"""What each kind of results folder is called in messages."""


class OutputError(ValueError):
    """An output folder that cannot be used, with a message fit for a user.

    The command line prints it as one ``error:`` line and exits with status 2.
    """


# --- what a folder holds ------------------------------------------------------------


def folder_kind(path: str | Path) -> str | None:
    """What a folder holds.

    Args:
        path: the folder.

    Returns:
        None for a missing or empty folder; "file" when the path is not a
        folder; the ``kind`` in its manifest.json ("run", "sweep", ...);
        "validation" for a validation folder (settings.json and table.csv);
        "sweep" or "run" when the manifest is damaged but a parts/ folder or
        series.parquet says which; "unknown" for any other non-empty folder.
    """
    path = Path(path)
    if not path.exists() and not path.is_symlink():
        return None
    if not path.is_dir():
        return "file"
    try:
        entries = [p.name for p in path.iterdir() if p.name != INSIDE_LOCK]
    except OSError:
        return "unknown"
    if not entries:
        return None
    manifest = path / "manifest.json"
    if manifest.is_file():
        try:
            data = json.loads(manifest.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = None
        if not isinstance(data, dict):
            # A damaged manifest: the rest of the folder still says what it is.
            if (path / "parts").is_dir():
                return "sweep"
            if (path / "series.parquet").is_file():
                return "run"
            return "unknown"
        if isinstance(data.get("kind"), str):
            return data["kind"]
        if "scenario" in data and "seed" in data:
            return "run"  # a run folder written before manifests named their kind
        return "unknown"
    if {"settings.json", "table.csv"} <= set(entries):
        return "validation"
    return "unknown"


def _describe_kind(kind: str) -> str:
    return KIND_NAMES.get(kind, f"results of kind {kind!r}")


def prepare_output(
    path: str | Path,
    kind: str,
    *,
    overwrite: bool = False,
    resume: bool = False,
    flag: str = "--out",
) -> Path:
    """Check, before any work, that results of `kind` may be written to a folder.

    Allowed: a folder that does not exist or is empty; a folder of the same
    kind with ``overwrite`` (it will be replaced once the new results are
    complete) or with ``resume`` (the caller continues it). Refused, whatever
    the flags: a file; a folder of another kind; a non-empty folder that
    does not hold results (its files are not ours to delete).

    Args:
        path: the output folder.
        kind: what will be written ("run", "sweep", ...).
        overwrite: the user asked to replace results of the same kind.
        resume: the caller continues the results already there.
        flag: the option that named the folder, for messages.

    Returns:
        The path, unchanged.

    Raises:
        OutputError: naming the folder, what it holds and what to do instead.
    """
    path = Path(path)
    found = folder_kind(path)
    what = f"{flag} {path}" if flag else str(path)
    if found == "file":
        raise OutputError(f"{what}: is a file, not a folder; choose another {flag or 'folder'}")
    if found == "unknown":
        raise OutputError(
            f"{what}: the folder is not empty and does not hold {_describe_kind(kind)}; "
            f"its files are left alone: choose another {flag or 'folder'} (or empty it)"
        )
    if found is not None and found != kind:
        raise OutputError(
            f"{what}: holds {_describe_kind(found)}, which is never replaced by "
            f"{_describe_kind(kind)}, even with --overwrite; choose another {flag or 'folder'}"
        )
    if found == kind and not (overwrite or resume):
        hint = "--resume to continue it, " if kind == "sweep" else ""
        raise OutputError(
            f"{what}: already holds {_describe_kind(kind)}; pass {hint}--overwrite to replace "
            f"it, or choose another {flag or 'folder'}"
        )
    check_writable(path, flag=flag)
    return path


def check_writable(path: str | Path, *, flag: str = "--out") -> None:
    """Check that a folder (existing or not) can be created and written, without leaving a trace.

    Args:
        path: the folder.
        flag: the option that named it, for messages.

    Raises:
        OutputError: a part of the path is a file, or the nearest existing
            folder cannot be written (permissions, a read-only file system).
    """
    path = Path(path)
    what = f"{flag} {path}" if flag else str(path)
    probe = path
    while not probe.exists():
        if probe.is_symlink():
            raise OutputError(f"{what}: {probe} is a broken symbolic link")
        if probe.parent == probe:
            break
        probe = probe.parent
    if probe.exists() and not probe.is_dir():
        where = "is a file" if probe == path else f"cannot be created: {probe} is a file"
        raise OutputError(f"{what}: {where}, not a folder; choose another {flag or 'folder'}")
    try:
        # A real write, not os.access: it also catches read-only file systems,
        # full disks and ACLs.
        with tempfile.TemporaryDirectory(prefix=".factions-write-check-", dir=probe):
            pass
    except OSError as err:
        raise OutputError(
            f"{what}: cannot write there ({_reason(err)} in {probe}); choose another "
            f"{flag or 'folder'}"
        ) from None


def _reason(err: OSError) -> str:
    if err.errno == errno.EROFS:
        return "read-only file system"
    if err.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    if err.errno == errno.ENOSPC:
        return "no space left"
    return err.strerror or str(err)


# --- one writer at a time ---------------------------------------------------------------


INSIDE_LOCK = ".factions.lock"
"""The lock file's name inside a folder whose parent cannot be written."""


def lock_path(folder: str | Path) -> Path:
    """The lock file of a folder.

    Normally ``.NAME.lock`` beside the folder, so that it exists before the
    folder does and survives the folder's replacement; inside the folder
    (`INSIDE_LOCK`) when only the folder itself can be written (a user's
    folder in a shared, read-only place).

    Args:
        folder: the results folder (it need not exist).

    Returns:
        The lock file's path.
    """
    folder = Path(folder).absolute()
    if folder.is_dir() and not os.access(folder.parent, os.W_OK) and os.access(folder, os.W_OK):
        return folder / INSIDE_LOCK
    return folder.parent / f".{folder.name}.lock"


class FolderLock:
    """An exclusive lock on a results folder, held by this process.

    The lock is a file beside the folder, locked with ``flock`` (which the
    system releases when the process dies, however it dies) and holding
    JSON with the writer's pid, host, command and start time, for messages.
    A lock file whose writer has died is taken over, with a message.

    Attributes:
        folder: the folder locked.
        path: the lock file.
        previous: what the lock file said when it was taken over from a dead
            writer (None if it was free).
    """

    def __init__(self, folder: str | Path, *, command: str = ""):
        self.folder = Path(folder)
        self.path = lock_path(folder)
        self.command = command or " ".join(Path(sys.argv[0]).name.split() + sys.argv[1:])
        self.previous: dict[str, Any] | None = None
        self._fd: int | None = None

    def acquire(self, *, notify: Callable[[str], None] | None = None) -> None:
        """Take the lock, or raise OutputError naming the process that holds it.

        Args:
            notify: called with a message when a stale lock is taken over
                (default: print it to stderr).
        """
        import fcntl

        while True:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            except OSError as err:
                raise OutputError(
                    f"{self.folder}: cannot write there ({_reason(err)}: {self.path})"
                ) from None
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                holder = _read_holder(fd)
                os.close(fd)
                raise OutputError(
                    f"{self.folder}: in use by {_holder_text(holder)}; wait for it to finish "
                    f"(or stop it) and try again"
                ) from None
            # The file may have been removed and recreated by a writer that
            # released it while we waited for it: lock the file that is there now.
            try:
                same = os.path.samestat(os.fstat(fd), os.stat(self.path))
            except FileNotFoundError:
                same = False
            if same:
                break
            os.close(fd)
        previous = _read_holder(fd)
        if previous and previous.get("pid") not in (None, os.getpid()):
            self.previous = previous
            alive = _alive(previous)
            message = (
                f"note: taking over the lock on {self.folder} left by "
                f"{_holder_text(previous)}, "
                + ("which no longer holds it" if alive else "which is no longer running")
            )
            (notify or _print_note)(message)
        record = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "command": self.command,
            "started": time.strftime("%Y-%m-%d %H:%M:%S"),
        }
        os.ftruncate(fd, 0)
        os.pwrite(fd, (json.dumps(record) + "\n").encode(), 0)
        self._fd = fd

    def release(self) -> None:
        """Release the lock and remove the lock file (a no-op if not held)."""
        if self._fd is None:
            return
        import fcntl

        fd, self._fd = self._fd, None
        try:
            with contextlib.suppress(OSError):
                if os.path.samestat(os.fstat(fd), os.stat(self.path)):
                    os.unlink(self.path)
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    @property
    def held(self) -> bool:
        """Whether this object holds the lock."""
        return self._fd is not None

    def __enter__(self) -> FolderLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


@contextmanager
def lock_folder(
    folder: str | Path, *, command: str = "", notify: Callable[[str], None] | None = None
) -> Iterator[FolderLock]:
    """Hold the folder's lock for the duration of a ``with`` block.

    Args:
        folder: the results folder (it need not exist yet).
        command: what holds the lock, for other writers' messages (default:
            this process's command line).
        notify: called with a message when a stale lock is taken over.

    Yields:
        The FolderLock.

    Raises:
        OutputError: another live process holds the lock (the message names it).
    """
    lock = FolderLock(folder, command=command)
    lock.acquire(notify=notify)
    try:
        yield lock
    finally:
        lock.release()


def _read_holder(fd: int) -> dict[str, Any] | None:
    try:
        raw = os.pread(fd, 4096, 0)
        data = json.loads(raw.decode("utf-8")) if raw.strip() else None
    except (OSError, ValueError):
        return {"pid": None}
    return data if isinstance(data, dict) else {"pid": None}


def _holder_text(holder: dict[str, Any] | None) -> str:
    if not holder or holder.get("pid") is None:
        return "another process"
    text = f"process {holder['pid']}"
    if holder.get("host") and holder["host"] != socket.gethostname():
        text += f" on {holder['host']}"
    details = []
    if holder.get("command"):
        details.append(f"`{holder['command']}`")
    if holder.get("started"):
        details.append(f"started {holder['started']}")
    return f"{text} ({', '.join(details)})" if details else text


def _alive(holder: dict[str, Any]) -> bool:
    pid = holder.get("pid")
    if not isinstance(pid, int) or holder.get("host", socket.gethostname()) != socket.gethostname():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, under another user
    return True


def _print_note(message: str) -> None:
    print(message, file=sys.stderr)


# --- complete or not at all ---------------------------------------------------------------


@contextmanager
def staged_folder(path: str | Path, kind: str, *, overwrite: bool = False) -> Iterator[Path]:
    """Write a folder's contents into a temporary folder beside it, then move them into place.

    Use::

        with staged_folder(out, "run", overwrite=args.overwrite) as tmp:
            write everything into tmp
        # out now holds exactly what was written into tmp

    If the block raises (or is interrupted), the temporary folder is removed
    and `path` is left as it was. The move happens under the folder's lock.

    Args:
        path: the final folder.
        kind: what is written (checked again at the move: another process
            may have written there meanwhile).
        overwrite: replace results of the same kind already at `path`.

    Yields:
        The temporary folder (on the same file system as `path`).

    Raises:
        OutputError: `path` cannot take the results at the end; the message
            says where they were kept.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent))
    except OSError as err:
        raise OutputError(f"{path}: cannot write there ({_reason(err)})") from None
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    try:
        with lock_folder(path):
            replace_folder(tmp, path, kind, overwrite=overwrite)
    except OutputError as err:
        if tmp.exists():
            raise OutputError(f"{err}; the new results are kept in {tmp}") from None
        raise


def replace_folder(new: str | Path, path: str | Path, kind: str, *, overwrite: bool) -> None:
    """Move a complete folder into place, replacing results of the same kind if allowed.

    The caller holds the lock of `path`. The old folder is moved aside
    before the new one is moved in (two renames on one file system), and
    deleted only after that.

    Args:
        new: the complete folder.
        path: where it goes.
        kind: what it holds.
        overwrite: whether results of the same kind at `path` may be replaced.

    Raises:
        OutputError: `path` holds something else now (`new` is kept, and
            the message says where).
    """
    new, path = Path(new), Path(path)
    found = folder_kind(path)
    keep = f"; the new results are kept in {new}"
    if found == "file" or found == "unknown" or (found is not None and found != kind):
        shown = "a file" if found == "file" else _describe_kind(found or "")
        raise OutputError(f"{path}: now holds {shown}, so it was left alone{keep}")
    if found == kind and not overwrite:
        raise OutputError(
            f"{path}: now holds {_describe_kind(kind)} (written meanwhile by another process){keep}"
        )
    old = None
    if path.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".old", dir=path.parent))
        os.replace(path, old / path.name)  # rename: the same file system
    try:
        os.replace(new, path)
    except OSError as err:
        if old is not None:  # put the old results back
            os.replace(old / path.name, path)
            shutil.rmtree(old, ignore_errors=True)
        raise OutputError(f"{path}: cannot move the results into place ({_reason(err)})") from None
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
