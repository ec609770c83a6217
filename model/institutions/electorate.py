"""Who votes in a leadership ballot: members past the freeze date, supporters, levy payers.

Registered supporters sign up for a contest where the rules allow it, and
affiliated supporters through their unions; at the close the voter roll is
built by voter type (and college section), and afterwards supporters'
rights end (some join as full members).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from model.agents import population
from model.agents.members import AFFILIATED_SUPPORTER, FULL_MEMBER, REGISTERED_SUPPORTER
from model.institutions.membership import Membership
from model.mechanisms import contests, sympathisers
from model.state import PartyState


class Electorate:
    """The electorate of a leadership contest (used by the Leadership institution)."""

    def __init__(self, state: PartyState, membership: Membership):
        """Attach to the state; supporters join CLPs as members do."""
        self.state = state
        self.membership = membership
        # The full members at the head of the last voter roll, in its order:
        # who backed whom is read back from the count by position.
        self.roll_member_ids = np.zeros(0, dtype=np.int64)

    def sign_up_supporters(self, contest: Any, rules: Any, rng: np.random.Generator) -> np.ndarray:
        """Registered and affiliated supporters sign up for this contest, where the rules allow.

        Returns:
            The new supporters' member ids (their rights end with the contest).
        """
        params = self.state.config.contests
        m = self.state.members
        added = []
        if rules.registered_supporters:
            n_by_segment = self.registered_supporters(contest, rules, rng)
            n = int(n_by_segment.sum())
            if n:
                ideology, _ = sympathisers.segment_ideologies(
                    n_by_segment, self.membership.segment_means, self.membership.segment_sds, rng
                )
                clp = self.membership.random_clps(n, rng)
                added.append(
                    m.append(
                        ideology=ideology,
                        turnout=np.full(n, params.registered_supporter_turnout, dtype=np.float32),
                        clp=clp,
                        branch=self.state.clps.branch_start[clp]
                        + rng.integers(0, self.state.clps.n_branches[clp]),
                        kind=np.full(n, REGISTERED_SUPPORTER, dtype=np.int8),
                        joined=np.full(n, self.state.time, dtype=np.int32),
                    )
                )
        if rules.affiliated_supporters:
            for u, union in enumerate(self.state.unions):
                keen = 1.0 if contest.union_nominee[u] >= 0 else 0.5
                n = int(rng.binomial(union.levy_payers, params.affiliated_supporter_share * keen))
                if not n:
                    continue
                clp = self.membership.random_clps(n, rng)
                added.append(
                    m.append(
                        ideology=population.draw_mixture([params.levy_payer_ideology], n, rng),
                        turnout=np.full(n, params.affiliated_supporter_turnout, dtype=np.float32),
                        clp=clp,
                        branch=self.state.clps.branch_start[clp]
                        + rng.integers(0, self.state.clps.n_branches[clp]),
                        kind=np.full(n, AFFILIATED_SUPPORTER, dtype=np.int8),
                        union=np.full(n, u, dtype=np.int16),
                        joined=np.full(n, self.state.time, dtype=np.int32),
                    )
                )
        return np.concatenate(added) if added else np.zeros(0, dtype=int)

    def registered_supporters(
        self, contest: Any, rules: Any, rng: np.random.Generator
    ) -> np.ndarray:
        """Registered-supporter sign-ups per pool segment (simulated people).

        The willing are each segment's sympathisers times its stake in the
        contest; of them, those who prefer the fee to the alternative
        (joining, where it gives a vote; otherwise their reservation price)
        and who sign up within the window.
        """
        s = self.state
        params = s.config.contests
        flows = s.config.flows
        pool = self.membership
        stake = sympathisers.contest_stake(
            pool.segment_means,
            [c.ideology for c in contest.on_ballot],
            flows.attraction_width,
            valences=[c.valence for c in contest.on_ballot],
            electability_weight=s.electability_weight(),
            standing=pool.contest_standing(contest) if flows.viability > 0 else (),
            viability=flows.viability,
        )
        # Joining is the alternative only while a new member would still vote.
        alternative = (
            params.membership_cost_gbp
            if rules.joining_now_gives_a_vote(contest.opened, s.time)
            else params.supporter_reservation_gbp
        )
        share = sympathisers.supporter_route_share(
            float(rules.registered_supporter_fee_gbp or 0.0), alternative, params.fee_elasticity
        ) * sympathisers.window_share(
            rules.registered_supporter_window_hours, params.window_scale_hours
        )
        # The most willing have joined already (mechanisms.sympathisers.deplete_propensity).
        mean = pool.stock * pool.propensity * params.signup_rate * stake * share
        mean = mean * s.config.party.scale
        return rng.poisson(np.maximum(mean, 0.0))

    def voter_roll(
        self, contest: Any, rules: Any, rng: np.random.Generator
    ) -> tuple[contests.VoterRoll, dict[str, int]]:
        """Who may vote, by voter type (and college section), when the ballot closes.

        Returns:
            The voter roll, and the eligible counts of sections whose
            voters are drawn rather than held as rows (affiliates' levy payers).
        """
        m = self.state.members
        params = self.state.config.contests
        # A freeze date excludes those who joined in the months before the
        # contest opened, a cut-off those who joined too long after it;
        # without either, anyone who joins before the ballot closes votes
        # (the 2015 surge voted).
        frozen = rules.last_joining_month_to_vote(contest.opened, self.state.time)
        full = m.active & (m.kind == FULL_MEMBER) & (m.joined <= frozen)
        ids = np.flatnonzero(full)
        self.roll_member_ids = ids
        mps = np.array([mp.ideology for mp in self.state.sitting_mps])
        parts = [
            contests.VoterRoll.of(
                "members", m.ideology[ids], m.turnout[ids], union=m.union[ids], joined=m.joined[ids]
            )
        ]
        for kind, code in (
            ("registered_supporters", REGISTERED_SUPPORTER),
            ("affiliated_supporters", AFFILIATED_SUPPORTER),
        ):
            sup = np.flatnonzero(m.active & (m.kind == code))
            if sup.size:
                parts.append(
                    contests.VoterRoll.of(kind, m.ideology[sup], m.turnout[sup], union=m.union[sup])
                )
        extra: dict[str, int] = {}
        if rules.electorate == "omov":
            # MPs are members and vote as members.
            parts.append(contests.VoterRoll.of("members", mps, params.mp_turnout))
            return contests.VoterRoll.concat(parts), extra

        if "mps_meps" in rules.college_sections:
            parts.append(
                contests.VoterRoll.of(
                    "mps_meps", np.concatenate([mps, self.state.mep_ideology]), params.mp_turnout
                )
            )
        else:
            parts.append(contests.VoterRoll.of("members", mps, params.mp_turnout))
        if "affiliates" in rules.college_sections:
            # Levy payers who are not members are too many to hold as rows:
            # only those who return a ballot are drawn, and the electorate
            # size is recorded separately.
            eligible = 0
            for u, union in enumerate(self.state.unions):
                payers_in_party = int(np.count_nonzero(full & (m.union == u)))
                outside = max(union.levy_payers - payers_in_party, 0)
                eligible += outside
                n = int(rng.binomial(outside, union.ballot_turnout))
                parts.append(
                    contests.VoterRoll.of(
                        "affiliates",
                        population.draw_mixture([params.levy_payer_ideology], n, rng),
                        1.0,
                        union=np.full(n, u),
                    )
                )
                if rules.multiple_voting and payers_in_party:
                    # Members who pay a levy vote again in the affiliates' section.
                    both = np.flatnonzero(full & (m.union == u))
                    eligible += both.size
                    parts.append(
                        contests.VoterRoll.of(
                            "affiliates",
                            m.ideology[both],
                            union.ballot_turnout,
                            union=m.union[both],
                        )
                    )
            extra["affiliates"] = eligible
        return contests.VoterRoll.concat(parts), extra

    def end_supporters(self, supporters: np.ndarray, rng: np.random.Generator) -> None:
        """Supporters' rights end with the contest; some join as full members."""
        if supporters.size == 0:
            return
        m = self.state.members
        joins = rng.random(supporters.size) < self.state.config.contests.supporter_conversion
        ended = m.kind[supporters[~joins]]
        self.membership.supporters_ended = (
            self.state.time,
            int(np.count_nonzero(ended == REGISTERED_SUPPORTER)),
            int(np.count_nonzero(ended == AFFILIATED_SUPPORTER)),
        )
        converted = supporters[joins]
        m.set_kind(converted, FULL_MEMBER)
        m.joined[converted] = self.state.time
        # New members like any joiner: a joiner's activism, and (where the
        # scenario marks them) drawn by the contest, not by the party.
        spec = self.state.config.members
        m.activism[converted] = population.draw_beta(
            spec.joiner_activism or spec.activism, converted.size, rng
        )
        if self.state.config.flows.tracks_drawn:
            m.drawn[converted] = True
        m.lapse(supporters[~joins], self.state.time)
