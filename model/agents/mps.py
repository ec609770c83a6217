"""Members of Parliament: few, so plain Mesa agents, named by their seats.

An MP without a name of their own is called after the seat
(:func:`seat_mp_name`): "MP for Liverpool, Wavertree", and "MP for Liverpool,
Wavertree (2)" for the second MP the run sees there (a successor after a
retirement, a deselection or a seat won back). Named people (the leader,
historical candidates) keep their own names; `MP.seat` gives their seat.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa

if TYPE_CHECKING:
    from model.party import PartyModel


MP_PREFIX = "MP for "
"""Names that start with this are seat names, not people's (contests rename them)."""


def seat_mp_name(seat: str, nth: int = 1) -> str:
    """The name of an MP known only by their seat.

    Args:
        seat: the seat's name.
        nth: which MP of the seat in this run (1 for the first).

    Returns:
        "MP for SEAT", with " (nth)" from the second MP on.
    """
    return f"{MP_PREFIX}{seat}" if nth <= 1 else f"{MP_PREFIX}{seat} ({nth})"


class MP(mesa.Agent):
    """A sitting (or former) Labour MP.

    Attributes:
        name: display name.
        ideology: left (-1) .. right (+1); sticky.
        clp: the CLP whose seat the MP holds.
        faction: faction index, or -1.
        ambition: may stand for leader.
        valence: appeal beyond ideology.
        responsiveness: how far the MP moves under a deselection threat.
        loyalty: closeness to the leader in [0, 1].
        sitting: still an MP.
    """

    def __init__(
        self,
        model: PartyModel,
        *,
        name: str,
        ideology: float,
        clp: int,
        faction: int = -1,
        ambition: bool = False,
        valence: float = 0.0,
        responsiveness: float = 0.0,
    ):
        """Create an MP.

        Args:
            model: the party model.
            name: display name.
            ideology: position on the left-right axis.
            clp: the seat's CLP.
            faction: faction index (-1 none).
            ambition: may stand for leader.
            valence: appeal beyond ideology.
            responsiveness: share of the gap to its CLP closed under threat.
        """
        super().__init__(model)
        self.name = name
        self.ideology = float(ideology)
        self.clp = int(clp)
        self.faction = int(faction)
        self.ambition = bool(ambition)
        self.valence = float(valence)
        self.responsiveness = float(responsiveness)
        self.sitting = True

    @property
    def seat(self) -> str:
        """The name of the seat the MP holds (or held)."""
        return self.model.clps.label(self.clp)

    @property
    def loyalty(self) -> float:
        """Closeness to the current leader, 1 at the leader's position."""
        return max(0.0, 1.0 - abs(self.ideology - self.model.leader.ideology) / 2.0)
