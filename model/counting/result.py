"""The record of a count: rounds, tie-breaks and the result, exact and serialisable.

Every value that decides a count is a ``fractions.Fraction``; floats appear
only in display fields, rounded half up (:func:`round_half_up`) the way the
party's published figures are. A :class:`CountResult` survives JSON
(``from_json(to_json(r)) == r``), and :func:`diff_results` lists where a
replayed count departs from a recorded one.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction
from typing import Any, Literal

__all__ = [
    "JSON_PLACES",
    "CountResult",
    "Method",
    "RoundRecord",
    "TieBreak",
    "TieBreakStep",
    "diff_results",
    "round_half_up",
    "section_percentages",
]

JSON_PLACES = 4
"""Decimal places of the display floats in ``to_dict`` (published figures use 2-3)."""

Method = Literal["omov", "college"]
"""How a count adds up a round: one member one vote, or an electoral college."""


@dataclass
class TieBreakStep:
    """One criterion applied while breaking a tie for elimination.

    Attributes:
        criterion: "first preferences", "round N totals" or "lot".
        values: the still-tied candidates' totals at that criterion (empty for lot).
        remaining: candidates still tied after this step (one name when it decided).
    """

    criterion: str
    values: dict[str, Fraction]
    remaining: tuple[str, ...]


@dataclass
class TieBreak:
    """A tie for the lowest total and how it was broken.

    Attributes:
        round: the round in which the tie occurred.
        tied: the candidates tied for the lowest total, in candidate order.
        steps: the criteria tried, in order.
        decided_by: the criterion that left one candidate.
        eliminated: that candidate.
    """

    round: int
    tied: tuple[str, ...]
    steps: list[TieBreakStep]
    decided_by: str
    eliminated: str


@dataclass
class RoundRecord:
    """Everything counted in one round.

    Attributes:
        number: round number, from 1.
        continuing: candidates still in the count, in candidate order.
        votes: section -> candidate -> ballots whose top continuing preference is them.
        exhausted: section -> ballots with no continuing preference (cumulative).
        non_exhausted: section -> ballots counted for someone this round.
        percentages: section -> candidate -> exact percentage of the section's
            non-exhausted ballots (all zero for a section with none).
        totals: candidate -> exact total deciding this round: the weighted sum of
            section percentages (college) or the percentage of all non-exhausted
            ballots (OMOV), in percentage points.
        total_votes: candidate -> ballots across all sections.
        majority: the candidate with more than half of the total in play, if any.
        eliminated: the candidate eliminated at the end of this round, if any.
        reason: why: "lowest total", "tie broken by first preferences",
            "tie broken by round N totals" or "tie broken by lot".
    """

    number: int
    continuing: tuple[str, ...]
    votes: dict[str, dict[str, int]]
    exhausted: dict[str, int]
    non_exhausted: dict[str, int]
    percentages: dict[str, dict[str, Fraction]]
    totals: dict[str, Fraction]
    total_votes: dict[str, int]
    majority: str | None
    eliminated: str | None
    reason: str | None

    @property
    def in_play(self) -> Fraction:
        """Sum of the continuing candidates' totals (100 unless a section is exhausted)."""
        return sum(self.totals.values(), Fraction(0))

    @property
    def totals_pct(self) -> dict[str, float]:
        """Totals as floats, for display only (rounded half up to ``JSON_PLACES``)."""
        return {c: round_half_up(t, JSON_PLACES) for c, t in self.totals.items()}

    def to_dict(self) -> dict[str, Any]:
        """The round as JSON-safe data (exact totals as strings, display floats rounded).

        Returns:
            A dict that :meth:`from_dict` turns back into an equal record.
        """
        return {
            "round": self.number,
            "continuing": list(self.continuing),
            "votes": {s: dict(v) for s, v in self.votes.items()},
            "exhausted": dict(self.exhausted),
            "non_exhausted": dict(self.non_exhausted),
            "percentages": {
                s: {c: round_half_up(p, JSON_PLACES) for c, p in pct.items()}
                for s, pct in self.percentages.items()
            },
            "totals": {c: str(t) for c, t in self.totals.items()},
            "totals_pct": self.totals_pct,
            "total_votes": dict(self.total_votes),
            "majority": self.majority,
            "eliminated": self.eliminated,
            "reason": self.reason,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RoundRecord:
        """Rebuilds a round from :meth:`to_dict` output.

        Exact percentages are recomputed from the raw votes, which the record
        holds, rather than read back from the rounded display floats.

        Args:
            data: the dict.

        Returns:
            The record.
        """
        votes = {s: {c: int(v) for c, v in sv.items()} for s, sv in data["votes"].items()}
        non_exhausted = {s: int(n) for s, n in data["non_exhausted"].items()}
        return cls(
            number=int(data["round"]),
            continuing=tuple(data["continuing"]),
            votes=votes,
            exhausted={s: int(n) for s, n in data["exhausted"].items()},
            non_exhausted=non_exhausted,
            percentages={s: section_percentages(sv, non_exhausted[s]) for s, sv in votes.items()},
            totals={c: Fraction(t) for c, t in data["totals"].items()},
            total_votes={c: int(v) for c, v in data["total_votes"].items()},
            majority=data["majority"],
            eliminated=data["eliminated"],
            reason=data["reason"],
        )


@dataclass
class CountResult:
    """The full record of a count: inputs that matter, every round, every tie-break.

    Two counts of the same ballots under the same rules and seed compare equal,
    and so do their ``to_dict()`` outputs; ``from_dict(to_dict(r)) == r``.

    Attributes:
        winner: the elected candidate.
        rounds: one record per round, the last being the one that elected.
        method: "omov" or "college".
        tie_policy: name of the tie-break policy (``TIE_POLICY``).
        tie_breaks: every tie for elimination and how it was broken.
        weights: section -> weight for a college, None for OMOV.
        candidates: all candidates, in report order.
        section_names: all sections, in report order.
        valid: section -> valid ballots.
        seed: seed of the lot generator, or None if the caller passed a Generator.
        winner_reason: "majority" or "only continuing candidate".
    """

    winner: str
    rounds: list[RoundRecord]
    method: Method
    tie_policy: str
    tie_breaks: list[TieBreak]
    weights: dict[str, Fraction] | None
    candidates: tuple[str, ...]
    section_names: tuple[str, ...]
    valid: dict[str, int]
    seed: int | None
    winner_reason: str

    @property
    def first_round(self) -> RoundRecord:
        """The first round."""
        return self.rounds[0]

    @property
    def final_round(self) -> RoundRecord:
        """The round in which the winner was elected."""
        return self.rounds[-1]

    @property
    def elimination_order(self) -> list[str]:
        """Eliminated candidates, first eliminated first."""
        return [r.eliminated for r in self.rounds if r.eliminated is not None]

    def to_dict(self) -> dict[str, Any]:
        """The result as JSON-safe data.

        Fractions are strings ("50654/1000"-style exact values), display floats
        are rounded half up to ``JSON_PLACES`` decimals, dict order follows
        candidate and section order, so equal counts give equal output.

        Returns:
            A dict that :meth:`from_dict` turns back into an equal result.
        """
        return {
            "winner": self.winner,
            "winner_reason": self.winner_reason,
            "method": self.method,
            "candidates": list(self.candidates),
            "sections": list(self.section_names),
            "weights": None
            if self.weights is None
            else {s: str(w) for s, w in self.weights.items()},
            "valid": dict(self.valid),
            "tie_policy": self.tie_policy,
            "seed": self.seed,
            "rounds": [r.to_dict() for r in self.rounds],
            "tie_breaks": [
                {
                    "round": t.round,
                    "tied": list(t.tied),
                    "steps": [
                        {
                            "criterion": s.criterion,
                            "values": {c: str(v) for c, v in s.values.items()},
                            "remaining": list(s.remaining),
                        }
                        for s in t.steps
                    ],
                    "decided_by": t.decided_by,
                    "eliminated": t.eliminated,
                }
                for t in self.tie_breaks
            ],
        }

    def to_json(self, indent: int | None = 2) -> str:
        """The result as a JSON string (see :meth:`to_dict`).

        Args:
            indent: passed to ``json.dumps``.

        Returns:
            The JSON text.
        """
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CountResult:
        """Rebuilds a result from :meth:`to_dict` output (or parsed :meth:`to_json`).

        Args:
            data: the dict.

        Returns:
            The result.
        """
        weights = data["weights"]
        return cls(
            winner=data["winner"],
            rounds=[RoundRecord.from_dict(r) for r in data["rounds"]],
            method=data["method"],
            tie_policy=data["tie_policy"],
            tie_breaks=[
                TieBreak(
                    round=int(t["round"]),
                    tied=tuple(t["tied"]),
                    steps=[
                        TieBreakStep(
                            criterion=s["criterion"],
                            values={c: Fraction(v) for c, v in s["values"].items()},
                            remaining=tuple(s["remaining"]),
                        )
                        for s in t["steps"]
                    ],
                    decided_by=t["decided_by"],
                    eliminated=t["eliminated"],
                )
                for t in data["tie_breaks"]
            ],
            weights=None if weights is None else {s: Fraction(w) for s, w in weights.items()},
            candidates=tuple(data["candidates"]),
            section_names=tuple(data["sections"]),
            valid={s: int(n) for s, n in data["valid"].items()},
            seed=data["seed"],
            winner_reason=data["winner_reason"],
        )

    @classmethod
    def from_json(cls, text: str) -> CountResult:
        """Rebuilds a result from :meth:`to_json` output.

        Args:
            text: the JSON text.

        Returns:
            The result.
        """
        return cls.from_dict(json.loads(text))


def diff_results(a: CountResult, b: CountResult, *, limit: int = 20) -> list[str]:
    """Lists where two count records differ, for replaying a recorded count.

    Args:
        a: one result (e.g. the recorded one).
        b: the other (e.g. the recount).
        limit: stop after this many differences.

    Returns:
        Human-readable "path: a-value != b-value" lines; empty when the counts agree.
    """
    found: list[str] = []

    def walk(x: Any, y: Any, path: str) -> None:
        if len(found) >= limit:
            return
        if isinstance(x, dict) and isinstance(y, dict):
            for key in list(dict.fromkeys([*x, *y])):
                if key not in x or key not in y:
                    found.append(f"{path}.{key}: present in only one record")
                else:
                    walk(x[key], y[key], f"{path}.{key}")
        elif isinstance(x, list) and isinstance(y, list):
            if len(x) != len(y):
                found.append(f"{path}: {len(x)} entries != {len(y)} entries")
            for i, (xi, yi) in enumerate(zip(x, y, strict=False)):
                walk(xi, yi, f"{path}[{i}]")
        elif x != y:
            found.append(f"{path}: {x!r} != {y!r}")

    walk(a.to_dict(), b.to_dict(), "result")
    return found


def round_half_up(value: Fraction | int, places: int) -> float:
    """Rounds an exact value the way a person does by hand (halves away from zero).

    Args:
        value: the exact value.
        places: decimal places to keep.

    Returns:
        The rounded value as a float (for display and JSON).
    """
    value = Fraction(value)
    with localcontext() as ctx:
        ctx.prec = 60
        exact = Decimal(value.numerator) / Decimal(value.denominator)
        return float(exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def section_percentages(votes: Mapping[str, int], base: int) -> dict[str, Fraction]:
    """Exact percentages of a section's non-exhausted ballots.

    Args:
        votes: candidate -> ballots in the section this round.
        base: the section's non-exhausted ballots this round.

    Returns:
        Candidate -> percentage as a Fraction; all zero when ``base`` is 0 (a
        section whose ballots have all exhausted).
    """
    if base == 0:
        return {c: Fraction(0) for c in votes}
    return {c: Fraction(100 * v, base) for c, v in votes.items()}
