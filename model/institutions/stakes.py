"""What a rule change does, seen from the party as it is now (shared by conference and the NEC).

The pure side is ``mechanisms.rule_power``; this reads the state it needs:
where each group stands (the PLP's and members' medians, registered
supporters seen so far, levy payers, union leaderships), the expected shares
of an OMOV ballot (the last OMOV contest's votes by voter type, else 2015's)
and where a proposer stands.
"""

from __future__ import annotations

import numpy as np

from model.agents.members import REGISTERED_SUPPORTER
from model.mechanisms import rule_power
from model.records.events import LeadershipContest
from model.rules.schema import RuleSet
from model.state import PartyState

_VOTER_TYPES = {
    "members": "members",
    "registered_supporters": "supporters",
    "affiliated_supporters": "affiliates",
}


class Stakes:
    """The groups' positions and the effect of rule changes, from the state."""

    def __init__(self, state: PartyState):
        """Attach to the state."""
        self.state = state

    def positions(self) -> dict[str, dict[str, float]]:
        """Arena -> group -> position (see mechanisms.rule_power)."""
        s = self.state
        m = s.members
        plp = np.array([mp.ideology for mp in s.sitting_mps])
        full = m.full_member_ids()
        members = m.full_member_median() if full.size else 0.0
        plp_median = float(np.median(plp)) if plp.size else members
        seen = m.kind == REGISTERED_SUPPORTER
        # Before any registered supporter has voted, the party expects them where
        # the scenario says (by default Labour-leaning voters near the general
        # electorate's median: the case made for primaries); afterwards, it has
        # seen who they are.
        prior = s.config.conference.supporters_position
        if prior is None:
            prior = s.config.elections.electorate_median
        supporters = float(np.median(m.ideology[seen])) if seen.any() else float(prior)
        payers = float(s.config.contests.levy_payer_ideology.mean)
        affiliated = [u for u in s.unions if u.affiliated]
        leaderships = (
            float(
                np.average(
                    [u.leadership_ideology for u in affiliated],
                    weights=[u.levy_payers for u in affiliated],
                )
            )
            if affiliated
            else payers
        )
        return {
            "leadership": {
                "plp": plp_median,
                "members": members,
                "supporters": supporters,
                "affiliates": payers,
            },
            "reselection": {"plp": plp_median, "members": members, "affiliates": leaderships},
            "nec": {"plp": plp_median, "members": members, "affiliates": leaderships},
        }

    def shares(self) -> dict[str, float]:
        """Expected shares of an OMOV ballot by voter type (the last OMOV contest's, else 2015's)."""
        for rec in reversed(self.state.events.of_type(LeadershipContest)):
            if rec.balloted and rec.electorate_rule == "omov" and rec.electorate:
                voted = {
                    group: float(rec.electorate.get(kind, {}).get("voted", 0))
                    for kind, group in _VOTER_TYPES.items()
                }
                total = sum(voted.values())
                if total > 0:
                    return {k: v / total for k, v in voted.items()}
        return dict(rule_power.DEFAULT_ELECTORATE_SHARES)

    def effect(self, before: RuleSet, after: RuleSet) -> rule_power.ChangeEffect:
        """What replacing ``before`` by ``after`` does now."""
        c = self.state.config
        return rule_power.change_effect(
            before,
            after,
            self.positions(),
            shares=self.shares(),
            arena_weights=dict(c.conference.arena_weights),
            fee_elasticity=c.conference.supporter_fee_elasticity,
        )

    def proposer_position(self, proposer: str, nec_median: float | None = None) -> float | None:
        """Where a proposer whose closeness earns loyalty stands: the leader or the NEC's median.

        A faction's motion (or a scenario's) earns no loyalty: it is judged on
        what it does (its own delegations support it because it moves power
        their way).
        """
        if proposer == "leader":
            return float(self.state.leader.ideology)
        if proposer == "nec":
            return nec_median
        return None
