"""Validation against history: targets as data, runs, the table and figures.

The historical scenarios (scenarios/labour_2010.toml, labour_2015.toml,
labour_2015_2024.toml) are run over many seeds and compared with the
published record in ../shared/data/labour_history.json. Each **target** names

* a JSON path where its published figure is read (never typed in here),
  optionally with a small derivation (a share worked out from vote counts);
* a **measure**: a function of one run (its monthly series and events) that
  gives the model's value;
* the scenario it is measured in, its group (one figure per group) and its
  role: ``fit`` (used by experiments/calibrate.py), ``held out`` (kept out of
  the fit and reported separately: the 2020 contest, and membership from the
  end of 2020 on, which depends on who won it) or ``check`` (never fitted).

The table gives, per target, the published figure, the model's median and
90% interval (5th-95th percentile over seeds) and whether the published
figure falls inside. A target about *who won* has an indicator (1 if the
historical winner won the run) as its model value: its interval holds 1
exactly when the historical winner wins in at least 5% of runs, and the
table also gives the share of runs won.

Counterfactual scenarios are run with the same seeds (common random numbers)
and compared with their historical baseline on a few measures.

**Citation paths.** Scenario files cite the data as ``[data: PATH]``; the
same syntax addresses the targets' published figures. PATH is dot-separated
keys; ``KEY[FIELD=VALUE]`` picks the element of the list ``KEY`` whose
``FIELD`` (or whose ``value.FIELD``) equals ``VALUE``; ``KEY[N]`` picks the
N-th element (from 0). :func:`resolve` walks a path; :func:`citations` finds
the paths in a text.

Runs go through the sweep runner (:func:`model.study.sweep.run_experiment`) with
:func:`run_validation_task` as the runner, so each run's measures are computed
in the worker and only numbers (and a few monthly series for the figures)
come back.
"""

from __future__ import annotations

import json
import math
import re
import shutil
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from model.records.events import Event, LeaderResigns, LeadershipContest, TriggerBallot
from model.scenario.schema import Scenario, load_scenario, parse_scenario

REPO = Path(__file__).resolve().parents[2]
DATA_FILE = REPO.parent / "shared" / "data" / "labour_history.json"
SCENARIO_DIR = REPO / "scenarios"

HISTORICAL = ("labour_2010", "labour_2015", "labour_2015_2024")
"""The historical scenarios (file stems in scenarios/, equal to their names)."""

COUNTERFACTUALS = {
    "counterfactual_2010_omov": "labour_2010",
    "counterfactual_2015_no_rs": "labour_2015",
    "counterfactual_2015_2024_open_selection": "labour_2015_2024",
    "counterfactual_2021_college": "counterfactual_2021_college_baseline",
}
"""Counterfactual scenario -> the run it is compared with.

``counterfactual_2021_college_baseline`` has no file: it is the 2021 scenario
with ``rules.preset`` set to the rules actually adopted (:func:`twin_2021`).
"""

TWIN_2021 = "counterfactual_2021_college_baseline"

SERIES_KEPT = [
    "members_full",
    "registered_supporters",
    "affiliated_supporters",
    "plp_size",
    "leader_ideology",
    "ideology_median",
    "plp_median",
    "faction_*",
    "deselections",
]
"""Monthly series each validation run keeps (for the figures)."""

ROOT_SEED = 20100925  # the day Ed Miliband won: any fixed number; seeds spawn from it

CITATION_RE = re.compile(r"\[data:\s*((?:[^\[\]]|\[[^\[\]]*\])+?)\s*\]")
_SEGMENT_RE = re.compile(r"([^.\[\]]+)((?:\[[^\[\]]*\])*)")


# --- the data ---------------------------------------------------------------------


def load_history(path: str | Path | None = None) -> dict[str, Any]:
    """Read the shared historical data set.

    Args:
        path: the JSON file (default: ../shared/data/labour_history.json).

    Returns:
        The parsed JSON.
    """
    return json.loads(Path(path or DATA_FILE).read_text(encoding="utf-8"))


def _split_path(path: str) -> list[tuple[str, list[str]]]:
    """A citation path as (key, [selectors]) segments; ValueError if malformed."""
    segments = []
    pos = 0
    text = path.strip()
    while pos < len(text):
        match = _SEGMENT_RE.match(text, pos)
        if match is None or match.end() == pos:
            raise ValueError(f"malformed data path {path!r} at {text[pos:]!r}")
        key = match.group(1).strip()
        selectors = re.findall(r"\[([^\[\]]*)\]", match.group(2))
        segments.append((key, selectors))
        pos = match.end()
        if pos < len(text):
            if text[pos] != ".":
                raise ValueError(f"malformed data path {path!r}: expected '.' at {text[pos:]!r}")
            pos += 1
    if not segments:
        raise ValueError("empty data path")
    return segments


def _select(items: Any, selector: str, path: str) -> Any:
    if not isinstance(items, list):
        raise KeyError(f"{path}: [{selector}] needs a list, found {type(items).__name__}")
    if selector.strip().isdigit():
        index = int(selector)
        if index >= len(items):
            raise KeyError(f"{path}: index {index} out of range (0..{len(items) - 1})")
        return items[index]
    if "=" not in selector:
        raise KeyError(f"{path}: selector [{selector}] is neither N nor FIELD=VALUE")
    name, wanted = (part.strip() for part in selector.split("=", 1))
    for item in items:
        if not isinstance(item, Mapping):
            continue
        inner = item.get("value") if isinstance(item.get("value"), Mapping) else {}
        for where in (item, inner):
            if name in where and str(where[name]) == wanted:
                return item
    raise KeyError(f"{path}: no element with {name} = {wanted}")


def resolve(data: Any, path: str) -> Any:
    """The value at a citation path in the data set.

    Args:
        data: the parsed JSON.
        path: e.g. "membership.year_end_series[date=2015-12-31].members".

    Returns:
        Whatever is there (a number, a string, a record with "value"/"source").

    Raises:
        KeyError: a key or element does not exist (the message says which).
        ValueError: the path is malformed.
    """
    node = data
    walked = ""
    for key, selectors in _split_path(path):
        walked = f"{walked}.{key}" if walked else key
        if not isinstance(node, Mapping) or key not in node:
            raise KeyError(f"{walked}: no such key")
        node = node[key]
        for selector in selectors:
            node = _select(node, selector, f"{walked}[{selector}]")
            walked = f"{walked}[{selector}]"
    return node


def citations(text: str) -> list[str]:
    """Every ``[data: PATH]`` path in a text, in order."""
    return [match.group(1).strip() for match in CITATION_RE.finditer(text)]


def published_value(data: Any, path: str) -> Any:
    """A figure at a path, unwrapped from its {"value", "source"} record."""
    node = resolve(data, path)
    if isinstance(node, Mapping) and "value" in node:
        node = node["value"]
    return node


# --- one run's data and the measures -------------------------------------------------


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


def members_at(month: str) -> Measure:
    """Full members in a month, scaled to full size."""
    return lambda run: run.at("members_full", month) / run.scale


def faction_size_at(month: str, faction: str) -> Measure:
    """A faction's members in a month, scaled to full size."""
    return lambda run: run.at(f"faction_{faction}", month) / run.scale


def plp_at(month: str) -> Measure:
    """Sitting MPs in a month."""
    return lambda run: run.at("plp_size", month)


def trigger_round(month: str, what: Literal["triggered", "deselected"]) -> Measure:
    """MPs facing a full selection, or deselected, in the trigger round of `month`."""

    def measure(run: RunData) -> float:
        ballots = [
            rec for rec in run.events if isinstance(rec, TriggerBallot) and rec.month == month
        ]
        if not ballots:
            return math.nan
        if what == "triggered":
            return float(sum(rec.full_selection for rec in ballots))
        return float(sum(rec.deselected for rec in ballots))

    return measure


def last_value(column: str) -> Measure:
    """A series' value at the end of the run."""
    return lambda run: run.last(column)


def leader_lost_seat(run: RunData) -> float:
    """Times the leader lost their seat at a general election (a model artefact)."""
    return float(
        sum(isinstance(rec, LeaderResigns) and rec.reason == "lost seat" for rec in run.events)
    )


# --- targets ---------------------------------------------------------------------------

Role = Literal["fit", "held out", "check"]


@dataclass(frozen=True)
class Target:
    """One published figure and how the model's counterpart is measured.

    Attributes:
        key: a unique identifier (also the measure's column in the outcomes).
        group: the group it is reported (and drawn) in.
        label: readable name for the table.
        scenario: the historical scenario it is measured in.
        path: the JSON path of the published figure (citation syntax).
        measure: the model's value from one run.
        unit: "%", "members", "MPs", "CLPs", "votes" or "winner".
        role: "fit", "held out" or "check".
        derive: turns the value at `path` into the published number (default:
            the value itself, unwrapped from its record); for a "winner"
            target, into the winner's name.
        note: what to know when reading the row.
    """

    key: str
    group: str
    label: str
    scenario: str
    path: str
    measure: Measure
    unit: str
    role: Role = "check"
    derive: Callable[[Any], Any] | None = None
    note: str = ""

    @property
    def is_winner(self) -> bool:
        """Whether the target is who won (an indicator, not a number)."""
        return self.unit == "winner"

    def published(self, data: Any) -> Any:
        """The published figure, read from the data set."""
        value = published_value(data, self.path)
        return self.derive(value) if self.derive is not None else value


def _name_only(text: str) -> str:
    """ "Jeremy Corbyn (first round)" -> "Jeremy Corbyn"."""
    return re.sub(r"\s*\(.*\)\s*$", "", str(text)).strip()


def _share_of(name: str) -> Callable[[Mapping[str, Any]], float]:
    """Published share (%) of `name` among the candidates' vote counts (derived)."""

    def derive(votes: Mapping[str, Any]) -> float:
        counts = {k: v for k, v in votes.items() if k not in ("total", "total_valid")}
        return 100.0 * counts[name] / sum(counts.values())

    return derive


def _key_value(key: str) -> Callable[[Mapping[str, Any]], Any]:
    return lambda value: value[key]


def _sum_counts(value: Mapping[str, Any]) -> float:
    return float(sum(v for k, v in value.items() if k not in ("total", "total_valid")))


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


# The voter types an OMOV contest publishes separately, with their labels.
OMOV_VOTER_TYPES = (
    ("members", "members"),
    ("registered_supporters", "registered supporters"),
    ("affiliated_supporters", "affiliated supporters"),
)


def _targets() -> list[Target]:
    out: list[Target] = []
    add = out.append

    # --- 2010: electoral college, five candidates ----------------------------------
    g, s, m = "2010 contest", "labour_2010", "2010-09"
    base = "leadership_elections.2010"
    add(
        Target(
            "2010_winner",
            "Winners",
            "2010 winner (Ed Miliband)",
            s,
            f"{base}.winner",
            winner_is(m, "Ed Miliband"),
            "winner",
            derive=_name_only,
        )
    )
    for name in ("David Miliband", "Ed Miliband", "Ed Balls", "Andy Burnham", "Diane Abbott"):
        add(
            Target(
                f"2010_r1_{_slug(name)}",
                g,
                f"2010 round 1, {name} (% of college)",
                s,
                f"{base}.round_totals_pct.round1",
                round_share(m, name, "first"),
                "%",
                role="fit",
                derive=_key_value(name),
            )
        )
    add(
        Target(
            "2010_final_ed_miliband",
            g,
            "2010 final round, Ed Miliband (% of college)",
            s,
            f"{base}.round_totals_pct.round4_final",
            round_share(m, "Ed Miliband", "final"),
            "%",
            role="fit",
            derive=_key_value("Ed Miliband"),
            note="0 in runs where he is out before the final round",
        )
    )
    for section, label in (
        ("mps_meps", "MPs/MEPs"),
        ("members", "members"),
        ("affiliates", "affiliates"),
    ):
        add(
            Target(
                f"2010_final_{section}_ed_miliband",
                g,
                f"2010 final round, Ed Miliband (% of {label})",
                s,
                f"{base}.final_round_by_section.Ed Miliband_pct_of_section",
                section_share(m, "Ed Miliband", section, "final"),
                "%",
                role="fit",
                derive=_key_value(section),
            )
        )
    for name in ("David Miliband", "Ed Miliband", "Ed Balls", "Andy Burnham", "Diane Abbott"):
        add(
            Target(
                f"2010_mps_{_slug(name)}",
                "2010 nominations",
                f"2010 MP nominations, {name}",
                s,
                f"{base}.plp_nominations_final.{name}",
                nominations(m, name, "plp"),
                "MPs",
                note="the model's MPs all nominate; McDonnell (16) withdrew",
            )
        )
    for name in ("David Miliband", "Ed Miliband", "Andy Burnham", "Diane Abbott", "Ed Balls"):
        add(
            Target(
                f"2010_clps_{_slug(name)}",
                "2010 nominations",
                f"2010 CLP nominations, {name}",
                s,
                f"{base}.clp_supporting_nominations_final_26Jul2010.{name}",
                nominations(m, name, "clps"),
                "CLPs",
            )
        )

    # --- 2015: OMOV with registered supporters ---------------------------------------
    g, s, m = "2015 contest", "labour_2015", "2015-09"
    base = "leadership_elections.2015"
    fr = f"{base}.result_first_round_by_voter_type"
    add(
        Target(
            "2015_winner",
            "Winners",
            "2015 winner (Jeremy Corbyn)",
            s,
            f"{base}.winner",
            winner_is(m, "Jeremy Corbyn"),
            "winner",
            derive=_name_only,
        )
    )
    for name in ("Jeremy Corbyn", "Andy Burnham", "Yvette Cooper", "Liz Kendall"):
        add(
            Target(
                f"2015_r1_{_slug(name)}",
                g,
                f"2015 round 1, {name} (% of all)",
                s,
                f"{fr}.total_pct",
                round_share(m, name, "first"),
                "%",
                role="fit" if name == "Jeremy Corbyn" else "check",
                derive=_key_value(name),
            )
        )
    for vtype, label in OMOV_VOTER_TYPES:
        add(
            Target(
                f"2015_r1_{vtype}_jeremy_corbyn",
                g,
                f"2015 round 1, Corbyn (% of {label})",
                s,
                f"{fr}.corbyn_share_by_type_pct",
                type_share(m, "Jeremy Corbyn", vtype),
                "%",
                role="fit",
                derive=_key_value(vtype),
            )
        )
    for vtype, label in OMOV_VOTER_TYPES:
        add(
            Target(
                f"2015_votes_{vtype}",
                "2015 votes by type",
                f"2015 valid votes, {label}",
                s,
                f"{fr}.{vtype}",
                type_votes(m, vtype),
                "votes",
                role="fit" if vtype == "registered_supporters" else "check",
                derive=_key_value("total"),
                note="members who joined up to the ballot month vote (model freeze rule)"
                if vtype == "members"
                else "",
            )
        )
    for name in ("Andy Burnham", "Yvette Cooper", "Liz Kendall", "Jeremy Corbyn"):
        add(
            Target(
                f"2015_mps_{_slug(name)}",
                "2015 nominations",
                f"2015 MP nominations, {name}",
                s,
                f"{base}.plp_nominations.{name}",
                nominations(m, name, "plp"),
                "MPs",
                note="the model's MPs all nominate (28 did not in 2015)",
            )
        )
    for name in ("Jeremy Corbyn", "Andy Burnham", "Yvette Cooper", "Liz Kendall"):
        add(
            Target(
                f"2015_clps_{_slug(name)}",
                "2015 nominations",
                f"2015 CLP nominations, {name}",
                s,
                f"{base}.clp_supporting_nominations.{name}",
                nominations(m, name, "clps"),
                "CLPs",
            )
        )

    # --- 2016: the challenge -------------------------------------------------------------
    g, s, m = "2016 contest", "labour_2015_2024", "2016-09"
    base = "leadership_elections.2016"
    add(
        Target(
            "2016_winner",
            "Winners",
            "2016 winner (Jeremy Corbyn)",
            s,
            f"{base}.winner",
            winner_is(m, "Jeremy Corbyn"),
            "winner",
            note="NaN where the run's 2015 winner is challenged instead of Corbyn",
        )
    )
    add(
        Target(
            "2016_r1_jeremy_corbyn",
            g,
            "2016 Corbyn (% of all)",
            s,
            f"{base}.result.total_pct",
            round_share(m, "Jeremy Corbyn", "first"),
            "%",
            role="fit",
            derive=_key_value("Jeremy Corbyn"),
            note="0 where Corbyn lost in 2015 (he is then not on the ballot)",
        )
    )
    for vtype, label in OMOV_VOTER_TYPES:
        add(
            Target(
                f"2016_r1_{vtype}_jeremy_corbyn",
                g,
                f"2016 Corbyn (% of {label})",
                s,
                f"{base}.result.{vtype}",
                type_share(m, "Jeremy Corbyn", vtype),
                "%",
                role="fit",
                derive=_share_of("Jeremy Corbyn"),
            )
        )
    for vtype, label in OMOV_VOTER_TYPES:
        add(
            Target(
                f"2016_votes_{vtype}",
                "2016 votes by type",
                f"2016 valid votes, {label}",
                s,
                f"{base}.result.{vtype}",
                type_votes(m, vtype),
                "votes",
                derive=_sum_counts,
            )
        )
    for name in ("Jeremy Corbyn", "Owen Smith"):
        add(
            Target(
                f"2016_clps_{_slug(name)}",
                "2016 contest nominations",
                f"2016 CLP nominations, {name}",
                s,
                f"{base}.clp_supporting_nominations.{name}",
                nominations(m, name, "clps"),
                "CLPs",
            )
        )

    # --- 2020: held out of the calibration ---------------------------------------------
    g, s, m = "2020 contest (held out)", "labour_2015_2024", "2020-04"
    base = "leadership_elections.2020"
    add(
        Target(
            "2020_winner",
            "Winners",
            "2020 winner (Keir Starmer)",
            s,
            f"{base}.winner",
            winner_is(m, "Keir Starmer"),
            "winner",
            role="held out",
            derive=_name_only,
        )
    )
    for name in ("Keir Starmer", "Rebecca Long-Bailey", "Lisa Nandy"):
        add(
            Target(
                f"2020_r1_{_slug(name)}",
                g,
                f"2020 round 1, {name} (% of all)",
                s,
                f"{base}.result.total_pct",
                round_share(m, name, "first"),
                "%",
                role="held out",
                derive=_key_value(name),
            )
        )
    for vtype, label in OMOV_VOTER_TYPES:
        add(
            Target(
                f"2020_r1_{vtype}_keir_starmer",
                g,
                f"2020 round 1, Starmer (% of {label})",
                s,
                f"{base}.result.{vtype}",
                type_share(m, "Keir Starmer", vtype),
                "%",
                role="held out",
                derive=_share_of("Keir Starmer"),
            )
        )
    for vtype, label in OMOV_VOTER_TYPES:
        add(
            Target(
                f"2020_votes_{vtype}",
                "2020 votes by type (held out)",
                f"2020 votes cast, {label}",
                s,
                f"{base}.electorate_and_turnout.{vtype}",
                type_votes(m, vtype),
                "votes",
                role="held out",
                derive=_key_value("voted"),
            )
        )
    for name in ("Keir Starmer", "Rebecca Long-Bailey", "Lisa Nandy"):
        add(
            Target(
                f"2020_clps_{_slug(name)}",
                "2020 contest nominations (held out)",
                f"2020 CLP nominations, {name}",
                s,
                f"{base}.clp_nominations.{name}",
                nominations(m, name, "clps"),
                "CLPs",
                role="held out",
                note="in 2020 nearly every CLP nominated (a route to the ballot)",
            )
        )

    # --- membership, PLP, trigger ballots, Momentum ----------------------------------
    add(
        Target(
            "members_2010",
            "Membership",
            "Members at the end of 2010",
            "labour_2010",
            "membership.year_end_series[date=2010-12-31].members",
            members_at("2010-12"),
            "members",
            role="fit",
        )
    )
    for year in range(2015, 2025):
        # Membership after the 2020 contest depends on who won it (the leader
        # drives joining and lapsing), so it is held out with the contest.
        after = year >= 2020
        add(
            Target(
                f"members_{year}",
                "Membership",
                f"Members at the end of {year}",
                "labour_2015_2024",
                f"membership.year_end_series[date={year}-12-31].members",
                members_at(f"{year}-12"),
                "members",
                role="held out" if after else "fit",
                note="after the held-out 2020 contest, under the model's own winner"
                if after
                else "",
            )
        )
    for year, month in ((2017, "2017-06"), (2019, "2019-12"), (2024, "2024-07")):
        add(
            Target(
                f"plp_{year}",
                "PLP after general elections",
                f"MPs after the {year} general election",
                "labour_2015_2024",
                f"plp_and_constituencies.labour_seats_at_general_elections.{year}",
                plp_at(month),
                "MPs",
                note="seats are given to the model (elections.historical_seats): a check of the machinery",
            )
        )
    add(
        Target(
            "trigger_2019_triggered",
            "Trigger ballots 2019",
            "MPs facing a full selection, 2019 round",
            "labour_2015_2024",
            "trigger_ballots_and_reselection.round_2019.mps_triggered",
            trigger_round("2019-09", "triggered"),
            "MPs",
            note="the real round was paused on 29 Oct 2019 before every MP had been through it",
        )
    )
    add(
        Target(
            "trigger_2019_deselected",
            "Trigger ballots 2019",
            "MPs deselected, 2019 round",
            "labour_2015_2024",
            "trigger_ballots_and_reselection.round_2019.mps_deselected",
            trigger_round("2019-09", "deselected"),
            "MPs",
            note="Godsiff, by NEC non-endorsement",
        )
    )
    for month, path_date in (("2017-10", "2017-10"), ("2018-04", "2018-04")):
        add(
            Target(
                f"momentum_{month}",
                "Momentum",
                f"Momentum members, {month}",
                "labour_2015_2024",
                f"momentum_and_factions.membership_series[date={path_date}]",
                faction_size_at(month, "momentum"),
                "members",
                derive=_key_value("members"),
                note="the model's left faction (organised left before October 2015)",
            )
        )
    return out


TARGETS: list[Target] = _targets()
"""Every validation target, in table order."""


def _extra_measures() -> dict[str, Measure]:
    """Measures without a published figure: counterfactual comparisons, diagnostics."""
    extra: dict[str, Measure] = {
        "leader_lost_seat": leader_lost_seat,
        "deselections_total": last_value("deselections"),
        "plp_median_end": last_value("plp_median"),
        "member_median_end": last_value("ideology_median"),
        "plp_momentum_end": last_value("plp_momentum"),
        "2010_final_david_miliband": round_share("2010-09", "David Miliband", "final"),
        "2015_final_jeremy_corbyn": round_share("2015-09", "Jeremy Corbyn", "final"),
        "2020_winner_long_bailey": winner_is("2020-04", "Rebecca Long-Bailey"),
        "trigger_2022_triggered": trigger_round("2022-06", "triggered"),
        "trigger_2022_deselected": trigger_round("2022-06", "deselected"),
    }
    for name in ("Left candidate", "Soft-left candidate", "Right candidate"):
        slug = _slug(name)
        extra[f"2022_winner_{slug}"] = winner_is("2022-07", name)
        extra[f"2022_r1_{slug}"] = round_share("2022-07", name, "first")
        extra[f"2022_final_{slug}"] = round_share("2022-07", name, "final")
    return extra


MEASURES: dict[str, Measure] = {t.key: t.measure for t in TARGETS} | _extra_measures()
"""Every measure computed for every run (NaN where a run has nothing to measure)."""


@dataclass(frozen=True)
class Comparison:
    """A counterfactual measure compared with its baseline."""

    key: str
    label: str
    unit: str


COMPARISONS: dict[str, list[Comparison]] = {
    "counterfactual_2010_omov": [
        Comparison("2010_winner", "Ed Miliband wins 2010", "winner"),
        Comparison("2010_final_ed_miliband", "Ed Miliband, final round (%)", "%"),
        Comparison("2010_r1_ed_miliband", "Ed Miliband, round 1 (%)", "%"),
        Comparison("2010_r1_diane_abbott", "Diane Abbott, round 1 (%)", "%"),
    ],
    "counterfactual_2015_no_rs": [
        Comparison("2015_winner", "Jeremy Corbyn wins 2015", "winner"),
        Comparison("2015_r1_jeremy_corbyn", "Corbyn, round 1 (%)", "%"),
        Comparison("2015_final_jeremy_corbyn", "Corbyn, final round (%)", "%"),
    ],
    "counterfactual_2015_2024_open_selection": [
        Comparison("trigger_2019_triggered", "MPs in a full selection, 2019", "MPs"),
        Comparison("trigger_2019_deselected", "MPs deselected, 2019", "MPs"),
        Comparison("trigger_2022_triggered", "MPs in a full selection, 2022", "MPs"),
        Comparison("trigger_2022_deselected", "MPs deselected, 2022", "MPs"),
        Comparison("deselections_total", "MPs deselected, 2015-2024", "MPs"),
        Comparison("plp_momentum_end", "Momentum MPs, end 2024", "MPs"),
        Comparison("plp_median_end", "PLP median ideology, end 2024", "ideology"),
        Comparison("2020_winner", "Keir Starmer wins 2020", "winner"),
    ],
    "counterfactual_2021_college": [
        Comparison("2022_winner_left_candidate", "Left candidate wins", "winner"),
        Comparison("2022_winner_soft_left_candidate", "Soft-left candidate wins", "winner"),
        Comparison("2022_winner_right_candidate", "Right candidate wins", "winner"),
        Comparison("2022_r1_left_candidate", "Left candidate, round 1 (%)", "%"),
        Comparison("2022_final_left_candidate", "Left candidate, final round (%)", "%"),
    ],
}


def compute_measures(run: RunData) -> dict[str, float]:
    """Every measure of one run.

    Args:
        run: the run's series, events and scale.

    Returns:
        Measure key -> value (NaN where the run has nothing to measure).
    """
    out = {}
    for key, measure in MEASURES.items():
        try:
            out[key] = float(measure(run))
        except (KeyError, IndexError, TypeError, ZeroDivisionError):
            out[key] = math.nan
    return out


# --- scenarios -------------------------------------------------------------------------


def twin_2021(scenario: Scenario) -> Scenario:
    """The 2021 counterfactual's baseline: the same run under the rules actually adopted."""
    return scenario.with_changes(
        scenario={
            "name": TWIN_2021,
            "description": "Baseline of counterfactual_2021_college: the 2021 rules as adopted.",
        },
        rules={"preset": "labour_2021", "overrides": {}},
    )


def load_validation_scenarios(
    scenario_dir: str | Path = SCENARIO_DIR, *, counterfactuals: bool = True
) -> dict[str, Scenario]:
    """The historical (and counterfactual) scenarios, by name, in run order.

    Args:
        scenario_dir: the folder of scenario files.
        counterfactuals: include the counterfactuals (and the 2021 twin).

    Returns:
        Name -> Scenario.
    """
    folder = Path(scenario_dir)
    names = list(HISTORICAL) + (list(COUNTERFACTUALS) if counterfactuals else [])
    scenarios = {name: load_scenario(folder / f"{name}.toml") for name in names}
    if counterfactuals:
        scenarios[TWIN_2021] = twin_2021(scenarios["counterfactual_2021_college"])
    return scenarios


def adjust(
    scenario: Scenario, *, scale: float | None = None, months: int | None = None
) -> Scenario:
    """A scenario with another scale and/or a shorter horizon (for quick runs)."""
    changes: dict[str, Any] = {}
    if scale is not None:
        changes["party"] = {"scale": scale}
    if months is not None:
        changes["calendar"] = {"months": min(months, scenario.calendar.months)}
    return scenario.with_changes(**changes) if changes else scenario


# --- running -----------------------------------------------------------------------------


def run_validation_task(task: Mapping[str, Any]) -> dict[str, Any]:
    """Run one validation run (a sweep runner: module-level, never raises for a bad run).

    Computes every measure in the worker, so only numbers and a few monthly
    series travel back.

    Args:
        task: as built by :func:`model.study.sweep.run_experiment` ("scenario" as a
            dict, "seed", "series" patterns, ...).

    Returns:
        The sweep's output record with `outcomes` = the measures.
    """
    import traceback

    from model.study.run import simulate
    from model.study.sweep import _keep_columns

    started = time.perf_counter()
    try:
        scenario = parse_scenario(task["scenario"], source=f"run {task['run_id']}")
        result = simulate(scenario, int(task["seed"]))
        run = RunData(result.series, result.events, scenario.party.scale)
        outcomes = compute_measures(run)
        series = _keep_columns(result.series, task.get("series", SERIES_KEPT))
    except Exception as err:  # a failed run is recorded, the validation goes on
        return {
            "status": "failed",
            "error": f"{type(err).__name__}: {err}",
            "traceback": traceback.format_exc(),
            "seconds": time.perf_counter() - started,
            "series": pd.DataFrame(),
            "outcomes": {},
            "events": [],
        }
    return {
        "status": "ok",
        "error": "",
        "traceback": "",
        "seconds": time.perf_counter() - started,
        "series": series,
        "outcomes": outcomes,
        "events": [],
    }


@dataclass
class RunSet:
    """Runs of several scenarios: measures and kept series, tidy.

    Attributes:
        outcomes: one row per run: scenario, variant, replication, seed, then
            one column per measure.
        series: monthly series of every run: scenario, variant, replication,
            month, date, then the kept columns.
        seconds: wall time.
        failed: run ids and errors of runs that raised.
    """

    outcomes: pd.DataFrame
    series: pd.DataFrame
    seconds: float = 0.0
    failed: list[str] = field(default_factory=list)


def run_many(
    scenarios: Mapping[str, Scenario],
    out: str | Path,
    *,
    seeds: int,
    workers: int | None = None,
    root_seed: int = ROOT_SEED,
    variants: Mapping[str, Sequence[tuple[str, Mapping[str, Any]]]] | None = None,
    series: Sequence[str] = SERIES_KEPT,
    resume: bool = False,
    progress: bool = True,
) -> RunSet:
    """Run scenarios over the same seeds through the sweep runner; collect measures.

    This is the one place that talks to the sweep runner (model.study.sweep): each
    scenario is an experiment of its own (its variants, if any, are named
    variants of it), run into ``out/<scenario>/``.

    Args:
        scenarios: name -> scenario.
        out: the folder of the sweep folders (one per scenario).
        seeds: replications per scenario (and variant); seed r is the same for
            every scenario (common random numbers).
        workers: worker processes (None or 1: serial).
        root_seed: the root the replication seeds are spawned from.
        variants: per scenario name, (label, {dotted path: value}) variants to
            run instead of the scenario as is (calibration).
        series: series columns (patterns) to keep.
        resume: keep finished runs of an earlier call with the same experiment;
            otherwise each scenario's folder is emptied first.
        progress: progress bars.

    Returns:
        The RunSet.
    """
    from model.study.experiment import parse_experiment
    from model.study.sweep import run_experiment

    out = Path(out)
    started = time.perf_counter()
    outcomes, frames, failed = [], [], []
    for name, scenario in scenarios.items():
        spec: dict[str, Any] = {
            "experiment": {
                "name": name,
                "scenario": f"{name} (in code)",
                "replications": seeds,
                "root_seed": root_seed,
            },
            "outcomes": {"series": list(series), "events": []},
        }
        if variants and name in variants:
            spec["variants"] = [{"name": label, "set": dict(v)} for label, v in variants[name]]
        experiment = parse_experiment(spec, source=f"validation: {name}", base=scenario)
        folder = out / name
        if folder.exists() and not (resume and _same_experiment(folder, experiment)):
            shutil.rmtree(folder)
        result = run_experiment(
            experiment,
            folder,
            workers=workers,
            resume=folder.exists(),
            progress=progress,
            runner=run_validation_task,
        )
        failed += [f"{name} {r.run_id}: {r.error}" for r in result.failed.itertuples()]
        table = result.outcomes.copy()
        if not table.empty:
            seeds_by_run = result.inputs.set_index("run_id")["seed"]
            table.insert(0, "scenario", name)
            table["seed"] = table["run_id"].map(seeds_by_run)
            outcomes.append(table)
        frame = result.series
        if not frame.empty:
            frame.insert(0, "scenario", name)
            frames.append(frame)
    return RunSet(
        outcomes=pd.concat(outcomes, ignore_index=True) if outcomes else pd.DataFrame(),
        series=pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(),
        seconds=time.perf_counter() - started,
        failed=failed,
    )


def _same_experiment(folder: Path, experiment: Any) -> bool:
    manifest = folder / "manifest.json"
    if not manifest.exists():
        return False
    try:
        old = json.loads(manifest.read_text(encoding="utf-8"))
    except ValueError:
        return False
    return old.get("fingerprint") == experiment.fingerprint()


# --- the table -----------------------------------------------------------------------------


def _quantiles(values: pd.Series) -> tuple[float, float, float, int]:
    v = values.dropna().to_numpy(dtype=float)
    if v.size == 0:
        return math.nan, math.nan, math.nan, 0
    low, mid, high = np.quantile(v, [0.05, 0.5, 0.95])
    return float(mid), float(low), float(high), int(v.size)


def validation_table(
    outcomes: pd.DataFrame, data: Any, targets: Iterable[Target] = TARGETS
) -> pd.DataFrame:
    """The validation table: published figure vs the model's distribution, per target.

    Args:
        outcomes: run outcomes (as in RunSet.outcomes).
        data: the historical data set.
        targets: the targets (default: all).

    Returns:
        One row per target: group, key, target, scenario, role, unit,
        published, median, low (5%), high (95%), inside, error (median minus
        published: percentage points for shares, per cent of the published
        figure for counts), p_model (share of runs with the historical
        winner, for winner rows), runs, source, note.
    """
    rows = []
    for target in targets:
        published = target.published(data)
        here = (
            outcomes.loc[outcomes["scenario"] == target.scenario, target.key]
            if not outcomes.empty and target.key in outcomes.columns
            else pd.Series(dtype=float)
        )
        median, low, high, n = _quantiles(here)
        if target.is_winner:
            value = 1.0
            p_model = float(here.dropna().mean()) if n else math.nan
        else:
            value = float(published)
            p_model = math.nan
        inside = bool(n) and low - 1e-9 <= value <= high + 1e-9
        if target.is_winner or not n:
            error = math.nan
        elif target.unit == "%":
            error = median - value  # percentage points
        else:
            error = 100.0 * (median - value) / value if value else math.nan  # per cent
        rows.append(
            {
                "group": target.group,
                "key": target.key,
                "target": target.label,
                "scenario": target.scenario,
                "role": target.role,
                "unit": target.unit,
                "published": published,
                "median": median,
                "low": low,
                "high": high,
                "inside": inside if n else None,
                "error": error,
                "p_model": p_model,
                "runs": n,
                "source": target.path,
                "note": target.note,
            }
        )
    return pd.DataFrame(rows)


def comparison_table(outcomes: pd.DataFrame) -> pd.DataFrame:
    """Counterfactuals against their baselines (same seeds), per measure.

    Args:
        outcomes: run outcomes including the counterfactual runs.

    Returns:
        One row per (counterfactual, measure): baseline and counterfactual
        median, 5% and 95% (for winner measures: the share of runs won), and
        the median paired difference.
    """
    rows = []
    for cf, comparisons in COMPARISONS.items():
        baseline = COUNTERFACTUALS[cf]
        a = outcomes[outcomes["scenario"] == baseline].set_index("seed")
        b = outcomes[outcomes["scenario"] == cf].set_index("seed")
        if a.empty or b.empty:
            continue
        for comp in comparisons:
            if comp.key not in a.columns or comp.key not in b.columns:
                continue
            row: dict[str, Any] = {
                "counterfactual": cf,
                "baseline": baseline,
                "measure": comp.label,
                "unit": comp.unit,
            }
            for who, frame in (("baseline", a), ("counterfactual", b)):
                median, low, high, n = _quantiles(frame[comp.key])
                if comp.unit == "winner":
                    median = float(frame[comp.key].dropna().mean()) if n else math.nan
                    low = high = math.nan
                row.update({f"{who}_median": median, f"{who}_low": low, f"{who}_high": high})
                row[f"{who}_runs"] = n
            paired = (b[comp.key] - a[comp.key].reindex(b.index)).dropna()
            row["median_difference"] = float(paired.median()) if len(paired) else math.nan
            rows.append(row)
    return pd.DataFrame(rows)


def _fmt(value: Any, unit: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, str):
        return value
    if unit in ("%", "ideology"):
        return f"{value:.1f}" if unit == "%" else f"{value:+.2f}"
    if unit == "winner":
        return f"{value:.0%}"
    return f"{value:,.0f}"


def table_markdown(table: pd.DataFrame) -> str:
    """The validation table as Markdown (one section per group)."""
    lines = []
    for group, rows in table.groupby("group", sort=False):
        lines += [
            f"**{group}**",
            "",
            "| target | published | model median | 90% interval | inside? | error | role |",
            "|---|---:|---:|---:|:---:|---:|---|",
        ]
        for row in rows.itertuples(index=False):
            unit = row.unit
            if unit == "winner":
                median = f"won {_fmt(row.p_model, 'winner')} of runs"
                interval = "–"
            else:
                median = _fmt(row.median, unit)
                interval = f"{_fmt(row.low, unit)} – {_fmt(row.high, unit)}"
            inside = {True: "yes", False: "**no**", None: "–"}[row.inside]
            published = _fmt(row.published, unit) if unit != "winner" else row.published
            if isinstance(row.error, float) and math.isfinite(row.error):
                error = f"{row.error:+.1f} pp" if unit == "%" else f"{row.error:+.0f}%"
            else:
                error = "–"
            lines.append(
                f"| {row.target} | {published} | {median} | {interval} | {inside} | {error} "
                f"| {row.role} |"
            )
        lines.append("")
    return "\n".join(lines)


def comparison_markdown(table: pd.DataFrame) -> str:
    """The counterfactual comparison as Markdown."""
    if table.empty:
        return "(no counterfactual runs)\n"
    lines = []
    for cf, rows in table.groupby("counterfactual", sort=False):
        baseline = rows["baseline"].iloc[0]
        lines += [
            f"**{cf}** (against {baseline}, same seeds)",
            "",
            "| measure | baseline | counterfactual | median paired difference |",
            "|---|---:|---:|---:|",
        ]
        for row in rows.itertuples(index=False):
            unit = row.unit
            if unit == "winner":
                base = f"{_fmt(row.baseline_median, unit)} of runs"
                cfv = f"{_fmt(row.counterfactual_median, unit)} of runs"
                diff = "–"
            else:
                base = (
                    f"{_fmt(row.baseline_median, unit)} "
                    f"({_fmt(row.baseline_low, unit)} – {_fmt(row.baseline_high, unit)})"
                )
                cfv = (
                    f"{_fmt(row.counterfactual_median, unit)} "
                    f"({_fmt(row.counterfactual_low, unit)} – {_fmt(row.counterfactual_high, unit)})"
                )
                diff = _fmt(row.median_difference, unit)
            lines.append(f"| {row.measure} | {base} | {cfv} | {diff} |")
        lines.append("")
    return "\n".join(lines)


# --- figures -----------------------------------------------------------------------------


def group_slug(group: str) -> str:
    """File-name form of a group ("2020 contest (held out)" -> "2020_contest_held_out")."""
    return _slug(group)


def draw_group(table: pd.DataFrame, group: str) -> Any:
    """A forest plot of one group: published (×) against the model's median and 90% interval.

    Args:
        table: the validation table.
        group: the group to draw.

    Returns:
        The matplotlib Figure.
    """
    import matplotlib.pyplot as plt

    from model.analysis.figures import HOUSE_STYLE

    rows = table[table["group"] == group].reset_index(drop=True)
    with plt.rc_context(HOUSE_STYLE):
        fig, ax = plt.subplots(figsize=(7.5, 0.45 * len(rows) + 1.4))
        y = np.arange(len(rows))[::-1]
        winners = rows["unit"] == "winner"
        for i, row in rows.iterrows():
            yy = y[i]
            if row["unit"] == "winner":
                p = row["p_model"]
                ax.barh(
                    yy, 0 if math.isnan(p) else 100 * p, color="tab:blue", alpha=0.5, height=0.5
                )
                ax.plot(100, yy, "x", color="tab:red", ms=8, mew=2)
                continue
            if row["runs"]:
                colour = "tab:blue" if row["inside"] else "tab:orange"
                ax.plot([row["low"], row["high"]], [yy, yy], color=colour, lw=3, alpha=0.6)
                ax.plot(row["median"], yy, "o", color=colour, ms=5)
            ax.plot(float(row["published"]), yy, "x", color="tab:red", ms=8, mew=2)
        ax.set_yticks(y)
        ax.set_yticklabels(rows["target"])
        units = sorted(set(rows["unit"]))
        if winners.all():
            ax.set_xlabel("share of runs in which the historical winner wins (%); × = 100%")
            ax.set_xlim(0, 105)
        else:
            ax.set_xlabel(
                " / ".join(units) + ": model median ● and 90% interval; published ×\n"
                "(blue: the published figure is inside the interval, orange: outside)"
            )
        ax.set_title(group)
        fig.tight_layout()
    return fig


def draw_membership(table: pd.DataFrame, series: pd.DataFrame) -> Any:
    """Membership over time: the model's median and 90% band against year-end figures.

    Args:
        table: the validation table (for the published year-end points).
        series: the runs' monthly series (RunSet.series, with a `scale` column).

    Returns:
        The matplotlib Figure.
    """
    import matplotlib.pyplot as plt

    from model.analysis.figures import HOUSE_STYLE

    with plt.rc_context(HOUSE_STYLE):
        fig, ax = plt.subplots(figsize=(8, 4))
        for scenario, colour in (("labour_2010", "tab:green"), ("labour_2015_2024", "tab:blue")):
            s = series[series["scenario"] == scenario] if not series.empty else series
            if s.empty or "members_full" not in s.columns:
                continue
            frame = pd.DataFrame({"date": s["date"], "members": s["members_full"] / s["scale"]})
            q = frame.groupby("date")["members"].quantile([0.05, 0.5, 0.95]).unstack()
            dates = pd.to_datetime(q.index + "-15")
            ax.fill_between(dates, q[0.05], q[0.95], color=colour, alpha=0.2, lw=0)
            ax.plot(dates, q[0.5], color=colour, label=f"{scenario}: median, 90% band")
        pub = table[table["group"] == "Membership"]
        dates = pd.to_datetime([f"{k.split('_')[1]}-12-31" for k in pub["key"]])
        ax.plot(
            dates,
            pub["published"].astype(float),
            "x",
            color="tab:red",
            ms=8,
            mew=2,
            label="published year-end figure",
        )
        ax.set_ylabel("full members (scaled to full size)")
        ax.set_title("Membership: model vs party accounts")
        ax.yaxis.set_major_formatter(lambda v, _: f"{v / 1000:.0f}k")
        ax.legend(loc="upper left")
        fig.tight_layout()
    return fig


def write_figures(table: pd.DataFrame, series: pd.DataFrame, folder: Path) -> list[Path]:
    """One figure per target group (membership as a time series) into `folder`.

    Returns:
        The files written (validation_<group>.png).
    """
    import matplotlib.pyplot as plt

    from model.records.writers import atomic_write

    written = []
    for group in table["group"].unique():
        fig = draw_membership(table, series) if group == "Membership" else draw_group(table, group)
        path = folder / f"validation_{group_slug(group)}.png"
        atomic_write(path, lambda p, fig=fig: fig.savefig(p, format="png"))
        plt.close(fig)
        written.append(path)
    return written


def redraw_figures(out: str | Path) -> list[Path]:
    """Draw the figures again from a finished validation folder (no runs).

    Args:
        out: the folder `validate_history` wrote (table.csv, runs/).

    Returns:
        The files written.
    """
    from model.study.sweep import load_sweep

    out = Path(out)
    table = pd.read_csv(out / "table.csv")
    table["inside"] = table["inside"].map({True: True, False: False, "True": True, "False": False})
    settings = json.loads((out / "settings.json").read_text(encoding="utf-8"))
    frames = []
    for folder in sorted((out / "runs").iterdir()):
        if (folder / "manifest.json").exists():
            frame = load_sweep(folder).series
            frame.insert(0, "scenario", folder.name)
            frame["scale"] = settings["scale"].get(folder.name, math.nan)
            frames.append(frame)
    series = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    return write_figures(table, series, out / "figures")


# --- the whole validation ----------------------------------------------------------------


@dataclass
class ValidationResult:
    """What `validate_history` produced."""

    table: pd.DataFrame
    comparisons: pd.DataFrame
    runs: RunSet
    files: list[Path]
    settings: dict[str, Any]


def validate_history(
    out: str | Path = "results/validation",
    *,
    seeds: int = 50,
    workers: int | None = None,
    scale: float | None = None,
    months: int | None = None,
    counterfactuals: bool = True,
    scenario_dir: str | Path = SCENARIO_DIR,
    data_file: str | Path | None = None,
    figures: bool = True,
    resume: bool = False,
    progress: bool = True,
) -> ValidationResult:
    """Run the historical (and counterfactual) scenarios and write the validation.

    Writes to `out`: table.csv, table.md (the validation table),
    counterfactuals.csv/.md, outcomes.csv (every run's measures),
    figures/validation_<group>.png, settings.json, and runs/<scenario>/ (the
    sweep folders).

    Args:
        out: the result folder.
        seeds: seeds per scenario (the same seeds for every scenario).
        workers: worker processes.
        scale: override every scenario's party.scale.
        months: cut every scenario to at most this many months (tests).
        counterfactuals: also run the counterfactuals.
        scenario_dir: where the scenario files are.
        data_file: the historical data set (default: the shared one).
        figures: draw the figures.
        resume: keep finished runs from an interrupted call.
        progress: progress bars.

    Returns:
        The ValidationResult.
    """
    from model.records.writers import atomic_write, write_text
    from model.study.run import git_revision

    out = Path(out)
    data = load_history(data_file)
    scenarios = {
        name: adjust(s, scale=scale, months=months)
        for name, s in load_validation_scenarios(
            scenario_dir, counterfactuals=counterfactuals
        ).items()
    }
    runs = run_many(
        scenarios, out / "runs", seeds=seeds, workers=workers, resume=resume, progress=progress
    )
    if not runs.series.empty:
        scales = {name: s.party.scale for name, s in scenarios.items()}
        runs.series["scale"] = runs.series["scenario"].map(scales)
    table = validation_table(runs.outcomes, data)
    comparisons = comparison_table(runs.outcomes) if counterfactuals else pd.DataFrame()

    files = []
    atomic_write(out / "table.csv", lambda p: table.to_csv(p, index=False))
    write_text(out / "table.md", table_markdown(table))
    atomic_write(out / "outcomes.csv", lambda p: runs.outcomes.to_csv(p, index=False))
    files += [out / "table.csv", out / "table.md", out / "outcomes.csv"]
    if counterfactuals:
        atomic_write(out / "counterfactuals.csv", lambda p: comparisons.to_csv(p, index=False))
        write_text(out / "counterfactuals.md", comparison_markdown(comparisons))
        files += [out / "counterfactuals.csv", out / "counterfactuals.md"]
    if figures:
        files += write_figures(table, runs.series, out / "figures")
    valued = table[table["runs"] > 0]
    settings = {
        "seeds": seeds,
        "root_seed": ROOT_SEED,
        "workers": workers,
        "scale": {name: s.party.scale for name, s in scenarios.items()},
        "months": {name: s.calendar.months for name, s in scenarios.items()},
        "seconds": round(runs.seconds, 1),
        "failed_runs": runs.failed,
        "targets": len(table),
        "targets_inside": int(valued["inside"].sum()),
        "targets_measured": len(valued),
        "git_revision": git_revision(),
        "data_file": str(Path(data_file or DATA_FILE)),
    }
    write_text(out / "settings.json", json.dumps(settings, indent=2) + "\n")
    files.append(out / "settings.json")
    return ValidationResult(table, comparisons, runs, files, settings)
