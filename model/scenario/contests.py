"""Scenario sections for contests: leadership contests, trigger ballots and selections,
and the rules in force at the start (how the rules are played, not the rules).
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import Field

from model.scenario.fields import Ideology, IdeologyComponent, MonthText, Share, Strict

__all__ = [
    "CandidateSpec",
    "ContestSpec",
    "NominationWindow",
    "ReselectionSpec",
    "RulesSpec",
    "ScheduledContest",
]


class CandidateSpec(Strict):
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


class NominationWindow(Strict):
    """The days in which CLPs may make their nominations (the NEC's timetable for a contest)."""

    opens: date = Field(description='First day CLPs may nominate, "YYYY-MM-DD".')
    closes: date = Field(description='Last day, "YYYY-MM-DD" (on or after `opens`).')


class ScheduledContest(Strict):
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
    clp_nominations: NominationWindow | None = Field(
        None,
        description=(
            "When CLPs hold their nominating meetings: each meets on a day of this window, so "
            "in each month in proportion to the window's days in it, on that month's members; "
            "where CLP nominations decide who is on the ballot, the ballot's field is settled "
            "when the window closes. None: every meeting in the opening month."
        ),
    )
    if_leader: list[str] = Field(
        default_factory=list,
        description=(
            "Hold the contest only if one of these leads when it is due (a challenge is "
            "launched against a leader, not a date); empty: whoever leads."
        ),
    )


class ContestSpec(Strict):
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
    principled_below: float | None = Field(
        None,
        ge=-1.5,
        le=1.5,
        description=(
            "Voters left of this position put principles before winning: their weight on "
            "valence falls off (logistically, over `principled_width`) towards zero; None: "
            "every voter weighs valence alike."
        ),
    )
    principled_width: float = Field(
        0.15, gt=0.0, le=2.0, description="How sharply the weight on valence changes there."
    )
    electability_memory_months: float = Field(
        60.0, gt=0.0, le=240.0, description="Months over which a defeat's effect fades."
    )
    defeat_blame: float = Field(
        0.0,
        ge=0.0,
        le=5.0,
        description=(
            "Valence (perceived electability) a candidate loses per unit of a remembered "
            "defeat's severity when standing on the line of the leader who lost it "
            "(Budge's past-results rule); 0: defeats discredit no line."
        ),
    )
    defeat_blame_width: float = Field(
        0.3,
        gt=0.0,
        le=2.0,
        description="How far from the defeated leader's position the discredit reaches.",
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
    clp_nominating_share_binding: Share | None = Field(
        None,
        description=(
            "Share of CLPs that hold a nominating meeting when the rules make CLP "
            "nominations a route onto the ballot (a supplementary route that is required); "
            "None: `clp_nominating_share`, as for supporting nominations."
        ),
    )
    clp_local_sd: float = Field(
        0.0,
        ge=0.0,
        le=2.0,
        description=(
            "Sd of a candidate's local appeal at each CLP's nominating meeting (the local "
            "MP's endorsement, the campaign's organisers there, friends and neighbours), "
            "drawn per CLP and candidate in each contest; 0: none."
        ),
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


class ReselectionSpec(Strict):
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
        False,
        description="The NEC shortlists in open-seat selections (central control; [nec] shortlist_radius).",
    )
    nec_shortlisting_from: MonthText | None = Field(
        None, description='From when the NEC shortlists ("YYYY-MM"; None: from the start).'
    )
    nec_applicants: int = Field(
        0,
        ge=0,
        le=20,
        description=(
            "Under central control (nec_shortlisting), applicants from the party's national "
            "candidate pool the NEC adds to an open seat's longlist beside the CLP's own "
            "hopefuls; each sits where a randomly chosen sitting MP sits (0: none)."
        ),
    )
    nec_endorsement: bool = Field(
        False,
        description=(
            "The NEC refuses to endorse a newly selected candidate (an open seat's, or a "
            "challenger who beat the MP) beyond [nec] shortlist_radius of its median member; "
            "the members then choose among the others (central control by veto)."
        ),
    )
    nec_endorsement_from: MonthText | None = Field(
        None,
        description='From when the NEC vets selected candidates ("YYYY-MM"; None: from the start).',
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


class RulesSpec(Strict):
    """The rules in force at the start: a named preset plus field overrides."""

    preset: str
    overrides: dict[str, Any] = Field(default_factory=dict)
