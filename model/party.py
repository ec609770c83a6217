"""The party: a Mesa model that builds the party's state and wires the institutions.

One step is one calendar month. The model holds no behaviour of its own:
it builds a `PartyState` (members, CLPs, MPs, unions, factions, the leader,
the rules, the clock, the random streams, the event log), creates the
institutions (`model.institutions`) around it, and runs their stages. Each
institution declares its stages and their rank in the month; `plan()` prints
the month generated from them. Mesa runs the step first in each month (the
monthly stages: influence, joining and lapsing, organising, MPs' focus,
polling), then the events due that month, then data collection.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

import mesa
import numpy as np
import pandas as pd
from mesa.time import Schedule

from model.agents import population
from model.agents.clps import CLP, ClpTable
from model.agents.factions import Faction
from model.agents.members import NO_FACTION, Member, MemberTable
from model.agents.mps import MP, MP_PREFIX
from model.agents.unions import Union
from model.calendar import Month
from model.institutions.agms import Agms
from model.institutions.base import Institution, Stage
from model.institutions.conference import Conference
from model.institutions.deputy import DeputyLeadership
from model.institutions.leadership import Leadership, OpenContest
from model.institutions.membership import Membership
from model.institutions.national import NationalPolitics
from model.institutions.nec import Nec
from model.institutions.organising import Organising
from model.institutions.selections import Selections
from model.institutions.stakes import Stakes
from model.institutions.unions import UnionPolitics
from model.records.events import GeneralElection, LeadershipContest, TriggerBallot
from model.records.log import EventLog
from model.records.series import at_full_size, slug
from model.rules.presets import resolve_rules
from model.rules.schema import RuleSet
from model.scenario.schema import Scenario, load_scenario
from model.state import DATA_COLLECTION, PartyState


def _first(names: list[str], shown: int = 3) -> str:
    """The first few names of a list, and how many more."""
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return "; ".join(names[:shown]) + more


def _snapshot_value(model: PartyModel, key: str) -> Any:
    """One value of the model's monthly snapshot (a DataCollector reporter)."""
    return model._snapshot[key]


class PartyModel(mesa.Model):
    """The party as a Mesa model.

    Attributes:
        config: the validated scenario (Mesa reserves the name `scenario`).
        seed: the root seed of this run.
        state: the PartyState the institutions share.
        institutions: the institutions, by name, in the order they measure.
        clp_agents: Mesa agents over the CLP table's rows.
    """

    def __init__(self, scenario: Scenario | str | Path, rng: int | None = None):
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
        rules = resolve_rules(scenario.rules.preset, scenario.rules.overrides)
        self.state = PartyState(self, scenario, seed, rules)
        self._member_views: dict[int, Member] = {}
        self._build_party()

        s = self.state
        # Factions not founded yet are emptied before anything else sees them.
        organising = Organising(s)
        membership = Membership(s)
        unions = UnionPolitics(s)
        leadership = Leadership(s, membership, unions)
        stakes = Stakes(s)
        nec = Nec(s, unions, stakes)
        selections = Selections(s, leadership, nec)
        deputy = DeputyLeadership(s, leadership, unions)
        self.agms = Agms(s)
        self.agms.settle_initial_control()
        # MEPs exist only as a number in the scenario; their positions are
        # drawn from the PLP's distribution on a stream of their own so the
        # set-up draws above stay as they were.
        s.mep_ideology = population.draw_mixture(
            scenario.plp.ideology, scenario.party.meps, s.streams["contests"]
        )
        self.institutions: dict[str, Institution] = {
            i.name: i
            for i in (
                membership,
                leadership,
                organising,
                NationalPolitics(s, leadership, selections),
                unions,
                selections,
                Conference(s, unions, nec, stakes),
                self.agms,
                nec,
                deputy,
            )
        }
        self._snapshot: dict[str, Any] = {}
        self.datacollector = mesa.DataCollector(
            model_reporters={key: partial(_snapshot_value, key=key) for key in self._measure()}
        )
        self._schedule_events()

    # --- set-up --------------------------------------------------------------

    def _build_party(self) -> None:
        """Unions, CLPs, factions, members, MPs and the leader, from the set-up stream."""
        s, config = self.state, self.config
        setup = s.streams["setup"]
        s.unions = [
            Union(
                self,
                index=i,
                name=u.name,
                levy_payers=round(u.levy_payers * config.party.scale),
                leadership_ideology=u.leadership_ideology,
                ballot_turnout=u.ballot_turnout,
                gs_cycle_months=u.gs_cycle_months,
                is_union=u.is_union,
                decided_by=u.decided_by,
                nominates=u.nominates,
                levy_payers_mean=(u.members_ideology or config.contests.levy_payer_ideology).mean,
            )
            for i, u in enumerate(config.unions)
        ]
        s.clps = population.build_clps(config, len(s.unions), setup)
        s.events.seat_names = s.clps.name.tolist()
        self.clp_agents = [CLP(self, i) for i in range(len(s.clps))]
        s.factions = [Faction(self, i, spec) for i, spec in enumerate(config.factions)]
        s.members = population.build_members(config, s.clps, setup)
        draw = population.draw_mps(config, s.clps, setup)
        s.mps = [
            MP(
                self,
                name=s.mp_name(int(clp)),
                ideology=float(draw.ideology[i]),
                clp=int(clp),
                faction=int(draw.faction[i]),
                ambition=bool(draw.ambition[i]),
                valence=float(draw.valence[i]),
                responsiveness=float(draw.responsiveness[i]),
            )
            for i, clp in enumerate(draw.clp)
        ]
        spec = config.leader
        leader = s.mp_for_seat(spec.seat) or s.mps[int(setup.integers(len(s.mps)))]
        leader.name, leader.ideology, leader.valence = spec.name, spec.ideology, spec.valence
        leader.ambition = True
        lines = s.faction_lines
        radii = np.array([f.spec.recruit_radius for f in s.factions])
        near = np.abs(lines - spec.ideology) <= radii
        leader.faction = int(np.argmin(np.abs(lines - spec.ideology))) if near.any() else -1
        s.leader = leader

    def _schedule_events(self) -> None:
        # Each event carries its slot in the month, so the order of scheduling
        # here changes nothing but the random draws some schedules make.
        for institution in self.institutions.values():
            institution.schedule()
        self.schedule_recurring(
            self._collect,
            Schedule(interval=1, start=1),
            DATA_COLLECTION,  # type: ignore[arg-type]
        )

    # --- the month -----------------------------------------------------------

    def stages(self) -> list[Stage]:
        """Every institution's stages: the monthly ones, then the events, each by rank."""
        every = [stage for i in self.institutions.values() for stage in i.stages()]
        monthly = sorted((st for st in every if st.monthly), key=lambda st: st.rank)
        events = sorted((st for st in every if not st.monthly), key=lambda st: st.rank)
        return monthly + events

    def step(self) -> None:
        """One month of the monthly stages, in rank order."""
        for stage in self.stages():
            if stage.run is not None:
                with self.state.timed(stage.name):
                    stage.run()

    def plan(self) -> str:
        """A printable plan of what runs in a month, in order (generated from the stages)."""
        lines = ["each month:", "  1. the step (every month):"]
        stages = self.stages()
        for n, stage in enumerate((st for st in stages if st.monthly), start=1):
            lines.append(f"     1.{n} {stage.description}")
        lines.append("  2. events due this month:")
        for n, stage in enumerate((st for st in stages if not st.monthly), start=1):
            how = f"; decided by {stage.decided_by}" if stage.decided_by else ""
            lines.append(f"     2.{n} {stage.description} ({stage.when}{how})")
        lines.append("  3. data collection (the monthly series)")
        return "\n".join(lines)

    # --- the state, for users and the Mesa agent views ------------------------

    @property
    def members(self) -> MemberTable:
        """The member table (columnar)."""
        return self.state.members

    @property
    def clps(self) -> ClpTable:
        """The CLP table."""
        return self.state.clps

    @property
    def mps(self) -> list[MP]:
        """Every MP, sitting or not."""
        return self.state.mps

    @property
    def unions(self) -> list[Union]:
        """The affiliates."""
        return self.state.unions

    @property
    def factions(self) -> list[Faction]:
        """The factions."""
        return self.state.factions

    @property
    def leader(self) -> MP:
        """The leader."""
        return self.state.leader

    @property
    def rules(self) -> RuleSet:
        """The rules in force."""
        return self.state.rules

    @property
    def events(self) -> EventLog:
        """The event log."""
        return self.state.events

    @property
    def streams(self) -> dict[str, np.random.Generator]:
        """The random streams, one per process."""
        return self.state.streams

    @property
    def timings(self) -> dict[str, float]:
        """Seconds spent per stage."""
        return self.state.timings

    @property
    def start(self) -> Month:
        """The first simulated month."""
        return self.state.start

    @property
    def now(self) -> Month:
        """The month being simulated (the start month before the first step)."""
        return self.state.now

    def time_of(self, month: Month) -> int:
        """The model time at which `month` is simulated."""
        return self.state.time_of(month)

    @property
    def sitting_mps(self) -> list[MP]:
        """MPs who sit now."""
        return self.state.sitting_mps

    @property
    def contest(self) -> OpenContest | None:
        """The leadership contest between nominations and result, if any."""
        return self.state.contest

    def faction_name(self, index: int) -> str:
        """A faction's name, or "unaligned" for -1."""
        return self.state.faction_name(index)

    def member(self, member_id: int) -> Member:
        """The Mesa agent view of one member (created on first request)."""
        if member_id not in self._member_views:
            self.members.row(member_id)  # raises IndexError for a bad id
            self._member_views[member_id] = Member(self, member_id)
        return self._member_views[member_id]

    def open_contest(self, kind: str = "vacancy", **kwargs: Any) -> bool:
        """Open a leadership contest now (see `Leadership.open_contest`)."""
        leadership = self.institutions["leadership"]
        assert isinstance(leadership, Leadership)
        return leadership.open_contest(kind, **kwargs)

    # --- data collection -----------------------------------------------------

    def _measure(self) -> dict[str, Any]:
        # The scale travels with the series so that member counts can be read at
        # full size wherever the series goes (`model.records.series.at_full_size`).
        row: dict[str, Any] = {
            "month": int(self.time),
            "date": str(self.now),
            "scale": float(self.config.party.scale),
        }
        for institution in self.institutions.values():
            institution.measure(row)
        return row

    def _collect(self) -> None:
        with self.state.timed("data_collection"):
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
        real = at_full_size(s)["members_total"]
        out = {
            "months": len(s),
            "period": f"{first['date']} .. {last['date']}",
            "members (start -> end)": f"{real.iloc[0]:,.0f} -> {real.iloc[-1]:,.0f}"
            + (
                ""
                if self.config.party.scale == 1
                else f" (at full size; scale {self.config.party.scale:g})"
            ),
            "member median ideology": f"{first['ideology_median']:+.3f} -> {last['ideology_median']:+.3f}",
            "PLP median ideology": f"{first['plp_median']:+.3f} -> {last['plp_median']:+.3f}",
            "member-PLP gap": f"{first['member_plp_gap']:+.3f} -> {last['member_plp_gap']:+.3f}",
            "leader": f"{last['leader']} ({last['leader_ideology']:+.2f}), {self.leader.seat}",
        }
        for f in self.factions:
            key = f"clps_{slug(f.name)}"
            out[f"CLPs controlled by {f.name}"] = f"{first[key]} -> {last[key]}"
        for rec in self.events.of_type(LeadershipContest):
            if rec.winner is None:
                text = rec.outcome
            else:
                text = f"{rec.winner} ({rec.outcome}, {rec.electorate_rule}, {rec.rules})"
            out[f"leadership {rec.kind} {rec.month}"] = text
        for ge in self.events.of_type(GeneralElection):
            change = []
            for sign, names in (("+", ge.gained_seats or []), ("-", ge.lost_seats or [])):
                if names:
                    change.append(f"{sign}{len(names)}: {_first(names)}")
            text = f"{ge.seats} of {ge.total_seats} seats ({ge.seat_source or ge.mode})"
            out[f"general election {ge.month}"] = text + (
                f"; {'; '.join(change)}" if change else ""
            )
        lost = [
            f"{t.mp} ({t.month})" if t.mp.startswith(MP_PREFIX) else f"{t.mp}, {t.seat} ({t.month})"
            for t in self.events.of_type(TriggerBallot)
            if t.deselected
        ]
        if lost:
            out["MPs deselected"] = _first(lost, 4)
        out["events recorded"] = ", ".join(
            f"{kind}: {n}" for kind, n in sorted(self.events.counts().items())
        )
        return out


__all__ = ["PartyModel", "NO_FACTION"]
