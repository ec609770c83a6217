"""Measures: functions of one run (its monthly series and typed events) that give a number.

A measure is what the model says about one published figure (or about a
counterfactual comparison). Each returns NaN when the run has nothing to
measure (the contest did not happen, the run stopped earlier), never a guess.

Measures read typed event records (:mod:`model.records.events`) by attribute:
``rec.winner``, ``rec.rounds``, ``rec.first_round_by_type``,
``rec.nominations``, ``TriggerBallot.full_selection`` / ``.deselected``,
``ConferenceVote.share_for`` / ``.passes``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from model.records.events import (
    EVENT_TYPES,
    ConferenceVote,
    Event,
    LeaderResigns,
    LeadershipContest,
    TriggerBallot,
)


@dataclass(frozen=True)
class RunData:
    """What a measure reads from one run.

    Attributes:
        series: the monthly series (at least `date` and the columns measured).
        events: the event records.
        scale: the run's party.scale (counts are scaled back by 1/scale).
    """

    series: pd.DataFrame
    events: Sequence[Event]
    scale: float

    def contest(self, month: str) -> LeadershipContest | None:
        """The leadership ballot whose result came in `month` ("YYYY-MM"), if any."""
        for rec in self.events:
            if isinstance(rec, LeadershipContest) and rec.month == month and rec.balloted:
                return rec
        return None

    def of_type(self, kind: type[Event], month: str | None = None) -> list[Event]:
        """The events of one type (in one month, if given)."""
        return [
            rec
            for rec in self.events
            if isinstance(rec, kind) and (month is None or rec.month == month)
        ]

    def at(self, column: str, month: str) -> float:
        """A series value in a month (NaN if the run did not reach it)."""
        if column not in self.series.columns:
            return math.nan
        rows = self.series.loc[self.series["date"] == month, column]
        return float(rows.iloc[-1]) if len(rows) else math.nan

    def last(self, column: str) -> float:
        """A series' last value (NaN if absent)."""
        if column not in self.series.columns or self.series.empty:
            return math.nan
        return float(self.series[column].iloc[-1])


Measure = Callable[[RunData], float]


def event_type_exists(name: str) -> bool:
    """Whether the model has an event type of this name (else what needs it is not modelled)."""
    return name in EVENT_TYPES


# --- contests -------------------------------------------------------------------------


def winner_is(month: str, name: str) -> Measure:
    """1 if `name` won the contest decided in `month`, 0 if not, NaN if none."""

    def measure(run: RunData) -> float:
        rec = run.contest(month)
        return math.nan if rec is None else float(rec.winner == name)

    return measure


def round_share(month: str, name: str, which: Literal["first", "final"]) -> Measure:
    """A candidate's overall share (%) in the first or final round (0 if not in it)."""

    def measure(run: RunData) -> float:
        rec = run.contest(month)
        if rec is None:
            return math.nan
        rounds = rec.rounds
        chosen = rounds[0] if which == "first" else rounds[-1]
        return float(chosen["totals_pct"].get(name, 0.0))

    return measure


def section_share(month: str, name: str, section: str, which: Literal["first", "final"]) -> Measure:
    """A candidate's share (%) of one college section in the first or final round."""

    def measure(run: RunData) -> float:
        rec = run.contest(month)
        if rec is None:
            return math.nan
        rounds = rec.rounds
        chosen = rounds[0] if which == "first" else rounds[-1]
        return float(chosen["percentages"].get(section, {}).get(name, 0.0))

    return measure


def type_share(month: str, name: str, voter_type: str) -> Measure:
    """A candidate's share (%) of one voter type's first preferences."""

    def measure(run: RunData) -> float:
        rec = run.contest(month)
        if rec is None:
            return math.nan
        votes = (rec.first_round_by_type or {}).get(voter_type)
        if not votes or not sum(votes.values()):
            return math.nan
        return 100.0 * votes.get(name, 0) / sum(votes.values())

    return measure


def cohort_share(month: str, name: str, cuts: Sequence[str], cohort: int) -> Measure:
    """A candidate's share (%) of the first preferences of one cohort of full members.

    Members are divided by the month they joined (`LeadershipContest.members_by_cohort`):
    cohort 0 joined before cuts[0], cohort k in or after cuts[k-1] (and before cuts[k]).
    NaN where the contest was not held, or the record holds no joining months.
    """

    def measure(run: RunData) -> float:
        rec = run.contest(month)
        if rec is None or not rec.members_by_joining_month:
            return math.nan
        votes = rec.members_by_cohort(list(cuts))[cohort]
        total = sum(votes.values())
        return 100.0 * votes.get(name, 0) / total if total else math.nan

    return measure


def excess_over(threshold: float, measure: Measure) -> Measure:
    """How far a measure lies above `threshold` (0 at or below it; NaN stays NaN).

    For a published fact that is a bound rather than a figure ("Smith led
    among the members of before 2015": Corbyn's share there exceeded 50% by
    nothing), so that the fact can be scored and fitted like a number.
    """

    def excess(run: RunData) -> float:
        value = measure(run)
        return value if math.isnan(value) else max(0.0, value - threshold)

    return excess


def type_votes(month: str, voter_type: str) -> Measure:
    """First-preference votes cast by one voter type, scaled to full size."""

    def measure(run: RunData) -> float:
        rec = run.contest(month)
        if rec is None:
            return math.nan
        votes = (rec.first_round_by_type or {}).get(voter_type, {})
        return sum(votes.values()) / run.scale

    return measure


def nominations(month: str, name: str, route: Literal["plp", "clps"]) -> Measure:
    """Nominations a candidate had from MPs (and MEPs) or from CLPs."""

    def measure(run: RunData) -> float:
        rec = run.contest(month)
        if rec is None:
            return math.nan
        return float(rec.nominations.get(route, {}).get(name, 0))

    return measure


# --- membership, factions, the PLP ---------------------------------------------------


def members_at(month: str) -> Measure:
    """Full members in a month, scaled to full size."""
    return lambda run: run.at("members_full", month) / run.scale


def lapsed_between(first: str, last: str) -> Measure:
    """Full members who lapsed in the months `first`..`last` (inclusive), scaled to full size.

    NaN if the run did not reach `last`.
    """

    def measure(run: RunData) -> float:
        if "lapsed" not in run.series.columns:
            return math.nan
        dates = run.series["date"]
        if not (dates == last).any():
            return math.nan
        inside = (dates >= first) & (dates <= last)
        return float(run.series.loc[inside, "lapsed"].sum()) / run.scale

    return measure


def share_of_members(column: str, month: str) -> Measure:
    """A series count as a percentage of the full members in a month (NaN if the run has no column)."""

    def measure(run: RunData) -> float:
        total = run.at("members_full", month)
        return 100.0 * run.at(column, month) / total if total else math.nan

    return measure


def faction_size_at(month: str, faction: str) -> Measure:
    """A faction's members in a month, scaled to full size."""
    return lambda run: run.at(f"faction_{faction}", month) / run.scale


def plp_at(month: str) -> Measure:
    """Sitting MPs in a month."""
    return lambda run: run.at("plp_size", month)


def last_value(column: str) -> Measure:
    """A series' value at the end of the run."""
    return lambda run: run.last(column)


def year_end_members(run: RunData, years: Iterable[int]) -> dict[int, float]:
    """Members at the end of each year (December), scaled to full size; NaN where not reached."""
    return {year: members_at(f"{year}-12")(run) for year in years}


# --- reselection ----------------------------------------------------------------------


def trigger_round(month: str, what: Literal["triggered", "deselected"]) -> Measure:
    """MPs facing a full selection, or deselected, in the trigger round of `month`."""

    def measure(run: RunData) -> float:
        ballots = run.of_type(TriggerBallot, month)
        if not ballots:
            return math.nan
        if what == "triggered":
            return float(sum(rec.full_selection for rec in ballots))  # type: ignore[attr-defined]
        return float(sum(rec.deselected for rec in ballots))  # type: ignore[attr-defined]

    return measure


def leader_lost_seat(run: RunData) -> float:
    """Times the leader lost their seat at a general election (a model artefact)."""
    return float(
        sum(isinstance(rec, LeaderResigns) and rec.reason == "lost seat" for rec in run.events)
    )


# --- conference -------------------------------------------------------------------------


def _conference_vote(run: RunData, month: str, title: str) -> ConferenceVote | None:
    pattern = re.compile(re.escape(title), re.IGNORECASE)
    for rec in run.of_type(ConferenceVote, month):
        if pattern.search(rec.title):  # type: ignore[attr-defined]
            return rec  # type: ignore[return-value]
    return None


def conference_share_for(month: str, title: str) -> Measure:
    """The card-vote share (%) for the proposal whose title contains `title`, in `month`."""

    def measure(run: RunData) -> float:
        rec = _conference_vote(run, month, title)
        return math.nan if rec is None else 100.0 * float(rec.share_for)

    return measure


def conference_passes(month: str, title: str) -> Measure:
    """1 if the proposal whose title contains `title` passed in `month`, 0 if not, NaN if none."""

    def measure(run: RunData) -> float:
        rec = _conference_vote(run, month, title)
        return math.nan if rec is None else float(rec.passes)

    return measure


# --- what the model does not produce yet -------------------------------------------------


def needs_event(kind: str) -> Measure:
    """A measure of an event type the model does not emit yet: always NaN.

    The target that uses it declares ``requires=(kind,)``; the table then
    says "not modelled yet" instead of scoring a NaN. When the model gains the
    event type, the target's measure must be written against its fields.
    """

    def measure(run: RunData) -> float:
        return math.nan

    measure.__doc__ = f"not modelled yet: needs '{kind}' events"
    return measure


def compute_measures(
    run: RunData, measures: Mapping[str, Measure], keys: Iterable[str] | None = None
) -> dict[str, float]:
    """Some or all measures of one run.

    Args:
        run: the run's series, events and scale.
        measures: key -> measure.
        keys: the keys to compute (default: all). The calibration passes only
            the fit targets' keys, so forecast measures are never computed there.

    Returns:
        Measure key -> value (NaN where the run has nothing to measure).
    """
    out = {}
    for key in measures if keys is None else keys:
        try:
            out[key] = float(measures[key](run))
        except (KeyError, IndexError, TypeError, ZeroDivisionError):
            out[key] = math.nan
    return out
