"""Decisions under the rules: pure functions from counts to outcomes, exactly.

* :func:`nomination_threshold`, :func:`clp_nominations_needed`,
  :func:`meets_supplementary` and :func:`qualifies` — who gets on a leadership
  ballot, and why;
* :func:`trigger_ballot_outcome` — whether a sitting MP faces a full selection;
* :func:`card_vote_passes` — whether a motion passes a weighted card vote.

Each takes the relevant rules (or a whole `RuleSet`) and plain counts, compares
integers and fractions only (`model.rules.shares`), and returns the outcome
with a readable reason for the event log.
"""

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from fractions import Fraction
from typing import Any, NamedTuple

from model.rules.schema import (
    ConferenceRules,
    LeadershipRules,
    ReselectionRules,
    RuleSet,
    SupplementaryRoutes,
)
from model.rules.shares import ceil_share, exact_share, pct

__all__ = [
    "AffiliateNomination",
    "Qualification",
    "TriggerOutcome",
    "card_vote_passes",
    "clp_nominations_decide_access",
    "clp_nominations_needed",
    "meets_supplementary",
    "nomination_threshold",
    "qualifies",
    "trigger_ballot_outcome",
]

# --------------------------------------------------------------------------
# Nominations
# --------------------------------------------------------------------------


class AffiliateNomination(NamedTuple):
    """One affiliate nominating a candidate (a plain ``(is_union, membership)`` tuple also works)."""

    is_union: bool
    """True for a trade union, False for a socialist society or other affiliate."""
    affiliated_membership: int
    """Members the affiliate affiliates to the party (levy payers)."""
    name: str = ""
    """Optional name, for records."""


def _leadership(rules: "LeadershipRules | RuleSet") -> LeadershipRules:
    return rules.leadership if isinstance(rules, RuleSet) else rules


def nomination_threshold(
    rules: "LeadershipRules | RuleSet",
    plp_size: int,
    n_meps: int = 0,
    *,
    challenge: bool = False,
) -> int:
    """PLP (and EPLP) nominations a candidate needs: ceil(share × base), exactly.

    The base is the number of MPs, plus MEPs when ``rules.count_meps``.

    Args:
        rules: the leadership rules (or a whole rule set).
        plp_size: Labour MPs in the PLP (those who may nominate).
        n_meps: Labour MEPs; ignored unless ``rules.count_meps``.
        challenge: True for a challenge (no vacancy): the challenge threshold.

    Returns:
        Nominations needed (e.g. 33 for 12.5% of 257 MPs).

    Raises:
        ValueError: a negative size.
    """
    leadership = _leadership(rules)
    if plp_size < 0 or n_meps < 0:
        raise ValueError(f"plp_size and n_meps must be ≥ 0 (got {plp_size}, {n_meps})")
    base = plp_size + (n_meps if leadership.count_meps else 0)
    share = leadership.plp_threshold_challenge if challenge else leadership.plp_threshold_vacancy
    return ceil_share(share, base)


def clp_nominations_needed(rules: "LeadershipRules | RuleSet", total_clps: int) -> int | None:
    """CLP nominations the CLP route needs: ceil(clp_share × total_clps), or None if no CLP route.

    Args:
        rules: the leadership rules (or a whole rule set).
        total_clps: all CLPs (not only those that nominated anyone).

    Returns:
        CLPs needed (33 for 5% of 650), or None when the rules have no CLP route.
    """
    routes = _leadership(rules).supplementary_routes
    if routes is None or routes.clp_share is None:
        return None
    if total_clps < 0:
        raise ValueError(f"total_clps must be ≥ 0 (got {total_clps})")
    return ceil_share(routes.clp_share, total_clps)


def clp_nominations_decide_access(rules: "LeadershipRules | RuleSet", *, challenge: bool) -> bool:
    """Whether a CLP's nomination can decide who is on the ballot.

    True when the rules have a CLP route and a candidate must meet one of the
    supplementary routes in this kind of contest (a vacancy; a challenge only if
    the routes apply in challenges): from the 2018 democracy review. Otherwise
    CLP nominations are supporting nominations only (2010-2016).

    Args:
        rules: the leadership rules (or a whole rule set).
        challenge: a challenge to a sitting leader rather than a vacancy.
    """
    routes = _leadership(rules).supplementary_routes
    return (
        routes is not None
        and routes.clp_share is not None
        and routes.one_required
        and (not challenge or routes.applies_in_challenge)
    )


def _routes_met(
    routes: SupplementaryRoutes,
    clp_nominations: int,
    total_clps: int,
    affiliate_nominations: Sequence[AffiliateNomination | tuple[bool, int]],
    total_affiliated_membership: int,
) -> tuple[list[str], list[str]]:
    """(names of routes met, one explanation per route)."""
    met: list[str] = []
    notes: list[str] = []
    if routes.clp_share is not None:
        needed = ceil_share(routes.clp_share, total_clps)
        ok = clp_nominations >= needed
        if ok:
            met.append("clp")
        notes.append(
            f"CLP route {'met' if ok else 'not met'}: {clp_nominations} CLP nominations, "
            f"{needed} needed ({pct(routes.clp_share)} of {total_clps})"
        )
    route = routes.affiliate_route
    if route is not None:
        nominations = [AffiliateNomination(*a) for a in affiliate_nominations]
        count = len(nominations)
        unions = sum(1 for a in nominations if a.is_union)
        membership = sum(a.affiliated_membership for a in nominations)
        share = route.share_of_affiliated_membership
        enough_members = (
            membership * share.denominator >= share.numerator * total_affiliated_membership
        )
        ok = count >= route.affiliates and unions >= route.unions_among_them and enough_members
        if ok:
            met.append("affiliates")
        notes.append(
            f"affiliate route {'met' if ok else 'not met'}: {count} affiliates "
            f"({unions} unions) with {membership} of {total_affiliated_membership} affiliated "
            f"members; needed {route.affiliates} affiliates incl. {route.unions_among_them} "
            f"unions with ≥{pct(share)}"
        )
    return met, notes


def _check_counts(**counts: int) -> None:
    bad = {name: value for name, value in counts.items() if value < 0}
    if bad:
        raise ValueError(f"counts must be ≥ 0: {bad}")


def meets_supplementary(
    rules: "LeadershipRules | RuleSet",
    *,
    clp_nominations: int,
    total_clps: int,
    affiliate_nominations: Sequence[AffiliateNomination | tuple[bool, int]] = (),
    total_affiliated_membership: int = 0,
) -> tuple[bool, str]:
    """Whether a candidate meets one of the supplementary nomination routes.

    Args:
        rules: the leadership rules (or a whole rule set).
        clp_nominations: CLPs that nominated the candidate.
        total_clps: all CLPs (the base of the CLP share).
        affiliate_nominations: the affiliates that nominated the candidate.
        total_affiliated_membership: affiliated membership of all affiliates.

    Returns:
        ``(met, text)``: ``text`` names the route(s) met, or says why neither was
        (or that the rules have no supplementary routes, which counts as met).
    """
    _check_counts(
        clp_nominations=clp_nominations,
        total_clps=total_clps,
        total_affiliated_membership=total_affiliated_membership,
    )
    routes = _leadership(rules).supplementary_routes
    if routes is None:
        return True, "no supplementary route in these rules"
    met, notes = _routes_met(
        routes, clp_nominations, total_clps, affiliate_nominations, total_affiliated_membership
    )
    if met:
        return True, " and ".join(met) + " route met: " + "; ".join(notes)
    return False, "no supplementary route met: " + "; ".join(notes)


@dataclass(frozen=True)
class Qualification:
    """Whether a candidate is on the ballot, and why (for the contest's record)."""

    qualified: bool
    """True if the candidate is on the ballot."""
    routes: tuple[str, ...]
    """Routes met: 'incumbent', 'plp', 'clp', 'affiliates'."""
    reason: str
    """Readable account of the decision."""
    plp_needed: int
    """PLP/EPLP nominations needed (0 for an automatic incumbent)."""
    supplementary_required: bool
    """Whether a supplementary route was required of this candidate."""

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for the event log."""
        record = asdict(self)
        record["routes"] = list(self.routes)
        return record


def qualifies(
    rules: "LeadershipRules | RuleSet",
    *,
    mp_nominations: int,
    plp_size: int,
    n_meps: int = 0,
    challenge: bool = False,
    is_incumbent: bool = False,
    clp_nominations: int = 0,
    total_clps: int = 0,
    affiliate_nominations: Sequence[AffiliateNomination | tuple[bool, int]] = (),
    total_affiliated_membership: int = 0,
) -> Qualification:
    """Whether a candidate gets on the ballot under the rules, and why.

    In a challenge the incumbent is on the ballot automatically where
    ``incumbent_automatic``; otherwise the incumbent needs the challenge
    threshold like anyone else (the reading the NEC rejected in 2016).
    Supplementary routes apply in a vacancy, and in a challenge only where
    ``applies_in_challenge``.

    Args:
        rules: the leadership rules (or a whole rule set).
        mp_nominations: PLP nominations received (plus MEPs' when ``count_meps``).
        plp_size: MPs in the PLP.
        n_meps: MEPs (counted only when ``count_meps``).
        challenge: True if there is no vacancy.
        is_incumbent: True for the sitting leader.
        clp_nominations: CLPs that nominated the candidate.
        total_clps: all CLPs.
        affiliate_nominations: affiliates that nominated the candidate.
        total_affiliated_membership: affiliated membership of all affiliates.

    Returns:
        The :class:`Qualification`.
    """
    leadership = _leadership(rules)
    _check_counts(mp_nominations=mp_nominations)
    if challenge and is_incumbent and leadership.incumbent_automatic:
        return Qualification(
            True, ("incumbent",), "incumbent on the ballot automatically", 0, False
        )
    needed = nomination_threshold(leadership, plp_size, n_meps, challenge=challenge)
    base = "MPs and MEPs" if leadership.count_meps else "MPs"
    plp_ok = mp_nominations >= needed
    plp_text = (
        f"{mp_nominations} nominations from {base}, {needed} needed "
        f"({'challenge' if challenge else 'vacancy'} threshold)"
    )
    routes = leadership.supplementary_routes
    required = (
        routes is not None
        and routes.one_required
        and (not challenge or routes.applies_in_challenge)
    )
    if not plp_ok:
        return Qualification(False, (), f"excluded: {plp_text}", needed, required)
    if not required:
        return Qualification(True, ("plp",), f"qualified: {plp_text}", needed, False)
    met, text = meets_supplementary(
        leadership,
        clp_nominations=clp_nominations,
        total_clps=total_clps,
        affiliate_nominations=affiliate_nominations,
        total_affiliated_membership=total_affiliated_membership,
    )
    if not met:
        return Qualification(False, ("plp",), f"excluded: {plp_text}; but {text}", needed, True)
    assert routes is not None
    met_routes, _ = _routes_met(
        routes, clp_nominations, total_clps, affiliate_nominations, total_affiliated_membership
    )
    return Qualification(True, ("plp", *met_routes), f"qualified: {plp_text}; {text}", needed, True)


# --------------------------------------------------------------------------
# Trigger ballots
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class TriggerOutcome:
    """The result of a trigger ballot for one MP."""

    full_selection: bool
    """True if the MP faces a full selection (is not automatically reselected)."""
    reason: str
    """Readable account of the decision."""
    method: str
    """The reselection method applied."""
    branch_share: Fraction | None = None
    """Share of party branches for a full selection (None if no branches)."""
    affiliate_share: Fraction | None = None
    """Share of affiliated branches for a full selection (None if none)."""
    combined_share: Fraction | None = None
    """pre_2018: share of all branches combined for a full selection."""
    college_share: Fraction | None = None
    """weighted_college: weighted college share for a full selection."""
    member_support_share: Fraction | None = None
    """members_supermajority: the MP's share of members' votes."""

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for the event log (shares as floats)."""
        return {
            key: float(value) if isinstance(value, Fraction) else value
            for key, value in asdict(self).items()
        }


def trigger_ballot_outcome(
    rules: "ReselectionRules | RuleSet",
    *,
    branches_for_selection: int,
    branches_total: int,
    affiliates_for_selection: int,
    affiliates_total: int,
    member_support_share: float | Fraction | None = None,
) -> TriggerOutcome:
    """Whether a sitting MP faces a full selection under the reselection rules.

    "For selection" means voting for a full selection, i.e. against the MP's
    automatic reselection. Comparisons are exact (integers and fractions).

    Edge cases, by design:

    * a CLP with no affiliated branches: under ``pre_2018`` the combined count
      is the party branches alone; under ``either_third`` only party branches
      can trigger; under ``weighted_college`` the branch half decides alone
      (and the affiliate half alone if there are no party branches);
    * a CLP with no branches of either kind cannot trigger: the MP is kept;
    * ties: ``pre_2018`` — exactly half for a selection means the MP lacks a
      majority, so a full selection; ``either_third`` — exactly a third
      triggers ("at least a third"); ``weighted_college`` — exactly half does
      not ("more than 50%"); ``members_supermajority`` — exactly the bar keeps
      the MP.

    Args:
        rules: the reselection rules (or a whole rule set).
        branches_for_selection: party (ward) branches voting for a full selection.
        branches_total: party branches that voted.
        affiliates_for_selection: affiliated branches voting for a full selection.
        affiliates_total: affiliated branches that voted.
        member_support_share: the MP's share of CLP members' votes; required
            by ``members_supermajority``, ignored otherwise.

    Returns:
        The :class:`TriggerOutcome` with the shares used.

    Raises:
        ValueError: counts out of range, or ``member_support_share`` missing
            where the method needs it.
    """
    reselection = rules.reselection if isinstance(rules, RuleSet) else rules
    _check_counts(
        branches_for_selection=branches_for_selection,
        branches_total=branches_total,
        affiliates_for_selection=affiliates_for_selection,
        affiliates_total=affiliates_total,
    )
    if branches_for_selection > branches_total or affiliates_for_selection > affiliates_total:
        raise ValueError(
            "branches voting for a selection cannot exceed those voting "
            f"({branches_for_selection}/{branches_total}, "
            f"{affiliates_for_selection}/{affiliates_total})"
        )
    branch_share = Fraction(branches_for_selection, branches_total) if branches_total else None
    affiliate_share = (
        Fraction(affiliates_for_selection, affiliates_total) if affiliates_total else None
    )
    tally = (
        f"{branches_for_selection}/{branches_total} branches and "
        f"{affiliates_for_selection}/{affiliates_total} affiliates for a full selection"
    )
    method = reselection.method
    shares = {"branch_share": branch_share, "affiliate_share": affiliate_share}

    if method == "open_selection":
        return TriggerOutcome(
            True, "open selection: every MP faces a full selection", method, **shares
        )

    if method == "members_supermajority":
        if member_support_share is None:
            raise ValueError("members_supermajority needs member_support_share (the MP's share)")
        support = exact_share(member_support_share, "member_support_share")
        bar = reselection.supermajority_share
        assert bar is not None
        full = support < bar
        verdict = "below" if full else "at or above"
        return TriggerOutcome(
            full,
            f"MP won {pct(support)} of members' votes, {verdict} the {pct(bar)} needed",
            method,
            member_support_share=support,
            **shares,
        )

    if branches_total + affiliates_total == 0:
        return TriggerOutcome(False, "no branches voted: the MP is reselected", method, **shares)

    if method == "pre_2018":
        threshold = reselection.combined_threshold
        assert threshold is not None
        combined = Fraction(
            branches_for_selection + affiliates_for_selection, branches_total + affiliates_total
        )
        full = combined >= threshold
        verdict = "reaches" if full else "is below"
        return TriggerOutcome(
            full,
            f"{tally}: combined share {combined} {verdict} {threshold}",
            method,
            combined_share=combined,
            **shares,
        )

    if method == "either_third":
        b_bar, a_bar = reselection.branch_threshold, reselection.affiliate_threshold
        assert b_bar is not None and a_bar is not None
        by_branches = branch_share is not None and branch_share >= b_bar
        by_affiliates = affiliate_share is not None and affiliate_share >= a_bar
        if by_branches or by_affiliates:
            who = " and ".join(
                n for n, hit in (("branches", by_branches), ("affiliates", by_affiliates)) if hit
            )
            reason = f"{tally}: triggered by {who} (at least {b_bar} / {a_bar})"
        else:
            reason = f"{tally}: neither reaches {b_bar} of branches nor {a_bar} of affiliates"
        return TriggerOutcome(by_branches or by_affiliates, reason, method, **shares)

    # weighted_college
    weights = reselection.college_weights
    threshold = reselection.college_threshold
    assert weights is not None and threshold is not None
    parts = [(weights["branches"], branch_share), (weights["affiliates"], affiliate_share)]
    present = [(w, s) for w, s in parts if s is not None]
    # Renormalising over the halves present lets one half decide alone when
    # the CLP has no branches of the other kind.
    college = sum((w * s for w, s in present), Fraction(0)) / sum(w for w, _ in present)
    full = college > threshold
    verdict = "more than" if full else "not more than"
    return TriggerOutcome(
        full,
        f"{tally}: college share {pct(college)} is {verdict} {pct(threshold)}",
        method,
        college_share=college,
        **shares,
    )


# --------------------------------------------------------------------------
# Conference
# --------------------------------------------------------------------------


def card_vote_passes(
    rules: "ConferenceRules | RuleSet",
    *,
    affiliates_for: float | Fraction,
    clps_for: float | Fraction,
) -> tuple[bool, Fraction]:
    """Whether a motion passes a weighted card vote.

    Args:
        rules: the conference rules (or a whole rule set).
        affiliates_for: share of the affiliates' vote cast for the motion.
        clps_for: share of the CLP delegates' vote cast for the motion.

    Returns:
        ``(passes, weighted share for)``; passes on more than ``majority_required``.
    """
    conference = rules.conference if isinstance(rules, RuleSet) else rules
    weighted = conference.affiliates_weight * exact_share(
        affiliates_for, "affiliates_for"
    ) + conference.clp_weight * exact_share(clps_for, "clps_for")
    return weighted > conference.majority_required, weighted
