"""The 650 real Westminster seats (2010–2019 boundaries) and their election results.

One table, declared once (:class:`SeatTable`): for each seat its ONS code,
name, region, nation, NUTS1 code, electorate, population and position on the
hex map (``q``, ``r``), and for each general election fought on these
boundaries — 2010, 2015, 2017, 2019 — its result (:class:`ElectionResult`:
votes and shares of Labour, Conservative, Liberal Democrat, SNP, Plaid Cymru
and everyone else, turnout, winner, Labour's margin). Rows are in the hex
map's order (sorted by ONS code: England ``E14…``, Northern Ireland ``N06…``,
Scotland ``S14…``, Wales ``W07…``); every array of the table and of its
results is aligned with that order and read-only.

:func:`load_seats` reads the two packaged files (``model/data/constituencies``,
through :mod:`model.data`) and checks that they agree — the same 650 codes one
for one, names, regions and nations matching, votes adding up — raising
:class:`SeatDataError` with the offending codes when they do not.

**Great Britain and Northern Ireland.** Labour does not organise or stand in
Northern Ireland: its 18 seats have ``lab_votes = 0`` at every election.
``SeatTable.contested`` is True for the 632 seats in Great Britain — where
Labour has constituency parties and fights elections — and False for the 18 in
Northern Ireland, so the model can leave NI out of its CLPs. By convention the
main parties do not stand against the Speaker, so Labour had no candidate in
the Speaker's seat (Buckingham 2010–2017, Chorley 2019), which still has a CLP:
per election, ``ElectionResult.lab_stood`` says whether Labour had a candidate
(631 seats each year).

How many CLPs? ``labour_history.json`` (``plp_and_constituencies.clp_count``)
gives "~640-650 CLPs (640 nominated in 2020; 2010 data covered 635
constituencies in GB)". Those figures do not match the 632 seats Great Britain
has on these boundaries (one CLP per seat); they may count other units or
come from other boundaries, and the file does not say. The seat table
supports 632 CLPs, one per contested seat.

**Sampling.** Small simulated scales use fewer CLPs than seats:
:func:`sample_seats` draws a sample stratified by region (largest-remainder
allocation, then a random choice within each region).

**Labour's seats at an election.** :func:`labour_held_codes` gives the codes of
the seats Labour won (258, 232, 262 and 202 in 2010, 2015, 2017 and 2019), so
a historical scenario can hand Labour exactly its real seats — including
Scotland's 2015 collapse, which no swing model produces.

Data caveats (full list in ``model/data/constituencies/README.md``): ``other``
adds up every minor party and independent; the Speaker's seat is won by
``spk``, not a party; the hex map's electorate (``SeatTable.electorate``) is the
2015 figure, the results carry each election's own; by-elections and
defections between elections are not in the data.
"""

from __future__ import annotations

import csv
import difflib
import functools
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from types import MappingProxyType
from typing import Any

import numpy as np

from model.data import read_json, read_text

__all__ = [
    "PARTIES",
    "DATA_FOLDER",
    "HEXJSON_FILE",
    "NATIONS",
    "NATION_BY_PREFIX",
    "RESULTS_FILE",
    "SAMPLE_TOLERANCE",
    "YEARS",
    "BorderLine",
    "ElectionResult",
    "SeatDataError",
    "SeatTable",
    "find_seat",
    "labour_held_codes",
    "largest_remainder",
    "load_seats",
    "parse_seats",
    "sample_seats",
]

PARTIES: tuple[str, ...] = ("lab", "con", "ld", "snp", "pc", "other")
"""Share columns, in order. ``other`` sums every other party and independent."""

DATA_FOLDER = "constituencies"
HEXJSON_FILE = "constituencies_2010.hexjson"
RESULTS_FILE = "ge_results_2010_2019.csv"

YEARS: tuple[int, ...] = (2010, 2015, 2017, 2019)
"""The general elections fought on these boundaries."""

NATION_BY_PREFIX: Mapping[str, str] = MappingProxyType(
    {"E": "England", "S": "Scotland", "W": "Wales", "N": "Northern Ireland"}
)
"""Nation from the first letter of the ONS code."""

NATIONS: tuple[str, ...] = ("England", "Scotland", "Wales", "Northern Ireland")

SAMPLE_TOLERANCE = "1/n"
"""How far :func:`sample_seats` may move a region's share: strictly less than 1/n."""

# Party columns of the results file, in PARTIES order.
_VOTE_COLUMNS = tuple(f"{p}_votes" for p in PARTIES)
_NAMED_PARTIES = frozenset(PARTIES[:-1])
_CSV_COLUMNS = (
    "ons_code",
    "name",
    "region",
    "region_name",
    "country",
    "election_year",
    "electorate",
    "valid_votes",
    "turnout",
    *_VOTE_COLUMNS,
    "winner",
    "lab_stood",
    "best_other_party",
    "lab_share",
    "lab_margin",
)
_HEX_FIELDS = frozenset("nqraupe")
# The results file rounds shares and margins to 6 decimals.
_ROUNDING = 2e-6


class SeatDataError(ValueError):
    """The packaged seat files are missing, malformed or disagree with each other."""


def _frozen(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array


@dataclass(frozen=True, eq=False)
class ElectionResult:
    """One general election, seat by seat (arrays aligned with the seat table).

    Attributes:
        year: election year.
        electorate: registered electorate at this election.
        valid_votes: valid votes cast.
        turnout: ``valid_votes / electorate`` (rejected ballots not counted).
        votes: (n_seats, 6) votes in ``PARTIES`` order (lab, con, ld, snp, pc, other).
        shares: (n_seats, 6) ``votes / valid_votes``, each row summing to 1.
        winner: the winner's party code as in the data (``lab``, ``con``, ``ld``,
            ``snp``, ``pc``, ``green``, ``ukip``, ``dup``, ``sf``, ``sdlp``,
            ``uup``, ``alliance``, ``spk`` the Speaker, ``oth`` independents…).
        best_other_party: the largest non-Labour party (what the margin is measured against).
        lab_margin: Labour's share minus ``best_other_party``'s (6 decimals;
            positive exactly where Labour won).
        lab_stood: Labour had a candidate.
        other_top: fraction of the ``other`` column held by its largest
            candidate. Exact where that candidate was the best non-Labour
            party; elsewhere an upper bound (it polled no more than the
            runner-up), see ``other_top_exact``. 1 where ``other`` is 0.
        other_top_exact: whether ``other_top`` is exact.
    """

    year: int
    electorate: np.ndarray
    valid_votes: np.ndarray
    turnout: np.ndarray
    votes: np.ndarray
    shares: np.ndarray
    winner: np.ndarray
    best_other_party: np.ndarray
    lab_margin: np.ndarray
    lab_stood: np.ndarray
    other_top: np.ndarray
    other_top_exact: np.ndarray

    def __repr__(self) -> str:
        return (
            f"ElectionResult({self.year}: {len(self.winner)} seats, "
            f"Labour won {int(self.labour_won.sum())})"
        )

    def share(self, party: str) -> np.ndarray:
        """(n_seats,) one party's share (a code from ``PARTIES``)."""
        if party not in PARTIES:
            raise KeyError(f"unknown party column {party!r}; columns are {PARTIES}")
        return self.shares[:, PARTIES.index(party)]

    @property
    def lab_share(self) -> np.ndarray:
        """(n_seats,) Labour's share."""
        return self.shares[:, 0]

    @property
    def con_share(self) -> np.ndarray:
        """(n_seats,) Conservative share."""
        return self.shares[:, 1]

    @property
    def ld_share(self) -> np.ndarray:
        """(n_seats,) Liberal Democrat share."""
        return self.shares[:, 2]

    @property
    def snp_share(self) -> np.ndarray:
        """(n_seats,) SNP share (0 outside Scotland)."""
        return self.shares[:, 3]

    @property
    def pc_share(self) -> np.ndarray:
        """(n_seats,) Plaid Cymru share (0 outside Wales)."""
        return self.shares[:, 4]

    @property
    def other_share(self) -> np.ndarray:
        """(n_seats,) share of everyone else together."""
        return self.shares[:, 5]

    @property
    def labour_won(self) -> np.ndarray:
        """(n_seats,) True where Labour won the seat."""
        return self.winner == "lab"

    def national_shares(self, rows: np.ndarray | None = None) -> np.ndarray:
        """(6,) vote-weighted shares over all seats (or the given rows/mask)."""
        votes = self.votes if rows is None else self.votes[rows]
        return votes.sum(axis=0) / votes.sum()


@dataclass(frozen=True)
class BorderLine:
    """One line of the hex map's ``boundaries`` block, as published.

    Attributes:
        name: e.g. ``"sc-en"`` (Scotland–England) or ``"lo-se"``; ``en`` is
            England as a whole, other tokens are region codes in lower case.
        kind: ``"country"`` or ``"region"``.
        edges: ``(q, r, e)`` triples: hex ``(q, r)`` and its edge ``e``
            (decoded in :mod:`model.analysis.seat_map`).
    """

    name: str
    kind: str
    edges: tuple[tuple[int, int, int], ...]


@dataclass(frozen=True, eq=False)
class SeatTable:
    """The seats, one row each, in the hex map's order (see the module docstring).

    Attributes:
        code: ONS constituency code (``E14000530``…).
        name: constituency name.
        region: region code (``NE NW YH EM WM EA LO SE SW WA SC NI``).
        region_name: region name (``North East``…).
        nation: ``England``, ``Scotland``, ``Wales`` or ``Northern Ireland``
            (from the code's first letter).
        nuts1: NUTS1 code (``UKC``…``UKN``).
        electorate: electorate in the hex map (the 2015 figure).
        population: population in the hex map.
        q: hex column (grows eastwards).
        r: hex row (grows northwards), odd-r layout.
        contested: in Great Britain, where Labour has CLPs and stands (False
            in Northern Ireland).
        results: the result of each year in ``YEARS``.
        borders: the hex map's border lines by name.
    """

    code: np.ndarray
    name: np.ndarray
    region: np.ndarray
    region_name: np.ndarray
    nation: np.ndarray
    nuts1: np.ndarray
    electorate: np.ndarray
    population: np.ndarray
    q: np.ndarray
    r: np.ndarray
    contested: np.ndarray
    results: Mapping[int, ElectionResult]
    borders: Mapping[str, BorderLine]

    def __len__(self) -> int:
        return int(self.code.shape[0])

    def __repr__(self) -> str:
        years = ", ".join(str(y) for y in self.results)
        return f"SeatTable({len(self)} seats, {int(self.contested.sum())} in GB; results {years})"

    @functools.cached_property
    def _row_of(self) -> dict[str, int]:
        return {c: i for i, c in enumerate(self.code.tolist())}

    def index(self, code: str) -> int:
        """Row of an ONS code.

        Raises:
            KeyError: the code is not one of the 650.
        """
        try:
            return self._row_of[code]
        except KeyError:
            raise KeyError(f"no seat with ONS code {code!r}") from None

    def indices(self, codes: Iterable[str]) -> np.ndarray:
        """Rows of several ONS codes, in the order given."""
        return np.array([self.index(c) for c in codes], dtype=np.intp)

    def result(self, year: int) -> ElectionResult:
        """The result of one general election.

        Raises:
            KeyError: no election on these boundaries that year.
        """
        try:
            return self.results[year]
        except KeyError:
            raise KeyError(
                f"no general election in {year!r} on these boundaries; years: {YEARS}"
            ) from None

    def labour_held(self, year: int) -> np.ndarray:
        """(n_seats,) True where Labour won the seat at the given election."""
        return self.result(year).labour_won

    def seat(self, code: str) -> dict[str, Any]:
        """One seat as a plain dict (for inspection): its attributes and results by year."""
        i = self.index(code)
        row: dict[str, Any] = {
            f.name: getattr(self, f.name)[i].item()
            for f in fields(self)
            if f.name not in ("results", "borders")
        }
        row["results"] = {
            year: {
                "lab_share": float(res.lab_share[i]),
                **{f"{p}_share": float(res.shares[i, k]) for k, p in enumerate(PARTIES) if k},
                "turnout": float(res.turnout[i]),
                "winner": str(res.winner[i]),
                "lab_margin": float(res.lab_margin[i]),
                "lab_stood": bool(res.lab_stood[i]),
            }
            for year, res in self.results.items()
        }
        return row


def _fail(problem: str, items: Sequence[str] = ()) -> SeatDataError:
    shown = ", ".join(list(items)[:10])
    more = f" (and {len(items) - 10} more)" if len(items) > 10 else ""
    return SeatDataError(f"{problem}{': ' + shown + more if items else ''}")


def _parse_hexes(hexjson: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    if hexjson.get("layout") != "odd-r":
        raise _fail(f"hex map layout must be 'odd-r', found {hexjson.get('layout')!r}")
    hexes = hexjson.get("hexes")
    if not isinstance(hexes, Mapping) or not hexes:
        raise _fail("hex map has no 'hexes' object")
    bad = [code for code, h in hexes.items() if set(h) != _HEX_FIELDS]
    if bad:
        raise _fail(f"hexes without exactly the fields {sorted(_HEX_FIELDS)}", bad)
    bad = [code for code in hexes if code[:1] not in NATION_BY_PREFIX]
    if bad:
        raise _fail("ONS codes with an unknown nation prefix (expected E, S, W, N)", bad)
    seen: dict[tuple[int, int], str] = {}
    clash = []
    for code, h in hexes.items():
        key = (int(h["q"]), int(h["r"]))
        if key in seen:
            clash.append(f"{seen[key]} and {code} at q={key[0]} r={key[1]}")
        seen[key] = code
    if clash:
        raise _fail("two hexes share a position", clash)
    return dict(hexes)


def _parse_borders(hexjson: Mapping[str, Any]) -> dict[str, BorderLine]:
    lines: dict[str, BorderLine] = {}
    for name, line in (hexjson.get("boundaries") or {}).items():
        try:
            edges = tuple((int(e["q"]), int(e["r"]), int(e["e"])) for e in line["edges"])
        except (KeyError, TypeError, ValueError) as exc:
            raise _fail(f"boundary {name!r} is not a list of edges {{q, r, e}} ({exc})") from exc
        lines[name] = BorderLine(name=name, kind=str(line.get("type", "")), edges=edges)
    return lines


def _parse_rows(csv_text: str) -> dict[int, dict[str, dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(csv_text))
    missing = [c for c in _CSV_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise _fail("results file lacks columns", missing)
    by_year: dict[int, dict[str, dict[str, str]]] = {}
    for row in reader:
        year = int(row["election_year"])
        if year not in YEARS:
            raise _fail(f"results file has an election in {year}; expected only {YEARS}")
        seats = by_year.setdefault(year, {})
        if row["ons_code"] in seats:
            raise _fail(f"results file lists a seat twice in {year}", [row["ons_code"]])
        seats[row["ons_code"]] = row
    absent = [str(y) for y in YEARS if y not in by_year]
    if absent:
        raise _fail("results file has no rows for the elections of", absent)
    return by_year


def _check_same_codes(codes: list[str], by_year: Mapping[int, Mapping[str, Any]]) -> None:
    wanted = set(codes)
    for year, rows in by_year.items():
        missing = sorted(wanted - set(rows))
        extra = sorted(set(rows) - wanted)
        if missing:
            raise _fail(f"{len(missing)} hex-map seats have no {year} result", missing)
        if extra:
            raise _fail(f"{len(extra)} seats in the {year} results are not on the hex map", extra)


def _result(year: int, codes: list[str], rows: Mapping[str, Mapping[str, str]]) -> ElectionResult:
    ordered = [rows[c] for c in codes]
    votes = np.array([[int(r[c]) for c in _VOTE_COLUMNS] for r in ordered], dtype=np.int64)
    valid = np.array([int(r["valid_votes"]) for r in ordered], dtype=np.int64)
    bad = [c for c, v, t in zip(codes, votes.sum(axis=1), valid, strict=True) if v != t or t <= 0]
    if bad:
        raise _fail(f"{year}: party votes do not add up to valid_votes", bad)
    shares = votes / valid[:, None]
    lab_share_csv = np.array([float(r["lab_share"]) for r in ordered])
    bad = [
        c
        for c, a, b in zip(codes, shares[:, 0], lab_share_csv, strict=True)
        if abs(a - b) > _ROUNDING
    ]
    if bad:
        raise _fail(f"{year}: lab_share disagrees with lab_votes / valid_votes", bad)
    lab_stood = np.array([r["lab_stood"] == "1" for r in ordered])
    bad = [c for c, s, v in zip(codes, lab_stood, votes[:, 0], strict=True) if s != (v > 0)]
    if bad:
        raise _fail(f"{year}: lab_stood disagrees with lab_votes", bad)
    margin = np.array([float(r["lab_margin"]) for r in ordered])
    winner = np.array([r["winner"] for r in ordered])
    bad = [c for c, w, m in zip(codes, winner, margin, strict=True) if (w == "lab") != (m > 0)]
    if bad:
        raise _fail(f"{year}: Labour's margin is not positive exactly where Labour won", bad)
    best = np.array([r["best_other_party"] for r in ordered])
    # The largest "other" candidate: exact when it was Labour's best rival
    # (its share is Labour's share minus the margin); otherwise it polled no
    # more than that rival, so the rival's share (capped by the column) bounds it.
    rival = shares[:, 0] - margin
    other = shares[:, 5]
    exact = ~np.isin(best, list(_NAMED_PARTIES))
    top_share = np.where(exact, rival, np.minimum(rival, other))
    top = np.divide(top_share, other, out=np.ones_like(other), where=other > 0)
    top = np.clip(top, 0.0, 1.0)
    electorate = np.array([int(r["electorate"]) for r in ordered], dtype=np.int64)
    return ElectionResult(
        year=year,
        electorate=_frozen(electorate),
        valid_votes=_frozen(valid),
        turnout=_frozen(valid / electorate),
        votes=_frozen(votes),
        shares=_frozen(shares),
        winner=_frozen(winner),
        best_other_party=_frozen(best),
        lab_margin=_frozen(margin),
        lab_stood=_frozen(lab_stood),
        other_top=_frozen(top),
        other_top_exact=_frozen(exact),
    )


def parse_seats(hexjson: Mapping[str, Any], results_csv: str) -> SeatTable:
    """Build the seat table from the hex map and the results file, checking they agree.

    Args:
        hexjson: the parsed HexJSON (``layout``, ``hexes``, optional ``boundaries``).
        results_csv: the text of the results CSV (columns as in the data README).

    Returns:
        The seat table, rows in the hex map's order.

    Raises:
        SeatDataError: a malformed file, or the two disagreeing (codes not one
            to one, names, regions or nations that differ, votes that do not
            add up); the message names the seats.
    """
    hexes = _parse_hexes(hexjson)
    codes = list(hexes)
    by_year = _parse_rows(results_csv)
    _check_same_codes(codes, by_year)

    first = by_year[YEARS[0]]
    for field, key in (("name", "n"), ("region", "a")):
        bad = [c for c in codes if first[c][field] != hexes[c][key]]
        if bad:
            raise _fail(f"hex map and results disagree on the {field} of", bad)
    nation = [NATION_BY_PREFIX[c[0]] for c in codes]
    for year, rows in by_year.items():
        bad = [c for c, n in zip(codes, nation, strict=True) if rows[c]["country"] != n]
        if bad:
            raise _fail(f"{year}: country disagrees with the ONS code's nation", bad)
    region_names: dict[str, str] = {}
    for c in codes:
        region_names.setdefault(first[c]["region"], first[c]["region_name"])
    bad = [c for c in codes if region_names[first[c]["region"]] != first[c]["region_name"]]
    if bad:
        raise _fail("one region code has two names", bad)

    def column(key: str, dtype: Any) -> np.ndarray:
        return _frozen(np.array([hexes[c][key] for c in codes], dtype=dtype))

    nation_arr = np.array(nation)
    return SeatTable(
        code=_frozen(np.array(codes)),
        name=column("n", str),
        region=column("a", str),
        region_name=_frozen(np.array([region_names[hexes[c]["a"]] for c in codes])),
        nation=_frozen(nation_arr),
        nuts1=column("u", str),
        electorate=column("e", np.int64),
        population=column("p", np.int64),
        q=column("q", np.int64),
        r=column("r", np.int64),
        contested=_frozen(nation_arr != "Northern Ireland"),
        results=MappingProxyType({y: _result(y, codes, by_year[y]) for y in YEARS}),
        borders=MappingProxyType(_parse_borders(hexjson)),
    )


@functools.cache
def load_seats() -> SeatTable:
    """The packaged seat table (parsed and checked once per process, then cached).

    Returns:
        The 650 seats with their 2010–2019 results.

    Raises:
        SeatDataError: the packaged files disagree (see :func:`parse_seats`).
        FileNotFoundError: the package was installed without its data.
    """
    return parse_seats(
        read_json(DATA_FOLDER, HEXJSON_FILE),
        read_text(DATA_FOLDER, RESULTS_FILE),
    )


def labour_held_codes(year: int, seats: SeatTable | None = None) -> tuple[str, ...]:
    """ONS codes of the seats Labour won at a general election, in table order.

    Args:
        year: 2010, 2015, 2017 or 2019.
        seats: the seat table (default: :func:`load_seats`).

    Returns:
        The codes (258, 232, 262, 202 of them for the four years).
    """
    table = load_seats() if seats is None else seats
    return tuple(table.code[table.labour_held(year)].tolist())


def largest_remainder(n: int, counts: Sequence[int]) -> np.ndarray:
    """Split ``n`` places among groups in proportion to their sizes (Hamilton's method).

    Each group gets the whole part of its quota ``n · countᵍ / Σcount``; the
    places left go one each to the largest fractional parts (an equal
    fraction goes to the group listed first). So every group's allocation is
    its quota rounded down or up: ``|allocation − quota| < 1``.

    Args:
        n: places to share, 0 ≤ n ≤ Σcount.
        counts: group sizes (≥ 0).

    Returns:
        Places per group (each ≤ its size; they add up to ``n``).
    """
    sizes = np.asarray(counts, dtype=np.int64)
    total = int(sizes.sum())
    if np.any(sizes < 0) or not 0 <= n <= total:
        raise ValueError(f"need 0 <= n <= {total} and sizes >= 0; got n={n}")
    if total == 0:
        return np.zeros_like(sizes)
    # Integer arithmetic keeps the remainders exact (no float ties broken by rounding).
    whole, remainder = np.divmod(n * sizes, total)
    left = n - int(whole.sum())
    order = np.argsort(-remainder, kind="stable")
    whole[order[:left]] += 1
    return whole


def sample_seats(
    n: int,
    rng: np.random.Generator,
    *,
    seats: SeatTable | None = None,
    within: np.ndarray | None = None,
) -> np.ndarray:
    """A sample of seats stratified by region, for small simulated scales.

    Regions get places by :func:`largest_remainder` on their number of seats
    (in the order regions first appear in the table), then each region's
    seats are drawn at random without replacement. Each region's share of the
    sample is therefore within ``1/n`` of its share of the pool (strictly:
    ``|kᵍ/n − pᵍ| < 1/n``, :data:`SAMPLE_TOLERANCE`). The same generator state
    gives the same sample.

    Args:
        n: number of seats to sample.
        rng: the numpy Generator to draw from (not used when ``n`` is the
            whole pool, so it is left untouched then).
        seats: the seat table (default: :func:`load_seats`).
        within: optional boolean mask of the pool to sample from, e.g.
            ``seats.contested`` for Great Britain only (default: all seats).

    Returns:
        Row indices into the seat table, in table order. With ``n`` equal to
        the pool size (650 for all seats) every seat of the pool, in table order.

    Raises:
        ValueError: ``n`` is negative or larger than the pool.
    """
    table = load_seats() if seats is None else seats
    pool = np.ones(len(table), dtype=bool) if within is None else np.asarray(within, dtype=bool)
    if pool.shape != (len(table),):
        raise ValueError(f"within must be a boolean mask over the {len(table)} seats")
    size = int(pool.sum())
    if not 0 <= n <= size:
        raise ValueError(f"cannot sample {n} seats from a pool of {size}")
    if n == size:
        return np.flatnonzero(pool)
    regions = table.region[pool]
    rows = np.flatnonzero(pool)
    order = list(dict.fromkeys(regions.tolist()))  # first appearance, a fixed order
    groups = [rows[regions == g] for g in order]
    places = largest_remainder(n, [len(g) for g in groups])
    chosen = [
        rng.choice(g, size=k, replace=False) for g, k in zip(groups, places, strict=True) if k
    ]
    return np.sort(np.concatenate(chosen)) if chosen else np.empty(0, dtype=np.intp)


def _simple(name: str) -> str:
    """A seat name folded for matching: lower case, "&" as "and", no punctuation."""
    text = name.lower().replace("&", " and ")
    return " ".join(re.sub(r"[^\w\s]", " ", text).split())


def find_seat(text: str, *, where: str = "seat", seats: SeatTable | None = None) -> int:
    """The row of a seat in Great Britain given by ONS code or name.

    Names match without regard to case, "&" or "and", and punctuation
    ("Holborn & St. Pancras" finds "Holborn and St Pancras").

    Args:
        text: an ONS code (``E14000764``) or a seat name (``Islington North``).
        where: what is being looked up, for the error message.
        seats: the seat table (default: :func:`load_seats`).

    Returns:
        The seat's row in the table.

    Raises:
        ValueError: no such seat, or a seat in Northern Ireland (no CLP there); the
            message suggests close names.
    """
    table = load_seats() if seats is None else seats
    wanted = str(text).strip()
    try:
        row = table.index(wanted.upper())
    except KeyError:
        folded = _simple(wanted)
        rows = [i for i, n in enumerate(table.name.tolist()) if _simple(n) == folded]
        if not rows:
            names = table.name[table.contested].tolist()
            close = difflib.get_close_matches(wanted, names, n=3, cutoff=0.6)
            hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
            raise ValueError(f"{where}: no seat in Great Britain called {text!r}{hint}") from None
        row = rows[0]
    if not table.contested[row]:
        raise ValueError(
            f"{where}: {table.name[row]} is in Northern Ireland, where Labour has no CLP"
        )
    return int(row)
