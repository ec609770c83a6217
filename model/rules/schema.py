"""Party rules as validated, documented data: the pydantic models of a rule set.

A :class:`RuleSet` bundles the three groups of rules the model needs:

* :class:`LeadershipRules` — who may stand (nomination thresholds and
  supplementary routes), who votes (OMOV or an electoral college) and how the
  ballot is counted;
* :class:`ReselectionRules` — when a sitting MP faces a full selection
  (trigger ballots and their variants), and which decisions are taken at
  meetings and which by ballot;
* :class:`ConferenceRules` — how a rule change passes at conference;
* :class:`NecRules` — the NEC's seats by section and how the members elect
  its CLP section.

Rules are inputs (a scenario names a preset and may override single fields,
see `model.rules.presets.resolve_rules`) and outcomes (a conference vote
changes fields of the rule set in force, see :meth:`RuleSet.with_changes`).
Every change is re-validated, so the simulation can never run under an
impossible rule set. Shares are exact fractions (`model.rules.shares`), and
every numeric value in a preset cites its source in ``RuleSet.sources``
(`model.rules.sources`).

The rules package, one idea a module (each imports only those above it)::

    errors     RulesError
    shares     exact shares: parsing, ceil(share × base), labels
    sources    the citation of every number in the presets
    methods    reselection methods: their parameters, defaults and sources
    nec        the NEC's published compositions by period
    edits      field paths, with_changes, rule_changes_between, dependents
    schema     the pydantic models (this module)
    decisions  nomination thresholds, qualification, trigger ballots, card votes
    presets    the named presets with their sources; resolve_rules

Every public name of the package can still be imported from here (the names
of `decisions` and `presets` on first use, since those modules import this
one). This module knows nothing of Mesa; its functions are pure.
"""

from collections.abc import Mapping
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Literal, Self, get_args

from pydantic import BaseModel, ConfigDict, Field, model_validator

from model.rules.edits import (
    apply_changes,
    collect_numbers,
    rule_changes_between,
    rule_sections,
    source_for,
    walk_schema,
)
from model.rules.errors import RulesError
from model.rules.methods import METHOD_DEFAULTS, METHOD_PARAMS
from model.rules.nec import NEC_2010
from model.rules.shares import Share, pct

if TYPE_CHECKING:
    from model.rules.decisions import (
        AffiliateNomination,
        Qualification,
        TriggerOutcome,
        card_vote_passes,
        clp_nominations_needed,
        meets_supplementary,
        nomination_threshold,
        qualifies,
        trigger_ballot_outcome,
    )
    from model.rules.presets import PRESETS, get_preset, preset_names, resolve_rules

__all__ = [
    "ASSUMED_LABOUR_MEPS",
    "PRESETS",
    "SECTION_NAMES",
    "AffiliateNomination",
    "AffiliateRoute",
    "ConferenceRules",
    "LeadershipRules",
    "NEC_SECTIONS",
    "NecRules",
    "Qualification",
    "ReselectionRules",
    "RuleSet",
    "RulesError",
    "Share",
    "SupplementaryRoutes",
    "TriggerOutcome",
    "card_vote_passes",
    "clp_nominations_needed",
    "get_preset",
    "meets_supplementary",
    "nomination_threshold",
    "preset_names",
    "qualifies",
    "resolve_rules",
    "rule_changes_between",
    "trigger_ballot_outcome",
]


# --------------------------------------------------------------------------
# Models
# --------------------------------------------------------------------------

SECTION_NAMES: tuple[str, ...] = ("mps_meps", "members", "affiliates", "registered_supporters")
"""Section names an electoral college may use."""

SectionName = Literal["mps_meps", "members", "affiliates", "registered_supporters"]
ReselectionMethod = Literal[
    "pre_2018", "either_third", "weighted_college", "open_selection", "members_supermajority"
]
TriggerDecidedBy = Literal["branch_meetings", "members_ballot", "none"]

ASSUMED_LABOUR_MEPS: dict[int, int] = {
    # Derived from the data: 270 "MPs and MEPs" entitled to vote in 2010
    # (leadership_elections.2010.electorates_and_turnout.mps_meps_entitled)
    # minus the 257-strong PLP (…nomination_threshold.plp_size_for_threshold).
    2010: 13,
    # Not in the data: Labour won 20 seats at the 2014 European election and
    # 10 at the 2019 one; the UK left the EU on 31 January 2020.
    2016: 20,
    2020: 10,
}
"""Labour MEPs by contest year (2010 derived from the data; 2016 and 2020 assumptions)."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class AffiliateRoute(_Frozen):
    """The affiliate nomination route: N affiliates, M of them unions, covering a share."""

    affiliates: int = Field(
        ge=1, description="Number of affiliated organisations that must nominate the candidate."
    )
    unions_among_them: int = Field(
        ge=0, description="How many of those affiliates must be trade unions."
    )
    share_of_affiliated_membership: Share = Field(
        description=(
            "Share of the total affiliated membership that the nominating affiliates must "
            "together comprise (at least this share)."
        )
    )

    @model_validator(mode="after")
    def _unions_fit(self) -> Self:
        if self.unions_among_them > self.affiliates:
            raise ValueError(
                f"unions_among_them: must be at most affiliates ({self.affiliates}), "
                f"got {self.unions_among_them}"
            )
        return self


class SupplementaryRoutes(_Frozen):
    """Nomination routes beyond the PLP threshold (added by the 2018 democracy review)."""

    clp_share: Share | None = Field(
        None,
        description=(
            "Share of all CLPs that must nominate the candidate (at least this share, "
            "rounded up to whole CLPs); None if there is no CLP route."
        ),
    )
    affiliate_route: AffiliateRoute | None = Field(
        None, description="The affiliate route; None if there is no affiliate route."
    )
    one_required: bool = Field(
        True,
        description=(
            "True: a candidate must meet at least one of the routes in addition to the PLP "
            "threshold. False: routes are recorded but not required."
        ),
    )
    applies_in_challenge: bool = Field(
        False,
        description=(
            "True if a challenger (no vacancy) must also meet a route; False if a challenge "
            "needs only the PLP challenge threshold."
        ),
    )

    @model_validator(mode="after")
    def _some_route(self) -> Self:
        if self.clp_share is None and self.affiliate_route is None:
            raise ValueError(
                "clp_share: at least one route (clp_share or affiliate_route) must be set; "
                "to have no supplementary routes set leadership.supplementary_routes to none"
            )
        return self


class LeadershipRules(_Frozen):
    """How the leader is nominated, elected and counted."""

    electorate: Literal["omov", "college"] = Field(
        description=(
            "Who elects the leader: 'omov' (one member one vote among all eligible voters, "
            "all votes equal) or 'college' (weighted sections)."
        )
    )
    college_sections: dict[SectionName, Share] = Field(
        default_factory=dict,
        description=(
            "Electoral-college sections and their weights (exact, summing to 1); each "
            "section's votes become percentages of that section before weighting. Empty "
            "for OMOV. Known sections: " + ", ".join(SECTION_NAMES) + "."
        ),
    )
    multiple_voting: bool = Field(
        False,
        description="Whether one person may vote in several college sections (college only).",
    )
    registered_supporters: bool = Field(
        description="Whether registered supporters (non-members paying a fee) may vote."
    )
    registered_supporter_fee_gbp: float | None = Field(
        None,
        ge=0,
        description=(
            "Fee in pounds to become a registered supporter; required when registered "
            "supporters vote, None otherwise."
        ),
    )
    registered_supporter_window_hours: int | None = Field(
        None,
        gt=0,
        description=(
            "Hours the registered-supporter sign-up window is open (None: no binding "
            "window, or no registered supporters)."
        ),
    )
    affiliated_supporters: bool = Field(
        description="Whether affiliated supporters (union levy payers who opt in) may vote."
    )
    freeze_months: int = Field(
        ge=0,
        description=(
            "Months of membership needed before the contest opens to vote in it (the freeze "
            "date, expressed as months before opening); 0 = anyone who joins in time."
        ),
    )
    join_cutoff_months: int | None = Field(
        None,
        ge=0,
        le=24,
        description=(
            "With no freeze: months of joining after the contest opens that still give a "
            "vote (a cut-off date after opening, as 20 January 2020 was); later joiners "
            "cannot vote. None = anyone who joins before the ballot closes."
        ),
    )
    plp_threshold_vacancy: Share = Field(
        description=(
            "Share of the nomination base (MPs, plus MEPs if count_meps) a candidate needs "
            "when there is a vacancy; nominations needed = ceil(share × base)."
        )
    )
    plp_threshold_challenge: Share = Field(
        description="Share of the nomination base a challenger needs when there is no vacancy."
    )
    count_meps: bool = Field(
        description=(
            "Whether MEPs count in the threshold base and may nominate (true from the 2015 "
            "conference until MEPs ceased in 2020)."
        )
    )
    supplementary_routes: SupplementaryRoutes | None = Field(
        None,
        description="CLP and affiliate nomination routes on top of the PLP threshold; None if none.",
    )
    incumbent_automatic: bool = Field(
        description=(
            "Whether the incumbent is on the ballot without nominations in a challenge "
            "(ruled so by the NEC in 2016)."
        )
    )
    nominating_meeting_months: int | None = Field(
        None,
        ge=1,
        le=24,
        description=(
            "Months of membership a member needs to take part in a CLP's nomination: in 2020 "
            "only members past their eight-week provisional period could attend (about two "
            "months); None = any member."
        ),
    )
    clp_nominations_decided_by: Literal["meetings", "members_ballot"] = Field(
        "meetings",
        description=(
            "How a CLP decides its supporting nomination: at a meeting of those attending "
            "(the usual case) or by a ballot of all its members."
        ),
    )
    count_method: Literal["eliminating"] = Field(
        "eliminating",
        description=(
            "How the ballot is counted: 'eliminating' (the last candidate is eliminated and "
            "their ballots transfer until one has more than half)."
        ),
    )

    def last_joining_month_to_vote(self, opened: int, now: int) -> int:
        """The last model month in which a new member could join and vote in a contest.

        A freeze date lies `freeze_months` before the contest opened; with
        none, a cut-off lies `join_cutoff_months` after it; with neither,
        anyone who has joined by `now` (the close) votes.

        Args:
            opened: the month the contest opened.
            now: the month it is now (at the close: the month of the ballot).
        """
        if self.freeze_months:
            return opened - self.freeze_months
        if self.join_cutoff_months is not None:
            return min(now, opened + self.join_cutoff_months)
        return now

    def joining_now_gives_a_vote(self, opened: int, now: int) -> bool:
        """Whether someone who joins in month `now` could vote in a contest opened in `opened`."""
        return self.last_joining_month_to_vote(opened, now) >= now

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.electorate == "omov":
            if self.college_sections:
                raise ValueError(
                    "college_sections: must be empty when electorate is 'omov' "
                    f"(got {_section_text(self.college_sections)})"
                )
            if self.multiple_voting:
                raise ValueError("multiple_voting: must be false when electorate is 'omov'")
        else:
            if not self.college_sections:
                raise ValueError(
                    "college_sections: a college needs sections with weights, e.g. "
                    "{mps_meps = '1/3', members = '1/3', affiliates = '1/3'}"
                )
            total = sum(self.college_sections.values(), Fraction(0))
            if total != 1:
                raise ValueError(
                    f"college_sections: weights must sum to exactly 1 (they sum to {total})"
                )
            zero = [name for name, weight in self.college_sections.items() if weight == 0]
            if zero:
                raise ValueError(f"college_sections: weights must be above 0 (zero: {zero})")
            if "registered_supporters" in self.college_sections and not self.registered_supporters:
                raise ValueError(
                    "college_sections: a registered_supporters section needs "
                    "registered_supporters = true"
                )
        if self.registered_supporters and self.registered_supporter_fee_gbp is None:
            raise ValueError(
                "registered_supporter_fee_gbp: required (a number ≥ 0) when "
                "registered_supporters is true"
            )
        if not self.registered_supporters and self.registered_supporter_fee_gbp is not None:
            raise ValueError(
                "registered_supporter_fee_gbp: must be unset when registered_supporters is false"
            )
        return self


def _section_text(sections: Mapping[str, Fraction]) -> str:
    return ", ".join(f"{name} {weight}" for name, weight in sections.items())


class ReselectionRules(_Frozen):
    """When a sitting MP who wants to stand again faces a full selection.

    Comparisons follow the published rule texts exactly:

    * ``pre_2018``: the MP is reselected only with a majority of the combined
      party-branch and affiliate-branch nominations, so a full selection
      follows when branches for one reach ``combined_threshold`` (1/2) of the
      combined total — a tie is a full selection.
    * ``either_third`` (2018): a full selection when *at least*
      ``branch_threshold`` of party branches or *at least*
      ``affiliate_threshold`` of affiliate branches ask for one.
    * ``weighted_college`` (2021): a full selection when *more than*
      ``college_threshold`` of a college weighted ``college_weights`` (half
      branches, half affiliates) asks for one.
    * ``open_selection``: a full selection for every MP every parliament.
    * ``members_supermajority``: the MP is kept only with *at least*
      ``supermajority_share`` of the CLP members' votes.

    Parameters a method does not use must be unset; missing parameters of the
    chosen method are filled with its published defaults.
    """

    method: ReselectionMethod = Field(
        description=(
            "Trigger rule: 'pre_2018', 'either_third' (2018), 'weighted_college' (2021), "
            "'open_selection' or 'members_supermajority'."
        )
    )
    combined_threshold: Share | None = Field(
        None,
        description=(
            "pre_2018 only: share of the combined party and affiliate branches voting for a "
            "full selection at which one follows (at least this share; 1/2 = the MP lacks a "
            "majority)."
        ),
    )
    branch_threshold: Share | None = Field(
        None,
        description=(
            "either_third only: share of party (ward) branches for a full selection that "
            "triggers one (at least this share)."
        ),
    )
    affiliate_threshold: Share | None = Field(
        None,
        description=(
            "either_third only: share of affiliated branches for a full selection that "
            "triggers one (at least this share)."
        ),
    )
    college_weights: dict[Literal["branches", "affiliates"], Share] | None = Field(
        None,
        description=(
            "weighted_college only: weights of the party-branch and affiliate-branch halves "
            "of the trigger college (sum to 1)."
        ),
    )
    college_threshold: Share | None = Field(
        None,
        description=(
            "weighted_college only: share of the weighted college for a full selection that "
            "triggers one (more than this share)."
        ),
    )
    supermajority_share: Share | None = Field(
        None,
        description=(
            "members_supermajority only: share of CLP members' votes the MP needs to be kept "
            "(at least this share); below it there is a full selection."
        ),
    )
    trigger_decided_by: TriggerDecidedBy | None = Field(
        None,
        description=(
            "How the trigger is decided: 'branch_meetings' (each branch and affiliated branch "
            "votes at a meeting of those attending), 'members_ballot' (a ballot of all CLP "
            "members) or 'none' (no trigger: open selection). Fixed by the method."
        ),
    )
    selection_decided_by: Literal["members_ballot"] = Field(
        "members_ballot",
        description="How a full selection is decided: an eliminating ballot of CLP members.",
    )

    @model_validator(mode="before")
    @classmethod
    def _fill_method_defaults(cls, data: Any) -> Any:
        if isinstance(data, Mapping):
            defaults = METHOD_DEFAULTS.get(data.get("method"))  # type: ignore[arg-type]
            if defaults:
                data = dict(data)
                for key, value in defaults.items():
                    if data.get(key) is None:
                        data[key] = value
        return data

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        used = set(METHOD_DEFAULTS[self.method]) - {"trigger_decided_by"}
        for name in METHOD_PARAMS:
            if name not in used and getattr(self, name) is not None:
                uses = ", ".join(sorted(used)) or "no parameters"
                raise ValueError(
                    f"{name}: not used by method '{self.method}' (it uses {uses}); remove it"
                )
        expected = METHOD_DEFAULTS[self.method]["trigger_decided_by"]
        if self.trigger_decided_by != expected:
            raise ValueError(
                f"trigger_decided_by: must be '{expected}' for method '{self.method}' "
                f"(got '{self.trigger_decided_by}')"
            )
        if self.college_weights is not None:
            if set(self.college_weights) != {"branches", "affiliates"}:
                raise ValueError(
                    "college_weights: needs exactly the keys 'branches' and 'affiliates'"
                )
            total = sum(self.college_weights.values(), Fraction(0))
            if total != 1:
                raise ValueError(
                    f"college_weights: weights must sum to exactly 1 (they sum to {total})"
                )
        return self

    @property
    def affiliates_take_part(self) -> bool:
        """Whether affiliated branches vote in the trigger (branch-meeting methods only)."""
        return self.trigger_decided_by == "branch_meetings"


class ConferenceRules(_Frozen):
    """How conference votes on rule changes (card votes)."""

    affiliates_weight: Share = Field(
        description="Weight of the affiliates' (mostly unions') share of a card vote."
    )
    clp_weight: Share = Field(description="Weight of the CLP delegates' share of a card vote.")
    majority_required: Share = Field(
        description=(
            "A proposal passes when its weighted share of the card vote is MORE than this "
            "(1/2 = simple majority)."
        )
    )
    takes_effect: Literal["next_event"] = Field(
        "next_event",
        description="When a passed rule change applies: from the next contest or round.",
    )

    @model_validator(mode="after")
    def _weights_sum(self) -> Self:
        total = self.affiliates_weight + self.clp_weight
        if total != 1:
            raise ValueError(
                f"clp_weight: affiliates_weight + clp_weight must be exactly 1 (they sum to {total})"
            )
        return self


NecSection = Literal[
    "leader",
    "deputy_leader",
    "treasurer",
    "frontbench",
    "plp",
    "eplp",
    "clp",
    "unions",
    "socialist_societies",
    "local_government",
    "youth",
    "bame",
    "disabled",
    "scotland",
    "wales",
]
NEC_SECTIONS: tuple[str, ...] = get_args(NecSection)
"""The NEC's sections (who fills each is documented in model.mechanisms.nec)."""


class NecRules(_Frozen):
    """The National Executive Committee: seats by section and how members elect theirs."""

    seats: dict[NecSection, int] = Field(
        description=(
            "Seats per section (0 or absent: no such section). The CLP section is elected by "
            "the members; the unions' seats go to the largest affiliated unions."
        )
    )
    clp_section_system: Literal["block_vote", "stv"] = Field(
        description=(
            "How members elect the CLP section: 'block_vote' (each member votes for up to "
            "as many candidates as there are seats; the most votes win: slates sweep) or 'stv' "
            "(ranked ballots, Droop quota, surpluses transferred)."
        )
    )

    @model_validator(mode="after")
    def _seats_valid(self) -> Self:
        negative = {k: v for k, v in self.seats.items() if v < 0}
        if negative:
            raise ValueError(f"seats: must be >= 0 (got {negative})")
        if self.seats.get("clp", 0) < 1:
            raise ValueError("seats: the NEC needs a CLP section (seats.clp >= 1)")
        return self

    @property
    def size(self) -> int:
        """Voting members of the NEC."""
        return sum(self.seats.values())


class RuleSet(_Frozen):
    """A complete, validated set of party rules with the sources of its numbers."""

    name: str = Field(min_length=1, description="Short name, e.g. 'labour_2018'.")
    description: str = Field(description="One readable paragraph on what these rules are.")
    leadership: LeadershipRules = Field(description="Leadership nominations, electorate, count.")
    reselection: ReselectionRules = Field(description="Trigger ballots and reselection.")
    conference: ConferenceRules = Field(description="Card votes on rule changes.")
    nec: NecRules = Field(
        default_factory=lambda: NecRules.model_validate(NEC_2010),
        description="The NEC's composition and how the members elect its CLP section.",
    )
    sources: dict[str, str] = Field(
        default_factory=dict,
        description=(
            "Field path (e.g. 'leadership.plp_threshold_vacancy') -> citation, either "
            "'labour_history.json: <json path> — <url>' or 'assumption: …'. A path also "
            "covers the fields below it."
        ),
    )
    basis: str | None = Field(
        None, description="The preset this rule set started from, for changed rule sets."
    )

    @model_validator(mode="after")
    def _sources_name_fields(self) -> Self:
        for path in self.sources:
            try:
                walk_schema(type(self), path.split("."))
            except RulesError as err:
                raise ValueError(f"sources: {err}") from None
        return self

    # -- reading -----------------------------------------------------------

    def label(self) -> str:
        """Short readable label of these rules, for the monthly series.

        Returns:
            e.g. ``"OMOV+RS £3, PLP 15% / trigger ≥1/2 combined"``.
        """
        return f"{_leadership_label(self.leadership)} / {_reselection_label(self.reselection)}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (shares as fraction strings); round-trips via ``model_validate``."""
        return self.model_dump(mode="json")

    def source_for(self, path: str) -> str | None:
        """The citation covering a field path (its own entry or its nearest parent's).

        Args:
            path: dotted field path, e.g. ``"leadership.college_sections.members"``.

        Returns:
            The citation, or None if no entry covers the path.
        """
        return source_for(self.sources, path)

    def numeric_paths(self) -> dict[str, int | float | Fraction]:
        """Every numeric value in the rule set (not booleans, not unset), by field path."""
        found: dict[str, int | float | Fraction] = {}
        for section in rule_sections(type(self)):
            collect_numbers(getattr(self, section), section, found)
        return found

    # -- changing ----------------------------------------------------------

    def with_changes(
        self,
        changes: Mapping[str, Any],
        *,
        name: str | None = None,
        reason: str | None = None,
    ) -> "RuleSet":
        """A new rule set with some fields changed, re-validated.

        Changes are dotted field paths (``"leadership.plp_threshold_vacancy"``)
        or nested mappings (``{"leadership": {"plp_threshold_vacancy": 0.15}}``).
        Switching a controlling field resets the fields that depend on it unless
        they are given too: a new ``reselection.method`` takes its published
        default parameters; ``leadership.electorate`` resets the college
        fields; ``leadership.registered_supporters = false`` drops the fee.

        Args:
            changes: field path -> new value.
            name: name of the new rule set (default: this name + " modified").
            reason: why (e.g. "conference 2019, card vote 55.1%"), recorded in
                the sources of the changed fields.

        Returns:
            The new rule set; this one is unchanged. ``basis`` keeps the preset
            the chain started from.

        Raises:
            RulesError: a path is unknown (the message lists the allowed fields)
                or a value is invalid (the message names the path and the range).
        """
        return apply_changes(self, changes, name=name, reason=reason)

    def rule_changes_to(self, other: "RuleSet") -> dict[str, Any]:
        """The field changes that turn these rules into ``other``'s (see :func:`rule_changes_between`)."""
        return rule_changes_between(self, other)


# --------------------------------------------------------------------------
# Labels
# --------------------------------------------------------------------------

_SECTION_SHORT = {
    "mps_meps": "MPs",
    "members": "members",
    "affiliates": "affiliates",
    "registered_supporters": "RS",
}


def _money(amount: float) -> str:
    return f"£{amount:g}" if amount == int(amount) else f"£{amount:.2f}"


def _leadership_label(rules: LeadershipRules) -> str:
    if rules.electorate == "omov":
        electorate = "OMOV"
    else:
        weights = set(rules.college_sections.values())
        if len(weights) == 1:
            electorate = f"college {len(rules.college_sections)}×{weights.pop()}"
        else:
            electorate = "college " + " ".join(
                f"{_SECTION_SHORT[name]} {weight}"
                for name, weight in rules.college_sections.items()
            )
        if rules.multiple_voting:
            electorate += " multi-vote"
    if rules.registered_supporters:
        fee = rules.registered_supporter_fee_gbp or 0.0
        electorate += f"+RS {_money(fee)}" if fee else "+RS free"
    base = "PLP+EPLP" if rules.count_meps else "PLP"
    threshold = f"{base} {pct(rules.plp_threshold_vacancy)}"
    routes = rules.supplementary_routes
    if routes is not None and routes.one_required:
        options = []
        if routes.clp_share is not None:
            options.append(f"{pct(routes.clp_share)} CLPs")
        if routes.affiliate_route is not None:
            options.append(f"{routes.affiliate_route.affiliates} affiliates")
        threshold += " + " + " or ".join(options)
    parts = [electorate, threshold]
    if rules.freeze_months:
        parts.append(f"freeze {rules.freeze_months}m")
    elif rules.join_cutoff_months is not None:
        parts.append(f"joining cut-off {rules.join_cutoff_months}m after opening")
    return ", ".join(parts)


def _reselection_label(rules: ReselectionRules) -> str:
    match rules.method:
        case "pre_2018":
            return f"trigger ≥{rules.combined_threshold} combined"
        case "either_third":
            if rules.branch_threshold == rules.affiliate_threshold:
                return f"trigger {rules.branch_threshold}"
            return f"trigger {rules.branch_threshold} br./{rules.affiliate_threshold} aff."
        case "weighted_college":
            return f"trigger college >{rules.college_threshold}"
        case "open_selection":
            return "open selection"
        case _:
            assert rules.supermajority_share is not None
            return f"MP needs {pct(rules.supermajority_share)} of members"


# Names that moved to modules importing this one, still importable from here
# (``from model.rules.schema import get_preset``): loaded on first use, so
# there is no import cycle.
_MOVED = {
    "AffiliateNomination": "model.rules.decisions",
    "Qualification": "model.rules.decisions",
    "TriggerOutcome": "model.rules.decisions",
    "card_vote_passes": "model.rules.decisions",
    "clp_nominations_needed": "model.rules.decisions",
    "meets_supplementary": "model.rules.decisions",
    "nomination_threshold": "model.rules.decisions",
    "qualifies": "model.rules.decisions",
    "trigger_ballot_outcome": "model.rules.decisions",
    "PRESETS": "model.rules.presets",
    "get_preset": "model.rules.presets",
    "preset_names": "model.rules.presets",
    "resolve_rules": "model.rules.presets",
}


def __getattr__(name: str) -> Any:
    """Load a name that moved to `decisions` or `presets` (PEP 562)."""
    if name in _MOVED:
        import importlib

        return getattr(importlib.import_module(_MOVED[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
