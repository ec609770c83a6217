"""CLP annual general meetings: those who attend elect the executive."""

from __future__ import annotations

import numpy as np

from model.institutions.base import Institution, Stage
from model.mechanisms import meetings
from model.records.events import Agm


class Agms(Institution):
    """Each CLP holds its AGM once a year, in its own month; a meeting elects the executive.

    Attendance is drawn at the meeting's real size; the executive's places
    go by the rule in `[meetings]`; a faction with a majority of places
    controls the CLP.
    """

    name = "agms"
    RANK = 10  # first: executives elected this month act in this month's other events

    def stages(self) -> list[Stage]:
        """The AGMs due this month (events)."""
        return [
            Stage(
                self.RANK,
                "agm",
                None,
                "each CLP once a year, in its AGM month",
                "CLP AGMs elect executives",
                decided_by="meeting",
            )
        ]

    def schedule(self) -> None:
        """One recurring event per calendar month handles the CLPs meeting then."""
        s = self.state
        for calendar_month in range(1, 13):
            first = (calendar_month - s.start.month) % 12 + 1
            s.schedule_every(self.hold, interval=12, start=first, rank=self.RANK)

    def settle_initial_control(self) -> None:
        """Control at the start: what an ordinary, unmobilised round of meetings gives.

        Not recorded as events (nothing was decided in the run).
        """
        s = self.state
        all_clps = np.arange(len(s.clps))
        result = self.meet(all_clps, targeted=np.zeros((len(s.factions), len(s.clps)), bool))
        s.clps.control[:] = result.winner
        s.clps.places = result.places

    def meet(self, clps: np.ndarray, targeted: np.ndarray) -> meetings.MeetingResult:
        """Hold the executive-electing meetings of some CLPs (meetings.hold_meetings)."""
        s = self.state
        m = s.members
        in_meeting = np.zeros(len(s.clps), dtype=bool)
        in_meeting[clps] = True
        # The full members and their CLPs, as the table keeps them for the month.
        # (`take` looks the CLPs up about twice as fast as indexing by an array.)
        full_clps = m.full_member_clps()
        here = np.flatnonzero(in_meeting.take(full_clps))
        specs = [f.spec for f in s.factions]
        spec = s.config.meetings
        # At a small scale a CLP's simulated members stand for only part of
        # its real members; the rest are drawn from the party's (own_share).
        own = s.clp_own_share()[np.sort(clps)]
        ids = m.full_member_ids()[here]
        mobilisation = np.array([sp.mobilisation for sp in specs])
        return meetings.hold_meetings(
            np.sort(clps),
            full_clps[here],
            ids,
            ideology=m.ideology,
            activism=m.activism,
            faction=m.faction,
            clp=m.clp,
            targeted=targeted,
            mobilisation=mobilisation,
            faction_lines=s.faction_lines,
            discipline=np.array([sp.slate_discipline for sp in specs]),
            affinity=spec.unaligned_affinity,
            unorganised_weight=spec.unorganised_weight,
            independent_weight=spec.independent_weight,
            places=spec.executive_places,
            method=spec.executive_election,
            incumbent=s.clps.control[np.sort(clps)],
            scale=s.meeting_scale,
            rng=s.streams["meetings"],
            own=own,
            pool=m.full_member_ids(),
            typical=s.typical_attendance(ids, targeted, mobilisation),
        )

    def hold(self) -> None:
        """This month's CLP annual general meetings (a meeting decides)."""
        s = self.state
        with s.timed("agm"):
            meeting = np.flatnonzero(s.clps.agm_month == s.now.month)
            if meeting.size == 0:
                return
            result = self.meet(meeting, s.targeted)
            names = [f.name for f in s.factions] + ["unaligned"]
            # The records' plain values, converted once for all the meetings.
            now = s.now
            before = s.clps.control[result.units].tolist()
            after = result.winner.tolist()
            eligible, attendees = result.eligible.tolist(), result.attendees.tolist()
            votes, places = result.votes.tolist(), result.places.tolist()
            targeted = s.targeted[:, result.units].T.tolist()
            lots = result.ties_broken.tolist()
            for i, clp in enumerate(result.units.tolist()):
                s.events.record(
                    Agm,
                    now,
                    decided_by="meeting",
                    clp=clp,
                    eligible=eligible[i],
                    attendees=attendees[i],
                    votes=dict(zip(names, votes[i], strict=True)),
                    places=dict(zip(names, places[i], strict=True)),
                    targeted_by=[
                        f.name for f, on in zip(s.factions, targeted[i], strict=True) if on
                    ],
                    control_before=s.faction_name(before[i]),
                    control_after=s.faction_name(after[i]),
                    tie_broken=lots[i],
                )
            s.clps.control[result.units] = result.winner
            s.clps.places[result.units] = result.places
