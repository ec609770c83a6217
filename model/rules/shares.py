"""Exact shares: "a third", "12.5%", "1/3" as fractions, never floats.

Published rules say "at least a third" or "12.5% of the PLP", and a float
comparison would get the boundary cases wrong. Shares accept numbers
(``0.125``), decimal strings, percent strings (``"12.5%"``) or fraction strings
(``"1/3"``); they serialise as fraction strings. :data:`Share` is the pydantic
field type; the functions here are the exact arithmetic the rules use.
"""

import math
from decimal import Decimal
from fractions import Fraction
from typing import Annotated

from pydantic import PlainSerializer, PlainValidator, WithJsonSchema

__all__ = ["SHARE_HELP", "Share", "ceil_share", "exact_share", "parse_share", "pct"]

SHARE_HELP = "a share between 0 and 1: a number such as 0.125, '12.5%' or a fraction such as '1/3'"


def parse_share(value: object) -> Fraction:
    """Convert a user-given share to an exact fraction in [0, 1]."""
    if isinstance(value, bool):
        raise ValueError(f"must be {SHARE_HELP} (got {value!r})")
    try:
        if isinstance(value, Fraction):
            share = value
        elif isinstance(value, int | Decimal):
            share = Fraction(value)
        elif isinstance(value, float):
            if not math.isfinite(value):
                raise ValueError
            # repr gives the shortest decimal that round-trips, so 0.15 becomes
            # exactly 3/20 rather than the binary float's long expansion.
            share = Fraction(repr(value))
        elif isinstance(value, str):
            text = value.strip().replace(" ", "")
            share = Fraction(text[:-1]) / 100 if text.endswith("%") else Fraction(text)
        else:
            raise ValueError
    except (ValueError, ZeroDivisionError):
        raise ValueError(f"must be {SHARE_HELP} (got {value!r})") from None
    if not 0 <= share <= 1:
        raise ValueError(f"must be {SHARE_HELP} (got {value!r})")
    return share


def _share_text(share: Fraction) -> str:
    return str(share)


Share = Annotated[
    Fraction,
    PlainValidator(parse_share),
    PlainSerializer(_share_text, return_type=str, when_used="json"),
    WithJsonSchema({"anyOf": [{"type": "number"}, {"type": "string"}], "description": SHARE_HELP}),
]
"""An exact share in [0, 1], stored as a Fraction, serialised as ``"p/q"``."""


def exact_share(value: float | int | Fraction | str, what: str) -> Fraction:
    """Exact fraction for a share passed to a pure function (ValueError if out of range)."""
    try:
        return parse_share(value)
    except ValueError as err:
        raise ValueError(f"{what} {err}") from None


def ceil_share(share: Fraction, base: int) -> int:
    """ceil(share × base), computed exactly in integers."""
    return -((-share.numerator * base) // share.denominator)


def pct(share: Fraction) -> str:
    """Readable share: '12.5%' when it has a short decimal form, else '1/3'."""
    hundredfold = share * 100
    if (hundredfold * 10).denominator == 1:
        number = float(hundredfold)
        return f"{number:g}%"
    return str(share)
