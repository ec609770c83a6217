"""The field types every scenario section uses: shares, positions, months, distributions.

`Strict` is the base of every section: unknown keys are errors (a misspelt key
never passes silently) and a validated scenario is frozen.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from model.calendar import Month

__all__ = [
    "SHARE_TOLERANCE",
    "BetaSpec",
    "Ideology",
    "IdeologyComponent",
    "Mixture",
    "MonthText",
    "Share",
    "Strict",
]

SHARE_TOLERANCE = 1e-9

Share = Annotated[float, Field(ge=0.0, le=1.0)]
Ideology = Annotated[float, Field(ge=-1.0, le=1.0)]


def _check_month(value: str) -> str:
    Month.parse(value)
    return value


# A calendar month written "YYYY-MM", checked when the scenario loads.
MonthText = Annotated[str, AfterValidator(_check_month)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class IdeologyComponent(Strict):
    """One normal component of a mixture over the left (-1) .. right (+1) axis."""

    weight: Share
    mean: Ideology
    sd: float = Field(gt=0.0, le=2.0)


def _weights_sum_to_one(value: list[IdeologyComponent]) -> list[IdeologyComponent]:
    total = sum(c.weight for c in value)
    if abs(total - 1.0) > SHARE_TOLERANCE:
        raise ValueError(f"component weights must sum to 1 (they sum to {total:g})")
    return value


# A mixture of normals over the ideological axis; weights sum to 1.
Mixture = Annotated[
    list[IdeologyComponent], Field(min_length=1), AfterValidator(_weights_sum_to_one)
]


class BetaSpec(Strict):
    """A Beta(alpha, beta) distribution for a propensity in [0, 1]."""

    alpha: float = Field(gt=0.0, le=1000.0)
    beta: float = Field(gt=0.0, le=1000.0)

    @property
    def mean(self) -> float:
        """Mean of the distribution."""
        return self.alpha / (self.alpha + self.beta)
