"""`factions viz`: serve the web page (model/app.py) with Solara, offline.

    factions viz [--port P] [--host H] [--open]

Runs `solara run model/app.py --production` in a child process with the
settings that keep it local: no telemetry, no version check against PyPI,
and Solara's asset proxy pointed at its local cache (filled from the npm
registry on first use, see `model.app.assets`) with its CDN fallback
pointed at a closed local port, so a missing asset fails visibly instead of
being fetched from the internet.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

APP = Path(__file__).resolve().parents[1] / "app" / "page.py"
DEFAULT_PORT = 8765
# Port 9 ("discard") is closed on any normal machine: a cache miss then fails at once.
NO_CDN = "http://127.0.0.1:9/npm/"


def _port(text: str) -> int:
    value = int(text)
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"must be a port number (0..65535), got {text}")
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
    )
    viz.add_argument("--port", type=_port, default=DEFAULT_PORT, help="port (default 8765)")
    viz.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
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


def run_viz(args: argparse.Namespace) -> int:
    """Serve the page until interrupted (Ctrl-C).

    Args:
        args: parsed arguments (port, host, open).

    Returns:
        The exit status: 0 after Ctrl-C or a clean stop, 2 when the page's
        assets could not be installed, else the server's status.
    """
    from model.app import assets as viz_assets

    try:
        viz_assets.install()  # once: later runs find everything in the cache
    except (OSError, ValueError) as err:
        print(
            f"error: the web page's assets are missing and could not be installed: {err}\n"
            "run `python -m model.app.assets` where the npm registry is reachable",
            file=sys.stderr,
        )
        return 2
    print(f"Serving the page at http://{args.host}:{args.port}/ (Ctrl-C stops it)", flush=True)
    try:
        return subprocess.run(
            server_command(args.host, args.port, open_browser=args.open), env=server_env()
        ).returncode
    except KeyboardInterrupt:
        return 0


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m model.cli.viz [--port P] [--host H]` (the same as `factions viz`)."""
    parser = argparse.ArgumentParser(prog="factions")
    add_viz_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["viz", *(sys.argv[1:] if argv is None else argv)])
    return run_viz(args)


if __name__ == "__main__":
    sys.exit(main())
