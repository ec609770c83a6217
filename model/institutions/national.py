"""National politics: the monthly poll, general elections seat by seat, resignations and challenges.

A general election decides every simulated seat (`model.mechanisms.seat_elections`):
in the month of a real election on the 2010–2019 boundaries with a historical
count, Labour wins exactly its real seats; with a count but no such result
(2024), the count goes to the seats the swing model ranks best; otherwise the
model's national vote share swings every seat from the last real result the
run has used (the one it started from, or a later real result it applied).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from model.data.seats import load_seats
from model.institutions.base import Institution, Stage
from model.institutions.leadership import Leadership
from model.institutions.selections import Selections
from model.mechanisms import elections, seat_elections
from model.records.events import ChallengeLaunched, GeneralElection, LeaderResigns
from model.scenario.seats import GB_SEATS, HOUSE_SEATS, initial_year, real_election_year
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
        self.last_decision: seat_elections.SeatDecision | None = None
        self.seats = load_seats()
        self.base_year = initial_year(state.config.seats, state.start)
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

    # --- general elections, seat by seat ------------------------------------------------

    def _national_share(self, year: int) -> float:
        """Labour's real national share at an election (vote-weighted over all seats)."""
        return float(self.seats.result(year).national_shares()[0])

    def decide_seats(self, month: str) -> tuple[seat_elections.SeatDecision, str, float | None]:
        """Which simulated seats Labour wins at this month's election.

        Returns:
            (decision, mode, vote share): mode "historical" (a given count, or
            the real result) or "computed" (the model's vote share, one draw
            from the elections stream, swung seat by seat).
        """
        s = self.state
        e, spec = s.config.elections, s.config.seats
        rows = s.clps.seat
        count = e.historical_seats.get(month)
        real = real_election_year(month)
        if count is not None and real is not None and spec.real_results:
            result = self.seats.result(real)
            decision = seat_elections.real_seats(
                result.labour_won,
                result.lab_share,
                result.lab_margin,
                rows,
                year=real,
                national_share=self._national_share(real),
            )
            return decision, "historical", None
        base = self.seats.result(self.base_year)
        swing = {
            "weights": base.valid_votes,
            "rows": rows,
            "base_year": self.base_year,
            "method": spec.swing,
            "nations": self.seats.nation,
            "nation_swing": spec.nation_swing.get(month) or None,
            "other_top": base.other_top,
            "match_national": spec.match_national,
        }
        if count is not None:
            targets = spec.targets.get(month)
            lab = targets["lab"] if targets else self._national_share(self.base_year)
            others = {k: v for k, v in targets.items() if k != "lab"} if targets else None
            ranking = seat_elections.swing_decision(
                base.shares, lab_share=lab, others=others, **swing
            )
            scaled = round(count * len(s.clps) / GB_SEATS)
            return seat_elections.ranked_count(ranking, scaled), "historical", None
        share = elections.national_vote_share(
            s.leader.ideology,
            s.leader.valence,
            e.electorate_median,
            base_share=e.base_share,
            distance_penalty=e.distance_penalty,
            valence_weight=e.valence_weight,
            noise_sd=e.noise_sd,
            rng=s.streams["elections"],
        )
        return (
            seat_elections.swing_decision(base.shares, lab_share=share, **swing),
            "computed",
            share,
        )

    def _majority(self) -> int:
        """Seats for a majority among those simulated: 326 of 650 scaled to the CLPs (326 of 632 GB seats)."""
        given = self.state.config.elections.majority_seats
        if given is not None:
            return int(given)
        return max(1, round((HOUSE_SEATS // 2 + 1) * len(self.state.clps) / GB_SEATS))

    def general_election(self) -> None:
        """A general election: seats change hands, the leader may resign or be challenged."""
        with self.state.timed("general_election"):
            s = self.state
            e = s.config.elections
            month = str(s.now)
            clps = s.clps
            held = clps.seat_held.copy()
            decision, mode, share = self.decide_seats(month)
            leader = s.leader
            # A party leader's seat is among its safest: the leader keeps it
            # whatever the swing (or a real result for a seat the real leader
            # did not sit in) says; the event records it.
            keep = [leader.clp] if leader.sitting and held[leader.clp] else []
            decision, kept = seat_elections.keep_seats(decision, keep)
            won = decision.won
            # Lost seats most marginal first; gained seats most winnable first.
            lost = np.flatnonzero(held & ~won)
            lost = lost[np.lexsort((lost, -decision.lab_margin[lost]))]
            gained = np.flatnonzero(~held & won)
            gained = gained[np.lexsort((gained, -decision.lab_margin[gained]))]
            seats = int(won.sum())
            majority = self._majority()
            result = elections.GeneralElectionResult(
                month=month,
                mode=mode,
                vote_share=share,
                seats=seats,
                seats_before=int(held.sum()),
                total_seats=len(clps),
                majority_seats=majority,
                won=seats >= majority,
                lost=tuple(int(i) for i in lost),
                gained=tuple(int(i) for i in gained),
            )
            self.last_election = result
            self.state.record_election(result.seats, result.majority_seats)
            self.last_decision = decision
            if decision.source.startswith("real result"):
                self.base_year = int(decision.source.rsplit(" ", 1)[1])
            clps.lab_share[:] = decision.lab_share
            clps.lab_margin[:] = decision.lab_margin
            clps.last_election = (
                f"{self.base_year} (real)"
                if decision.base_year is None
                else f"{month} ({decision.source} from {decision.base_year})"
            )
            for clp in result.lost:
                clps.seat_held[clp] = False
                for mp in s.sitting_mps:
                    if mp.clp == clp:
                        mp.sitting = False
            s.events.record(
                GeneralElection,
                s.now,
                decided_by="election",
                leader=leader.name,
                leader_ideology=round(leader.ideology, 6),
                **result.to_dict(),
                lost_seats=clps.labels(result.lost),
                gained_seats=clps.labels(result.gained),
                seat_source=decision.source,
                base_result=decision.base_year,
                kept_for_leader=clps.label(int(kept[0])) if kept.size else None,
            )
            by_clp = s.clp_members()
            for clp in result.gained:
                clps.seat_held[clp] = True
                self.selections.open_seat_selection(int(clp), reason="seat gained", by_clp=by_clp)
            resigns = elections.leader_resigns(
                result,
                resignation_probability=e.resignation_probability,
                rng=s.streams["elections"],
                after_gains=e.resignation_after_gains,
            )
            if resigns:
                s.events.record(
                    LeaderResigns, s.now, leader=leader.name, reason="general election defeat"
                )
                self.leadership.open_contest("vacancy")
            elif result.defeat and not elections.strengthened(result):
                self.consider_challenge("general election defeat")

    def measure(self, row: dict[str, Any]) -> None:
        """The latest poll and the seats held."""
        s = self.state
        row["poll"] = float(s.polls[-1]) if s.polls else float("nan")
        row["seats"] = int(s.clps.seat_held.sum())
