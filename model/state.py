"""PartyState: what the institutions read and change, and nothing of Mesa's machinery.

The Mesa model (`model.party.PartyModel`) builds one PartyState and hands it
to every institution. An institution sees the party through it — the member
table, CLPs, MPs, unions, factions, the leader, the rules in force, the
clock, the random streams and the event log — and asks it to schedule its
events. It never sees the PartyModel, so an institution can be read, tested
and replaced on its own.
"""

from __future__ import annotations

import time as _time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import numpy as np

from model.agents.clps import UNALIGNED, ClpTable
from model.agents.factions import Faction
from model.agents.members import MemberTable
from model.agents.mps import MP
from model.agents.unions import Union
from model.calendar import Month
from model.records.log import EventLog
from model.rules.schema import RuleSet
from model.scenario.schema import Scenario

if TYPE_CHECKING:
    import mesa

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
    "polls": 10,
}


def random_streams(seed: int) -> dict[str, np.random.Generator]:
    """One independent generator per process, all derived from the run's seed."""
    return {
        name: np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(key,)))
        for name, key in STREAMS.items()
    }


class PartyState:
    """The party's state, shared by the institutions.

    Attributes:
        config: the validated scenario.
        seed: the run's root seed.
        streams: one random generator per process (see STREAMS).
        start: the first simulated month.
        rules: the RuleSet in force (conference can change it).
        events: the event log.
        members: the member table (columnar).
        clps: the CLP table.
        mps: every MP agent, sitting or not, in order of creation.
        unions, factions: the affiliates and the factions (Mesa agents).
        leader: the leader (an MP).
        mep_ideology: positions of the MEPs (a number and positions only).
        contest: the leadership contest between nominations and result, if any.
        polls: the monthly national poll so far.
        round_times: model times of the trigger-ballot rounds scheduled.
        tally: running totals for the series (deselections, retirements...).
        timings: seconds spent per stage, for benchmarks.
    """

    def __init__(self, model: mesa.Model, config: Scenario, seed: int, rules: RuleSet):
        """Start an empty state; `PartyModel` builds the party into it.

        Args:
            model: the Mesa model: its clock, its scheduler and the owner of
                the agents (institutions reach it only through this class).
            config: the scenario.
            seed: the root seed.
            rules: the rules in force at the start.
        """
        self._model = model
        self.config = config
        self.seed = seed
        self.streams = random_streams(seed)
        self.start = config.start
        self.rules = rules
        self.events = EventLog()
        self.timings: dict[str, float] = defaultdict(float)
        self.tally: dict[str, int] = defaultdict(int)
        self.members: MemberTable
        self.clps: ClpTable
        self.mps: list[MP] = []
        self.unions: list[Union] = []
        self.factions: list[Faction] = []
        self.leader: MP
        self.mep_ideology = np.zeros(0)
        self.contest: Any = None
        self.polls: list[float] = []
        self.round_times: list[int] = []

    # --- the clock ------------------------------------------------------------------

    @property
    def time(self) -> int:
        """The model time: month 1 is the start month (0 before the first step)."""
        return int(self._model.time)

    @property
    def now(self) -> Month:
        """The month being simulated (the start month before the first step)."""
        return self.start.plus(max(self.time - 1, 0))

    def time_of(self, month: Month) -> int:
        """The model time at which `month` is simulated."""
        return self.start.months_until(month) + 1

    def schedule(self, callback: Callable[[], None], *, at: int) -> None:
        """Run `callback` (a bound method: Mesa holds it weakly) at model time `at`."""
        self._model.schedule_event(callback, at=at)

    def schedule_every(self, callback: Callable[[], None], *, interval: int, start: int) -> None:
        """Run `callback` every `interval` months from model time `start`."""
        from mesa.time import Schedule

        self._model.schedule_recurring(callback, Schedule(interval=interval, start=start))

    @contextmanager
    def timed(self, stage: str) -> Iterator[None]:
        """Add the time spent in the block to `timings[stage]`."""
        started = _time.perf_counter()
        try:
            yield
        finally:
            self.timings[stage] += _time.perf_counter() - started

    # --- who is who -------------------------------------------------------------------

    @property
    def sitting_mps(self) -> list[MP]:
        """MPs who sit now."""
        return [mp for mp in self.mps if mp.sitting]

    @property
    def faction_lines(self) -> np.ndarray:
        """Each faction's line, in faction order."""
        return np.array([f.line for f in self.factions], dtype=float)

    def faction_name(self, index: int) -> str:
        """A faction's name, or "unaligned" for -1."""
        return "unaligned" if index == UNALIGNED else self.factions[index].name

    @property
    def targeted(self) -> np.ndarray:
        """(n_factions, n_clps): where each faction mobilises this month."""
        if not self.factions:
            return np.zeros((0, len(self.clps)), dtype=bool)
        return np.stack([f.targets for f in self.factions])

    def clp_members(self) -> tuple[np.ndarray, np.ndarray]:
        """Active full members sorted by CLP, and each CLP's slice bounds."""
        return self.members.ids_by_clp(len(self.clps))

    def new_mp(self, **attributes: Any) -> MP:
        """A new MP agent (not yet in `mps`); see `MP` for the attributes."""
        return MP(self._model, **attributes)
