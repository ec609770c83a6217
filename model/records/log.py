"""The event log: the typed event records of one run, in the order they happened."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from functools import cache
from typing import Any, TypeVar, overload

from model.calendar import Month
from model.records.events import Event, event_class

E = TypeVar("E", bound=Event)


@cache
def _has_seat(kind: type[Event]) -> bool:
    return "seat" in getattr(kind, "__dataclass_fields__", {})


class EventLog:
    """The model's event log: one typed record per event, in order.

    Attributes:
        seat_names: each CLP's seat name, by CLP index (set by the model): an
            event type with a `seat` field recorded with a `clp` and no `seat`
            gets the seat's name, so every institution's events name places
            without each looking them up.
    """

    def __init__(self, events: Iterable[Event] = ()) -> None:
        self._records: list[Event] = list(events)
        self.seat_names: Sequence[str] | None = None

    def record(self, kind: type[E], month: Month | str, /, **fields: Any) -> E:
        """Append one event built from model values.

        Args:
            kind: the event class (e.g. `Agm`).
            month: the month it happened.
            **fields: the event's fields (numpy values and Fractions are
                made JSON-safe).

        Returns:
            The stored record.
        """
        names = self.seat_names
        if names is not None and "clp" in fields and "seat" not in fields and _has_seat(kind):
            fields["seat"] = names[int(fields["clp"])]
        event = kind.create(month, **fields)
        self._records.append(event)
        return event  # type: ignore[return-value]

    def __iter__(self) -> Iterator[Event]:
        return iter(self._records)

    def __len__(self) -> int:
        return len(self._records)

    def __getitem__(self, index: int) -> Event:
        return self._records[index]

    @overload
    def of_type(self, kind: type[E]) -> list[E]: ...
    @overload
    def of_type(self, kind: str) -> list[Event]: ...
    def of_type(self, kind: str | type[Event]) -> list[Any]:
        """All records of one type (given by class or by name)."""
        cls = event_class(kind)
        return [r for r in self._records if type(r) is cls]

    def counts(self) -> dict[str, int]:
        """Records per event type."""
        return dict(Counter(r.type for r in self._records))
