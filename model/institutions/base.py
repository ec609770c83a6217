"""What every institution has: the state it works on, its stages in the month, its series.

An institution (AGMs, leadership contests, selections, conference...) is one
module with one class. It declares its *stages*: what it runs, when (every
month in the step, or as events on a calendar) and its rank in the month.
`PartyModel` collects the stages of every institution into the monthly plan,
so the order of a month is declared in one place and printed by
`PartyModel.plan()`. An institution adds its columns to the monthly series
in `measure`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from model.state import PartyState


@dataclass(frozen=True)
class Stage:
    """One thing an institution does in a month.

    Attributes:
        rank: its place in the month (lower runs first).
        name: a short name (also the timing key).
        run: the callable (a bound method) for monthly stages; None for
            events, which the institution schedules itself.
        when: "every month", or when its events fall ("each CLP once a
            year", "scenario dates"...), for the printed plan.
        description: one line for the printed plan.
        decided_by: how its decisions are taken ("meeting", "ballot", ...), if any.
    """

    rank: int
    name: str
    run: Callable[[], None] | None
    when: str
    description: str
    decided_by: str = ""

    @property
    def monthly(self) -> bool:
        """Runs in every month's step (not as a scheduled event)."""
        return self.run is not None


class Institution:
    """Base class: holds the state; subclasses declare stages, schedule events, measure."""

    name: ClassVar[str] = ""

    def __init__(self, state: PartyState):
        """Attach to the party's state.

        Args:
            state: the shared PartyState.
        """
        self.state = state

    def stages(self) -> list[Stage]:
        """The institution's stages in the month."""
        return []

    def schedule(self) -> None:
        """Put the institution's events on the calendar (called once, at the start)."""

    def measure(self, row: dict[str, Any]) -> None:
        """Add this institution's columns to one month's row of the series."""
