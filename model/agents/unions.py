"""Affiliated unions and socialist societies: plain Mesa agents."""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa

if TYPE_CHECKING:
    from model.party import PartyModel


class Union(mesa.Agent):
    """An affiliate.

    Attributes:
        index: position in the model's list of unions (the `union` column of
            the member table refers to it).
        name: the affiliate's name.
        levy_payers: affiliated levy payers in this run (scaled).
        leadership_ideology: the leadership's position; directs block votes
            and nominations.
        ballot_turnout: turnout of its levy payers in party ballots.
        gs_cycle_months: months between general-secretary elections.
        is_union: a trade union (False: a socialist society).
    """

    def __init__(
        self,
        model: PartyModel,
        *,
        index: int,
        name: str,
        levy_payers: int,
        leadership_ideology: float,
        ballot_turnout: float,
        gs_cycle_months: int,
        is_union: bool,
    ):
        """Create an affiliate (see the class attributes)."""
        super().__init__(model)
        self.index = index
        self.name = name
        self.levy_payers = int(levy_payers)
        self.leadership_ideology = float(leadership_ideology)
        self.ballot_turnout = float(ballot_turnout)
        self.gs_cycle_months = int(gs_cycle_months)
        self.is_union = bool(is_union)

    @property
    def affiliates_vote_share(self) -> float:
        """Share of the affiliates' conference vote (by levy payers)."""
        total = sum(u.levy_payers for u in self.model.unions)
        return self.levy_payers / total if total else 0.0
