"""Section weights of an electoral college, as exact fractions.

Weights come from the command line ("1/3"), from rules presets (sometimes as
floats such as 0.333...) and from code (Fractions). Every one is turned into a
``fractions.Fraction`` here so that the count compares exact values only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction

import numpy as np

__all__ = ["WeightLike", "parse_weight", "parse_weights"]

WeightLike = Fraction | str | int | float
"""What a weight may be given as (see :func:`parse_weight`)."""


def parse_weight(value: WeightLike) -> Fraction:
    """Turns a section weight into an exact fraction.

    Args:
        value: a Fraction, an int, a string such as "1/3" or "0.5", or a float.
            A float is converted through its shortest repr and then
            ``limit_denominator(1000)``, so 0.3333333333333333 becomes 1/3; pass
            strings or Fractions when the exact value matters.

    Returns:
        The weight as a Fraction.

    Raises:
        ValueError: if the value is not a number or is negative.
    """
    if isinstance(value, bool):
        raise ValueError(f"weight must be a number, got {value!r}")
    try:
        if isinstance(value, Fraction):
            weight = value
        elif isinstance(value, int):
            weight = Fraction(value)
        elif isinstance(value, float):
            if not np.isfinite(value):
                raise ValueError
            weight = Fraction(repr(value)).limit_denominator(1000)
        elif isinstance(value, str):
            weight = Fraction(value.strip())
        else:
            raise ValueError
    except (ValueError, ZeroDivisionError):
        raise ValueError(f"weight must be a number such as 1/3 or 0.5, got {value!r}") from None
    if weight < 0:
        raise ValueError(f"weight must not be negative, got {value!r}")
    return weight


def parse_weights(
    weights: Mapping[str, WeightLike], section_names: Sequence[str]
) -> dict[str, Fraction]:
    """Checks a college's section weights against a profile's sections.

    Args:
        weights: section name -> weight (see :func:`parse_weight`).
        section_names: the sections that must all be weighted.

    Returns:
        Section name -> Fraction, in ``section_names`` order.

    Raises:
        ValueError: on an unknown or missing section, a bad weight, or weights
            that do not sum to exactly 1.
    """
    unknown = [name for name in weights if name not in section_names]
    if unknown:
        raise ValueError(
            f"unknown section {unknown[0]!r} in weights (sections: {', '.join(section_names)})"
        )
    missing = [name for name in section_names if name not in weights]
    if missing:
        raise ValueError(f"no weight given for section {missing[0]!r}")
    parsed = {}
    for name in section_names:
        try:
            parsed[name] = parse_weight(weights[name])
        except ValueError as err:
            raise ValueError(f"section {name!r}: {err}") from None
    total = sum(parsed.values(), Fraction(0))
    if total != 1:
        raise ValueError(f"section weights must sum to 1, they sum to {total}")
    return parsed
