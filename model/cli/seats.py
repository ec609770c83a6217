"""The `factions seats` subcommand: the real seats of a run, with their state.

    factions seats RESULTS_DIR [--region R] [--sort margin|risk|name] [--triggered]
                   [--held] [--limit N] [--csv] [--map VIEW --out PNG]

Reads the run folder's clps.csv (written by `factions run`) and lists its
seats: the seat, its region, Labour's margin at the last election, who
controls the CLP's executive, the MP (name, faction, ideology), the MP's risk
(the share of the CLP's members who would vote for a full selection) and the
seat's trigger ballots. `--triggered` keeps the seats whose MP faced a full
selection; `--sort risk` puts the MPs most at risk first. `--map VIEW` draws
the run's seats on the hex map instead (views: control, mp_faction, margin,
trigger). A folder without clps.csv, an unknown region or view prints one
message and exits with status 2.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from model.analysis.seat_tables import (
    MAP_VIEWS,
    SORTS,
    SeatQueryError,
    query_seats,
    read_clps,
    seat_map,
)
from model.cli.args import EXIT_BAD_INPUT, EXIT_OK

SHOWN = {
    "seat": "seat",
    "region": "region",
    "lab_margin": "margin",
    "control": "executive",
    "mp": "MP",
    "mp_faction": "MP faction",
    "mp_ideology": "MP pos.",
    "risk": "risk",
    "trigger": "trigger ballots",
}
DEFAULT_LIMIT = 40


def add_seats_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add `seats` to the `factions` subcommands.

    Args:
        sub: the subparsers of the `factions` parser.

    Returns:
        The new subparser (its handler is `run_seats`).
    """
    parser = sub.add_parser(
        "seats",
        help="list a run's real seats with their state (or draw them on the hex map)",
        description=(
            "List the seats of a run folder (its clps.csv): margin, executive control, the MP "
            "and their risk of a full selection, trigger-ballot results."
        ),
    )
    parser.add_argument("results", type=Path, help="a run folder written by `factions run`")
    parser.add_argument(
        "--region", help="only one region: a code (LO, NW, SC...) or a name (London)"
    )
    parser.add_argument(
        "--sort",
        choices=SORTS,
        default="margin",
        help="margin: most marginal first (default); risk: MPs most at risk first; name",
    )
    parser.add_argument(
        "--triggered", action="store_true", help="only seats whose MP faced a full selection"
    )
    parser.add_argument("--held", action="store_true", help="only seats Labour holds")
    parser.add_argument(
        "--limit",
        type=int,
        default=DEFAULT_LIMIT,
        help=f"rows to show (default {DEFAULT_LIMIT}; 0 for all)",
    )
    parser.add_argument("--csv", action="store_true", help="print the rows as CSV (every column)")
    parser.add_argument(
        "--map", choices=list(MAP_VIEWS), help="draw the seats on the hex map coloured by this"
    )
    parser.add_argument("--out", type=Path, help="with --map: the PNG to write")
    parser.set_defaults(handler=run_seats)
    return parser


def _trigger(row: pd.Series) -> str:
    n = int(row.get("trigger_ballots", 0) or 0)
    if not n:
        return ""
    return f"{n}: {row['last_trigger_result']} ({row['last_trigger']})"


def format_rows(rows: pd.DataFrame) -> str:
    """The rows as an aligned text table (the columns of SHOWN)."""
    table = pd.DataFrame(
        {
            "seat": rows["seat"],
            "region": rows["region"],
            "lab_margin": [f"{100 * m:+.1f}" for m in rows["lab_margin"]],
            "control": rows["control"],
            "mp": rows["mp"],
            "mp_faction": rows["mp_faction"],
            "mp_ideology": ["" if pd.isna(x) else f"{x:+.2f}" for x in rows["mp_ideology"]],
            "risk": ["" if pd.isna(x) else f"{100 * x:.0f}%" for x in rows["risk"]],
            "trigger": [_trigger(r) for _, r in rows.iterrows()],
        }
    ).rename(columns=SHOWN)
    return table.to_string(index=False, max_colwidth=44)


def run_seats(args: argparse.Namespace) -> int:
    """`factions seats`: list (or map) the seats of a run folder.

    Args:
        args: parsed arguments.

    Returns:
        0, or 2 for a folder without clps.csv, an unknown region or a bad option.
    """
    try:
        if args.limit < 0:
            raise SeatQueryError(f"--limit must be 0 (all) or more, got {args.limit}")
        if args.out is not None and args.map is None:
            raise SeatQueryError("--out needs --map VIEW (the map to draw)")
        table = read_clps(args.results)
        rows = query_seats(
            table, region=args.region, sort=args.sort, triggered=args.triggered, held=args.held
        )
    except SeatQueryError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT

    if args.map is not None:
        out = args.out or args.results / "figures" / f"map_{args.map}.png"
        title = f"{args.results.name}: {args.map.replace('_', ' ')}"
        codes = rows["ons_code"].tolist()
        fig = seat_map(table, args.map, title=title, highlight=codes if len(codes) < 60 else ())
        out.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(out, dpi=110)
        print(f"map written to {out}")
        return EXIT_OK

    shown = rows if args.limit == 0 else rows.head(args.limit)
    if args.csv:
        sys.stdout.write(shown.to_csv(index=False, lineterminator="\n"))
        return EXIT_OK
    what = [f"{len(rows)} seats"]
    if args.region:
        place = rows["region_name"].iloc[0] if len(rows) and "region_name" in rows else args.region
        what.append(f"in {place}")
    if args.triggered:
        what.append("whose MP faced a full selection")
    if args.held:
        what.append("held by Labour")
    order = {"margin": "most marginal first", "risk": "MPs most at risk first", "name": "by name"}
    print(f"{' '.join(what)}, {order[args.sort]}", end="")
    print(f" (first {len(shown)}):" if len(shown) < len(rows) else ":")
    if len(shown):
        print(format_rows(shown))
    print(
        "\nmargin: Labour's share minus its strongest rival's at the last election "
        f"({table['last_election'].iloc[0] if len(table) else '-'}), in points; "
        "risk: share of the CLP's members who would vote for a full selection of the MP"
    )
    return EXIT_OK
