"""Constituency parties (CLPs): their table of arrays and the Mesa agent view.

CLPs are few (650) but the member processes need their state as arrays
(control per CLP, the branch layout), so the state lives in `ClpTable` and
each `CLP` agent reads and writes its own row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import mesa
import numpy as np

if TYPE_CHECKING:
    from model.party import PartyModel

UNALIGNED = -1


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
    """

    control: np.ndarray
    agm_month: np.ndarray
    branch_start: np.ndarray
    n_branches: np.ndarray
    affiliated_branches: np.ndarray
    seat_held: np.ndarray
    lean: np.ndarray
    places: np.ndarray | None = None

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
        self.name = f"CLP {index:03d}"

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
