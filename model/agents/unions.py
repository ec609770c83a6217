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
        decided_by: how it decides nominations and card votes ("executive",
            "committee", "consultation", "ballot" or "conference").
        nominates: False if it never nominates in party contests.
        general_secretary: who leads it now ("" if the scenario does not say).
        levy_payers_mean: where its levy payers stand (the mean of their ideology).
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
        decided_by: str = "executive",
        nominates: bool = True,
        general_secretary: str = "",
        levy_payers_mean: float = 0.0,
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
        self.decided_by = decided_by
        self.nominates = bool(nominates)
        self.general_secretary = general_secretary
        self.levy_payers_mean = float(levy_payers_mean)

    @property
    def affiliated(self) -> bool:
        """It affiliates levy payers now (a disaffiliated union has none)."""
        return self.levy_payers > 0

    @property
    def affiliates_vote_share(self) -> float:
        """Share of the affiliates' conference vote (by levy payers)."""
        total = sum(u.levy_payers for u in self.model.unions)
        return self.levy_payers / total if total else 0.0
