"""The single transferable vote (STV) for multi-seat elections, counted exactly.

Labour's NEC elects its CLP section by STV since 2020 (labour_history.json:
rule_changes.2020_nec). The count here is the common textbook form, stated
so that a result can be checked by hand:

* **Quota.** The Droop quota, ``floor(valid / (seats + 1)) + 1`` first
  preferences, fixed for the whole count. ``valid`` is the number of ballots
  with at least one preference.
* **Election.** At each stage every continuing candidate whose vote reaches
  the quota is elected, highest vote first.
* **Surplus.** An elected candidate's surplus (vote − quota) is transferred
  at once, largest surplus first (equal surpluses: the higher vote at the
  most recent earlier stage where they differ first, then by lot, as for
  exclusions): every ballot the candidate holds passes to
  its next continuing preference at its current value times
  ``surplus / vote`` (the *weighted inclusive Gregory* method: all the
  candidate's ballots, each at its own value). Values are exact Fractions, so
  no vote is lost to rounding; a ballot with no further continuing preference
  is exhausted.
* **Exclusion.** When no one reaches the quota and no surplus is left to
  transfer, the candidate with the fewest votes is excluded and all their
  ballots pass on at their current value. A tie for fewest is broken by the
  fewest votes at the most recent earlier stage where the tied candidates
  differ, then by lot (a seeded generator, recorded).
* **End.** When the continuing candidates are no more than the seats left,
  they are all elected (in order of their votes); the count also stops when
  every seat is filled.

Ballots come grouped: a ranking (candidate indices, best first, ``-1`` after
the last preference) and how many voters cast it, so a count over hundreds
of thousands of slate voters is a count over a few hundred rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

__all__ = ["StvResult", "StvStage", "count_stv", "droop_quota"]


def droop_quota(valid: int, seats: int) -> int:
    """The Droop quota: the smallest whole number of votes only `seats` candidates can reach.

    Args:
        valid: valid ballots (with at least one preference).
        seats: seats to fill (>= 1).

    Returns:
        ``valid // (seats + 1) + 1``.
    """
    if seats < 1:
        raise ValueError(f"seats must be >= 1 (got {seats})")
    if valid < 0:
        raise ValueError(f"valid ballots must be >= 0 (got {valid})")
    return valid // (seats + 1) + 1


@dataclass(frozen=True)
class StvStage:
    """One stage of the count.

    Attributes:
        action: "elect", "surplus", "exclude" or "fill" (the last seats, by default).
        candidate: whom the action concerns (for "fill": the first of them).
        votes: each continuing candidate's vote at the start of the stage (exact).
        exhausted: value of exhausted ballots so far (exact).
        lot: True when this exclusion was settled by lot.
    """

    action: str
    candidate: str
    votes: dict[str, Fraction]
    exhausted: Fraction
    lot: bool = False

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (votes as floats rounded to 6 places)."""
        return {
            "action": self.action,
            "candidate": self.candidate,
            "votes": {k: round(float(v), 6) for k, v in self.votes.items()},
            "exhausted": round(float(self.exhausted), 6),
            "lot": self.lot,
        }


@dataclass(frozen=True)
class StvResult:
    """An STV count.

    Attributes:
        candidates: the candidates, in ballot order.
        seats: seats filled.
        valid: valid ballots.
        quota: the Droop quota.
        elected: the elected, in order of election.
        first_preferences: first-preference votes per candidate.
        stages: the stages of the count.
        lot_seed: the seed of the lot used for ties (None if none was needed).
    """

    candidates: tuple[str, ...]
    seats: int
    valid: int
    quota: int
    elected: tuple[str, ...]
    first_preferences: dict[str, int]
    stages: tuple[StvStage, ...]
    lot_seed: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (every stage)."""
        return {
            "seats": self.seats,
            "valid": self.valid,
            "quota": self.quota,
            "elected": list(self.elected),
            "first_preferences": dict(self.first_preferences),
            "stages": [stage.to_dict() for stage in self.stages],
            "lot_seed": self.lot_seed,
        }


def _next_continuing(ranking: np.ndarray, position: int, continuing: set[int]) -> int:
    """Index in `ranking` of the next continuing preference at or after `position` (-1: none)."""
    for k in range(position, ranking.size):
        c = int(ranking[k])
        if c < 0:
            return -1
        if c in continuing:
            return k
    return -1


def count_stv(
    rankings: np.ndarray,
    counts: Sequence[int] | np.ndarray,
    candidates: Sequence[str],
    seats: int,
    *,
    seed: int | None = None,
) -> StvResult:
    """Count grouped ranked ballots by STV (see the module docstring for the rules).

    Args:
        rankings: (groups, depth) candidate indices, best first, -1 padded.
            A candidate repeated in a ranking counts at its first place only.
        counts: voters per group (whole numbers >= 0).
        candidates: candidate names (unique).
        seats: seats to fill (>= 1).
        seed: seed of the lot for ties (drawn only if a tie needs it).

    Returns:
        The StvResult.

    Raises:
        ValueError: bad shapes, names, indices or counts.
    """
    names = tuple(candidates)
    if len(set(names)) != len(names):
        raise ValueError(f"candidate names must be unique: {names}")
    ranks = np.asarray(rankings, dtype=np.int64)
    if ranks.ndim != 2:
        raise ValueError(f"rankings must be 2-D (groups × depth), got shape {ranks.shape}")
    weights = np.asarray(counts, dtype=np.int64)
    if weights.shape != (ranks.shape[0],):
        raise ValueError(f"counts must have one entry per ranking ({ranks.shape[0]})")
    if (weights < 0).any():
        raise ValueError("counts must be >= 0")
    if ranks.size and (ranks.max() >= len(names) or ranks.min() < -1):
        raise ValueError("rankings hold indices outside the candidates")
    if seats < 1:
        raise ValueError(f"seats must be >= 1 (got {seats})")

    # Drop repeats within a ranking (a later repeat is ignored) and empty ballots.
    cleaned = np.full_like(ranks, -1)
    for g in range(ranks.shape[0]):
        seen: list[int] = []
        for c in ranks[g]:
            if c < 0:
                break
            if int(c) not in seen:
                seen.append(int(c))
        cleaned[g, : len(seen)] = seen
    has_first = cleaned[:, 0] >= 0 if cleaned.shape[1] else np.zeros(len(weights), dtype=bool)
    groups = [g for g in range(len(weights)) if has_first[g] and weights[g] > 0]
    valid = int(sum(int(weights[g]) for g in groups))
    quota = droop_quota(valid, seats)
    first = {name: 0 for name in names}
    for g in groups:
        first[names[cleaned[g, 0]]] += int(weights[g])

    continuing = set(range(len(names)))
    # Each parcel: (group, position of its current preference, value of one ballot).
    holding: dict[int, list[tuple[int, int, Fraction]]] = {c: [] for c in continuing}
    for g in groups:
        holding[int(cleaned[g, 0])].append((g, 0, Fraction(1)))
    exhausted = Fraction(0)
    elected: list[int] = []
    history: list[dict[int, Fraction]] = []
    stages: list[StvStage] = []
    pending_surplus: list[int] = []
    lot: np.random.Generator | None = None
    used_lot = False

    def vote(c: int) -> Fraction:
        return sum((int(weights[g]) * v for g, _, v in holding[c]), Fraction(0))

    def snapshot() -> dict[int, Fraction]:
        return {c: vote(c) for c in sorted(continuing)}

    def draw_lot(tied: list[int]) -> int:
        """One of the tied, by the seeded lot (created on first need, and recorded)."""
        nonlocal lot, used_lot
        if lot is None:
            lot = np.random.default_rng(seed)
        used_lot = True
        return tied[int(lot.integers(len(tied)))]

    def transfer(parcels: list[tuple[int, int, Fraction]], factor: Fraction) -> Fraction:
        lost = Fraction(0)
        for g, pos, value in parcels:
            new_value = value * factor
            if new_value == 0:
                continue
            nxt = _next_continuing(cleaned[g], pos + 1, continuing)
            if nxt < 0:
                lost += int(weights[g]) * new_value
            else:
                holding[int(cleaned[g, nxt])].append((g, nxt, new_value))
        return lost

    while len(elected) < seats and continuing:
        current = snapshot()
        history.append(current)
        named = {names[c]: v for c, v in current.items()}
        if len(continuing) <= seats - len(elected):
            order = sorted(continuing, key=lambda c: (-current[c], c))
            stages.append(StvStage("fill", names[order[0]], named, exhausted))
            elected.extend(order)
            continuing.clear()
            break
        reached = sorted(
            (c for c in continuing if current[c] >= quota), key=lambda c: (-current[c], c)
        )
        if reached:
            for c in reached:
                if len(elected) == seats:
                    break
                stages.append(StvStage("elect", names[c], named, exhausted))
                elected.append(c)
                continuing.discard(c)
                pending_surplus.append(c)
            continue
        # Transfer the largest surplus still waiting, if any.
        waiting = [(vote(c), c) for c in pending_surplus if vote(c) > quota]
        pending_surplus = [c for s, c in waiting]
        if waiting:
            largest = max(total for total, _ in waiting)
            tied = sorted(c for total, c in waiting if total == largest)
            if len(tied) > 1:
                # Equal surpluses: the order of transfer can decide a later
                # seat, so it must not fall to the candidates' order. The
                # higher vote at the most recent earlier stage where they
                # differ goes first, then the lot.
                tied = _narrow_by_history(tied, history[:-1], prefer=max)
            c = draw_lot(tied) if len(tied) > 1 else tied[0]
            total = largest
            pending_surplus.remove(c)
            stages.append(StvStage("surplus", names[c], named, exhausted))
            parcels = holding[c]
            holding[c] = []
            exhausted += transfer(parcels, (total - quota) / total)
            # The elected candidate keeps exactly the quota (recorded, not held).
            continue
        # Exclude the lowest; ties by earlier stages, then lot.
        low = min(current[c] for c in continuing)
        tied = sorted(c for c in continuing if current[c] == low)
        if len(tied) > 1:
            tied = _narrow_by_history(tied, history[:-1], prefer=min)
        by_lot = len(tied) > 1
        out = draw_lot(tied) if by_lot else tied[0]
        stages.append(StvStage("exclude", names[out], named, exhausted, lot=by_lot))
        continuing.discard(out)
        parcels = holding[out]
        holding[out] = []
        exhausted += transfer(parcels, Fraction(1))

    return StvResult(
        candidates=names,
        seats=seats,
        valid=valid,
        quota=quota,
        elected=tuple(names[c] for c in elected[:seats]),
        first_preferences=first,
        stages=tuple(stages),
        lot_seed=seed if used_lot else None,
    )


def _narrow_by_history(
    tied: list[int], history: list[dict[int, Fraction]], *, prefer: Any
) -> list[int]:
    """Tied candidates narrowed by earlier stages, the most recent first.

    At each earlier stage (latest first) that holds them all, keep those
    whose vote there is `prefer` (min: the fewest, for an exclusion; max: the
    most, for the order of equal surpluses) of the tied ones; stop when one
    is left. Ties left over go to the lot.
    """
    for past in reversed(history):
        if all(c in past for c in tied):
            best = prefer(past[c] for c in tied)
            narrowed = [c for c in tied if past[c] == best]
            if len(narrowed) < len(tied):
                tied = narrowed
                if len(tied) == 1:
                    break
    return tied
