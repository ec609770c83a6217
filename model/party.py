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

import time as _time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import mesa
import numpy as np
import pandas as pd
from mesa.time import Priority, Schedule

from model.agents import population
from model.agents.clps import CLP, UNALIGNED, ClpTable
from model.agents.factions import Faction
from model.agents.members import (
    AFFILIATED_SUPPORTER,
    FULL_MEMBER,
    NO_FACTION,
    NO_UNION,
    REGISTERED_SUPPORTER,
    Member,
    MemberTable,
)
from model.agents.mps import MP
from model.agents.unions import Union
from model.calendar import Month
from model.mechanisms import (
    conference,
    contests,
    dynamics,
    elections,
    meetings,
    reselection,
    union_politics,
)
from model.records.events import (
    Agm,
    ChallengeLaunched,
    ConferenceVote,
    GeneralElection,
    LeaderResigns,
    LeadershipContest,
    Retirement,
    RuleChange,
    Selection,
    TriggerBallot,
    UnionGsElection,
)
from model.records.log import EventLog
from model.records.series import slug
from model.rules.schema import RuleSet, resolve_rules, trigger_ballot_outcome
from model.scenario.schema import Scenario, ScheduledContest, load_scenario

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

STAGES = ("influence", "joining_lapsing", "organising", "agm", "data_collection")


class _UnionCycle:
    """Holds one union's recurring general-secretary election for Mesa's scheduler.

    Mesa keeps scheduled callbacks only weakly, so each union's callback is
    a bound method of an object the model keeps.
    """

    def __init__(self, model: PartyModel, index: int):
        self.model = model
        self.index = index

    def run(self) -> None:
        self.model.general_secretary_election(self.index)


@dataclass
class OpenContest:
    """A leadership contest between nominations and the result."""

    kind: str
    opened: int
    rules: RuleSet  # the rules when it opened: a change at conference waits for the next contest
    nominations: contests.Nominations
    on_ballot: list[contests.Candidate]
    union_nominee: np.ndarray
    pull: float


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
        # MEPs exist only as a number in the scenario; their positions are
        # drawn from the PLP's distribution on a stream of their own so the
        # set-up draws above stay as they were.
        self.mep_ideology = population.draw_mixture(
            scenario.plp.ideology, scenario.party.meps, self.streams["contests"]
        )
        self.contest: OpenContest | None = None
        self._scheduled_contests: dict[int, ScheduledContest] = {}
        self.round_times: list[int] = []
        self.tally = defaultdict(int)  # running totals for the series
        self.polls: list[float] = []
        self.last_election: elections.GeneralElectionResult | None = None
        self._last_challenge = -(10**9)
        self._union_cycles: list[_UnionCycle] = []

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
        for contest in self.config.contests.scheduled:
            at = self.time_of(Month.parse(contest.month))
            self._scheduled_contests[at] = contest
            self.schedule_event(self._open_scheduled_contest, at=at)
        config = self.config
        end = config.calendar.months
        self.election_times = [
            self.time_of(month)
            for month in elections.election_schedule(self.start, end, config.elections)
        ]
        for at in self.election_times:
            self.schedule_event(self._general_election, at=at)
            before = config.reselection.before_each_election
            if before is not None:
                self.schedule_trigger_round(max(at - before, 1))
        for month in config.reselection.rounds:
            self.schedule_trigger_round(self.time_of(Month.parse(month)))
        first_conference = (config.conference.month - self.start.month) % 12 + 1
        self.schedule_recurring(self._conference, Schedule(interval=12, start=first_conference))
        if config.union_politics.enabled and self.unions:
            offsets = union_politics.staggered_schedule(
                len(self.unions), [u.gs_cycle_months for u in self.unions], self.streams["unions"]
            )
            for union, offset in zip(self.unions, offsets, strict=True):
                cycle = _UnionCycle(self, union.index)
                self._union_cycles.append(cycle)
                self.schedule_recurring(
                    cycle.run, Schedule(interval=union.gs_cycle_months, start=offset + 1)
                )
        self.schedule_recurring(self._retirements, Schedule(interval=12, start=12))
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
        with self._timed("mp_focus"):
            self._focus_minds()
        with self._timed("polling"):
            self._poll()

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
        dynamics.influence(
            m.ideology,
            m.clp,
            m.faction,
            m.trusts_leader,
            m.active,
            faction_lines=self.faction_lines,
            leader_ideology=self.leader.ideology,
            params=self.config.influence,
            rng=self.streams["influence"],
            out=m.ideology,
        )

    def join_context(self) -> dynamics.JoinContext:
        """What shapes joining this month: the leader, and an open contest's surge."""
        return dynamics.JoinContext(
            leader_ideology=self.leader.ideology,
            contest_open=self.contest is not None,
            contest_pull=None if self.contest is None else self.contest.pull,
            scale=self.config.party.scale,
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

    # --- leadership contests -------------------------------------------------

    def _open_scheduled_contest(self) -> None:
        spec = self._scheduled_contests.pop(int(self.time))
        self.open_contest(spec.kind, named=spec.candidates)

    def open_contest(
        self,
        kind: str = "vacancy",
        *,
        named: list | None = None,
        challenger: MP | None = None,
    ) -> bool:
        """Open a leadership contest now: the field declares and nominations close.

        Args:
            kind: "vacancy" (the leader has gone) or "challenge" (the leader
                is challenged and, where the rules say so, on the ballot
                automatically).
            named: CandidateSpecs for a historical contest; sitting MPs take
                these names and positions. Empty: declarers are drawn.
            challenger: in a challenge, the MP who challenges (default: the
                ambitious MP furthest from the leader).

        Returns:
            True if a ballot was called (it closes `duration_months` later).
        """
        if self.contest is not None:
            return False
        with self._timed("leadership_contest"):
            return self._nominate(kind, named or [], challenger)

    def _nominate(self, kind: str, named: list, challenger: MP | None) -> bool:
        rng = self.streams["contests"]
        params = self.config.contests
        rules = self.rules.leadership
        challenge = kind == "challenge"
        sitting = self.sitting_mps
        index_of = {id(mp): i for i, mp in enumerate(sitting)}
        ideology = np.array([mp.ideology for mp in sitting])

        chosen: list[MP] = [self._mp_named(spec, sitting, exclude=set()) for spec in named]
        if challenge:
            chosen = [mp for mp in chosen if mp is not self.leader]
            if not chosen:
                chosen = [challenger or self._likely_challenger(sitting)]
            chosen = [self.leader, *chosen]
        elif not chosen:
            low, high = params.candidates
            ambitious = np.array([mp.ambition and mp is not self.leader for mp in sitting])
            picks = contests.declare_candidates(
                ideology,
                ambitious,
                count=int(rng.integers(low, high + 1)),
                draw=params.candidate_draw,
                exclude={index_of[id(self.leader)]} if self.leader in sitting else set(),
                rng=rng,
            )
            chosen = [sitting[i] for i in picks]
        candidates = [
            contests.Candidate(
                name=mp.name,
                mp=self.mps.index(mp),
                ideology=mp.ideology,
                valence=mp.valence,
                faction=mp.faction,
                incumbent=challenge and mp is self.leader,
            )
            for mp in chosen
        ]
        n_meps = len(self.mep_ideology) if rules.count_meps else 0
        threshold = contests.plp_threshold(rules, len(sitting), n_meps, challenge=challenge)
        candidate_of = np.full(len(sitting) + n_meps, -1)
        for c, mp in enumerate(chosen):
            candidate_of[index_of[id(mp)]] = c
        nominators = np.concatenate([ideology, self.mep_ideology[:n_meps]])
        plp, _ = contests.mp_nominations(
            nominators,
            candidate_of,
            candidates,
            threshold=threshold,
            lend_share=params.lend_share,
            params=params,
            rng=rng,
        )
        record = contests.Nominations(candidates, threshold, plp.tolist())

        advancing = [
            i
            for i, c in enumerate(candidates)
            if plp[i] >= threshold or (c.incumbent and rules.incumbent_automatic)
        ]
        clp_counts = np.zeros(len(candidates), dtype=int)
        affiliate_names: list[list[str]] = [[] for _ in candidates]
        if advancing:
            field_ = [candidates[i] for i in advancing]
            nominee, _ = self._clp_nominating_meetings(field_, rules, rng)
            record.clps_nominating = int(np.count_nonzero(nominee >= 0) + 0)
            for j, i in enumerate(advancing):
                clp_counts[i] = int(np.count_nonzero(nominee == j))
            union_pick = contests.affiliate_nominations(
                np.array([u.leadership_ideology for u in self.unions]),
                field_,
                radius=params.union_nomination_radius,
            )
            for u, j in enumerate(union_pick):
                if j >= 0:
                    affiliate_names[advancing[j]].append(self.unions[u].name)
        record.clps = clp_counts.tolist()
        record.affiliates = affiliate_names
        record.qualified = contests.decide_qualification(
            rules,
            record,
            challenge=challenge,
            plp_size=len(sitting),
            n_meps=n_meps,
            total_clps=len(self.clps),
            affiliate_sizes={u.name: (u.is_union, u.levy_payers) for u in self.unions},
        )
        on_ballot = record.on_ballot
        if challenge and not any(not c.incumbent for c in on_ballot):
            self._record_contest(kind, record, outcome="challenge failed at nominations")
            return False
        if len(on_ballot) <= 1:
            if not on_ballot:
                # Nobody reached the threshold: the best-nominated candidate
                # is elected unopposed rather than leaving the party leaderless.
                on_ballot = [candidates[int(np.argmax(plp))]] if candidates else []
            if on_ballot:
                self._install_new_leader(self.mps[on_ballot[0].mp])
            self._record_contest(kind, record, outcome="elected unopposed", winner=on_ballot)
            return False

        pull = min(on_ballot, key=lambda c: abs(c.ideology - self.config.flows.pool.mean)).ideology
        self.contest = OpenContest(
            kind=kind,
            opened=int(self.time),
            rules=self.rules,
            nominations=record,
            on_ballot=on_ballot,
            union_nominee=self._union_nominees(on_ballot),
            pull=pull,
        )
        self.schedule_event(
            self._close_contest, at=self.time + self.config.contests.duration_months
        )
        return True

    def _mp_named(self, spec: Any, sitting: list[MP], exclude: set[int]) -> MP:
        for mp in sitting:
            if mp.name == spec.name:
                return mp
        # A historical candidate not yet in the PLP: the sitting MP nearest
        # their position (and not the leader) takes their name and place.
        free = [mp for mp in sitting if mp is not self.leader and mp.name.startswith("MP ")]
        mp = min(free, key=lambda m: abs(m.ideology - spec.ideology))
        mp.name, mp.ideology, mp.valence, mp.ambition = spec.name, spec.ideology, spec.valence, True
        return mp

    def _likely_challenger(self, sitting: list[MP]) -> MP:
        pool = [mp for mp in sitting if mp is not self.leader and mp.ambition] or [
            mp for mp in sitting if mp is not self.leader
        ]
        return max(pool, key=lambda mp: (abs(mp.ideology - self.leader.ideology), mp.valence))

    def _clp_nominating_meetings(
        self, field_: list[contests.Candidate], rules: Any, rng: np.random.Generator
    ) -> tuple[np.ndarray, list[int]]:
        m = self.members
        params = self.config.contests
        holding = np.flatnonzero(rng.random(len(self.clps)) < params.clp_nominating_share)
        meeting = np.zeros(len(self.clps), dtype=bool)
        meeting[holding] = True
        ids = m.full_member_ids()
        ids = ids[meeting[m.clp[ids]]]
        if rules.clp_nominations_decided_by == "members_ballot":
            chance = m.turnout[ids].astype(float)
        else:
            specs = [f.spec for f in self.factions]
            chance = meetings.attendance_chance(
                m.activism[ids],
                m.faction[ids],
                m.clp[ids],
                self.targeted,
                np.array([s.mobilisation for s in specs]),
            )
        voters = ids[rng.random(ids.size) < chance]
        voters = voters[np.argsort(m.clp[voters].astype(np.uint16), kind="stable")]
        rankings = contests.rank_candidates(
            contests.utilities(m.ideology[voters], field_, params=params, rng=rng),
            truncation=params.truncation,
            rng=rng,
        )
        bounds = (
            np.searchsorted(m.clp[voters], holding, side="left"),
            np.searchsorted(m.clp[voters], holding, side="right"),
        )
        per_clp = [rankings[a:b] for a, b in zip(*bounds, strict=True)]
        nominee, attendees = contests.clp_nominations(per_clp, field_, rng=rng)
        full = np.full(len(self.clps), -1)
        full[holding] = nominee
        return full, attendees

    def _union_nominees(self, on_ballot: list[contests.Candidate]) -> np.ndarray:
        return contests.affiliate_nominations(
            np.array([u.leadership_ideology for u in self.unions]),
            on_ballot,
            radius=self.config.contests.union_nomination_radius,
        )

    def _close_contest(self) -> None:
        """The ballot closes: sign-ups, electorate, votes, count, new leader."""
        with self._timed("leadership_contest"):
            contest = self.contest
            if contest is None:
                return
            rng = self.streams["contests"]
            rules = contest.rules.leadership
            supporters = self._sign_up_supporters(contest, rules, rng)
            roll, eligible_extra = self._voter_roll(contest, rules, rng)
            outcome = contests.count_contest(
                roll,
                contest.on_ballot,
                rules,
                params=self.config.contests,
                union_nominee=contest.union_nominee,
                rng=rng,
            )
            for kind, extra in eligible_extra.items():
                if kind in outcome.electorate:
                    entry = outcome.electorate[kind]
                    entry["eligible"] = extra
                    entry["turnout"] = round(entry["voted"] / extra, 6) if extra else 0.0
            winner = next(c for c in contest.on_ballot if c.name == outcome.result.winner)
            previous = self.leader.name
            self._install_new_leader(self.mps[winner.mp])
            self._end_supporters(supporters, rng)
            self.contest = None
            self._record_contest(
                contest.kind,
                contest.nominations,
                outcome="ballot",
                winner=[winner],
                opened=self.start.plus(contest.opened - 1),
                ballot=outcome,
                previous=previous,
                rules=contest.rules,
            )

    def _sign_up_supporters(
        self, contest: OpenContest, rules: Any, rng: np.random.Generator
    ) -> np.ndarray:
        params = self.config.contests
        flows = self.config.flows
        m = self.members
        scale = self.config.party.scale
        added = []
        if rules.registered_supporters:
            fee = max(float(rules.registered_supporter_fee_gbp or 0.0), 1.0)
            distance = abs(contest.pull - flows.pool.mean)
            attraction = np.exp(-((distance / flows.attraction_width) ** 2))
            mean = (
                params.registered_supporters
                * scale
                * attraction
                * (3.0 / fee) ** params.fee_elasticity
            )
            n = int(rng.poisson(mean))
            if n:
                clp = rng.choice(
                    len(self.clps), size=n, p=self._clp_weight / self._clp_weight.sum()
                )
                added.append(
                    m.append(
                        ideology=dynamics.joiner_ideologies(
                            n, flows.pool, contest.pull, flows.attraction_width, rng
                        ),
                        turnout=np.full(n, params.registered_supporter_turnout, dtype=np.float32),
                        clp=clp,
                        branch=self.clps.branch_start[clp]
                        + rng.integers(0, self.clps.n_branches[clp]),
                        kind=np.full(n, REGISTERED_SUPPORTER, dtype=np.int8),
                        joined=np.full(n, int(self.time), dtype=np.int32),
                    )
                )
        if rules.affiliated_supporters:
            for u, union in enumerate(self.unions):
                keen = 1.0 if contest.union_nominee[u] >= 0 else 0.5
                n = int(rng.binomial(union.levy_payers, params.affiliated_supporter_share * keen))
                if not n:
                    continue
                clp = rng.choice(
                    len(self.clps), size=n, p=self._clp_weight / self._clp_weight.sum()
                )
                added.append(
                    m.append(
                        ideology=population.draw_mixture([params.levy_payer_ideology], n, rng),
                        turnout=np.full(n, params.affiliated_supporter_turnout, dtype=np.float32),
                        clp=clp,
                        branch=self.clps.branch_start[clp]
                        + rng.integers(0, self.clps.n_branches[clp]),
                        kind=np.full(n, AFFILIATED_SUPPORTER, dtype=np.int8),
                        union=np.full(n, u, dtype=np.int16),
                        joined=np.full(n, int(self.time), dtype=np.int32),
                    )
                )
        return np.concatenate(added) if added else np.zeros(0, dtype=int)

    def _voter_roll(
        self, contest: OpenContest, rules: Any, rng: np.random.Generator
    ) -> tuple[contests.VoterRoll, dict[str, int]]:
        m = self.members
        params = self.config.contests
        # A freeze date excludes those who joined in the months before the
        # contest opened; without one, anyone who joins before the ballot
        # closes votes (the 2015 surge voted).
        frozen = contest.opened - rules.freeze_months if rules.freeze_months else int(self.time)
        full = m.active & (m.kind == FULL_MEMBER) & (m.joined <= frozen)
        ids = np.flatnonzero(full)
        mps = np.array([mp.ideology for mp in self.sitting_mps])
        parts = [
            contests.VoterRoll.of("members", m.ideology[ids], m.turnout[ids], union=m.union[ids])
        ]
        for kind, code in (
            ("registered_supporters", REGISTERED_SUPPORTER),
            ("affiliated_supporters", AFFILIATED_SUPPORTER),
        ):
            sup = np.flatnonzero(m.active & (m.kind == code))
            if sup.size:
                parts.append(
                    contests.VoterRoll.of(kind, m.ideology[sup], m.turnout[sup], union=m.union[sup])
                )
        extra: dict[str, int] = {}
        if rules.electorate == "omov":
            # MPs are members and vote as members.
            parts.append(contests.VoterRoll.of("members", mps, params.mp_turnout))
            return contests.VoterRoll.concat(parts), extra

        if "mps_meps" in rules.college_sections:
            parts.append(
                contests.VoterRoll.of(
                    "mps_meps", np.concatenate([mps, self.mep_ideology]), params.mp_turnout
                )
            )
        else:
            parts.append(contests.VoterRoll.of("members", mps, params.mp_turnout))
        if "affiliates" in rules.college_sections:
            # Levy payers who are not members are too many to hold as rows:
            # only those who return a ballot are drawn, and the electorate
            # size is recorded separately.
            eligible = 0
            for u, union in enumerate(self.unions):
                payers_in_party = int(np.count_nonzero(full & (m.union == u)))
                outside = max(union.levy_payers - payers_in_party, 0)
                eligible += outside
                n = int(rng.binomial(outside, union.ballot_turnout))
                parts.append(
                    contests.VoterRoll.of(
                        "affiliates",
                        population.draw_mixture([params.levy_payer_ideology], n, rng),
                        1.0,
                        union=np.full(n, u),
                    )
                )
                if rules.multiple_voting and payers_in_party:
                    # Members who pay a levy vote again in the affiliates' section.
                    both = np.flatnonzero(full & (m.union == u))
                    eligible += both.size
                    parts.append(
                        contests.VoterRoll.of(
                            "affiliates",
                            m.ideology[both],
                            union.ballot_turnout,
                            union=m.union[both],
                        )
                    )
            extra["affiliates"] = eligible
        return contests.VoterRoll.concat(parts), extra

    def _end_supporters(self, supporters: np.ndarray, rng: np.random.Generator) -> None:
        # Supporters' rights end with the contest; some join as full members.
        if supporters.size == 0:
            return
        m = self.members
        joins = rng.random(supporters.size) < self.config.contests.supporter_conversion
        converted = supporters[joins]
        m.kind[converted] = FULL_MEMBER
        m.joined[converted] = int(self.time)
        m.activism[converted] = population.draw_beta(
            self.config.members.activism, converted.size, rng
        )
        m.lapse(supporters[~joins], int(self.time))

    def _install_new_leader(self, mp: MP) -> None:
        self.leader = mp
        mp.ambition = True
        # Trust follows closeness to the new leader: members near them take
        # the cue, members far from them stop taking it.
        m = self.members
        rng = self.streams["contests"]
        share = self.config.members.trusts_leader
        p = np.clip(share * (1.5 - np.abs(m.ideology - mp.ideology)), 0.0, 1.0)
        m.trusts_leader[:] = rng.random(len(m)) < p

    def _record_contest(
        self,
        kind: str,
        nominations: contests.Nominations,
        *,
        outcome: str,
        winner: list | None = None,
        opened: Month | None = None,
        ballot: contests.BallotOutcome | None = None,
        previous: str | None = None,
        rules: RuleSet | None = None,
    ) -> None:
        rules = rules or self.rules
        fields: dict[str, Any] = {
            "kind": kind,
            "opened": str(opened or self.now),
            "outcome": outcome,
            "rules": rules.name,
            "rules_label": rules.label(),
            "electorate_rule": rules.leadership.electorate,
            "nominations": nominations.to_dict(),
            "on_ballot": [c.name for c in nominations.on_ballot],
            "previous_leader": previous or self.leader.name,
            "winner": winner[0].name if winner else None,
            "winner_faction": self.faction_name(winner[0].faction) if winner else None,
            "winner_ideology": round(winner[0].ideology, 6) if winner else None,
        }
        if ballot is not None:
            fields.update(
                electorate=ballot.electorate,
                first_round_by_type=ballot.first_round_by_type,
                count=ballot.result.to_dict(),
                ballots=contests.profile_to_dict(ballot.profile),
            )
        self.events.record(
            LeadershipContest,
            self.now,
            decided_by="ballot" if ballot is not None else "rule",
            **fields,
        )

    # --- reselection -----------------------------------------------------------

    def schedule_trigger_round(self, at: int) -> None:
        """Hold a trigger-ballot round for every sitting MP at model time `at`."""
        if at < max(int(self.time), 1) or at in self.round_times:
            return
        self.round_times.append(at)
        self.round_times.sort()
        self.schedule_event(self._trigger_round, at=at)

    def _clp_members(self) -> tuple[np.ndarray, np.ndarray]:
        """Active full members sorted by CLP, and each CLP's slice bounds."""
        return self.members.ids_by_clp(len(self.clps))

    def _faction_arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        specs = [f.spec for f in self.factions]
        return (
            self.faction_lines,
            np.array([s.recruit_radius for s in specs]),
            np.array([s.slate_discipline for s in specs]),
            np.array([s.mobilisation for s in specs]),
        )

    def _trigger_round(self) -> None:
        """A trigger-ballot round: every sitting MP's CLP decides."""
        with self._timed("trigger_ballots"):
            ids, bounds = self._clp_members()
            for mp in list(self.sitting_mps):
                members_here = ids[bounds[mp.clp] : bounds[mp.clp + 1]]
                self._trigger_ballot(mp, members_here)

    def _trigger_ballot(self, mp: MP, members_here: np.ndarray) -> None:
        rules = self.rules.reselection
        params = self.config.reselection
        rng = self.streams["reselection"]
        m = self.members
        lines, radii, discipline, mobilisation = self._faction_arrays()
        clp = mp.clp

        def wants(who: np.ndarray) -> np.ndarray:
            return reselection.wants_selection(
                m.ideology[who],
                m.faction[who],
                mp_ideology=mp.ideology,
                mp_faction=mp.faction,
                faction_lines=lines,
                faction_radii=radii,
                discipline=discipline,
                params=params,
                rng=rng,
            )

        fields: dict[str, Any] = {"mp": mp.name, "clp": clp, "mp_ideology": round(mp.ideology, 6)}
        fields["mp_faction"] = self.faction_name(mp.faction)
        fields["rule"] = rules.method
        decided_by = "meeting"
        if rules.method == "open_selection":
            outcome = trigger_ballot_outcome(
                rules,
                branches_for_selection=0,
                branches_total=0,
                affiliates_for_selection=0,
                affiliates_total=0,
            )
            decided_by = "rule"
        elif rules.method == "members_supermajority":
            keep, against = reselection.member_support(
                wants(members_here), m.turnout[members_here].astype(float), rng
            )
            share = keep / (keep + against) if keep + against else 1.0
            fields["members_ballot"] = {"keep": keep, "against": against}
            outcome = trigger_ballot_outcome(
                rules,
                branches_for_selection=0,
                branches_total=0,
                affiliates_for_selection=0,
                affiliates_total=0,
                member_support_share=share,
            )
            decided_by = "ballot"
        else:
            chance = meetings.attendance_chance(
                m.activism[members_here],
                m.faction[members_here],
                m.clp[members_here],
                self.targeted,
                mobilisation,
            )
            came = members_here[rng.random(members_here.size) < chance]
            tally = reselection.branch_votes(
                wants(came),
                m.branch[came] - self.clps.branch_start[clp],
                int(self.clps.n_branches[clp]),
            )
            aff_for, aff_total, stance = reselection.affiliate_votes(
                self.clps.affiliated_branches[clp],
                np.array([u.leadership_ideology for u in self.unions]),
                mp_ideology=mp.ideology,
                tolerance=params.union_tolerance,
            )
            fields["branches"] = tally.to_dict()
            fields["affiliates"] = {
                "for_selection": aff_for,
                "total": aff_total,
                "by_union": {self.unions[u].name: w for u, w in stance.items()},
            }
            outcome = trigger_ballot_outcome(
                rules,
                branches_for_selection=tally.branches_for,
                branches_total=tally.branches_voting,
                affiliates_for_selection=aff_for,
                affiliates_total=aff_total,
            )
        fields["outcome"] = outcome.to_dict()
        result = "reselected automatically"
        if outcome.full_selection:
            self.tally["trigger_ballots_lost"] += 1
            sitting = contests.Candidate(
                name=mp.name,
                mp=self.mps.index(mp),
                ideology=mp.ideology,
                valence=mp.valence + params.incumbency_bonus,
                faction=mp.faction,
                incumbent=True,
            )
            winner, count, field_ = self._selection(clp, members_here, [sitting], mp.faction)
            fields["selection"] = {
                "candidates": [c.to_dict() for c in field_],
                "count": None if count is None else count.to_dict(),
            }
            if winner is None or winner.name == mp.name:
                result = "reselected unopposed" if count is None else "reselected in full selection"
            else:
                result = "deselected"
                self.tally["deselections"] += 1
                self._replace_mp(mp, winner)
        fields["result"] = result
        self.events.record(TriggerBallot, self.now, decided_by=decided_by, **fields)

    def _selection(
        self,
        clp: int,
        members_here: np.ndarray,
        standing: list[contests.Candidate],
        exclude_faction: int,
    ) -> tuple[contests.Candidate | None, Any, list[contests.Candidate]]:
        """A members' ballot in a CLP among those standing and the factions' hopefuls."""
        m = self.members
        rng = self.streams["reselection"]
        field_ = standing + reselection.field_challengers(
            m.faction[members_here],
            m.ideology[members_here],
            control=int(self.clps.control[clp]),
            exclude_faction=exclude_faction,
            faction_lines=self.faction_lines,
            faction_names=[f.name for f in self.factions],
            params=self.config.reselection,
            rng=rng,
            label=f"CLP {clp:03d}",
        )
        if len(field_) == 1:
            return field_[0], None, field_
        if not field_:
            return None, None, field_
        count = reselection.selection_ballot(
            m.ideology[members_here],
            m.turnout[members_here].astype(float),
            field_,
            params=self.config.contests,
            rng=rng,
        )
        if count is None:
            return field_[0], None, field_
        return next(c for c in field_ if c.name == count.winner), count, field_

    def _replace_mp(self, old: MP | None, winner: contests.Candidate, clp: int | None = None) -> MP:
        """A newly selected candidate takes the seat (the old MP, if any, leaves)."""
        rng = self.streams["reselection"]
        plp = self.config.plp
        clp = old.clp if old is not None else int(clp)
        if old is not None:
            old.sitting = False
        self.tally[f"mp_seat_{clp}"] += 1
        new = MP(
            self,
            name=f"MP {clp:03d}/{self.tally[f'mp_seat_{clp}'] + 1}",
            ideology=winner.ideology,
            clp=clp,
            faction=winner.faction,
            ambition=bool(rng.random() < plp.ambition),
            valence=winner.valence,
            responsiveness=float(np.clip(rng.normal(plp.responsiveness, 0.1), 0.0, 1.0)),
        )
        self.mps.append(new)
        if old is not None and old is self.leader:
            # A leader who loses the seat loses the leadership; they stay on
            # as caretaker until the contest for the vacancy is decided.
            self.events.record(LeaderResigns, self.now, leader=old.name, reason="deselected")
            self.open_contest("vacancy")
        return new

    def open_seat_selection(
        self, clp: int, reason: str, by_clp: tuple[np.ndarray, np.ndarray] | None = None
    ) -> MP | None:
        """Select a candidate for a seat without a sitting MP; they take the seat.

        Args:
            clp: the seat's CLP.
            reason: why the seat is open ("retirement", "seat gained", ...).
            by_clp: members sorted by CLP with bounds (from `_clp_members`),
                when the caller selects in many CLPs at once.

        Returns:
            The new MP, or None if nobody stood.
        """
        ids, bounds = by_clp if by_clp is not None else self._clp_members()
        members_here = ids[bounds[clp] : bounds[clp + 1]]
        winner, count, field_ = self._selection(clp, members_here, [], -1)
        new = None if winner is None else self._replace_mp(None, winner, clp=clp)
        self.events.record(
            Selection,
            self.now,
            decided_by="ballot",
            clp=clp,
            reason=reason,
            candidates=[c.to_dict() for c in field_],
            count=None if count is None else count.to_dict(),
            winner=None if new is None else new.name,
            winner_faction=None if new is None else self.faction_name(new.faction),
        )
        return new

    def _retirements(self) -> None:
        """Once a year some MPs stand down; their CLPs select successors."""
        with self._timed("selections"):
            rng = self.streams["reselection"]
            rate = self.config.plp.retirement_rate
            by_clp = self._clp_members()
            for mp in list(self.sitting_mps):
                if mp is self.leader or rng.random() >= rate:
                    continue
                mp.sitting = False
                self.tally["retirements"] += 1
                self.events.record(Retirement, self.now, mp=mp.name, clp=mp.clp)
                self.open_seat_selection(mp.clp, reason="retirement", by_clp=by_clp)

    def _focus_minds(self) -> None:
        """MPs facing a round soon, with hostile CLPs, move towards their members."""
        params = self.config.reselection
        ahead = [t for t in self.round_times if t >= self.time]
        if not ahead or ahead[0] - self.time > params.threat_horizon_months:
            return
        sitting = self.sitting_mps
        m = self.members
        ids = m.full_member_ids()
        clp = m.clp[ids]
        totals = np.bincount(clp, weights=m.ideology[ids], minlength=len(self.clps))
        counts = np.bincount(clp, minlength=len(self.clps))
        means = totals / np.maximum(counts, 1)
        lines, radii, _, _ = self._faction_arrays()
        method = self.rules.reselection.method
        threatened = []
        for mp in sitting:
            control = int(self.clps.control[mp.clp])
            hostile = (
                control >= 0
                and control != mp.faction
                and abs(lines[control] - mp.ideology) > radii[control]
            )
            exposed = method in ("open_selection", "members_supermajority") and (
                abs(means[mp.clp] - mp.ideology) > params.tolerance
            )
            threatened.append(hostile or exposed)
        moved = reselection.focus_the_mind(
            np.array([mp.ideology for mp in sitting]),
            means[[mp.clp for mp in sitting]],
            np.array([mp.responsiveness for mp in sitting]),
            np.array(threatened),
            params.focus_rate,
        )
        for mp, x in zip(sitting, moved, strict=True):
            if mp is not self.leader:
                mp.ideology = float(x)

    # --- national politics: polls, general elections, challenges -----------------

    def _vote_share_target(self) -> float:
        e = self.config.elections
        return elections.national_vote_share(
            self.leader.ideology,
            self.leader.valence,
            e.electorate_median,
            base_share=e.base_share,
            distance_penalty=e.distance_penalty,
            valence_weight=e.valence_weight,
            noise_sd=0.0,
        )

    def _poll(self) -> None:
        """Monthly national poll, and a challenge if MPs turn on the leader after a shock."""
        e = self.config.elections
        target = self._vote_share_target()
        previous = self.polls[-1] if self.polls else target
        self.polls.append(
            elections.monthly_poll(
                previous,
                target,
                persistence=e.poll_persistence,
                noise_sd=e.poll_noise_sd,
                rng=self.streams["polls"],
            )
        )
        c = self.config.challenges
        slump = elections.poll_slump(self.polls, window=c.slump_window_months, drop=c.slump_drop)
        if slump:
            self._consider_challenge("poll slump")

    def _consider_challenge(self, shock: str) -> None:
        c = self.config.challenges
        if not c.enabled or self.contest is not None:
            return
        if self.time - self._last_challenge < c.slump_window_months:
            return
        others = np.array([mp.ideology for mp in self.sitting_mps if mp is not self.leader])
        due, share_far = elections.challenge_due(
            others,
            self.leader.ideology,
            distance=c.distance,
            share_threshold=c.share_threshold,
            shock=True,
        )
        if not due:
            return
        self._last_challenge = int(self.time)
        self.events.record(
            ChallengeLaunched, self.now, shock=shock, share_of_mps_far=round(share_far, 6)
        )
        self.open_contest("challenge")

    def _seat_safety(self) -> np.ndarray:
        """How safe each seat is: left-leaning seats are safer; the leader's is safest.

        A party leader's seat is among its safest in practice; without this a
        leader in a lean-right seat could lose it in an ordinary defeat.
        """
        safety = -self.clps.lean.astype(float)
        if self.leader.sitting:
            safety[self.leader.clp] = np.inf
        return safety

    def _general_election(self) -> None:
        """A general election: seats change hands, the leader may resign or be challenged."""
        with self._timed("general_election"):
            e = self.config.elections
            result = elections.general_election_result(
                self.now,
                held=self.clps.seat_held,
                marginality=self._seat_safety(),
                leader_ideology=self.leader.ideology,
                leader_valence=self.leader.valence,
                params=e,
                rng=self.streams["elections"],
            )
            self.last_election = result
            leader_lost_seat = self.leader.clp in result.lost
            for clp in result.lost:
                self.clps.seat_held[clp] = False
                for mp in self.sitting_mps:
                    if mp.clp == clp:
                        mp.sitting = False
            self.events.record(
                GeneralElection,
                self.now,
                decided_by="election",
                leader=self.leader.name,
                leader_ideology=round(self.leader.ideology, 6),
                **result.to_dict(),
            )
            by_clp = self._clp_members()
            for clp in result.gained:
                self.clps.seat_held[clp] = True
                self.open_seat_selection(int(clp), reason="seat gained", by_clp=by_clp)
            resigns = elections.leader_resigns(
                result,
                resignation_probability=e.resignation_probability,
                rng=self.streams["elections"],
            )
            if leader_lost_seat or resigns:
                self.events.record(
                    LeaderResigns,
                    self.now,
                    leader=self.leader.name,
                    reason="lost seat" if leader_lost_seat else "general election defeat",
                )
                self.open_contest("vacancy")
            elif result.defeat:
                self._consider_challenge("general election defeat")

    # --- annual conference -------------------------------------------------------

    def _conference(self) -> None:
        """Annual conference: rule-change proposals decided by card vote."""
        with self._timed("conference"):
            spec = self.config.conference
            rng = self.streams["conference"]
            rules_before = self.rules
            m = self.members
            full = m.full_members()
            member_median = float(np.median(m.ideology[full])) if full.any() else 0.0
            plp = np.array([mp.ideology for mp in self.sitting_mps])
            balance = spec.balance
            if balance is None:
                balance = (member_median + float(np.median(plp))) / 2 if plp.size else member_median

            proposals: list[conference.Proposal] = []
            for scheduled in spec.scheduled:
                if scheduled.year == self.now.year:
                    proposal = conference.scheduled_proposal(scheduled, rules_before)
                    if proposal is not None:
                        proposals.append(proposal)
            movers = []
            if spec.leader_proposes:
                movers.append(("leader", self.leader.ideology))
            if spec.faction_proposes:
                movers += [(f.name, f.line) for f in self.factions]
            for name, position in movers:
                if rng.random() < spec.proposal_chance:
                    proposals += conference.propose(
                        rules_before,
                        name,
                        position,
                        rng,
                        balance=balance,
                        shift_scale=spec.shift_scale,
                        max_proposals=spec.proposals_per_year,
                    )
            if not proposals:
                return
            delegates = self._clp_delegates(member_median)
            unions = [
                conference.UnionBloc(u.name, u.levy_payers, u.leadership_ideology)
                for u in self.unions
            ]
            results = []
            for proposal in proposals:
                result = conference.card_vote(
                    proposal,
                    unions=unions,
                    clps=delegates,
                    rules=rules_before,
                    balance=balance,
                    shift_scale=spec.shift_scale,
                    clp_noise=spec.clp_noise,
                    rng=rng,
                )
                results.append(result)
                self.events.record(
                    ConferenceVote,
                    self.now,
                    decided_by="card vote",
                    balance=round(balance, 6),
                    **result.to_dict(),
                )
            new_rules, applied = conference.adopt_passed(
                rules_before, results, reason=f"conference {self.now.year}"
            )
            if applied:
                self.rules = new_rules
                self.events.record(
                    RuleChange,
                    self.now,
                    decided_by="card vote",
                    proposals=[p.title for p in applied],
                    changes=rules_before.rule_changes_to(new_rules),
                    rules_before=rules_before.label(),
                    rules_after=new_rules.label(),
                )

    def _clp_delegates(self, fallback_median: float) -> conference.ClpDelegates:
        ids, bounds = self._clp_members()
        x = self.members.ideology[ids]
        medians = np.array(
            [
                float(np.median(x[bounds[c] : bounds[c + 1]]))
                if bounds[c + 1] > bounds[c]
                else fallback_median
                for c in range(len(self.clps))
            ]
        )
        control = self.clps.control
        lines = self.faction_lines
        line = np.where(control >= 0, lines[np.maximum(control, 0)] if lines.size else 0.0, np.nan)
        return conference.ClpDelegates(
            votes=np.diff(bounds).astype(np.int64), line=line, member_median=medians
        )

    # --- unions --------------------------------------------------------------------

    def general_secretary_election(self, union_index: int) -> None:
        """A union's own members elect its general secretary (a ballot)."""
        with self._timed("union_elections"):
            union = self.unions[union_index]
            spec = self.config.unions[union_index]
            members = spec.members_ideology or self.config.contests.levy_payer_ideology
            p = self.config.union_politics
            result = union_politics.general_secretary_election(
                union.leadership_ideology,
                members.mean,
                members.sd,
                candidates=p.candidates,
                continuity_sd=p.continuity_sd,
                incumbent_advantage=p.incumbent_advantage,
                noise_sd=p.noise_sd,
                voter_noise_sd=p.voter_noise_sd,
                voters=p.voters,
                rng=self.streams["unions"],
            )
            union.leadership_ideology = float(result.winner)
            self.events.record(
                UnionGsElection,
                self.now,
                decided_by="ballot",
                union=union.name,
                **result.to_dict(),
            )

    # --- meetings ------------------------------------------------------------

    def _meet(self, clps: np.ndarray, targeted: np.ndarray) -> meetings.MeetingResult:
        m = self.members
        in_meeting = np.zeros(len(self.clps), dtype=bool)
        in_meeting[clps] = True
        ids = m.full_member_ids()
        ids = ids[in_meeting[m.clp[ids]]]
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
                    Agm,
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
                "  4. events due this month: CLP AGMs (meeting); leadership contests"
                " opening (nominations: MPs, CLP meetings, affiliates) or closing"
                " (ballot and count)",
                "  5. data collection",
            ]
        )

    # --- data collection -----------------------------------------------------

    def _measure(self) -> dict[str, Any]:
        m = self.members
        active = m.active
        # Gather by ids (a boolean-mask gather over every row, lapsed ones
        # included, is several times slower) and count kinds without a gather.
        full = m.full_member_ids()
        x = m.ideology[full]
        plp = np.array([mp.ideology for mp in self.sitting_mps])
        n_active = int(np.count_nonzero(active))
        n_registered = int(np.count_nonzero(active & (m.kind == REGISTERED_SUPPORTER)))
        ideology_mean = float(np.mean(x)) if x.size else float("nan")
        ideology_sd = float(np.std(x)) if x.size else float("nan")
        # Last use of x: the median may reorder it in place.
        member_median = float(np.median(x, overwrite_input=True)) if x.size else float("nan")
        plp_median = float(np.median(plp)) if plp.size else float("nan")
        row: dict[str, Any] = {
            "month": int(self.time),
            "date": str(self.now),
            "members_full": int(full.size),
            "registered_supporters": n_registered,
            "affiliated_supporters": n_active - int(full.size) - n_registered,
            "members_total": n_active,
            "joined": int(self._month_joined),
            "lapsed": int(self._month_lapsed),
            "ideology_mean": ideology_mean,
            "ideology_median": member_median,
            "ideology_sd": ideology_sd,
            "plp_size": int(plp.size),
            "plp_mean": float(np.mean(plp)) if plp.size else float("nan"),
            "plp_median": plp_median,
            "leader": self.leader.name,
            "leader_ideology": float(self.leader.ideology),
            "member_plp_gap": plp_median - member_median,
        }
        controls = np.bincount(self.clps.control + 1, minlength=len(self.factions) + 1)
        row["clps_unaligned"] = int(controls[0])
        for f in self.factions:
            row[f"clps_{slug(f.name)}"] = int(controls[f.index + 1])
            row[f"faction_{slug(f.name)}"] = int(np.count_nonzero(active & (m.faction == f.index)))
        mp_factions = np.array([mp.faction for mp in self.sitting_mps], dtype=int)
        by_faction = np.bincount(mp_factions + 1, minlength=len(self.factions) + 1)
        row["plp_unaligned"] = int(by_faction[0])
        for f in self.factions:
            row[f"plp_{slug(f.name)}"] = int(by_faction[f.index + 1])
        row["poll"] = float(self.polls[-1]) if self.polls else float("nan")
        row["seats"] = int(self.clps.seat_held.sum())
        payers = np.array([u.levy_payers for u in self.unions], dtype=float)
        leaderships = np.array([u.leadership_ideology for u in self.unions])
        row["union_leadership_mean"] = (
            float(np.average(leaderships, weights=payers)) if payers.sum() else float("nan")
        )
        row["unions_left_led"] = int(np.count_nonzero(leaderships < 0))
        for key in ("trigger_ballots_lost", "deselections", "retirements"):
            row[key] = int(self.tally[key])
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
        for rec in self.events.of_type(LeadershipContest):
            if rec.winner is None:
                text = rec.outcome
            else:
                text = f"{rec.winner} ({rec.outcome}, {rec.electorate_rule}, {rec.rules})"
            out[f"leadership {rec.kind} {rec.month}"] = text
        out["events recorded"] = ", ".join(
            f"{kind}: {n}" for kind, n in sorted(self.events.counts().items())
        )
        return out


__all__ = ["PartyModel", "NO_FACTION"]
