"""The model's calendar: one step is one calendar month."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True, order=True)
class Month:
    """A calendar month, e.g. Month(2015, 9) for September 2015."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise ValueError(f"month must be 1..12, got {self.month}")

    @classmethod
    def parse(cls, text: str) -> Month:
        """Parse "YYYY-MM".

        Args:
            text: the month as "YYYY-MM".

        Returns:
            The Month.

        Raises:
            ValueError: the text is not of the form YYYY-MM with MM in 01..12.
        """
        match = _MONTH.match(str(text))
        if not match:
            raise ValueError(f'expected a month as "YYYY-MM", got {text!r}')
        if not 1 <= int(match[2]) <= 12:
            raise ValueError(f'expected a month as "YYYY-MM" with MM in 01..12, got {text!r}')
        return cls(int(match[1]), int(match[2]))

    def plus(self, months: int) -> Month:
        """The month `months` later (or earlier when negative)."""
        index = self.year * 12 + (self.month - 1) + months
        return Month(index // 12, index % 12 + 1)

    def months_until(self, other: Month) -> int:
        """Whole months from self to other (negative when other is earlier)."""
        return (other.year - self.year) * 12 + (other.month - self.month)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def window_by_month(opens: date, closes: date, first: Month) -> list[tuple[Month, float]]:
    """How a window of days falls across the model's months: each month's share of its days.

    Days before `first` (the month the model opens the process) count in
    `first`: a window the party opened a few days before the model's month
    for it is, in the model, open from that month.

    Args:
        opens: the window's first day.
        closes: its last day (on or after `opens`).
        first: the earliest month the model can hold it in.

    Returns:
        (month, share of the window's days) for each month the window
        touches from `first` on, in order; the shares sum to 1.

    Raises:
        ValueError: `closes` is before `opens`, or the window closes before `first`.
    """
    if closes < opens:
        raise ValueError(f"the window closes ({closes}) before it opens ({opens})")
    if Month(closes.year, closes.month) < first:
        raise ValueError(f"the window closes ({closes}) before {first}")
    total = (closes - opens).days + 1
    days: dict[Month, int] = {}
    day = opens
    while day <= closes:
        month = max(Month(day.year, day.month), first)
        days[month] = days.get(month, 0) + 1
        day += timedelta(days=1)
    return [(month, count / total) for month, count in sorted(days.items())]
