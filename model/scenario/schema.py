"""Scenario files: the whole scenario, loading and validation.

A scenario says everything a run needs apart from the seed: the size of the
party, the initial distributions, the behavioural parameters, the calendar and
the rules in force. Loading validates all of it; a bad file gives one
`ScenarioError` whose message names the file, the key path and what is
allowed, so the command line can print it and exit with status 2.

The scenario package, one idea a module (each imports only those above it)::

    fields      the field types: shares, positions, months, distributions
    errors      ScenarioError and its readable lines
    paths       one dotted-path get/set for scenarios and experiments
    seats       the [seats] section and its checks against the real seats
    population  [party], [members], [influence], [flows], [meetings],
                [[factions]], [[unions]], [plp], [leader]
    contests    [contests], [reselection], [rules]
    politics    [conference], [elections], [challenges], [union_politics]
    schema      Scenario (this module): cross-checks, loading, the smallest scale

Every section class can still be imported from here.
"""

from __future__ import annotations

import copy
import math
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Self

from pydantic import Field, ValidationError, model_validator

from model.calendar import Month
from model.rules.errors import RulesError
from model.rules.presets import resolve_rules
from model.scenario.contests import (
    CandidateSpec,
    ContestSpec,
    ReselectionSpec,
    RulesSpec,
    ScheduledContest,
)
from model.scenario.errors import ScenarioError, describe
from model.scenario.fields import (
    SHARE_TOLERANCE,
    BetaSpec,
    Ideology,
    IdeologyComponent,
    Mixture,
    MonthText,
    Share,
    Strict,
)
from model.scenario.paths import PathError, is_open_map, set_path
from model.scenario.politics import (
    ChallengeSpec,
    ConferenceSpec,
    DeputySpec,
    ElectionSpec,
    NecDecisionSpec,
    NecElectionSpec,
    NecSpec,
    PreviousElection,
    ScheduledProposal,
    SlateSpec,
    UnionDecisionSpec,
    UnionPoliticsSpec,
)
from model.scenario.population import (
    AffiliationSpec,
    FactionSpec,
    FlowSpec,
    GeneralSecretarySpec,
    InfluenceSpec,
    LeaderSpec,
    MeetingSpec,
    MemberSpec,
    PartySpec,
    PlpSpec,
    PoolSegment,
    ShockSpec,
    UnionSpec,
)
from model.scenario.seats import SeatSpec, check_seats

__all__ = [
    "MIN_LEVY_PAYERS",
    "MIN_MEMBERS_PER_CLP",
    "RECOMMENDED_MEMBERS_PER_CLP",
    "SHARE_TOLERANCE",
    "AffiliationSpec",
    "BetaSpec",
    "CalendarSpec",
    "CandidateSpec",
    "ChallengeSpec",
    "ConferenceSpec",
    "ContestSpec",
    "DeputySpec",
    "ElectionSpec",
    "FactionSpec",
    "FlowSpec",
    "GeneralSecretarySpec",
    "Ideology",
    "IdeologyComponent",
    "InfluenceSpec",
    "LeaderSpec",
    "MeetingSpec",
    "MemberSpec",
    "Mixture",
    "MonthText",
    "NecDecisionSpec",
    "NecElectionSpec",
    "NecSpec",
    "PartySpec",
    "PlpSpec",
    "PoolSegment",
    "PreviousElection",
    "ReselectionSpec",
    "RulesSpec",
    "Scenario",
    "ScenarioError",
    "ScenarioInfo",
    "ScheduledContest",
    "ScheduledProposal",
    "SeatSpec",
    "Share",
    "ShockSpec",
    "SlateSpec",
    "UnionDecisionSpec",
    "UnionPoliticsSpec",
    "UnionSpec",
    "load_scenario",
    "members_per_clp_note",
    "parse_scenario",
    "smallest_scale",
]


class ScenarioInfo(Strict):
    """Name and purpose of the scenario."""

    name: str = Field(description="Short identifier used in result folders and plots.")
    description: str = Field("", description="What the scenario is for.")


class CalendarSpec(Strict):
    """When the run starts and how long it lasts (one step is one month)."""

    start: MonthText = Field(description='First simulated month, "YYYY-MM".')
    months: int = Field(gt=0, le=1200, description="Number of months to run.")


class Scenario(Strict):
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
        for key, scheduled in [
            ("contests.scheduled", self.contests.scheduled),
            ("deputy.scheduled", self.deputy.scheduled),
        ]:
            for i, contest in enumerate(scheduled):
                problems.extend(
                    _window_problems(f"{key}.{i}", contest, self.contests.duration_months)
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
        raise ScenarioError(source, describe(err, Scenario)) from None
    _check_rules(scenario, source)
    return scenario


def _check_rules(scenario: Scenario, source: str) -> None:
    # A rules problem is reported as a scenario problem with the scenario's
    # file name, not as a bare rules error.
    try:
        resolve_rules(scenario.rules.preset, scenario.rules.overrides)
    except RulesError as err:
        raise ScenarioError(source, [f"rules: {err}"]) from None


def _window_problems(key: str, contest: Any, duration_months: int) -> list[str]:
    """A scheduled contest's CLP nominations window must close before its result month."""
    window = contest.clp_nominations
    if window is None:
        return []
    opened = Month.parse(contest.month)
    result = (
        Month.parse(contest.closes) if contest.closes is not None else opened.plus(duration_months)
    )
    if window.closes < window.opens:
        return [
            f"{key}.clp_nominations.closes: {window.closes} is before opens ({window.opens}); "
            "allowed: the same day or later"
        ]
    last = Month(window.closes.year, window.closes.month)
    if not opened <= last < result:
        return [
            f"{key}.clp_nominations.closes: {window.closes} is not in the months from the "
            f"opening ({opened}) to the one before the result ({result}); allowed: a day in "
            f"{opened} to {result.plus(-1)}"
        ]
    return []
