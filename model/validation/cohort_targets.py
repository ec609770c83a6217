"""Validation targets by length of membership: who voted how, by when they joined.

A leadership contest records full members' first preferences by the month
they joined (`LeadershipContest.members_by_joining_month`); the published
splits divide members at general elections:

* 2016 (fit period): Owen Smith led among the members of before the 2015
  election — YouGov, August 2016, and the Party Members Project — a bound on
  Corbyn's share there, scored as its excess over half;
* 2020 (forecast period): YouGov/Sky's selectorate poll of February 2020,
  Starmer and Long-Bailey among those who joined before 2015, in 2015–19 and
  after the 2019 election.

And who the membership is, by when they joined (`composition`): how many of
the members of December 2015 had joined before that year's election, of
February 2017 before Corbyn became leader, of February 2020 before the 2019
election. How fast the surge's joiners lapse decides these shares.

Declarations only, as in :mod:`model.validation.catalogue`.
"""

from __future__ import annotations

from model.validation.measures import Measure, cohort_share, excess_over, share_of_members
from model.validation.targets import (
    LONG,
    Baseline,
    Target,
    bound_from_fact,
    equal_shares,
    nested,
    slug,
)

ELECTION_2015, ELECTION_2019 = "2015-05", "2019-12"
"""The general elections that divide members into cohorts by when they joined
[data: general_elections] (labour_history.json)."""

COHORTS_2020 = (
    ("joined_before_2015", "joined before the 2015 election"),
    ("joined_2015_2019", "joined 2015–2019"),
    ("joined_since_2019_ge", "joined since the 2019 election"),
)
"""The poll's columns (labour_politics.json) and what they mean."""


def cohort_bound_2016() -> Target:
    """Smith led among the members of before 2015: Corbyn's share there exceeded half by nothing."""
    m = "2016-09"
    return Target(
        "2016_cohort_before_2015_corbyn_over_half",
        "2016 by length of membership",
        "2016 Corbyn's share of members who joined before the 2015 election, "
        "points above 50 (Smith led among them)",
        LONG,
        m,
        "politics:members_ideology_and_composition.cohort_differences_2015_16"
        ".pre_ge2015_members_voted_smith_2016",
        excess_over(50.0, cohort_share(m, "Jeremy Corbyn", (ELECTION_2015,), 0)),
        "points",
        "cohort bound",
        derive=bound_from_fact("predominantly for Owen Smith"),
        note="a bound, not a figure: YouGov (Aug 2016) and the Party Members Project "
        "found Owen Smith ahead among members from before May 2015, so Corbyn's share "
        "there exceeded half by nothing; NaN where the contest was not held",
    )


def cohorts_2020() -> list[Target]:
    """The 2020 vote by length of membership, from YouGov's selectorate poll (forecast period)."""
    out: list[Target] = []
    m = "2020-04"
    path = "politics:members_ideology_and_composition.cohort_vote_2020_yougov_sky"
    for k, (column, label) in enumerate(COHORTS_2020):
        for name in ("Keir Starmer", "Rebecca Long-Bailey"):
            surname = name.split()[-1]
            out.append(
                Target(
                    f"2020_cohort_{column}_{slug(name)}",
                    "2020 by length of membership (poll)",
                    f"2020 round 1, {surname} (% of members who {label}; YouGov, Feb 2020)",
                    LONG,
                    m,
                    path,
                    cohort_share(m, name, (ELECTION_2015, ELECTION_2019), k),
                    "%",
                    "cohort poll",
                    derive=nested("round1", column, surname),
                    baseline=equal_shares(3),
                    note="a poll of the selectorate (n=1,323), not the count; the poll's "
                    "'before 2015' is read as before the 2015 election [assumption]",
                )
            )
    return out


def cohort_measures() -> dict[str, Measure]:
    """Diagnostics without a published figure: Corbyn's share by cohort in 2015 and 2016."""
    out: dict[str, Measure] = {}
    for month in ("2015-09", "2016-09"):
        for k, cohort in enumerate(("before_2015", "since_2015")):
            out[f"{month[:4]}_cohort_{cohort}_jeremy_corbyn"] = cohort_share(
                month, "Jeremy Corbyn", (ELECTION_2015,), k
            )
    return out


COMPOSITION = "politics:members_ideology_and_composition"

NO_LAPSE_BASELINES = {
    "2015-12": (201_293, 388_262),
    "2017-02": (370_600, 543_645),
    "2020-02": (532_046, 532_046 + 105_000),
}
"""Each composition figure's naive forecast: nobody who was a member at the
cut lapsed since, so the share is (members then) / (members at the survey).
2015: 201,293 members at the May election [data: membership_flows.events[0]]
and 388,262 at the end of 2015 [data: membership.year_end_series]; 2017:
370,600 in September 2015, when Corbyn was elected [data:
membership_flows.events[2]], and 543,645 at the end of 2016 [data:
membership.year_end_series]; 2020: 532,046 at the end of 2019 [data:
membership.year_end_series] and the 105,000 who joined by mid-January 2020
[data: membership_flows.events[8]] (labour_history.json, labour_politics.json).
A test recomputes them from the data."""


def _no_lapse(month: str, what: str) -> Baseline:
    before, after = NO_LAPSE_BASELINES[month]
    return Baseline(
        f"nobody who was a member {what} lapsed ({before:,} of {after:,})",
        constant=round(100.0 * before / after, 1),
    )


def composition() -> list[Target]:
    """Who the membership is by when they joined (YouGov's weights and the SMF's poll)."""
    weights_2017 = (
        f"{COMPOSITION}.cohort_composition.yougov_feb_mar_2017_pre_vs_post_corbyn_weights"
    )
    weights_2020 = f"{COMPOSITION}.cohort_composition.yougov_feb_2020_full_member_cohort_weights"
    note = (
        "YouGov's weighting targets, its own estimate of the membership, not a count "
        "[assumption: read as the membership's composition]"
    )
    return [
        Target(
            "composition_2015_before_election",
            "Membership by when they joined",
            "Members at the end of 2015 who joined before the 2015 election (%)",
            LONG,
            "2015-12",
            f"{COMPOSITION}.cohort_differences_2015_16.share_joined_before_ge2015_dec2015",
            share_of_members("members_before_last_election", "2015-12"),
            "%",
            "membership composition",
            baseline=_no_lapse("2015-12", "at the May 2015 election"),
            note="a YouGov poll as of December 2015, reported by the SMF",
        ),
        Target(
            "composition_2017_before_leader",
            "Membership by when they joined",
            "Members in February 2017 who joined before Corbyn became leader (%)",
            LONG,
            "2017-02",
            weights_2017,
            share_of_members("members_before_leader", "2017-02"),
            "%",
            "membership composition",
            derive=lambda v: 100.0 * v["joined_before_corbyn_leader"] / v["total"],
            baseline=_no_lapse("2017-02", "when Corbyn was elected"),
            note=note,
        ),
        Target(
            "composition_2020_before_election",
            "Membership by when they joined",
            "Full members in February 2020 who joined before the 2019 election (%)",
            LONG,
            "2020-02",
            weights_2020,
            share_of_members("members_before_last_election", "2020-02"),
            "%",
            "membership composition",
            derive=lambda v: (
                100.0
                * (v["joined_2015_to_2019"] + v["joined_before_2015"])
                / (v["joined_since_2019_ge"] + v["joined_2015_to_2019"] + v["joined_before_2015"])
            ),
            baseline=_no_lapse("2020-02", "at the December 2019 election"),
            note=note + "; the poll's cohorts cover 1,023 of its 1,039 full members",
        ),
    ]
