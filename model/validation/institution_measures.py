"""Measures of the institutions: conference card votes by half, agenda votes, proposals that
fall, the NEC's votes and CLP-section elections, affiliates' nominations and deputy contests.

Like :mod:`model.validation.measures`, each returns NaN when the run has
nothing to measure (the run ended first, the event did not happen where a
number is asked for), never a guess.
"""

from __future__ import annotations

import math
import re
from typing import Literal

from model.records.events import (
    AgendaVote,
    ConferenceVote,
    DeputyContest,
    Event,
    NecElection,
    NecVote,
    ProposalWithdrawn,
    UnionNomination,
)
from model.validation.measures import Measure, RunData


def _titled(events: list[Event], title: str, field: str = "title") -> Event | None:
    pattern = re.compile(re.escape(title), re.IGNORECASE)
    for rec in events:
        if pattern.search(str(getattr(rec, field))):
            return rec
    return None


def reached(run: RunData, month: str) -> bool:
    """Whether the run got as far as `month` ("YYYY-MM")."""
    if run.series.empty or "date" not in run.series.columns:
        return False
    return str(run.series["date"].iloc[-1]) >= month


# --- conference ---------------------------------------------------------------------------


def conference_half_for(month: str, title: str, bloc: Literal["clps", "affiliates"]) -> Measure:
    """The share (%) of one half of the card vote (CLPs or affiliates) for a proposal."""

    def measure(run: RunData) -> float:
        rec = _titled(run.of_type(ConferenceVote, month), title)
        if rec is None:
            return math.nan
        return 100.0 * float(rec.blocs[bloc]["share_for"])  # type: ignore[attr-defined]

    return measure


def agenda_share_for(month: str, proposal: str, bloc: str | None = None) -> Measure:
    """The card-vote share (%) for putting a proposal before its rivals (the CAC's report).

    Args:
        month: the conference month.
        proposal: part of the proposal's title.
        bloc: "clps" or "affiliates" for one half of the card vote; None for the whole.
    """

    def measure(run: RunData) -> float:
        rec = _titled(run.of_type(AgendaVote, month), proposal, "proposal")
        if rec is None:
            return math.nan
        if bloc is None:
            return 100.0 * float(rec.share_for)  # type: ignore[attr-defined]
        return 100.0 * float(rec.blocs[bloc]["share_for"])  # type: ignore[attr-defined]

    return measure


def proposal_falls_unvoted(month: str, title: str) -> Measure:
    """1 if the proposal fell without a vote of its own in `month` (withdrawn, or off the agenda)."""

    def measure(run: RunData) -> float:
        if not reached(run, month):
            return math.nan
        if _titled(run.of_type(ProposalWithdrawn, month), title) is not None:
            return 1.0
        return 0.0 if _titled(run.of_type(ConferenceVote, month), title) is not None else math.nan

    return measure


def part_dropped(month: str, title: str, part: str) -> Measure:
    """1 if a part of a package never reached the card vote (dropped, or the package withdrawn)."""

    def measure(run: RunData) -> float:
        if not reached(run, month):
            return math.nan
        rec = _titled(run.of_type(ConferenceVote, month), title)
        if rec is None:
            return 1.0
        parts = rec.parts  # type: ignore[attr-defined]
        return float(parts is not None and part not in parts)

    return measure


# --- the NEC --------------------------------------------------------------------------------


def nec_vote_share_for(month: str, title: str) -> Measure:
    """The share (%) of the NEC members voting for a proposal (abstentions left out)."""

    def measure(run: RunData) -> float:
        rec = _titled(run.of_type(NecVote, month), title)
        if rec is None:
            return math.nan
        result = rec.result  # type: ignore[attr-defined]
        cast = float(result["for"]) + float(result["against"])
        return math.nan if cast == 0 else 100.0 * float(result["for"]) / cast

    return measure


def _is_left(slate: str) -> bool:
    return slate.lower().startswith("left")


def nec_left_share(year: int, *, by_election: bool = False) -> Measure:
    """The left slate's share (%) of the CLP-section seats filled in `year`'s election."""

    def measure(run: RunData) -> float:
        for rec in run.of_type(NecElection):
            if rec.month[:4] != str(year) or rec.by_election != by_election:  # type: ignore[attr-defined]
                continue
            won = rec.seats_by_slate  # type: ignore[attr-defined]
            seats = float(rec.seats)  # type: ignore[attr-defined]
            return 100.0 * sum(v for k, v in won.items() if _is_left(k)) / seats
        return math.nan

    return measure


def nec_right_to_left(year: int, *, by_election: bool = False) -> Measure:
    """The best non-left candidate's votes as % of the best left candidate's, in `year`'s ballot.

    Candidates are named after their slates ("Left slate 3"); a ballot
    with no left candidate gives NaN.
    """

    def measure(run: RunData) -> float:
        for rec in run.of_type(NecElection):
            if rec.month[:4] != str(year) or rec.by_election != by_election:  # type: ignore[attr-defined]
                continue
            votes = rec.candidate_votes  # type: ignore[attr-defined]
            left = max((v for c, v in votes.items() if _is_left(c)), default=0)
            right = max((v for c, v in votes.items() if not _is_left(c)), default=0)
            return 100.0 * right / left if left else math.nan
        return math.nan

    return measure


# --- affiliates' nominations -----------------------------------------------------------------


def union_nominates(month: str, office: str, union: str, name: str) -> Measure:
    """1 if the affiliate nominated `name` for `office` in `month`, 0 if another or nobody."""

    def measure(run: RunData) -> float:
        for rec in run.of_type(UnionNomination, month):
            if rec.union == union and rec.office == office:  # type: ignore[attr-defined]
                return float(rec.nominee == name)  # type: ignore[attr-defined]
        return math.nan

    return measure


def affiliate_nominations(month: str, office: str, name: str) -> Measure:
    """The number of affiliates that nominated `name` for `office` in `month`."""

    def measure(run: RunData) -> float:
        recs = [r for r in run.of_type(UnionNomination, month) if r.office == office]  # type: ignore[attr-defined]
        if not recs:
            return math.nan
        return float(sum(r.nominee == name for r in recs))  # type: ignore[attr-defined]

    return measure


# --- deputy contests ----------------------------------------------------------------------


def _deputy(run: RunData, month: str) -> DeputyContest | None:
    for rec in run.of_type(DeputyContest, month):
        if rec.balloted:  # type: ignore[attr-defined]
            return rec  # type: ignore[return-value]
    return None


def deputy_winner_is(month: str, name: str) -> Measure:
    """1 if `name` won the deputy contest decided in `month`, 0 if not, NaN if none."""

    def measure(run: RunData) -> float:
        rec = _deputy(run, month)
        return math.nan if rec is None else float(rec.winner == name)

    return measure


def deputy_round_share(month: str, name: str, which: Literal["first", "final"]) -> Measure:
    """A deputy candidate's overall share (%) in the first or final round (0 if not in it)."""

    def measure(run: RunData) -> float:
        rec = _deputy(run, month)
        if rec is None or not rec.rounds:
            return math.nan
        chosen = rec.rounds[0] if which == "first" else rec.rounds[-1]
        return float(chosen["totals_pct"].get(name, 0.0))

    return measure
