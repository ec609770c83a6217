"""National politics: the monthly poll, general elections, resignations and challenges."""

from __future__ import annotations

from typing import Any

import numpy as np

from model.institutions.base import Institution, Stage
from model.institutions.leadership import Leadership
from model.institutions.selections import Selections
from model.mechanisms import elections
from model.records.events import ChallengeLaunched, GeneralElection, LeaderResigns
from model.state import PartyState


class NationalPolitics(Institution):
    """Polls every month; general elections on the calendar; the leader's fate after them."""

    name = "national_politics"
    RANK = 20  # elections: the seats and MPs that later events of the month see

    def __init__(self, state: PartyState, leadership: Leadership, selections: Selections):
        """Attach to the state.

        Args:
            state: the party's state.
            leadership: opens contests on a resignation or a challenge.
            selections: selects candidates for seats gained; holds the
                trigger round before each election.
        """
        super().__init__(state)
        self.leadership = leadership
        self.selections = selections
        self.last_election: elections.GeneralElectionResult | None = None
        self.last_challenge = -(10**9)
        self.election_times: list[int] = []

    def stages(self) -> list[Stage]:
        """The poll every month; general elections as events."""
        return [
            Stage(
                50,
                "polling",
                self.poll,
                "every month",
                "the national poll moves; a slump may set off a challenge",
            ),
            Stage(
                self.RANK,
                "general_election",
                None,
                "scenario dates, or every parliament",
                "general elections: seats change hands; the leader may go",
                decided_by="election",
            ),
        ]

    def schedule(self) -> None:
        """General elections, each with a trigger round the set time before it."""
        s = self.state
        config = s.config
        self.election_times = [
            s.time_of(month)
            for month in elections.election_schedule(
                s.start, config.calendar.months, config.elections
            )
        ]
        s.election_times = list(self.election_times)
        for at in self.election_times:
            s.schedule(self.general_election, at=at, rank=self.RANK)
            before = config.reselection.before_each_election
            if before is not None:
                self.selections.schedule_trigger_round(max(at - before, 1))

    def _vote_share_target(self) -> float:
        e = self.state.config.elections
        return elections.national_vote_share(
            self.state.leader.ideology,
            self.state.leader.valence,
            e.electorate_median,
            base_share=e.base_share,
            distance_penalty=e.distance_penalty,
            valence_weight=e.valence_weight,
            noise_sd=0.0,
        )

    def poll(self) -> None:
        """Monthly national poll, and a challenge if MPs turn on the leader after a shock."""
        e = self.state.config.elections
        target = self._vote_share_target()
        previous = self.state.polls[-1] if self.state.polls else target
        self.state.polls.append(
            elections.monthly_poll(
                previous,
                target,
                persistence=e.poll_persistence,
                noise_sd=e.poll_noise_sd,
                rng=self.state.streams["polls"],
            )
        )
        c = self.state.config.challenges
        slump = elections.poll_slump(
            self.state.polls, window=c.slump_window_months, drop=c.slump_drop
        )
        if slump:
            self.consider_challenge("poll slump")

    def consider_challenge(self, shock: str) -> None:
        c = self.state.config.challenges
        if not c.enabled or self.state.contest is not None:
            return
        if self.state.time - self.last_challenge < c.slump_window_months:
            return
        others = np.array(
            [mp.ideology for mp in self.state.sitting_mps if mp is not self.state.leader]
        )
        due, share_far = elections.challenge_due(
            others,
            self.state.leader.ideology,
            distance=c.distance,
            share_threshold=c.share_threshold,
            shock=True,
        )
        if not due:
            return
        self.last_challenge = self.state.time
        self.state.events.record(
            ChallengeLaunched, self.state.now, shock=shock, share_of_mps_far=round(share_far, 6)
        )
        self.leadership.open_contest("challenge")

    def _seat_safety(self) -> np.ndarray:
        """How safe each seat is: left-leaning seats are safer; the leader's is safest.

        A party leader's seat is among its safest in practice; without this a
        leader in a lean-right seat could lose it in an ordinary defeat.
        """
        safety = -self.state.clps.lean.astype(float)
        if self.state.leader.sitting:
            safety[self.state.leader.clp] = np.inf
        return safety

    def general_election(self) -> None:
        """A general election: seats change hands, the leader may resign or be challenged."""
        with self.state.timed("general_election"):
            e = self.state.config.elections
            result = elections.general_election_result(
                self.state.now,
                held=self.state.clps.seat_held,
                marginality=self._seat_safety(),
                leader_ideology=self.state.leader.ideology,
                leader_valence=self.state.leader.valence,
                params=e,
                rng=self.state.streams["elections"],
            )
            self.last_election = result
            self.state.record_election(result.seats, result.majority_seats)
            leader_lost_seat = self.state.leader.clp in result.lost
            for clp in result.lost:
                self.state.clps.seat_held[clp] = False
                for mp in self.state.sitting_mps:
                    if mp.clp == clp:
                        mp.sitting = False
            self.state.events.record(
                GeneralElection,
                self.state.now,
                decided_by="election",
                leader=self.state.leader.name,
                leader_ideology=round(self.state.leader.ideology, 6),
                **result.to_dict(),
            )
            by_clp = self.state.clp_members()
            for clp in result.gained:
                self.state.clps.seat_held[clp] = True
                self.selections.open_seat_selection(int(clp), reason="seat gained", by_clp=by_clp)
            resigns = elections.leader_resigns(
                result,
                resignation_probability=e.resignation_probability,
                rng=self.state.streams["elections"],
            )
            if leader_lost_seat or resigns:
                self.state.events.record(
                    LeaderResigns,
                    self.state.now,
                    leader=self.state.leader.name,
                    reason="lost seat" if leader_lost_seat else "general election defeat",
                )
                self.leadership.open_contest("vacancy")
            elif result.defeat:
                self.consider_challenge("general election defeat")

    def measure(self, row: dict[str, Any]) -> None:
        """The latest poll and the seats held."""
        s = self.state
        row["poll"] = float(s.polls[-1]) if s.polls else float("nan")
        row["seats"] = int(s.clps.seat_held.sum())
