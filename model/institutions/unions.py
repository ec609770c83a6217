"""The unions' own politics: their members elect general secretaries."""

from __future__ import annotations

from typing import Any

import numpy as np

from model.institutions.base import Institution, Stage
from model.mechanisms import contests, union_politics
from model.records.events import UnionGsElection
from model.state import PartyState


class _UnionCycle:
    """Holds one union's recurring general-secretary election for Mesa's scheduler.

    Mesa keeps scheduled callbacks only weakly, so each union's callback is
    a bound method of an object the institution keeps.
    """

    def __init__(self, unions: UnionPolitics, index: int):
        self.unions = unions
        self.index = index

    def run(self) -> None:
        self.unions.general_secretary_election(self.index)


class UnionPolitics(Institution):
    """General-secretary elections, each union on its own staggered cycle."""

    name = "unions"
    RANK = 60

    def __init__(self, state: PartyState):
        """Attach to the state."""
        super().__init__(state)
        self._cycles: list[_UnionCycle] = []

    def stages(self) -> list[Stage]:
        """General-secretary elections (events)."""
        return [
            Stage(
                self.RANK,
                "union_elections",
                None,
                "each union every `gs_cycle_months`, staggered",
                "unions' general-secretary elections",
                decided_by="ballot",
            )
        ]

    def schedule(self) -> None:
        """Each union's elections recur on its own cycle; the first ones are staggered."""
        s = self.state
        if not (s.config.union_politics.enabled and s.unions):
            return
        offsets = union_politics.staggered_schedule(
            len(s.unions), [u.gs_cycle_months for u in s.unions], s.streams["unions"]
        )
        for union, offset in zip(s.unions, offsets, strict=True):
            cycle = _UnionCycle(self, union.index)
            self._cycles.append(cycle)
            # Unions due in the same month elect in the order of their index.
            s.schedule_every(
                cycle.run,
                interval=union.gs_cycle_months,
                start=offset + 1,
                rank=self.RANK,
                sub=union.index,
            )

    def general_secretary_election(self, union_index: int) -> None:
        """A union's own members elect its general secretary (a ballot)."""
        with self.state.timed("union_elections"):
            union = self.state.unions[union_index]
            spec = self.state.config.unions[union_index]
            members = spec.members_ideology or self.state.config.contests.levy_payer_ideology
            p = self.state.config.union_politics
            result = union_politics.general_secretary_election(
                union.leadership_ideology,
                members.mean,
                members.sd,
                candidates=p.candidates,
                continuity_sd=p.continuity_sd,
                incumbent_advantage=p.incumbent_advantage,
                noise_sd=p.noise_sd,
                voter_noise_sd=p.voter_noise_sd,
                voters=p.voters,
                rng=self.state.streams["unions"],
            )
            union.leadership_ideology = float(result.winner)
            self.state.events.record(
                UnionGsElection,
                self.state.now,
                decided_by="ballot",
                union=union.name,
                **result.to_dict(),
            )

    def nominations(self, field: list[contests.Candidate]) -> np.ndarray:
        """Each affiliate's nominee in a leadership contest (index into `field`, -1 none)."""
        s = self.state
        return contests.affiliate_nominations(
            np.array([u.leadership_ideology for u in s.unions]),
            field,
            radius=s.config.contests.union_nomination_radius,
        )

    def measure(self, row: dict[str, Any]) -> None:
        """The union leaderships' mean position (weighted by levy payers) and how many lean left."""
        s = self.state
        payers = np.array([u.levy_payers for u in s.unions], dtype=float)
        leaderships = np.array([u.leadership_ideology for u in s.unions])
        row["union_leadership_mean"] = (
            float(np.average(leaderships, weights=payers)) if payers.sum() else float("nan")
        )
        row["unions_left_led"] = int(np.count_nonzero(leaderships < 0))
