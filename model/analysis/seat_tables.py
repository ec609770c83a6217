"""The CLPs as real seats: one table row per seat, seat queries and the hex map of a run.

:func:`clp_table` reads a model at the end of a run (or at any month) into a
table with one row per simulated CLP — its seat (ONS code, name, region), who
controls its executive and how its places are shared, its membership, its MP
(name, ideology, faction), its trigger ballots and Labour's result there at the
last election. `factions run` writes it as `clps.csv` (:data:`COLUMNS` says
what each column means). :func:`query_seats` filters and sorts it for
`factions seats`; :func:`seat_map` draws it on the hex map
(`model.analysis.seat_map.seat_map_figure`) coloured by one of
:data:`MAP_VIEWS`, for `factions run`, `factions report` and the web page.

**Risk.** ``risk`` is the share of the CLP's full members who would vote for a
full selection of their MP under the trigger-ballot voting rule
(`model.mechanisms.reselection.wants_selection`: faction members follow their
faction's line with its discipline, others want a selection when further than
the tolerance from the MP), estimated with a fixed private random stream so that
reading a model never changes its own draws. It says how exposed the MP is
whichever reselection rule is in force: under the 2018 rule a third of the
branches suffices, under open selection everyone faces a ballot, under a
members' supermajority the MP needs more than ``1 - risk`` of the votes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from model.analysis.figures import UNALIGNED_COLOUR, faction_colour
from model.analysis.seat_map import seat_map_figure
from model.data.seats import load_seats
from model.mechanisms.reselection import wants_selection
from model.records.events import Event, GeneralElection, TriggerBallot
from model.records.series import slug
from model.scenario.seats import GB_SEATS

if TYPE_CHECKING:
    from model.party import PartyModel

__all__ = [
    "COLUMNS",
    "MAP_VIEWS",
    "SORTS",
    "TRIGGER_COLOURS",
    "SeatQueryError",
    "clp_table",
    "faction_names",
    "map_values",
    "query_seats",
    "read_clps",
    "run_map",
    "seat_map",
    "seat_notes",
]

COLUMNS: Mapping[str, str] = {
    "ons_code": "the seat's ONS code",
    "seat": "the seat's name",
    "region": "region code (NE NW YH EM WM EA LO SE SW WA SC)",
    "region_name": "region name",
    "nation": "England, Scotland or Wales",
    "held": "Labour holds the seat",
    "lab_share": "Labour's share of the vote at the last election (real or swung)",
    "lab_margin": "Labour's share minus its strongest rival's then (positive: Labour won)",
    "last_election": "which election lab_share and lab_margin come from",
    "control": "faction controlling the CLP's executive, or unaligned",
    "places_<faction>": "executive places held by each faction (and places_unaligned)",
    "real_members": "full members the CLP stood for at full size at the start",
    "members": "simulated full members now",
    "members_real": "the real members they stand for (members × represents)",
    "members_median": "median ideology of the CLP's full members (-1 left .. +1 right)",
    "mp": "the sitting Labour MP (empty where Labour does not hold the seat)",
    "mp_ideology": "the MP's ideology",
    "mp_faction": "the MP's faction, or unaligned",
    "mp_is_leader": "the MP is the party's leader",
    "risk": "share of the CLP's members who would vote for a full selection of the MP",
    "trigger_ballots": "trigger ballots held in the seat during the run",
    "full_selections": "those that went to a full selection",
    "deselections": "those the sitting MP lost",
    "last_trigger": "month of the last trigger ballot, if any",
    "last_trigger_mp": "the MP it was about",
    "last_trigger_result": "its result (reselected automatically, ... , deselected)",
}
"""The columns of clps.csv."""

MAP_VIEWS: Mapping[str, str] = {
    "control": "faction controlling the executive",
    "mp_faction": "the MP's faction",
    "margin": "Labour's margin at the last election",
    "trigger": "trigger-ballot results",
}
"""What the seat map can show, by key."""

SORTS: tuple[str, ...] = ("margin", "risk", "name")
"""Orders `factions seats` can list seats in."""

TRIGGER_COLOURS: Mapping[str, str] = {
    "deselected": "#b2182b",
    "reselected in full selection": "#f4a582",
    "reselected unopposed": "#fddbc7",
    "reselected automatically": "#92c5de",
    "no trigger ballot": "#f0f0f0",
    "not Labour-held": "#bdbdbd",
}
"""Colours of the trigger-ballot view, worst result first."""

_RISK_SEED = 20_240_704  # the private stream of the risk estimate (any fixed number)


class SeatQueryError(ValueError):
    """A results folder or a query that cannot be answered (message fit for a user)."""


def _trigger_summary(events: Sequence[Event], n: int) -> dict[str, list[Any]]:
    count = [0] * n
    full = [0] * n
    lost = [0] * n
    last_month: list[str] = [""] * n
    last_mp: list[str] = [""] * n
    last_result: list[str] = [""] * n
    for rec in events:
        if not isinstance(rec, TriggerBallot) or not 0 <= rec.clp < n:
            continue
        count[rec.clp] += 1
        full[rec.clp] += int(rec.full_selection)
        lost[rec.clp] += int(rec.deselected)
        last_month[rec.clp], last_mp[rec.clp], last_result[rec.clp] = rec.month, rec.mp, rec.result
    return {
        "trigger_ballots": count,
        "full_selections": full,
        "deselections": lost,
        "last_trigger": last_month,
        "last_trigger_mp": last_mp,
        "last_trigger_result": last_result,
    }


def _places(party: PartyModel) -> np.ndarray:
    """(n_clps, n_factions + 1) executive places by faction, the last column unaligned."""
    return party.clps.places.astype(int)


def _risk(party: PartyModel, ids: np.ndarray, bounds: np.ndarray) -> np.ndarray:

    s = party.state
    m = party.members
    rng = np.random.default_rng(_RISK_SEED)
    specs = [f.spec for f in party.factions]
    lines = s.faction_lines
    reach = np.array([sp.trigger_distance for sp in specs])
    discipline = np.array([sp.slate_discipline for sp in specs])
    risk = np.full(len(party.clps), np.nan)
    for mp in sorted(party.sitting_mps, key=lambda mp: mp.clp):
        here = ids[bounds[mp.clp] : bounds[mp.clp + 1]]
        if here.size == 0:
            continue
        wants = wants_selection(
            m.ideology[here],
            m.faction[here],
            mp_ideology=mp.ideology,
            mp_faction=mp.faction,
            faction_lines=lines,
            trigger_distance=reach,
            discipline=discipline,
            params=party.config.reselection,
            rng=rng,
        )
        risk[mp.clp] = float(np.mean(wants))
    return risk


def clp_table(party: PartyModel, *, details: bool = True) -> pd.DataFrame:
    """One row per simulated CLP: its seat, executive, members, MP, trigger ballots and result.

    Args:
        party: the model (at the end of a run, or at any month).
        details: also the members' median and the MP's risk (the costly columns;
            NaN without them, e.g. for redrawing the map every month).

    Returns:
        The table, rows in the seat table's order; columns as in :data:`COLUMNS`.
    """
    clps = party.clps
    n = len(clps)
    seats = load_seats()
    rows = clps.seat
    names = [f.name for f in party.factions]
    ids, bounds = party.state.clp_members()
    ideology = party.members.ideology
    members = np.diff(bounds)
    median = np.array(
        [
            float(np.median(ideology[ids[bounds[i] : bounds[i + 1]]]))
            if members[i] and details
            else np.nan
            for i in range(n)
        ]
    )
    mp_by_clp = {mp.clp: mp for mp in party.sitting_mps}
    table: dict[str, Any] = {
        "ons_code": clps.code,
        "seat": clps.name,
        "region": clps.region,
        "region_name": seats.region_name[rows],
        "nation": seats.nation[rows],
        "held": clps.seat_held.astype(bool),
        "lab_share": np.round(clps.lab_share, 6),
        "lab_margin": np.round(clps.lab_margin, 6),
        "last_election": [clps.last_election] * n,
        "control": [party.faction_name(int(c)) for c in clps.control],
    }
    places = _places(party)
    for j, name in enumerate([*names, "unaligned"]):
        table[f"places_{slug(name)}"] = places[:, j]
    table["real_members"] = np.round(clps.real_members).astype(int)
    table["members"] = members
    table["members_real"] = np.round(clps.real_size(members)).astype(int)
    table["members_median"] = np.round(median, 6)
    table["mp"] = [mp_by_clp[i].name if i in mp_by_clp else "" for i in range(n)]
    table["mp_ideology"] = [
        round(mp_by_clp[i].ideology, 6) if i in mp_by_clp else np.nan for i in range(n)
    ]
    table["mp_faction"] = [
        party.faction_name(mp_by_clp[i].faction) if i in mp_by_clp else "" for i in range(n)
    ]
    table["mp_is_leader"] = [mp_by_clp.get(i) is party.leader for i in range(n)]
    table["risk"] = np.round(_risk(party, ids, bounds), 6) if details else np.full(n, np.nan)
    table.update(_trigger_summary(list(party.events), n))
    out = pd.DataFrame(table)
    out.attrs["factions"] = names
    return out


def faction_names(table: pd.DataFrame) -> list[str]:
    """The factions of a clps table, in the model's order (from its `places_` columns)."""
    if "factions" in table.attrs:
        return list(table.attrs["factions"])
    slugs = [c.removeprefix("places_") for c in table.columns if c.startswith("places_")]
    # The columns carry slugs ("labour_to_win"); the names are in the other columns.
    seen = {
        str(v) for column in ("control", "mp_faction") if column in table for v in table[column]
    }
    by_slug = {slug(v): v for v in seen if v}
    return [by_slug.get(s, s) for s in slugs if s != "unaligned"]


def read_clps(folder: str | Path) -> pd.DataFrame:
    """The clps.csv of a run folder.

    Raises:
        SeatQueryError: no such folder, or no clps.csv in it.
    """
    path = Path(folder)
    if not path.is_dir():
        raise SeatQueryError(f"{path} is not a results folder (no such directory)")
    file = path / "clps.csv"
    if not file.exists():
        raise SeatQueryError(
            f"{path} has no clps.csv: it is not a run folder, or it was written by an older "
            "version; run the scenario again with `factions run`"
        )
    table = pd.read_csv(file, keep_default_na=False, na_values=[""])
    missing = [c for c in ("ons_code", "seat", "region", "lab_margin") if c not in table]
    if missing:
        raise SeatQueryError(f"{file} lacks the columns {missing}")
    for column in ("mp", "mp_faction", "control", "last_trigger", "last_trigger_result"):
        if column in table:
            # An all-empty column is read as float: cast before filling.
            table[column] = table[column].astype(object).fillna("").astype(str)
    return table


def query_seats(
    table: pd.DataFrame,
    *,
    region: str | None = None,
    sort: str = "margin",
    triggered: bool = False,
    held: bool = False,
) -> pd.DataFrame:
    """Seats of a clps table, filtered and sorted.

    Args:
        table: a clps table (:func:`clp_table` or :func:`read_clps`).
        region: a region code (``LO``) or name (``London``), any case; None: all.
        sort: "margin" (Labour's margin at the last election, closest first),
            "risk" (the MP's exposure, highest first; seats without an MP last)
            or "name".
        triggered: only seats whose MP faced a full selection during the run.
        held: only seats Labour holds.

    Returns:
        The rows, in order.

    Raises:
        SeatQueryError: an unknown region or sort.
    """
    rows = table
    if region is not None:
        wanted = region.strip().lower()
        codes = {str(c).lower() for c in table["region"]}
        named = {str(n).lower() for n in table["region_name"]} if "region_name" in table else set()
        if wanted not in codes | named:
            known = sorted(set(table["region"]))
            raise SeatQueryError(
                f"unknown region {region!r}; regions in these results: {', '.join(known)}"
            )
        mask = table["region"].str.lower() == wanted
        if "region_name" in table:
            mask |= table["region_name"].str.lower() == wanted
        rows = rows[mask]
    if triggered:
        rows = rows[rows["full_selections"] > 0]
    if held:
        rows = rows[rows["held"].astype(str).str.lower() == "true"]
    if sort == "margin":
        key = rows["lab_margin"].abs()
        rows = rows.assign(_key=key).sort_values(["_key", "seat"], kind="stable")
    elif sort == "risk":
        rows = rows.assign(_key=-rows["risk"].fillna(-1.0)).sort_values(
            ["_key", "seat"], kind="stable"
        )
    elif sort == "name":
        rows = rows.assign(_key=0).sort_values("seat", kind="stable")
    else:
        raise SeatQueryError(f"unknown sort {sort!r}; choose one of {', '.join(SORTS)}")
    return rows.drop(columns="_key").reset_index(drop=True)


def map_values(
    table: pd.DataFrame, view: str
) -> tuple[dict[str, Any], str, dict[str, Any] | None, str]:
    """What the seat map shows for one view.

    Args:
        table: a clps table.
        view: one of :data:`MAP_VIEWS`.

    Returns:
        (values by ONS code, kind "category" or "continuous", colours by
        category or None, legend title).

    Raises:
        SeatQueryError: an unknown view.
    """
    if view not in MAP_VIEWS:
        raise SeatQueryError(f"unknown map view {view!r}; choose one of {', '.join(MAP_VIEWS)}")
    codes = table["ons_code"].astype(str).tolist()
    names = faction_names(table)
    palette: dict[str, Any] = {name: faction_colour(i) for i, name in enumerate(names)}
    palette["unaligned"] = UNALIGNED_COLOUR
    if view == "control":
        values = dict(zip(codes, table["control"].astype(str), strict=True))
        return values, "category", _present(palette, values), "Executive controlled by"
    if view == "mp_faction":
        mp_palette = {**palette, "no Labour MP": "#f7f7f7"}
        pairs = zip(table["mp_faction"], table["mp"], strict=True)
        faction = [f if mp else "no Labour MP" for f, mp in pairs]
        values = dict(zip(codes, faction, strict=True))
        return values, "category", _present(mp_palette, values), "The MP's faction"
    if view == "margin":
        margin = table["lab_margin"].astype(float).tolist()
        return dict(zip(codes, margin, strict=True)), "continuous", None, "Labour margin"
    results = []
    for held_, result in zip(table["held"], table["last_trigger_result"], strict=True):
        if result:
            results.append(str(result))
        elif str(held_).lower() == "true":
            results.append("no trigger ballot")
        else:
            results.append("not Labour-held")
    values = dict(zip(codes, results, strict=True))
    return values, "category", _present(dict(TRIGGER_COLOURS), values), "Last trigger ballot"


def _present(palette: dict[str, Any], values: Mapping[str, Any]) -> dict[str, Any]:
    seen = set(values.values())
    extra = [v for v in seen if v not in palette]
    out = {k: c for k, c in palette.items() if k in seen}
    for i, v in enumerate(sorted(extra)):  # a faction name the palette did not know
        out[v] = f"C{i}"
    return out


def seat_map(
    table: pd.DataFrame,
    view: str = "control",
    *,
    title: str | None = None,
    highlight: Sequence[str] = (),
    labels: Sequence[str] | Mapping[str, str] = (),
    figsize: tuple[float, float] = (7.0, 8.6),
) -> Figure:
    """The run's CLPs on the hex map of the 650 seats, coloured by one view.

    Seats not simulated (Northern Ireland; the rest of a regional sample) are grey.

    Args:
        table: a clps table.
        view: one of :data:`MAP_VIEWS`.
        title: figure title (default: the view's description).
        highlight: ONS codes to outline (e.g. the seats whose MP was deselected).
        labels: ONS codes to label with their names, or code -> text.
        figsize: figure size in inches.

    Returns:
        The matplotlib Figure.
    """
    values, kind, colours, legend = map_values(table, view)
    options: dict[str, Any] = {}
    if kind == "continuous":
        extent = max(0.05, float(np.nanmax(np.abs(list(values.values())))))
        options = {
            "cmap": "RdBu_r",
            "centre": 0.0,
            "vmin": -extent,
            "vmax": extent,
            "colorbar_label": "Labour's share minus its strongest rival's",
        }
    return seat_map_figure(
        load_seats(),
        values,
        kind=kind,  # type: ignore[arg-type]
        colours=colours,
        title=title if title is not None else MAP_VIEWS[view],
        legend_title=legend,
        highlight=highlight,
        labels=labels,
        missing_label=(
            "Northern Ireland: no CLPs" if len(table) >= GB_SEATS else "no CLP simulated"
        ),
        figsize=figsize,
        **options,
    )


def _names(names: Sequence[str], shown: int = 5) -> str:
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return "; ".join(names[:shown]) + more


def seat_notes(events: Sequence[Event]) -> str:
    """The run's seats in words: each general election's gains and losses, the MPs deselected.

    Args:
        events: the run's event records.

    Returns:
        A few sentences naming seats (empty when nothing happened to any seat).
    """
    parts = []
    for ge in events:
        if not isinstance(ge, GeneralElection):
            continue
        text = f"General election {ge.month}: {ge.seats} of {ge.total_seats} seats"
        text += f" ({ge.seat_source or ge.mode})"
        if ge.gained_seats:
            text += f", gained {_names(ge.gained_seats)}"
        if ge.lost_seats:
            text += f", lost {_names(ge.lost_seats)}"
        parts.append(text + ".")
    lost = [
        f"{t.mp} ({t.month})" if t.mp.startswith("MP for") else f"{t.mp}, {t.seat} ({t.month})"
        for t in events
        if isinstance(t, TriggerBallot) and t.deselected
    ]
    if lost:
        parts.append(f"MPs deselected: {_names(lost, 10)}.")
    return " ".join(parts)


def run_map(table: pd.DataFrame, title: str, labelled: int = 5) -> Figure:
    """The map a run folder gets: executives at the end, the leader's and deselections' seats named.

    Seats whose MP was deselected during the run are outlined; the leader's seat
    and the first few of those are labelled with their names.

    Args:
        table: a clps table.
        title: the figure's title.
        labelled: how many deselected MPs' seats to name.

    Returns:
        The Figure.
    """
    leader = table.loc[table["mp_is_leader"].astype(str).str.lower() == "true", ["ons_code", "mp"]]
    deselected = table.loc[table["deselections"] > 0, ["ons_code", "seat"]]
    labels = {str(c): f"{s} (MP deselected)" for c, s in deselected.head(labelled).values}
    for code, mp in leader.values:
        seat = table.loc[table["ons_code"] == code, "seat"].iloc[0]
        labels[str(code)] = f"{seat}: {mp}, leader"
    note = "; outlined: seats where an MP was deselected" if len(deselected) else ""
    return seat_map(
        table,
        "control",
        title=title + note,
        highlight=deselected["ons_code"].astype(str).tolist(),
        labels=labels,
    )
