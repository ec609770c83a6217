"""How an affiliate decides: its nominations and its stance on a rule change.

An affiliate is not one position. It has a leadership (the general secretary
and executive), a political body that decides Labour matters (an executive,
a political committee such as UNISON's Labour Link committee, a union
conference, or a ballot of its members), its politically active levy payers
(levy payers who are also party members: the committee's and conference's
activists) and its levy payers at large. The sources name the procedure
union by union (labour_politics.json: unions.nominations): Unite's executive
chose (2015, 2016, 2020); UNISON's 23-member Labour Link committee chose
(2015, 2020) and consulted its levy payers (2016); GMB consulted and found
"no clear consensus" (2015), then balloted all members (2016: Smith 60%);
the CWU held a special conference and the TSSA balloted (2020).

**Nominations** (:func:`nominate`). Each voice has a weight by procedure
(``UnionRules.leadership_weight``): the leadership's voice goes whole to its
own favourite — the candidate of highest utility
``−|leadership − candidate| + electability × valence`` (union leaders weigh
winning a general election: GMB's 2016 ballot asked who was "best placed to
lead the Labour party to a general election victory"), provided it is within
``nomination_radius``; the rest is the consulted group's first preferences
(activists for a committee or conference; levy payers for a consultation or
ballot), polled with the same utility as a party ballot. The candidate with
the most weight is nominated if it has at least ``consensus`` of it; else the
affiliate nominates nobody (GMB 2015). An affiliate that never nominates
(Bectu, "in keeping with past practice") is marked so in the scenario.

**Stance on a rule change** (:func:`stance`). The deciding body's position
is a mix by procedure (:func:`body_position`); its utility for a change is

    ideological gain (rule_power.ideological_gain)
    + institutional_weight × the change in the affiliates' own say
    + loyalty: trust of the proposer within ``loyalty_radius``, distrust beyond
      (``± loyalty`` at most).

It votes for above ``abstain_band``, against below minus it, and abstains in
between (a union can abstain). A change to the affiliates' own say in
electing the leader beyond ``minor_change`` is a change to its members'
rights: the affiliate will not commit its vote on it without consulting its
own structures, which takes ``consultation_months`` by procedure; with less
notice its stance is "needs time" (2021: the unions "wanted time to
consult"; Unite asked for a special conference), counted against.

Everything here is pure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

__all__ = [
    "PROCEDURES",
    "Nomination",
    "Stance",
    "UnionRules",
    "body_position",
    "first_preference_shares",
    "leadership_favourite",
    "loyalty",
    "needs_consultation",
    "nominate",
    "stance",
    "vote_of",
]

Procedure = Literal["executive", "committee", "consultation", "ballot", "conference"]
PROCEDURES: tuple[str, ...] = ("executive", "committee", "consultation", "ballot", "conference")

StanceKind = Literal["for", "against", "abstain", "needs time"]


@dataclass(frozen=True)
class UnionRules:
    """The decision rule's parameters (the scenario's ``[union_decisions]`` section).

    Attributes:
        leadership_weight: procedure -> weight of the leadership's voice in a nomination.
        consulted: procedure -> whose first preferences make up the rest:
            "activists" (levy payers who are party members) or "levy_payers".
        electability: union leaderships' weight on candidates' valence.
        nomination_radius: the leadership backs no candidate further than this.
        consensus: share of the weighted voices a nominee needs.
        institutional_weight: weight of the affiliates' own say in a rule change.
        loyalty: the most a proposer's closeness adds to a stance.
        loyalty_radius: closeness counts within this distance.
        abstain_band: stances within ±band of indifference abstain.
        minor_change: a change of the affiliates' leadership say up to this needs no consultation.
        consultation_months: procedure -> months an affiliate needs to consult.
    """

    leadership_weight: Mapping[str, float] = field(
        default_factory=lambda: {
            "executive": 1.0,
            "committee": 0.5,
            "consultation": 0.25,
            "ballot": 0.0,
            "conference": 0.0,
        }
    )
    consulted: Mapping[str, str] = field(
        default_factory=lambda: {
            "executive": "activists",
            "committee": "activists",
            "consultation": "levy_payers",
            "ballot": "levy_payers",
            "conference": "activists",
        }
    )
    electability: float = 0.3
    nomination_radius: float = 0.8
    consensus: float = 0.4
    institutional_weight: float = 0.2
    loyalty: float = 0.1
    loyalty_radius: float = 0.5
    abstain_band: float = 0.005
    minor_change: float = 0.05
    consultation_months: Mapping[str, int] = field(
        default_factory=lambda: {
            "executive": 1,
            "committee": 2,
            "consultation": 3,
            "ballot": 3,
            "conference": 6,
        }
    )


# --- nominations -------------------------------------------------------------------


def leadership_favourite(
    leadership: float,
    positions: Sequence[float],
    valences: Sequence[float],
    *,
    electability: float,
    radius: float,
) -> int:
    """The leadership's own choice: highest utility among candidates within ``radius`` (-1: none).

    Ties go to the earlier candidate.
    """
    if not len(positions):
        return -1
    x = np.asarray(positions, dtype=float)
    distance = np.abs(leadership - x)
    utility = -distance + electability * np.asarray(valences, dtype=float)
    utility = np.where(distance <= radius, utility, -np.inf)
    if not np.isfinite(utility).any():
        return -1
    return int(np.argmax(utility))


def first_preference_shares(utility: np.ndarray) -> np.ndarray:
    """Share of first preferences per candidate from a (voters, candidates) utility matrix."""
    utility = np.asarray(utility, dtype=float)
    if utility.size == 0 or utility.shape[0] == 0:
        return np.zeros(utility.shape[1] if utility.ndim == 2 else 0)
    firsts = np.argmax(utility, axis=1)
    return np.bincount(firsts, minlength=utility.shape[1]) / utility.shape[0]


@dataclass(frozen=True)
class Nomination:
    """An affiliate's nomination decision.

    Attributes:
        nominee: index of the nominee (-1: none).
        support: weighted support per candidate (sums to at most 1).
        leadership_choice: the leadership's favourite (-1: none within reach).
        consulted: whose preferences were polled ("activists" / "levy_payers").
        consulted_shares: their first-preference shares.
        reason: "nominated", "no clear consensus" or "does not nominate".
    """

    nominee: int
    support: tuple[float, ...]
    leadership_choice: int
    consulted: str
    consulted_shares: tuple[float, ...]
    reason: str

    def to_dict(self, names: Sequence[str]) -> dict[str, Any]:
        """JSON-ready, with candidate names."""
        return {
            "nominee": names[self.nominee] if self.nominee >= 0 else None,
            "reason": self.reason,
            "leadership_choice": (
                names[self.leadership_choice] if self.leadership_choice >= 0 else None
            ),
            "consulted": self.consulted,
            "consulted_shares": {
                n: round(v, 4) for n, v in zip(names, self.consulted_shares, strict=True)
            },
            "support": {n: round(v, 4) for n, v in zip(names, self.support, strict=True)},
        }


def nominate(
    leadership_choice: int,
    consulted_shares: Sequence[float],
    *,
    leadership_weight: float,
    consensus: float,
    consulted: str = "activists",
    nominates: bool = True,
) -> Nomination:
    """Combine the leadership's choice with the consulted group's first preferences.

    Args:
        leadership_choice: the leadership's favourite (-1: none within reach).
        consulted_shares: first-preference shares of the consulted group.
        leadership_weight: weight of the leadership's voice (0..1).
        consensus: share of the weighted voices a nominee needs.
        consulted: label of the consulted group.
        nominates: False for an affiliate that never nominates.

    Returns:
        The Nomination (nominee -1 when no candidate has ``consensus`` of the
        weighted voices, or the affiliate does not nominate).
    """
    shares = np.asarray(consulted_shares, dtype=float)
    n = shares.size
    if not 0.0 <= leadership_weight <= 1.0:
        raise ValueError(f"leadership_weight must be in [0, 1] (got {leadership_weight})")
    support = (1.0 - leadership_weight) * shares
    if 0 <= leadership_choice < n:
        support = support.copy()
        support[leadership_choice] += leadership_weight
    record = dict(
        support=tuple(float(v) for v in support),
        leadership_choice=int(leadership_choice),
        consulted=consulted,
        consulted_shares=tuple(float(v) for v in shares),
    )
    if not nominates:
        return Nomination(nominee=-1, reason="does not nominate", **record)
    if n == 0:
        return Nomination(nominee=-1, reason="no candidates", **record)
    best = int(np.argmax(support))
    if support[best] < consensus:
        return Nomination(nominee=-1, reason="no clear consensus", **record)
    return Nomination(nominee=best, reason="nominated", **record)


# --- stances on rule changes -------------------------------------------------------


def body_position(procedure: str, leadership: float, activists: float, levy_payers: float) -> float:
    """Where the body that decides an affiliate's card vote stands.

    executive: the leadership; committee: halfway between the leadership and
    the activists; conference: the activists; consultation: halfway between
    the leadership and the levy payers; ballot: the levy payers.
    """
    match procedure:
        case "executive":
            return leadership
        case "committee":
            return 0.5 * (leadership + activists)
        case "conference":
            return activists
        case "consultation":
            return 0.5 * (leadership + levy_payers)
        case "ballot":
            return levy_payers
    raise ValueError(f"unknown procedure {procedure!r} (known: {', '.join(PROCEDURES)})")


def loyalty(
    x: np.ndarray | float, proposer: float | None, *, weight: float, radius: float
) -> np.ndarray | float:
    """Trust or distrust of a proposer: ``weight × clip(1 − |x − proposer| / radius, −1, 1)``.

    Those within ``radius`` of the leader (or the NEC) lean to back its
    proposals, the more the nearer; those further away lean against them
    ("no blank cheque"), up to ``weight`` at twice the radius and beyond.
    """
    if proposer is None or weight == 0 or radius <= 0:
        return np.zeros_like(np.asarray(x, dtype=float)) if np.ndim(x) else 0.0
    closeness = 1.0 - np.abs(np.asarray(x, dtype=float) - proposer) / radius
    value = weight * np.clip(closeness, -1.0, 1.0)
    return float(value) if np.ndim(x) == 0 else value


def needs_consultation(affiliates_leadership_say_change: float, minor_change: float) -> bool:
    """A change to the affiliates' say in electing the leader beyond ``minor_change``."""
    return abs(affiliates_leadership_say_change) > minor_change


@dataclass(frozen=True)
class Stance:
    """An affiliate's stance on one proposal.

    Attributes:
        kind: "for", "against", "abstain" or "needs time".
        utility: the deciding body's utility (ideological + institutional + loyalty).
        ideological, institutional, loyalty: its parts.
        position: the deciding body's position.
        needs_consultation: the change touches the affiliates' own rights.
    """

    kind: StanceKind
    utility: float
    ideological: float
    institutional: float
    loyalty: float
    position: float
    needs_consultation: bool = False

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "stance": self.kind,
            "utility": round(self.utility, 6),
            "ideological": round(self.ideological, 6),
            "institutional": round(self.institutional, 6),
            "loyalty": round(self.loyalty, 6),
            "position": round(self.position, 6),
            "needs_consultation": self.needs_consultation,
        }


def stance(
    *,
    ideological: float,
    say_change: float,
    loyalty_bonus: float,
    position: float,
    rules: UnionRules,
    reference: float = 0.0,
    consultation_required: bool = False,
    notice_months: int = 12,
    procedure: str = "executive",
) -> Stance:
    """An affiliate's stance on a change (see the module docstring).

    Args:
        ideological: the body's ideological gain from the change.
        say_change: the change in the affiliates' own (weighted) say.
        loyalty_bonus: what the proposer's closeness adds.
        position: the body's position (for the record).
        rules: the decision parameters.
        reference: the utility of what happens if the change falls (a rival
            motion that would then pass), which it must beat (0: the rules as they are).
        consultation_required: the change touches the affiliates' own rights.
        notice_months: months between tabling and the vote.
        procedure: the affiliate's procedure (sets the months it needs to consult).

    Returns:
        The Stance.
    """
    institutional = rules.institutional_weight * say_change
    utility = ideological + institutional + loyalty_bonus
    parts = dict(
        utility=float(utility),
        ideological=float(ideological),
        institutional=float(institutional),
        loyalty=float(loyalty_bonus),
        position=float(position),
        needs_consultation=consultation_required,
    )
    if consultation_required and notice_months < rules.consultation_months.get(procedure, 0):
        return Stance(kind="needs time", **parts)
    margin = utility - reference
    if margin > rules.abstain_band:
        return Stance(kind="for", **parts)
    if margin < -rules.abstain_band:
        return Stance(kind="against", **parts)
    return Stance(kind="abstain", **parts)


def vote_of(kind: str) -> str:
    """How a stance is cast at conference: "needs time" is cast against."""
    return "against" if kind == "needs time" else kind
