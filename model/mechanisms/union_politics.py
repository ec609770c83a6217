"""Unions' own politics: general-secretary elections and their calendar.

An affiliate's leadership directs its conference block vote, its leadership
nominations and its drive to sign up affiliated supporters (MODEL.md §5,
issue 6). The leadership's position moves at **general-secretary elections**,
held about every five years (``UnionSpec.gs_cycle_months``), staggered so
the unions do not all vote together, and decided by the union's own members
— not by the party.

An election here:

1. **Candidates.** One continuity candidate, near the incumbent leadership
   (its position plus N(0, ``continuity_sd``)), and ``candidates − 1``
   challengers drawn from the union membership's ideology distribution.
2. **Campaign.** Each candidate gets a campaign shock N(0, ``noise_sd``),
   shared by all voters (a good or bad campaign); the continuity candidate
   also gets ``incumbent_advantage`` (the machine, name recognition).
3. **Ballot.** ``voters`` members drawn from the membership's distribution
   each vote for the candidate of highest utility
   ``−|member − candidate| + shock + advantage + N(0, voter_noise_sd)``;
   the most votes win (first past the post, as general-secretary elections
   are), ties going to the continuity candidate, then to the lower index.

So a membership to the left of its leadership tends to elect a leader to
the left of it, and the more so the further apart they are.

Everything here is pure: numbers and a generator in, a result out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["GsElectionResult", "general_secretary_election", "staggered_schedule"]


@dataclass(frozen=True)
class GsElectionResult:
    """A union general-secretary election.

    Attributes:
        previous: the leadership's position before the election.
        winner: the new leadership's position.
        winner_index: index of the winner in ``candidates`` (0 = continuity).
        continuity_won: True if the continuity candidate won.
        candidates: candidates' positions (continuity first).
        votes: votes per candidate among the simulated voting members.
        members_mean, members_sd: the membership's ideology distribution.
    """

    previous: float
    winner: float
    winner_index: int
    continuity_won: bool
    candidates: tuple[float, ...]
    votes: tuple[int, ...]
    members_mean: float
    members_sd: float

    @property
    def winner_share(self) -> float:
        """The winner's share of the votes cast."""
        total = sum(self.votes)
        return self.votes[self.winner_index] / total if total else 0.0

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict for the event log."""
        return {
            "previous": round(self.previous, 6),
            "winner": round(self.winner, 6),
            "moved": round(self.winner - self.previous, 6),
            "continuity_won": self.continuity_won,
            "candidates": [round(c, 6) for c in self.candidates],
            "votes": list(self.votes),
            "winner_share": round(self.winner_share, 6),
            "members_mean": round(self.members_mean, 6),
            "members_sd": round(self.members_sd, 6),
        }


def general_secretary_election(
    current_leadership_ideology: float,
    members_ideology_mean: float,
    members_ideology_sd: float,
    *,
    candidates: int = 2,
    continuity_sd: float = 0.1,
    incumbent_advantage: float = 0.05,
    noise_sd: float = 0.1,
    voter_noise_sd: float = 0.2,
    voters: int = 1001,
    rng: np.random.Generator,
) -> GsElectionResult:
    """A union's members elect its general secretary (see the module docstring).

    Args:
        current_leadership_ideology: the incumbent leadership's position.
        members_ideology_mean: mean of the union members' positions.
        members_ideology_sd: their sd.
        candidates: candidates standing (≥ 2: continuity plus challengers).
        continuity_sd: sd of the continuity candidate around the incumbent.
        incumbent_advantage: utility bonus of the continuity candidate.
        noise_sd: sd of each candidate's campaign shock (shared by voters).
        voter_noise_sd: sd of each voter's own noise per candidate.
        voters: voting members simulated.
        rng: random generator.

    Returns:
        The :class:`GsElectionResult`; positions are clipped to [-1, 1].
    """
    if candidates < 2:
        raise ValueError(
            f"a general-secretary election needs at least 2 candidates (got {candidates})"
        )
    if voters < 1:
        raise ValueError(f"voters must be >= 1 (got {voters})")
    continuity = current_leadership_ideology + rng.normal(0.0, continuity_sd)
    challengers = rng.normal(members_ideology_mean, members_ideology_sd, size=candidates - 1)
    positions = np.clip(np.concatenate([[continuity], challengers]), -1.0, 1.0)
    bonus = rng.normal(0.0, noise_sd, size=candidates)
    bonus[0] += incumbent_advantage
    electorate = np.clip(rng.normal(members_ideology_mean, members_ideology_sd, size=voters), -1, 1)
    utility = (
        -np.abs(electorate[:, None] - positions[None, :])
        + bonus[None, :]
        + rng.normal(0.0, voter_noise_sd, size=(voters, candidates))
    )
    votes = np.bincount(np.argmax(utility, axis=1), minlength=candidates)
    # argmax takes the first maximum: a tie goes to the continuity candidate
    # (index 0), then to the earlier challenger.
    winner = int(np.argmax(votes))
    return GsElectionResult(
        previous=float(current_leadership_ideology),
        winner=float(positions[winner]),
        winner_index=winner,
        continuity_won=winner == 0,
        candidates=tuple(float(p) for p in positions),
        votes=tuple(int(v) for v in votes),
        members_mean=float(members_ideology_mean),
        members_sd=float(members_ideology_sd),
    )


def staggered_schedule(
    n_unions: int,
    cycle_months: int | Sequence[int],
    rng: np.random.Generator,
) -> list[int]:
    """Months from the start to each union's first general-secretary election.

    The unions are put in a random order and spaced evenly over the cycle,
    with a random phase: union ``i`` in slot ``k`` votes first at
    ``floor((k + u) × cycle_i / n)`` months, ``u ~ U[0, 1)``. With a common
    cycle of at least ``n`` months no two unions share a month; later
    elections follow every ``cycle_i`` months.

    Args:
        n_unions: number of unions.
        cycle_months: months between elections, one for all or one per union.
        rng: random generator (one permutation and one uniform draw).

    Returns:
        Offsets in months, one per union, each in [0, cycle).
    """
    if n_unions <= 0:
        return []
    cycles = (
        [int(cycle_months)] * n_unions
        if isinstance(cycle_months, int | np.integer)
        else [int(c) for c in cycle_months]
    )
    if len(cycles) != n_unions:
        raise ValueError(f"need one cycle per union ({n_unions}), got {len(cycles)}")
    if any(c <= 0 for c in cycles):
        raise ValueError(f"cycles must be > 0 months (got {cycles})")
    slots = rng.permutation(n_unions)
    phase = float(rng.random())
    return [
        int((slot + phase) * cycle / n_unions) % cycle
        for slot, cycle in zip(slots, cycles, strict=True)
    ]
