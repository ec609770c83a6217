"""Scenario sections for rules as an outcome: conference, general elections,
challenges to the leader and the unions' own politics.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, Self

from pydantic import BaseModel, Field, field_validator, model_validator

from model.calendar import Month
from model.rules.errors import RulesError
from model.rules.nec import NEC_PROCEDURAL_FIELDS
from model.rules.presets import PRESETS
from model.scenario.contests import ScheduledContest
from model.scenario.fields import Ideology, MonthText, Share, Strict
from model.scenario.population import LeaderSpec

__all__ = [
    "ChallengeSpec",
    "ConferenceSpec",
    "DeputySpec",
    "ElectionSpec",
    "NecDecisionSpec",
    "NecElectionSpec",
    "NecSpec",
    "PreviousElection",
    "ScheduledProposal",
    "SlateSpec",
    "UnionDecisionSpec",
    "UnionPoliticsSpec",
]


class ScheduledProposal(Strict):
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
            "left (-1) .. right (+1) axis (see model.mechanisms.proposals.supports). With "
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


class ConferenceSpec(Strict):
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
    delegate_sd: float = Field(
        0.1,
        ge=0.0,
        le=2.0,
        description=(
            "Sd of each unaligned CLP delegation's own lean on each proposal, added to its "
            "utility (its mandate and the delegates' views beyond the median member; "
            "0: none, every delegation votes as its median member would; profiled with "
            "deference on 2010-2019: docs/calibration.md, tenth round)."
        ),
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
        0.05,
        ge=0.0,
        le=1.0,
        description=(
            "How far unaligned delegates follow the NEC's recommendation (profiled with "
            "delegate_sd on 2010-2019: docs/calibration.md, tenth round)."
        ),
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


class PreviousElection(Strict):
    """The last general election before the run starts (it shapes the first contests)."""

    month: MonthText
    seats: int = Field(ge=0, le=1000, description="Seats the party won.")
    leader_ideology: float | None = Field(
        None,
        ge=-1.0,
        le=1.0,
        description=(
            "Position of the leader who led the party into it (the line a defeat "
            "discredits, `contests.defeat_blame`); None: no line."
        ),
    )


class ElectionSpec(Strict):
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
            "Chance the leader resigns after a defeat in which the party lost seats (the "
            "three such defeats 2010-2019 were followed by a vacancy contest: 2010, 2015, "
            "2020) [derived assumption]."
        ),
    )
    resignation_after_gains: Share = Field(
        0.0,
        description=(
            "Chance the leader resigns after a defeat in which the party gained seats (2017: "
            "the leader stayed, and the PLP did not challenge) [derived assumption]."
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


class ChallengeSpec(Strict):
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


class UnionPoliticsSpec(Strict):
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


class UnionDecisionSpec(Strict):
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


class SlateSpec(Strict):
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


class NecElectionSpec(Strict):
    """A CLP-section election (or by-election for some seats)."""

    month: MonthText
    seats: int | None = Field(
        None, ge=1, le=20, description="Seats elected (None: the whole CLP section)."
    )


class NecDecisionSpec(Strict):
    """A procedural rule the NEC itself decides between conferences (a vote of its members)."""

    month: MonthText
    title: str = Field(min_length=1)
    proposer: str = Field("leader", description="'leader', 'nec' or a faction's name.")
    changes: dict[str, Any] = Field(description="Dotted rule-field path -> new value.")

    @field_validator("changes")
    @classmethod
    def _procedural(cls, value: dict[str, Any]) -> dict[str, Any]:
        outside = [k for k in value if k not in NEC_PROCEDURAL_FIELDS]
        if outside:
            raise ValueError(
                f"the NEC decides only procedures ({', '.join(NEC_PROCEDURAL_FIELDS)}); "
                f"not {outside}: put rule changes to conference"
            )
        return value


class NecSpec(Strict):
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
    contest_camps: bool = Field(
        False,
        description=(
            "A CLP-section ballot held while a leadership contest is open is voted by camps: "
            "each slate backs the candidate nearest it, and members rank the slates as they "
            "rank those candidates (distance, perceived electability, incumbency) rather than "
            "by the slates' positions alone."
        ),
    )


class DeputySpec(Strict):
    """Deputy leadership: the deputy at the start and scheduled contests."""

    initial: LeaderSpec | None = Field(None, description="The deputy leader at the start.")
    scheduled: list[ScheduledContest] = Field(
        default_factory=list,
        description="Deputy contests opening in these months (with the leader's, if any).",
    )
