"""`factions viz`: its options, the address check, the warning, and stopping with its server.

The signal tests start real processes: `serve` around a small stand-in server
(a Python script that listens on a port and starts a helper process), and
once `factions viz` itself around the real Solara server. Every socket here
is on the loopback address; the 0.0.0.0 case is checked without listening.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from model.cli import main as factions
from model.cli import viz as viz_command
from tests.test_app_browser import START_TIMEOUT, free_port, wait_until_up

ROOT = Path(__file__).resolve().parents[1]
STOP_TIMEOUT = 8.0  # seconds for a stopped server to free its port and go


# --- processes, seen from /proc ----------------------------------------------------------


def _state(pid: int) -> str | None:
    """A process's state letter ("S", "R", "Z"...), None once it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rpartition(")")[2].split()[0]


def alive(pid: int) -> bool:
    """The process exists and is not a zombie waiting to be reaped."""
    return _state(pid) not in (None, "Z")


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid`."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rpartition(")")[2].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def listening(port: int) -> bool:
    """Something accepts connections on 127.0.0.1:port."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def eventually(condition: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def _kill_quietly(pids: list[int]) -> None:
    """Clean-up after a failed test: SIGKILL the processes it started, by pid."""
    for pid in pids:
        if alive(pid):
            os.kill(pid, signal.SIGKILL)


# --- options and help ------------------------------------------------------------------


def test_viz_parser_and_server_settings() -> None:
    parser = argparse.ArgumentParser()
    viz_command.add_viz_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["viz", "--port", "9001"])
    assert (args.port, args.host, args.open, args.handler) == (
        9001,
        "127.0.0.1",
        False,
        viz_command.run_viz,
    )
    for bad in ("70000", "0", "-1"):
        with pytest.raises(SystemExit):
            parser.parse_args(["viz", "--port", bad])

    env = viz_command.server_env({"PATH": "/bin"})
    assert env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "False"
    assert env["SOLARA_ASSETS_CDN"].startswith("http://127.0.0.1:")
    assert viz_command.server_env({"SOLARA_ASSETS_CDN": "x"})["SOLARA_ASSETS_CDN"] == "x"
    command = viz_command.server_command("127.0.0.1", 9001)
    assert Path(command[4]) == viz_command.APP and viz_command.APP.exists()
    assert {"--production", "--no-check-version", "--no-open"} <= set(command)


def test_help_says_the_page_has_no_authentication(capsys) -> None:
    with pytest.raises(SystemExit):
        factions(["viz", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "0.0.0.0, opens the page, which has no authentication" in text
    assert "anyone who can reach it can run simulations on this machine" in text


# --- the address: checked first, warned about when not loopback ----------------------------


def test_address_problems_are_found_before_starting() -> None:
    port = free_port()
    assert viz_command.address_problem("127.0.0.1", port) is None
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", port))
        taken.listen()
        problem = viz_command.address_problem("127.0.0.1", port)
        assert problem is not None and problem.startswith(f"port {port} is already in use")
        assert viz_command.address_problem("localhost", port) == problem.replace(
            "127.0.0.1", "localhost"
        )
    # 192.0.2.0/24 is reserved for documentation: never an address of this machine.
    assert viz_command.address_problem("192.0.2.1", port) == (
        "cannot listen on 192.0.2.1: not an address of this machine"
    )


def test_port_in_use_gives_one_message_and_exit_2() -> None:
    port = free_port()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", port))
        taken.listen()
        started = time.monotonic()
        result = subprocess.run(
            [sys.executable, "-m", "model.cli.viz", "--port", str(port)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 2, result
    assert result.stdout == ""  # no "Serving the page at …" for a page that is not served
    assert result.stderr == (
        f"error: port {port} is already in use on 127.0.0.1 (is the page already running? "
        "stop it, or choose another port with --port)\n"
    )
    assert time.monotonic() - started < 30  # it did not start a server to find out


@pytest.mark.parametrize(
    ("host", "warned"),
    [
        ("0.0.0.0", True),
        ("::", True),
        ("192.0.2.1", True),
        ("127.0.0.1", False),
        ("127.0.0.2", False),
        ("localhost", False),
        ("::1", False),
    ],
)
def test_a_non_loopback_host_is_warned_about(host: str, warned: bool, monkeypatch, capsys) -> None:
    # Nothing listens anywhere: the address check and the server are stand-ins.
    served: list[list[str]] = []
    monkeypatch.setattr(viz_command, "address_problem", lambda h, p: None)
    monkeypatch.setattr(
        viz_command, "serve", lambda command, env, **kw: served.append(command) or 0
    )
    from model.app import assets as viz_assets

    monkeypatch.setattr(viz_assets, "install", lambda: [])
    args = argparse.Namespace(host=host, port=8123, open=False)
    assert viz_command.run_viz(args) == 0
    out, err = capsys.readouterr()
    assert served and served[0][served[0].index("--host") + 1] == host
    if warned:
        assert err == (
            f"warning: listening on {host}, not only on this machine. The page has no "
            "authentication: anyone who can reach it can run simulations on this machine "
            "(using its CPU and memory).\n"
        )
    else:
        assert err == ""
    assert out.startswith("Serving the page at http://")
    if host == "0.0.0.0":
        assert out.startswith("Serving the page at http://127.0.0.1:8123/")


# --- stopping: the server goes with the command ---------------------------------------------

STAND_IN = textwrap.dedent(
    """
    import os, signal, socket, subprocess, sys, time

    port, pids, mode = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    if mode == "stubborn":  # ignores polite signals (so does its helper, which inherits that)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    sock.listen()
    helper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    with open(pids + ".part", "w") as out:
        out.write(f"{os.getpid()} {helper.pid}")
    os.replace(pids + ".part", pids)
    time.sleep(120)
    """
)


@pytest.fixture
def stand_in(tmp_path: Path) -> Iterator[Callable[[str], tuple[subprocess.Popen, int, int, int]]]:
    """Start `serve` (in a process of its own) around the stand-in server.

    Yields a function of the mode ("polite" or "stubborn") that returns the
    `serve` process, the port and the pids of the server and its helper once
    the server listens. Whatever is left at the end is killed by pid.
    """
    script = tmp_path / "stand_in.py"
    script.write_text(STAND_IN)
    started: list[int] = []

    def start(mode: str) -> tuple[subprocess.Popen, int, int, int]:
        port = free_port()
        pids = tmp_path / f"pids-{port}"
        code = (
            "import sys; from model.cli.viz import serve; "
            f"sys.exit(serve([sys.executable, {str(script)!r}, '{port}', {str(pids)!r}, "
            f"'{mode}'], grace=1.0))"
        )
        parent = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT)
        started.append(parent.pid)
        assert eventually(pids.exists, 30), "the stand-in server did not start"
        server, helper = (int(p) for p in pids.read_text().split())
        started.extend([server, helper])
        assert eventually(lambda: listening(port), 10)
        return parent, port, server, helper

    yield start
    _kill_quietly(started)


@pytest.mark.parametrize(
    ("sig", "mode"),
    [
        (signal.SIGTERM, "polite"),
        (signal.SIGINT, "polite"),
        (signal.SIGHUP, "polite"),
        (signal.SIGTERM, "stubborn"),  # killed after the grace period
    ],
    ids=["SIGTERM", "SIGINT", "SIGHUP", "SIGTERM-ignored"],
)
def test_a_stop_signal_stops_the_server_and_its_group(sig, mode, stand_in) -> None:
    parent, port, server, helper = stand_in(mode)
    assert children(parent.pid) == [server]
    started = time.monotonic()
    parent.send_signal(sig)
    assert parent.wait(timeout=STOP_TIMEOUT) == 0  # a requested stop is a clean one
    assert eventually(lambda: not listening(port), STOP_TIMEOUT), "the port is still served"
    assert eventually(lambda: not alive(server) and not alive(helper), STOP_TIMEOUT)
    assert time.monotonic() - started < 1.0 + STOP_TIMEOUT


def test_the_server_stops_even_if_the_command_is_killed(stand_in) -> None:
    """SIGKILL cannot be handled: the kernel's parent-death signal stops the server."""
    parent, port, server, _helper = stand_in("polite")
    parent.send_signal(signal.SIGKILL)
    assert parent.wait(timeout=STOP_TIMEOUT) == -signal.SIGKILL
    assert eventually(lambda: not alive(server), STOP_TIMEOUT), "the server outlived the command"
    assert eventually(lambda: not listening(port), STOP_TIMEOUT)


def test_factions_viz_stopped_by_sigterm_leaves_no_server(tmp_path: Path) -> None:
    """The real thing: `factions viz` and its Solara server, stopped with SIGTERM."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    log = tmp_path / "server.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "model.cli.viz", "--port", str(port)],
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    servers: list[int] = []
    try:
        wait_until_up(url, proc, log, START_TIMEOUT)
        servers = children(proc.pid)
        assert len(servers) == 1 and alive(servers[0]), servers
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=STOP_TIMEOUT) == 0, log.read_text()
        assert eventually(lambda: not listening(port), STOP_TIMEOUT), "the port is still served"
        assert eventually(lambda: not alive(servers[0]), STOP_TIMEOUT), "the server is still there"
        assert "Stopping the page (SIGTERM)" in log.read_text()
    finally:
        _kill_quietly([proc.pid, *servers])
