"""Leadership contests: the field declares, nominations close, the ballot is counted.

A contest opens on a vacancy, a challenge or a scheduled date; nominations
from MPs (a share "lend" theirs), CLP nominating meetings and affiliates
decide who qualifies under the rules in force *when it opened* (a change at
conference waits for the next contest); the ballot closes
`contests.duration_months` later, when supporters have signed up, and is
counted by the exact eliminating ballot (model.counting).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from model.agents.mps import MP
from model.calendar import Month, window_by_month
from model.institutions.base import Institution, Stage
from model.institutions.electorate import Electorate
from model.institutions.membership import Membership
from model.institutions.unions import UnionPolitics
from model.mechanisms import contests, meetings
from model.records.events import ContestNotHeld, LeadershipContest
from model.rules import decisions
from model.rules.schema import RuleSet
from model.scenario.schema import ScheduledContest
from model.state import PartyState


@dataclass
class OpenContest:
    """A leadership contest between nominations and the result."""

    kind: str
    opened: int
    rules: RuleSet  # the rules when it opened: a change at conference waits for the next contest
    nominations: contests.Nominations
    on_ballot: list[contests.Candidate]
    union_nominee: np.ndarray


@dataclass
class LaterMeetings:
    """CLPs that hold their nominating meetings in a later month of the window (a leader's
    contest or a deputy's)."""

    contest: Any  # the open contest they nominate in; gone if it has ended
    clps: np.ndarray
    field_: list[contests.Candidate]
    advancing: list[int]
    challenge: bool
    settles: bool  # the window's last month, where CLP nominations decide the field


class Leadership(Institution):
    """Leadership contests, and the leader's place at the head of the PLP."""

    name = "leadership"
    RANK = 70  # last: a contest opened by this month's election or deselection is in the log
    # A ballot closing before a new contest opens the same month; CLPs that
    # meet later in a nominations window, after the month's joining.
    CLOSE, OPEN, MEET = 0, 1, 2

    def __init__(self, state: PartyState, membership: Membership, unions: UnionPolitics):
        """Attach to the state.

        Args:
            state: the party's state.
            membership: where supporters and joiners are added.
            unions: the affiliates, who nominate.
        """
        super().__init__(state)
        self.membership = membership
        self.unions = unions
        self.electorate = Electorate(state, membership)
        self._scheduled_contests: dict[int, ScheduledContest] = {}
        self._later_meetings: dict[int, LaterMeetings] = {}
        # Called with (voter roll, eligible counts) when a ballot closes: a deputy
        # contest held alongside is counted on the same electorate.
        self.ballot_hooks: list[Callable[[contests.VoterRoll, dict[str, int]], None]] = []

    def stages(self) -> list[Stage]:
        """Contests opening (nominations) and closing (the ballot and count)."""
        return [
            Stage(
                self.RANK,
                "leadership_contest",
                None,
                "scenario dates, a vacancy or a challenge; the ballot closes later",
                "leadership contests: nominations (MPs, CLP meetings, affiliates) or the"
                " ballot and count",
                decided_by="ballot",
            )
        ]

    def schedule(self) -> None:
        """Scheduled (historical) contests open on their dates."""
        s = self.state
        for contest in s.config.contests.scheduled:
            at = s.time_of(Month.parse(contest.month))
            self._scheduled_contests[at] = contest
            s.schedule(self.open_scheduled_contest, at=at, rank=self.RANK, sub=self.OPEN)

    def open_scheduled_contest(self) -> None:
        spec = self._scheduled_contests.pop(self.state.time)
        if spec.if_leader and self.state.leader.name not in spec.if_leader:
            # Its cause is gone: the 2016 challenge was the PLP's against Corbyn,
            # and it would not have been launched against a leader who beat him.
            self.state.events.record(
                ContestNotHeld,
                self.state.now,
                kind=spec.kind,
                leader=self.state.leader.name,
                if_leader=list(spec.if_leader),
            )
            return
        months = None
        if spec.closes is not None:
            months = Month.parse(spec.month).months_until(Month.parse(spec.closes))
        window = self.nominations_window(spec)
        self.open_contest(spec.kind, named=spec.candidates, months=months, window=window)

    def nominations_window(self, spec: ScheduledContest) -> list[tuple[int, float]] | None:
        """A scheduled contest's CLP nominations window as (model month, share of its days)."""
        if spec.clp_nominations is None:
            return None
        window = spec.clp_nominations
        return [
            (self.state.time_of(month), share)
            for month, share in window_by_month(
                window.opens, window.closes, Month.parse(spec.month)
            )
        ]

    def open_contest(
        self,
        kind: str = "vacancy",
        *,
        named: list | None = None,
        challenger: MP | None = None,
        months: int | None = None,
        window: list[tuple[int, float]] | None = None,
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
            months: months from nominations to the result (default:
                `contests.duration_months`).
            window: the CLP nominations window as (model month, share of its
                days) from now on (`calendar.window_by_month`); None: every
                CLP meets now.

        Returns:
            True if a ballot was called (it closes `duration_months` later).
        """
        if self.state.contest is not None:
            return False
        with self.state.timed("leadership_contest"):
            months = self.state.config.contests.duration_months if months is None else months
            return self._nominate(kind, named or [], challenger, months, window)

    def _nominate(
        self,
        kind: str,
        named: list,
        challenger: MP | None,
        months: int,
        window: list[tuple[int, float]] | None = None,
    ) -> bool:
        rng = self.state.streams["contests"]
        params = self.state.config.contests
        rules = self.state.rules.leadership
        challenge = kind == "challenge"
        sitting = self.state.sitting_mps
        index_of = {id(mp): i for i, mp in enumerate(sitting)}
        ideology = np.array([mp.ideology for mp in sitting])

        chosen: list[MP] = [self._mp_named(spec, sitting, exclude=set()) for spec in named]
        if challenge:
            chosen = [mp for mp in chosen if mp is not self.state.leader]
            if not chosen:
                chosen = [challenger or self._likely_challenger(sitting)]
            chosen = [self.state.leader, *chosen]
        elif not chosen:
            low, high = params.candidates
            ambitious = np.array([mp.ambition and mp is not self.state.leader for mp in sitting])
            picks = contests.declare_candidates(
                ideology,
                ambitious,
                count=int(rng.integers(low, high + 1)),
                draw=params.candidate_draw,
                exclude={index_of[id(self.state.leader)]}
                if self.state.leader in sitting
                else set(),
                rng=rng,
            )
            chosen = [sitting[i] for i in picks]
        candidates = self.as_candidates(
            chosen, rng, incumbent=self.state.leader if challenge else None
        )
        n_meps = len(self.state.mep_ideology) if rules.count_meps else 0
        threshold = contests.plp_threshold(rules, len(sitting), n_meps, challenge=challenge)
        candidate_of = np.full(len(sitting) + n_meps, -1)
        for c, mp in enumerate(chosen):
            candidate_of[index_of[id(mp)]] = c
        nominators = np.concatenate([ideology, self.state.mep_ideology[:n_meps]])
        plp, _ = contests.mp_nominations(
            nominators,
            candidate_of,
            candidates,
            threshold=threshold,
            lend_share=params.lend_share,
            params=params,
            rng=rng,
            electability=self.state.electability_weight(),
        )
        record = contests.Nominations(candidates, threshold, plp.tolist())

        advancing = [
            i
            for i, c in enumerate(candidates)
            if plp[i] >= threshold or (c.incumbent and rules.incumbent_automatic)
        ]
        record.clps = [0] * len(candidates)
        record.affiliates = [[] for _ in candidates]
        later: dict[int, np.ndarray] = {}
        if advancing:
            field_ = [candidates[i] for i in advancing]
            holding, meeting_rng = None, rng
            if window is not None and len(window) > 1:
                holding, later, meeting_rng = self.clps_across_window(
                    rules, window, challenge=challenge
                )
            self.count_clp_nominations(
                record, field_, advancing, rules, meeting_rng, challenge, holding
            )
            union_pick = self.unions.nominations(field_)
            for u, j in enumerate(union_pick):
                if j >= 0:
                    record.affiliates[advancing[j]].append(self.state.unions[u].name)
        binding = decisions.clp_nominations_decide_access(rules, challenge=challenge)
        if later and binding and len(advancing) > 1:
            # The field is settled when the window closes: until then those
            # the PLP nominated campaign (and draw joiners) as candidates.
            on_ballot = [candidates[i] for i in advancing]
        else:
            self.qualify(record, rules, challenge)
            on_ballot = record.on_ballot
            if not self._contested(kind, record, on_ballot, challenge):
                return False

        self.state.contest = OpenContest(
            kind=kind,
            opened=self.state.time,
            rules=self.state.rules,
            nominations=record,
            on_ballot=on_ballot,
            union_nominee=self.unions.nominations(on_ballot),
        )
        self.state.schedule(
            self.close_contest,
            at=self.state.time + months,
            rank=self.RANK,
            sub=self.CLOSE,
        )
        last = max(later, default=None)
        for at, group in later.items():
            self._later_meetings[at] = LaterMeetings(
                self.state.contest,
                group,
                field_,
                advancing,
                challenge,
                settles=binding and at == last,
            )
            self.state.schedule(self.hold_later_meetings, at=at, rank=self.RANK, sub=self.MEET)
        return True

    def qualify(self, record: contests.Nominations, rules: Any, challenge: bool) -> None:
        """The rules' decision on who qualifies, from the nominations so far."""
        n_meps = len(self.state.mep_ideology) if rules.count_meps else 0
        record.qualified = contests.decide_qualification(
            rules,
            record,
            challenge=challenge,
            plp_size=len(self.state.sitting_mps),
            n_meps=n_meps,
            total_clps=len(self.state.clps),
            affiliate_sizes={u.name: (u.is_union, u.levy_payers) for u in self.state.unions},
        )

    def _contested(
        self,
        kind: str,
        record: contests.Nominations,
        on_ballot: list[contests.Candidate],
        challenge: bool,
    ) -> bool:
        """Whether the qualified field makes a ballot; if not, record why and settle it."""
        if challenge and not any(not c.incumbent for c in on_ballot):
            self._record_contest(kind, record, outcome="challenge failed at nominations")
            return False
        if len(on_ballot) <= 1:
            if not on_ballot:
                # Nobody reached the threshold: the best-nominated candidate
                # is elected unopposed rather than leaving the party leaderless.
                candidates = record.candidates
                on_ballot = [candidates[int(np.argmax(record.plp))]] if candidates else []
            if on_ballot:
                self.install_new_leader(self.state.mps[on_ballot[0].mp])
            self._record_contest(kind, record, outcome="elected unopposed", winner=on_ballot)
            return False
        return True

    def clps_across_window(
        self, rules: Any, window: list[tuple[int, float]], *, challenge: bool = False
    ) -> tuple[np.ndarray, dict[int, np.ndarray], np.random.Generator]:
        """Which CLPs meet this month, and which in each later month of a nominations window.

        Each CLP meets on a day of the window: in each month with the
        share of the window's days in it, on that month's members. The
        draws (and the meetings') come from a stream of their own, so a
        contest's other draws do not depend on when CLPs meet.

        Returns:
            (CLPs meeting now, {model month: CLPs meeting then}, the stream).
        """
        rng = self.state.streams["nominating_meetings"]
        holding = self._clps_meeting(rules, rng, challenge=challenge)
        shares = np.array([share for _, share in window])
        when = np.searchsorted(np.cumsum(shares)[:-1], rng.random(holding.size), "right")
        later = {
            at: holding[when == k]
            for k, (at, _) in enumerate(window)
            if k > 0 and np.any(when == k)
        }
        return holding[when == 0], later, rng

    def count_clp_nominations(
        self,
        record: contests.Nominations,
        field_: list[contests.Candidate],
        advancing: list[int],
        rules: Any,
        rng: np.random.Generator,
        challenge: bool,
        holding: np.ndarray | None,
    ) -> None:
        """Hold nominating meetings (`holding`, or the CLPs drawn to meet) and add up their nominations."""
        nominee, _ = self._clp_nominating_meetings(
            field_, rules, rng, challenge=challenge, holding=holding
        )
        record.clps_nominating += int(np.count_nonzero(nominee >= 0))
        for j, i in enumerate(advancing):
            record.clps[i] += int(np.count_nonzero(nominee == j))

    def hold_later_meetings(self) -> None:
        """The CLPs that meet this month of a nominations window; the field, when it closes."""
        later = self._later_meetings.pop(self.state.time)
        contest = self.state.contest
        if contest is not later.contest:
            return  # that contest is over
        with self.state.timed("leadership_contest"):
            rng = self.state.streams["nominating_meetings"]
            rules = contest.rules.leadership
            record = contest.nominations
            self.count_clp_nominations(
                record, later.field_, later.advancing, rules, rng, later.challenge, later.clps
            )
            if not later.settles:
                return
            self.qualify(record, rules, later.challenge)
            on_ballot = record.on_ballot
            if not self._contested(contest.kind, record, on_ballot, later.challenge):
                self.state.contest = None
                return
            contest.on_ballot = on_ballot
            contest.union_nominee = self.unions.nominations(on_ballot)

    def _mp_named(self, spec: Any, sitting: list[MP], exclude: set[int]) -> MP:
        for mp in sitting:
            if mp.name == spec.name:
                return mp
        # A historical candidate not yet in the PLP: the MP of their own seat
        # (if simulated, held and not yet a named person), else the sitting MP
        # nearest their position (and not the leader), takes their name and place.
        free = [mp for mp in sitting if mp is not self.state.leader and mp.name.startswith("MP ")]
        own = self.state.mp_for_seat(getattr(spec, "seat", None))
        mp = own if own in free else min(free, key=lambda m: abs(m.ideology - spec.ideology))
        mp.name, mp.ideology, mp.valence, mp.ambition = spec.name, spec.ideology, spec.valence, True
        return mp

    def as_candidates(
        self, chosen: list[MP], rng: np.random.Generator, *, incumbent: MP | None = None
    ) -> list[contests.Candidate]:
        """The MPs standing, as the party sees them (for a leader's or a deputy's contest).

        Each candidate's campaign goes better or worse than their standing
        promised: one shock to perceived electability per contest. A
        candidate on the line a remembered defeat was fought on is seen as
        less electable (the past-results rule). Every consumer of the
        candidates' valence (MPs, CLPs and affiliates nominating; members
        and supporters voting) sees this perceived valence.

        Args:
            chosen: the MPs standing.
            rng: the contest's stream (one normal per candidate is drawn).
            incumbent: the sitting office-holder, if they stand in a challenge.

        Returns:
            The candidates, in the order of `chosen`.
        """
        params = self.state.config.contests
        shock = rng.normal(0.0, params.campaign_shock_sd, len(chosen))
        return [
            contests.Candidate(
                name=mp.name,
                mp=self.state.mps.index(mp),
                ideology=mp.ideology,
                valence=mp.valence
                + float(shock[i])
                - params.defeat_blame * self.state.defeat_discredit(mp.ideology),
                faction=mp.faction,
                incumbent=mp is incumbent,
            )
            for i, mp in enumerate(chosen)
        ]

    def _likely_challenger(self, sitting: list[MP]) -> MP:
        pool = [mp for mp in sitting if mp is not self.state.leader and mp.ambition] or [
            mp for mp in sitting if mp is not self.state.leader
        ]
        return max(pool, key=lambda mp: (abs(mp.ideology - self.state.leader.ideology), mp.valence))

    def _clps_meeting(
        self, rules: Any, rng: np.random.Generator, *, challenge: bool = False
    ) -> np.ndarray:
        """The CLPs that hold a nominating meeting (ids, ascending)."""
        params = self.state.config.contests
        share = params.clp_nominating_share
        if (
            params.clp_nominating_share_binding is not None
            and decisions.clp_nominations_decide_access(rules, challenge=challenge)
        ):
            # Where a CLP's nomination can put a candidate on the ballot, more CLPs meet to make one.
            share = params.clp_nominating_share_binding
        return np.flatnonzero(rng.random(len(self.state.clps)) < share)

    def _clp_nominating_meetings(
        self,
        field_: list[contests.Candidate],
        rules: Any,
        rng: np.random.Generator,
        *,
        challenge: bool = False,
        holding: np.ndarray | None = None,
    ) -> tuple[np.ndarray, list[int]]:
        m = self.state.members
        params = self.state.config.contests
        if holding is None:
            holding = self._clps_meeting(rules, rng, challenge=challenge)
        meeting = np.zeros(len(self.state.clps), dtype=bool)
        meeting[holding] = True
        ids = m.full_member_ids()[meeting[m.full_member_clps()]]
        if rules.nominating_meeting_months:
            # Members still in their provisional period take no part (2020).
            ids = ids[m.joined[ids] <= self.state.time - rules.nominating_meeting_months]
        if rules.clp_nominations_decided_by == "members_ballot":
            voters = ids[rng.random(ids.size) < m.turnout[ids]]
        else:
            # A nominating meeting is a meeting: drawn at its real size.
            specs = [f.spec for f in self.state.factions]
            chance = meetings.attendance_chance(
                m.activism[ids],
                m.faction[ids],
                m.clp[ids],
                self.state.targeted,
                np.array([s.mobilisation for s in specs]),
            )
            voters, _ = meetings.attenders(
                ids,
                chance,
                self.state.meeting_scale,
                rng,
                self.state.typical_attendance(
                    ids, self.state.targeted, np.array([s.mobilisation for s in specs])
                ),
            )
        voters = voters[np.argsort(m.clp[voters].astype(np.uint16), kind="stable")]
        local = None
        if params.clp_local_sd > 0:
            # Each candidate's standing in each CLP: its MP's endorsement, the
            # campaign's organisers there, friends and neighbours. Shared by all
            # who attend there, so it moves whole meetings, not single votes.
            # Its own stream: the contest's other draws stay as they were.
            appeal = self.state.streams["local_appeal"].normal(
                0.0, params.clp_local_sd, (len(self.state.clps), len(field_))
            )
            local = appeal[m.clp[voters]]
        rankings = contests.rank_candidates(
            contests.utilities(
                m.ideology[voters],
                field_,
                params=params,
                rng=rng,
                cue=local,
                electability=self.state.electability_weight(),
            ),
            truncation=params.truncation,
            rng=rng,
        )
        bounds = (
            np.searchsorted(m.clp[voters], holding, side="left"),
            np.searchsorted(m.clp[voters], holding, side="right"),
        )
        per_clp = [rankings[a:b] for a, b in zip(*bounds, strict=True)]
        nominee, attendees = contests.clp_nominations(per_clp, field_, rng=rng)
        full = np.full(len(self.state.clps), -1)
        full[holding] = nominee
        return full, attendees

    def close_contest(self) -> None:
        """The ballot closes: sign-ups, electorate, votes, count, new leader."""
        with self.state.timed("leadership_contest"):
            contest = self.state.contest
            if contest is None:
                return
            rng = self.state.streams["contests"]
            rules = contest.rules.leadership
            supporters = self.electorate.sign_up_supporters(contest, rules, rng)
            roll, eligible_extra = self.electorate.voter_roll(contest, rules, rng)
            for hook in self.ballot_hooks:
                hook(roll, eligible_extra)
            outcome = contests.count_contest(
                roll,
                contest.on_ballot,
                rules,
                params=self.state.config.contests,
                union_nominee=contest.union_nominee,
                rng=rng,
                electability=self.state.electability_weight(),
            )
            for kind, extra in eligible_extra.items():
                if kind in outcome.electorate:
                    entry = outcome.electorate[kind]
                    entry["eligible"] = extra
                    entry["turnout"] = round(entry["voted"] / extra, 6) if extra else 0.0
            winner = next(c for c in contest.on_ballot if c.name == outcome.result.winner)
            previous = self.state.leader.name
            self.install_new_leader(self.state.mps[winner.mp])
            self.record_who_backed_losers(outcome, contest.on_ballot.index(winner))
            self.electorate.end_supporters(supporters, rng)
            self.state.contest = None
            self._record_contest(
                contest.kind,
                contest.nominations,
                outcome="ballot",
                winner=[winner],
                opened=self.state.start.plus(contest.opened - 1),
                ballot=outcome,
                previous=previous,
                rules=contest.rules,
            )

    def record_who_backed_losers(self, outcome: contests.BallotOutcome, winner: int) -> None:
        """Full members whose first preference lost now serve under a leader they voted against.

        Their evaluation of the leader is lower, and leader evaluation
        predicts who stays (labour_politics.json
        members_ideology_and_composition.leavers); `flows.losers_lapse`
        turns it into lapsing. Members who did not vote are not marked; a
        re-elected leader's earlier opponents who now backed him are cleared.
        """
        m = self.state.members
        m.backed_loser[:] = False
        ids = self.electorate.roll_member_ids
        if outcome.first_choices is None or ids.size == 0:
            return
        first = outcome.first_choices[: ids.size]
        lost = (first >= 0) & (first != winner)
        m.backed_loser[ids[lost]] = True

    def install_new_leader(self, mp: MP) -> None:
        """A new leader takes office (trust in the leader is redrawn by closeness)."""
        if mp is not self.state.leader:
            self.state.leader_since = self.state.time
            # Nobody has yet voted against the new leader (a ballot marks them after this).
            self.state.members.backed_loser[:] = False
        self.state.leader = mp
        mp.ambition = True
        # Trust follows closeness to the new leader: members near them take
        # the cue, members far from them stop taking it.
        m = self.state.members
        rng = self.state.streams["contests"]
        share = self.state.config.members.trusts_leader
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
        rules = rules or self.state.rules
        fields: dict[str, Any] = {
            "kind": kind,
            "opened": str(opened or self.state.now),
            "outcome": outcome,
            "rules": rules.name,
            "rules_label": rules.label(),
            "electorate_rule": rules.leadership.electorate,
            "nominations": nominations.to_dict(),
            "on_ballot": [c.name for c in nominations.on_ballot],
            "previous_leader": previous or self.state.leader.name,
            "winner": winner[0].name if winner else None,
            "winner_faction": self.state.faction_name(winner[0].faction) if winner else None,
            "winner_ideology": round(winner[0].ideology, 6) if winner else None,
        }
        if ballot is not None:
            fields.update(
                electorate=ballot.electorate,
                first_round_by_type=ballot.first_round_by_type,
                count=ballot.result.to_dict(),
                ballots=contests.profile_to_dict(ballot.profile),
            )
            if ballot.members_by_joined is not None:
                names = [c.name for c in nominations.on_ballot]
                fields["members_by_joining_month"] = {
                    str(self.state.start.plus(at - 1)): dict(zip(names, tally, strict=True))
                    for at, tally in ballot.members_by_joined.items()
                }
        self.state.events.record(
            LeadershipContest,
            self.state.now,
            decided_by="ballot" if ballot is not None else "rule",
            **fields,
        )

    def measure(self, row: dict[str, Any]) -> None:
        """The PLP's size and position, the leader, and the member–PLP gap."""
        s = self.state
        plp = np.array([mp.ideology for mp in s.sitting_mps])
        plp_median = float(np.median(plp)) if plp.size else float("nan")
        row["plp_size"] = int(plp.size)
        row["plp_mean"] = float(np.mean(plp)) if plp.size else float("nan")
        row["plp_median"] = plp_median
        row["leader"] = s.leader.name
        row["leader_ideology"] = float(s.leader.ideology)
        row["member_plp_gap"] = plp_median - row["ideology_median"]
