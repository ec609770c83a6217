"""Conference under the older one-dimensional rule (``conference.stances = "direction"``).

Every affiliate and CLP delegation supports a proposal when it moves the
balance of party power towards it (``mechanisms.proposals.supports``); there
is no consultation, NEC tabling or agenda: the year's proposals go straight to
a card vote. Kept for the scenarios and experiments written for it; the
historical scenarios use "interests" (``institutions.conference``).
"""

from __future__ import annotations

import dataclasses

import numpy as np

from model.institutions.motions import clp_delegates
from model.mechanisms import conference, proposals
from model.records.events import ConferenceVote
from model.state import PartyState


def hold_by_direction(state: PartyState) -> None:
    """Annual conference under ``stances = "direction"``: proposals decided by card vote.

    The scenario's proposals for the year and the leader's and factions' own
    (each with `proposal_chance`) go to one card vote each; forced ones pass.
    Records a ConferenceVote per proposal and a RuleChange if any passed.
    """
    with state.timed("conference"):
        spec = state.config.conference
        rng = state.streams["conference"]
        rules_before = state.rules
        m = state.members
        full = m.full_member_ids()
        member_median = m.full_member_median() if full.size else 0.0
        plp = np.array([mp.ideology for mp in state.sitting_mps])
        balance = spec.balance
        if balance is None:
            balance = (member_median + float(np.median(plp))) / 2 if plp.size else member_median

        motions: list[proposals.Proposal] = []
        forced: set[str] = set()
        for scheduled in spec.scheduled:
            if scheduled.year == state.now.year:
                proposal = proposals.scheduled_proposal(scheduled, rules_before)
                if proposal is not None:
                    motions.append(proposal)
                    if scheduled.forced:
                        forced.add(proposal.title)
        movers = []
        if spec.leader_proposes:
            movers.append(("leader", state.leader.ideology))
        if spec.faction_proposes:
            movers += [(f.name, f.line) for f in state.factions]
        for name, position in movers:
            if rng.random() < spec.proposal_chance:
                motions += proposals.propose(
                    rules_before,
                    name,
                    position,
                    rng,
                    balance=balance,
                    shift_scale=spec.shift_scale,
                    max_proposals=spec.proposals_per_year,
                )
        if not motions:
            return
        delegates = clp_delegates(state, member_median)
        unions = [
            conference.UnionBloc(u.name, u.levy_payers, u.leadership_ideology)
            for u in state.unions
            if u.affiliated
        ]
        results = []
        for proposal in motions:
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
            if proposal.title in forced and not result.passes:
                result = dataclasses.replace(result, passes=True)
            results.append(result)
            state.events.record(
                ConferenceVote,
                state.now,
                decided_by="card vote",
                balance=round(balance, 6),
                **result.to_dict(),
                forced=True if proposal.title in forced else None,
            )
        new_rules, applied = conference.adopt_passed(
            rules_before, results, reason=f"conference {state.now.year}"
        )
        if applied:
            state.change_rules(
                new_rules, decided_by="card vote", proposals=[p.title for p in applied]
            )
