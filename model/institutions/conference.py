"""Annual conference: rule-change proposals decided by card vote."""

from __future__ import annotations

from typing import Any

import numpy as np

from model.institutions.base import Institution, Stage
from model.mechanisms import conference
from model.records.events import ConferenceVote, RuleChange


class Conference(Institution):
    """Each September (or the scenario's month) conference votes on proposed rule changes."""

    name = "conference"
    RANK = 50

    def stages(self) -> list[Stage]:
        """Annual conference (an event)."""
        return [
            Stage(
                self.RANK,
                "conference",
                None,
                "once a year, in the conference month",
                "annual conference: rule changes by card vote",
                decided_by="card vote",
            )
        ]

    def schedule(self) -> None:
        """Once a year, in the conference month."""
        s = self.state
        first = (s.config.conference.month - s.start.month) % 12 + 1
        s.schedule_every(self.hold, interval=12, start=first, rank=self.RANK)

    def hold(self) -> None:
        """Annual conference: rule-change proposals decided by card vote."""
        with self.state.timed("conference"):
            spec = self.state.config.conference
            rng = self.state.streams["conference"]
            rules_before = self.state.rules
            m = self.state.members
            full = m.full_members()
            member_median = float(np.median(m.ideology[full])) if full.any() else 0.0
            plp = np.array([mp.ideology for mp in self.state.sitting_mps])
            balance = spec.balance
            if balance is None:
                balance = (member_median + float(np.median(plp))) / 2 if plp.size else member_median

            proposals: list[conference.Proposal] = []
            for scheduled in spec.scheduled:
                if scheduled.year == self.state.now.year:
                    proposal = conference.scheduled_proposal(scheduled, rules_before)
                    if proposal is not None:
                        proposals.append(proposal)
            movers = []
            if spec.leader_proposes:
                movers.append(("leader", self.state.leader.ideology))
            if spec.faction_proposes:
                movers += [(f.name, f.line) for f in self.state.factions]
            for name, position in movers:
                if rng.random() < spec.proposal_chance:
                    proposals += conference.propose(
                        rules_before,
                        name,
                        position,
                        rng,
                        balance=balance,
                        shift_scale=spec.shift_scale,
                        max_proposals=spec.proposals_per_year,
                    )
            if not proposals:
                return
            delegates = self.clp_delegates(member_median)
            unions = [
                conference.UnionBloc(u.name, u.levy_payers, u.leadership_ideology)
                for u in self.state.unions
            ]
            results = []
            for proposal in proposals:
                result = conference.card_vote(
                    proposal,
                    unions=unions,
                    clps=delegates,
                    rules=rules_before,
                    balance=balance,
                    shift_scale=spec.shift_scale,
                    clp_noise=spec.clp_noise,
                    rng=rng,
                )
                results.append(result)
                self.state.events.record(
                    ConferenceVote,
                    self.state.now,
                    decided_by="card vote",
                    balance=round(balance, 6),
                    **result.to_dict(),
                )
            new_rules, applied = conference.adopt_passed(
                rules_before, results, reason=f"conference {self.state.now.year}"
            )
            if applied:
                self.state.rules = new_rules
                self.state.events.record(
                    RuleChange,
                    self.state.now,
                    decided_by="card vote",
                    proposals=[p.title for p in applied],
                    changes=rules_before.rule_changes_to(new_rules),
                    rules_before=rules_before.label(),
                    rules_after=new_rules.label(),
                )

    def clp_delegates(self, fallback_median: float) -> conference.ClpDelegates:
        ids, bounds = self.state.clp_members()
        x = self.state.members.ideology[ids]
        medians = np.array(
            [
                float(np.median(x[bounds[c] : bounds[c + 1]]))
                if bounds[c + 1] > bounds[c]
                else fallback_median
                for c in range(len(self.state.clps))
            ]
        )
        control = self.state.clps.control
        lines = self.state.faction_lines
        line = np.where(control >= 0, lines[np.maximum(control, 0)] if lines.size else 0.0, np.nan)
        return conference.ClpDelegates(
            votes=np.diff(bounds).astype(np.int64), line=line, member_median=medians
        )

    def measure(self, row: dict[str, Any]) -> None:
        """The rules in force."""
        row["rules"] = self.state.rules.label()
