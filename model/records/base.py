"""What every event record has: the `Event` base class, JSON-safe values, the layout's version.

The event types themselves are declared in `model.records.party_events` (the
party's own bodies) and `model.records.conference_events` (conference, the
affiliates, the NEC, deputies); `model.records.events` registers them all.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, ClassVar

import numpy as np

from model.calendar import Month

__all__ = ["DECIDED_BY", "OPTIONAL", "SCHEMA", "Event", "EventError", "jsonable"]


SCHEMA = 6
"""Version of the event layout (bump on any change of fields).

2: seat names next to CLP indices (``seat`` of agm, trigger_ballot, selection,
retirement; ``lost_seats``/``gained_seats``, ``seat_source``, ``base_result``,
``kept_for_leader`` of general_election).
3: executive places won per slate (``places`` of agm).
4: the affiliates, the NEC and the road to conference (union_leadership_change,
affiliation_change, union_nomination, affiliate_consultation, proposal_withdrawn,
package_formed, nec_vote, agenda_vote, nec_election, deputy_contest; conference,
parts, effect and forced of conference_vote; rule_change decided by an NEC meeting).
5: contest_not_held (a scheduled contest whose leader does not lead).
6: full members' first preferences by the month they joined
(``members_by_joining_month`` of leadership_contest).
"""


DECIDED_BY = ("meeting", "ballot", "rule", "election", "card vote")
"""How a decision was taken (MODEL.md §4)."""


OPTIONAL = {"optional": True}
"""Field metadata: left out of the JSON when None (the event did not have it)."""


_PLAIN = frozenset({str, int, bool, type(None)})


def jsonable(value: Any) -> Any:
    """Convert numpy scalars/arrays, Fractions and Months into JSON-safe values.

    Floats are rounded to 10 decimal places so that the same run gives the
    same bytes on any platform that agrees to that precision.
    """
    # Fast path for the plain values most records are made of (an exact type
    # check is much cheaper than the isinstance chain below).
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind is float:
        return round(value, 10)
    if kind is list:
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return [jsonable(v) for v in value.tolist()]
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating | float):
        return round(float(value), 10)
    if isinstance(value, Fraction):
        return str(value)
    if isinstance(value, Month):
        return str(value)
    return value


class EventError(ValueError):
    """An event record that does not fit its declared type (message fit for a user)."""


@dataclass(frozen=True, kw_only=True)
class Event:
    """Fields every event has.

    Attributes:
        month: the month it happened, "YYYY-MM".
    """

    type: ClassVar[str] = ""
    decisions: ClassVar[tuple[str, ...]] = ()
    """The values `decided_by` may take for this type (empty: not a decision)."""

    month: str

    def __post_init__(self) -> None:
        decided_by = getattr(self, "decided_by", None)
        if self.decisions and decided_by not in self.decisions:
            raise EventError(
                f"{self.type}: decided_by must be one of {self.decisions}, got {decided_by!r}"
            )

    @classmethod
    def create(cls, month: Month | str, /, **fields: Any) -> Event:
        """Build an event from model values (numpy, Fractions...) made JSON-safe.

        Holding the JSON-safe values means an event in memory equals the same
        event read back from `events.jsonl`.
        """
        return cls(month=str(month), **{k: jsonable(v) for k, v in fields.items()})

    def to_dict(self) -> dict[str, Any]:
        """The JSON object for `events.jsonl`: type, month, decided_by, then the fields."""
        out: dict[str, Any] = {"type": self.type, "month": self.month}
        decided_by = getattr(self, "decided_by", None)
        if decided_by is not None:
            out["decided_by"] = decided_by
        for f in _payload_fields(type(self)):
            value = getattr(self, f.name)
            if value is None and f.metadata.get("optional"):
                continue
            out[f.name] = value
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Event:
        """The event from its JSON object (as `to_dict` wrote it)."""
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - names - {"type"})
        if unknown:
            raise EventError(
                f"{cls.type} event of {data.get('month')}: unknown field(s) {unknown} "
                f"(allowed: {sorted(names)})"
            )
        try:
            return cls(**{k: v for k, v in data.items() if k != "type"})
        except TypeError as err:
            raise EventError(f"{cls.type} event of {data.get('month')}: {err}") from None


def _payload_fields(cls: type[Event]) -> tuple[dataclasses.Field, ...]:
    return tuple(f for f in dataclasses.fields(cls) if f.name not in ("month", "decided_by"))
