"""Scenario sections for the people of the party: its size, members, flows, meetings,
factions, unions, PLP and leader at the start.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from model.calendar import Month
from model.scenario.fields import (
    BetaSpec,
    Ideology,
    IdeologyComponent,
    Mixture,
    MonthText,
    Share,
    Strict,
)

__all__ = [
    "AffiliationSpec",
    "FactionSpec",
    "FlowSpec",
    "GeneralSecretarySpec",
    "InfluenceSpec",
    "LeaderSpec",
    "MeetingSpec",
    "MemberSpec",
    "PartySpec",
    "PlpSpec",
    "PoolSegment",
    "ShockSpec",
    "UnionSpec",
]


class PartySpec(Strict):
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


class MemberSpec(Strict):
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
    drawn_share: Share = Field(
        0.0,
        description=(
            "Share of the starting members who joined drawn by a leader, a contest or a shock "
            "rather than by the party: a scenario that starts after a surge (0: none; the "
            "flows' drawn_tolerance and drawn_churn then reach only those who join later)."
        ),
    )
    drawn_slope: float = Field(
        0.0,
        ge=-2.0,
        le=2.0,
        description=(
            "How the chance of having been drawn changes per unit of ideology about the "
            "starting members' mean (negative: the left were drawn more often)."
        ),
    )
    drawn_tenure_months: tuple[int, int] | None = Field(
        None,
        description=(
            "Range of months of membership at the start of the drawn starting members "
            "(when the surge that drew them came; None: as `tenure_months`)."
        ),
    )
    clp_size_sd: float = Field(
        0.5, ge=0.0, le=3.0, description="Log-sd of CLP sizes (members per CLP vary)."
    )
    clp_lean_sd: float = Field(
        0.15, ge=0.0, le=1.0, description="Sd of CLPs' local lean added to members' ideology."
    )
    joiners_lean: Share = Field(
        0.0,
        description=(
            "Share of their CLP's lean that joiners carry (1: as the starting members; "
            "0: joiners come at their pool's position wherever they join)."
        ),
    )


class InfluenceSpec(Strict):
    """Bounded-confidence interaction, faction pull and leader cue (per month)."""

    interaction_rate: Share = Field(description="Share of members who meet another per month.")
    confidence_bound: float = Field(gt=0.0, le=2.0, description="Deffuant epsilon.")
    convergence: float = Field(gt=0.0, le=0.5, description="Deffuant mu.")
    faction_pull: Share = Field(description="Monthly move of faction members to the line.")
    leader_cue: Share = Field(description="Monthly move of trusting members to the leader.")
    noise_sd: float = Field(ge=0.0, le=0.5, description="Monthly ideological drift.")


class PoolSegment(Strict):
    """A segment of sympathisers outside the party: a finite stock at a position."""

    name: str = Field(min_length=1)
    size: float = Field(
        ge=0.0, description="People in the segment, outside the party, at full scale."
    )
    mean: Ideology
    sd: float = Field(gt=0.0, le=1.0)
    starts_at: float | None = Field(
        None,
        ge=0.0,
        description=(
            "People in the segment at the start of the run, if it differs from `size`: the "
            "segment then grows (or shrinks) evenly to `size` by `reaches_by` (full scale)."
        ),
    )
    reaches_by: MonthText | None = Field(
        None, description="Month by which a segment that `starts_at` another size reaches `size`."
    )
    propensity: float = Field(
        1.0,
        gt=0.0,
        le=1.0,
        description=(
            "Mean propensity to join of the segment's sympathisers at the start of the run "
            "(1: nobody has been drawn in yet; lower where earlier surges took the most "
            "willing: see `FlowSpec.propensity_spread`)."
        ),
    )

    @model_validator(mode="after")
    def _growth_is_dated(self) -> PoolSegment:
        if (self.starts_at is None) != (self.reaches_by is None):
            raise ValueError(
                "give both `starts_at` and `reaches_by` (a segment that grows), or neither"
            )
        return self


class ShockSpec(Strict):
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


class FlowSpec(Strict):
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
    viability: float = Field(
        0.0,
        ge=0.0,
        le=5.0,
        description=(
            "How much a segment's stake in a contest follows its favourite's standing among "
            "the members (stake × (favourite's share / front-runner's share) ** viability); "
            "0: not at all."
        ),
    )
    propensity_spread: float = Field(
        0.0,
        ge=0.0,
        le=1000.0,
        description=(
            "Variance of sympathisers' propensity to join within a segment (gamma, mean 1 at "
            "the start): the most willing join first, so a segment that has joined en masse "
            "draws fewer afterwards (mechanisms.sympathisers.deplete_propensity); 0: all alike."
        ),
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
    drawn_tolerance: float | None = Field(
        None,
        ge=0.0,
        le=2.0,
        description=(
            "Distance from the leader tolerated by members who joined drawn by a new leader, "
            "a contest or a dated shock rather than by the party (None: as `tolerance`)."
        ),
    )
    drawn_churn: float = Field(
        0.0,
        ge=0.0,
        le=20.0,
        description=(
            "Extra churn of a member who joined drawn by a new leader, a contest or a dated "
            "shock, as a multiple of churn, that does not fade with tenure: who came for the "
            "moment keeps missing renewals once it has passed (0: none)."
        ),
    )
    drawn_churn_after: float = Field(
        12.0,
        ge=0.0,
        le=120.0,
        description=(
            "Months of membership before a drawn member's extra churn starts: their first "
            "renewal (a year's subscription has been paid)."
        ),
    )
    tenure_tolerance: float = Field(
        0.0,
        ge=0.0,
        le=2.0,
        description=(
            "Extra distance from the leader tolerated by a long-standing member who joined for "
            "the party (not drawn), growing with tenure over `tenure_scale_months` "
            "(Hirschman's loyalty; 0: none)."
        ),
    )
    losers_lapse: Share = Field(
        0.0,
        description=(
            "Extra monthly lapse chance, per unit of distance from the leader, of a member who "
            "voted for another candidate in the contest that chose (or re-elected) the sitting "
            "leader: leader evaluation predicts who stays (0: none)."
        ),
    )
    shocks: list[ShockSpec] = Field(default_factory=list)

    @property
    def tracks_drawn(self) -> bool:
        """Whether who joined drawn (by a leader, a contest or a shock) matters for lapsing."""
        return self.drawn_tolerance is not None or self.tenure_tolerance > 0 or self.drawn_churn > 0


class MeetingSpec(Strict):
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


class FactionSpec(Strict):
    """An organised faction (a Momentum-style left group, a centrist group, ...)."""

    name: str
    line: Ideology = Field(description="The faction's ideological line.")
    member_share: Share = Field(description="Share of members in the faction at the start.")
    recruit_radius: float = Field(gt=0.0, le=2.0)
    recruitment_rate: Share = Field(description="Monthly chance an unaligned member nearby joins.")
    churn: Share = Field(
        0.0,
        description="Monthly chance a member lets their faction membership lapse (staying in the party).",
    )
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


class GeneralSecretarySpec(Strict):
    """A general secretary (the leadership) of an affiliate, from the month they took office."""

    name: str = Field(min_length=1)
    month: MonthText = Field(description='Month they took office, "YYYY-MM".')
    ideology: Ideology = Field(description="The leadership's position under them.")


class AffiliationSpec(Strict):
    """An affiliate's affiliated levy payers from a month on."""

    month: MonthText
    levy_payers: int = Field(ge=0, description="Affiliated levy payers at full scale (0: none).")


class UnionSpec(Strict):
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


class PlpSpec(Strict):
    """The parliamentary party at the start."""

    ideology: Mixture
    valence: tuple[float, float] = Field((0.0, 1.0), description="Range of MPs' valence.")
    responsiveness: Share = Field(0.3)
    retirement_rate: Share = Field(0.03, description="Annual chance an MP retires.")
    ambition: Share = Field(0.05, description="Share of MPs who may stand for leader.")


class LeaderSpec(Strict):
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
