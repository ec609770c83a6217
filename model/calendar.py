"""The model's calendar: one step is one calendar month."""

from __future__ import annotations

import re
from dataclasses import dataclass

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
