"""The road to conference: what a proposer does when its proposal would fail.

A rule change does not go straight to the card vote (labour_politics.json:
conference_and_nec_rule_votes). In 2011 the NEC bargained Refounding Labour
into one package, put to conference as a single vote; in September 2021 the
leader put a college of thirds to the affiliated unions, who would not take
it to conference without time to consult, so it was dropped and a smaller
package passed; in 2018 the NEC's one-third trigger rule was put first and
open selection fell with it.

The proposer forecasts the card vote from what it knows — each affiliate's
stated stance at the consultation and each CLP delegation's mandate — and:

1. **proceeds** if the forecast passes;
2. else **amends**: drops, one at a time, the part whose removal raises the
   forecast most, while what is left still gains the proposer something,
   until the rest passes (:func:`decide`);
3. else **defers** to a special conference, if the proposer allows it and
   the only obstacle was the affiliates' need for time to consult;
4. else **withdraws**.

Proposals of one proposer for the same conference that would fail alone are
**bundled** with one that would pass when the package passes
(:func:`bundle`): a single vote, as the 2011 and 2021 packages were.

The forecast itself is the caller's (it knows the actors); everything here
is pure.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["Forecast", "Part", "RoadDecision", "bundle", "decide", "split_parts"]


@dataclass(frozen=True)
class Part:
    """A named part of a proposal: some rule-field changes."""

    name: str
    changes: Mapping[str, Any]


def split_parts(
    changes: Mapping[str, Any], parts: Mapping[str, Sequence[str]], rest: str
) -> tuple[Part, ...]:
    """Group a proposal's changes into its named parts.

    Args:
        changes: dotted path -> value.
        parts: part name -> path prefixes it covers.
        rest: the name of the part holding changes no named part covers.

    Returns:
        The non-empty parts, named ones first (in the given order).
    """
    taken: dict[str, dict[str, Any]] = {name: {} for name in parts}
    leftover: dict[str, Any] = {}
    for path, value in changes.items():
        for name, prefixes in parts.items():
            if any(path == p or path.startswith(p + ".") for p in prefixes):
                taken[name][path] = value
                break
        else:
            leftover[path] = value
    out = [Part(name, dict(c)) for name, c in taken.items() if c]
    if leftover:
        out.append(Part(rest, leftover))
    return tuple(out)


def merged(parts: Sequence[Part]) -> dict[str, Any]:
    """All the parts' changes as one mapping."""
    out: dict[str, Any] = {}
    for part in parts:
        out.update(part.changes)
    return out


@dataclass(frozen=True)
class Forecast:
    """The proposer's forecast of a card vote.

    Attributes:
        share_for: the weighted share for.
        passes: it would pass.
        affiliates_for, clps_for: each half's share for.
        needs_time: affiliates that asked for time to consult.
    """

    share_for: float
    passes: bool
    affiliates_for: float = 0.0
    clps_for: float = 0.0
    needs_time: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "share_for": round(self.share_for, 6),
            "passes": self.passes,
            "affiliates_for": round(self.affiliates_for, 6),
            "clps_for": round(self.clps_for, 6),
            "needs_time": list(self.needs_time),
        }


ForecastFn = Callable[[Sequence[Part], bool], Forecast]
"""(parts, assume the affiliates have consulted) -> Forecast."""


@dataclass(frozen=True)
class RoadDecision:
    """What the proposer does.

    Attributes:
        action: "proceed", "amend", "defer" or "withdraw".
        kept: the parts that go forward (empty when withdrawn).
        dropped: the parts dropped.
        first: the forecast of the whole proposal.
        final: the forecast of what goes forward (or of the last attempt).
        tried: every combination tried: (part names, forecast share).
    """

    action: Literal["proceed", "amend", "defer", "withdraw"]
    kept: tuple[Part, ...]
    dropped: tuple[Part, ...]
    first: Forecast
    final: Forecast
    tried: tuple[tuple[tuple[str, ...], float], ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "action": self.action,
            "kept": [p.name for p in self.kept],
            "dropped": [p.name for p in self.dropped],
            "first": self.first.to_dict(),
            "final": self.final.to_dict(),
            "tried": [{"parts": list(names), "share_for": round(s, 6)} for names, s in self.tried],
        }


def decide(
    parts: Sequence[Part],
    forecast: ForecastFn,
    proposer_gain: Callable[[Sequence[Part]], float],
    *,
    allow_defer: bool = False,
) -> RoadDecision:
    """Proceed, amend (drop parts), defer or withdraw (see the module docstring).

    Args:
        parts: the proposal's parts.
        forecast: the proposer's forecast for a set of parts.
        proposer_gain: what a set of parts is worth to the proposer (> 0: worth moving).
        allow_defer: the proposer would delay to a special conference.

    Returns:
        The RoadDecision.
    """
    current = tuple(parts)
    first = forecast(current, False)
    tried: list[tuple[tuple[str, ...], float]] = [(tuple(p.name for p in current), first.share_for)]
    if first.passes:
        return RoadDecision("proceed", current, (), first, first, tuple(tried))
    last = first
    while len(current) > 1:
        options = []
        for part in current:
            rest = tuple(p for p in current if p is not part)
            if proposer_gain(rest) <= 0:
                continue
            f = forecast(rest, False)
            tried.append((tuple(p.name for p in rest), f.share_for))
            options.append((f.passes, f.share_for, -current.index(part), rest, f))
        if not options:
            break
        *_, rest, f = max(options, key=lambda o: o[:3])
        current, last = rest, f
        if f.passes:
            dropped = tuple(p for p in parts if p not in current)
            return RoadDecision("amend", current, dropped, first, f, tuple(tried))
    if allow_defer and first.needs_time:
        consulted = forecast(tuple(parts), True)
        tried.append((tuple(p.name for p in parts), consulted.share_for))
        if consulted.passes:
            return RoadDecision("defer", tuple(parts), (), first, consulted, tuple(tried))
    return RoadDecision("withdraw", (), tuple(parts), first, last, tuple(tried))


def bundle(
    failing: Sequence[Sequence[Part]],
    passing: Sequence[Sequence[Part]],
    forecast: ForecastFn,
) -> list[tuple[int, int, Forecast]]:
    """Which failing proposals ride with which passing ones as one package.

    Each failing proposal (in order) joins the passing proposal with which
    the package's forecast is highest, if that package passes; a passing
    proposal takes at most one rider.

    Args:
        failing: parts of each proposal that would fail alone.
        passing: parts of each proposal that would pass alone.
        forecast: the proposer's forecast.

    Returns:
        (failing index, passing index, the package's forecast) for each bundle.
    """
    out: list[tuple[int, int, Forecast]] = []
    taken: set[int] = set()
    for i, rider in enumerate(failing):
        best: tuple[float, int, Forecast] | None = None
        for j, carrier in enumerate(passing):
            if j in taken:
                continue
            f = forecast((*carrier, *rider), False)
            if f.passes and (best is None or f.share_for > best[0]):
                best = (f.share_for, j, f)
        if best is not None:
            taken.add(best[1])
            out.append((i, best[1], best[2]))
    return out
