"""Deputy leadership contests: the leader's machinery for a second office.

A deputy contest is nominated like the leader's — MPs (the same threshold),
CLP nominating meetings and affiliates (``UnionPolitics.nominations`` with
``office="deputy"``), qualified by the same rules — and, when a leadership
ballot closes at the same time, counted on the same electorate by the same
eliminating ballot (2015 and 2020: labour_history.json:
leadership_elections.deputy_leadership). A deputy contest with no
leadership ballot alongside builds its own voter roll (members and, where
the rules allow, affiliated supporters already signed up) and closes after
``contests.duration_months``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from model.agents.mps import MP
from model.calendar import Month
from model.institutions.base import Institution, Stage
from model.institutions.leadership import LaterMeetings, Leadership
from model.institutions.unions import UnionPolitics
from model.mechanisms import contests
from model.records.events import DeputyContest
from model.rules import decisions
from model.rules.schema import RuleSet
from model.scenario.schema import ScheduledContest
from model.state import PartyState


@dataclass
class OpenDeputyContest:
    """A deputy contest between nominations and the result."""

    opened: int
    rules: RuleSet
    nominations: contests.Nominations
    on_ballot: list[contests.Candidate]
    union_nominee: np.ndarray


class DeputyLeadership(Institution):
    """Deputy-leadership contests, counted with the leader's ballot where there is one."""

    name = "deputy"
    RANK = 71  # after the leadership contest of the same month has opened or closed
    CLOSE, OPEN, MEET = 0, 1, 2

    @property
    def contest(self) -> OpenDeputyContest | None:
        """The deputy contest between nominations and result, if any (kept on the state,
        where retirements can see who is standing)."""
        return self.state.deputy_contest

    @contest.setter
    def contest(self, value: OpenDeputyContest | None) -> None:
        self.state.deputy_contest = value

    def __init__(self, state: PartyState, leadership: Leadership, unions: UnionPolitics):
        """Attach to the state; the scenario's deputy at the start takes office.

        Args:
            state: the party's state.
            leadership: the leader's contests (nominating meetings, the electorate,
                and the ballot this contest is counted alongside).
            unions: the affiliates, who nominate.
        """
        super().__init__(state)
        self.leadership = leadership
        self.unions = unions
        self.state.deputy_contest = None
        self._scheduled: dict[int, ScheduledContest] = {}
        self._later_meetings: dict[int, LaterMeetings] = {}
        leadership.ballot_hooks.append(self.count_with_leader)
        initial = state.config.deputy.initial
        if initial is not None and state.mps:
            state.deputy = self._mp_named(initial, state.sitting_mps)

    def stages(self) -> list[Stage]:
        """Deputy contests (events)."""
        return [
            Stage(
                self.RANK,
                "deputy_contest",
                None,
                "scenario dates; the ballot closes with the leader's",
                "deputy-leadership contests: nominations, then the ballot and count",
                decided_by="ballot",
            )
        ]

    def schedule(self) -> None:
        """Scheduled (historical) deputy contests open on their dates."""
        s = self.state
        for spec in s.config.deputy.scheduled:
            at = s.time_of(Month.parse(spec.month))
            if at > s.config.calendar.months:
                continue
            self._scheduled[at] = spec
            s.schedule(self.open_scheduled, at=at, rank=self.RANK, sub=self.OPEN)

    def open_scheduled(self) -> None:
        spec = self._scheduled.pop(self.state.time)
        with self.state.timed("deputy_contest"):
            self.open(spec.candidates, window=self.leadership.nominations_window(spec))

    def _mp_named(self, spec: Any, sitting: list[MP]) -> MP:
        for mp in sitting:
            if mp.name == spec.name:
                return mp
        # A named candidate not yet in the PLP: the MP of their own seat (if
        # simulated, held and not yet a named person), else the nearest unnamed
        # sitting MP (not the leader) takes their name and place, as in
        # leadership contests.
        free = [mp for mp in sitting if mp is not self.state.leader and mp.name.startswith("MP ")]
        own = self.state.mp_for_seat(getattr(spec, "seat", None))
        mp = own if own in free else min(free, key=lambda m: abs(m.ideology - spec.ideology))
        mp.name, mp.ideology, mp.valence = spec.name, spec.ideology, spec.valence
        return mp

    def open(self, named: list[Any], window: list[tuple[int, float]] | None = None) -> bool:
        """Nominations for deputy: MPs, CLP meetings, affiliates; True if a ballot follows.

        Args:
            named: the candidates (CandidateSpecs).
            window: the CLP nominations window as (model month, share of its
                days), as the leader's (`Leadership.clps_across_window`);
                None: every CLP meets now.
        """
        s = self.state
        if self.contest is not None or not named:
            return False
        rng = s.streams["deputy"]
        params = s.config.contests
        rules = s.rules.leadership
        sitting = s.sitting_mps
        chosen = [self._mp_named(spec, sitting) for spec in named]
        # Seen as the leader's candidates are: a campaign shock, and the
        # discredit of a line that lost a remembered election.
        candidates = self.leadership.as_candidates(chosen, rng)
        n_meps = len(s.mep_ideology) if rules.count_meps else 0
        threshold = contests.plp_threshold(rules, len(sitting), n_meps, challenge=False)
        index_of = {id(mp): i for i, mp in enumerate(sitting)}
        candidate_of = np.full(len(sitting) + n_meps, -1)
        for c, mp in enumerate(chosen):
            candidate_of[index_of[id(mp)]] = c
        nominators = np.concatenate(
            [np.array([mp.ideology for mp in sitting]), s.mep_ideology[:n_meps]]
        )
        plp, _ = contests.mp_nominations(
            nominators,
            candidate_of,
            candidates,
            threshold=threshold,
            lend_share=params.lend_share,
            params=params,
            rng=rng,
            electability=s.electability_weight(),
        )
        record = contests.Nominations(candidates, threshold, plp.tolist())
        advancing = [i for i in range(len(candidates)) if plp[i] >= threshold]
        record.clps = [0] * len(candidates)
        record.affiliates = [[] for _ in candidates]
        later: dict[int, np.ndarray] = {}
        if advancing:
            field_ = [candidates[i] for i in advancing]
            holding, meeting_rng = None, rng
            if window is not None and len(window) > 1:
                holding, later, meeting_rng = self.leadership.clps_across_window(rules, window)
            self.leadership.count_clp_nominations(
                record, field_, advancing, rules, meeting_rng, False, holding
            )
            for u, j in enumerate(self.unions.nominations(field_, office="deputy")):
                if j >= 0:
                    record.affiliates[advancing[j]].append(s.unions[u].name)
        binding = decisions.clp_nominations_decide_access(rules, challenge=False)
        if later and binding and len(advancing) > 1:
            # The field is settled when the window closes (as the leader's).
            on_ballot = [candidates[i] for i in advancing]
        else:
            self.leadership.qualify(record, rules, False)
            on_ballot = record.on_ballot
            if not self._contested(record, on_ballot):
                return False
        self.contest = OpenDeputyContest(
            opened=s.time,
            rules=s.rules,
            nominations=record,
            on_ballot=on_ballot,
            union_nominee=self.unions.nominations(on_ballot, office="deputy"),
        )
        leader = s.contest
        if leader is None:
            s.schedule(
                self.close_alone,
                at=s.time + params.duration_months,
                rank=self.RANK,
                sub=self.CLOSE,
            )
        last = max(later, default=None)
        for at, group in later.items():
            self._later_meetings[at] = LaterMeetings(
                self.contest, group, field_, advancing, False, settles=binding and at == last
            )
            s.schedule(self.hold_later_meetings, at=at, rank=self.RANK, sub=self.MEET)
        return True

    def _contested(self, record: contests.Nominations, on_ballot: list[contests.Candidate]) -> bool:
        """Whether the qualified field makes a ballot; if not, the deputy is chosen unopposed."""
        if len(on_ballot) > 1:
            return True
        if not on_ballot and record.candidates:
            on_ballot = [record.candidates[int(np.argmax(record.plp))]]
        if on_ballot:
            self._install(self.state.mps[on_ballot[0].mp])
        self._record(record, outcome="elected unopposed", winner=on_ballot)
        return False

    def hold_later_meetings(self) -> None:
        """The CLPs that meet this month of the window; the field, when it closes."""
        later = self._later_meetings.pop(self.state.time)
        contest = self.contest
        if contest is not later.contest:
            return  # that contest is over
        with self.state.timed("deputy_contest"):
            rules = contest.rules.leadership
            record = contest.nominations
            self.leadership.count_clp_nominations(
                record,
                later.field_,
                later.advancing,
                rules,
                self.state.streams["nominating_meetings"],
                False,
                later.clps,
            )
            if not later.settles:
                return
            self.leadership.qualify(record, rules, False)
            on_ballot = record.on_ballot
            if not self._contested(record, on_ballot):
                self.contest = None
                return
            contest.on_ballot = on_ballot
            contest.union_nominee = self.unions.nominations(on_ballot, office="deputy")

    def count_with_leader(self, roll: contests.VoterRoll, eligible_extra: dict[str, int]) -> None:
        """The leader's ballot is closing: count the deputy ballot on the same electorate."""
        if self.contest is None:
            return
        with self.state.timed("deputy_contest"):
            self._count(roll, eligible_extra)

    def close_alone(self) -> None:
        """A deputy ballot with no leadership ballot alongside closes on its own electorate."""
        if self.contest is None:
            return
        with self.state.timed("deputy_contest"):
            rng = self.state.streams["deputy"]
            roll, extra = self.leadership.electorate.voter_roll(
                self.contest, self.contest.rules.leadership, rng
            )
            self._count(roll, extra)

    def _count(self, roll: contests.VoterRoll, eligible_extra: dict[str, int]) -> None:
        s = self.state
        contest = self.contest
        assert contest is not None
        rng = s.streams["deputy"]
        outcome = contests.count_contest(
            roll,
            contest.on_ballot,
            contest.rules.leadership,
            params=s.config.contests,
            union_nominee=contest.union_nominee,
            rng=rng,
            # The same members in the same month weigh electability as they do
            # for the leader: the deputy stands beside the leader at an election.
            electability=s.electability_weight(),
        )
        for kind, extra in eligible_extra.items():
            if kind in outcome.electorate:
                entry = outcome.electorate[kind]
                entry["eligible"] = extra
                entry["turnout"] = round(entry["voted"] / extra, 6) if extra else 0.0
        winner = next(c for c in contest.on_ballot if c.name == outcome.result.winner)
        previous = s.deputy.name if s.deputy is not None else ""
        self._install(s.mps[winner.mp])
        self.contest = None
        self._record(
            contest.nominations,
            outcome="ballot",
            winner=[winner],
            opened=s.start.plus(contest.opened - 1),
            ballot=outcome,
            previous=previous,
            rules=contest.rules,
        )

    def _install(self, mp: MP) -> None:
        self.state.deputy = mp

    def _record(
        self,
        nominations: contests.Nominations,
        *,
        outcome: str,
        winner: list | None = None,
        opened: Month | None = None,
        ballot: contests.BallotOutcome | None = None,
        previous: str | None = None,
        rules: RuleSet | None = None,
    ) -> None:
        s = self.state
        rules = rules or s.rules
        fields: dict[str, Any] = {
            "kind": "vacancy",
            "opened": str(opened or s.now),
            "outcome": outcome,
            "rules": rules.name,
            "rules_label": rules.label(),
            "electorate_rule": rules.leadership.electorate,
            "nominations": nominations.to_dict(),
            "on_ballot": [c.name for c in nominations.on_ballot],
            "previous_leader": previous if previous is not None else "",
            "winner": winner[0].name if winner else None,
            "winner_faction": s.faction_name(winner[0].faction) if winner else None,
            "winner_ideology": round(winner[0].ideology, 6) if winner else None,
        }
        if ballot is not None:
            fields.update(
                electorate=ballot.electorate,
                first_round_by_type=ballot.first_round_by_type,
                count=ballot.result.to_dict(),
                ballots=contests.profile_to_dict(ballot.profile),
            )
        s.events.record(
            DeputyContest,
            s.now,
            decided_by="ballot" if ballot is not None else "rule",
            **fields,
        )

    def measure(self, row: dict[str, Any]) -> None:
        """The deputy leader and their position."""
        deputy = self.state.deputy
        row["deputy"] = deputy.name if deputy is not None else ""
        row["deputy_ideology"] = float(deputy.ideology) if deputy is not None else float("nan")
