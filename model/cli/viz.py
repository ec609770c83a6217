"""`factions viz`: serve the web page (model/app/page.py) with Solara, offline.

    factions viz [--port P] [--host H] [--open]

Runs `solara run model/app/page.py --production` in a child process with the
settings that keep it local: no telemetry, no version check against PyPI,
and Solara's asset proxy pointed at its local cache (filled from the npm
registry on first use, see `model.app.assets`) with its CDN fallback
pointed at a closed local port, so a missing asset fails visibly instead of
being fetched from the internet.

Before starting it, the command checks that it can listen on the host and
port (one clear message and exit status 2 if not), and warns when the host
is not a loopback address: the page has no authentication, and anyone who
can reach it can run simulations on this machine.

The server stops with the command: Ctrl-C, SIGTERM or SIGHUP sent to
`factions viz` is passed on to the server's process group, which is given a
few seconds to shut down and is then killed; on Linux the server is also
told by the kernel to stop if `factions viz` itself dies (even by SIGKILL).
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import ipaddress
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from model.app import assets as viz_assets

APP = Path(__file__).resolve().parents[1] / "app" / "page.py"
DEFAULT_PORT = 8765
DEFAULT_HOST = "127.0.0.1"
# Port 9 ("discard") is closed on any normal machine: a cache miss then fails at once.
NO_CDN = "http://127.0.0.1:9/npm/"
EXIT_BAD_INPUT = 2
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
GRACE_SECONDS = 5.0  # for the server to shut down after a stop signal, before SIGKILL
NO_AUTH_WARNING = (
    "The page has no authentication: anyone who can reach it can run simulations "
    "on this machine (using its CPU and memory)."
)


def _port(text: str) -> int:
    value = int(text)
    # Not 0: "any free port" would leave the user without the address to open.
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"must be a port number (1..65535), got {text}")
    return value


def add_viz_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the `viz` subcommand to the `factions` parser.

    Args:
        subparsers: what `ArgumentParser.add_subparsers()` returned.

    Returns:
        The `viz` parser (its handler is `run_viz`).
    """
    viz = subparsers.add_parser(
        "viz",
        help="serve the interactive web page (Mesa SolaraViz)",
        description="Serve the web page: step the model and watch members, MPs and CLPs.",
        epilog=f"{NO_AUTH_WARNING} Keep the default host (127.0.0.1, this machine only) "
        "unless every network that can reach the address is trusted.",
    )
    viz.add_argument("--port", type=_port, default=DEFAULT_PORT, help="port (default 8765)")
    viz.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help="address to listen on (default 127.0.0.1: this machine only). Any other "
        "address, e.g. 0.0.0.0, opens the page, which has no authentication, to others "
        "on the network: they can run simulations on this machine",
    )
    viz.add_argument("--open", action="store_true", help="open the page in a web browser")
    viz.set_defaults(handler=run_viz)
    return viz


def server_env(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of the Solara server: local assets, no telemetry.

    Args:
        base: the environment to start from (default os.environ).

    Returns:
        A new environment; a SOLARA_ASSETS_CDN the user set is kept.
    """
    env = dict(os.environ if base is None else base)
    env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] = "False"
    env["SOLARA_ASSETS_PROXY"] = "True"
    env.setdefault("SOLARA_ASSETS_CDN", NO_CDN)
    return env


def server_command(host: str, port: int, *, open_browser: bool = False) -> list[str]:
    """The command line that serves the page."""
    return [
        sys.executable,
        "-m",
        "solara",
        "run",
        str(APP),
        "--host",
        host,
        "--port",
        str(port),
        "--production",
        "--no-check-version",  # it asks PyPI for the latest version
        "--open" if open_browser else "--no-open",
    ]


# --- before starting: the address ----------------------------------------------------


def is_loopback(host: str) -> bool:
    """The host is this machine only: a loopback address, or a name that resolves only to one.

    An address that cannot be resolved is not counted as loopback (the port
    check then refuses it anyway).
    """
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return False
    return bool(infos) and all(
        ipaddress.ip_address(str(info[4][0]).split("%")[0]).is_loopback for info in infos
    )


def address_problem(host: str, port: int) -> str | None:
    """Why the server could not listen on host:port, or None if it can now.

    Binds a socket the way uvicorn will (same address family, SO_REUSEADDR)
    and closes it again. Another program can still take the port between this
    check and the server's start; the check exists to turn the common case (a
    server already running there) into one clear message.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_STREAM) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((host, port))
    except socket.gaierror:
        return f"cannot listen on {host}: not a known host name or address"
    except OSError as err:
        if err.errno == errno.EADDRINUSE:
            return (
                f"port {port} is already in use on {host} (is the page already running? "
                f"stop it, or choose another port with --port)"
            )
        if err.errno == errno.EADDRNOTAVAIL:
            return f"cannot listen on {host}: not an address of this machine"
        if err.errno == errno.EACCES:
            return f"not allowed to listen on port {port} (ports below 1024 need privileges)"
        return f"cannot listen on {host}:{port}: {err.strerror or err}"
    return None


# --- running the server ---------------------------------------------------------------


def _orphan_guard(parent: int) -> Callable[[], None]:
    """What the child runs before exec: ask the kernel for SIGTERM when `parent` dies (Linux).

    This covers what no handler in the parent can: `factions viz` killed by
    SIGKILL, or crashing. If the parent died before the request was made, the
    child stops at once. Elsewhere it does nothing.
    """

    def guard() -> None:
        if not sys.platform.startswith("linux"):
            return
        import ctypes

        pr_set_pdeathsig = 1
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)
        if os.getppid() != parent:
            os.kill(os.getpid(), signal.SIGTERM)

    return guard


def _signal_group(proc: subprocess.Popen, sig: int) -> None:
    """Send `sig` to the child's process group (it leads it: see `serve`)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, sig)


def serve(
    command: Sequence[str],
    env: Mapping[str, str] | None = None,
    *,
    grace: float = GRACE_SECONDS,
    on_stop: Callable[[int], None] | None = None,
) -> int:
    """Run the server `command` until it exits or a stop signal arrives.

    Why a child process at all, rather than the server in this process:
    `solara run` sets up the app, its settings and the production mode before
    it starts uvicorn, and none of that is a public API; starting it as a
    command keeps to what Solara documents. The price is that the child must
    stop with us, so it runs in a process group of its own (a Ctrl-C in the
    terminal then reaches only us, not both at once) and this function
    forwards SIGINT, SIGTERM and SIGHUP to that group (SIGHUP as SIGTERM:
    uvicorn shuts down cleanly on SIGINT and SIGTERM only), waits up to
    `grace` seconds, then kills the group. If we die without a chance to do
    that, the kernel stops the child (`_orphan_guard`).

    Args:
        command: the server's command line.
        env: its environment (default: ours).
        grace: seconds the server has to stop after a signal.
        on_stop: called with the signal number when a stop signal arrives.

    Returns:
        0 when the server stopped after a stop signal (it was asked to), else
        the server's own exit status.
    """
    received: list[int] = []

    def forward(signum: int, _frame: object) -> None:
        received.append(signum)
        if on_stop is not None and len(received) == 1:
            on_stop(signum)
        _signal_group(proc, signal.SIGTERM if signum == signal.SIGHUP else signum)

    previous = {sig: signal.getsignal(sig) for sig in STOP_SIGNALS}
    proc = subprocess.Popen(
        list(command),
        env=None if env is None else dict(env),
        process_group=0,
        preexec_fn=_orphan_guard(os.getpid()),
    )
    try:
        for sig in STOP_SIGNALS:
            signal.signal(sig, forward)
        deadline: float | None = None
        while True:
            # Short waits, so that the grace period starts when a signal comes.
            try:
                code = proc.wait(timeout=0.2)
                break
            except subprocess.TimeoutExpired:
                pass
            if received and deadline is None:
                deadline = time.monotonic() + grace
            if deadline is not None and time.monotonic() > deadline:
                print(f"the server did not stop within {grace:g} s: killed", file=sys.stderr)
                _signal_group(proc, signal.SIGKILL)
                code = proc.wait()
                break
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if proc.poll() is None:  # we are leaving on an error of our own: take the server along
            _signal_group(proc, signal.SIGTERM)
            try:
                proc.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                _signal_group(proc, signal.SIGKILL)
                proc.wait()
    # Anything the server started in its group goes too.
    _signal_group(proc, signal.SIGKILL)
    return 0 if received else code


def run_viz(args: argparse.Namespace) -> int:
    """Serve the page until stopped (Ctrl-C, SIGTERM or SIGHUP).

    Args:
        args: parsed arguments (port, host, open).

    Returns:
        The exit status: 0 after a stop, 2 when the address cannot be used or
        the page's assets could not be installed, else the server's status.
    """
    problem = address_problem(args.host, args.port)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if not is_loopback(args.host):
        print(
            f"warning: listening on {args.host}, not only on this machine. {NO_AUTH_WARNING}",
            file=sys.stderr,
            flush=True,
        )

    try:
        viz_assets.install()  # once: later runs find everything in the cache
    except (OSError, ValueError) as err:
        print(
            f"error: the web page's assets are missing and could not be installed: {err}\n"
            "run `python -m model.app.assets` where the npm registry is reachable",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    print(f"Serving the page at {page_url(args.host, args.port)} (Ctrl-C stops it)", flush=True)

    def stopping(signum: int) -> None:
        print(f"Stopping the page ({signal.Signals(signum).name})", file=sys.stderr, flush=True)

    return serve(
        server_command(args.host, args.port, open_browser=args.open),
        server_env(),
        on_stop=stopping,
    )


def page_url(host: str, port: int) -> str:
    """The address to open for a host and port (an IPv6 address in brackets).

    For "every address" (0.0.0.0, ::) it is this machine's loopback address,
    which a browser can open, where the wildcard is not an address to visit.
    """
    if host in ("0.0.0.0", ""):
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m model.cli.viz [--port P] [--host H]` (the same as `factions viz`)."""
    parser = argparse.ArgumentParser(prog="factions")
    add_viz_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["viz", *(sys.argv[1:] if argv is None else argv)])
    return run_viz(args)


if __name__ == "__main__":
    sys.exit(main())
