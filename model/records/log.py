"""The event log: the typed event records of one run, in the order they happened."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar, overload

from model.calendar import Month
from model.records.events import Event, event_class

E = TypeVar("E", bound=Event)


class EventLog:
    """The model's event log: one typed record per event, in order."""

    def __init__(self, events: Iterable[Event] = ()) -> None:
        self._records: list[Event] = list(events)

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
