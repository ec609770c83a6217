"""The `[seats]` section of a scenario: real seats, elections by seat, members and unions by place.

Every CLP is a real Westminster constituency in Great Britain (2010–2019
boundaries, `model.data.seats`). This section says which real result the
run starts from, how general elections are decided seat by seat, and how a
CLP's membership, its members' lean and its union density follow from its
place. Each mapping is an assumption with a source where one exists; the
defaults are documented field by field and in docs/ODD.md ("Real seats").

The constants here are the facts the schema checks scenarios against without
reading the data files (tests/test_seat_wiring.py checks them against the
packaged results).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from model.calendar import Month
from model.data.seats import find_seat

__all__ = [
    "GB_REGIONS",
    "GB_SEATS",
    "HOUSE_SEATS",
    "MEMBERS_BY_REGION_2018",
    "REAL_ELECTIONS",
    "REAL_LABOUR_SEATS",
    "UNION_DENSITY_2018",
    "SeatSpec",
    "initial_year",
    "real_election_year",
]

GB_SEATS = 632
"""Seats in Great Britain on the 2010–2019 boundaries: one CLP each (650 minus Northern Ireland's 18)."""

HOUSE_SEATS = 650
"""Seats in the House of Commons (2010–2024)."""

GB_REGIONS: tuple[str, ...] = ("NE", "NW", "YH", "EM", "WM", "EA", "LO", "SE", "SW", "WA", "SC")
"""Region codes of the seats in Great Britain (the hex map's ``a``)."""

REAL_ELECTIONS: Mapping[str, int] = MappingProxyType(
    {"2010-05": 2010, "2015-05": 2015, "2017-06": 2017, "2019-12": 2019}
)
"""The general elections fought on these boundaries, by month ("YYYY-MM" -> year)."""

REAL_LABOUR_SEATS: Mapping[int, int] = MappingProxyType(
    {2010: 258, 2015: 232, 2017: 262, 2019: 202}
)
"""Seats Labour won at each of them (labour_history.json, plp_and_constituencies.labour_seats_at_general_elections)."""

MEMBERS_BY_REGION_2018: Mapping[str, int] = MappingProxyType(
    {
        "YH": 51068,
        "NE": 28177,
        "SC": 25770,
        "WM": 37291,
        "EM": 35041,
        "NW": 71488,
        "LO": 112308,
        "WA": 27688,
        "SE": 66805,
        "EA": 42769,
        "SW": 48468,
    }
)
"""Labour members by region, January 2018 (internal figures, 552,175 in all; the 11 regions add
up to 546,873, the rest presumably Northern Ireland and members abroad). Source: "Labour
membership – full regional breakdown", The Red Roar, January 2018
(theredroar.com/2018/01/labour-membership-full-regional-breakdown-gives-party-southern-comfort/);
"North" there is the North East. Not in labour_history.json. London's 20.5% agrees with the
~21% estimated from the 2010 ballot distribution (British Politics, cited by Full Fact,
fullfact.org/news/tracing-claim-do-48-labour-members-live-london/)."""

UNION_DENSITY_2018: Mapping[str, float] = MappingProxyType(
    {
        "NE": 0.289,
        "NW": 0.282,
        "YH": 0.272,
        "EM": 0.221,
        "WM": 0.221,
        "EA": 0.195,
        "LO": 0.182,
        "SE": 0.182,
        "SW": 0.221,
        "WA": 0.31,
        "SC": 0.28,
    }
)
"""Trade-union density of employees by region, 2018 (BEIS, Trade Union Membership 2018,
Statistical Bulletin, 30 May 2019, table 4.1: NE 28.9%, NW 28.2%, YH 27.2%, London 18.2%,
SE 18.2%, East 19.5%, England 22.1%; Scotland ~28% and Wales ~31% as quoted by the UK Data
Service case study of the same figures). The East Midlands, West Midlands and South West
were not in the stored text: they are given England's average, 22.1% (an assumption)."""


def real_election_year(month: str) -> int | None:
    """The year of the real general election held in `month` on these boundaries, else None."""
    return REAL_ELECTIONS.get(str(month))


Share = Annotated[float, Field(ge=0.0, le=1.0)]


class SeatSpec(BaseModel):
    """Real seats: the starting result, elections seat by seat, members and unions by place."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    initial_result: Literal[2010, 2015, 2017, 2019] | None = Field(
        None,
        description=(
            "The real general election the run starts from: the PLP sits in the seats Labour won "
            "then, and computed elections swing from it. None: the last one held at or before "
            "calendar.start (2010 for a start before May 2010)."
        ),
    )
    real_results: bool = Field(
        True,
        description=(
            "At a scenario election held in the month of a real one on these boundaries "
            "(2010-05, 2015-05, 2017-06, 2019-12) with a historical seat count, Labour wins "
            "exactly the seats it really won, by ONS code. False: the count is handed out by "
            "the swing model's ranking instead (for counterfactual counts)."
        ),
    )
    swing: Literal["uniform", "proportional"] = Field(
        "uniform",
        description="How a national vote share becomes seats in computed elections (model.mechanisms.seat_swing).",
    )
    match_national: bool = Field(
        False,
        description="Adjust the swing until the national shares after clipping meet the targets exactly.",
    )
    targets: dict[str, dict[str, Share]] = Field(
        default_factory=dict,
        description=(
            'Per election month ("YYYY-MM"), national shares of every party (lab, con, ld, snp, '
            "pc, other; adding up to 1) that rank the seats when only a historical count is given "
            "(an election not on these boundaries, e.g. 2024). Without one, seats are ranked by "
            "Labour's margin at the base result."
        ),
    )
    nation_swing: dict[str, dict[str, float]] = Field(
        default_factory=dict,
        description=(
            'Per election month, Labour\'s change within a nation ({"Scotland": 0.167}) '
            "overriding the national swing there (seat_swing.swing_seats)."
        ),
    )
    members_by_region: dict[str, float] = Field(
        default_factory=lambda: dict(MEMBERS_BY_REGION_2018),
        description=(
            "Relative membership of each GB region (any unit; renormalised). Default: the party's "
            "January 2018 regional figures (MEMBERS_BY_REGION_2018)."
        ),
    )
    member_labour_share_exponent: float = Field(
        1.0,
        ge=0.0,
        le=5.0,
        description=(
            "Within a region, a seat's members scale as (Labour's share at the initial result) "
            "** this [assumption]."
        ),
    )
    member_population_exponent: float = Field(
        1.0,
        ge=0.0,
        le=3.0,
        description="Within a region, a seat's members scale as (its population) ** this [assumption].",
    )
    lean_by_region: dict[str, float] = Field(
        default_factory=dict,
        description="Ideological lean added to the members of each region's CLPs (default 0) [assumption].",
    )
    lean_labour_share: float = Field(
        0.1,
        ge=-2.0,
        le=2.0,
        description=(
            "Lean per unit of Labour's share above the GB average (positive: members in Labour "
            "strongholds lean right) [assumption]."
        ),
    )
    union_density_by_region: dict[str, float] = Field(
        default_factory=lambda: dict(UNION_DENSITY_2018),
        description=(
            "Union density of each GB region; a CLP's affiliated branches and its members' chance "
            "of paying a levy scale with it relative to the party's average (UNION_DENSITY_2018)."
        ),
    )

    @field_validator("members_by_region", "union_density_by_region", "lean_by_region")
    @classmethod
    def _regions(cls, value: dict[str, float]) -> dict[str, float]:
        unknown = sorted(set(value) - set(GB_REGIONS))
        if unknown:
            raise ValueError(f"unknown region codes {unknown}; GB regions: {', '.join(GB_REGIONS)}")
        return value

    @field_validator("members_by_region", "union_density_by_region")
    @classmethod
    def _complete_and_positive(cls, value: dict[str, float]) -> dict[str, float]:
        missing = [g for g in GB_REGIONS if g not in value]
        if missing:
            raise ValueError(f"give every GB region; missing {missing}")
        bad = {g: v for g, v in value.items() if not v > 0}
        if bad:
            raise ValueError(f"values must be above 0: {bad}")
        return value

    @field_validator("targets")
    @classmethod
    def _targets(cls, value: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
        parties = {"lab", "con", "ld", "snp", "pc", "other"}
        for month, shares in value.items():
            _check_month(month)
            if set(shares) != parties:
                raise ValueError(
                    f"{month}: give the shares of exactly {sorted(parties)} (got {sorted(shares)})"
                )
            total = sum(shares.values())
            if abs(total - 1.0) > 1e-6:
                raise ValueError(f"{month}: shares must add up to 1 (they add up to {total:.6f})")
        return value

    @field_validator("nation_swing")
    @classmethod
    def _nations(cls, value: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
        for month, nations in value.items():
            _check_month(month)
            unknown = sorted(set(nations) - {"England", "Scotland", "Wales"})
            if unknown:
                raise ValueError(f"{month}: unknown nations {unknown} (England, Scotland, Wales)")
        return value


def _check_month(text: str) -> None:
    Month.parse(text)


def initial_year(spec: SeatSpec, start: object) -> int:
    """The real election a run starts from: `spec.initial_result`, else the last one at or before `start`.

    Args:
        spec: the scenario's `[seats]` section.
        start: the run's first month (a `Month` or "YYYY-MM").

    Returns:
        2010, 2015, 2017 or 2019 (2010 for a start before May 2010).
    """
    if spec.initial_result is not None:
        return int(spec.initial_result)
    month = str(start)
    held = [year for when, year in REAL_ELECTIONS.items() if when <= month]
    return max(held) if held else min(REAL_ELECTIONS.values())


def check_seats(scenario: object) -> list[str]:
    """Cross-checks of a scenario against the real seats (called by `Scenario` validation).

    Args:
        scenario: the `Scenario` being validated (typed loosely: this module sits below it).

    Returns:
        One "key.path: what is wrong; allowed: ..." line per problem: a PLP size or a
        historical seat count that contradicts the real result, a starting result after
        the start, an unknown seat name, or a target month that is not an election of
        the scenario.
    """
    problems: list[str] = []
    s: object = scenario
    spec: SeatSpec = s.seats  # type: ignore[attr-defined]
    start = str(s.calendar.start)  # type: ignore[attr-defined]
    year = initial_year(spec, start)
    month = next(m for m, y in REAL_ELECTIONS.items() if y == year)
    if month > start:
        problems.append(
            f"seats.initial_result: the {year} election ({month}) is after calendar.start "
            f"({start}); allowed: an election held by then"
        )
    plp_size = s.party.plp_size  # type: ignore[attr-defined]
    if plp_size is not None and plp_size != REAL_LABOUR_SEATS[year]:
        problems.append(
            f"party.plp_size: {plp_size} is not the {REAL_LABOUR_SEATS[year]} seats Labour won "
            f"at the {year} general election, where the PLP starts (seats.initial_result); "
            f"allowed: {REAL_LABOUR_SEATS[year]}, or leave plp_size out"
        )
    elections = s.elections  # type: ignore[attr-defined]
    if spec.real_results:
        for when, count in elections.historical_seats.items():
            real = real_election_year(when)
            if real is not None and count != REAL_LABOUR_SEATS[real]:
                problems.append(
                    f"elections.historical_seats: {when} gives {count} seats, but Labour won "
                    f"{REAL_LABOUR_SEATS[real]} at the {real} general election and "
                    "seats.real_results hands out those real seats by ONS code; allowed: "
                    f"{REAL_LABOUR_SEATS[real]}, or seats.real_results = false for a "
                    "counterfactual count"
                )
    months = set(elections.dates) | set(elections.historical_seats)
    for key in ("targets", "nation_swing"):
        stray = sorted(set(getattr(spec, key)) - months)
        if stray:
            problems.append(
                f"seats.{key}: {', '.join(stray)} not an election month of this scenario; "
                "allowed: months in elections.dates or elections.historical_seats"
            )
    named = [("leader.seat", s.leader.seat)]  # type: ignore[attr-defined]
    for i, contest in enumerate(s.contests.scheduled):  # type: ignore[attr-defined]
        named += [
            (f"contests.scheduled.{i}.candidates.{j}.seat", c.seat)
            for j, c in enumerate(contest.candidates)
        ]
    wanted = [(where, seat) for where, seat in named if seat is not None]
    if wanted:
        for where, seat in wanted:
            try:
                find_seat(seat, where=where)
            except ValueError as err:
                problems.append(str(err))
    return problems
