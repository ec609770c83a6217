"""Targets of the institutions from 2017: conference card votes (and their CLP and
affiliate halves), agenda votes, proposals that fell, the NEC's votes and CLP-section
elections, affiliates' nominations in 2020 and the 2020 deputy contest.

A row's role follows the split (December 2019): the 2017 and 2018 card votes and
the 2018 NEC result are fit targets, everything from 2020 a forecast the
calibration never reads, and any row the scenario imposes is built in. Figures recorded as text ("about 66 (protest)",
"almost 98") are read with :func:`~model.validation.history.approximate_number`
and say so in their note; where the data set has no figure (the 2021 card
vote's halves, the 2017 card-vote share) there is no row.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from model.validation.history import POLITICS_PREFIX, approximate_number
from model.validation.institution_measures import (
    affiliate_nominations,
    agenda_share_for,
    conference_half_for,
    deputy_round_share,
    deputy_winner_is,
    nec_left_share,
    nec_right_to_left,
    nec_vote_share_for,
    part_dropped,
    proposal_falls_unvoted,
    union_nominates,
)
from model.validation.measures import conference_passes, conference_share_for
from model.validation.targets import (
    LONG,
    Baseline,
    Target,
    equal_odds,
    equal_shares,
    forced_conference,
    key_value,
    nested,
    percent_for,
    seat_share,
)

POLITICS = POLITICS_PREFIX
VOTES = "conference_and_nec_rule_votes"
RULES_2018 = "rule_changes.2018_conference_democracy_review"
REFORM_2021 = "rule_changes.2021_conference_starmer_reforms"

LAST_CARD_VOTE = Baseline(
    "the last leadership-rules card vote before it (the 2014 special conference)",
    path="rule_changes.2014_collins_review.special_conference",
    derive=percent_for,
)
LAST_CARD_VOTE_2021 = Baseline(
    "the last leadership-rules card vote before the split (2018, nominations)",
    path=f"{RULES_2018}.leadership_vote_pct_for",
)


def _for_from_against(field: str) -> Callable[[Any], float]:
    """100 minus an approximate "% against" figure recorded as text."""
    return lambda value: 100.0 - approximate_number(value[field])


def _approx(field: str) -> Callable[[Any], float]:
    return lambda value: approximate_number(value[field])


def _conference() -> list[Target]:
    out: list[Target] = []
    common: dict[str, Any] = {"imposed": forced_conference}
    out.append(
        Target(
            "conference_2017_passes",
            "Conference and the NEC",
            "2017 NEC compromise (10% threshold, nine CLP seats) passes",
            LONG,
            "2017-09",
            "rule_changes.2017_conference_mcdonnell_amendment",
            conference_passes("2017-09", "NEC compromise"),
            "passes",
            "pass/fail",
            kind="binary",
            derive=lambda v: "passed" if "cut from 15% to 10%" in str(v) else "fell",
            baseline=Baseline("equal odds (pass or fall)", constant=0.5),
            note="its card-vote share was not found",
            **common,
        )
    )
    for key, title, field, clp_field, aff_field in (
        (
            "leadership",
            "Leadership nominations",
            "leadership_vote_pct_for",
            "leadership_nomination_card_vote",
            "leadership_nomination_card_vote",
        ),
        (
            "trigger",
            "Trigger ballots",
            "selections_trigger_vote_pct_for",
            "trigger_reform_card_vote",
            "trigger_reform_card_vote",
        ),
    ):
        label = "leadership nominations" if key == "leadership" else "trigger ballots"
        out.append(
            Target(
                f"conference_2018_{key}_pct_for",
                "Conference and the NEC",
                f"2018 {label} rule change, % for",
                LONG,
                "2018-09",
                f"{RULES_2018}.{field}",
                conference_share_for("2018-09", title),
                "%",
                "conference share",
                baseline=LAST_CARD_VOTE,
                **common,
            )
        )
        path = f"{POLITICS}{VOTES}.2018_conference.{clp_field}"
        out.append(
            Target(
                f"conference_2018_{key}_clps_for",
                "Conference and the NEC",
                f"2018 {label} rule change, CLP half, % for",
                LONG,
                "2018-09",
                path,
                conference_half_for("2018-09", title, "clps"),
                "%",
                "conference share",
                derive=_for_from_against("clp_against_pct"),
                baseline=LAST_CARD_VOTE,
                note="100 minus the reported CLP 'about ... against'",
                **common,
            )
        )
        out.append(
            Target(
                f"conference_2018_{key}_affiliates_for",
                "Conference and the NEC",
                f"2018 {label} rule change, affiliates' half, % for",
                LONG,
                "2018-09",
                f"{POLITICS}{VOTES}.2018_conference.{aff_field}",
                conference_half_for("2018-09", title, "affiliates"),
                "%",
                "conference share",
                derive=key_value("derived_affiliate_for_pct"),
                baseline=LAST_CARD_VOTE,
                note="derived in the data set from the overall share and the CLP half",
                **common,
            )
        )
    cac = f"{POLITICS}{VOTES}.2018_conference.cac_report_proxy_vote"
    for key, bloc, derive, label, note in (
        ("pct_for", None, key_value("overall_for_pct"), "% for", ""),
        (
            "clps_for",
            "clps",
            _for_from_against("clp_against_pct"),
            "CLP half, % for",
            "100 minus the reported 90.5% of CLPs against",
        ),
        (
            "affiliates_for",
            "affiliates",
            _approx("union_for_pct"),
            "affiliates' half, % for",
            "the unions' 'almost 98' read as 98",
        ),
    ):
        out.append(
            Target(
                f"agenda_2018_{key}",
                "Conference and the NEC",
                f"2018 agenda vote (the CAC report keeping open selection off), {label}",
                LONG,
                "2018-09",
                cac,
                agenda_share_for("2018-09", "Trigger ballots", bloc),
                "%",
                "conference share",
                derive=derive,
                baseline=LAST_CARD_VOTE,
                note=note,
                **common,
            )
        )
    out.append(
        Target(
            "open_selection_2018_falls",
            "Conference and the NEC",
            "2018: open selection falls without a vote",
            LONG,
            "2018-09",
            f"{POLITICS}{VOTES}.2018_conference.open_selection_never_voted",
            proposal_falls_unvoted("2018-09", "Open selection"),
            "passes",
            "pass/fail",
            kind="binary",
            derive=lambda v: "fell unvoted" if "fell without a vote" in str(v) else "voted",
            baseline=Baseline("equal odds (voted on or not)", constant=0.5),
            **common,
        )
    )
    out.append(
        Target(
            "college_2021_dropped",
            "Conference and the NEC",
            "2021: the college of thirds is dropped before conference",
            LONG,
            "2021-09",
            f"{REFORM_2021}.content",
            part_dropped("2021-09", "Starmer", "college of thirds"),
            "passes",
            "pass/fail",
            kind="binary",
            derive=lambda v: "dropped" if "abandoned before conference" in str(v) else "kept",
            baseline=Baseline("equal odds (dropped or put)", constant=0.5),
            **common,
        )
    )
    title = "Starmer"  # the scheduled proposal's title in labour_2010_2024.toml
    reform = REFORM_2021
    out += [
        Target(
            "conference_2021_passes",
            "Conference and the NEC",
            "2021 leadership-rules package passes",
            LONG,
            "2021-09",
            f"{reform}.conference_vote_pct",
            conference_passes("2021-09", title),
            "passes",
            "pass/fail",
            kind="binary",
            derive=lambda v: "passed" if v["for"] > v["against"] else "fell",
            baseline=Baseline("equal odds (pass or fall)", constant=0.5),
            **common,
        ),
        Target(
            "conference_2021_pct_for",
            "Conference and the NEC",
            "2021 leadership-rules package, % for",
            LONG,
            "2021-09",
            f"{reform}.conference_vote_pct",
            conference_share_for("2021-09", title),
            "%",
            "conference share",
            derive=key_value("for"),
            baseline=LAST_CARD_VOTE_2021,
            note="its CLP and affiliate halves were not found",
            **common,
        ),
        Target(
            "nec_2021_pct_for",
            "Conference and the NEC",
            "2021 NEC vote on the leader's package, % of votes cast for",
            LONG,
            "2021-09",
            f"{reform}.nec_vote",
            nec_vote_share_for("2021-09", title),
            "%",
            "NEC vote",
            derive=_nec_for,
            baseline=Baseline("an even NEC (50%)", constant=50.0),
            note="22 for, 12 against",
        ),
    ]
    return out


def _nec_for(text: Any) -> float:
    """ "22 for, 12 against (...)" -> the share for (%)."""
    import re

    match = re.search(r"(\d+)\s*for,\s*(\d+)\s*against", str(text))
    if match is None:
        raise ValueError(f"no 'N for, M against' in {text!r}")
    yes, no = (float(x) for x in match.groups())
    return 100.0 * yes / (yes + no)


def _nec_section() -> list[Target]:
    results = "momentum_and_factions.nec_clp_section_results"
    # Persistence: 2018's row is judged against 2016's result, every later
    # row against 2018's, the last result before the split.
    before_2018 = Baseline(
        "the result before (2016: the left took 6 of 6)",
        path=f"{results}[year=2016]",
        derive=seat_share("left_CLGA"),
    )
    last = Baseline(
        "the last result before the split (2018: the left took 9 of 9)",
        path=f"{results}[year=2018]",
        derive=seat_share("left"),
    )
    out = []
    for year, index, field in (
        (2018, 1, "left"),
        (2020, 3, "left_grassroots_voice"),
        (2022, 4, "left"),
        (2024, 5, "CLGA_left"),
    ):
        out.append(
            Target(
                f"nec_clp_left_{year}",
                "NEC CLP section",
                f"NEC CLP section {year}, left's seats (%)",
                LONG,
                f"{year}-09" if year != 2020 else "2020-11",
                f"{results}[{index}]",
                nec_left_share(year),
                "% of seats",
                "NEC seats",
                derive=seat_share(field),
                baseline=before_2018 if year == 2018 else last,
                note="block vote in 2018; STV from 2020" if year in (2018, 2020) else "",
            )
        )
    out.append(
        Target(
            "nec_clp_left_2020_by_election",
            "NEC CLP section",
            "NEC CLP section by-election 2020 (2 seats), left's seats (%)",
            LONG,
            "2020-04",
            f"{results}[2]",
            nec_left_share(2020, by_election=True),
            "% of seats",
            "NEC seats",
            derive=lambda v: 0.0 if "replaced Corbynites" in str(v["note"]) else 100.0,
            baseline=last,
            note="both seats went to Progress/Labour First-backed candidates",
        )
    )
    out.extend(_nec_ballots(results))
    return out


def _nec_ballots(results: str) -> list[Target]:
    """How close the right came in the CLP-section ballots: where the members sit.

    Seats alone hide it: under a block vote the plurality slate sweeps. The
    published counts give the right's best candidate's votes as a share of
    the left's best (2016: Ellie Reeves, the best loser, against Ann Black,
    who topped the poll; the 2020 by-election: Gurinder Singh Josan, who
    won, against Lauren Townsend, the runner-up). Baseline: an even race.
    """
    even = Baseline("an even race (the right's best as many votes as the left's)", constant=100.0)

    def best_loser_to_top(value: Any) -> float:
        return 100.0 * max(value["best_losers"].values()) / max(value["top_votes"].values())

    def winner_to_runner_up(value: Any) -> float:
        return 100.0 * max(value["winners"].values()) / max(value["runner_up"].values())

    return [
        Target(
            "nec_ballot_right_to_left_2016",
            "NEC CLP section",
            "NEC CLP section 2016: the right's best candidate's votes as % of the left's best",
            LONG,
            "2016-08",
            f"{results}[0]",
            nec_right_to_left(2016),
            "%",
            "NEC ballot",
            derive=best_loser_to_top,
            baseline=even,
            note="block vote; Reeves 72,514 against Black 100,999",
        ),
        Target(
            "nec_ballot_right_to_left_2020_by_election",
            "NEC CLP section",
            "NEC CLP section by-election 2020: the right's best candidate's votes as % of the left's best",
            LONG,
            "2020-04",
            f"{results}[2]",
            nec_right_to_left(2020, by_election=True),
            "%",
            "NEC ballot",
            derive=winner_to_runner_up,
            baseline=even,
            note="Josan 57,361 against Townsend 56,929",
        ),
    ]


def _nominations_2020() -> list[Target]:
    m = "2020-01"
    table = f"{POLITICS}unions.nominations.2020"
    out: list[Target] = []
    for union, office, name, index, n in (
        ("UNISON", "leader", "Keir Starmer", 0, 3),
        ("Unite", "leader", "Rebecca Long-Bailey", 0, 3),
        ("GMB", "leader", "Lisa Nandy", 0, 3),
        ("UNISON", "deputy", "Angela Rayner", 1, 5),
        ("Unite", "deputy", "Richard Burgon", 1, 5),
        ("GMB", "deputy", "Angela Rayner", 1, 5),
    ):
        surname = name.split(" ", 1)[1]
        out.append(
            Target(
                f"nomination_2020_{office}_{union.lower()}",
                "Affiliates' nominations 2020",
                f"{union} nominates {surname} for {office} (2020)",
                LONG,
                m,
                table,
                union_nominates(m, office, union, name),
                "winner",
                "nomination",
                kind="binary",
                derive=lambda v, u=union, i=index: str(v[u][i]),
                baseline=equal_odds(n),
                note="the nominee as the union's procedure decided it",
            )
        )
    prev = "leadership_elections.2016.union_nominations"
    for name in ("Keir Starmer", "Rebecca Long-Bailey", "Lisa Nandy"):
        left = name == "Rebecca Long-Bailey"
        out.append(
            Target(
                f"2020_affiliates_{name.split()[-1].lower().replace('-', '_')}",
                "Affiliates' nominations 2020",
                f"2020 affiliate nominations, {name}",
                LONG,
                m,
                f"leadership_elections.2020.affiliate_nominations.{name}",
                affiliate_nominations(m, "leader", name),
                "affiliates",
                "affiliate nominations",
                baseline=Baseline(
                    "Corbyn's 2016 union nominations"
                    if left
                    else "Smith's 2016 union nominations, shared by the two non-left candidates",
                    path=prev,
                    derive=nested("Jeremy Corbyn", "value")
                    if left
                    else (lambda v: float(v["Owen Smith"]["value"]) / 2),
                ),
                note="unions and socialist societies",
            )
        )
    return out


def _deputy_2020() -> list[Target]:
    m, base = "2020-04", "leadership_elections.deputy_leadership.2020"
    prev = "leadership_elections.deputy_leadership.2015"
    return [
        Target(
            "deputy_2020_winner",
            "Deputy contest 2020",
            "2020 deputy winner (Angela Rayner)",
            LONG,
            m,
            base,
            deputy_winner_is(m, "Angela Rayner"),
            "winner",
            "winner",
            kind="binary",
            derive=lambda v: max(v["round3_pct"], key=v["round3_pct"].get),
            baseline=equal_odds(5),
        ),
        Target(
            "deputy_2020_r1_angela_rayner",
            "Deputy contest 2020",
            "2020 deputy round 1, Rayner (% of all)",
            LONG,
            m,
            base,
            deputy_round_share(m, "Angela Rayner", "first"),
            "%",
            "contest share",
            derive=nested("round1_pct", "Angela Rayner"),
            baseline=equal_shares(5),
        ),
        Target(
            "deputy_2020_final_angela_rayner",
            "Deputy contest 2020",
            "2020 deputy final round, Rayner (% of all)",
            LONG,
            m,
            base,
            deputy_round_share(m, "Angela Rayner", "final"),
            "%",
            "contest share",
            derive=nested("round3_pct", "Angela Rayner"),
            baseline=Baseline(
                "the 2015 deputy winner's final-round share (Watson)",
                path=prev,
                derive=nested("final_pct", "Tom Watson"),
            ),
            note="the model's count may end in another round than the third",
        ),
    ]


def institution_targets() -> list[Target]:
    """The institutions' targets, in table order."""
    return [*_conference(), *_nec_section(), *_nominations_2020(), *_deputy_2020()]
