"""Pattern-oriented checks (Grimm et al. 2005): qualitative facts the model should reproduce.

Each :class:`Pattern` is a predicate on one run's measures (one row of the
outcomes, joined across the scenarios of the same draw and seed). The table
reports the share of posterior runs in which it holds. A pattern whose events
the model cannot produce yet is reported as "not modelled yet", never passed;
a run that lacks a measure the pattern needs (it stopped early, the contest
did not happen) cannot judge it and is left out of the share.

Every modelled pattern also holds in the published record:
:func:`record_row` builds a "run" from the published figures, and the tests
check each predicate on it, so a pattern cannot encode something that did not
happen.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from model.validation.catalogue import TARGETS
from model.validation.measures import event_type_exists
from model.validation.targets import LONG

Row = Mapping[str, float]
Predicate = Callable[[Row], bool | None]

HANDFUL = 10
"""At most this many MPs facing a full selection in one round is "a handful"
[assumption: under 5% of a PLP of ~200-260; 6 were triggered in 2019, and the
data name 2 in 2021-23]."""

FALL = 0.30
"""The membership fall under the next leader: at least 30% [data: year-end
2019 532,046 to 2024 333,235, -37%]."""


def _get(row: Row, *keys: str) -> list[float] | None:
    values = [row.get(k, math.nan) for k in keys]
    if any(v is None or not math.isfinite(float(v)) for v in values):
        return None
    return [float(v) for v in values]


def _won(key: str) -> Predicate:
    def predicate(row: Row) -> bool | None:
        got = _get(row, key)
        return None if got is None else got[0] >= 0.5

    return predicate


def _all_winners(row: Row) -> bool | None:
    got = _get(row, "2010_winner", "2015_winner", "2016_winner", "2020_winner")
    return None if got is None else all(v >= 0.5 for v in got)


def _corbyn_order(row: Row) -> bool | None:
    got = _get(
        row,
        "2015_r1_registered_supporters_jeremy_corbyn",
        "2015_r1_affiliated_supporters_jeremy_corbyn",
        "2015_r1_members_jeremy_corbyn",
    )
    return None if got is None else got[0] > got[1] > got[2]


def _smith_leads_old_members_2016(row: Row) -> bool | None:
    got = _get(row, "2016_cohort_before_2015_corbyn_over_half")
    return None if got is None else got[0] <= 0.0


def _membership_peak_and_fall(row: Row) -> bool | None:
    years = list(range(2015, 2025))
    got = _get(row, *(f"members_{y}" for y in years))
    if got is None:
        return None
    by_year = dict(zip(years, got, strict=True))
    peak = max(by_year, key=lambda y: by_year[y])
    low = min(by_year[y] for y in range(2021, 2025))
    return peak == 2017 and low <= (1.0 - FALL) * by_year[2019]


def _handful_of_triggers(row: Row) -> bool | None:
    got = _get(row, "trigger_2019_triggered", "trigger_2022_triggered")
    return None if got is None else all(1 <= v <= HANDFUL for v in got)


def _college_blocked(row: Row) -> bool | None:
    got = _get(row, "college_2021_dropped", "conference_2021_passes")
    return None if got is None else got[0] >= 0.5 and got[1] >= 0.5


def _nec_left_falls(row: Row) -> bool | None:
    got = _get(row, "nec_clp_left_2018", "nec_clp_left_2022", "nec_clp_left_2024")
    if got is None:
        return None
    full, later = got[0], got[1:]
    return full >= 99.9 and all(v < full for v in later) and later[-1] <= later[0]


@dataclass(frozen=True)
class Pattern:
    """A qualitative fact about the record, as a predicate on one run.

    Attributes:
        key: identifier.
        label: what the pattern says.
        record: the published evidence (citation paths into labour_history.json).
        predicate: True/False for a run, None when the run cannot judge it.
        needs: the measures the predicate reads.
        requires: event types the model must produce (missing: "not modelled yet").
        note: why it is not modelled yet, or how to read it.
    """

    key: str
    label: str
    record: str
    predicate: Predicate
    needs: tuple[str, ...] = ()
    requires: tuple[str, ...] = ()
    note: str = ""

    def modelled(self) -> bool:
        """Whether the model has every event type the pattern needs."""
        return all(event_type_exists(kind) for kind in self.requires)


PATTERNS: list[Pattern] = [
    Pattern(
        "won_2010",
        "Ed Miliband wins 2010",
        "[data: leadership_elections.2010.winner]",
        _won("2010_winner"),
        ("2010_winner",),
    ),
    Pattern(
        "won_2015",
        "Jeremy Corbyn wins 2015",
        "[data: leadership_elections.2015.winner]",
        _won("2015_winner"),
        ("2015_winner",),
    ),
    Pattern(
        "won_2016",
        "Jeremy Corbyn wins 2016",
        "[data: leadership_elections.2016.winner]",
        _won("2016_winner"),
        ("2016_winner",),
    ),
    Pattern(
        "won_2020",
        "Keir Starmer wins 2020",
        "[data: leadership_elections.2020.winner]",
        _won("2020_winner"),
        ("2020_winner",),
    ),
    Pattern(
        "won_all",
        "Every contest's winner as in history (same draw and seed)",
        "[data: leadership_elections]",
        _all_winners,
        ("2010_winner", "2015_winner", "2016_winner", "2020_winner"),
    ),
    Pattern(
        "corbyn_order_2015",
        "2015: Corbyn's share registered supporters > affiliated supporters > members",
        "[data: leadership_elections.2015.result_first_round_by_voter_type.corbyn_share_by_type_pct]",
        _corbyn_order,
        (
            "2015_r1_registered_supporters_jeremy_corbyn",
            "2015_r1_affiliated_supporters_jeremy_corbyn",
            "2015_r1_members_jeremy_corbyn",
        ),
    ),
    Pattern(
        "smith_leads_old_members_2016",
        "2016: Owen Smith leads among members who joined before the 2015 election "
        "(Corbyn wins on the newer members)",
        "[data: members_ideology_and_composition.cohort_differences_2015_16"
        ".pre_ge2015_members_voted_smith_2016] (labour_politics.json)",
        _smith_leads_old_members_2016,
        ("2016_cohort_before_2015_corbyn_over_half",),
    ),
    Pattern(
        "membership_peak_fall",
        f"Membership peaks in 2017 and falls by at least {FALL:.0%} from the end of 2019 "
        "to its lowest year-end in 2021–2024",
        "[data: membership.year_end_series]",
        _membership_peak_and_fall,
        tuple(f"members_{y}" for y in range(2015, 2025)),
    ),
    Pattern(
        "handful_of_triggers",
        f"Only a handful (1 to {HANDFUL}) of MPs face a full selection in each trigger round "
        "(2019, 2021–23)",
        "[data: trigger_ballots_and_reselection.round_2019.mps_triggered] "
        "[data: trigger_ballots_and_reselection.round_2021_2023.details]",
        _handful_of_triggers,
        ("trigger_2019_triggered", "trigger_2022_triggered"),
    ),
    Pattern(
        "unions_block_college_2021",
        "2021: the unions block the return to an electoral college, while the rest of "
        "the package passes",
        "[data: conference_and_nec_rule_votes.2021_college_of_thirds_timeline] "
        "(labour_politics.json) [data: rule_changes.2021_conference_starmer_reforms]",
        _college_blocked,
        ("college_2021_dropped", "conference_2021_passes"),
        requires=("affiliate_consultation",),
        note="the college is dropped after the affiliates' consultation (or the package "
        "withdrawn), and the rest passes the card vote",
    ),
    Pattern(
        "nec_left_falls",
        "The left's NEC CLP-section seats fall from 9 of 9 (2018)",
        "[data: momentum_and_factions.nec_clp_section_results]",
        _nec_left_falls,
        ("nec_clp_left_2018", "nec_clp_left_2022", "nec_clp_left_2024"),
        requires=("nec_election",),
        note="the left takes every seat in 2018, fewer in 2022 and 2024, and no more in 2024 "
        "than in 2022",
    ),
]
"""Every pattern, in table order."""


def record_row(data: Any) -> dict[str, float]:
    """The published record as if it were one run's measures (for checking the patterns).

    Every target's published figure (winners and passes as 1), plus the
    2021–23 trigger round as the number of triggered MPs the data name (the
    data give no total: a lower bound).
    """
    row = {t.key: t.observed(data) for t in TARGETS if t.modelled()}
    details = data["trigger_ballots_and_reselection"]["round_2021_2023"]["details"]
    row["trigger_2022_triggered"] = float(len(details))
    return row


def join_runs(outcomes: pd.DataFrame, scenarios: Sequence[str]) -> list[dict[str, float]]:
    """One row per (draw, seed): the measures of each scenario's run, each from its own scenario.

    A measure belongs to the scenario its target is measured in (the
    catalogue says which); extra measures come from the long run.
    """
    if outcomes.empty:
        return []
    where = {t.key: t.scenario for t in TARGETS}
    frames = []
    for name in scenarios:
        part = outcomes[outcomes["scenario"] == name]
        if part.empty:
            continue
        keys = {"draw", "seed", "scenario", "run_id", "variant", "label", "replication"}
        keep = [c for c in part.columns if c not in keys and where.get(c, LONG) == name]
        frames.append(part.set_index(["draw", "seed"])[keep])
    if not frames:
        return []
    joined = pd.concat(frames, axis=1, join="outer")
    return [dict(row) for _, row in joined.iterrows()]


def pattern_table(outcomes: pd.DataFrame, scenarios: Sequence[str]) -> pd.DataFrame:
    """The share of runs in which each pattern holds.

    Returns:
        One row per pattern: key, pattern, status ("modelled", "not modelled
        yet", "no run could judge it"), runs (that could judge it), holds
        (runs in which it holds), share, low and high (a 90% Wilson interval
        for the share), record, note.
    """
    rows = join_runs(outcomes, scenarios)
    out = []
    for p in PATTERNS:
        entry: dict[str, Any] = {
            "key": p.key,
            "pattern": p.label,
            "record": p.record,
            "note": p.note,
        }
        if not p.modelled():
            missing = ", ".join(k for k in p.requires if not event_type_exists(k))
            entry.update(
                status="not modelled yet", runs=0, holds=0, share=math.nan, low=math.nan,
                high=math.nan, note=f"needs '{missing}' events; {p.note}".rstrip("; "),
            )  # fmt: skip
            out.append(entry)
            continue
        verdicts = [p.predicate(row) for row in rows]
        judged = [v for v in verdicts if v is not None]
        n, k = len(judged), int(sum(judged))
        low, high = wilson(k, n)
        entry.update(
            status="modelled" if n else "no run could judge it",
            runs=n,
            holds=k,
            share=k / n if n else math.nan,
            low=low,
            high=high,
        )
        out.append(entry)
    return pd.DataFrame(out)


def wilson(k: int, n: int, z: float = 1.6448536269514722) -> tuple[float, float]:
    """The Wilson score interval for k successes in n trials (default 90%)."""
    if n == 0:
        return math.nan, math.nan
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return float(max(0.0, centre - half)), float(min(1.0, centre + half))
