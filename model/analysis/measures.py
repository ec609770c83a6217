"""Scalar outcomes of a run: a registry of named measures.

Each outcome is a function of a run's monthly series and event records that
returns one number (or, for a *family* such as "final CLPs per faction", a
mapping from a suffix to a number, stored as ``<name>_<suffix>``). Sweeps keep
the outcomes an experiment names; reports and the Morris screening use them.

Outcomes must tolerate what a run does not have: a series column that the
model does not produce yet gives NaN, and an event type that never occurs gives
0 (no contests means zero contests won). So the example experiments keep
working, and grow, as contests, reselection and conference land in the model.

Event records are the typed classes of `model.records.events`; a field the
model does not emit is an AttributeError in the tests, never a silent NaN.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from model.records.events import Agm as AgmEvent
from model.records.events import (
    ConferenceVote,
    Event,
    GeneralElection,
    LeadershipContest,
    ProposalWithdrawn,
    RuleChange,
    Selection,
    TriggerBallot,
)
from model.records.series import at_full_size, slug

__all__ = [
    "OUTCOMES",
    "Outcome",
    "compute_outcomes",
    "contest_winner_ideology",
    "deselections_by_parliament",
    "is_deselection",
    "outcome_names",
    "outcome_unit",
    "party_centre",
    "register",
]

Events = Sequence[Event]
OutcomeFunction = Callable[[pd.DataFrame, Events], float | Mapping[str, float]]

# Left and right of the party's centre that month: the midpoint between the
# members' median and the PLP's median (where members sit left of the PLP, a
# "left" winner is the members' side). Without those series, the axis's 0.
CENTRE = 0.0
LAST_MONTHS = 12


@dataclass(frozen=True)
class Outcome:
    """One named outcome.

    Attributes:
        name: the registry key (and column name, or column prefix for a family).
        function: (series, events) -> number, or suffix -> number for a family.
        description: one line for tables and the README.
        unit: the unit of the value, for axis labels.
        family: True when the function returns a mapping (one value per faction...).
    """

    name: str
    function: OutcomeFunction
    description: str
    unit: str
    family: bool = False


OUTCOMES: dict[str, Outcome] = {}


def register(
    name: str, description: str, unit: str, *, family: bool = False
) -> Callable[[OutcomeFunction], OutcomeFunction]:
    """Decorator adding a function to the outcome registry under `name`.

    Args:
        name: the outcome's name (a column name; letters, digits, underscores).
        description: one line saying what it measures.
        unit: its unit ("members", "CLPs", "ideology units", "count").
        family: the function returns {suffix: value}, stored as name_suffix.

    Returns:
        The decorator (it returns the function unchanged).
    """

    def decorate(function: OutcomeFunction) -> OutcomeFunction:
        if name in OUTCOMES:
            raise ValueError(f"outcome {name!r} is already registered")
        OUTCOMES[name] = Outcome(name, function, description, unit, family)
        return function

    return decorate


def outcome_unit(column: str) -> str:
    """The unit of an outcome column (a family member's is its family's), or ""."""
    for name, spec in OUTCOMES.items():
        if column == name or (spec.family and column.startswith(name + "_")):
            return spec.unit
    return ""


def outcome_names() -> list[str]:
    """Names of the registered outcomes, in registration order."""
    return list(OUTCOMES)


def compute_outcomes(
    series: pd.DataFrame, events: Iterable[Event], names: Sequence[str] | None = None
) -> dict[str, float]:
    """Compute named outcomes of one run.

    Args:
        series: the run's monthly series.
        events: the run's event records (all of them: some outcomes count AGMs).
        names: registry names to compute (default: all).

    Returns:
        {column name: value} with families expanded to ``<name>_<suffix>``;
        floats, NaN where the run has no data for the outcome.

    Raises:
        KeyError: a name that is not registered.
    """
    events = list(events)
    out: dict[str, float] = {}
    for name in names if names is not None else OUTCOMES:
        if name not in OUTCOMES:
            raise KeyError(f"unknown outcome {name!r}; known: {', '.join(OUTCOMES)}")
        spec = OUTCOMES[name]
        value = spec.function(series, events)
        if spec.family:
            for suffix, item in value.items():  # type: ignore[union-attr]
                out[f"{name}_{suffix}"] = float(item)
        else:
            out[name] = float(value)  # type: ignore[arg-type]
    return out


# --- helpers ------------------------------------------------------------------


def _column(series: pd.DataFrame, name: str) -> pd.Series | None:
    if name not in series.columns or series.empty:
        return None
    return pd.to_numeric(series[name], errors="coerce")


def _last(series: pd.DataFrame, name: str) -> float:
    col = _column(series, name)
    return float(col.iloc[-1]) if col is not None else math.nan


def _mean_last(series: pd.DataFrame, name: str, months: int = LAST_MONTHS) -> float:
    col = _column(series, name)
    return float(col.tail(months).mean()) if col is not None else math.nan


def _distance_last(series: pd.DataFrame, a: str, b: str, months: int = LAST_MONTHS) -> float:
    x, y = _column(series, a), _column(series, b)
    if x is None or y is None:
        return math.nan
    return float((x - y).abs().tail(months).mean())


def _of_type[E: Event](events: Events, kind: type[E]) -> list[E]:
    return [e for e in events if type(e) is kind]


def _faction_columns(series: pd.DataFrame, prefix: str) -> list[str]:
    return [c for c in series.columns if c.startswith(prefix)]


def contest_winner_ideology(record: LeadershipContest) -> float:
    """The ideology of a leadership contest's winner, or NaN if nobody won."""
    return math.nan if record.winner_ideology is None else float(record.winner_ideology)


def is_deselection(record: Event) -> bool:
    """Whether a record replaced a sitting MP (a trigger ballot the MP lost)."""
    return isinstance(record, TriggerBallot) and record.deselected


def deselections_by_parliament(events: Events) -> dict[int, int]:
    """Deselections in each parliament, numbered from 0 (before the first election).

    A general election record closes a parliament: deselections after the
    n-th general election of the run belong to parliament n.

    Args:
        events: the run's event records, in order.

    Returns:
        {parliament number: deselections}, with every parliament present.
    """
    counts: dict[int, int] = {0: 0}
    parliament = 0
    for record in events:
        if isinstance(record, GeneralElection):
            parliament += 1
            counts.setdefault(parliament, 0)
        elif is_deselection(record):
            counts[parliament] = counts.get(parliament, 0) + 1
    return counts


# --- membership ------------------------------------------------------------------


# Member counts are outcomes at the party's full size (the series' `scale`).


@register("final_members", "Full members in the last month (full size)", "members")
def _final_members(series: pd.DataFrame, events: Events) -> float:
    return _last(at_full_size(series), "members_full")


@register("final_members_total", "Members of every type in the last month (full size)", "members")
def _final_members_total(series: pd.DataFrame, events: Events) -> float:
    return _last(at_full_size(series), "members_total")


@register("member_change_pct", "Change in full members, first to last month", "%")
def _member_change(series: pd.DataFrame, events: Events) -> float:
    col = _column(series, "members_full")
    if col is None or col.iloc[0] == 0:
        return math.nan
    return float(100.0 * (col.iloc[-1] / col.iloc[0] - 1.0))


# --- ideology and the member–PLP gap ------------------------------------------------


@register("final_member_median", "Members' median ideology, last month", "ideology (-1..+1)")
def _final_member_median(series: pd.DataFrame, events: Events) -> float:
    return _last(series, "ideology_median")


@register("final_plp_median", "PLP median ideology, last month", "ideology (-1..+1)")
def _final_plp_median(series: pd.DataFrame, events: Events) -> float:
    return _last(series, "plp_median")


@register("final_leader_ideology", "The leader's ideology, last month", "ideology (-1..+1)")
def _final_leader(series: pd.DataFrame, events: Events) -> float:
    return _last(series, "leader_ideology")


@register(
    "gap_last12", "Member–PLP gap (PLP − members), mean of the last 12 months", "ideology units"
)
def _gap_last12(series: pd.DataFrame, events: Events) -> float:
    return _mean_last(series, "member_plp_gap")


@register(
    "abs_gap_last12", "Size of the member–PLP gap, mean of the last 12 months", "ideology units"
)
def _abs_gap_last12(series: pd.DataFrame, events: Events) -> float:
    col = _column(series, "member_plp_gap")
    return float(col.abs().tail(LAST_MONTHS).mean()) if col is not None else math.nan


@register("gap_mean", "Member–PLP gap (PLP − members), mean over the run", "ideology units")
def _gap_mean(series: pd.DataFrame, events: Events) -> float:
    col = _column(series, "member_plp_gap")
    return float(col.mean()) if col is not None else math.nan


@register(
    "leader_member_distance",
    "Distance of the leader from the members' median, mean of the last 12 months",
    "ideology units",
)
def _leader_member_distance(series: pd.DataFrame, events: Events) -> float:
    return _distance_last(series, "leader_ideology", "ideology_median")


@register(
    "leader_plp_distance",
    "Distance of the leader from the PLP median, mean of the last 12 months",
    "ideology units",
)
def _leader_plp_distance(series: pd.DataFrame, events: Events) -> float:
    return _distance_last(series, "leader_ideology", "plp_median")


# --- factions and CLPs --------------------------------------------------------------


@register(
    "final_clps", "CLP executives controlled by each faction, last month", "CLPs", family=True
)
def _final_clps(series: pd.DataFrame, events: Events) -> Mapping[str, float]:
    return {c.removeprefix("clps_"): _last(series, c) for c in _faction_columns(series, "clps_")}


@register(
    "mean_clps", "CLP executives controlled by each faction, mean over the run", "CLPs", family=True
)
def _mean_clps(series: pd.DataFrame, events: Events) -> Mapping[str, float]:
    return {
        c.removeprefix("clps_"): float(pd.to_numeric(series[c]).mean())
        for c in _faction_columns(series, "clps_")
    }


@register(
    "final_faction_members",
    "Members of each faction, last month (full size)",
    "members",
    family=True,
)
def _final_factions(series: pd.DataFrame, events: Events) -> Mapping[str, float]:
    real = at_full_size(series)
    return {c.removeprefix("faction_"): _last(real, c) for c in _faction_columns(real, "faction_")}


@register("final_mps", "Sitting MPs of each faction, last month", "MPs", family=True)
def _final_mps(series: pd.DataFrame, events: Events) -> Mapping[str, float]:
    # plp_<faction> columns; the faction names come from the faction_* columns,
    # since plp_size, plp_mean and plp_median share the prefix.
    names = [c.removeprefix("faction_") for c in _faction_columns(series, "faction_")]
    return {
        name: _last(series, f"plp_{name}")
        for name in [*names, "unaligned"]
        if f"plp_{name}" in series.columns
    }


@register("agm_control_changes", "CLP AGMs at which control changed hands", "count")
def _agm_changes(series: pd.DataFrame, events: Events) -> float:
    return float(sum(1 for e in _of_type(events, AgmEvent) if e.changed_hands))


# --- leadership ---------------------------------------------------------------------


@register("leader_changes", "Times the leader changed", "count")
def _leader_changes(series: pd.DataFrame, events: Events) -> float:
    # From the series, so it is right whatever the contest records look like.
    if "leader" not in series.columns or series.empty:
        return math.nan
    names = series["leader"].astype(str)
    return float((names != names.shift()).iloc[1:].sum())


@register("contests", "Leadership contests held", "count")
def _contests(series: pd.DataFrame, events: Events) -> float:
    return float(len(_of_type(events, LeadershipContest)))


def party_centre(series: pd.DataFrame, month: str | None) -> float:
    """Midpoint of the members' and the PLP's medians in `month` ("YYYY-MM").

    Falls back to the axis's centre (0) when the series lacks either median or
    the month.
    """
    needed = {"date", "ideology_median", "plp_median"}
    if month is None or not needed <= set(series.columns):
        return CENTRE
    row = series[series["date"] == month]
    if row.empty:
        return CENTRE
    centre = (float(row["ideology_median"].iloc[0]) + float(row["plp_median"].iloc[0])) / 2
    return centre if math.isfinite(centre) else CENTRE


def _contest_sides(series: pd.DataFrame, events: Events) -> list[int]:
    """-1 (left of the party's centre), +1 (right of it) or 0 (unknown) per contest."""
    sides = []
    for record in _of_type(events, LeadershipContest):
        ideology = contest_winner_ideology(record)
        if math.isnan(ideology):
            sides.append(0)
        else:
            sides.append(-1 if ideology < party_centre(series, record.month) else 1)
    return sides


@register(
    "contests_won_left",
    "Leadership contests won left of the party's centre (members'/PLP medians' midpoint)",
    "count",
)
def _won_left(series: pd.DataFrame, events: Events) -> float:
    return float(sum(1 for side in _contest_sides(series, events) if side < 0))


@register(
    "contests_won_right",
    "Leadership contests won right of the party's centre (members'/PLP medians' midpoint)",
    "count",
)
def _won_right(series: pd.DataFrame, events: Events) -> float:
    return float(sum(1 for side in _contest_sides(series, events) if side > 0))


@register("winner_ideology_mean", "Mean ideology of contest winners", "ideology (-1..+1)")
def _winner_mean(series: pd.DataFrame, events: Events) -> float:
    values = [contest_winner_ideology(e) for e in _of_type(events, LeadershipContest)]
    values = [v for v in values if not math.isnan(v)]
    return float(np.mean(values)) if values else math.nan


@register(
    "contests_won_by_faction",
    "Leadership contests won by each faction's candidate",
    "count",
    family=True,
)
def _won_by_faction(series: pd.DataFrame, events: Events) -> Mapping[str, float]:
    names = [c.removeprefix("faction_") for c in _faction_columns(series, "faction_")]
    counts = dict.fromkeys(names, 0.0)
    for record in _of_type(events, LeadershipContest):
        faction = record.winner_faction
        if faction is not None and faction != "unaligned":
            key = slug(faction)
            counts[key] = counts.get(key, 0.0) + 1.0
    return counts


# --- reselection ----------------------------------------------------------------------


@register("trigger_ballots", "Trigger ballots held (one per sitting MP per round)", "count")
def _trigger_ballots(series: pd.DataFrame, events: Events) -> float:
    return float(len(_of_type(events, TriggerBallot)))


@register("trigger_ballots_lost", "Trigger ballots that forced a full selection", "count")
def _triggers_lost(series: pd.DataFrame, events: Events) -> float:
    return float(sum(1 for e in _of_type(events, TriggerBallot) if e.full_selection))


@register("selections", "Open-seat selections held (retirements, seats gained)", "count")
def _selections(series: pd.DataFrame, events: Events) -> float:
    return float(len(_of_type(events, Selection)))


@register("deselections", "Sitting MPs deselected", "count")
def _deselections(series: pd.DataFrame, events: Events) -> float:
    return float(sum(1 for e in events if is_deselection(e)))


# --- conference and elections -----------------------------------------------------------


@register("conference_votes", "Rule-change votes at conference", "count")
def _conference_votes(series: pd.DataFrame, events: Events) -> float:
    return float(len(_of_type(events, ConferenceVote)))


@register("rule_changes_passed", "Rule changes passed at conference", "count")
def _rule_changes(series: pd.DataFrame, events: Events) -> float:
    return float(sum(1 for e in _of_type(events, ConferenceVote) if e.passes))


@register("general_elections", "General elections held", "count")
def _general_elections(series: pd.DataFrame, events: Events) -> float:
    return float(len(_of_type(events, GeneralElection)))


@register("final_plp_size", "Labour MPs in the last month", "MPs")
def _final_plp_size(series: pd.DataFrame, events: Events) -> float:
    return _last(series, "plp_size")


# --- the road to conference (issue 15) -----------------------------------------------------


@register(
    "college_adopted",
    "1 if conference made the leadership electorate an electoral college during the run",
    "yes/no",
)
def _college_adopted(series: pd.DataFrame, events: Events) -> float:
    return float(
        any(
            isinstance(e.changes, Mapping) and e.changes.get("leadership.electorate") == "college"
            for e in _of_type(events, RuleChange)
        )
    )


@register(
    "proposals_withdrawn",
    "Rule changes withdrawn before the card vote (by the proposer or the NEC)",
    "count",
)
def _proposals_withdrawn(series: pd.DataFrame, events: Events) -> float:
    return float(
        sum(1 for e in _of_type(events, ProposalWithdrawn) if e.stage in ("consultation", "nec"))
    )


@register(
    "last_contest_winner_ideology",
    "Ideology of the winner of the run's last leadership ballot",
    "ideology (-1..+1)",
)
def _last_winner(series: pd.DataFrame, events: Events) -> float:
    balloted = [e for e in _of_type(events, LeadershipContest) if e.balloted and e.winner]
    if not balloted or balloted[-1].winner_ideology is None:
        return math.nan
    return float(balloted[-1].winner_ideology)
