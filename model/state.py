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
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from model.agents.clps import UNALIGNED, ClpTable
from model.agents.factions import Faction
from model.agents.members import MemberTable
from model.agents.mps import MP, seat_mp_name
from model.agents.unions import Union
from model.calendar import Month
from model.data.seats import find_seat
from model.mechanisms import dynamics, meetings
from model.mechanisms.sympathisers import (
    defeat_discredit,
    defeat_severity,
    electability_weight,
)
from model.records.events import RuleChange
from model.records.log import EventLog
from model.rules.schema import RuleSet
from model.scenario.schema import Scenario
from model.scenario.seats import GB_SEATS

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
    "nec": 11,
    "deputy": 12,
    "union_decisions": 13,
    "local_appeal": 14,
    "nominating_meetings": 15,
}


@dataclass(frozen=True)
class EventSlot:
    """Where an event falls within its month.

    Mesa runs the events of one time in order of `priority.value`, then of
    creation; a recurring event is re-created each time it fires, so leaving
    the order to creation made the same month run AGMs before an election in
    one year and after it the next. Every event therefore gets an explicit
    slot: its institution's rank, then a sub-rank within the institution
    (e.g. a union's index). Mesa's step (HIGH = 1) still runs first.
    """

    rank: int
    sub: int = 0

    @property
    def value(self) -> int:
        """The priority Mesa sorts by (rank first, then sub-rank)."""
        return self.rank * 1000 + self.sub


DATA_COLLECTION = EventSlot(1000)
"""After every event of the month."""


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
        deputy: the deputy leader (an MP), if any.
        mep_ideology: positions of the MEPs (a number and positions only).
        contest: the leadership contest between nominations and result, if any.
        deputy_contest: the deputy-leadership contest between nominations and
            result, if any.
        polls: the monthly national poll so far.
        election_times: model times of the general elections scheduled.
        leader_since: model time the leader took office.
        defeats: (model time, severity, leader's position) of every general
            election remembered.
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
        # This month's own shares of the CLPs' real members (clp_own_share),
        # estimated once: by organising after its recruitment, and read by
        # the AGMs later in the month (nothing between changes the members).
        self._own_share: tuple[int, np.ndarray] | None = None
        self._activism_means: tuple[int, np.ndarray, np.ndarray] | None = None
        self.tally: dict[str, int] = defaultdict(int)
        self.members: MemberTable
        self.clps: ClpTable
        self.mps: list[MP] = []
        self.unions: list[Union] = []
        self.factions: list[Faction] = []
        self.leader: MP
        self.deputy: MP | None = None
        self.mep_ideology = np.zeros(0)
        self.contest: Any = None
        self.deputy_contest: Any = None
        self.polls: list[float] = []
        self.round_times: list[int] = []
        self.election_times: list[int] = []
        since = config.leader.since
        self.leader_since = -(10**6) if since is None else self.time_of(Month.parse(since))
        majority = (
            config.elections.majority_seats or config.elections.historical_total_seats // 2 + 1
        )
        self.defeats: list[tuple[int, float, float | None]] = [
            (
                self.time_of(Month.parse(e.month)),
                defeat_severity(e.seats, majority),
                e.leader_ideology,
            )
            for e in config.elections.previous
        ]

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

    def schedule(self, callback: Callable[[], None], *, at: int, rank: int, sub: int = 0) -> None:
        """Run `callback` at model time `at`, in its slot of the month.

        Args:
            callback: a bound method (Mesa holds callbacks weakly).
            at: the model time (month).
            rank: the institution's rank in the month (see `PartyModel.plan`).
            sub: the order among the institution's own events in one month.
        """
        self._model.schedule_event(callback, at=at, priority=EventSlot(rank, sub))  # type: ignore[arg-type]

    def schedule_every(
        self, callback: Callable[[], None], *, interval: int, start: int, rank: int, sub: int = 0
    ) -> None:
        """Run `callback` every `interval` months from model time `start`, in its slot."""
        from mesa.time import Schedule

        self._model.schedule_recurring(
            callback,
            Schedule(interval=interval, start=start),
            priority=EventSlot(rank, sub),  # type: ignore[arg-type]
        )

    def change_rules(self, after: RuleSet, *, decided_by: str, proposals: list[str]) -> None:
        """Put `after` in force and record the RuleChange (a card vote's, or the NEC's)."""
        before, self.rules = self.rules, after
        self.events.record(
            RuleChange,
            self.now,
            decided_by=decided_by,
            proposals=proposals,
            changes=before.rule_changes_to(after),
            rules_before=before.label(),
            rules_after=after.label(),
        )

    @contextmanager
    def timed(self, stage: str) -> Iterator[None]:
        """Add the time spent in the block to `timings[stage]`."""
        started = _time.perf_counter()
        try:
            yield
        finally:
            self.timings[stage] += _time.perf_counter() - started

    def record_election(self, seats: int, majority_seats: int) -> None:
        """Remember this month's general election and whose line fought it.

        Members weigh electability more after defeats, and hold a defeat
        against the line of the leader who led the party into it.
        """
        self.defeats.append(
            (self.time, defeat_severity(seats, majority_seats), float(self.leader.ideology))
        )

    def electability_weight(self) -> float:
        """Members' weight on candidates' valence this month.

        It rises with the party's distance from power: each defeat adds its
        severity, fading over `electability_memory_months`, so a second and
        a fourth defeat in a row weigh more than a first.
        """
        params = self.config.contests
        return electability_weight(
            params.valence_weight,
            params.electability_after_defeat,
            [(self.time - at, severity) for at, severity, _ in self.defeats],
            params.electability_memory_months,
        )

    def defeat_discredit(self, position: float) -> float:
        """How far the defeats remembered discredit a candidate at `position` (≥ 0).

        A defeat counts against the line of the leader who lost it, fading
        over `electability_memory_months` (`sympathisers.defeat_discredit`).
        """
        params = self.config.contests
        return defeat_discredit(
            position,
            [(self.time - at, severity, line) for at, severity, line in self.defeats],
            params.electability_memory_months,
            params.defeat_blame_width,
        )

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

    @property
    def meeting_scale(self) -> float:
        """Simulated members per real member of a CLP: meetings are drawn at real size with it."""
        return 1.0 / self.clps.represents

    def expected_meetings(self) -> dynamics.ExpectedMeeting:
        """What organisers expect at each CLP's next meeting, from its simulated full members."""
        m = self.members
        return dynamics.expected_attendance(
            m.activism,
            m.ideology,
            m.clp,
            m.faction,
            m.full_member_ids(),
            n_clps=len(self.clps),
            faction_lines=self.faction_lines,
            affinity=self.config.meetings.unaligned_affinity,
            member_clps=m.full_member_clps(),
            member_ideology=m.full_member_ideology(),
            # The sampling noise matters only below full scale (clp_own_share).
            spread=self.meeting_scale < 1.0,
        )

    def clp_own_share(self, expected: dynamics.ExpectedMeeting | None = None) -> np.ndarray:
        """Per CLP: the share of its real members its simulated members stand for.

        1 at full scale; below it, `meetings.own_share` of the reliability of
        the CLP's expected slate votes: from `expected` (organising passes the
        month's, after its recruitment), else this month's estimate if one
        has been made, else the members' now. The members do not change
        between the month's organising and its AGMs (`PartyModel.plan()`), so
        the AGMs read the estimate organising made instead of repeating it.
        """
        scale = self.meeting_scale
        if scale >= 1.0:
            return np.ones(len(self.clps))
        if expected is None:
            if self._own_share is not None and self._own_share[0] == self.time:
                return self._own_share[1]
            expected = self.expected_meetings()
        assert expected.slates_noise is not None
        reliability = meetings.composition_reliability(expected.slates, expected.slates_noise)
        own = meetings.own_share(reliability, scale)
        self._own_share = (self.time, own)
        return own

    def typical_attendance(
        self, ids: np.ndarray, targeted: np.ndarray, mobilisation: np.ndarray
    ) -> np.ndarray | None:
        """Below full scale, the chance of attending of the other real members each of
        these simulated members stands for (`meetings.typical_chance`: its faction's
        and cohort's mean activism across the party); None at full scale."""
        if self.meeting_scale >= 1.0:
            return None
        m = self.members
        full = m.full_member_ids()
        # The groups' means gather every full member: kept for the month while
        # the full members are the same rows (`full_member_ids` is remade when
        # anyone joins, lapses or converts; factions recruit before meetings).
        kept = self._activism_means
        if kept is not None and kept[0] == self.time and kept[1] is full:
            mean = kept[2]
        else:
            mean = meetings.group_activism(
                m.activism[full],
                meetings.activism_group(m.faction[full], m.joined[full]),
                len(self.factions),
            )
            self._activism_means = (self.time, full, mean)
        return meetings.typical_chance(
            meetings.activism_group(m.faction[ids], m.joined[ids]),
            mean,
            m.faction[ids],
            m.clp[ids],
            targeted,
            mobilisation,
        )

    @property
    def clp_share(self) -> float:
        """The share of the real party's CLPs (632 seats in Great Britain) simulated."""
        return len(self.clps) / GB_SEATS

    def clp_members(self) -> tuple[np.ndarray, np.ndarray]:
        """Active full members sorted by CLP, and each CLP's slice bounds."""
        return self.members.ids_by_clp(len(self.clps))

    def new_mp(self, **attributes: Any) -> MP:
        """A new MP agent (not yet in `mps`); see `MP` for the attributes."""
        return MP(self._model, **attributes)

    # --- seats --------------------------------------------------------------------------

    def seat_name(self, clp: int) -> str:
        """The name of a CLP's seat ("Liverpool, Wavertree")."""
        return self.clps.label(clp)

    def mp_name(self, clp: int, nth: int = 1) -> str:
        """The name of the `nth` MP of a CLP's seat in this run ("MP for Liverpool, Wavertree")."""
        return seat_mp_name(self.seat_name(clp), nth)

    def mp_for_seat(self, seat: str | None) -> MP | None:
        """The MP sitting for a seat given by name or ONS code, if it is simulated and held.

        Raises:
            ValueError: no such seat in Great Britain (`model.data.seats.find_seat`).
        """
        if seat is None:
            return None
        row = find_seat(seat)
        clps = np.flatnonzero(self.clps.seat == row)
        return self.mp_in_seat(int(clps[0])) if clps.size else None

    def mp_in_seat(self, clp: int) -> MP | None:
        """The MP sitting for a CLP's seat, if any."""
        for mp in self.mps:
            if mp.sitting and mp.clp == clp:
                return mp
        return None
