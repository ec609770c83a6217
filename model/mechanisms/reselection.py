"""Trigger ballots, full selections, open-seat selections and MPs who react.

How CLP-level strength reaches the parliamentary party (MODEL.md §5):

* **Trigger ballot** — for a sitting MP, each branch holds a *meeting*
  (`branch_votes`: the attendees vote for or against a full selection, and
  the branch goes with its majority) and each affiliated branch votes by its
  union leadership's stance (`affiliate_votes`). Under a members'
  supermajority rule the MP instead faces a *ballot* of all CLP members
  (`member_support`). `rules.trigger_ballot_outcome` applies the rule.
* **Full selection** — a members' ballot between the MP and challengers
  fielded by the factions active in the CLP (`field_challengers`), counted
  by the eliminating ballot (`selection_ballot`).
* **Open-seat selection** — the same ballot without a sitting MP, when an MP
  retires or a seat is gained.
* **Focusing the mind** — with a round ahead and the CLP in hostile hands,
  an MP moves towards its members by its responsiveness (`focus_the_mind`).

Pure functions on arrays and small records; party.py wires them in.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.counting.count import CountResult, count_ballots, group_ballots
from model.mechanisms import contests
from model.scenario.schema import ContestSpec, ReselectionSpec


@dataclass(frozen=True)
class BranchTally:
    """The branch meetings of one CLP on one MP.

    Attributes:
        for_selection: attendees voting for a full selection, per branch.
        against: attendees voting to nominate the MP, per branch.
        branches_for: branches whose meeting wanted a full selection.
        branches_voting: branches that met with at least one attendee.
    """

    for_selection: np.ndarray
    against: np.ndarray
    branches_for: int
    branches_voting: int

    def to_dict(self) -> dict[str, object]:
        """Plain dict for the event log."""
        return {
            "for_selection": self.for_selection.tolist(),
            "against": self.against.tolist(),
            "branches_for": self.branches_for,
            "branches_voting": self.branches_voting,
        }


def wants_selection(
    ideology: np.ndarray,
    faction: np.ndarray,
    *,
    mp_ideology: float,
    mp_faction: int,
    faction_lines: np.ndarray,
    trigger_distance: np.ndarray,
    discipline: np.ndarray,
    params: ReselectionSpec,
    rng: np.random.Generator,
) -> np.ndarray:
    """Whether each voter wants a full selection rather than the MP's reselection.

    A faction member follows the faction's line with its discipline: the
    faction campaigns for a selection where the MP is not one of its own and
    sits further from its line than its `trigger_distance` (factions pick
    their fights: in 2019 a handful of MPs were triggered under a one-third
    threshold). Everyone else (and the undisciplined) wants one when further
    from the MP than the tolerance plus the benefit of the doubt members give
    their own MP, give or take some noise.

    Args:
        ideology: voters' ideology.
        faction: voters' faction (-1 none).
        mp_ideology: the MP's position.
        mp_faction: the MP's faction (-1 none).
        faction_lines: each faction's line.
        trigger_distance: per faction, how far an MP must be from its line
            for it to campaign for a full selection.
        discipline: each faction's slate discipline.
        params: reselection parameters.
        rng: random generator.

    Returns:
        Boolean per voter.
    """
    distance = np.abs(ideology - mp_ideology) + rng.normal(0.0, params.vote_noise, ideology.size)
    # Members give their own sitting MP some benefit of the doubt (incumbency).
    personal = distance > params.tolerance + params.incumbency_tolerance
    if faction_lines.size == 0:
        return personal
    faction_wants = (np.abs(faction_lines - mp_ideology) > trigger_distance) & (
        np.arange(faction_lines.size) != mp_faction
    )
    aligned = faction >= 0
    follows = np.zeros(ideology.size, dtype=bool)
    follows[aligned] = rng.random(int(aligned.sum())) < discipline[faction[aligned]]
    line_vote = np.zeros(ideology.size, dtype=bool)
    line_vote[aligned] = faction_wants[faction[aligned]]
    return np.where(follows, line_vote, personal)


def branch_votes(wants: np.ndarray, branch: np.ndarray, n_branches: int) -> BranchTally:
    """Count the branch meetings: each branch goes with its attendees' majority.

    A tied branch nominates the MP (a full selection needs a majority for
    one); a branch nobody attended does not vote.

    Args:
        wants: per attendee, wants a full selection.
        branch: per attendee, the branch (0 .. n_branches-1 within the CLP).
        n_branches: branches in the CLP.

    Returns:
        The BranchTally.
    """
    for_ = np.bincount(branch[wants], minlength=n_branches)
    against = np.bincount(branch[~wants], minlength=n_branches)
    voting = (for_ + against) > 0
    return BranchTally(
        for_selection=for_,
        against=against,
        branches_for=int(np.count_nonzero(voting & (for_ > against))),
        branches_voting=int(np.count_nonzero(voting)),
    )


def affiliate_votes(
    affiliated_branches: np.ndarray,
    leadership_ideology: np.ndarray,
    *,
    mp_ideology: float,
    tolerance: float,
) -> tuple[int, int, dict[int, bool]]:
    """Each affiliated branch votes by its union leadership's stance.

    Args:
        affiliated_branches: affiliated branches in the CLP, per union.
        leadership_ideology: each union leadership's position.
        mp_ideology: the MP's position.
        tolerance: a union wants a full selection when its leadership is
            further than this from the MP.

    Returns:
        (branches for a full selection, affiliated branches voting,
        union index -> wants a full selection).
    """
    stance = {
        int(u): bool(abs(leadership_ideology[u] - mp_ideology) > tolerance)
        for u in np.flatnonzero(affiliated_branches)
    }
    total = int(affiliated_branches.sum())
    for_ = int(sum(affiliated_branches[u] for u, wants in stance.items() if wants))
    return for_, total, stance


def member_support(
    wants: np.ndarray, turnout: np.ndarray, rng: np.random.Generator
) -> tuple[int, int]:
    """A members' ballot on keeping the MP.

    Args:
        wants: per member, wants a full selection (votes against the MP).
        turnout: per member, chance of voting.
        rng: random generator.

    Returns:
        (votes to keep the MP, votes against).
    """
    voted = rng.random(wants.size) < turnout
    return int(np.count_nonzero(voted & ~wants)), int(np.count_nonzero(voted & wants))


def field_challengers(
    member_faction: np.ndarray,
    member_ideology: np.ndarray,
    member_activism: np.ndarray,
    *,
    control: int,
    exclude_faction: int,
    faction_names: list[str],
    founded: np.ndarray,
    params: ReselectionSpec,
    rng: np.random.Generator,
    label: str,
) -> list[contests.Candidate]:
    """Hopefuls for a selection: one per faction active in the CLP, plus a local.

    Hopefuls are the CLP's own activists, not points on the axis: a faction
    that controls the CLP or has at least `challenger_min_share` of its
    members (and is not the sitting MP's own faction) stands one of its
    local members, chosen with a chance proportional to activism; where the
    scenario allows, an unaligned activist stands too. A hopeful sits where
    that member sits, so a local candidate is not automatically at the CLP's
    median.

    Args:
        member_faction: factions of the CLP's members.
        member_ideology: ideology of the CLP's members.
        member_activism: their activism (who puts themselves forward).
        control: the CLP's controlling faction (-1 unaligned).
        exclude_faction: the sitting MP's faction (-1: none excluded).
        faction_names: each faction's name (for candidates' names).
        founded: per faction, whether it exists yet.
        params: reselection parameters.
        rng: random generator (who stands, valence).
        label: a prefix for the hopefuls' names (e.g. the CLP).

    Returns:
        The hopefuls (their `mp` field is -1: not yet MPs).
    """
    low, high = params.hopeful_valence
    n = max(member_faction.size, 1)
    hopefuls = []

    def activist(pool: np.ndarray) -> int:
        weight = member_activism[pool].astype(float) + 1e-12
        return int(rng.choice(pool, p=weight / weight.sum()))

    for f, name in enumerate(faction_names):
        if f == exclude_faction or not founded[f]:
            continue
        own = np.flatnonzero(member_faction == f)
        if own.size and (control == f or own.size / n >= params.challenger_min_share):
            who = activist(own)
            hopefuls.append(
                contests.Candidate(
                    name=f"{label} {name} hopeful",
                    mp=-1,
                    ideology=float(member_ideology[who]),
                    valence=float(rng.uniform(low, high)),
                    faction=f,
                )
            )
    unaligned = np.flatnonzero(member_faction < 0)
    if params.unaligned_hopeful and unaligned.size:
        who = activist(unaligned)
        hopefuls.append(
            contests.Candidate(
                name=f"{label} local hopeful",
                mp=-1,
                ideology=float(member_ideology[who]),
                valence=float(rng.uniform(low, high)),
                faction=-1,
            )
        )
    return hopefuls


def selection_ballot(
    voter_ideology: np.ndarray,
    voter_turnout: np.ndarray,
    candidates: list[contests.Candidate],
    *,
    params: ContestSpec,
    rng: np.random.Generator,
    electability: float | None = None,
    incumbency: float = 0.0,
) -> CountResult | None:
    """A members' eliminating ballot choosing the CLP's candidate.

    Args:
        voter_ideology: the CLP members' ideology.
        voter_turnout: their turnout propensities.
        candidates: who stands (a sitting MP is the `incumbent`).
        params: contest parameters (utilities, truncation).
        rng: random generator.
        electability: the moment's weight on valence (None: the base weight).
        incumbency: the sitting MP's bonus (members' loyalty to their MP).

    Returns:
        The count, or None when nobody voted.
    """
    voted = rng.random(voter_ideology.size) < voter_turnout
    if not voted.any() or not candidates:
        return None
    rankings = contests.rank_candidates(
        contests.utilities(
            voter_ideology[voted],
            candidates,
            params=params,
            rng=rng,
            electability=electability,
            incumbency=incumbency,
        ),
        truncation=params.truncation,
        rng=rng,
    )
    profile = group_ballots(rankings, candidates=[c.name for c in candidates])
    return count_ballots(profile, rng=int(rng.integers(2**31)))


def focus_the_mind(
    mp_ideology: np.ndarray,
    members_mean: np.ndarray,
    responsiveness: np.ndarray,
    threatened: np.ndarray,
    rate: float,
) -> np.ndarray:
    """Threatened MPs move towards their members.

    Args:
        mp_ideology: MPs' positions.
        members_mean: mean position of each MP's CLP members.
        responsiveness: each MP's responsiveness in [0, 1].
        threatened: which MPs feel the threat of a round ahead.
        rate: monthly share of the gap closed at responsiveness 1.

    Returns:
        New positions (unthreatened MPs unchanged: ideology is sticky).
    """
    step = rate * responsiveness * (members_mean - mp_ideology)
    return np.where(threatened, mp_ideology + step, mp_ideology)
