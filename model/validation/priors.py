"""The calibration's priors, read from one editable table (``priors.toml``).

Each ``[[parameter]]`` row names a behavioural parameter, the scenario paths it
sets, its prior, whether the calibration fits it, and its justification. A
prior applies to every scenario whose file tags a line ``[calibrated: NAME]``
(the convention of the scenario files), or to the scenarios it lists.

``[candidates]`` and ``[campaign]`` hold the spread of the uncertainty that is
not a model parameter (named candidates' attributes, campaign shocks; see
:mod:`model.validation.shocks`).

A bad table (unknown field, a prior whose low is not below its high, a path
the scenarios do not have) is refused with a message naming the file, the
row and the field.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from model.scenario.schema import Scenario, ScenarioError

PRIORS_FILE = "priors.toml"
TAG_RE = re.compile(r"\[calibrated:\s*(?:1\s*-\s*)?([A-Za-z_0-9]+)\s*\]")


class PriorError(ScenarioError):
    """The priors table is invalid (a ScenarioError, so the CLI reports it with status 2)."""

    def __init__(self, file: str, problems: list[str]):
        self.file = file
        self.problems = problems
        ValueError.__init__(self, f"{file}: " + "; ".join(problems))

    def __str__(self) -> str:
        return f"{self.file}:\n" + "\n".join(f"  - {p}" for p in self.problems)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Distribution(_Strict):
    """A prior distribution on one parameter."""

    dist: Literal["uniform", "loguniform"]
    low: float
    high: float

    @model_validator(mode="after")
    def _ordered(self) -> Distribution:
        if not self.low < self.high:
            raise ValueError(f"low ({self.low:g}) must be below high ({self.high:g})")
        if self.dist == "loguniform" and self.low <= 0:
            raise ValueError(f"a loguniform prior needs low > 0, got {self.low:g}")
        return self

    def describe(self) -> str:
        """E.g. "U(-0.95, -0.3)" or "log-U(3000, 30000)"."""
        prefix = "log-U" if self.dist == "loguniform" else "U"
        return f"{prefix}({self.low:g}, {self.high:g})"

    def from_unit(self, u: np.ndarray) -> np.ndarray:
        """Map [0, 1] quantiles to values."""
        if self.dist == "loguniform":
            return np.exp(np.log(self.low) + u * (np.log(self.high) - np.log(self.low)))
        return self.low + u * (self.high - self.low)

    def to_unit(self, value: float) -> float:
        """The [0, 1] quantile of a value (clipped into the support): `from_unit`'s inverse."""
        v = float(np.clip(value, self.low, self.high))
        if self.dist == "loguniform":
            return float((np.log(v) - np.log(self.low)) / (np.log(self.high) - np.log(self.low)))
        return (v - self.low) / (self.high - self.low)

    def contains(self, value: float) -> bool:
        """Whether a value lies in the support."""
        return self.low <= value <= self.high

    def pyabc_rv(self) -> Any:
        """The prior as a pyabc random variable (scipy.stats underneath)."""
        import pyabc

        if self.dist == "loguniform":
            return pyabc.RV("loguniform", self.low, self.high)
        return pyabc.RV("uniform", self.low, self.high - self.low)


class Parameter(_Strict):
    """One row of the table."""

    name: str = Field(pattern=r"^[A-Za-z_][A-Za-z_0-9]*$")
    paths: list[str] = Field(min_length=1)
    complement: list[str] = Field(default_factory=list)
    prior: Distribution
    calibrate: bool = True
    scenarios: list[str] | None = None
    justification: str = Field(min_length=10)

    @model_validator(mode="after")
    def _sourced(self) -> Parameter:
        if "[assumption" not in self.justification and "[data:" not in self.justification:
            raise ValueError('justification must say "[assumption] ..." or cite "[data: PATH]"')
        if self.complement and not (self.prior.low >= 0 and self.prior.high <= 1):
            raise ValueError(
                "a parameter with a complement is a weight: its prior must be in [0, 1]"
            )
        return self

    def values(self, value: float) -> dict[str, float]:
        """Scenario path -> value for this parameter at `value`."""
        out = {path: float(value) for path in self.paths}
        out.update({path: 1.0 - float(value) for path in self.complement})
        return out


class Spread(_Strict):
    """The spread of named candidates' attributes around their assumed values."""

    ideology_sd: float = Field(ge=0.0, le=1.0)
    valence_sd: float = Field(ge=0.0, le=2.0)
    justification: str = Field(min_length=10)


class Campaign(_Strict):
    """The per-contest campaign shock to named candidates' valence."""

    shock_sd: float = Field(ge=0.0, le=2.0)
    justification: str = Field(min_length=10)


class Tolerance(_Strict):
    """How far the model may miss one family of fit targets (the ``tolerance`` distance).

    Attributes:
        family: the targets' family (``Target.family``: "contest share",
            "membership", ...).
        scale: the miss that counts as one unit of distance, in the family's
            summary-statistic units (percentage points; log(1 + count) for counts).
        justification: "[assumption] ..." or the data it rests on.
    """

    family: str = Field(min_length=1)
    scale: float = Field(gt=0.0, le=100.0)
    justification: str = Field(min_length=10)

    @model_validator(mode="after")
    def _sourced(self) -> Tolerance:
        if "[assumption" not in self.justification and "[data:" not in self.justification:
            raise ValueError('justification must say "[assumption] ..." or cite "[data: PATH]"')
        return self


class PriorTable(_Strict):
    """The whole priors table."""

    parameter: list[Parameter] = Field(min_length=1)
    candidates: Spread
    campaign: Campaign
    tolerance: list[Tolerance] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique(self) -> PriorTable:
        names = [p.name for p in self.parameter]
        doubles = sorted({n for n in names if names.count(n) > 1})
        if doubles:
            raise ValueError(f"parameter names must be unique; repeated: {', '.join(doubles)}")
        families = [t.family for t in self.tolerance]
        doubles = sorted({f for f in families if families.count(f) > 1})
        if doubles:
            raise ValueError(f"tolerance families must be unique; repeated: {', '.join(doubles)}")
        return self

    def tolerance_of(self, family: str) -> float:
        """The tolerance of a family of targets.

        Raises:
            KeyError: the table has no tolerance for `family` (the message names it).
        """
        for t in self.tolerance:
            if t.family == family:
                return t.scale
        known = ", ".join(repr(t.family) for t in self.tolerance) or "none"
        raise KeyError(
            f"the priors table has no [[tolerance]] for the target family {family!r} "
            f"(it has: {known})"
        )

    @property
    def calibrated(self) -> list[Parameter]:
        """The parameters the ABC fits."""
        return [p for p in self.parameter if p.calibrate]

    @property
    def uncalibrated(self) -> list[Parameter]:
        """The parameters drawn from their prior in the posterior predictive."""
        return [p for p in self.parameter if not p.calibrate]

    def by_name(self, name: str) -> Parameter:
        """The row named `name`."""
        for p in self.parameter:
            if p.name == name:
                return p
        raise KeyError(f"no parameter {name!r} in the priors table")

    def sample(
        self, n: int, rng: np.random.Generator, names: Iterable[str] | None = None
    ) -> list[dict[str, float]]:
        """n independent draws from the priors (of `names`, default all)."""
        chosen = [self.by_name(x) for x in names] if names is not None else self.parameter
        columns = {p.name: p.prior.from_unit(rng.random(n)) for p in chosen}
        return [{name: float(col[i]) for name, col in columns.items()} for i in range(n)]


def load_priors(path: str | Path | None = None) -> PriorTable:
    """Read and check the priors table.

    Args:
        path: a TOML file (default: the package's ``model/validation/priors.toml``).

    Returns:
        The validated table.

    Raises:
        PriorError: the file is not valid TOML or breaks the table's rules;
            the message names the file, the row and the field.
    """
    if path is None:
        label = f"model/validation/{PRIORS_FILE}"
        text = (resources.files("model.validation") / PRIORS_FILE).read_text(encoding="utf-8")
    else:
        label = str(path)
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as err:
            raise PriorError(label, [f"cannot read the file: {err.strerror or err}"]) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise PriorError(label, [f"not valid TOML: {err}"]) from None
    try:
        return PriorTable.model_validate(data)
    except ValidationError as err:
        problems = []
        for e in err.errors():
            where = ".".join(str(x) for x in e["loc"])
            for section, key in (("parameter", "name"), ("tolerance", "family")):
                if where.startswith(f"{section}.") and isinstance(e["loc"][1], int):
                    rows = data.get(section, [])
                    index = e["loc"][1]
                    name = rows[index].get(key, "?") if index < len(rows) else "?"
                    where = f"{section} {index + 1} ({name})" + "".join(
                        f".{x}" for x in e["loc"][2:]
                    )
            problems.append(f"{where}: {e['msg']}")
        raise PriorError(label, problems) from None


# --- applying the table to scenarios -------------------------------------------------------


def tagged_names(text: str) -> set[str]:
    """The NAMEs of every ``[calibrated: NAME]`` tag in a scenario file's text."""
    return set(TAG_RE.findall(text))


@dataclass(frozen=True)
class Applicability:
    """Which parameters apply to which scenario (by the files' tags or the table)."""

    by_scenario: dict[str, frozenset[str]]

    def applies(self, parameter: Parameter, scenario: str) -> bool:
        """Whether `parameter` sets fields of `scenario`."""
        if parameter.scenarios is not None:
            return scenario in parameter.scenarios
        return parameter.name in self.by_scenario.get(scenario, frozenset())


def applicability(
    texts: Mapping[str, str], aliases: Mapping[str, str] | None = None
) -> Applicability:
    """Read the tags of each scenario's file.

    Args:
        texts: scenario name -> its file's text.
        aliases: scenario name -> the scenario whose file it shares (a
            scenario built in code, e.g. the 2021 twin).
    """
    by = {name: frozenset(tagged_names(text)) for name, text in texts.items()}
    for alias, original in (aliases or {}).items():
        by[alias] = by.get(original, frozenset())
    return Applicability(by)


def scenario_values(
    table: PriorTable,
    where: Applicability,
    scenario: str,
    theta: Mapping[str, float],
) -> dict[str, float]:
    """Scenario path -> value for one scenario at parameter values `theta`.

    Parameters not in `theta` (or not applying to the scenario) are left as the
    file has them.
    """
    out: dict[str, float] = {}
    for p in table.parameter:
        if p.name in theta and where.applies(p, scenario):
            out.update(p.values(theta[p.name]))
    return out


def apply_theta(
    scenario: Scenario,
    table: PriorTable,
    where: Applicability,
    theta: Mapping[str, float],
) -> Scenario:
    """The scenario with the parameter values `theta` set (re-validated)."""
    from model.study.experiment import apply_factors

    values = scenario_values(table, where, scenario.scenario.name, theta)
    if not values:
        return scenario
    return apply_factors(
        scenario, values, source=f"priors table ({PRIORS_FILE})", what="parameter values"
    )


def check_against_scenarios(
    table: PriorTable, scenarios: Mapping[str, Scenario], where: Applicability
) -> list[str]:
    """Problems of the table against the scenarios (empty: fine).

    Checks that every applicable path exists in the scenario and that the
    scenario's own value lies inside the prior (a value outside would mean
    the scenario and the table disagree about what is plausible).
    """
    from model.study.experiment import get_path

    problems = []
    for name, scenario in scenarios.items():
        data = scenario.model_dump(mode="json")
        for p in table.parameter:
            if not where.applies(p, name):
                continue
            for path in p.paths:
                try:
                    value = get_path(data, path)
                except (KeyError, IndexError):
                    problems.append(f"{p.name}: scenario {name} has no field {path}")
                    continue
                if isinstance(value, int | float) and not p.prior.contains(float(value)):
                    problems.append(
                        f"{p.name}: scenario {name} has {path} = {value:g}, outside the prior "
                        f"{p.prior.describe()}"
                    )
    return problems


def describe_table(table: PriorTable, names: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """The table as rows for reports: name, paths, prior, calibrated, justification."""
    rows = []
    for p in table.parameter:
        if names is not None and p.name not in names:
            continue
        rows.append(
            {
                "parameter": p.name,
                "paths": ", ".join(p.paths + [f"1 - ({c})" for c in p.complement]),
                "prior": p.prior.describe(),
                "calibrated": p.calibrate,
                "justification": p.justification,
            }
        )
    return rows


def finite(theta: Mapping[str, float]) -> bool:
    """Whether every value is a finite number."""
    return all(isinstance(v, int | float) and math.isfinite(v) for v in theta.values())
