"""The membership, month by month: members influence each other, join and lapse."""

from __future__ import annotations

from typing import Any

import numpy as np

from model.agents import population
from model.agents.members import FULL_MEMBER, NO_UNION, REGISTERED_SUPPORTER
from model.institutions.base import Institution, Stage
from model.mechanisms import dynamics
from model.state import PartyState


class Membership(Institution):
    """Influence within CLPs, joining and lapsing (the step's first two stages)."""

    name = "membership"

    def __init__(self, state: PartyState):
        """Attach to the state; joiners pick CLPs by their size at the start."""
        super().__init__(state)
        self.joined_this_month = 0
        self.lapsed_this_month = 0
        self.clp_weight = np.bincount(state.members.clp, minlength=len(state.clps)) + 1.0

    def stages(self) -> list[Stage]:
        """Influence, then joining and lapsing, every month."""
        return [
            Stage(
                10,
                "influence",
                self.influence,
                "every month",
                "influence (bounded confidence in CLPs, faction pull, leader cue)",
            ),
            Stage(
                20,
                "joining_lapsing",
                self.flows,
                "every month",
                "joining and lapsing",
            ),
        ]

    def influence(self) -> None:
        """Members update their ideology (dynamics.influence)."""
        s = self.state
        m = s.members
        dynamics.influence(
            m.ideology,
            m.clp,
            m.faction,
            m.trusts_leader,
            m.active,
            faction_lines=s.faction_lines,
            leader_ideology=s.leader.ideology,
            params=s.config.influence,
            rng=s.streams["influence"],
            out=m.ideology,
        )

    def join_context(self) -> dynamics.JoinContext:
        """What shapes joining this month: the leader, and an open contest's surge."""
        s = self.state
        return dynamics.JoinContext(
            leader_ideology=s.leader.ideology,
            contest_open=s.contest is not None,
            contest_pull=None if s.contest is None else s.contest.pull,
            scale=s.config.party.scale,
        )

    def flows(self) -> None:
        """Some members lapse; sympathisers join."""
        s = self.state
        rng = s.streams["flows"]
        flows = s.config.flows
        m = s.members
        leaving = dynamics.lapsers(
            m.ideology, np.flatnonzero(m.full_members()), s.leader.ideology, flows, rng
        )
        m.lapse(leaving, s.time)
        self.lapsed_this_month = leaving.size

        context = self.join_context()
        count = int(rng.poisson(dynamics.expected_joiners(flows, context)))
        self.joined_this_month = count
        if count:
            self.add_members(count, context, rng)

    def add_members(
        self, count: int, context: dynamics.JoinContext, rng: np.random.Generator
    ) -> np.ndarray:
        """Append `count` new full members drawn for this month's context."""
        s = self.state
        spec = s.config.members
        attractor = context.leader_ideology
        if context.contest_open and context.contest_pull is not None:
            attractor = context.contest_pull
        clp = self.random_clps(count, rng)
        union = np.full(count, NO_UNION, dtype=np.int16)
        payers = rng.random(count) < spec.levy_payer_share
        if payers.any():
            weights = np.array([max(u.levy_payers, 1) for u in s.unions], dtype=float)
            union[payers] = rng.choice(
                len(weights), size=int(payers.sum()), p=weights / weights.sum()
            )
        return s.members.append(
            ideology=dynamics.joiner_ideologies(
                count, s.config.flows.pool, attractor, s.config.flows.attraction_width, rng
            ),
            activism=population.draw_beta(spec.activism, count, rng),
            turnout=population.draw_beta(spec.turnout, count, rng),
            clp=clp,
            branch=s.clps.branch_start[clp] + rng.integers(0, s.clps.n_branches[clp]),
            kind=np.full(count, FULL_MEMBER, dtype=np.int8),
            union=union,
            trusts_leader=rng.random(count) < spec.trusts_leader,
            joined=np.full(count, s.time, dtype=np.int32),
        )

    def random_clps(self, count: int, rng: np.random.Generator) -> np.ndarray:
        """CLPs for newcomers, in proportion to the CLPs' sizes at the start."""
        return rng.choice(
            len(self.state.clps), size=count, p=self.clp_weight / self.clp_weight.sum()
        )

    def measure(self, row: dict[str, Any]) -> None:
        """Members by type, joiners and lapsers, and the members' ideology."""
        m = self.state.members
        active = m.active
        # Gather by ids (a boolean-mask gather over every row, lapsed ones
        # included, is several times slower) and count kinds without a gather.
        full = m.full_member_ids()
        x = m.ideology[full]
        n_active = int(np.count_nonzero(active))
        n_registered = int(np.count_nonzero(active & (m.kind == REGISTERED_SUPPORTER)))
        row["members_full"] = int(full.size)
        row["registered_supporters"] = n_registered
        row["affiliated_supporters"] = n_active - int(full.size) - n_registered
        row["members_total"] = n_active
        row["joined"] = int(self.joined_this_month)
        row["lapsed"] = int(self.lapsed_this_month)
        mean = float(np.mean(x)) if x.size else float("nan")
        sd = float(np.std(x)) if x.size else float("nan")
        # Last use of x: the median may reorder it in place.
        row["ideology_mean"] = mean
        row["ideology_median"] = float(np.median(x, overwrite_input=True)) if x.size else mean
        row["ideology_sd"] = sd
