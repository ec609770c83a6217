"""Constituency parties (CLPs): their table of arrays and the Mesa agent view.

CLPs are few (632) but the member processes need their state as arrays
(control per CLP, the branch layout), so the state lives in `ClpTable` and
each `CLP` agent reads and writes its own row.

Every CLP is a real Westminster seat in Great Britain (2010–2019 boundaries,
`model.data.seats`): row `i` of the table is seat `seat[i]` of the seat
table, with its ONS code, name and region copied here for readers. Northern
Ireland's 18 seats have no CLP: Labour organises there only as one regional
party and stands no parliamentary candidates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import mesa
import numpy as np

if TYPE_CHECKING:
    from model.party import PartyModel

UNALIGNED = -1


def _empty(dtype: type | str) -> np.ndarray:
    return np.zeros(0, dtype=dtype)


@dataclass
class ClpTable:
    """State of every CLP, one row per CLP.

    Attributes:
        control: controlling faction of the executive (-1 unaligned).
        agm_month: calendar month (1..12) of the CLP's annual general meeting.
        branch_start: id of the CLP's first branch (branches are numbered
            across all CLPs, so a CLP's branches are a contiguous range).
        n_branches: branches (wards) in the CLP.
        affiliated_branches: (n_clps, n_unions) affiliated branches by affiliate.
        seat_held: the party holds the seat.
        lean: the CLP's local ideological lean (members' offset).
        places: (n_clps, n_factions + 1) executive places held by each
            faction (last column: unaligned), set at the first meetings.
        seat: the CLP's row in the seat table (`model.data.seats.load_seats()`).
        code, name, region: the seat's ONS code, name and region code.
        real_members: full members the CLP stands for at full size at the start
            (its share of the party by place times the party's real membership);
            the size a meeting of this CLP has in the real party.
        member_weight: the CLP's expected share of the simulated party's members
            (sums to 1 over the CLPs simulated; where joiners go).
        union_density: the CLP's union density relative to the party's
            average (1 = average), from its region.
        lab_share: Labour's share of the vote at the last election (real or swung).
        lab_margin: Labour's margin over its strongest rival then (positive
            where Labour won).
        last_election: what `lab_share` and `lab_margin` come from, e.g.
            "2015 (real)" or "2021-10 (uniform swing)".
        represents: real members each simulated member stands for (the
            party's real membership over its simulated one at the start);
            `real_size` turns a count of simulated members into a real one.
    """

    control: np.ndarray
    agm_month: np.ndarray
    branch_start: np.ndarray
    n_branches: np.ndarray
    affiliated_branches: np.ndarray
    seat_held: np.ndarray
    lean: np.ndarray
    places: np.ndarray | None = None
    seat: np.ndarray = field(default_factory=lambda: _empty(np.intp))
    code: np.ndarray = field(default_factory=lambda: _empty(str))
    name: np.ndarray = field(default_factory=lambda: _empty(str))
    region: np.ndarray = field(default_factory=lambda: _empty(str))
    real_members: np.ndarray = field(default_factory=lambda: _empty(float))
    member_weight: np.ndarray = field(default_factory=lambda: _empty(float))
    union_density: np.ndarray = field(default_factory=lambda: _empty(float))
    lab_share: np.ndarray = field(default_factory=lambda: _empty(float))
    lab_margin: np.ndarray = field(default_factory=lambda: _empty(float))
    last_election: str = ""
    represents: float = 1.0

    def __len__(self) -> int:
        return len(self.control)

    @property
    def n_total_branches(self) -> int:
        """Branches across all CLPs."""
        return int(self.n_branches.sum())

    def branches_of(self, clp: int) -> np.ndarray:
        """Branch ids of one CLP."""
        start = self.branch_start[clp]
        return np.arange(start, start + self.n_branches[clp])

    def label(self, clp: int) -> str:
        """The CLP's seat name (or "CLP 042" for a table without seats)."""
        return str(self.name[clp]) if len(self.name) else f"CLP {int(clp):03d}"

    def labels(self, clps: np.ndarray | list[int]) -> list[str]:
        """Seat names of several CLPs, in the order given."""
        return [self.label(int(c)) for c in clps]

    def index_of(self, code_or_name: str) -> int:
        """The row of a CLP given by ONS code or seat name (exact).

        Raises:
            KeyError: no CLP simulated for that seat.
        """
        for column in (self.code, self.name):
            hits = np.flatnonzero(column == code_or_name)
            if hits.size:
                return int(hits[0])
        raise KeyError(f"no CLP simulated for {code_or_name!r}")

    def real_size(self, simulated_members: np.ndarray | float) -> np.ndarray:
        """Real members that counts of simulated members stand for (`represents` each)."""
        return np.asarray(simulated_members, dtype=float) * self.represents


class CLP(mesa.Agent):
    """A constituency party, as a Mesa agent over its row of the CLP table."""

    def __init__(self, model: PartyModel, index: int):
        """Create the view.

        Args:
            model: the party model.
            index: the CLP's row in the CLP table.
        """
        super().__init__(model)
        self.index = index
        self.name = model.clps.label(index)

    @property
    def code(self) -> str:
        """The seat's ONS code."""
        return str(self.model.clps.code[self.index])

    @property
    def region(self) -> str:
        """The seat's region code (NE, NW, YH, EM, WM, EA, LO, SE, SW, WA, SC)."""
        return str(self.model.clps.region[self.index])

    @property
    def real_members(self) -> float:
        """Full members the CLP stands for at full size at the start."""
        return float(self.model.clps.real_members[self.index])

    @property
    def control(self) -> int:
        """Controlling faction index (-1 unaligned)."""
        return int(self.model.clps.control[self.index])

    @property
    def controlled_by(self) -> str:
        """Name of the controlling faction, or "unaligned"."""
        return self.model.faction_name(self.control)

    @property
    def agm_month(self) -> int:
        """Calendar month of the AGM."""
        return int(self.model.clps.agm_month[self.index])

    @property
    def branches(self) -> np.ndarray:
        """Branch ids."""
        return self.model.clps.branches_of(self.index)

    @property
    def seat_held(self) -> bool:
        """Whether the party holds the seat."""
        return bool(self.model.clps.seat_held[self.index])

    @property
    def members(self) -> int:
        """Active full members in the CLP."""
        m = self.model.members
        return int(np.count_nonzero(m.full_members() & (m.clp == self.index)))
