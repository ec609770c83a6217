"""The membership, month by month: members influence each other, join and lapse.

Joining comes from finite pools of sympathisers outside the party, drawn in
by the moment (the leader, an open contest, a campaign, dated shocks;
`model.mechanisms.sympathisers`); lapsing is churn that is highest in a
member's first years, dissatisfaction with the leader, and dated shocks
(`model.mechanisms.dynamics`). Lapsed members return, in part, to the pool.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from model.agents import population
from model.agents.members import FULL_MEMBER, NO_UNION, REGISTERED_SUPPORTER
from model.calendar import Month
from model.institutions.base import Institution, Stage
from model.mechanisms import dynamics, sympathisers
from model.scenario.schema import ShockSpec
from model.state import PartyState


class Membership(Institution):
    """Influence within CLPs, joining and lapsing (the step's first two stages).

    Attributes:
        stock: sympathisers outside the party per pool segment (full scale).
        joined_this_month, lapsed_this_month: simulated members.
        supporters_ended: (month, registered, affiliated): supporters whose
            rights ended with a ballot that month without joining as full
            members (set by the electorate), so the month's series still
            counts them although they are gone by the time it is measured.
    """

    name = "membership"

    def __init__(self, state: PartyState):
        """Attach to the state; joiners pick CLPs by their size at the start."""
        super().__init__(state)
        flows = state.config.flows
        self.joined_this_month = 0
        self.lapsed_this_month = 0
        self.supporters_ended = (-1, 0, 0)
        self.clp_weight = np.bincount(state.members.clp, minlength=len(state.clps)) + 1.0
        self.segment_means = np.array([seg.mean for seg in flows.pool])
        self.segment_sds = np.array([seg.sd for seg in flows.pool])
        self.stock = np.array([seg.size for seg in flows.pool], dtype=float)
        # Mean propensity to join of those still outside, per segment (1: fresh).
        self.propensity = np.array([seg.propensity for seg in flows.pool], dtype=float)
        # Segments that grow (or shrink) to their size by a date: the left
        # outside the party was not the same in 2010 as in 2015.
        self.growth = np.zeros(self.stock.size)
        self.growth_until = np.zeros(self.stock.size, dtype=int)
        for i, seg in enumerate(flows.pool):
            if seg.starts_at is None or seg.reaches_by is None:
                continue
            months = state.time_of(Month.parse(seg.reaches_by))
            if months > 0:
                self.stock[i] = seg.starts_at
                self.growth[i] = (seg.size - seg.starts_at) / months
                self.growth_until[i] = months
        self.shocks = [(state.time_of(Month.parse(shock.month)), shock) for shock in flows.shocks]

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
                "joining (from pools of sympathisers, by the moment) and lapsing",
            ),
        ]

    def influence(self) -> None:
        """Members update their ideology (dynamics.influence)."""
        s = self.state
        m = s.members
        ideology = m.ideology_for_update()
        dynamics.influence(
            ideology,
            m.clp,
            m.faction,
            m.trusts_leader,
            m.active,
            faction_lines=s.faction_lines,
            leader_ideology=s.leader.ideology,
            params=s.config.influence,
            rng=s.streams["influence"],
            out=ideology,
            active_ids=m.active_ids(),
        )

    # --- the moment -----------------------------------------------------------------

    def shocks_now(self) -> list[ShockSpec]:
        """The scenario's dated shocks in force this month."""
        now = self.state.time
        return [shock for start, shock in self.shocks if start <= now < start + shock.months]

    def moment(self) -> sympathisers.JoiningMoment:
        """What draws sympathisers in this month (see mechanisms.sympathisers)."""
        s = self.state
        flows = s.config.flows
        shock = float(np.prod([sh.joining for sh in self.shocks_now()])) if self.shocks else 1.0
        campaign = any(
            0 <= at - s.time <= s.config.elections.campaign_months for at in s.election_times
        )
        contest = s.contest
        if contest is None:
            return sympathisers.JoiningMoment(
                leader=s.leader.ideology,
                leader_months=s.time - s.leader_since,
                campaign=campaign,
                shock_multiplier=shock,
            )
        rules = contest.rules.leadership
        params = s.config.contests
        members_can_vote = rules.joining_now_gives_a_vote(contest.opened, s.time)
        supporters_share = 0.0
        if rules.registered_supporters:
            supporters_share = sympathisers.supporter_route_share(
                float(rules.registered_supporter_fee_gbp or 0.0),
                params.membership_cost_gbp,
                params.fee_elasticity,
            )
        return sympathisers.JoiningMoment(
            leader=s.leader.ideology,
            leader_months=s.time - s.leader_since,
            contest_candidates=tuple(c.ideology for c in contest.on_ballot),
            contest_valences=tuple(c.valence for c in contest.on_ballot),
            contest_standing=self.contest_standing(contest) if flows.viability > 0 else (),
            electability_weight=s.electability_weight(),
            surge_joins=sympathisers.surge_joining_share(
                members_can_vote,
                rules.registered_supporters,
                supporters_share,
                flows.voteless_share,
            ),
            campaign=campaign,
            shock_multiplier=shock,
        )

    def joining_rates(self, moment: sympathisers.JoiningMoment) -> np.ndarray:
        """Each segment's joining hazard at `moment`, with the scenario's flows."""
        flows = self.state.config.flows
        return sympathisers.joining_rates(
            self.segment_means,
            moment,
            join_rate=flows.join_rate,
            width=flows.attraction_width,
            contest_surge=flows.contest_surge,
            election_surge=flows.election_surge,
            settled_share=flows.settled_share,
            novelty_months=flows.novelty_months,
            viability=flows.viability,
        )

    def contest_standing(self, contest: Any) -> tuple[float, ...]:
        """The candidates' standing among the full members now (a poll of the electorate)."""
        m = self.state.members
        ids = m.full_member_ids()
        return sympathisers.contest_standing(
            m.ideology[ids],
            [c.ideology for c in contest.on_ballot],
            valences=[c.valence for c in contest.on_ballot],
            electability_weight=self.state.electability_weight(),
            noise_sd=self.state.config.contests.utility_noise,
        )

    # --- flows -------------------------------------------------------------------------

    def flows(self) -> None:
        """Some members lapse (and some return to the pool); sympathisers join."""
        s = self.state
        rng = s.streams["flows"]
        flows = s.config.flows
        m = s.members
        lapse_shock = None
        for shock in self.shocks_now():
            if shock.lapse > 0:
                lapse_shock = (shock.lapse, shock.centre, shock.width)
        attached = flows.tracks_drawn
        leaving = dynamics.lapsers(
            m.ideology,
            m.joined,
            m.full_member_ids(),
            s.time,
            s.leader.ideology,
            flows,
            rng,
            shock=lapse_shock,
            drawn=m.drawn if attached else None,
            backed_loser=m.backed_loser if flows.losers_lapse > 0 else None,
        )
        m.lapse(leaving, s.time)
        self.lapsed_this_month = leaving.size
        self.return_to_pool(m.ideology[leaving])
        growing = s.time <= self.growth_until
        if growing.any():
            added = np.where(growing, self.growth, 0.0)
            if flows.propensity_spread > 0:
                self.propensity = sympathisers.mix_propensity(self.propensity, self.stock, added)
            self.stock = np.maximum(self.stock + added, 0.0)

        moment = self.moment()
        rates = self.joining_rates(moment)
        willing = rates
        if flows.propensity_spread > 0:
            willing = rates * self.propensity
            self.propensity = sympathisers.deplete_propensity(
                self.propensity, rates, flows.propensity_spread
            )
        counts = sympathisers.draw_joiners(self.stock, willing, s.config.party.scale, rng)
        self.joined_this_month = int(counts.sum())
        if self.joined_this_month:
            self.take_from_pool(counts)
            ideology, segment = sympathisers.segment_ideologies(
                counts, self.segment_means, self.segment_sds, rng
            )
            added = self.add_members(ideology, rng)
            if attached:
                share = sympathisers.drawn_shares(
                    self.segment_means,
                    moment,
                    rates,
                    join_rate=flows.join_rate,
                    width=flows.attraction_width,
                    election_surge=flows.election_surge,
                    settled_share=flows.settled_share,
                )
                m.drawn[added] = rng.random(added.size) < share[segment]

    def take_from_pool(self, counts: np.ndarray) -> None:
        """Simulated joiners leave their segments' stocks (full scale)."""
        self.stock = np.maximum(self.stock - counts / self.state.config.party.scale, 0.0)

    def return_to_pool(self, ideology: np.ndarray) -> None:
        """A share of the lapsed go back to the sympathisers nearest their views."""
        if ideology.size == 0:
            return
        segment = sympathisers.nearest_segment(ideology, self.segment_means)
        back = np.bincount(segment, minlength=self.stock.size) / self.state.config.party.scale
        self.stock += self.state.config.flows.rejoin_share * back

    def add_members(self, ideology: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Append new full members at these positions."""
        s = self.state
        spec = s.config.members
        count = ideology.size
        clp = self.random_clps(count, rng)
        if spec.joiners_lean > 0:
            # Local political culture: a joiner in a left-leaning CLP stands
            # where that CLP's members do, relative to the party, as the
            # starting members were drawn (`population.build_clps`).
            ideology = np.clip(
                ideology + spec.joiners_lean * s.clps.lean[clp],
                sympathisers.IDEOLOGY_MIN,
                sympathisers.IDEOLOGY_MAX,
            )
        union = np.full(count, NO_UNION, dtype=np.int16)
        payers = rng.random(count) < spec.levy_payer_share
        if payers.any():
            weights = np.array([max(u.levy_payers, 1) for u in s.unions], dtype=float)
            union[payers] = rng.choice(
                len(weights), size=int(payers.sum()), p=weights / weights.sum()
            )
        return s.members.append(
            ideology=ideology,
            activism=population.draw_beta(spec.joiner_activism or spec.activism, count, rng),
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
        """Members by type, joiners and lapsers, cohorts, the members' ideology, and the pool."""
        m = self.state.members
        # Gather by ids (a boolean-mask gather over every row, lapsed ones
        # included, is several times slower); the table keeps the ids for
        # the month. Supporters are counted only when there are any.
        full = m.full_member_ids()
        n_active = int(m.active_ids().size)
        n_registered = 0
        if n_active > full.size:
            n_registered = int(np.count_nonzero(m.kind[m.active_ids()] == REGISTERED_SUPPORTER))
        x = m.full_member_ideology()
        # Supporters hold a vote only until the ballot closes, within a month:
        # the month of a ballot counts those whose rights it ended.
        when, ended_registered, ended_affiliated = self.supporters_ended
        if when != self.state.time:
            ended_registered = ended_affiliated = 0
        row["members_full"] = int(full.size)
        row["registered_supporters"] = n_registered + ended_registered
        row["affiliated_supporters"] = n_active - int(full.size) - n_registered + ended_affiliated
        row["members_total"] = n_active + ended_registered + ended_affiliated
        row["joined"] = int(self.joined_this_month)
        row["lapsed"] = int(self.lapsed_this_month)
        # Who the membership is by when they joined, as surveys split it: those
        # who were members before the last general election, and before the
        # sitting leader took office (the run's start stands in for either
        # when it came before it).
        joined = m.joined[full]
        s = self.state
        election = max((at for at in s.election_times if at <= s.time), default=0)
        row["members_before_last_election"] = int(np.count_nonzero(joined < election))
        row["members_before_leader"] = int(np.count_nonzero(joined < max(s.leader_since, 0)))
        mean = float(np.mean(x)) if x.size else float("nan")
        sd = float(np.std(x)) if x.size else float("nan")
        row["ideology_mean"] = mean
        row["ideology_median"] = m.full_member_median() if x.size else mean
        row["ideology_sd"] = sd
        row["sympathisers"] = float(round(self.stock.sum()))
