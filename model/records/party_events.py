"""Event records of the party's own bodies: CLPs, the leadership, reselection, elections.

One frozen dataclass per event type (the fields every event has: `model.records.base`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from model.records.base import OPTIONAL, Event

__all__ = [
    "Agm",
    "ChallengeLaunched",
    "ContestNotHeld",
    "GeneralElection",
    "LeaderResigns",
    "LeadershipContest",
    "Retirement",
    "Selection",
    "TriggerBallot",
]


# --- CLPs ----------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Agm(Event):
    """A CLP's annual general meeting elects its executive (decided by those who attend).

    Attributes:
        clp: the CLP's index; seat its seat's name.
        eligible: full members entitled to attend (the real number the CLP stands for).
        attendees: members who came (real size).
        votes: attendees' votes by slate for the first place (each faction's, and "unaligned").
        places: executive places won by each slate.
        targeted_by: factions that mobilised for this meeting.
        control_before, control_after: the faction with a majority of the
            executive's places (or "unaligned": none) before and after.
        tie_broken: lot settled a place.
    """

    type: ClassVar[str] = "agm"
    decisions: ClassVar[tuple[str, ...]] = ("meeting",)

    decided_by: str = "meeting"
    clp: int
    seat: str | None = field(default=None, metadata=OPTIONAL)
    eligible: int
    attendees: int
    votes: dict[str, int]
    places: dict[str, int]
    targeted_by: list[str]
    control_before: str
    control_after: str
    tie_broken: bool

    @property
    def changed_hands(self) -> bool:
        """Control of the executive changed at this meeting."""
        return self.control_before != self.control_after


# --- the leadership ------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class LeadershipContest(Event):
    """A leadership contest: nominations, and the ballot if one was held.

    Attributes:
        kind: "vacancy" or "challenge".
        opened: the month nominations closed, "YYYY-MM".
        outcome: "ballot", "elected unopposed" or "challenge failed at nominations".
        rules: the rule set's name; rules_label its one-line description.
        electorate_rule: "omov" or "college".
        nominations: {"candidates": [candidate dicts], "plp_threshold", "plp",
            "clps", "clps_nominating", "affiliates", "qualified"} (per-candidate
            dicts keyed by name).
        on_ballot: names of the candidates on the ballot.
        previous_leader: the leader before the contest.
        winner, winner_faction, winner_ideology: who won (None if nobody).
        electorate: per voter type {"eligible", "voted", "turnout"} (ballots only).
        first_round_by_type: per voter type, first preferences per candidate.
        members_by_joining_month: full members' first preferences per
            candidate, by the month they joined ("YYYY-MM"; members of the
            starting membership carry their drawn joining month), so that
            the electorate can be split by length of membership.
        count: the count (`CountResult.to_dict()`), every round by section.
        ballots: the grouped ballots counted (replayable).
    """

    type: ClassVar[str] = "leadership_contest"
    decisions: ClassVar[tuple[str, ...]] = ("ballot", "rule")

    decided_by: str
    kind: str
    opened: str
    outcome: str
    rules: str
    rules_label: str
    electorate_rule: str
    nominations: dict[str, Any]
    on_ballot: list[str]
    previous_leader: str
    winner: str | None
    winner_faction: str | None
    winner_ideology: float | None
    electorate: dict[str, dict[str, Any]] | None = field(default=None, metadata=OPTIONAL)
    first_round_by_type: dict[str, dict[str, int]] | None = field(default=None, metadata=OPTIONAL)
    count: dict[str, Any] | None = field(default=None, metadata=OPTIONAL)
    ballots: dict[str, Any] | None = field(default=None, metadata=OPTIONAL)
    members_by_joining_month: dict[str, dict[str, int]] | None = field(
        default=None, metadata=OPTIONAL
    )

    @property
    def balloted(self) -> bool:
        """A ballot was held (rather than an unopposed result or a failed challenge)."""
        return self.count is not None

    @property
    def rounds(self) -> list[dict[str, Any]]:
        """The count's rounds (empty without a ballot)."""
        return [] if self.count is None else list(self.count.get("rounds", []))

    def members_by_cohort(self, cuts: list[str]) -> list[dict[str, int]]:
        """Members' first preferences in the cohorts that `cuts` divide them into.

        Args:
            cuts: ascending months "YYYY-MM"; cohort k holds those who joined
                in or after cuts[k-1] and before cuts[k] (the first: before
                cuts[0]; the last: in or after cuts[-1]).

        Returns:
            len(cuts) + 1 tallies, candidate -> first preferences (empty
            tallies where the record holds no joining months).
        """
        cohorts: list[dict[str, int]] = [
            dict.fromkeys(self.on_ballot, 0) for _ in range(len(cuts) + 1)
        ]
        for month, tally in (self.members_by_joining_month or {}).items():
            k = sum(month >= cut for cut in cuts)
            for name, n in tally.items():
                cohorts[k][name] = cohorts[k].get(name, 0) + n
        return cohorts

    def candidate(self, name: str) -> dict[str, Any] | None:
        """A declared candidate's record (name, ideology, valence, faction, incumbent)."""
        for c in self.nominations.get("candidates", []):
            if c.get("name") == name:
                return c
        return None


@dataclass(frozen=True, kw_only=True)
class LeaderResigns(Event):
    """The leader goes (defeat, a lost seat, deselection); a contest for the vacancy follows.

    Attributes:
        leader: the leader who resigns.
        reason: "general election defeat", "lost seat" or "deselected".
    """

    type: ClassVar[str] = "leader_resigns"

    leader: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class ChallengeLaunched(Event):
    """MPs turn on the leader after a shock and a challenge is launched.

    Attributes:
        shock: what set it off ("poll slump", "general election defeat").
        share_of_mps_far: share of MPs far from the leader.
    """

    type: ClassVar[str] = "challenge_launched"

    shock: str
    share_of_mps_far: float


@dataclass(frozen=True, kw_only=True)
class ContestNotHeld(Event):
    """A scheduled contest is not held: the leader it was aimed at does not lead.

    Attributes:
        kind: the contest's kind ("vacancy" or "challenge").
        leader: who leads when it was due.
        if_leader: the leaders it was to be held against.
    """

    type: ClassVar[str] = "contest_not_held"

    kind: str
    leader: str
    if_leader: list[str]


# --- reselection ---------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class TriggerBallot(Event):
    """One sitting MP's trigger ballot (and the full selection if triggered).

    Attributes:
        mp: the MP's name; clp the seat's CLP; seat the seat's name.
        mp_ideology, mp_faction: the MP's position and faction (or "unaligned").
        rule: the reselection method in force.
        members_ballot: {"keep", "against"} (a members' supermajority rule only).
        branches: the branch meetings' tally {"for_selection", "against",
            "branches_for", "branches_voting"} (branch-meeting rules only).
        affiliates: {"for_selection", "total", "by_union"} (branch-meeting rules only).
        outcome: the rules' decision (`TriggerOutcome.to_dict()`), with
            "full_selection".
        selection: {"candidates", "count"} of the full selection, if held,
            with "refused" (challengers the NEC would not endorse) where it
            vets selections.
        result: "reselected automatically", "reselected unopposed",
            "reselected in full selection" or "deselected".
    """

    type: ClassVar[str] = "trigger_ballot"
    decisions: ClassVar[tuple[str, ...]] = ("meeting", "ballot", "rule")

    decided_by: str
    mp: str
    clp: int
    seat: str | None = field(default=None, metadata=OPTIONAL)
    mp_ideology: float
    mp_faction: str
    rule: str
    members_ballot: dict[str, int] | None = field(default=None, metadata=OPTIONAL)
    branches: dict[str, Any] | None = field(default=None, metadata=OPTIONAL)
    affiliates: dict[str, Any] | None = field(default=None, metadata=OPTIONAL)
    outcome: dict[str, Any]
    selection: dict[str, Any] | None = field(default=None, metadata=OPTIONAL)
    result: str

    @property
    def full_selection(self) -> bool:
        """The MP faced a full selection."""
        return bool(self.outcome.get("full_selection"))

    @property
    def deselected(self) -> bool:
        """The MP lost the full selection."""
        return self.result == "deselected"


@dataclass(frozen=True, kw_only=True)
class Selection(Event):
    """An open-seat selection: the CLP's members choose a candidate by ballot.

    Attributes:
        clp: the CLP; seat its seat's name.
        reason: why the seat was open ("retirement", "seat gained").
        candidates: candidate dicts (name, ideology, valence, faction, incumbent).
        count: the count, or None if one candidate stood.
        winner, winner_faction: the new MP (decided by "rule" where nobody
            stood and the NEC imposed a candidate).
        refused: candidates the members chose whom the NEC refused to
            endorse, in order (only where it vets selections).
    """

    type: ClassVar[str] = "selection"
    decisions: ClassVar[tuple[str, ...]] = ("ballot", "rule")

    decided_by: str = "ballot"
    clp: int
    seat: str | None = field(default=None, metadata=OPTIONAL)
    reason: str
    candidates: list[dict[str, Any]]
    count: dict[str, Any] | None
    winner: str | None
    winner_faction: str | None
    refused: list[str] | None = field(default=None, metadata=OPTIONAL)


@dataclass(frozen=True, kw_only=True)
class Retirement(Event):
    """An MP stands down; an open-seat selection follows.

    Attributes:
        mp: the MP; clp the seat's CLP; seat the seat's name.
    """

    type: ClassVar[str] = "retirement"

    mp: str
    clp: int
    seat: str | None = field(default=None, metadata=OPTIONAL)


# --- national politics ---------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class GeneralElection(Event):
    """A general election: the party's seats change.

    Attributes:
        leader, leader_ideology: who led the party into it.
        mode: "computed" (vote share and seats curve) or "historical".
        vote_share: national vote share (None in historical mode).
        seats, seats_before, total_seats, majority_seats: seats won, held
            before, in the house, needed for a majority.
        won: the party won a majority.
        seats_lost, seats_gained: counts; lost_clps, gained_clps the CLPs.
        lost_seats, gained_seats: the names of those seats, in the same order.
        seat_source: how the seats were decided: "real result YEAR" (the
            seats Labour really won, by ONS code), "uniform swing" or
            "proportional swing" from the base result (computed mode), or
            "count ranked by uniform swing" (a historical count handed to the
            seats the swing model ranks best, e.g. 2024 on the old map).
        base_result: the real election the swing starts from (swing modes).
        kept_for_leader: the leader's seat, when Labour keeps it although the
            result would have lost it (a leader does not lose their seat).
    """

    type: ClassVar[str] = "general_election"
    decisions: ClassVar[tuple[str, ...]] = ("election",)

    decided_by: str = "election"
    leader: str
    leader_ideology: float
    mode: str
    vote_share: float | None
    seats: int
    seats_before: int
    total_seats: int
    majority_seats: int
    won: bool
    seats_lost: int
    seats_gained: int
    lost_clps: list[int]
    gained_clps: list[int]
    lost_seats: list[str] | None = field(default=None, metadata=OPTIONAL)
    gained_seats: list[str] | None = field(default=None, metadata=OPTIONAL)
    seat_source: str | None = field(default=None, metadata=OPTIONAL)
    base_result: int | None = field(default=None, metadata=OPTIONAL)
    kept_for_leader: str | None = field(default=None, metadata=OPTIONAL)
