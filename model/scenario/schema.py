"""Scenario files: the TOML schema, loading and validation.

A scenario says everything a run needs apart from the seed: the size of the
party, the initial distributions, the behavioural parameters, the calendar and
the rules in force. Loading validates all of it; a bad file gives one
`ScenarioError` whose message names the file, the key path and what is
allowed, so the command line can print it and exit with status 2.
"""

from __future__ import annotations

import copy
import math
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from model.calendar import Month
from model.scenario.seats import SeatSpec, check_seats

SHARE_TOLERANCE = 1e-9

Share = Annotated[float, Field(ge=0.0, le=1.0)]
Ideology = Annotated[float, Field(ge=-1.0, le=1.0)]


def _check_month(value: str) -> str:
    Month.parse(value)
    return value


# A calendar month written "YYYY-MM", checked when the scenario loads.
MonthText = Annotated[str, AfterValidator(_check_month)]


class ScenarioError(ValueError):
    """A scenario file that cannot be used, with a message fit for a user.

    Attributes:
        file: the scenario file (or "<scenario>" for an in-memory mapping).
        problems: one line per problem: "key.path: what is wrong (what is allowed)".
    """

    def __init__(self, file: str, problems: list[str]):
        self.file = file
        self.problems = problems
        lines = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"invalid scenario {file}:\n{lines}")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ScenarioInfo(_Strict):
    """Name and purpose of the scenario."""

    name: str = Field(description="Short identifier used in result folders and plots.")
    description: str = Field("", description="What the scenario is for.")


class CalendarSpec(_Strict):
    """When the run starts and how long it lasts (one step is one month)."""

    start: MonthText = Field(description='First simulated month, "YYYY-MM".')
    months: int = Field(gt=0, le=1200, description="Number of months to run.")


class IdeologyComponent(_Strict):
    """One normal component of a mixture over the left (-1) .. right (+1) axis."""

    weight: Share
    mean: Ideology
    sd: float = Field(gt=0.0, le=2.0)


def _weights_sum_to_one(value: list[IdeologyComponent]) -> list[IdeologyComponent]:
    total = sum(c.weight for c in value)
    if abs(total - 1.0) > SHARE_TOLERANCE:
        raise ValueError(f"component weights must sum to 1 (they sum to {total:g})")
    return value


# A mixture of normals over the ideological axis; weights sum to 1.
Mixture = Annotated[
    list[IdeologyComponent], Field(min_length=1), AfterValidator(_weights_sum_to_one)
]


class BetaSpec(_Strict):
    """A Beta(alpha, beta) distribution for a propensity in [0, 1]."""

    alpha: float = Field(gt=0.0, le=1000.0)
    beta: float = Field(gt=0.0, le=1000.0)

    @property
    def mean(self) -> float:
        """Mean of the distribution."""
        return self.alpha / (self.alpha + self.beta)


class PartySpec(_Strict):
    """Size of the party at full scale and the `scale` a run uses."""

    scale: float = Field(
        gt=0.0, le=2.0, description="Fraction of real-world membership (1.0 = full size)."
    )
    members: int = Field(gt=0, le=2_000_000, description="Members at full scale.")
    clps: int = Field(
        gt=0,
        le=632,
        description=(
            "Constituency parties simulated, each a real seat in Great Britain: 632 = every one; "
            "fewer = a sample stratified by region (see [seats])."
        ),
    )
    branches_per_clp: tuple[int, int] = Field(
        description="Smallest and largest number of branches (wards) per CLP."
    )
    affiliated_branches_per_clp: tuple[int, int] = Field(
        (0, 6), description="Smallest and largest number of affiliated branches per CLP."
    )
    plp_size: int | None = Field(
        None,
        gt=0,
        le=650,
        description=(
            "Labour MPs at the start at full size: a check, since the PLP sits in the seats Labour "
            "won at [seats] initial_result (None: no check)."
        ),
    )
    meps: int = Field(0, ge=0, le=100, description="MEPs (they count in some thresholds).")
    min_members: int = Field(
        20, ge=1, description="Floor on members so that tiny scales stay meaningful."
    )

    @field_validator("branches_per_clp", "affiliated_branches_per_clp")
    @classmethod
    def _ordered(cls, value: tuple[int, int]) -> tuple[int, int]:
        low, high = value
        if low < 0 or high < low:
            raise ValueError("must be [low, high] with 0 <= low <= high")
        return value

    @field_validator("branches_per_clp")
    @classmethod
    def _at_least_one_branch(cls, value: tuple[int, int]) -> tuple[int, int]:
        if value[0] < 1:
            raise ValueError("every CLP needs at least one branch")
        return value

    @property
    def n_members(self) -> int:
        """Members in this run: full-scale members times scale, with a floor."""
        return max(self.min_members, round(self.members * self.scale))


class MemberSpec(_Strict):
    """Initial distributions over members."""

    ideology: Mixture
    activism: BetaSpec = Field(description="Chance of attending a meeting.")
    joiner_activism: BetaSpec | None = Field(
        None, description="Activism of members who join during the run (None: as `activism`)."
    )
    turnout: BetaSpec = Field(description="Chance of voting in a postal/online ballot.")
    levy_payer_share: Share = Field(
        description="Share of members who also pay a union's political levy."
    )
    trusts_leader: Share = Field(description="Share of members who take the leader's cue.")
    tenure_months: tuple[int, int] = Field(
        (0, 240), description="Range of months of membership at the start."
    )
    clp_size_sd: float = Field(
        0.5, ge=0.0, le=3.0, description="Log-sd of CLP sizes (members per CLP vary)."
    )
    clp_lean_sd: float = Field(
        0.15, ge=0.0, le=1.0, description="Sd of CLPs' local lean added to members' ideology."
    )


class InfluenceSpec(_Strict):
    """Bounded-confidence interaction, faction pull and leader cue (per month)."""

    interaction_rate: Share = Field(description="Share of members who meet another per month.")
    confidence_bound: float = Field(gt=0.0, le=2.0, description="Deffuant epsilon.")
    convergence: float = Field(gt=0.0, le=0.5, description="Deffuant mu.")
    faction_pull: Share = Field(description="Monthly move of faction members to the line.")
    leader_cue: Share = Field(description="Monthly move of trusting members to the leader.")
    noise_sd: float = Field(ge=0.0, le=0.5, description="Monthly ideological drift.")


class PoolSegment(_Strict):
    """A segment of sympathisers outside the party: a finite stock at a position."""

    name: str = Field(min_length=1)
    size: float = Field(
        ge=0.0, description="People in the segment, outside the party, at full scale."
    )
    mean: Ideology
    sd: float = Field(gt=0.0, le=1.0)


class ShockSpec(_Strict):
    """A dated shock to the membership (a scenario input, not a mechanism)."""

    month: MonthText = Field(description='First month of the shock, "YYYY-MM".')
    months: int = Field(1, ge=1, le=60, description="Months it lasts.")
    title: str = Field(min_length=1, description="What happened (for the event log).")
    joining: float = Field(
        1.0, ge=0.0, le=100.0, description="Multiplier of every segment's joining while it lasts."
    )
    lapse: Share = Field(0.0, description="Extra monthly lapse hazard for members at `centre`.")
    centre: Ideology = Field(0.0, description="Where the extra lapse hazard is highest.")
    width: float = Field(0.3, gt=0.0, le=2.0, description="How fast it falls off with distance.")


class FlowSpec(_Strict):
    """Joining from finite pools of sympathisers, and lapsing (see mechanisms.sympathisers)."""

    pool: list[PoolSegment] = Field(min_length=1, description="Sympathisers outside the party.")
    join_rate: Share = Field(
        description="Monthly share of a segment that joins when fully drawn to a new leader."
    )
    settled_share: Share = Field(
        1.0,
        description="Joining under a settled leader, as a share of joining under a new one.",
    )
    novelty_months: float = Field(
        12.0,
        gt=0.0,
        le=240.0,
        description="Months over which a new leader's wave of joiners fades.",
    )
    attraction_width: float = Field(
        gt=0.0, le=4.0, description="How fast a segment's pull falls with distance."
    )
    contest_surge: float = Field(
        ge=0.0, le=1000.0, description="Extra joining per unit of a segment's stake in a contest."
    )
    election_surge: float = Field(
        0.0, ge=0.0, le=100.0, description="Extra joining in a general-election campaign."
    )
    voteless_share: Share = Field(
        0.2,
        description="Share of a contest's would-be voters who join although they cannot vote.",
    )
    rejoin_share: Share = Field(
        0.5, description="Share of lapsed members who return to the pool of sympathisers."
    )
    churn: Share = Field(description="Monthly lapse chance of a long-standing member.")
    new_member_churn: float = Field(
        1.0, ge=0.0, le=20.0, description="Extra churn of a new member, as a multiple of churn."
    )
    tenure_scale_months: float = Field(
        24.0, gt=0.0, le=240.0, description="Months over which new members' extra churn fades."
    )
    dissatisfaction: Share = Field(
        description="Extra monthly lapse chance per unit of distance beyond tolerance."
    )
    tolerance: float = Field(
        ge=0.0, le=2.0, description="Distance from the leader that is tolerated."
    )
    shocks: list[ShockSpec] = Field(default_factory=list)


class MeetingSpec(_Strict):
    """How meetings (AGMs, branch meetings) are decided."""

    unaligned_affinity: float = Field(
        ge=0.0,
        le=2.0,
        description="An unaligned attendee votes a faction's slate when this close to its line.",
    )
    executive_places: int = Field(10, ge=1, le=40, description="Places on a CLP executive.")
    executive_election: Literal["slate", "proportional"] = Field(
        "slate",
        description=(
            "'slate': each place by plurality (block voting); 'proportional': places by "
            "Droop quota and largest remainders, the result STV gives slate voters."
        ),
    )
    unorganised_weight: Share = Field(
        0.3,
        description="Pull of a faction's slate on unaligned attendees where it does not organise.",
    )
    independent_weight: float = Field(
        0.37,
        ge=0.0,
        le=5.0,
        description="Pull of unaligned (independent) candidates on an unaligned attendee.",
    )


class FactionSpec(_Strict):
    """An organised faction (a Momentum-style left group, a centrist group, ...)."""

    name: str
    line: Ideology = Field(description="The faction's ideological line.")
    member_share: Share = Field(description="Share of members in the faction at the start.")
    recruit_radius: float = Field(gt=0.0, le=2.0)
    recruitment_rate: Share = Field(description="Monthly chance an unaligned member nearby joins.")
    organisers: int = Field(ge=0, le=650, description="CLPs the faction can target at once.")
    mobilisation: float = Field(
        ge=1.0, le=20.0, description="Attendance multiplier of its members where it targets."
    )
    slate_discipline: Share = Field(description="Chance a member votes the faction's slate.")
    targeting: Literal["marginal", "random"] = "marginal"
    trigger_distance: float = Field(
        0.9,
        ge=0.0,
        le=2.0,
        description="The faction campaigns for a full selection against MPs further than this from its line.",
    )
    founded: MonthText | None = Field(
        None, description='When the faction was founded, "YYYY-MM" (None: before the start).'
    )
    members_per_organiser: float = Field(
        0.0,
        ge=0.0,
        description="Members needed per CLP targeted (0: `organisers` whatever its size).",
    )
    mp_affinity: Share = Field(
        0.5, description="Chance an MP within recruit_radius of the line belongs to the faction."
    )


class GeneralSecretarySpec(_Strict):
    """A general secretary (the leadership) of an affiliate, from the month they took office."""

    name: str = Field(min_length=1)
    month: MonthText = Field(description='Month they took office, "YYYY-MM".')
    ideology: Ideology = Field(description="The leadership's position under them.")


class AffiliationSpec(_Strict):
    """An affiliate's affiliated levy payers from a month on."""

    month: MonthText
    levy_payers: int = Field(ge=0, description="Affiliated levy payers at full scale (0: none).")


class UnionSpec(_Strict):
    """An affiliated union (or socialist society)."""

    name: str
    levy_payers: int = Field(ge=0, description="Affiliated levy payers at full scale.")
    leadership_ideology: Ideology
    ballot_turnout: Share = Field(description="Turnout of its levy payers in party ballots.")
    gs_cycle_months: int = Field(60, gt=0, le=240)
    is_union: bool = Field(True, description="False for a socialist society.")
    members_ideology: IdeologyComponent | None = Field(
        None,
        description="Ideology of the union's own members (they elect its general secretary); None: contests.levy_payer_ideology.",
    )
    decided_by: Literal["executive", "committee", "consultation", "ballot", "conference"] = Field(
        "executive",
        description=(
            "Who decides its nominations and card votes: its executive, a political committee, "
            "a consultation or a ballot of its levy payers, or its conference "
            "(see model.mechanisms.union_decisions)."
        ),
    )
    nominates: bool = Field(True, description="False: it never nominates in party contests.")
    general_secretaries: list[GeneralSecretarySpec] = Field(
        default_factory=list,
        description=(
            "Who led it when (historical scenarios): each takes office in its month and moves "
            "the leadership to its position; the one in office at the start sets the first."
        ),
    )
    affiliation: list[AffiliationSpec] = Field(
        default_factory=list,
        description="Dated changes of its affiliated levy payers (0: disaffiliated).",
    )

    @field_validator("general_secretaries", "affiliation")
    @classmethod
    def _in_order(cls, value: list[Any]) -> list[Any]:
        months = [Month.parse(v.month) for v in value]
        if months != sorted(months) or len(set(months)) != len(months):
            raise ValueError("must be in month order, one entry per month")
        return value


class PlpSpec(_Strict):
    """The parliamentary party at the start."""

    ideology: Mixture
    valence: tuple[float, float] = Field((0.0, 1.0), description="Range of MPs' valence.")
    responsiveness: Share = Field(0.3)
    retirement_rate: Share = Field(0.03, description="Annual chance an MP retires.")
    ambition: Share = Field(0.05, description="Share of MPs who may stand for leader.")


class LeaderSpec(_Strict):
    """The leader at the start: a named MP."""

    name: str
    ideology: Ideology
    valence: float = Field(0.5, ge=-2.0, le=2.0)
    seat: str | None = Field(
        None, description="The leader's seat (name or ONS code); None: a random Labour seat."
    )
    since: MonthText | None = Field(
        None,
        description='When the leader took office, "YYYY-MM" (None: long enough ago that the new-leader wave is over).',
    )


class CandidateSpec(_Strict):
    """A named candidate for a scheduled (historical) contest."""

    name: str
    ideology: Ideology
    valence: float = Field(0.5, ge=-2.0, le=2.0)
    seat: str | None = Field(
        None,
        description=(
            "The candidate's seat (name or ONS code): its sitting MP takes the name; None (or a "
            "seat not simulated or not held): the sitting MP nearest the candidate's position."
        ),
    )


class ScheduledContest(_Strict):
    """A leadership contest the scenario opens at a given month."""

    month: MonthText = Field(description='Month the contest opens (nominations), "YYYY-MM".')
    closes: MonthText | None = Field(
        None,
        description='Month the result is declared, "YYYY-MM" (None: contests.duration_months later).',
    )
    kind: Literal["vacancy", "challenge"] = "vacancy"
    candidates: list[CandidateSpec] = Field(
        default_factory=list,
        description="Named candidates who declare (MPs take these names); empty: drawn.",
    )


class ContestSpec(_Strict):
    """How leadership contests behave (the rules themselves are in [rules])."""

    candidates: tuple[int, int] = Field(
        (2, 5), description="Smallest and largest number of MPs who declare on a vacancy."
    )
    candidate_draw: Literal["spread", "random"] = Field(
        "spread", description="'spread': declarers span the ideological range; 'random'."
    )
    duration_months: int = Field(3, ge=1, le=12, description="Months from opening to result.")
    lend_share: Share = Field(
        0.1, description="Share of MPs who lend their nomination to widen the field."
    )
    valence_weight: float = Field(
        0.3,
        ge=0.0,
        le=5.0,
        description="Weight of valence (perceived electability) in utility, with no recent defeat.",
    )
    electability_after_defeat: float = Field(
        0.0,
        ge=0.0,
        le=20.0,
        description="Extra weight of valence per unit of the last defeat's severity.",
    )
    electability_memory_months: float = Field(
        60.0, gt=0.0, le=240.0, description="Months over which a defeat's effect fades."
    )
    incumbency_weight: float = Field(
        0.0, ge=0.0, le=2.0, description="Utility bonus of the sitting leader in a challenge."
    )
    campaign_shock_sd: float = Field(
        0.0,
        ge=0.0,
        le=2.0,
        description="Sd of each candidate's campaign shock to valence, drawn once per contest.",
    )
    utility_noise: float = Field(0.15, ge=0.0, le=2.0, description="Sd of noise in utility.")
    truncation: Share = Field(0.2, description="Share of voters who rank only some candidates.")
    clp_nominating_share: Share = Field(
        0.6, description="Share of CLPs that hold a nominating meeting."
    )
    mp_turnout: Share = Field(0.99)
    registered_supporter_turnout: Share = Field(0.9)
    affiliated_supporter_turnout: Share = Field(0.4)
    signup_rate: Share = Field(
        0.2,
        description="Share of a pool segment's stake-weighted stock willing to vote in a contest.",
    )
    membership_cost_gbp: float = Field(
        4.0,
        gt=0.0,
        le=100.0,
        description="A new member's first payment (the joining route's price).",
    )
    supporter_reservation_gbp: float = Field(
        20.0,
        gt=0.0,
        le=1000.0,
        description="What a would-be voter pays at most when joining would not give a vote.",
    )
    fee_elasticity: float = Field(
        2.0,
        ge=0.0,
        le=10.0,
        description="Price elasticity between the supporter fee and the alternative.",
    )
    window_scale_hours: float = Field(
        24.0,
        gt=0.0,
        le=10_000.0,
        description="A sign-up window of this many hours loses 1/e of the willing.",
    )
    affiliated_supporter_share: Share = Field(
        0.07, description="Share of levy payers who sign up as affiliated supporters."
    )
    levy_payer_ideology: IdeologyComponent = Field(
        IdeologyComponent(weight=1.0, mean=-0.1, sd=0.4),
        description="Ideology of levy payers who are not members (weight unused).",
    )
    union_cue: float = Field(
        0.2, ge=0.0, le=2.0, description="Utility bonus for one's union's nominee."
    )
    union_nomination_radius: float = Field(
        0.8, ge=0.0, le=2.0, description="A union nominates its nearest candidate within this."
    )
    supporter_conversion: Share = Field(
        0.1, description="Share of supporters who become full members after the contest."
    )
    scheduled: list[ScheduledContest] = Field(default_factory=list)


class ReselectionSpec(_Strict):
    """How trigger ballots, selections and MPs' reactions behave (rules are in [rules])."""

    rounds: list[MonthText] = Field(
        default_factory=list,
        description='Months ("YYYY-MM") when a trigger-ballot round is held for every sitting MP.',
    )
    completion: dict[str, Share] = Field(
        default_factory=dict,
        description=(
            "Round month -> share of MPs whose ballots were held before the round was "
            "stopped (e.g. by an election); rounds not listed complete."
        ),
    )
    tolerance: float = Field(
        0.8,
        ge=0.0,
        le=2.0,
        description="An unaligned member wants a full selection when further than this from the MP.",
    )
    vote_noise: float = Field(0.1, ge=0.0, le=2.0, description="Sd of noise on that distance.")
    union_tolerance: float = Field(
        0.8,
        ge=0.0,
        le=2.0,
        description="An affiliated branch wants a full selection when its union's leadership is further than this from the MP.",
    )
    challenger_min_share: Share = Field(
        0.1,
        description="A faction fields a challenger where it has at least this share of the CLP's members or controls it.",
    )
    unaligned_hopeful: bool = Field(
        True, description="An unaligned local hopeful (one of the CLP's activists) also stands."
    )
    hopeful_valence: tuple[float, float] = Field(
        (0.0, 1.0), description="Range of challengers' and hopefuls' valence."
    )
    incumbency_bonus: float = Field(
        0.3, ge=0.0, le=2.0, description="Utility bonus of a sitting MP in a full selection."
    )
    incumbency_tolerance: float = Field(
        0.0,
        ge=0.0,
        le=2.0,
        description="Extra distance members tolerate from their own sitting MP in a trigger ballot.",
    )
    affiliate_incumbency: float = Field(
        0.3,
        ge=0.0,
        le=2.0,
        description="Extra distance an affiliate tolerates from a sitting MP (affiliates protect incumbents).",
    )
    nec_shortlisting: bool = Field(
        False, description="The NEC shortlists in open-seat selections (central control)."
    )
    nec_shortlisting_from: MonthText | None = Field(
        None, description='From when the NEC shortlists ("YYYY-MM"; None: from the start).'
    )
    nec_shortlist_distance: float = Field(
        0.5,
        ge=0.0,
        le=2.0,
        description="The NEC refuses hopefuls further than this from the leader.",
    )
    focus_rate: Share = Field(
        0.1,
        description="Monthly share of the gap to its CLP's members a threatened MP closes, times its responsiveness.",
    )
    threat_horizon_months: int = Field(
        24, ge=0, le=120, description="A round this close ahead makes MPs feel threatened."
    )
    before_each_election: int | None = Field(
        None,
        ge=1,
        le=60,
        description="Also hold a round this many months before each general election (None: only `rounds`).",
    )


class RulesSpec(_Strict):
    """The rules in force at the start: a named preset plus field overrides."""

    preset: str
    overrides: dict[str, Any] = Field(default_factory=dict)


# --- Rules as an outcome: conference, general elections, challenges, unions ------


class ScheduledProposal(_Strict):
    """A rule-change proposal the scenario puts to a given year's conference.

    Give either `preset` (the proposal moves the rules under `paths` to that
    preset's values) or `changes` (dotted rule-field paths -> new values).
    """

    year: int = Field(ge=1900, le=2200, description="Conference year (held in conference.month).")
    title: str = Field(min_length=1, description="Readable title for the event log.")
    proposer: str = Field(
        "scenario", description="Who moves it: 'scenario', 'leader' or a faction."
    )
    direction: Ideology | None = Field(
        None,
        description=(
            "Only with conference.stances = 'direction': which side the change favours on the "
            "left (-1) .. right (+1) axis (see model.mechanisms.conference.supports). With "
            "'interests' every actor judges the change itself."
        ),
    )
    tabled: MonthText | None = Field(
        None,
        description=(
            'When the proposer puts it to the affiliates and the NEC, "YYYY-MM" (None: in the '
            "month of the conference that votes on it)."
        ),
    )
    special_conference: MonthText | None = Field(
        None, description='Voted at a special conference in this month, "YYYY-MM".'
    )
    parts: dict[str, list[str]] = Field(
        default_factory=dict,
        description=(
            "Named parts of the proposal (part -> rule-field paths or prefixes); the proposer "
            "may drop parts that would sink it. Paths in no part form one part."
        ),
    )
    allow_defer: bool = Field(
        False,
        description=(
            "The proposer would rather delay to a special conference than drop what the "
            "affiliates need time to consult on."
        ),
    )
    forced: bool = Field(
        False,
        description=(
            "Counterfactual device: it passes whatever the card vote says (never in a "
            "historical scenario)."
        ),
    )
    preset: str | None = Field(None, description="Target rules preset (e.g. 'open_selection').")
    paths: list[str] = Field(
        default_factory=lambda: ["leadership", "reselection"],
        description="With `preset`: the rule sections/fields taken from it.",
    )
    changes: dict[str, Any] = Field(
        default_factory=dict, description="Dotted rule-field path -> new value."
    )

    @model_validator(mode="after")
    def _when(self) -> Self:
        if self.special_conference is not None:
            if Month.parse(self.special_conference).year != self.year:
                raise ValueError("special_conference must fall in the proposal's year")
            if self.tabled is not None and Month.parse(self.tabled) > Month.parse(
                self.special_conference
            ):
                raise ValueError("tabled must not be after the special conference")
        return self

    @model_validator(mode="after")
    def _one_target(self) -> Self:
        from model.rules.schema import PRESETS, RulesError

        if (self.preset is None) == (not self.changes):
            raise ValueError("give exactly one of preset or changes")
        if self.preset is None:
            # Field names are checked now; values only at the conference,
            # against the rules then in force.
            try:
                PRESETS["labour_2018"].with_changes(self.changes)
            except RulesError as err:
                if "unknown rule field" in str(err) or "is a single value" in str(err):
                    raise ValueError(f"changes: {err}") from None
            return self
        if self.preset not in PRESETS:
            raise ValueError(f"unknown rules preset {self.preset!r}; known: {', '.join(PRESETS)}")
        for path in self.paths:
            node: Any = PRESETS[self.preset]
            parts = path.split(".")
            if parts[0] not in ("leadership", "reselection", "conference", "nec"):
                node = None
            for part in parts:
                if isinstance(node, BaseModel) and part in type(node).model_fields:
                    node = getattr(node, part)
                elif isinstance(node, Mapping) and part in node:
                    node = node[part]
                else:
                    raise ValueError(
                        f"paths: unknown rule field {path!r} (paths start with leadership, "
                        "reselection, conference or nec, e.g. 'reselection')"
                    )
        return self


class ConferenceSpec(_Strict):
    """Annual conference: who proposes rule changes and how delegates vote."""

    month: int = Field(9, ge=1, le=12, description="Calendar month of annual conference.")
    leader_proposes: bool = Field(True, description="The leader (via the NEC) moves proposals.")
    faction_proposes: bool = Field(True, description="Each faction moves proposals.")
    proposal_chance: Share = Field(
        0.5, description="Chance per year that a given proposer moves anything at all."
    )
    proposals_per_year: int = Field(
        1, ge=0, le=10, description="Most proposals one proposer moves in a year."
    )
    balance: Ideology | None = Field(
        None,
        description=(
            "Balance point of the support rule; None: the midpoint of the members' and the "
            "PLP's median ideology at the time of conference (computed by the model)."
        ),
    )
    shift_scale: float = Field(
        0.2,
        gt=0.0,
        le=2.0,
        description="How far a proposal of direction ±1 moves the balance point.",
    )
    clp_noise: float = Field(
        0.1, ge=0.0, le=2.0, description="Sd of noise on an unaligned CLP's delegates' position."
    )
    stances: Literal["interests", "direction"] = Field(
        "interests",
        description=(
            "'interests': every delegation, affiliate and NEC member judges a change by what it "
            "does to the balance of power and to its own side's say (model.mechanisms."
            "rule_power); 'direction': the older one-dimensional rule with each proposal's "
            "`direction` (implied when `balance` is given)."
        ),
    )
    arena_weights: dict[Literal["leadership", "reselection", "nec"], float] = Field(
        default_factory=lambda: {"leadership": 1.0, "reselection": 1.0, "nec": 0.5},
        description=(
            "How much choosing the leader, reselecting MPs and the NEC count in judging a "
            "change [assumption]."
        ),
    )
    members_weight: float = Field(
        0.2,
        ge=0.0,
        le=5.0,
        description=(
            "CLP delegates' stake in the members' own say (per unit of say), the same as the "
            "affiliates' in theirs [assumption]."
        ),
    )
    supporters_position: Ideology | None = Field(
        None,
        description=(
            "Where the party expects registered supporters to stand before any has been seen "
            "in the run; None: the general electorate's median (the case made for primaries)."
        ),
    )
    loyalty: float = Field(
        0.1,
        ge=0.0,
        le=1.0,
        description="The most closeness to a proposer adds to anyone's support [assumption].",
    )
    loyalty_radius: float = Field(
        0.5, gt=0.0, le=2.0, description="Closeness to the proposer counts within this distance."
    )
    deference: float = Field(
        0.02,
        ge=0.0,
        le=1.0,
        description="How far unaligned delegates follow the NEC's recommendation [assumption].",
    )
    defer_months: int = Field(
        6, ge=1, le=24, description="A deferred proposal goes to a special conference this later."
    )
    supporter_fee_elasticity: float = Field(
        0.3,
        ge=0.0,
        le=5.0,
        description=(
            "In judging a change, registered supporters' expected share of an OMOV ballot "
            "scales as (3 / fee) ** this [assumption]."
        ),
    )
    scheduled: list[ScheduledProposal] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _legacy_balance(cls, data: Any) -> Any:
        # A fixed balance point belongs to the one-dimensional rule, which it implies.
        if isinstance(data, Mapping) and data.get("balance") is not None:
            return {**data, "stances": "direction"}
        return data

    @model_validator(mode="after")
    def _directions(self) -> Self:
        if self.stances == "direction":
            missing = [p.title for p in self.scheduled if p.direction is None]
            if missing:
                raise ValueError(f"scheduled: stances = 'direction' needs a direction: {missing}")
        return self


class PreviousElection(_Strict):
    """The last general election before the run starts (it shapes the first contests)."""

    month: MonthText
    seats: int = Field(ge=0, le=1000, description="Seats the party won.")


class ElectionSpec(_Strict):
    """General elections: dates, national vote share, seats curve, resignations."""

    previous: list[PreviousElection] = Field(
        default_factory=list,
        description="Elections before the start that members remember (defeats raise the weight of electability).",
    )
    campaign_months: int = Field(
        1, ge=0, le=6, description="Months before an election that count as its campaign."
    )

    dates: list[MonthText] = Field(
        default_factory=list,
        description='Election months "YYYY-MM"; empty: every parliament_months from `first`.',
    )
    parliament_months: int = Field(
        60, ge=6, le=120, description="Months between elections when no dates are given."
    )
    first: MonthText | None = Field(
        None,
        description='First election "YYYY-MM" when no dates are given; None: start + parliament.',
    )
    historical_seats: dict[str, int] = Field(
        default_factory=dict,
        description=(
            'Seats won at given election months ("YYYY-MM" -> seats out of '
            "historical_total_seats), used instead of the computed vote share."
        ),
    )
    historical_total_seats: int = Field(
        650,
        gt=0,
        le=1000,
        description=(
            "The house historical_seats are out of (650). Labour's seats are all in Great "
            "Britain, so a count is scaled to the simulated CLPs as count × clps / 632."
        ),
    )
    electorate_median: Ideology = Field(
        0.1, description="The general electorate's median on the party's axis [assumption]."
    )
    base_share: Share = Field(
        0.45,
        description="Vote share of a leader at the median, valence 0 [assumption: a centrist leader can win].",
    )
    distance_penalty: float = Field(
        0.08, ge=0.0, le=1.0, description="Vote share lost per unit of distance to the median."
    )
    valence_weight: float = Field(
        0.04, ge=0.0, le=1.0, description="Vote share gained per unit of leader valence."
    )
    noise_sd: float = Field(0.02, ge=0.0, le=0.2, description="Sd of election-day noise.")
    seats_half_share: float = Field(
        0.459,
        gt=0.05,
        lt=0.95,
        description=(
            "Seats curve: vote share that wins half the seats (fitted, see elections.py); "
            "not used by the model since elections are decided seat by seat ([seats])."
        ),
    )
    seats_exponent: float = Field(
        1.0,
        ge=0.5,
        le=8.0,
        description="Seats curve: responsiveness (3 = cube law); not used by the model ([seats]).",
    )
    majority_seats: int | None = Field(
        None,
        gt=0,
        description=(
            "Seats for a win among the CLPs simulated; None: 326 of 650 scaled to them "
            "(326 of the 632 GB seats)."
        ),
    )
    resignation_probability: Share = Field(
        0.75,
        description=(
            "Chance the leader resigns after a defeat (3 of the 4 defeats 2010-2019 were "
            "followed by a vacancy contest: 2010, 2015, 2020) [derived assumption]."
        ),
    )
    poll_persistence: Share = Field(0.9, description="AR(1) persistence of the monthly poll.")
    poll_noise_sd: float = Field(0.01, ge=0.0, le=0.2, description="Sd of monthly poll noise.")

    @field_validator("dates")
    @classmethod
    def _sorted_dates(cls, value: list[str]) -> list[str]:
        return sorted(set(value))

    @field_validator("historical_seats")
    @classmethod
    def _valid_series(cls, value: dict[str, int]) -> dict[str, int]:
        for text, seats in value.items():
            Month.parse(text)
            if seats < 0:
                raise ValueError(f"seats must be >= 0 (got {seats} for {text})")
        return value

    @model_validator(mode="after")
    def _series_fits(self) -> Self:
        over = {m: s for m, s in self.historical_seats.items() if s > self.historical_total_seats}
        if over:
            raise ValueError(
                f"historical_seats: seats above historical_total_seats "
                f"({self.historical_total_seats}): {over}"
            )
        return self


class ChallengeSpec(_Strict):
    """When MPs challenge the leader after a shock."""

    enabled: bool = Field(True, description="Whether challenges can happen at all.")
    distance: float = Field(
        0.5, gt=0.0, le=2.0, description="An MP further than this from the leader wants a change."
    )
    share_threshold: Share = Field(
        0.5, description="A challenge needs more than this share of MPs far from the leader."
    )
    slump_drop: Share = Field(
        0.05, description="A fall in the poll of at least this much over the window is a shock."
    )
    slump_window_months: int = Field(12, ge=1, le=60, description="Window of the slump test.")


class UnionPoliticsSpec(_Strict):
    """Unions' general-secretary elections, decided by each union's own members."""

    enabled: bool = Field(True, description="Whether general-secretary elections happen.")
    candidates: int = Field(2, ge=2, le=6, description="Candidates per election.")
    continuity_sd: float = Field(
        0.1, ge=0.0, le=1.0, description="Sd of the continuity candidate around the incumbent."
    )
    incumbent_advantage: float = Field(
        0.05, ge=0.0, le=1.0, description="Utility bonus of the continuity candidate."
    )
    noise_sd: float = Field(
        0.1, ge=0.0, le=1.0, description="Sd of each candidate's campaign shock (shared)."
    )
    voter_noise_sd: float = Field(
        0.2, ge=0.0, le=2.0, description="Sd of each voting member's own utility noise."
    )
    voters: int = Field(1001, ge=1, le=100_000, description="Voting members simulated.")
    stagger: bool = Field(True, description="Spread unions' first elections over the cycle.")


# --- Affiliates' decisions, the NEC, deputy leadership (issue 15) -------------------

Procedure = Literal["executive", "committee", "consultation", "ballot", "conference"]


class UnionDecisionSpec(_Strict):
    """How affiliates decide nominations and card votes (model.mechanisms.union_decisions)."""

    leadership_weight: dict[Procedure, Share] = Field(
        default_factory=lambda: {
            "executive": 1.0,
            "committee": 0.5,
            "consultation": 0.25,
            "ballot": 0.0,
            "conference": 0.0,
        },
        description=(
            "Weight of the leadership's own choice in a nomination, by procedure: an executive "
            "is the leadership; a political committee weighs the leadership and its lay "
            "activists equally (UNISON's elected Labour Link committee chose in 2015 and 2020; "
            "its leadership overrode a committee majority in 2021) [assumption]."
        ),
    )
    consulted: dict[Procedure, Literal["activists", "levy_payers"]] = Field(
        default_factory=lambda: {
            "executive": "activists",
            "committee": "activists",
            "consultation": "levy_payers",
            "ballot": "levy_payers",
            "conference": "activists",
        },
        description="Whose first preferences make up the rest of the weight, by procedure.",
    )
    electability: float = Field(
        0.3,
        ge=0.0,
        le=5.0,
        description="Union leaderships' weight on candidates' valence (electability) [assumption].",
    )
    consensus: Share = Field(
        0.4, description="Share of the weighted voices a nominee needs; else no nomination."
    )
    institutional_weight: float = Field(
        0.2,
        ge=0.0,
        le=5.0,
        description="Weight of the affiliates' own say in judging a rule change [assumption].",
    )
    abstain_band: float = Field(
        0.005, ge=0.0, le=1.0, description="Stances this close to indifference abstain."
    )
    minor_change: float = Field(
        0.05,
        ge=0.0,
        le=1.0,
        description=(
            "A change of the affiliates' say in electing the leader beyond this needs the "
            "affiliates to consult their own structures."
        ),
    )
    consultation_months: dict[Procedure, int] = Field(
        default_factory=lambda: {
            "executive": 1,
            "committee": 2,
            "consultation": 3,
            "ballot": 3,
            "conference": 6,
        },
        description="Months an affiliate needs to consult, by procedure [assumption].",
    )
    poll_size: int = Field(
        400, ge=10, le=100_000, description="Levy payers polled in a consultation or ballot."
    )


class SlateSpec(_Strict):
    """A slate (or a lone candidate) in the NEC's CLP-section elections."""

    name: str = Field(min_length=1)
    ideology: Ideology
    faction: str | None = Field(
        None, description="The faction whose members vote it with their slate discipline."
    )
    candidates: int | None = Field(
        None, ge=1, le=20, description="Candidates it runs (None: as many as seats)."
    )
    start: MonthText | None = Field(None, description="First election it runs in.")
    end: MonthText | None = Field(None, description="Last election it runs in.")


class NecElectionSpec(_Strict):
    """A CLP-section election (or by-election for some seats)."""

    month: MonthText
    seats: int | None = Field(
        None, ge=1, le=20, description="Seats elected (None: the whole CLP section)."
    )


class NecDecisionSpec(_Strict):
    """A procedural rule the NEC itself decides between conferences (a vote of its members)."""

    month: MonthText
    title: str = Field(min_length=1)
    proposer: str = Field("leader", description="'leader', 'nec' or a faction's name.")
    changes: dict[str, Any] = Field(description="Dotted rule-field path -> new value.")

    @field_validator("changes")
    @classmethod
    def _procedural(cls, value: dict[str, Any]) -> dict[str, Any]:
        from model.mechanisms.nec import NEC_PROCEDURAL_FIELDS

        outside = [k for k in value if k not in NEC_PROCEDURAL_FIELDS]
        if outside:
            raise ValueError(
                f"the NEC decides only procedures ({', '.join(NEC_PROCEDURAL_FIELDS)}); "
                f"not {outside}: put rule changes to conference"
            )
        return value


class NecSpec(_Strict):
    """The NEC as a body: its CLP-section elections, its procedural decisions, shortlisting."""

    elections: list[NecElectionSpec] = Field(
        default_factory=list, description="CLP-section elections and by-elections."
    )
    slates: list[SlateSpec] = Field(
        default_factory=list,
        description="Slates and lone candidates (empty: one slate per faction at its line).",
    )
    turnout: Share = Field(
        0.27,
        description=(
            "Share of members who vote in a CLP-section election (members' ballot turnout is "
            "scaled to it)."
        ),
    )
    decisions: list[NecDecisionSpec] = Field(default_factory=list)
    initial: dict[str, int] = Field(
        default_factory=dict,
        description=(
            "The CLP section at the start, seats per slate (names in `slates`); empty: a "
            "first election at the start decides it."
        ),
    )
    shortlist_radius: float = Field(
        0.8,
        ge=0.0,
        le=2.0,
        description="The NEC keeps off a shortlist, and does not endorse, hopefuls further than this from its median.",
    )


class DeputySpec(_Strict):
    """Deputy leadership: the deputy at the start and scheduled contests."""

    initial: LeaderSpec | None = Field(None, description="The deputy leader at the start.")
    scheduled: list[ScheduledContest] = Field(
        default_factory=list,
        description="Deputy contests opening in these months (with the leader's, if any).",
    )


class Scenario(_Strict):
    """A whole scenario file, validated."""

    scenario: ScenarioInfo
    calendar: CalendarSpec
    party: PartySpec
    members: MemberSpec
    influence: InfluenceSpec
    flows: FlowSpec
    meetings: MeetingSpec
    factions: list[FactionSpec] = Field(min_length=1)
    unions: list[UnionSpec] = Field(min_length=1)
    plp: PlpSpec
    leader: LeaderSpec
    rules: RulesSpec
    contests: ContestSpec = Field(default_factory=ContestSpec)
    reselection: ReselectionSpec = Field(default_factory=ReselectionSpec)
    conference: ConferenceSpec = Field(default_factory=ConferenceSpec)
    elections: ElectionSpec = Field(default_factory=ElectionSpec)
    challenges: ChallengeSpec = Field(default_factory=ChallengeSpec)
    union_politics: UnionPoliticsSpec = Field(default_factory=UnionPoliticsSpec)
    union_decisions: UnionDecisionSpec = Field(default_factory=UnionDecisionSpec)
    nec: NecSpec = Field(default_factory=NecSpec)
    deputy: DeputySpec = Field(default_factory=DeputySpec)
    seats: SeatSpec = Field(default_factory=SeatSpec)

    @model_validator(mode="after")
    def _cross_checks(self) -> Self:
        # Every problem is "key.path: what is wrong; allowed: ..." on a line
        # of its own, so that the message names the key (this validator sees
        # the whole scenario, and pydantic would otherwise give no key path).
        problems = []
        names = [f.name for f in self.factions]
        for name in _repeated(names):
            problems.append(f"factions: the name {name!r} is used twice; names must be unique")
        total = sum(f.member_share for f in self.factions)
        if total > 1.0 + SHARE_TOLERANCE:
            shares = " + ".join(f"{f.member_share:g}" for f in self.factions)
            problems.append(
                f"factions.member_share: the factions' shares sum to {total:g} ({shares}); "
                "member_share must sum to at most 1"
            )
        for name in _repeated([u.name for u in self.unions]):
            problems.append(f"unions: the name {name!r} is used twice; names must be unique")
        low, high = self.contests.candidates
        if not 1 <= low <= high:
            problems.append(
                f"contests.candidates: [{low}, {high}]; allowed: [low, high] with 1 <= low <= high"
            )
        start = self.calendar.start
        for key, months in [
            ("elections.dates", self.elections.dates),
            ("elections.historical_seats", list(self.elections.historical_seats)),
        ]:
            early = [m for m in months if Month.parse(m) < self.start]
            if early:
                problems.append(
                    f"{key}: {', '.join(early)} before calendar.start ({start}); "
                    "allowed: months from the start on"
                )
        for i, proposal in enumerate(self.conference.scheduled):
            if proposal.year < self.start.year:
                problems.append(
                    f"conference.scheduled.{i}.year: {proposal.year} is before the start year "
                    f"({self.start.year}); allowed: {self.start.year} or later"
                )
        for i, contest in enumerate(self.contests.scheduled):
            if Month.parse(contest.month) < self.start:
                problems.append(
                    f"contests.scheduled.{i}.month: {contest.month} is before calendar.start "
                    f"({start}); allowed: months from the start on"
                )
            if contest.closes is not None and Month.parse(contest.closes) <= Month.parse(
                contest.month
            ):
                problems.append(
                    f"contests.scheduled.{i}.closes: {contest.closes} is not after the opening "
                    f"month ({contest.month}); allowed: a later month"
                )
        smallest = smallest_scale(self)
        if self.party.scale < smallest:
            problems.append(_scale_problem(self, smallest))
        problems.extend(check_seats(self))
        if problems:
            raise ValueError("\n".join(problems))
        return self

    @model_validator(mode="after")
    def _affiliates_nec_deputy(self) -> Self:
        factions = {f.name for f in self.factions}
        unknown = [s.faction for s in self.nec.slates if s.faction and s.faction not in factions]
        if unknown:
            raise ValueError(f"nec.slates: unknown factions {unknown} (known: {sorted(factions)})")
        slates = {s.name for s in self.nec.slates}
        strays = sorted(set(self.nec.initial) - slates)
        if strays:
            raise ValueError(f"nec.initial: unknown slates {strays} (known: {sorted(slates)})")
        early = [
            m
            for m in [
                *(e.month for e in self.nec.elections),
                *(d.month for d in self.nec.decisions),
                *(c.month for c in self.deputy.scheduled),
                *(p.tabled for p in self.conference.scheduled if p.tabled),
                *(p.special_conference for p in self.conference.scheduled if p.special_conference),
            ]
            if Month.parse(m) < self.start
        ]
        if early:
            raise ValueError(f"nec/deputy/conference: months before calendar.start: {early}")
        return self

    @property
    def start(self) -> Month:
        """The first simulated month."""
        return Month.parse(self.calendar.start)

    def with_changes(
        self,
        changes: Mapping[str, Any] | None = None,
        /,
        *,
        source: str = "<scenario>",
        **sections: Any,
    ) -> Scenario:
        """Return a copy with some fields replaced, re-validated.

        Two forms, which can be mixed:

        - dotted paths (`model.scenario.paths`), which reach into lists too:
          ``with_changes({"party.scale": 0.01, "factions.Momentum.organisers": 40})``;
        - whole sections by keyword, each field given replacing that field:
          ``with_changes(party={"scale": 0.01})``.

        Only existing keys can be set, except inside free-form tables (rule
        overrides, seats by month), so a misspelt key is an error.

        Args:
            changes: dotted path -> new value.
            source: the name used in error messages (e.g. the scenario file).
            **sections: section name -> {field: value} (or a whole new list
                for list sections such as ``factions``).

        Returns:
            A new validated Scenario.

        Raises:
            ScenarioError: a path does not exist (the message names it and the
                keys allowed there) or the changed scenario is invalid.
        """
        from model.scenario.paths import PathError, set_path

        flat: dict[str, Any] = {}
        for section, fields in sections.items():
            if isinstance(fields, Mapping):
                flat.update({f"{section}.{key}": value for key, value in fields.items()})
            else:
                flat[section] = fields
        flat.update(changes or {})
        data = self.model_dump(mode="json")
        problems = []
        for path, value in flat.items():
            try:
                set_path(data, path, copy.deepcopy(value), create=_is_free_form)
            except PathError as err:
                problems.append(str(err))
        if problems:
            raise ScenarioError(source, problems)
        return parse_scenario(data, source=source)


def _is_free_form(steps: Sequence[Any]) -> bool:
    """Whether a table of a scenario may gain new keys (a dict field: rule overrides...)."""
    from model.scenario.paths import is_open_map

    return is_open_map(Scenario, steps)


def _repeated(names: Sequence[str]) -> list[str]:
    return sorted({n for n in names if names.count(n) > 1})


MIN_LEVY_PAYERS = 1
"""Every affiliate keeps at least this many levy payers once scaled (or it has no card vote)."""
MIN_MEMBERS_PER_CLP = 1.0
"""Members per CLP at the start, on average, at the smallest scale allowed."""


def smallest_scale(scenario: Scenario) -> float:
    """The smallest `party.scale` at which every institution of a scenario has its minimum size.

    Two institutions shrink with the scale: each affiliate's levy payers
    (`round(levy_payers * scale)`; an affiliate rounded to nothing loses its
    conference card vote, and with none left a card vote cannot be held) and
    the membership (with fewer members than CLPs, most CLPs have nobody to
    hold an AGM, nominate or select a candidate). So the scale must give every
    affiliate at least `MIN_LEVY_PAYERS` and the party at least
    `MIN_MEMBERS_PER_CLP` members per CLP. Everything else (the PLP, CLPs,
    unions' own members) is not scaled. At this floor every scenario in
    scenarios/ runs; between it and about 15 members per CLP some CLPs are
    empty, and an open seat there may get no candidate (README, "Scale").

    Args:
        scenario: the scenario (its own scale is not used).

    Returns:
        The smallest allowed scale, rounded up to two significant figures.
    """
    party = scenario.party
    payers = [u.levy_payers for u in scenario.unions if u.levy_payers > 0]

    def fits(scale: float) -> bool:
        members = max(party.min_members, round(party.members * scale))
        return members >= MIN_MEMBERS_PER_CLP * party.clps and all(
            round(n * scale) >= MIN_LEVY_PAYERS for n in payers
        )

    # round() gives 1 only from just above one half (round(0.5) is 0).
    needs = [(MIN_LEVY_PAYERS - 0.5) / n for n in payers]
    needs.append(MIN_MEMBERS_PER_CLP * party.clps / party.members)
    scale = _round_up(max(needs), 2)
    while not fits(scale):  # at most a step or two: the bound above is nearly exact
        scale = _round_up(scale * (1 + 1e-6), 2)
    return scale


RECOMMENDED_MEMBERS_PER_CLP = 15.0
"""Below this many members per CLP (at the start), some CLPs have no members at times
and an open seat there can get no candidate (measured on scenarios/*.toml: none in
3 seeds at 15-17 per CLP, a few per run at 3-9, about a third at 1)."""


def members_per_clp_note(scenario: Scenario) -> str | None:
    """A note when the scale leaves few members per CLP (allowed, but CLPs may be empty).

    Args:
        scenario: the scenario.

    Returns:
        One line saying so and the scale that avoids it, or None.
    """
    party = scenario.party
    per_clp = party.n_members / party.clps
    if per_clp >= RECOMMENDED_MEMBERS_PER_CLP:
        return None
    enough = _round_up(RECOMMENDED_MEMBERS_PER_CLP * party.clps / party.members, 2)
    return (
        f"scale {party.scale:g} gives {per_clp:.1f} members per CLP; some CLPs will have no "
        f"members at times (open seats there get no candidate); scale {enough:g} or more avoids it"
    )


def _round_up(value: float, figures: int) -> float:
    """`value` rounded up (never down) to `figures` significant figures."""
    if value <= 0:
        return 0.0
    step = 10.0 ** (math.floor(math.log10(value)) - figures + 1)
    return float(f"{math.ceil(value / step - 1e-9) * step:.{figures}g}")


def _scale_problem(scenario: Scenario, smallest: float) -> str:
    party = scenario.party
    why = []
    if party.n_members < MIN_MEMBERS_PER_CLP * party.clps:
        why.append(f"{party.n_members:,} members for {party.clps} CLPs")
    empty = [
        u.name for u in scenario.unions if round(u.levy_payers * party.scale) < MIN_LEVY_PAYERS
    ]
    if empty:
        shown = ", ".join(empty[:3]) + (f" and {len(empty) - 3} more" if len(empty) > 3 else "")
        why.append(f"no levy payers in {shown}")
    detail = f" ({'; '.join(why)})" if why else ""
    return (
        f"party.scale: {party.scale:g} is too small for this scenario{detail}; "
        f"the smallest allowed is {smallest:g} (at least one member per CLP and one levy "
        "payer per affiliate)"
    )


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario TOML file.

    Args:
        path: the scenario file.

    Returns:
        The validated Scenario.

    Raises:
        ScenarioError: the file is missing, is not TOML, or fails validation;
            the message names the file, the key path and what is allowed.
    """
    path = Path(path)
    if not path.exists():
        raise ScenarioError(str(path), ["file not found"])
    if path.is_dir():
        raise ScenarioError(str(path), ["is a folder, not a scenario file"])
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise ScenarioError(str(path), [f"not valid TOML: {err}"]) from None
    except UnicodeDecodeError:
        raise ScenarioError(str(path), ["not a text file (expected UTF-8 TOML)"]) from None
    except OSError as err:
        raise ScenarioError(str(path), [f"cannot read the file: {err.strerror or err}"]) from None
    return parse_scenario(data, source=str(path))


def parse_scenario(data: Mapping[str, Any], *, source: str = "<scenario>") -> Scenario:
    """Validate an already-parsed scenario mapping (as from TOML).

    Args:
        data: the scenario as nested dicts.
        source: the name used in error messages.

    Returns:
        The validated Scenario.

    Raises:
        ScenarioError: naming each bad key path and what is allowed.
    """
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as err:
        raise ScenarioError(source, _describe(err, Scenario)) from None
    _check_rules(scenario, source)
    return scenario


def _check_rules(scenario: Scenario, source: str) -> None:
    # Imported here so that a rules problem is reported as a scenario problem
    # with the scenario's file name, not as a bare rules error.
    from model.rules.schema import RulesError, resolve_rules

    try:
        resolve_rules(scenario.rules.preset, scenario.rules.overrides)
    except RulesError as err:
        raise ScenarioError(source, [f"rules: {err}"]) from None


def _describe(err: ValidationError, root: type[BaseModel]) -> list[str]:
    """One line per problem: "key.path: what is wrong (what is allowed; what was given)"."""
    problems = []
    for item in err.errors():
        loc = tuple(item["loc"])
        where = ".".join(str(p) for p in loc)
        if item["type"] == "extra_forbidden":
            allowed = _allowed_keys(root, loc[:-1])
            hint = f" (allowed: {', '.join(allowed)})" if allowed else ""
            problems.append(f"{where}: unknown key{hint}")
        elif item["type"] == "missing":
            problems.append(f"{where}: required key is missing")
        else:
            msg = item["msg"].removeprefix("Value error, ")
            given = item.get("input")
            for line in msg.splitlines():
                # Validators that see a whole table name the field they mean
                # ("plp_size: ..."); put it on the key path.
                head, sep, rest = line.partition(": ")
                if sep and _is_field_path(root, loc, head):
                    path, line = ".".join(p for p in (where, head) if p), rest
                else:
                    path = where or "scenario"
                # A whole table as "what was given" would be a screenful.
                shown = "" if isinstance(given, Mapping | list) else f" (got {_short(given)})"
                problems.append(f"{path}: {line}{shown}")
    return problems


def _is_field_path(root: type[BaseModel], loc: tuple[Any, ...], head: str) -> bool:
    """Whether `head` ("plp_size", "factions.member_share") is a field path under loc."""
    first = head.split(".")[0]
    return bool(first) and first in _allowed_keys(root, loc)


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _allowed_keys(root: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """Field names of the model reached by following loc from root."""
    model: Any = root
    for part in loc:
        if isinstance(part, int):
            continue
        field = getattr(model, "model_fields", {}).get(part)
        if field is None:
            return []
        model = _inner_model(field.annotation)
        if model is None:
            return []
    return sorted(getattr(model, "model_fields", {}))


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None
