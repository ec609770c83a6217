"""The party: a Mesa model that wires state, monthly processes and events.

One step is one calendar month. Within a month, Mesa runs the step first
(influence, joining and lapsing, faction organising — in that order), then
the events due that month at DEFAULT priority (CLP AGMs, and the events
later modules add), then data collection at LOW priority. The model holds
no behaviour of its own: the processes are pure functions in `dynamics` and
`meetings`; this module feeds them the right arrays and random streams and
records what they decide.
"""

from __future__ import annotations

import re
import time as _time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

import mesa
import numpy as np
import pandas as pd
from mesa.time import Priority, Schedule

from model import dynamics, meetings, population
from model.calendar import Month
from model.clps import CLP, UNALIGNED, ClpTable
from model.factions import Faction
from model.members import (
    AFFILIATED_SUPPORTER,
    FULL_MEMBER,
    NO_FACTION,
    NO_UNION,
    REGISTERED_SUPPORTER,
    Member,
    MemberTable,
)
from model.mps import MP
from model.records import EventLog
from model.rules import RuleSet, resolve_rules
from model.scenario import Scenario, load_scenario
from model.unions import Union

# Independent random streams, one per process, so that two scenarios that
# differ only in (say) their rules see the same influence and flow draws
# (common random numbers). The numbers are fixed: never reuse or renumber.
STREAMS = {
    "setup": 0,
    "influence": 1,
    "flows": 2,
    "organising": 3,
    "meetings": 4,
    "contests": 5,
    "reselection": 6,
    "conference": 7,
    "elections": 8,
    "unions": 9,
}

STAGES = ("influence", "joining_lapsing", "organising", "agm", "data_collection")


def slug(name: str) -> str:
    """A column-safe version of a name ("Labour to Win" -> "labour_to_win")."""
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def _snapshot_value(model: PartyModel, key: str) -> Any:
    """One value of the model's monthly snapshot (a DataCollector reporter)."""
    return model._snapshot[key]


class PartyModel(mesa.Model):
    """The party as a Mesa model.

    Attributes:
        config: the validated scenario (Mesa reserves the name `scenario`).
        seed: the root seed of this run.
        rules: the RuleSet in force.
        members: the member table (columnar).
        clps: the CLP table; `clp_agents` are the Mesa agents over it.
        mps: MPs (Mesa agents), sitting or not; `leader` is one of them.
        unions, factions: the affiliates and factions (Mesa agents).
        events: the event log (one dict per event).
        timings: seconds spent per stage, for benchmarks.
    """

    def __init__(
        self,
        scenario: Scenario | str | Path,
        rng: int | None = None,
    ):
        """Build the party at the scenario's start month.

        Args:
            scenario: a Scenario, or the path of a scenario file.
            rng: the root seed (an int). None draws one from the OS and
                records it in `seed`, so the run can still be repeated.
        """
        if not isinstance(scenario, Scenario):
            scenario = load_scenario(scenario)
        seed = int(rng) if rng is not None else int(np.random.SeedSequence().entropy % 2**63)
        super().__init__(rng=seed)
        self.config = scenario  # not `scenario`: Mesa owns that name
        self.seed = seed
        self.streams = {
            name: np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(key,)))
            for name, key in STREAMS.items()
        }
        self.start = scenario.start
        self.rules: RuleSet = resolve_rules(scenario.rules.preset, scenario.rules.overrides)
        self.events = EventLog()
        self.timings: dict[str, float] = defaultdict(float)
        self._member_views: dict[int, Member] = {}
        self._month_joined = 0
        self._month_lapsed = 0

        setup = self.streams["setup"]
        self.unions = [
            Union(
                self,
                index=i,
                name=u.name,
                levy_payers=round(u.levy_payers * scenario.party.scale),
                leadership_ideology=u.leadership_ideology,
                ballot_turnout=u.ballot_turnout,
                gs_cycle_months=u.gs_cycle_months,
                is_union=u.is_union,
            )
            for i, u in enumerate(scenario.unions)
        ]
        self.clps: ClpTable = population.build_clps(scenario, len(self.unions), setup)
        self.clp_agents = [CLP(self, i) for i in range(len(self.clps))]
        self.factions = [Faction(self, i, spec) for i, spec in enumerate(scenario.factions)]
        self.members: MemberTable = population.build_members(scenario, self.clps, setup)
        self._clp_weight = np.bincount(self.members.clp, minlength=len(self.clps)) + 1.0
        self.mps = self._create_mps(setup)
        self.leader = self._install_leader(setup)
        self._settle_initial_control()

        self._snapshot: dict[str, Any] = {}
        self.datacollector = mesa.DataCollector(
            model_reporters={key: partial(_snapshot_value, key=key) for key in self._measure()}
        )
        self._schedule_events()

    # --- calendar ----------------------------------------------------------

    @property
    def now(self) -> Month:
        """The month being simulated (the start month before the first step)."""
        return self.start.plus(max(int(self.time) - 1, 0))

    def time_of(self, month: Month) -> int:
        """The model time at which `month` is simulated."""
        return self.start.months_until(month) + 1

    # --- set-up --------------------------------------------------------------

    def _create_mps(self, rng: np.random.Generator) -> list[MP]:
        draw = population.draw_mps(self.config, self.clps, rng)
        return [
            MP(
                self,
                name=f"MP {int(clp):03d}",
                ideology=float(draw.ideology[i]),
                clp=int(clp),
                faction=int(draw.faction[i]),
                ambition=bool(draw.ambition[i]),
                valence=float(draw.valence[i]),
                responsiveness=float(draw.responsiveness[i]),
            )
            for i, clp in enumerate(draw.clp)
        ]

    def _install_leader(self, rng: np.random.Generator) -> MP:
        spec = self.config.leader
        leader = self.mps[int(rng.integers(len(self.mps)))]
        leader.name = spec.name
        leader.ideology = spec.ideology
        leader.valence = spec.valence
        leader.ambition = True
        lines = np.array([f.line for f in self.factions])
        radii = np.array([f.spec.recruit_radius for f in self.factions])
        near = np.abs(lines - spec.ideology) <= radii
        leader.faction = int(np.argmin(np.abs(lines - spec.ideology))) if near.any() else -1
        return leader

    def _settle_initial_control(self) -> None:
        # Control at the start is what an ordinary, unmobilised round of
        # meetings would give; it is not recorded as events.
        all_clps = np.arange(len(self.clps))
        result = self._meet(all_clps, targeted=np.zeros((len(self.factions), len(self.clps)), bool))
        self.clps.control[:] = result.winner

    def _schedule_events(self) -> None:
        # Each CLP holds its AGM once a year in its own month: one recurring
        # event per calendar month handles the CLPs meeting then.
        for calendar_month in range(1, 13):
            first = (calendar_month - self.start.month) % 12 + 1
            self.schedule_recurring(self._hold_agms, Schedule(interval=12, start=first))
        self.schedule_recurring(self._collect, Schedule(interval=1, start=1), Priority.LOW)

    # --- the month -----------------------------------------------------------

    def step(self) -> None:
        """One month of member processes: influence, flows, organising."""
        with self._timed("influence"):
            self._influence()
        with self._timed("joining_lapsing"):
            self._membership_flows()
        with self._timed("organising"):
            self._organising()

    @contextmanager
    def _timed(self, stage: str) -> Iterator[None]:
        start = _time.perf_counter()
        try:
            yield
        finally:
            self.timings[stage] += _time.perf_counter() - start

    @property
    def faction_lines(self) -> np.ndarray:
        """Each faction's line, in faction order."""
        return np.array([f.line for f in self.factions], dtype=float)

    def _influence(self) -> None:
        m = self.members
        m.ideology[:] = dynamics.influence(
            m.ideology,
            m.clp,
            m.faction,
            m.trusts_leader,
            m.active,
            faction_lines=self.faction_lines,
            leader_ideology=self.leader.ideology,
            params=self.config.influence,
            rng=self.streams["influence"],
        )

    def join_context(self) -> dynamics.JoinContext:
        """What shapes joining this month (later modules add contests)."""
        return dynamics.JoinContext(
            leader_ideology=self.leader.ideology, scale=self.config.party.scale
        )

    def _membership_flows(self) -> None:
        rng = self.streams["flows"]
        flows = self.config.flows
        m = self.members
        leaving = dynamics.lapsers(
            m.ideology, np.flatnonzero(m.full_members()), self.leader.ideology, flows, rng
        )
        m.lapse(leaving, int(self.time))
        self._month_lapsed = leaving.size

        context = self.join_context()
        count = int(rng.poisson(dynamics.expected_joiners(flows, context)))
        self._month_joined = count
        if count:
            self._add_members(count, context, rng)

    def _add_members(
        self, count: int, context: dynamics.JoinContext, rng: np.random.Generator
    ) -> np.ndarray:
        spec = self.config.members
        attractor = context.leader_ideology
        if context.contest_open and context.contest_pull is not None:
            attractor = context.contest_pull
        clp = rng.choice(len(self.clps), size=count, p=self._clp_weight / self._clp_weight.sum())
        union = np.full(count, NO_UNION, dtype=np.int16)
        payers = rng.random(count) < spec.levy_payer_share
        if payers.any():
            weights = np.array([max(u.levy_payers, 1) for u in self.unions], dtype=float)
            union[payers] = rng.choice(
                len(weights), size=int(payers.sum()), p=weights / weights.sum()
            )
        return self.members.append(
            ideology=dynamics.joiner_ideologies(
                count, self.config.flows.pool, attractor, self.config.flows.attraction_width, rng
            ),
            activism=population.draw_beta(spec.activism, count, rng),
            turnout=population.draw_beta(spec.turnout, count, rng),
            clp=clp,
            branch=self.clps.branch_start[clp] + rng.integers(0, self.clps.n_branches[clp]),
            kind=np.full(count, FULL_MEMBER, dtype=np.int8),
            union=union,
            trusts_leader=rng.random(count) < spec.trusts_leader,
            joined=np.full(count, int(self.time), dtype=np.int32),
        )

    def _organising(self) -> None:
        rng = self.streams["organising"]
        m = self.members
        eligible = m.full_members()
        specs = [f.spec for f in self.factions]
        m.faction[:] = dynamics.recruit(
            m.ideology,
            m.faction,
            eligible,
            faction_lines=self.faction_lines,
            radii=np.array([s.recruit_radius for s in specs]),
            rates=np.array([s.recruitment_rate for s in specs]),
            rng=rng,
        )
        expected = dynamics.expected_attendance(
            m.activism,
            m.ideology,
            m.clp,
            m.faction,
            np.flatnonzero(eligible),
            n_clps=len(self.clps),
            faction_lines=self.faction_lines,
            affinity=self.config.meetings.unaligned_affinity,
        )
        targets = dynamics.choose_targets(
            expected,
            self.clps.control,
            capacity=np.array([s.organisers for s in specs]),
            strategies=[s.targeting for s in specs],
            mobilisation=np.array([s.mobilisation for s in specs]),
            rng=rng,
        )
        for faction, row in zip(self.factions, targets, strict=True):
            faction.targets = row

    @property
    def targeted(self) -> np.ndarray:
        """(n_factions, n_clps): where each faction mobilises this month."""
        if not self.factions:
            return np.zeros((0, len(self.clps)), dtype=bool)
        return np.stack([f.targets for f in self.factions])

    # --- meetings ------------------------------------------------------------

    def _meet(self, clps: np.ndarray, targeted: np.ndarray) -> meetings.MeetingResult:
        m = self.members
        in_meeting = np.zeros(len(self.clps), dtype=bool)
        in_meeting[clps] = True
        ids = np.flatnonzero(m.full_members() & in_meeting[m.clp])
        specs = [f.spec for f in self.factions]
        return meetings.hold_meetings(
            np.sort(clps),
            m.clp[ids],
            ids,
            ideology=m.ideology,
            activism=m.activism,
            faction=m.faction,
            clp=m.clp,
            targeted=targeted,
            mobilisation=np.array([s.mobilisation for s in specs]),
            faction_lines=self.faction_lines,
            discipline=np.array([s.slate_discipline for s in specs]),
            affinity=self.config.meetings.unaligned_affinity,
            incumbent=self.clps.control[np.sort(clps)],
            rng=self.streams["meetings"],
        )

    def _hold_agms(self) -> None:
        """This month's CLP annual general meetings (a meeting decides)."""
        with self._timed("agm"):
            meeting = np.flatnonzero(self.clps.agm_month == self.now.month)
            if meeting.size == 0:
                return
            result = self._meet(meeting, self.targeted)
            names = [f.name for f in self.factions] + ["unaligned"]
            for i, clp in enumerate(result.units):
                before = int(self.clps.control[clp])
                after = int(result.winner[i])
                self.events.record(
                    "agm",
                    self.now,
                    decided_by="meeting",
                    clp=int(clp),
                    eligible=int(result.eligible[i]),
                    attendees=int(result.attendees[i]),
                    votes=dict(zip(names, result.votes[i].tolist(), strict=True)),
                    targeted_by=[f.name for f in self.factions if f.targets[clp]],
                    control_before=self.faction_name(before),
                    control_after=self.faction_name(after),
                    tie_broken=bool(result.ties_broken[i]),
                )
            self.clps.control[result.units] = result.winner

    # --- inspection ----------------------------------------------------------

    def faction_name(self, index: int) -> str:
        """A faction's name, or "unaligned" for -1."""
        return "unaligned" if index == UNALIGNED else self.factions[index].name

    def member(self, member_id: int) -> Member:
        """The Mesa agent view of one member (created on first request)."""
        if member_id not in self._member_views:
            self.members.row(member_id)  # raises IndexError for a bad id
            self._member_views[member_id] = Member(self, member_id)
        return self._member_views[member_id]

    @property
    def sitting_mps(self) -> list[MP]:
        """MPs who sit now."""
        return [mp for mp in self.mps if mp.sitting]

    def plan(self) -> str:
        """A printable plan of what runs in a month, in order."""
        return "\n".join(
            [
                "each month:",
                "  1. influence (bounded confidence in CLPs, faction pull, leader cue)",
                "  2. joining and lapsing",
                "  3. faction organising (recruitment, targeting)",
                "  4. events due this month: CLP AGMs (meeting)",
                "  5. data collection",
            ]
        )

    # --- data collection -----------------------------------------------------

    def _measure(self) -> dict[str, Any]:
        m = self.members
        active = m.active
        x = m.ideology[active & (m.kind == FULL_MEMBER)]
        plp = np.array([mp.ideology for mp in self.sitting_mps])
        member_median = float(np.median(x)) if x.size else float("nan")
        plp_median = float(np.median(plp)) if plp.size else float("nan")
        kinds = np.bincount(m.kind[active], minlength=3)
        row: dict[str, Any] = {
            "month": int(self.time),
            "date": str(self.now),
            "members_full": int(kinds[FULL_MEMBER]),
            "registered_supporters": int(kinds[REGISTERED_SUPPORTER]),
            "affiliated_supporters": int(kinds[AFFILIATED_SUPPORTER]),
            "members_total": int(kinds.sum()),
            "joined": int(self._month_joined),
            "lapsed": int(self._month_lapsed),
            "ideology_mean": float(np.mean(x)) if x.size else float("nan"),
            "ideology_median": member_median,
            "ideology_sd": float(np.std(x)) if x.size else float("nan"),
            "plp_size": int(plp.size),
            "plp_mean": float(np.mean(plp)) if plp.size else float("nan"),
            "plp_median": plp_median,
            "leader": self.leader.name,
            "leader_ideology": float(self.leader.ideology),
            "member_plp_gap": plp_median - member_median,
        }
        controls = np.bincount(self.clps.control + 1, minlength=len(self.factions) + 1)
        row["clps_unaligned"] = int(controls[0])
        in_faction = m.faction[active]
        sizes = np.bincount(in_faction[in_faction >= 0], minlength=len(self.factions))
        for f in self.factions:
            row[f"clps_{slug(f.name)}"] = int(controls[f.index + 1])
            row[f"faction_{slug(f.name)}"] = int(sizes[f.index])
        row["rules"] = self.rules.label()
        return row

    def _collect(self) -> None:
        with self._timed("data_collection"):
            self._snapshot = self._measure()
            self.datacollector.collect(self)

    def series(self) -> pd.DataFrame:
        """The monthly series so far, one row per simulated month."""
        return self.datacollector.get_model_vars_dataframe().reset_index(drop=True)

    def summary(self) -> dict[str, Any]:
        """Headline figures of the run so far (for the CLI's summary table)."""
        s = self.series()
        if s.empty:
            return {}
        first, last = s.iloc[0], s.iloc[-1]
        out = {
            "months": len(s),
            "period": f"{first['date']} .. {last['date']}",
            "members (start -> end)": f"{first['members_total']:,} -> {last['members_total']:,}",
            "member median ideology": f"{first['ideology_median']:+.3f} -> {last['ideology_median']:+.3f}",
            "PLP median ideology": f"{first['plp_median']:+.3f} -> {last['plp_median']:+.3f}",
            "member-PLP gap": f"{first['member_plp_gap']:+.3f} -> {last['member_plp_gap']:+.3f}",
            "leader": f"{last['leader']} ({last['leader_ideology']:+.2f})",
        }
        for f in self.factions:
            key = f"clps_{slug(f.name)}"
            out[f"CLPs controlled by {f.name}"] = f"{first[key]} -> {last[key]}"
        out["events recorded"] = ", ".join(
            f"{kind}: {n}" for kind, n in sorted(_count_types(self.events).items())
        )
        return out


def _count_types(events: EventLog) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for rec in events:
        counts[rec["type"]] += 1
    return counts


__all__ = ["PartyModel", "NO_FACTION"]
