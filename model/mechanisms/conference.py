"""Annual conference: the card vote on rule-change proposals.

Each proposal (``mechanisms.proposals``) is decided by a **card vote**:

* the affiliates' share (50% by default, ``ConferenceRules.affiliates_weight``)
  is cast as union **block votes**, one per affiliate, sized by its affiliated
  membership and cast whole for or against by its leadership's preference;
* the CLP delegates' share (50% by default, ``ConferenceRules.clp_weight``) is
  cast CLP by CLP, each CLP's vote sized by its membership and directed by who
  controls it: a faction-controlled CLP votes its faction's line, an unaligned
  one by its members' median position (with a little noise).

Each half becomes a share of that half before weighting (as in 2021, when
~352k CLP votes and ~1.81m affiliate votes were each worth half; data:
conference_and_affiliates.example_card_vote_sizes_2021), and
``rules.card_vote_passes`` decides: more than ``majority_required``, exactly.
Under ``conference.stances = "direction"`` each bloc and delegation supports a
proposal by the one-dimensional rule (``proposals.supports``); under
"interests" the institution judges each and tallies here.

Everything here is pure: arrays and small records in, results out; the model
supplies the state, records the events and swaps the rules in.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
from scipy import special

from model.mechanisms.proposals import (
    DEFAULT_SHIFT_SCALE,
    Proposal,
    changes_something,
    support_mask,
    supports,
)
from model.rules.schema import (
    ConferenceRules,
    RuleSet,
    card_vote_passes,
)

__all__ = [
    "CardVoteResult",
    "ClpDelegates",
    "UnionBloc",
    "UnionVote",
    "adopt_passed",
    "card_vote",
    "delegation_mandates",
    "tally_card_vote",
]


# --------------------------------------------------------------------------
# The card vote
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class UnionBloc:
    """An affiliate's block vote at conference.

    Attributes:
        name: the affiliate's name.
        affiliated_membership: members it affiliates (its card-vote size).
        leadership_ideology: its leadership's position; directs the whole block.
    """

    name: str
    affiliated_membership: int
    leadership_ideology: float

    def __post_init__(self) -> None:
        if self.affiliated_membership < 0:
            raise ValueError(
                f"{self.name}: affiliated_membership must be >= 0 "
                f"(got {self.affiliated_membership})"
            )


@dataclass(frozen=True)
class ClpDelegates:
    """The CLP delegations at conference, one row per CLP (columnar).

    Attributes:
        votes: each CLP's card-vote size — its membership (whole numbers keep
            the shares exact).
        line: the controlling faction's line, NaN for an unaligned CLP.
        member_median: the CLP members' median position (used when unaligned).
    """

    votes: np.ndarray
    line: np.ndarray
    member_median: np.ndarray

    def __post_init__(self) -> None:
        n = len(self.votes)
        if len(self.line) != n or len(self.member_median) != n:
            raise ValueError(
                f"votes, line and member_median need one entry per CLP "
                f"(got {n}, {len(self.line)}, {len(self.member_median)})"
            )
        if np.any(np.asarray(self.votes) < 0):
            raise ValueError("CLP votes must be >= 0")
        if not np.all(np.isfinite(np.asarray(self.member_median, dtype=float))):
            raise ValueError("member_median must be finite for every CLP")

    def __len__(self) -> int:
        return len(self.votes)

    @property
    def unaligned(self) -> np.ndarray:
        """Mask of CLPs no faction controls."""
        return np.isnan(np.asarray(self.line, dtype=float))


@dataclass(frozen=True)
class UnionVote:
    """One affiliate's block vote: all its votes, one way (or an abstention)."""

    name: str
    votes: int
    supports: bool
    abstains: bool = False

    @property
    def vote(self) -> str:
        """ "for", "against" or "abstain"."""
        if self.abstains:
            return "abstain"
        return "for" if self.supports else "against"

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for the event log."""
        return {"name": self.name, "votes": self.votes, "vote": self.vote}


@dataclass(frozen=True)
class CardVoteResult:
    """The result of a card vote on one proposal, by bloc.

    Attributes:
        proposal: the proposal voted on.
        passes: True if the weighted share for is more than the majority required.
        share_for: the weighted share for (exact).
        majority_required: the share it had to exceed.
        affiliates_weight, clp_weight: the halves' weights.
        affiliates_for: share of the affiliates' votes for (exact).
        clps_for: share of the CLP delegates' votes for (exact).
        union_votes: each affiliate's block vote.
        affiliate_votes_for, affiliate_votes_against: affiliates' votes.
        clp_votes_for, clp_votes_against: CLP delegates' votes (membership-weighted).
        clps_voting_for, clps_voting_against: CLPs by direction of their vote.
        unaligned_for, unaligned_against: of those, unaligned CLPs.
    """

    proposal: Proposal
    passes: bool
    share_for: Fraction
    majority_required: Fraction
    affiliates_weight: Fraction
    clp_weight: Fraction
    affiliates_for: Fraction
    clps_for: Fraction
    union_votes: tuple[UnionVote, ...]
    affiliate_votes_for: int
    affiliate_votes_against: int
    clp_votes_for: float
    clp_votes_against: float
    clps_voting_for: int
    clps_voting_against: int
    unaligned_for: int
    unaligned_against: int
    affiliate_votes_abstained: int = 0

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict for the event log, with bloc totals."""
        return {
            **self.proposal.to_dict(),
            "passes": self.passes,
            "share_for": float(self.share_for),
            "share_for_exact": str(self.share_for),
            "majority_required": str(self.majority_required),
            "blocs": {
                "affiliates": {
                    "weight": str(self.affiliates_weight),
                    "votes_for": self.affiliate_votes_for,
                    "votes_against": self.affiliate_votes_against,
                    "votes_abstained": self.affiliate_votes_abstained,
                    "share_for": float(self.affiliates_for),
                },
                "clps": {
                    "weight": str(self.clp_weight),
                    "votes_for": _number(self.clp_votes_for),
                    "votes_against": _number(self.clp_votes_against),
                    "share_for": float(self.clps_for),
                    "clps_for": self.clps_voting_for,
                    "clps_against": self.clps_voting_against,
                    "unaligned_for": self.unaligned_for,
                    "unaligned_against": self.unaligned_against,
                },
            },
            "unions": [vote.to_dict() for vote in self.union_votes],
        }


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else float(value)


def _exact_total(values: np.ndarray) -> Fraction:
    """Exact sum: whole numbers as integers, other floats by their exact binary value."""
    values = np.asarray(values)
    if np.issubdtype(values.dtype, np.integer):
        return Fraction(sum(int(v) for v in values))
    return sum((Fraction(float(v)) for v in values), Fraction(0))


def card_vote(
    proposal: Proposal,
    *,
    unions: Sequence[UnionBloc],
    clps: ClpDelegates,
    rules: ConferenceRules | RuleSet,
    balance: float = 0.0,
    shift_scale: float = DEFAULT_SHIFT_SCALE,
    clp_noise: float = 0.0,
    rng: np.random.Generator | None = None,
) -> CardVoteResult:
    """Conference decides a proposal by card vote.

    Each affiliate casts its whole block (its affiliated membership) for the
    proposal iff its leadership supports it (:func:`supports`); each CLP
    casts its votes (its membership) for iff its position supports it: the
    controlling faction's line, or for an unaligned CLP its members' median
    plus N(0, ``clp_noise``) (drawn in CLP order, one draw per unaligned
    CLP). Each half's share for is exact (votes for / votes cast); the
    weighted share passes on more than ``majority_required``
    (``rules.card_vote_passes``) — exactly half fails.

    Args:
        proposal: the proposal.
        unions: the affiliates' block votes.
        clps: the CLP delegations.
        rules: the conference rules in force (or the whole rule set).
        balance: the balance point of the support rule.
        shift_scale: shift of the balance for a direction of ±1.
        clp_noise: sd of noise on unaligned CLPs' positions (0: none).
        rng: random generator; needed when ``clp_noise`` > 0 and some CLP
            is unaligned.

    Returns:
        The :class:`CardVoteResult`.

    Raises:
        ValueError: a half has no votes at all (the card vote is undefined),
            or noise is asked for without a generator.
    """
    conference = rules.conference if isinstance(rules, RuleSet) else rules
    union_votes = tuple(
        UnionVote(
            u.name,
            int(u.affiliated_membership),
            supports(
                u.leadership_ideology,
                proposal.direction,
                balance=balance,
                shift_scale=shift_scale,
            ),
        )
        for u in unions
    )
    unaligned = clps.unaligned
    position = np.where(unaligned, np.asarray(clps.member_median, dtype=float), clps.line)
    if clp_noise > 0 and unaligned.any():
        if rng is None:
            raise ValueError("card_vote: clp_noise > 0 needs an rng")
        # Delegates of an unaligned CLP are not whipped: their mandate follows
        # the members only roughly (who attended the delegate election, the
        # debate on the day).
        position = position.copy()
        position[unaligned] += rng.normal(0.0, clp_noise, size=int(unaligned.sum()))
    clp_yes = support_mask(position, proposal.direction, balance=balance, shift_scale=shift_scale)
    affiliates_total = sum(v.votes for v in union_votes)
    if affiliates_total == 0:
        raise ValueError("card_vote: both halves need votes (affiliates 0)")
    return tally_card_vote(
        proposal,
        union_votes=union_votes,
        clp_votes=np.asarray(clps.votes),
        clp_for=clp_yes,
        unaligned=unaligned,
        rules=conference,
    )


def tally_card_vote(
    proposal: Proposal,
    *,
    union_votes: Sequence[UnionVote],
    clp_votes: np.ndarray,
    clp_for: np.ndarray,
    unaligned: np.ndarray,
    rules: ConferenceRules | RuleSet,
) -> CardVoteResult:
    """Count a card vote from each affiliate's vote and each CLP delegation's.

    Abstaining affiliates' votes are left out of the affiliates' half; a
    half in which nobody votes for counts 0 for. Each half's share for is
    exact, then weighted (``rules.card_vote_passes``): more than
    ``majority_required`` passes.

    Args:
        proposal: what is voted on.
        union_votes: each affiliate's block vote.
        clp_votes: each CLP delegation's card-vote size (its membership).
        clp_for: mask of delegations voting for.
        unaligned: mask of delegations from CLPs no faction controls.
        rules: the conference rules in force (or the whole rule set).

    Returns:
        The CardVoteResult.

    Raises:
        ValueError: the CLPs' half has no votes at all.
    """
    conference = rules.conference if isinstance(rules, RuleSet) else rules
    union_votes = tuple(union_votes)
    cast = [v for v in union_votes if not v.abstains]
    affiliates_total = sum(v.votes for v in cast)
    affiliates_yes = sum(v.votes for v in cast if v.supports)
    abstained = sum(v.votes for v in union_votes if v.abstains)
    votes = np.asarray(clp_votes)
    clp_yes = np.asarray(clp_for, dtype=bool)
    clp_total = _exact_total(votes)
    clp_in_favour = _exact_total(votes[clp_yes])
    if clp_total == 0:
        raise ValueError("card_vote: both halves need votes (CLPs 0)")
    affiliates_for = Fraction(affiliates_yes, affiliates_total) if affiliates_total else Fraction(0)
    clps_for = clp_in_favour / clp_total
    passes, share = card_vote_passes(conference, affiliates_for=affiliates_for, clps_for=clps_for)
    return CardVoteResult(
        proposal=proposal,
        passes=passes,
        share_for=share,
        majority_required=conference.majority_required,
        affiliates_weight=conference.affiliates_weight,
        clp_weight=conference.clp_weight,
        affiliates_for=affiliates_for,
        clps_for=clps_for,
        union_votes=union_votes,
        affiliate_votes_for=affiliates_yes,
        affiliate_votes_against=affiliates_total - affiliates_yes,
        clp_votes_for=float(clp_in_favour),
        clp_votes_against=float(clp_total - clp_in_favour),
        clps_voting_for=int(clp_yes.sum()),
        clps_voting_against=int((~clp_yes).sum()),
        unaligned_for=int((clp_yes & unaligned).sum()),
        unaligned_against=int((~clp_yes & unaligned).sum()),
        affiliate_votes_abstained=abstained,
    )


def adopt_passed(
    current_rules: RuleSet,
    results: Sequence[CardVoteResult],
    *,
    reason: str = "conference",
) -> tuple[RuleSet, list[Proposal]]:
    """The rules after conference: the passed proposals applied in order.

    A passed proposal is skipped if an earlier one already made it a no-op
    or it no longer fits (e.g. two passed changes of the reselection method:
    the first wins). ``current_rules`` is never modified, so a contest or a
    trigger-ballot round that took its rules before conference keeps them:
    the change applies from the next event (``takes_effect = "next_event"``).

    Args:
        current_rules: the rules in force before conference.
        results: the card votes, in the order they were taken.
        reason: prefix for the changed fields' sources (e.g. "conference 2021").

    Returns:
        ``(new rules, proposals applied)``; the new rules are ``current_rules``
        itself when nothing passed.
    """
    rules = current_rules
    applied: list[Proposal] = []
    for result in results:
        if not result.passes or not changes_something(rules, result.proposal.changes):
            continue
        share = f"{float(result.share_for):.2%}"
        rules = result.proposal.apply(
            rules, reason=f"{reason}: {result.proposal.title}, card vote {share}"
        )
        applied.append(result.proposal)
    return rules, applied


def delegation_mandates(count: int, key: str, rng: np.random.Generator | None) -> np.ndarray:
    """Each CLP delegation's own lean on one proposal, in units of its sd (standard normal).

    A delegation does not vote exactly as its CLP's median member would: the
    motions its CLP sent, its general committee's mandate and the delegates'
    own views differ from place to place (in 2018 a third of the CLP half
    backed each of the NEC's changes that two thirds opposed; labour_politics.json
    conference_and_nec_rule_votes.2018_conference). The lean is a random
    utility (McFadden 1974), one per delegation and proposal, so that the
    same delegation may protest on one item and back the next.

    Args:
        count: the number of delegations (CLPs).
        key: the proposal (its title); a forecast's lean depends on it alone.
        rng: the conference's random stream for a vote; None for a forecast,
            which takes the standard normal's quantiles in an order fixed by
            `key` (no draw from the model's streams), so the share it
            forecasts is the expected one.

    Returns:
        One standard-normal lean per delegation.
    """
    if rng is not None:
        return rng.standard_normal(count)
    quantiles = special.ndtri((np.arange(count) + 0.5) / max(count, 1))
    order = np.random.default_rng(zlib.crc32(key.encode())).permutation(count)
    return quantiles[order]
