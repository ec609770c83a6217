"""Validation targets as data: each published figure, how the model measures it, and its role.

A :class:`Target` names

* the **figure**: a citation path into ``labour_history.json`` (never typed in
  here), optionally with a small derivation, and the month it describes;
* the **measure**: a function of one run that gives the model's value;
* its **role**: ``fit`` or ``forecast`` by the month (the split in
  :mod:`model.validation.split`), or ``built-in`` when the scenario imposes
  the outcome (the reason is stated; such rows are shown but never scored or
  fitted);
* its **baseline**: the naive "persistence" forecast it is scored against
  (:class:`Baseline`; the families' rules are in docs/validation.md);
* what it **requires**: event types the model must produce; a target whose
  event type does not exist yet is reported as "not modelled yet".

A target is ``kind="number"`` (a share, a count) or ``kind="binary"`` (who won,
whether a proposal passed): a binary target's measure is 1 when the
historical outcome happened in the run, and its forecast is the share of runs
in which it did.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from model.scenario.schema import Scenario
from model.validation.history import published_value, source_url
from model.validation.measures import (
    Measure,
)
from model.validation.split import SPLIT, Period, Role

Kind = Literal["number", "binary"]


@dataclass(frozen=True)
class Baseline:
    """A naive forecast of one target, for skill scores.

    Either read from the data (``path`` and an optional ``derive``, like a
    target's figure: "the previous contest's figure", "the last year-end
    before the split") or a ``constant`` (equal odds, equal shares, zero).
    For a binary target the value is the probability given to the historical
    outcome.

    Attributes:
        description: what the baseline says, for the table.
        path: citation path of the figure it repeats.
        derive: turns the value at `path` into the baseline number.
        constant: a fixed number instead of a path.
    """

    description: str
    path: str | None = None
    derive: Callable[[Any], float] | None = None
    constant: float | None = None

    def value(self, data: Any) -> float:
        """The baseline's number (read from the data where it has a path)."""
        if self.constant is not None:
            return float(self.constant)
        if self.path is None:
            raise ValueError(f"baseline {self.description!r} has neither a path nor a constant")
        value = published_value(data, self.path)
        return float(self.derive(value) if self.derive is not None else value)


Imposed = Callable[[Scenario], str | None]


@dataclass(frozen=True)
class Target:
    """One published figure and how the model's counterpart is measured.

    Attributes:
        key: unique identifier (also the measure's column in the outcomes).
        group: the table section and figure it is reported in.
        label: readable name.
        scenario: the historical scenario it is measured in.
        month: the month the figure describes ("YYYY-MM"); decides fit/forecast.
        path: citation path of the published figure.
        measure: the model's value from one run.
        unit: "%", "members", "MPs", "CLPs", "votes", "% of seats", "winner" or "passes".
        family: the group of like targets scored together (same unit and baseline rule).
        kind: "number" or "binary".
        derive: turns the value at `path` into the published number (binary:
            into the outcome's name).
        baseline: the naive forecast it is scored against (None: none defined).
        imposed: returns why the scenario imposes the outcome (then the row is
            built-in), or None.
        requires: event types the model must produce to measure it.
        note: what to know when reading the row.
        cite: where the figure's source URL is read when `path` has none (a
            winner's name sits in a record without a URL of its own).
    """

    key: str
    group: str
    label: str
    scenario: str
    month: str
    path: str
    measure: Measure
    unit: str
    family: str
    kind: Kind = "number"
    derive: Callable[[Any], Any] | None = None
    baseline: Baseline | None = None
    imposed: Imposed | None = None
    requires: tuple[str, ...] = ()
    note: str = ""
    cite: str | None = None

    @property
    def is_binary(self) -> bool:
        """Whether the target is an outcome (who won, passed) rather than a number."""
        return self.kind == "binary"

    @property
    def period(self) -> Period:
        """ "fit" or "forecast", by the month the figure describes."""
        return SPLIT.period_of(self.month)

    def published(self, data: Any) -> Any:
        """The published figure, read from the data set (binary: the outcome's name)."""
        value = published_value(data, self.path)
        return self.derive(value) if self.derive is not None else value

    def observed(self, data: Any) -> float:
        """The figure as a number to score: 1.0 for a binary target (the outcome happened)."""
        return 1.0 if self.is_binary else float(self.published(data))

    def source(self, data: Any) -> str | None:
        """The URL the published figure was read from."""
        return source_url(data, self.path) or (source_url(data, self.cite) if self.cite else None)

    def role(self, scenario: Scenario | None) -> tuple[Role, str]:
        """The target's role and, for a built-in row, why.

        Args:
            scenario: the scenario the target is measured in (as run); None
                skips the check for an imposed outcome.
        """
        if self.imposed is not None and scenario is not None:
            reason = self.imposed(scenario)
            if reason:
                return "built-in", reason
        return self.period, ""

    def modelled(self) -> bool:
        """Whether the model has every event type this target needs."""
        from model.validation.measures import event_type_exists

        return all(event_type_exists(kind) for kind in self.requires)


# --- derivations ------------------------------------------------------------------------


def name_only(text: str) -> str:
    """ "Jeremy Corbyn (first round)" -> "Jeremy Corbyn"."""
    return re.sub(r"\s*\(.*\)\s*$", "", str(text)).strip()


def share_of(name: str) -> Callable[[Mapping[str, Any]], float]:
    """Published share (%) of `name` among the candidates' vote counts (derived)."""

    def derive(votes: Mapping[str, Any]) -> float:
        counts = {k: v for k, v in votes.items() if k not in ("total", "total_valid")}
        return 100.0 * counts[name] / sum(counts.values())

    return derive


def bound_from_fact(phrase: str, excess: float = 0.0) -> Callable[[Any], float]:
    """A bound read from a sentence: `excess` while the data still say `phrase`.

    For facts published as words, not digits ("members from before May 2015
    voted predominantly for Owen Smith"): the target is the measure's excess
    over the bound, and the data give that excess (0) only while they say so.

    Raises:
        ValueError: the sentence no longer says `phrase` (the data changed).
    """

    def derive(text: Any) -> float:
        if phrase.lower() not in str(text).lower():
            raise ValueError(f"the data no longer say {phrase!r}: {text!r}")
        return excess

    return derive


def key_value(key: str) -> Callable[[Mapping[str, Any]], Any]:
    return lambda value: value[key]


def nested(*keys: str) -> Callable[[Mapping[str, Any]], Any]:
    def derive(value: Mapping[str, Any]) -> Any:
        for key in keys:
            value = value[key]
        return value

    return derive


def sum_counts(value: Mapping[str, Any]) -> float:
    return float(sum(v for k, v in value.items() if k not in ("total", "total_valid")))


def others(left: str, n_others: int, *keys: str) -> Callable[[Mapping[str, Any]], float]:
    """Wing persistence for a non-left candidate: the rest of the previous figure, shared equally."""

    def derive(value: Mapping[str, Any]) -> float:
        for key in keys:
            value = value[key]
        counts = {k: float(v) for k, v in value.items() if k not in ("total", "total_valid")}
        return (sum(counts.values()) - counts[left]) / n_others

    return derive


def rest_of_100(n_others: int) -> Callable[[Any], float]:
    return lambda value: (100.0 - float(value)) / n_others


def seat_share(field: str) -> Callable[[Mapping[str, Any]], float]:
    return lambda value: 100.0 * float(value[field]) / float(value["seats"])


def clp_others(names: tuple[str, ...], n_others: int) -> Callable[[Mapping[str, Any]], float]:
    """Wing persistence over nomination records: the named candidates' total, shared equally.

    Args:
        names: the previous contest's non-left candidates ({name: {"value": n}} records).
        n_others: the non-left candidates of this contest.
    """

    def derive(records: Mapping[str, Any]) -> float:
        return sum(float(records[name]["value"]) for name in names) / n_others

    return derive


def percent_for(text: str) -> float:
    """The "% for" of a vote recorded as text ("...: 86.29% for, 13.71% against")."""
    match = re.search(r"([\d.]+)%\s*for", str(text))
    if match is None:
        raise ValueError(f"no '% for' in {text!r}")
    return float(match.group(1))


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def equal_odds(n: int) -> Baseline:
    return Baseline(f"equal odds (1 in {n})", constant=1.0 / n)


def equal_shares(n: int) -> Baseline:
    return Baseline(f"equal shares (100/{n})", constant=100.0 / n)


# --- what a scenario imposes ---------------------------------------------------------------


def seats_given(month: str) -> Imposed:
    def imposed(scenario: Scenario) -> str | None:
        if month in (scenario.elections.historical_seats or {}):
            return "the scenario gives the model the published seats (elections.historical_seats)"
        return None

    return imposed


def lent_to_threshold(scenario: Scenario) -> str | None:
    if scenario.contests.lend_share > 0:
        return (
            "lending (contests.lend_share) tops the weakest candidate up to exactly the "
            "nomination threshold, which the rules fix"
        )
    return None


def affiliated_from_inputs(scenario: Scenario) -> str | None:
    return (
        "the sign-up share and turnout of affiliated supporters are set from these 2015 "
        "figures (contests.affiliated_supporter_share, affiliated_supporter_turnout)"
    )


def forced_conference(scenario: Scenario) -> str | None:
    balance = scenario.conference.balance
    if balance is not None and balance <= -1.0:
        return "the scenario forces every historical proposal to pass (conference.balance = -1)"
    return None


OMOV_VOTER_TYPES = (
    ("members", "members"),
    ("registered_supporters", "registered supporters"),
    ("affiliated_supporters", "affiliated supporters"),
)
"""The voter types an OMOV contest publishes separately, with their labels."""

LONG = "labour_2010_2024"
"""The long scenario every target is measured in (May 2010 to December 2024)."""


def roles(
    targets: Sequence[Target], scenarios: Mapping[str, Scenario]
) -> dict[str, tuple[Role, str]]:
    """Each target's role and reason, given the scenarios as run."""
    return {t.key: t.role(scenarios.get(t.scenario)) for t in targets}
