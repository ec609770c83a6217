"""Leadership contests: field, nominations, electorate, ballots and the count.

A contest runs in two phases (MODEL.md §5):

1. **Nominations**, when the contest opens. Ambitious MPs declare
   (`declare_candidates`); MPs (and MEPs where the rules count them)
   nominate, most their favourite and a share lending to widen the field
   (`mp_nominations`); candidates over the PLP threshold then seek
   supporting nominations from CLPs — decided at nominating meetings by
   those who attend, a *meeting* (`clp_nominations`) — and from affiliates,
   by their leaderships (`affiliate_nominations`). `rules.qualifies` says
   who is on the ballot and why.
2. **The ballot**, when the contest closes. The electorate is assembled by
   voter type (`VoterRoll`); each voter who turns out ranks the candidates
   by utility — closeness, valence, noise (`rank_candidates`) — and the
   counting engine decides (`count_contest`), OMOV or college.

Everything here takes arrays and small records and returns results; the
model (party.py) supplies the state and applies the outcome.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np

from model.counting.count import BallotProfile, CountResult, count_ballots, group_ballots
from model.rules.decisions import AffiliateNomination, nomination_threshold, qualifies
from model.rules.schema import LeadershipRules
from model.scenario.schema import ContestSpec

# Voter types, in the order the party publishes them.
VOTER_TYPES = (
    "mps_meps",
    "members",
    "registered_supporters",
    "affiliated_supporters",
    "affiliates",
)


@dataclass(frozen=True)
class Candidate:
    """A declared candidate.

    Attributes:
        name: the MP's name.
        mp: index of the MP in the model's list of MPs.
        ideology: position on the left-right axis.
        valence: appeal beyond ideology (electability).
        faction: faction index, or -1.
        incumbent: the sitting leader (in a challenge).
    """

    name: str
    mp: int
    ideology: float
    valence: float
    faction: int = -1
    incumbent: bool = False

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for the event log."""
        return {
            "name": self.name,
            "ideology": round(self.ideology, 6),
            "valence": round(self.valence, 6),
            "faction": self.faction,
            "incumbent": self.incumbent,
        }


# --- the field ---------------------------------------------------------------


def declare_candidates(
    ideology: np.ndarray,
    ambitious: np.ndarray,
    *,
    count: int,
    draw: str,
    exclude: set[int],
    rng: np.random.Generator,
) -> list[int]:
    """Which MPs declare.

    "spread" picks declarers across the ideological range of the ambitious
    MPs (one from each of `count` equal slices, in random order within
    each), so that a field has a left and a right; "random" picks at random.

    Args:
        ideology: sitting MPs' ideology.
        ambitious: mask of MPs who want to stand; if fewer than `count`,
            others are drawn at random to make up the field.
        count: how many declare.
        draw: "spread" or "random".
        exclude: MP indices who cannot declare (already candidates).
        rng: random generator.

    Returns:
        Indices of the declaring MPs.
    """
    pool = np.array([i for i in np.flatnonzero(ambitious) if i not in exclude], dtype=int)
    if pool.size < count:
        # Too few ambitious MPs: others are persuaded to stand.
        others = np.array(
            [i for i in range(ideology.size) if not ambitious[i] and i not in exclude], dtype=int
        )
        extra = rng.choice(others, size=min(count - pool.size, others.size), replace=False)
        pool = np.sort(np.concatenate([pool, extra]))
    if pool.size == 0 or count <= 0:
        return []
    count = min(count, pool.size)
    if draw == "random":
        return sorted(rng.choice(pool, size=count, replace=False).tolist())
    ordered = pool[np.argsort(ideology[pool], kind="stable")]
    slices = np.array_split(ordered, count)
    return sorted(int(rng.choice(s)) for s in slices if s.size)


# --- preferences -----------------------------------------------------------------


def pragmatism(voter_ideology: np.ndarray, params: ContestSpec) -> np.ndarray:
    """How much each voter weighs winning against principle (0..1; 1 without `principled_below`).

    The left of the membership put principles first: in November 2015 most
    members and supporters would "say what they believe even if they lose"
    (56% against 32% who would compromise to win: labour_politics.json
    electability_and_members_polls.principles_vs_winning.nov_2015), and the
    2015–16 joiners saw themselves as a leftist vanguard
    (members_ideology_and_composition.cohort_differences_2015_16). A logistic
    in the voter's position: half weight at `principled_below`.
    """
    x = np.asarray(voter_ideology, dtype=float)
    if params.principled_below is None:
        return np.ones_like(x)
    return 1.0 / (1.0 + np.exp(-(x - params.principled_below) / params.principled_width))


def utilities(
    voter_ideology: np.ndarray,
    candidates: list[Candidate],
    *,
    params: ContestSpec,
    rng: np.random.Generator,
    cue: np.ndarray | None = None,
    electability: float | None = None,
    incumbency: float | None = None,
) -> np.ndarray:
    """Each voter's utility for each candidate.

    u = −|voter − candidate| + electability × pragmatism(voter) × valence
        + incumbency × [sitting] + cue + noise.

    The weight on valence (perceived electability) is the moment's: higher
    after a general-election defeat (`PartyState.electability_weight`). Not
    every voter weighs it: with `params.principled_below` set, voters on the
    left put principles first (`pragmatism`).
    Incumbency is its own term, not valence: the sitting leader in a
    challenge, or the sitting MP in a selection.

    Args:
        voter_ideology: voters' ideology (n_voters,).
        candidates: the candidates.
        params: the scenario's contest parameters.
        rng: random generator (noise).
        cue: optional (n_voters, n_candidates) bonus (e.g. one's union's nominee).
        electability: weight of valence (None: `params.valence_weight`).
        incumbency: bonus of the incumbent (None: `params.incumbency_weight`).

    Returns:
        Array (n_voters, n_candidates).
    """
    positions = np.array([c.ideology for c in candidates])
    valence = np.array([c.valence for c in candidates])
    sitting = np.array([c.incumbent for c in candidates], dtype=float)
    weight = params.valence_weight if electability is None else electability
    bonus = params.incumbency_weight if incumbency is None else incumbency
    u = -np.abs(voter_ideology[:, None] - positions[None, :]) + bonus * sitting
    if params.principled_below is None:
        u = u + weight * valence
    else:
        u = u + (weight * pragmatism(voter_ideology, params))[:, None] * valence[None, :]
    if cue is not None:
        u = u + cue
    if params.utility_noise > 0:
        u = u + rng.normal(0.0, params.utility_noise, u.shape)
    return u


def rank_candidates(
    utility: np.ndarray, *, truncation: float, rng: np.random.Generator
) -> np.ndarray:
    """Rankings from utilities, some truncated.

    Args:
        utility: (n_voters, n_candidates).
        truncation: share of voters who rank only their top k candidates,
            k drawn uniformly from 1 .. n_candidates - 1.
        rng: random generator.

    Returns:
        int8 array (n_voters, n_candidates) of candidate indices, best
        first, padded with -1 after a truncated ranking's last preference.
    """
    n_voters, n_cand = utility.shape
    rankings = np.argsort(-utility, axis=1, kind="stable").astype(np.int8)
    if n_cand > 1 and truncation > 0:
        short = rng.random(n_voters) < truncation
        depth = np.where(short, rng.integers(1, n_cand, n_voters), n_cand)
        rankings[np.arange(n_cand)[None, :] >= depth[:, None]] = -1
    return rankings


# --- nominations ---------------------------------------------------------------


def mp_nominations(
    nominator_ideology: np.ndarray,
    candidate_of_nominator: np.ndarray,
    candidates: list[Candidate],
    *,
    threshold: int,
    lend_share: float,
    params: ContestSpec,
    rng: np.random.Generator,
    electability: float | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """MPs' (and MEPs') nominations.

    A candidate nominates themself; every other nominator nominates their
    favourite. Then lenders — a `lend_share` of nominators whose favourite
    is safely over the threshold — move, one at a time, to the candidate
    nearest to (but below) the threshold, to widen the field, as MPs did for
    Abbott in 2010 and Corbyn in 2015.

    Args:
        nominator_ideology: nominators' ideology.
        candidate_of_nominator: for each nominator, the index of the
            candidate they are, or -1.
        candidates: the declared candidates.
        threshold: nominations needed.
        lend_share: share of nominators willing to lend.
        params: contest parameters (for utilities).
        rng: random generator.
        electability: the moment's weight on valence (None: the base weight).

    Returns:
        (nominations per candidate, the candidate each nominator nominated).
    """
    n_cand = len(candidates)
    if n_cand == 0:
        return np.zeros(0, dtype=int), np.full(nominator_ideology.size, -1)
    favourite = np.argmax(
        utilities(
            nominator_ideology, candidates, params=params, rng=rng, electability=electability
        ),
        axis=1,
    )
    choice = np.where(candidate_of_nominator >= 0, candidate_of_nominator, favourite)
    counts = np.bincount(choice, minlength=n_cand)
    may_lend = (candidate_of_nominator < 0) & (rng.random(choice.size) < lend_share)
    for voter in rng.permutation(np.flatnonzero(may_lend)):
        short = [c for c in range(n_cand) if counts[c] < threshold]
        own = choice[voter]
        if not short or counts[own] <= threshold:
            continue
        target = max(short, key=lambda c: (counts[c], -c))
        counts[own] -= 1
        counts[target] += 1
        choice[voter] = target
    return counts, choice


def clp_nominations(
    rankings_by_clp: list[np.ndarray],
    candidates: list[Candidate],
    *,
    rng: np.random.Generator,
) -> tuple[np.ndarray, list[int]]:
    """Each nominating meeting's choice, by eliminating ballot of those attending.

    Args:
        rankings_by_clp: per meeting CLP, the attendees' rankings (as from
            `rank_candidates`); an empty array for a meeting nobody attended.
        candidates: the candidates still in contention.
        rng: random generator (lots in the count).

    Returns:
        (nominee index per meeting or -1 when nobody came, attendees per meeting).
    """
    names = [c.name for c in candidates]
    nominee = np.full(len(rankings_by_clp), -1, dtype=int)
    attendees = []
    for i, rankings in enumerate(rankings_by_clp):
        attendees.append(int(len(rankings)))
        valid = rankings[rankings[:, 0] >= 0] if len(rankings) else rankings
        if len(valid) == 0:
            continue
        lot = int(rng.integers(2**31))  # drawn for every meeting counted, as ever
        # A majority of first preferences wins the count's first round (every
        # valid ballot is in play then): most meetings need no count.
        first = np.bincount(valid[:, 0], minlength=len(names))
        leader = int(np.argmax(first))
        if 2 * int(first[leader]) > len(valid):
            nominee[i] = leader
            continue
        result = count_ballots(group_ballots(valid, candidates=names), rng=lot)
        nominee[i] = names.index(result.winner)
    return nominee, attendees


def affiliate_nominations(
    leadership_ideology: np.ndarray, candidates: list[Candidate], *, radius: float
) -> np.ndarray:
    """Each affiliate's leadership nominates its nearest candidate, if near enough.

    Args:
        leadership_ideology: each affiliate's leadership position.
        candidates: candidates still in contention.
        radius: an affiliate nominates no one if every candidate is further.

    Returns:
        Nominee index per affiliate (-1: no nomination).
    """
    if not candidates:
        return np.full(leadership_ideology.size, -1)
    positions = np.array([c.ideology for c in candidates])
    distance = np.abs(leadership_ideology[:, None] - positions[None, :])
    nearest = np.argmin(distance, axis=1)
    return np.where(distance[np.arange(nearest.size), nearest] <= radius, nearest, -1)


@dataclass
class Nominations:
    """The nomination stage's record.

    Attributes:
        candidates: the declared candidates.
        threshold: PLP nominations needed.
        plp: PLP (and EPLP) nominations per candidate.
        clps: CLP nominations per candidate.
        clps_nominating: CLPs that held a nominating meeting.
        affiliates: names of nominating affiliates per candidate.
        qualified: per candidate, the rules' decision (as a dict).
    """

    candidates: list[Candidate]
    threshold: int
    plp: list[int]
    clps: list[int] = field(default_factory=list)
    clps_nominating: int = 0
    affiliates: list[list[str]] = field(default_factory=list)
    qualified: list[dict[str, Any]] = field(default_factory=list)

    @property
    def on_ballot(self) -> list[Candidate]:
        """Candidates who qualified."""
        return [c for c, q in zip(self.candidates, self.qualified, strict=True) if q["qualified"]]

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for the event log."""
        return {
            "candidates": [c.to_dict() for c in self.candidates],
            "plp_threshold": self.threshold,
            "plp": dict(zip([c.name for c in self.candidates], self.plp, strict=True)),
            "clps": dict(zip([c.name for c in self.candidates], self.clps, strict=True)),
            "clps_nominating": self.clps_nominating,
            "affiliates": dict(
                zip([c.name for c in self.candidates], self.affiliates, strict=True)
            ),
            "qualified": dict(zip([c.name for c in self.candidates], self.qualified, strict=True)),
        }


def decide_qualification(
    rules: LeadershipRules,
    nominations: Nominations,
    *,
    challenge: bool,
    plp_size: int,
    n_meps: int,
    total_clps: int,
    affiliate_sizes: dict[str, tuple[bool, int]],
) -> list[dict[str, Any]]:
    """Apply the rules to the nominations: who is on the ballot and why.

    Args:
        rules: leadership rules in force.
        nominations: the nominations so far (plp, clps, affiliates filled in).
        challenge: a challenge (no vacancy).
        plp_size: sitting MPs.
        n_meps: MEPs.
        total_clps: all CLPs.
        affiliate_sizes: affiliate name -> (is a union, affiliated membership).

    Returns:
        One Qualification dict per candidate.
    """
    total_affiliated = sum(size for _, size in affiliate_sizes.values())
    out = []
    for i, cand in enumerate(nominations.candidates):
        decision = qualifies(
            rules,
            mp_nominations=int(nominations.plp[i]),
            plp_size=plp_size,
            n_meps=n_meps,
            challenge=challenge,
            is_incumbent=cand.incumbent,
            clp_nominations=int(nominations.clps[i]) if nominations.clps else 0,
            total_clps=total_clps,
            affiliate_nominations=[
                AffiliateNomination(*affiliate_sizes[name], name=name)
                for name in (nominations.affiliates[i] if nominations.affiliates else [])
            ],
            total_affiliated_membership=total_affiliated,
        )
        out.append(decision.to_dict())
    return out


def plp_threshold(rules: LeadershipRules, plp_size: int, n_meps: int, *, challenge: bool) -> int:
    """Nominations needed from the PLP (re-exported for the model's wiring)."""
    return nomination_threshold(rules, plp_size, n_meps, challenge=challenge)


# --- the electorate and the ballot -------------------------------------------------


NOT_RECORDED = np.iinfo(np.int32).min
"""A voter's joining month when the roll does not hold it."""


@dataclass
class VoterRoll:
    """Everyone entitled to vote, by voter type, with who turned out.

    Attributes:
        ideology: voters' ideology.
        voter_type: index into VOTER_TYPES per voter.
        union: the voter's affiliate (-1 none), for the union cue.
        turnout: each voter's chance of voting.
        joined: the model month each voter joined (`NOT_RECORDED` for voters
            whose joining is not held: MPs, levy payers drawn for the ballot).
    """

    ideology: np.ndarray
    voter_type: np.ndarray
    union: np.ndarray
    turnout: np.ndarray
    joined: np.ndarray | None = None

    @staticmethod
    def concat(parts: list[VoterRoll]) -> VoterRoll:
        """Join rolls."""
        joined = None
        if any(p.joined is not None for p in parts):
            joined = np.concatenate([p.joined_or_unrecorded() for p in parts])
        return VoterRoll(
            ideology=np.concatenate([p.ideology for p in parts]),
            voter_type=np.concatenate([p.voter_type for p in parts]).astype(np.int8),
            union=np.concatenate([p.union for p in parts]).astype(np.int16),
            turnout=np.concatenate([p.turnout for p in parts]),
            joined=joined,
        )

    def joined_or_unrecorded(self) -> np.ndarray:
        """Each voter's joining month (`NOT_RECORDED` where none is held)."""
        if self.joined is None:
            return np.full(self.ideology.size, NOT_RECORDED, dtype=np.int32)
        return self.joined

    @staticmethod
    def of(
        kind: str,
        ideology: np.ndarray,
        turnout: np.ndarray | float,
        union=None,
        *,
        joined: np.ndarray | None = None,
    ) -> VoterRoll:
        """A roll of one voter type (with each voter's joining month, where known)."""
        n = ideology.size
        return VoterRoll(
            ideology=ideology.astype(float),
            voter_type=np.full(n, VOTER_TYPES.index(kind), dtype=np.int8),
            union=np.full(n, -1, dtype=np.int16) if union is None else union.astype(np.int16),
            turnout=np.broadcast_to(np.asarray(turnout, dtype=float), (n,)).copy(),
            joined=None if joined is None else joined.astype(np.int32),
        )


def sections_for(rules: LeadershipRules) -> dict[str, list[str]]:
    """Which voter types make up each counted section.

    Under OMOV every type is its own section of the record (the party
    publishes the breakdown) but all are pooled in the count. In a college,
    the rules' sections are the sections; registered and affiliated
    supporters vote in the section the college gives them (registered
    supporters in the members' section unless they have their own).

    Args:
        rules: the leadership rules.

    Returns:
        Section name -> voter types in it.
    """
    if rules.electorate == "omov":
        return {t: [t] for t in ("members", "registered_supporters", "affiliated_supporters")}
    sections: dict[str, list[str]] = {name: [] for name in rules.college_sections}
    for name in sections:
        if name in VOTER_TYPES:
            sections[name].append(name)
    if "registered_supporters" not in sections and "members" in sections:
        sections["members"].append("registered_supporters")
    if "affiliates" in sections:
        sections["affiliates"].append("affiliated_supporters")
    elif "members" in sections:
        sections["members"].append("affiliated_supporters")
    return sections


@dataclass
class BallotOutcome:
    """What the ballot produced.

    Attributes:
        result: the count.
        profile: the grouped ballots counted (so the record replays).
        electorate: per voter type: eligible, voted, turnout.
        first_round_by_type: first-preference votes per voter type.
        members_by_joined: members' first-preference votes per candidate (in
            ballot order) by the model month they joined (None: the roll
            holds no joining months), so that any split by length of
            membership can be drawn afterwards.
        first_choices: per entry of the voter roll, in its order, the index
            (in ballot order) of the voter's first preference; -1 for those
            who did not vote or ranked nobody. Not recorded: it says who
            backed whom, which the membership's lapsing reads.
    """

    result: CountResult
    profile: BallotProfile
    electorate: dict[str, dict[str, float]]
    first_round_by_type: dict[str, dict[str, int]]
    members_by_joined: dict[int, list[int]] | None = None
    first_choices: np.ndarray | None = None


def count_contest(
    roll: VoterRoll,
    candidates: list[Candidate],
    rules: LeadershipRules,
    *,
    params: ContestSpec,
    union_nominee: np.ndarray,
    rng: np.random.Generator,
    electability: float | None = None,
) -> BallotOutcome:
    """Turn out, rank and count.

    Args:
        roll: the electorate.
        candidates: candidates on the ballot.
        rules: leadership rules in force (OMOV or college).
        params: contest parameters.
        union_nominee: per affiliate, the index of its nominee among
            `candidates` (-1 none): its levy payers get the union cue.
        rng: random generator.
        electability: the moment's weight on valence (None: the base weight).

    Returns:
        The BallotOutcome.
    """
    names = [c.name for c in candidates]
    voted = rng.random(roll.ideology.size) < roll.turnout
    ideology = roll.ideology[voted]
    union = roll.union[voted]
    cue = None
    if params.union_cue > 0 and union_nominee.size and (union >= 0).any():
        cue = np.zeros((ideology.size, len(candidates)))
        has = union >= 0
        nominee = np.where(has, union_nominee[np.where(has, union, 0)], -1)
        backed = nominee >= 0
        cue[np.flatnonzero(backed), nominee[backed]] = params.union_cue
    rankings = rank_candidates(
        utilities(ideology, candidates, params=params, rng=rng, cue=cue, electability=electability),
        truncation=params.truncation,
        rng=rng,
    )
    voter_type = roll.voter_type[voted]

    sections = sections_for(rules)
    section_names = list(sections)
    section_of_type = np.full(len(VOTER_TYPES), -1)
    for s, types in enumerate(sections.values()):
        for t in types:
            section_of_type[VOTER_TYPES.index(t)] = s
    section = section_of_type[voter_type]
    counted = section >= 0
    profile = group_ballots(
        rankings[counted], section[counted], candidates=names, section_names=section_names
    )
    weights = None
    if rules.electorate == "college":
        weights = {name: Fraction(w) for name, w in rules.college_sections.items()}
    # The lot (for ties) gets a seed of its own, recorded in the result, so
    # that counting the recorded ballots again replays the count exactly.
    result = count_ballots(profile, weights=weights, rng=int(rng.integers(2**31)))

    electorate = {}
    first_round = {}
    for t, kind in enumerate(VOTER_TYPES):
        eligible = int(np.count_nonzero(roll.voter_type == t))
        if eligible == 0:
            continue
        n_voted = int(np.count_nonzero(voter_type == t))
        electorate[kind] = {
            "eligible": eligible,
            "voted": n_voted,
            "turnout": round(n_voted / eligible, 6),
        }
        firsts = rankings[voter_type == t, 0]
        firsts = firsts[firsts >= 0]
        tally = np.bincount(firsts, minlength=len(names))
        first_round[kind] = dict(zip(names, tally.tolist(), strict=True))
    by_joined = None
    if roll.joined is not None:
        by_joined = members_by_joined(
            rankings[:, 0],
            roll.joined[voted],
            voter_type == VOTER_TYPES.index("members"),
            len(names),
        )
    first_choices = np.full(roll.ideology.size, -1, dtype=np.int64)
    first_choices[voted] = rankings[:, 0]
    return BallotOutcome(result, profile, electorate, first_round, by_joined, first_choices)


def members_by_joined(
    first: np.ndarray, joined: np.ndarray, is_member: np.ndarray, n_candidates: int
) -> dict[int, list[int]]:
    """Members' first preferences tallied by the month they joined.

    The published splits of the electorate by length of membership (YouGov
    in August 2016 and February 2020; the Party Members Project) are of full
    members; MPs and anyone whose joining is not held are left out.

    Args:
        first: each voter's first preference (candidate index; -1 none).
        joined: each voter's joining month (`NOT_RECORDED`: not held).
        is_member: voters in the members' section.
        n_candidates: candidates on the ballot.

    Returns:
        Joining month -> first preferences per candidate, months ascending.
    """
    keep = is_member & (joined != NOT_RECORDED) & (first >= 0)
    months, at = np.unique(joined[keep], return_inverse=True)
    tally = np.bincount(
        at * n_candidates + first[keep], minlength=months.size * n_candidates
    ).reshape(months.size, n_candidates)
    return {int(m): row.tolist() for m, row in zip(months, tally, strict=True)}


def profile_to_dict(profile: BallotProfile) -> dict[str, Any]:
    """The grouped ballots as JSON-safe data (for replaying a count)."""
    return {
        "candidates": list(profile.candidates),
        "section_names": list(profile.section_names),
        "rankings": [[int(x) for x in row if x >= 0] for row in profile.rankings],
        "counts": profile.counts.tolist(),
        "sections": None if profile.sections is None else profile.sections.tolist(),
    }


def profile_from_dict(data: dict[str, Any]) -> BallotProfile:
    """Rebuild grouped ballots recorded by `profile_to_dict`."""
    width = max((len(r) for r in data["rankings"]), default=1)
    rankings = np.full((len(data["rankings"]), width), -1, dtype=np.int64)
    for i, row in enumerate(data["rankings"]):
        rankings[i, : len(row)] = row
    sections = None if data["sections"] is None else np.array(data["sections"])
    return BallotProfile(
        candidates=tuple(data["candidates"]),
        rankings=rankings,
        counts=np.array(data["counts"], dtype=np.int64),
        sections=sections,
        section_names=tuple(data["section_names"]),
    )
