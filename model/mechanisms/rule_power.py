"""Who has how much say under a rule set, and what a rule change does to each side.

A rule change at conference moves power between four groups: the PLP (MPs,
and the leadership team they form), the members, registered supporters and
the affiliates (unions and socialist societies, and their levy payers). The
sources are fights over exactly that: the 2014 Collins reform ended the
affiliates' third of the electoral college; the 2021 college of thirds would
have given MPs a third again; open selection would have taken the
affiliates' part in trigger ballots away (labour_history.json:
rule_changes; labour_politics.json: conference_and_nec_rule_votes).

**Say.** For each of three *arenas* the rules give each group a share of
say that sums to 1 (:func:`say`):

* *leadership* — who picks the leader. The nomination hurdles are gates:
  the PLP's share is the PLP threshold a candidate must reach; a CLP route
  and an affiliate route (either of which suffices since 2018) add half
  their share each to the members' and the affiliates' gates. The rest of
  the say is the ballot's: in an electoral college the section weights; in
  OMOV each voter type's expected share of the votes cast (members,
  registered supporters, affiliated supporters), where that type may vote.
* *reselection* — who decides whether a sitting MP stands again: a table
  ordered as ``proposals.RESELECTION_OPENNESS`` (see ``RESELECTION_SAY``).
* *nec* — seat shares on the NEC: the CLP, youth, BAME and disabled
  members' sections are the members'; unions and socialist societies the
  affiliates'; the leader, deputy, treasurer, frontbench, PLP, EPLP, local
  government, Scottish and Welsh seats the PLP's (the elected
  representatives' side).

**Balance.** In each arena the balance point is the say-weighted mean of
the groups' positions (:func:`balance`). An actor at ``x`` gains from a
change by how much closer the balance comes to it, summed over arenas with
their weights (:func:`ideological_gain`). A group also has a stake in its
own say (:func:`say_gain`): unions in the affiliates', CLP delegates in the
members'. With a single arena and two groups this is the old
``proposals.supports`` rule: a change moves the balance by a shift and an
actor supports it when the balance ends nearer.

Everything here is pure: rule sets, numbers and arrays in, numbers out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from model.rules.schema import LeadershipRules, NecRules, ReselectionRules, RuleSet

__all__ = [
    "ARENAS",
    "DEFAULT_ARENA_WEIGHTS",
    "DEFAULT_ELECTORATE_SHARES",
    "GROUPS",
    "NEC_GROUP",
    "RESELECTION_SAY",
    "ChangeEffect",
    "balance",
    "change_effect",
    "ideological_gain",
    "leadership_say",
    "nec_say",
    "reselection_say",
    "say",
    "say_gain",
]

GROUPS = ("plp", "members", "supporters", "affiliates")
ARENAS = ("leadership", "reselection", "nec")

DEFAULT_ARENA_WEIGHTS: dict[str, float] = {"leadership": 1.0, "reselection": 1.0, "nec": 0.5}
"""How much each arena counts [assumption: choosing the leader and keeping one's seat
matter equally; the NEC, which runs the party between conferences, half as much]."""

DEFAULT_ELECTORATE_SHARES: dict[str, float] = {
    "members": 245520 / 422664,
    "supporters": 105598 / 422664,
    "affiliates": 71546 / 422664,
}
"""Expected shares of an OMOV ballot by voter type, before the run has had one: the 2015
first round (labour_history.json: leadership_elections.2015.result_first_round_by_voter_type,
derived)."""

RESELECTION_SAY: dict[str, dict[str, float]] = {
    # The MP's security is the PLP's say; members' and affiliates' the rest.
    # Ordered as proposals.RESELECTION_OPENNESS [assumption: the numbers;
    # the order is the rules' own]:
    # pre-2018: a majority of combined branch nominations, with affiliates
    # able to add branches without limit (an effective union veto);
    "pre_2018": {"plp": 0.5, "members": 0.2, "affiliates": 0.3},
    # 2021: more than half of a college half branches, half affiliates;
    "weighted_college": {"plp": 0.4, "members": 0.3, "affiliates": 0.3},
    # 2018: a third of branches or a third of affiliates;
    "either_third": {"plp": 0.3, "members": 0.5, "affiliates": 0.2},
    # the MP needs 75% of members' votes: members decide, affiliates have no part;
    "members_supermajority": {"plp": 0.25, "members": 0.75, "affiliates": 0.0},
    # every MP faces a members' selection: only incumbency protects.
    "open_selection": {"plp": 0.1, "members": 0.9, "affiliates": 0.0},
}

NEC_GROUP: dict[str, str] = {
    "leader": "plp",
    "deputy_leader": "plp",
    "treasurer": "plp",
    "frontbench": "plp",
    "plp": "plp",
    "eplp": "plp",
    "local_government": "plp",
    "scotland": "plp",
    "wales": "plp",
    "clp": "members",
    "youth": "members",
    "bame": "members",
    "disabled": "members",
    "unions": "affiliates",
    "socialist_societies": "affiliates",
}
"""Whose side each NEC section is on (elected representatives, members, affiliates)."""


def _zero() -> dict[str, float]:
    return {g: 0.0 for g in GROUPS}


def leadership_say(
    rules: LeadershipRules,
    shares: Mapping[str, float] = DEFAULT_ELECTORATE_SHARES,
    *,
    fee_elasticity: float = 0.0,
) -> dict[str, float]:
    """Each group's say in choosing the leader (sums to 1).

    Args:
        rules: the leadership rules.
        shares: expected shares of an OMOV ballot by voter type ("members",
            "supporters", "affiliates") at a £3 supporters' fee; renormalised
            over the types that may vote.
        fee_elasticity: registered supporters' share scales as (3 / fee) ** this
            (as their sign-ups do, ``ContestSpec.fee_elasticity``).

    Returns:
        Group -> say.
    """
    if rules.registered_supporters and fee_elasticity:
        fee = max(float(rules.registered_supporter_fee_gbp or 0.0), 1.0)
        shares = {
            **shares,
            "supporters": shares.get("supporters", 0.0) * (3.0 / fee) ** fee_elasticity,
        }
    out = _zero()
    out["plp"] = float(rules.plp_threshold_vacancy)
    routes = rules.supplementary_routes
    if routes is not None and routes.one_required:
        both = routes.clp_share is not None and routes.affiliate_route is not None
        part = 0.5 if both else 1.0
        if routes.clp_share is not None:
            out["members"] += part * float(routes.clp_share)
        if routes.affiliate_route is not None:
            out["affiliates"] += part * float(routes.affiliate_route.share_of_affiliated_membership)
    ballot = max(0.0, 1.0 - sum(out.values()))
    if rules.electorate == "college":
        sections = {k: float(v) for k, v in rules.college_sections.items()}
        member_part = sections.get("members", 0.0)
        if rules.registered_supporters and "registered_supporters" not in sections:
            # Supporters vote in the members' section and dilute it.
            m, s = shares.get("members", 0.0), shares.get("supporters", 0.0)
            if m + s > 0:
                sections["registered_supporters"] = member_part * s / (m + s)
                member_part *= m / (m + s)
        split = {
            "plp": sections.get("mps_meps", 0.0),
            "members": member_part,
            "supporters": sections.get("registered_supporters", 0.0),
            "affiliates": sections.get("affiliates", 0.0),
        }
    else:
        voting = {
            "members": shares.get("members", 0.0),
            "supporters": shares.get("supporters", 0.0) if rules.registered_supporters else 0.0,
            "affiliates": shares.get("affiliates", 0.0) if rules.affiliated_supporters else 0.0,
        }
        total = sum(voting.values()) or 1.0
        split = {"plp": 0.0, **{k: v / total for k, v in voting.items()}}
    for group, value in split.items():
        out[group] += ballot * value
    return out


def reselection_say(rules: ReselectionRules) -> dict[str, float]:
    """Each group's say over a sitting MP's reselection (see RESELECTION_SAY)."""
    return {**_zero(), **RESELECTION_SAY[rules.method]}


def nec_say(rules: NecRules) -> dict[str, float]:
    """Each group's share of the NEC's seats."""
    out = _zero()
    total = rules.size or 1
    for section, seats in rules.seats.items():
        out[NEC_GROUP[section]] += seats / total
    return out


def say(
    rules: RuleSet,
    shares: Mapping[str, float] = DEFAULT_ELECTORATE_SHARES,
    *,
    fee_elasticity: float = 0.0,
) -> dict[str, dict[str, float]]:
    """Each group's say in each arena under a rule set.

    Args:
        rules: the rule set.
        shares: expected OMOV vote shares by voter type (see :func:`leadership_say`).
        fee_elasticity: see :func:`leadership_say`.

    Returns:
        Arena -> group -> say (each arena sums to 1).
    """
    return {
        "leadership": leadership_say(rules.leadership, shares, fee_elasticity=fee_elasticity),
        "reselection": reselection_say(rules.reselection),
        "nec": nec_say(rules.nec),
    }


def balance(say_in_arena: Mapping[str, float], positions: Mapping[str, float]) -> float:
    """The say-weighted mean of the groups' positions in one arena.

    Groups without a position are left out (and the rest renormalised).
    """
    weights = {g: w for g, w in say_in_arena.items() if g in positions and w > 0}
    total = sum(weights.values())
    if total == 0:
        return 0.0
    return sum(w * positions[g] for g, w in weights.items()) / total


@dataclass(frozen=True)
class ChangeEffect:
    """What a rule change does: the balance in each arena before and after, and who gains say.

    Attributes:
        balance_before, balance_after: arena -> balance point.
        say_before, say_after: arena -> group -> say.
        arena_weights: arena -> weight.
    """

    balance_before: dict[str, float]
    balance_after: dict[str, float]
    say_before: dict[str, dict[str, float]]
    say_after: dict[str, dict[str, float]]
    arena_weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_ARENA_WEIGHTS))

    @property
    def shift(self) -> float:
        """Weighted mean move of the balance (positive: towards the right)."""
        total = sum(self.arena_weights.values()) or 1.0
        return (
            sum(
                w * (self.balance_after[a] - self.balance_before[a])
                for a, w in self.arena_weights.items()
            )
            / total
        )

    def say_change(self, group: str) -> float:
        """Weighted change of a group's say, summed over arenas."""
        return sum(
            w * (self.say_after[a][group] - self.say_before[a][group])
            for a, w in self.arena_weights.items()
        )

    def arena_say_change(self, arena: str, group: str) -> float:
        """Change of a group's say in one arena (unweighted)."""
        return self.say_after[arena][group] - self.say_before[arena][group]

    def to_dict(self) -> dict[str, object]:
        """JSON-ready summary."""
        return {
            "balance_before": {a: round(v, 6) for a, v in self.balance_before.items()},
            "balance_after": {a: round(v, 6) for a, v in self.balance_after.items()},
            "say_change": {g: round(self.say_change(g), 6) for g in GROUPS},
            "shift": round(self.shift, 6),
        }


def change_effect(
    before: RuleSet,
    after: RuleSet,
    positions: Mapping[str, Mapping[str, float]],
    *,
    shares: Mapping[str, float] = DEFAULT_ELECTORATE_SHARES,
    arena_weights: Mapping[str, float] = DEFAULT_ARENA_WEIGHTS,
    fee_elasticity: float = 0.0,
) -> ChangeEffect:
    """The effect of replacing ``before`` by ``after``.

    Args:
        before, after: the rule sets.
        positions: arena -> group -> position of the group on the left-right axis.
        shares: expected OMOV vote shares by voter type.
        arena_weights: arena -> weight.
        fee_elasticity: see :func:`leadership_say`.

    Returns:
        The ChangeEffect.
    """
    say_before = say(before, shares, fee_elasticity=fee_elasticity)
    say_after = say(after, shares, fee_elasticity=fee_elasticity)
    return ChangeEffect(
        balance_before={a: balance(say_before[a], positions[a]) for a in ARENAS},
        balance_after={a: balance(say_after[a], positions[a]) for a in ARENAS},
        say_before=say_before,
        say_after=say_after,
        arena_weights={a: float(arena_weights.get(a, 0.0)) for a in ARENAS},
    )


def ideological_gain(x: np.ndarray | float, effect: ChangeEffect) -> np.ndarray | float:
    """How much closer the change brings the balance to an actor at ``x`` (summed over arenas).

    Positive: the actor gains; 0 for a change that moves nothing.
    """
    xs = np.asarray(x, dtype=float)
    gain = np.zeros_like(xs)
    for arena, weight in effect.arena_weights.items():
        if weight == 0:
            continue
        before, after = effect.balance_before[arena], effect.balance_after[arena]
        gain = gain + weight * (np.abs(xs - before) - np.abs(xs - after))
    return float(gain) if np.ndim(x) == 0 else gain


def say_gain(group: str, effect: ChangeEffect) -> float:
    """The weighted change of a group's own say (its institutional stake)."""
    return effect.say_change(group)
