"""Event records of rule changes and the affiliates: conference, unions, the NEC, deputies.

One frozen dataclass per event type (the fields every event has: `model.records.base`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from model.records.base import OPTIONAL, Event

__all__ = [
    "AffiliateConsultation",
    "AffiliationChange",
    "AgendaVote",
    "ConferenceVote",
    "DeputyContest",
    "NecElection",
    "NecVote",
    "PackageFormed",
    "ProposalWithdrawn",
    "RuleChange",
    "UnionGsElection",
    "UnionLeadershipChange",
    "UnionNomination",
]


# --- conference ----------------------------------------------------------------------------


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
    conference: str | None = field(default=None, metadata=OPTIONAL)
    parts: list[str] | None = field(default=None, metadata=OPTIONAL)
    effect: dict[str, Any] | None = field(default=None, metadata=OPTIONAL)
    forced: bool | None = field(default=None, metadata=OPTIONAL)

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


# --- unions --------------------------------------------------------------------------------


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
    forecast_share: float | None = field(default=None, metadata=OPTIONAL)


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
    count: dict[str, Any] | None = field(default=None, metadata=OPTIONAL)


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
    electorate: dict[str, dict[str, Any]] | None = field(default=None, metadata=OPTIONAL)
    first_round_by_type: dict[str, dict[str, int]] | None = field(default=None, metadata=OPTIONAL)
    count: dict[str, Any] | None = field(default=None, metadata=OPTIONAL)
    ballots: dict[str, Any] | None = field(default=None, metadata=OPTIONAL)

    @property
    def balloted(self) -> bool:
        """A ballot was held."""
        return self.count is not None

    @property
    def rounds(self) -> list[dict[str, Any]]:
        """The count's rounds (empty without a ballot)."""
        return [] if self.count is None else list(self.count.get("rounds", []))
