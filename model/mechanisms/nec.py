"""The National Executive Committee: who sits on it, how it votes, how members elect its CLP section.

**Composition** (:func:`composition`). The rules give seats by section
(``rules.NecRules``). Who fills them, and where they stand:

* the leader and deputy leader: their own positions; the three frontbench
  seats are the leader's nominees (the leader's position); the treasurer,
  the three backbench PLP/EPLP seats, the local-government seats and the
  Scottish and Welsh seats: the PLP's median (elected by, or answerable to,
  the party's elected representatives) [assumption]; the EPLP leader: the
  MEPs' median;
* the union seats: the largest affiliated unions by levy payers, by the
  D'Hondt rule (each union's seats sit with its leadership, and vote its
  stance); the socialist-societies seat: their leaderships' mean;
* the CLP section: the members elected (their slates' positions); youth,
  BAME and disabled members' seats: the members' median [assumption].

**Votes.** Each seat votes for a proposal when its utility is above an
abstention band, against below minus it; a union seat votes as its union
decided; on the leader's own proposals the leader and the frontbench seats
the leader nominates vote for. It carries on more for than against (an NEC vote, decided by those
present: ``decided_by = "meeting"``).

**CLP-section elections** (:func:`elect_clp_section`) are members' ballots.
Each voting member ranks the slates by closeness plus noise; a faction
member puts their faction's slate first with the faction's slate
discipline; within a slate, candidates are ranked in the slate's list order
(slates publish a recommended order). Under the *block vote* each voter
votes for as many candidates as there are seats, down their ranking, and
the most votes win — a slate with a plurality sweeps (2016: 6 of 6; 2018:
9 of 9). Under *STV* the rankings are counted by ``mechanisms.stv`` and the
seats are shared (2020: 5, 3 and 1).

**Shortlisting and endorsement** (:func:`shortlist`, :func:`endorses`): the
NEC (its median member) keeps hopefuls within ``radius`` of itself and
ranks them by closeness and electability; it endorses a selected candidate
within ``radius`` (Godsiff was not endorsed in 2019).

Everything here is pure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from model.mechanisms.stv import count_stv
from model.rules.nec import NEC_PROCEDURAL_FIELDS  # declared with the NEC's rules
from model.rules.schema import NecRules

__all__ = [
    "NEC_PROCEDURAL_FIELDS",
    "NecElectionResult",
    "NecSeat",
    "NecVoteResult",
    "Slate",
    "allocate_union_seats",
    "camp_utilities",
    "composition",
    "elect_clp_section",
    "endorses",
    "nec_vote",
    "shortlist",
    "slate_orders",
]


@dataclass(frozen=True)
class NecSeat:
    """One seat on the NEC.

    Attributes:
        section: the NEC section.
        holder: who holds it (a name, a union, a slate's candidate).
        position: where the holder stands.
        union: the union's index for a union seat (else -1).
    """

    section: str
    holder: str
    position: float
    union: int = -1


def allocate_union_seats(levy_payers: Sequence[int], seats: int) -> list[int]:
    """Union seats by D'Hondt over affiliated levy payers (ties to the lower index).

    Args:
        levy_payers: each union's affiliated levy payers (0: no seat).
        seats: seats to allocate.

    Returns:
        Seats per union.
    """
    sizes = np.asarray(levy_payers, dtype=float)
    won = np.zeros(sizes.size, dtype=int)
    if sizes.size == 0 or sizes.sum() <= 0:
        return won.tolist()
    for _ in range(seats):
        quotient = sizes / (won + 1)
        won[int(np.argmax(quotient))] += 1
    return won.tolist()


def composition(
    rules: NecRules,
    *,
    leader: tuple[str, float],
    deputy: tuple[str, float] | None,
    plp_median: float,
    mep_median: float,
    members_median: float,
    unions: Sequence[tuple[str, int, float, bool]],
    clp_section: Sequence[tuple[str, float]],
) -> list[NecSeat]:
    """The NEC's seats and their holders' positions (see the module docstring).

    Args:
        rules: the NEC rules in force.
        leader: (name, position).
        deputy: (name, position), or None (the seat goes to the PLP's median).
        plp_median, mep_median, members_median: the groups' medians.
        unions: per affiliate (name, levy payers, leadership position, is a union).
        clp_section: the CLP section's holders (name, position); fewer than
            the seats leaves the rest to the members' median (vacancies filled
            by the runner-up in practice).

    Returns:
        One NecSeat per seat, in section order.
    """
    seats: list[NecSeat] = []
    union_index = [i for i, u in enumerate(unions) if u[3]]
    societies = [u for u in unions if not u[3] and u[1] > 0]
    for section, n in rules.seats.items():
        if n <= 0:
            continue
        if section == "unions":
            won = allocate_union_seats([unions[i][1] for i in union_index], n)
            for i, k in zip(union_index, won, strict=True):
                seats += [NecSeat(section, unions[i][0], unions[i][2], union=i)] * k
            continue
        if section == "clp":
            held = list(clp_section)[:n]
            seats += [NecSeat(section, name, pos) for name, pos in held]
            seats += [NecSeat(section, "vacant", members_median)] * (n - len(held))
            continue
        if section == "socialist_societies":
            pos = (
                float(np.average([u[2] for u in societies], weights=[u[1] for u in societies]))
                if societies
                else members_median
            )
            seats += [NecSeat(section, "socialist societies", pos)] * n
            continue
        holder, pos = {
            "leader": leader,
            "deputy_leader": deputy if deputy is not None else ("deputy", plp_median),
            "frontbench": ("frontbench", leader[1]),
            "eplp": ("EPLP", mep_median),
            "youth": ("youth", members_median),
            "bame": ("BAME", members_median),
            "disabled": ("disabled members", members_median),
        }.get(section, (section, plp_median))
        seats += [NecSeat(section, holder, pos)] * n
    return seats


@dataclass(frozen=True)
class NecVoteResult:
    """An NEC vote.

    Attributes:
        votes_for, votes_against, abstained: seats.
        passes: more for than against.
        by_section: section -> {"for", "against", "abstain"}.
    """

    votes_for: int
    votes_against: int
    abstained: int
    passes: bool
    by_section: dict[str, dict[str, int]]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "for": self.votes_for,
            "against": self.votes_against,
            "abstained": self.abstained,
            "passes": self.passes,
            "by_section": self.by_section,
        }


LEADERS_OWN: tuple[str, ...] = ("leader", "frontbench")
"""Seats that vote with the leader on the leader's own proposals (the leader and the
frontbench members the leader nominates)."""


def nec_vote(
    seats: Sequence[NecSeat],
    utility: Sequence[float],
    *,
    abstain_band: float,
    union_votes: Mapping[int, str] | None = None,
    leaders_proposal: bool = False,
) -> NecVoteResult:
    """The NEC votes: each seat by its utility, union seats as their union decided.

    Args:
        seats: the NEC's seats.
        utility: each seat's utility for the proposal.
        abstain_band: |utility| at most this abstains.
        union_votes: union index -> "for" / "against" / "abstain" (overrides utility).
        leaders_proposal: the leader proposes: the leader's own seats vote for.

    Returns:
        The NecVoteResult.
    """
    union_votes = union_votes or {}
    by_section: dict[str, dict[str, int]] = {}
    tally = {"for": 0, "against": 0, "abstain": 0}
    for seat, u in zip(seats, utility, strict=True):
        if leaders_proposal and seat.section in LEADERS_OWN:
            vote = "for"
        elif seat.union >= 0 and seat.union in union_votes:
            vote = union_votes[seat.union]
        elif u > abstain_band:
            vote = "for"
        elif u < -abstain_band:
            vote = "against"
        else:
            vote = "abstain"
        tally[vote] += 1
        section = by_section.setdefault(seat.section, {"for": 0, "against": 0, "abstain": 0})
        section[vote] += 1
    return NecVoteResult(
        votes_for=tally["for"],
        votes_against=tally["against"],
        abstained=tally["abstain"],
        passes=tally["for"] > tally["against"],
        by_section=by_section,
    )


# --- CLP-section elections ----------------------------------------------------------


@dataclass(frozen=True)
class Slate:
    """A slate in a CLP-section election.

    Attributes:
        name: the slate.
        position: where it stands.
        faction: the faction whose members vote it with discipline (-1 none).
        candidates: its candidates, in its recommended order.
    """

    name: str
    position: float
    faction: int
    candidates: tuple[str, ...]


def camp_utilities(
    candidate_utility: np.ndarray,
    candidate_positions: Sequence[float],
    slates: Sequence[Slate],
) -> np.ndarray:
    """Voters' utilities for the slates as the camps of an open leadership contest.

    Each slate backs the candidate on the ballot nearest its position (ties:
    the first); a voter values the slate as they value its candidate, so
    slates are judged by everything the contest's ballot weighs (distance,
    perceived electability, incumbency), not by position alone.

    Args:
        candidate_utility: (n_voters, n_candidates) utilities for the
            contest's candidates, without noise.
        candidate_positions: the candidates' positions.
        slates: the slates.

    Returns:
        (n_voters, n_slates) utilities.
    """
    if not len(candidate_positions):
        raise ValueError("camp utilities need the candidates of an open contest")
    where = np.asarray(candidate_positions, dtype=float)
    backs = [int(np.argmin(np.abs(where - s.position))) for s in slates]
    return np.asarray(candidate_utility, dtype=float)[:, backs]


def slate_orders(
    voter_ideology: np.ndarray,
    voter_faction: np.ndarray,
    slates: Sequence[Slate],
    *,
    discipline: Sequence[float],
    noise_sd: float,
    rng: np.random.Generator,
    base_utility: np.ndarray | None = None,
) -> np.ndarray:
    """Each voter's ranking of the slates (n_voters × n_slates, best first).

    A voter ranks slates by −|x − slate| + N(0, noise_sd) (or by
    `base_utility` + N(0, noise_sd) where given: the contest's camps, see
    :func:`camp_utilities`); a member of a faction that runs a slate puts it
    first with the faction's discipline.

    Args:
        voter_ideology: voters' positions.
        voter_faction: voters' factions (-1 none).
        slates: the slates.
        discipline: per faction, the chance a member votes its slate first.
        noise_sd: sd of the noise in each voter's slate utility.
        rng: random generator.
        base_utility: (n_voters, n_slates) utilities to use instead of closeness.

    Returns:
        int array of slate indices.
    """
    positions = np.array([s.position for s in slates])
    if base_utility is None:
        utility = -np.abs(voter_ideology[:, None] - positions[None, :])
    else:
        utility = np.array(base_utility, dtype=float, copy=True)
    if noise_sd > 0:
        utility = utility + rng.normal(0.0, noise_sd, utility.shape)
    disciplined = rng.random(voter_ideology.size)
    for k, slate in enumerate(slates):
        if slate.faction < 0:
            continue
        loyal = (voter_faction == slate.faction) & (disciplined < discipline[slate.faction])
        utility[loyal, k] = np.inf
    return np.argsort(-utility, axis=1, kind="stable")


@dataclass(frozen=True)
class NecElectionResult:
    """A CLP-section election.

    Attributes:
        system: "block_vote" or "stv".
        seats: seats filled.
        voters: members who voted.
        slate_first: first-choice votes per slate.
        elected: (candidate, slate) in order of election.
        seats_by_slate: slate -> seats won.
        candidate_votes: block vote: votes per candidate; STV: first preferences.
        count: STV count record (None for the block vote).
    """

    system: str
    seats: int
    voters: int
    slate_first: dict[str, int]
    elected: tuple[tuple[str, str], ...]
    seats_by_slate: dict[str, int]
    candidate_votes: dict[str, int]
    count: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "system": self.system,
            "seats": self.seats,
            "voters": self.voters,
            "slate_first": dict(self.slate_first),
            "elected": [{"candidate": c, "slate": s} for c, s in self.elected],
            "seats_by_slate": dict(self.seats_by_slate),
            "candidate_votes": dict(self.candidate_votes),
            "count": self.count,
        }


def distinct_orders(orders: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`np.unique(orders, axis=0, return_counts=True)` for slate orders, by a count.

    Each row (a ranking of k slates, entries 0..k-1) is read as a number in
    base k, first column most significant, so the numbers sort as the rows
    do; one `bincount` over them replaces the row-wise sort of `np.unique`
    (about 0.1 s for the full party's voters). The same arrays as np.unique's.

    Args:
        orders: (voters, k) slate orders, as from :func:`slate_orders`.

    Returns:
        (the distinct rows in lexicographic order, how many voters gave each).
    """
    voters, k = orders.shape
    if voters == 0 or k == 0 or k**k > 4 * voters + 2**16:
        return np.unique(orders, axis=0, return_counts=True)
    code = np.zeros(voters, dtype=np.int64)
    for column in range(k):
        code *= k
        code += orders[:, column]
    tally = np.bincount(code, minlength=1)
    present = np.flatnonzero(tally)
    groups = np.empty((present.size, k), dtype=orders.dtype)
    rest = present.copy()
    for column in range(k - 1, -1, -1):
        groups[:, column] = rest % k
        rest //= k
    return groups, tally[present]


def elect_clp_section(
    orders: np.ndarray,
    slates: Sequence[Slate],
    seats: int,
    system: str,
    *,
    seed: int,
) -> NecElectionResult:
    """Count a CLP-section election from the voters' slate orders.

    Args:
        orders: (voters, slates) slate rankings, as from :func:`slate_orders`.
        slates: the slates (with their candidates in list order).
        seats: seats to fill.
        system: "block_vote" or "stv".
        seed: seed of the lot for ties.

    Returns:
        The NecElectionResult.
    """
    names = [c for s in slates for c in s.candidates]
    slate_of = {c: s.name for s in slates for c in s.candidates}
    offsets = np.cumsum([0] + [len(s.candidates) for s in slates])
    voters = int(orders.shape[0])
    first = np.bincount(orders[:, 0], minlength=len(slates)) if voters else np.zeros(len(slates))
    slate_first = {s.name: int(first[k]) for k, s in enumerate(slates)}
    if voters == 0 or not names:
        return NecElectionResult(system, seats, voters, slate_first, (), {}, {})
    groups, counts = distinct_orders(orders)
    rankings = np.array(
        [
            [i for k in order for i in range(offsets[k], offsets[k + 1])]
            for order in groups.tolist()
        ],
        dtype=np.int64,
    )
    if system == "block_vote":
        depth = min(seats, rankings.shape[1])
        tally = np.zeros(len(names), dtype=np.int64)
        for row, n in zip(rankings, counts, strict=True):
            tally[row[:depth]] += int(n)
        lot = np.random.default_rng(seed).random(len(names))
        order = sorted(range(len(names)), key=lambda c: (-tally[c], lot[c]))
        chosen = [names[c] for c in order[:seats]]
        votes = {names[c]: int(tally[c]) for c in range(len(names))}
        record = None
    elif system == "stv":
        result = count_stv(rankings, counts, names, seats, seed=seed)
        chosen = list(result.elected)
        votes = dict(result.first_preferences)
        record = result.to_dict()
    else:
        raise ValueError(f"unknown system {system!r} (block_vote or stv)")
    elected = tuple((c, slate_of[c]) for c in chosen)
    by_slate = {s.name: 0 for s in slates}
    for _, s in elected:
        by_slate[s] += 1
    return NecElectionResult(
        system, seats, voters, slate_first, elected, by_slate, votes, count=record
    )


# --- shortlisting and endorsement --------------------------------------------------------


def shortlist(
    nec_positions: Sequence[float],
    hopeful_positions: Sequence[float],
    hopeful_valence: Sequence[float],
    size: int,
    *,
    radius: float,
    electability: float = 0.0,
) -> list[int]:
    """The hopefuls the NEC puts on a shortlist (indices, best first).

    The NEC's median member keeps hopefuls within ``radius`` of itself and
    ranks them by ``−distance + electability × valence``.
    """
    if size <= 0 or not len(hopeful_positions):
        return []
    centre = float(np.median(np.asarray(nec_positions, dtype=float)))
    x = np.asarray(hopeful_positions, dtype=float)
    distance = np.abs(x - centre)
    utility = -distance + electability * np.asarray(hopeful_valence, dtype=float)
    eligible = [i for i in np.argsort(-utility, kind="stable") if distance[i] <= radius]
    return [int(i) for i in eligible[:size]]


def endorses(nec_positions: Sequence[float], candidate_position: float, *, radius: float) -> bool:
    """Whether the NEC (its median member) endorses a selected candidate."""
    centre = float(np.median(np.asarray(nec_positions, dtype=float)))
    return abs(candidate_position - centre) <= radius
