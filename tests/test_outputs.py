"""Output folders (model.study.outputs): never overwritten by mistake or by results of
another kind, written complete or not at all, one writer at a time."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from model.study.outputs import (
    FolderLock,
    OutputError,
    check_writable,
    folder_kind,
    lock_folder,
    lock_path,
    prepare_output,
    staged_folder,
)
from tests.conftest import REPO


def make_folder(path: Path, kind: str | None) -> Path:
    """A folder holding results of a kind ("run", "sweep", "old-run", "validation", "other")."""
    path.mkdir(parents=True)
    if kind in ("run", "sweep"):
        (path / "manifest.json").write_text(json.dumps({"kind": kind, "scenario": {}, "seed": 1}))
    elif kind == "old-run":  # written before manifests named their kind
        (path / "manifest.json").write_text(json.dumps({"scenario": {}, "seed": 1}))
    elif kind == "validation":
        (path / "settings.json").write_text("{}")
        (path / "table.csv").write_text("")
    elif kind == "other":
        (path / "thesis.tex").write_text("mine")
    return path


def read_only_place(tmp_path: Path) -> Path:
    """A folder this process cannot write into (a chmod-ed one, or /sys for root); skips if none."""
    if os.geteuid() != 0:
        folder = tmp_path / "ro"
        folder.mkdir()
        folder.chmod(0o555)
        return folder
    # root ignores permission bits; sysfs refuses new files even to root.
    try:
        (Path("/sys") / "factions-write-test").mkdir()
    except OSError:
        return Path("/sys")
    (Path("/sys") / "factions-write-test").rmdir()
    pytest.skip("no folder here that root cannot write")


def test_folder_kinds(tmp_path: Path):
    assert folder_kind(tmp_path / "missing") is None
    assert folder_kind(make_folder(tmp_path / "empty", None)) is None
    assert folder_kind(make_folder(tmp_path / "run", "run")) == "run"
    assert folder_kind(make_folder(tmp_path / "old", "old-run")) == "run"
    assert folder_kind(make_folder(tmp_path / "sweep", "sweep")) == "sweep"
    assert folder_kind(make_folder(tmp_path / "val", "validation")) == "validation"
    assert folder_kind(make_folder(tmp_path / "other", "other")) == "unknown"
    (tmp_path / "file").write_text("x")
    assert folder_kind(tmp_path / "file") == "file"
    damaged = make_folder(tmp_path / "damaged", "sweep")
    (damaged / "manifest.json").write_text("{not json")
    assert folder_kind(damaged) == "unknown"
    (damaged / "parts").mkdir()  # what the rest of the folder says
    assert folder_kind(damaged) == "sweep"


@pytest.mark.parametrize(
    ("holds", "kind", "flags", "refused"),
    [
        (None, "run", {}, None),
        ("run", "run", {}, "already holds the results of a run (factions run); pass --overwrite"),
        ("run", "run", {"overwrite": True}, None),
        ("sweep", "sweep", {}, "already holds a sweep (factions sweep); pass --resume to"),
        ("sweep", "sweep", {"resume": True}, None),
        ("sweep", "sweep", {"overwrite": True}, None),
        ("sweep", "run", {"overwrite": True}, "holds a sweep (factions sweep), which is never"),
        ("run", "sweep", {"overwrite": True}, "holds the results of a run (factions run), which"),
        ("validation", "run", {"overwrite": True}, "holds a validation"),
        ("other", "run", {"overwrite": True}, "not empty and does not hold the results of a run"),
        ("other", "sweep", {"resume": True}, "its files are left alone"),
    ],
)
def test_prepare_output(tmp_path: Path, holds, kind, flags, refused):
    folder = tmp_path / "out"
    if holds is not None:
        make_folder(folder, holds)
    before = sorted(p.name for p in folder.iterdir()) if folder.exists() else None
    if refused is None:
        assert prepare_output(folder, kind, **flags) == folder
    else:
        with pytest.raises(OutputError) as info:
            prepare_output(folder, kind, **flags)
        assert str(info.value).startswith(f"--out {folder}: ")
        assert refused in str(info.value)
    after = sorted(p.name for p in folder.iterdir()) if folder.exists() else None
    assert after == before  # a check never changes anything


def test_a_file_in_the_way(tmp_path: Path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(OutputError, match="is a file, not a folder"):
        prepare_output(tmp_path / "file", "run")
    with pytest.raises(OutputError, match=r"cannot be created: .*file is a file"):
        prepare_output(tmp_path / "file" / "below", "run", flag="--out")


def test_an_unwritable_place(tmp_path: Path):
    with pytest.raises(OutputError, match=r"cannot write there \((permission denied|read-only)"):
        check_writable(read_only_place(tmp_path) / "results" / "x")


# --- staged folders ---------------------------------------------------------------------


def test_staged_folder_replaces_only_when_complete(tmp_path: Path):
    out = make_folder(tmp_path / "run", "run")
    (out / "figures").mkdir()
    (out / "figures" / "stale.png").write_text("old")
    with staged_folder(out, "run", overwrite=True) as tmp:
        assert tmp.parent == out.parent and tmp.name.startswith(".run.")
        (tmp / "manifest.json").write_text(json.dumps({"kind": "run", "n": 2}))
        assert json.loads((out / "manifest.json").read_text()).get("n") is None  # not yet
    assert json.loads((out / "manifest.json").read_text())["n"] == 2
    assert not (out / "figures").exists()  # nothing of the old run is left beside the new
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]  # no temporary folders


def test_an_interrupted_staged_folder_leaves_the_old_results(tmp_path: Path):
    out = make_folder(tmp_path / "run", "run")
    with pytest.raises(KeyboardInterrupt), staged_folder(out, "run", overwrite=True) as tmp:
        (tmp / "manifest.json").write_text(json.dumps({"kind": "run", "n": 2}))
        raise KeyboardInterrupt
    assert json.loads((out / "manifest.json").read_text()) == {
        "kind": "run",
        "scenario": {},
        "seed": 1,
    }
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


def test_a_folder_taken_meanwhile_keeps_the_new_results(tmp_path: Path):
    out = tmp_path / "run"
    with pytest.raises(OutputError) as info, staged_folder(out, "run") as tmp:
        (tmp / "manifest.json").write_text(json.dumps({"kind": "run"}))
        make_folder(out, "sweep")  # another process writes a sweep there meanwhile
    assert "now holds a sweep" in str(info.value) and str(tmp) in str(info.value)
    assert (tmp / "manifest.json").exists() and folder_kind(out) == "sweep"


# --- locks ------------------------------------------------------------------------------

HOLD = """
import sys, time
from model.study.outputs import lock_folder
with lock_folder(sys.argv[1], command="test holder"):
    print("locked", flush=True)
    time.sleep(60)
"""


def test_a_second_writer_is_refused_with_the_holders_pid(tmp_path: Path):
    folder = tmp_path / "sweep"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(folder)], cwd=REPO, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(OutputError) as info, lock_folder(folder):
            pass
        message = str(info.value)
        assert f"in use by process {holder.pid} (`test holder`, started " in message
    finally:
        holder.kill()
        holder.wait()
    # The holder died without cleaning up: its lock is taken over, with a note.
    notes: list[str] = []
    with lock_folder(folder, notify=notes.append) as lock:
        assert lock.held and lock.previous["pid"] == holder.pid
        assert json.loads(lock_path(folder).read_text())["pid"] == os.getpid()
    assert notes == [
        f"note: taking over the lock on {folder} left by process {holder.pid} (`test holder`, "
        f"started {lock.previous['started']}), which is no longer running"
    ]
    assert not lock_path(folder).exists()  # released: removed


def test_a_stale_lock_file_of_a_dead_pid_is_taken_over(tmp_path: Path):
    folder = tmp_path / "run"
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    lock_path(folder).write_text(json.dumps({"pid": dead.pid, "command": "factions sweep x"}))
    notes: list[str] = []
    with lock_folder(folder, notify=notes.append):
        pass
    assert len(notes) == 1 and f"process {dead.pid}" in notes[0]
    assert "no longer running" in notes[0]


def test_one_process_cannot_hold_a_folder_twice(tmp_path: Path):
    first = FolderLock(tmp_path / "x")
    first.acquire()
    try:
        with pytest.raises(OutputError, match=f"in use by process {os.getpid()}"):
            FolderLock(tmp_path / "x").acquire()
    finally:
        first.release()
    started = time.monotonic()
    with lock_folder(tmp_path / "x"):
        pass
    assert time.monotonic() - started < 5
