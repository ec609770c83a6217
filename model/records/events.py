"""Event records: one frozen dataclass per event type, declared once.

Every institution records what it decided as one of these. The event log
(`events.jsonl`) holds each as one JSON object: ``type``, ``month``, then
``decided_by`` for decisions (MODEL.md §4: a meeting, a ballot, a card vote,
an election or a rule), then the event's own fields in the order declared
here. Readers (measures, validation, figures, reports, the web page) turn the
JSON back into these classes with :func:`event_from_dict`, so a field that the
model does not emit is an error at once, never a silent ``None``.

Nested payloads that come from a mechanism's own result (a count, a branch
tally, the nominations) are kept as the JSON the mechanism wrote; their shape
is documented on the field, and the accessors on each class read them.

``SCHEMA`` is the version of this layout, written to every run's
``manifest.json``; it changes whenever a field is added, removed or renamed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, ClassVar, NamedTuple

import numpy as np

from model.calendar import Month

SCHEMA = 4
"""Version of the event layout (bump on any change of fields).

2: seat names next to CLP indices (``seat`` of agm, trigger_ballot, selection,
retirement; ``lost_seats``/``gained_seats``, ``seat_source``, ``base_result``,
``kept_for_leader`` of general_election).
3: executive places won per slate (``places`` of agm).
4: the affiliates, the NEC and the road to conference (union_leadership_change,
affiliation_change, union_nomination, affiliate_consultation, proposal_withdrawn,
package_formed, nec_vote, agenda_vote, nec_election, deputy_contest; conference,
parts, effect and forced of conference_vote; rule_change decided by an NEC meeting).
"""

DECIDED_BY = ("meeting", "ballot", "rule", "election", "card vote")
"""How a decision was taken (MODEL.md §4)."""

_OPTIONAL = {"optional": True}
"""Field metadata: left out of the JSON when None (the event did not have it)."""

_PLAIN = frozenset({str, int, bool, type(None)})


def jsonable(value: Any) -> Any:
    """Convert numpy scalars/arrays, Fractions and Months into JSON-safe values.

    Floats are rounded to 10 decimal places so that the same run gives the
    same bytes on any platform that agrees to that precision.
    """
    # Fast path for the plain values most records are made of (an exact type
    # check is much cheaper than the isinstance chain below).
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind is float:
        return round(value, 10)
    if kind is list:
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return [jsonable(v) for v in value.tolist()]
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating | float):
        return round(float(value), 10)
    if isinstance(value, Fraction):
        return str(value)
    if isinstance(value, Month):
        return str(value)
    return value


class EventError(ValueError):
    """An event record that does not fit its declared type (message fit for a user)."""


@dataclass(frozen=True, kw_only=True)
class Event:
    """Fields every event has.

    Attributes:
        month: the month it happened, "YYYY-MM".
    """

    type: ClassVar[str] = ""
    decisions: ClassVar[tuple[str, ...]] = ()
    """The values `decided_by` may take for this type (empty: not a decision)."""

    month: str

    def __post_init__(self) -> None:
        decided_by = getattr(self, "decided_by", None)
        if self.decisions and decided_by not in self.decisions:
            raise EventError(
                f"{self.type}: decided_by must be one of {self.decisions}, got {decided_by!r}"
            )

    @classmethod
    def create(cls, month: Month | str, /, **fields: Any) -> Event:
        """Build an event from model values (numpy, Fractions...) made JSON-safe.

        Holding the JSON-safe values means an event in memory equals the same
        event read back from `events.jsonl`.
        """
        return cls(month=str(month), **{k: jsonable(v) for k, v in fields.items()})

    def to_dict(self) -> dict[str, Any]:
        """The JSON object for `events.jsonl`: type, month, decided_by, then the fields."""
        out: dict[str, Any] = {"type": self.type, "month": self.month}
        decided_by = getattr(self, "decided_by", None)
        if decided_by is not None:
            out["decided_by"] = decided_by
        for f in _payload_fields(type(self)):
            value = getattr(self, f.name)
            if value is None and f.metadata.get("optional"):
                continue
            out[f.name] = value
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Event:
        """The event from its JSON object (as `to_dict` wrote it)."""
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - names - {"type"})
        if unknown:
            raise EventError(
                f"{cls.type} event of {data.get('month')}: unknown field(s) {unknown} "
                f"(allowed: {sorted(names)})"
            )
        try:
            return cls(**{k: v for k, v in data.items() if k != "type"})
        except TypeError as err:
            raise EventError(f"{cls.type} event of {data.get('month')}: {err}") from None


def _payload_fields(cls: type[Event]) -> tuple[dataclasses.Field, ...]:
    return tuple(f for f in dataclasses.fields(cls) if f.name not in ("month", "decided_by"))


# --- CLPs ------------------------------------------------------------------------


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
    seat: str | None = field(default=None, metadata=_OPTIONAL)
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


# --- the leadership -----------------------------------------------------------------


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
    electorate: dict[str, dict[str, Any]] | None = field(default=None, metadata=_OPTIONAL)
    first_round_by_type: dict[str, dict[str, int]] | None = field(default=None, metadata=_OPTIONAL)
    count: dict[str, Any] | None = field(default=None, metadata=_OPTIONAL)
    ballots: dict[str, Any] | None = field(default=None, metadata=_OPTIONAL)

    @property
    def balloted(self) -> bool:
        """A ballot was held (rather than an unopposed result or a failed challenge)."""
        return self.count is not None

    @property
    def rounds(self) -> list[dict[str, Any]]:
        """The count's rounds (empty without a ballot)."""
        return [] if self.count is None else list(self.count.get("rounds", []))

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


# --- reselection ----------------------------------------------------------------------


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
        selection: {"candidates", "count"} of the full selection, if held.
        result: "reselected automatically", "reselected unopposed",
            "reselected in full selection" or "deselected".
    """

    type: ClassVar[str] = "trigger_ballot"
    decisions: ClassVar[tuple[str, ...]] = ("meeting", "ballot", "rule")

    decided_by: str
    mp: str
    clp: int
    seat: str | None = field(default=None, metadata=_OPTIONAL)
    mp_ideology: float
    mp_faction: str
    rule: str
    members_ballot: dict[str, int] | None = field(default=None, metadata=_OPTIONAL)
    branches: dict[str, Any] | None = field(default=None, metadata=_OPTIONAL)
    affiliates: dict[str, Any] | None = field(default=None, metadata=_OPTIONAL)
    outcome: dict[str, Any]
    selection: dict[str, Any] | None = field(default=None, metadata=_OPTIONAL)
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
    """

    type: ClassVar[str] = "selection"
    decisions: ClassVar[tuple[str, ...]] = ("ballot", "rule")

    decided_by: str = "ballot"
    clp: int
    seat: str | None = field(default=None, metadata=_OPTIONAL)
    reason: str
    candidates: list[dict[str, Any]]
    count: dict[str, Any] | None
    winner: str | None
    winner_faction: str | None


@dataclass(frozen=True, kw_only=True)
class Retirement(Event):
    """An MP stands down; an open-seat selection follows.

    Attributes:
        mp: the MP; clp the seat's CLP; seat the seat's name.
    """

    type: ClassVar[str] = "retirement"

    mp: str
    clp: int
    seat: str | None = field(default=None, metadata=_OPTIONAL)


# --- national politics ------------------------------------------------------------------


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
    lost_seats: list[str] | None = field(default=None, metadata=_OPTIONAL)
    gained_seats: list[str] | None = field(default=None, metadata=_OPTIONAL)
    seat_source: str | None = field(default=None, metadata=_OPTIONAL)
    base_result: int | None = field(default=None, metadata=_OPTIONAL)
    kept_for_leader: str | None = field(default=None, metadata=_OPTIONAL)


# --- conference -----------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class ConferenceVote(Event):
    """A card vote on one rule-change proposal at annual conference.

    Attributes:
        balance: the position where delegates are indifferent to change (with
            stances by interests: the leadership arena's balance point before).
        title, proposer, key, direction, changes: the proposal.
        passes: it passed; share_for the weighted share for (share_for_exact
            as a fraction); majority_required the share it had to exceed.
        blocs: {"affiliates": {...}, "clps": {...}} votes and shares by bloc
            (each half's share_for: the two halves of the card vote).
        unions: each affiliate's block vote {"name", "votes", "vote"} ("for",
            "against" or "abstain"), with its stance's parts when judged by interests.
        conference: "annual" or "special" (None in older runs).
        parts: the parts voted on as one package.
        effect: what the change does (rule_power.ChangeEffect.to_dict()).
        forced: a counterfactual that passes whatever the vote (None: not forced).
    """

    type: ClassVar[str] = "conference_vote"
    decisions: ClassVar[tuple[str, ...]] = ("card vote",)

    decided_by: str = "card vote"
    balance: float
    title: str
    proposer: str
    key: str
    direction: float
    changes: dict[str, Any]
    passes: bool
    share_for: float
    share_for_exact: str
    majority_required: str
    blocs: dict[str, dict[str, Any]]
    unions: list[dict[str, Any]]
    conference: str | None = field(default=None, metadata=_OPTIONAL)
    parts: list[str] | None = field(default=None, metadata=_OPTIONAL)
    effect: dict[str, Any] | None = field(default=None, metadata=_OPTIONAL)
    forced: bool | None = field(default=None, metadata=_OPTIONAL)

    @property
    def affiliates_for(self) -> float:
        """Share of the affiliates' half for."""
        return float(self.blocs["affiliates"]["share_for"])

    @property
    def clps_for(self) -> float:
        """Share of the CLPs' half for."""
        return float(self.blocs["clps"]["share_for"])


@dataclass(frozen=True, kw_only=True)
class RuleChange(Event):
    """The rules in force change (proposals passed at conference, or an NEC procedural decision).

    Attributes:
        proposals: titles of the proposals adopted.
        changes: field path -> {"before", "after"} for each changed rule.
        rules_before, rules_after: one-line descriptions of the rule sets.
    """

    type: ClassVar[str] = "rule_change"
    decisions: ClassVar[tuple[str, ...]] = ("card vote", "meeting")

    decided_by: str = "card vote"
    proposals: list[str]
    changes: Any
    rules_before: str
    rules_after: str


# --- unions ---------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class UnionGsElection(Event):
    """A union's members elect its general secretary.

    Attributes:
        union: the union.
        previous, winner, moved: the leadership's position before, after,
            and the change.
        continuity_won: the continuity candidate won.
        candidates: candidates' positions; votes their votes.
        winner_share: the winner's share of votes cast.
        members_mean, members_sd: the union members' ideology distribution.
    """

    type: ClassVar[str] = "union_gs_election"
    decisions: ClassVar[tuple[str, ...]] = ("ballot",)

    decided_by: str = "ballot"
    union: str
    previous: float
    winner: float
    moved: float
    continuity_won: bool
    candidates: list[float]
    votes: list[int]
    winner_share: float
    members_mean: float
    members_sd: float


@dataclass(frozen=True, kw_only=True)
class UnionLeadershipChange(Event):
    """A new general secretary takes office (an election held by the union's own members).

    Attributes:
        union: the affiliate.
        general_secretary, previous: the new and the outgoing general secretary.
        ideology, previous_ideology: the leadership's position after and before.
        source: "scenario" (historical, from the scenario's timeline).
    """

    type: ClassVar[str] = "union_leadership_change"
    decisions: ClassVar[tuple[str, ...]] = ("ballot",)

    decided_by: str = "ballot"
    union: str
    general_secretary: str
    previous: str
    ideology: float
    previous_ideology: float
    source: str


@dataclass(frozen=True, kw_only=True)
class AffiliationChange(Event):
    """An affiliate changes the number of levy payers it affiliates (0: disaffiliated).

    Attributes:
        union: the affiliate.
        levy_payers_before, levy_payers_after: affiliated levy payers (this run's scale).
    """

    type: ClassVar[str] = "affiliation_change"

    union: str
    levy_payers_before: int
    levy_payers_after: int


@dataclass(frozen=True, kw_only=True)
class UnionNomination(Event):
    """An affiliate's nomination in a leadership or deputy contest.

    Attributes:
        office: "leader" or "deputy".
        union: the affiliate; procedure how it decides.
        candidates: the candidates it chose among.
        nominee: whom it nominated (None: nobody).
        reason: "nominated", "no clear consensus" or "does not nominate".
        leadership_choice: the leadership's own choice (None: none within reach).
        consulted: whose preferences were polled; consulted_shares their first preferences.
        support: the weighted support per candidate.
    """

    type: ClassVar[str] = "union_nomination"
    decisions: ClassVar[tuple[str, ...]] = ("meeting", "ballot")

    decided_by: str
    office: str
    union: str
    procedure: str
    candidates: list[str]
    nominee: str | None
    reason: str
    leadership_choice: str | None
    consulted: str
    consulted_shares: dict[str, float]
    support: dict[str, float]


@dataclass(frozen=True, kw_only=True)
class AffiliateConsultation(Event):
    """The proposer consults the affiliates (TULO) on a rule change, and decides what to do.

    Attributes:
        title, proposer: the proposal.
        notice_months: months from tabling to the vote.
        needs_consultation: the change touches the affiliates' own rights.
        stances: each affiliate's {"name", "votes", "stance", ...parts}.
        decision: the proposer's decision (agenda.RoadDecision.to_dict()): action
            ("proceed", "amend", "defer", "withdraw"), parts kept and dropped, forecasts.
    """

    type: ClassVar[str] = "affiliate_consultation"
    decisions: ClassVar[tuple[str, ...]] = ("meeting",)

    decided_by: str = "meeting"
    title: str
    proposer: str
    notice_months: int
    needs_consultation: bool
    stances: list[dict[str, Any]]
    decision: dict[str, Any]

    @property
    def action(self) -> str:
        """ "proceed", "amend", "defer" or "withdraw"."""
        return str(self.decision.get("action"))


@dataclass(frozen=True, kw_only=True)
class ProposalWithdrawn(Event):
    """A proposal does not reach the card vote (withdrawn by its proposer, or not tabled by the NEC).

    Attributes:
        title, proposer: the proposal.
        stage: "consultation" (the proposer withdrew) or "nec" (the NEC would not table it).
        reason: why.
        forecast_share: the forecast share for at withdrawal (None at the NEC stage).
    """

    type: ClassVar[str] = "proposal_withdrawn"

    title: str
    proposer: str
    stage: str
    reason: str
    forecast_share: float | None = field(default=None, metadata=_OPTIONAL)


@dataclass(frozen=True, kw_only=True)
class PackageFormed(Event):
    """Proposals put to conference as one package (one card vote).

    Attributes:
        title: the package; proposer its proposer.
        members: the titles bundled.
        forecast: the proposer's forecast of the package.
    """

    type: ClassVar[str] = "package_formed"

    title: str
    proposer: str
    members: list[str]
    forecast: dict[str, Any]


@dataclass(frozen=True, kw_only=True)
class NecVote(Event):
    """The NEC votes: to table a proposal, to recommend on a motion, or to decide a procedure.

    Attributes:
        title, proposer: what it voted on.
        purpose: "table", "recommend" or "decide".
        result: {"for", "against", "abstained", "passes", "by_section"}.
        changes: the rule changes voted on.
    """

    type: ClassVar[str] = "nec_vote"
    decisions: ClassVar[tuple[str, ...]] = ("meeting",)

    decided_by: str = "meeting"
    title: str
    proposer: str
    purpose: str
    result: dict[str, Any]
    changes: dict[str, Any]

    @property
    def passes(self) -> bool:
        """The NEC carried it."""
        return bool(self.result.get("passes"))


@dataclass(frozen=True, kw_only=True)
class AgendaVote(Event):
    """Conference votes on the Conference Arrangements Committee's report: whether rival motions wait.

    A vote for the report puts the NEC's proposal first, and rival motions on
    the same rules fall if it passes; a reference back would hear the rivals first.

    Attributes:
        proposal: the NEC's proposal; rivals the motions kept waiting.
        passes, share_for: the report carried, and its weighted share.
        blocs: votes and shares by half, as in ConferenceVote.
        unions: each affiliate's vote.
    """

    type: ClassVar[str] = "agenda_vote"
    decisions: ClassVar[tuple[str, ...]] = ("card vote",)

    decided_by: str = "card vote"
    proposal: str
    rivals: list[str]
    passes: bool
    share_for: float
    blocs: dict[str, dict[str, Any]]
    unions: list[dict[str, Any]]


@dataclass(frozen=True, kw_only=True)
class NecElection(Event):
    """Members elect the NEC's CLP section (or fill some of its seats in a by-election).

    Attributes:
        system: "block_vote" or "stv"; seats the seats filled; by_election a partial election.
        eligible, voters: members entitled to vote, and who voted (this run's scale).
        slates: each slate's {"name", "position", "faction", "candidates"}.
        slate_first: first-choice votes per slate.
        elected: [{"candidate", "slate"}] in order of election.
        seats_by_slate: seats won per slate.
        seats_by_faction: seats won per faction ("unaligned" for slates of no faction).
        candidate_votes: votes (block vote) or first preferences (STV) per candidate.
        count: the STV count (None for the block vote).
    """

    type: ClassVar[str] = "nec_election"
    decisions: ClassVar[tuple[str, ...]] = ("ballot",)

    decided_by: str = "ballot"
    system: str
    seats: int
    by_election: bool
    eligible: int
    voters: int
    slates: list[dict[str, Any]]
    slate_first: dict[str, int]
    elected: list[dict[str, str]]
    seats_by_slate: dict[str, int]
    seats_by_faction: dict[str, int]
    candidate_votes: dict[str, int]
    count: dict[str, Any] | None = field(default=None, metadata=_OPTIONAL)


@dataclass(frozen=True, kw_only=True)
class DeputyContest(Event):
    """A deputy-leadership contest: the same nominations, electorate and count as the leader's.

    Attributes: as LeadershipContest (``previous_leader`` is the previous deputy).
    """

    type: ClassVar[str] = "deputy_contest"
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
    electorate: dict[str, dict[str, Any]] | None = field(default=None, metadata=_OPTIONAL)
    first_round_by_type: dict[str, dict[str, int]] | None = field(default=None, metadata=_OPTIONAL)
    count: dict[str, Any] | None = field(default=None, metadata=_OPTIONAL)
    ballots: dict[str, Any] | None = field(default=None, metadata=_OPTIONAL)

    @property
    def balloted(self) -> bool:
        """A ballot was held."""
        return self.count is not None

    @property
    def rounds(self) -> list[dict[str, Any]]:
        """The count's rounds (empty without a ballot)."""
        return [] if self.count is None else list(self.count.get("rounds", []))


class EventMark(NamedTuple):
    """An event reduced to where it is drawn: its type and month (e.g. common to many runs)."""

    type: str
    month: str


# --- the registry -----------------------------------------------------------------------

EVENT_TYPES: dict[str, type[Event]] = {
    cls.type: cls
    for cls in (
        Agm,
        LeadershipContest,
        LeaderResigns,
        ChallengeLaunched,
        TriggerBallot,
        Selection,
        Retirement,
        GeneralElection,
        ConferenceVote,
        RuleChange,
        UnionGsElection,
        UnionLeadershipChange,
        AffiliationChange,
        UnionNomination,
        AffiliateConsultation,
        ProposalWithdrawn,
        PackageFormed,
        NecVote,
        AgendaVote,
        NecElection,
        DeputyContest,
    )
}
"""Every event type by its `type` name."""


def event_from_dict(data: Mapping[str, Any]) -> Event:
    """The typed event for one JSON object of `events.jsonl`.

    Raises:
        EventError: the type is unknown or the fields do not match it.
    """
    kind = data.get("type")
    cls = EVENT_TYPES.get(kind) if isinstance(kind, str) else None
    if cls is None:
        raise EventError(
            f"unknown event type {kind!r} (known: {', '.join(sorted(EVENT_TYPES))}); "
            f"the file may come from another version of party-factions (event schema {SCHEMA})"
        )
    return cls.from_dict(data)


def event_class(kind: str | type[Event]) -> type[Event]:
    """The class of an event type given by name or class."""
    if isinstance(kind, type):
        return kind
    try:
        return EVENT_TYPES[kind]
    except KeyError:
        raise EventError(
            f"unknown event type {kind!r} (known: {', '.join(sorted(EVENT_TYPES))})"
        ) from None
