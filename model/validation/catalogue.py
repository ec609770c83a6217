"""The catalogue of validation targets: every published figure the model is compared with.

Declarations only (see :mod:`model.validation.targets` for what a target is):
the 2010, 2015, 2016 and 2020 contests, membership, Momentum, the PLP, the
trigger rounds, the 2021 conference and the NEC CLP section. Each figure is
read from ``labour_history.json`` through its citation path; each baseline is
the naive "persistence" forecast of its family (docs/validation.md).
"""

from __future__ import annotations

from collections.abc import Mapping

from model.scenario.schema import Scenario
from model.validation.cohort_targets import (
    cohort_bound_2016,
    cohort_measures,
    cohorts_2020,
    composition,
)
from model.validation.history import approximate_number
from model.validation.institution_targets import institution_targets
from model.validation.measures import (
    Measure,
    faction_size_at,
    last_value,
    leader_lost_seat,
    nominations,
    plp_at,
    round_share,
    section_share,
    trigger_round,
    type_share,
    type_votes,
    winner_is,
)
from model.validation.membership_targets import membership_targets
from model.validation.targets import (
    LONG,
    OMOV_VOTER_TYPES,
    Baseline,
    Target,
    affiliated_from_inputs,
    clp_others,
    equal_odds,
    equal_shares,
    key_value,
    lent_to_threshold,
    name_only,
    nested,
    others,
    seats_given,
    share_of,
    slug,
    sum_counts,
)


def _contest_2010() -> list[Target]:
    out: list[Target] = []
    s, m, base = LONG, "2010-09", "leadership_elections.2010"
    names = ("David Miliband", "Ed Miliband", "Ed Balls", "Andy Burnham", "Diane Abbott")
    out.append(
        Target(
            "2010_winner",
            "Winners",
            "2010 winner (Ed Miliband)",
            s,
            m,
            f"{base}.winner",
            winner_is(m, "Ed Miliband"),
            "winner",
            "winner",
            kind="binary",
            cite=f"{base}.result_announced",
            derive=name_only,
            baseline=equal_odds(5),
        )
    )
    for name in names:
        out.append(
            Target(
                f"2010_r1_{slug(name)}",
                "2010 contest",
                f"2010 round 1, {name} (% of college)",
                s,
                m,
                f"{base}.round_totals_pct.round1",
                round_share(m, name, "first"),
                "%",
                "contest share",
                derive=key_value(name),
                baseline=equal_shares(5),
                note="no contested election before (2007: Brown unopposed): equal shares",
            )
        )
    out.append(
        Target(
            "2010_final_ed_miliband",
            "2010 contest",
            "2010 final round, Ed Miliband (% of college)",
            s,
            m,
            f"{base}.round_totals_pct.round4_final",
            round_share(m, "Ed Miliband", "final"),
            "%",
            "contest share",
            derive=key_value("Ed Miliband"),
            baseline=equal_shares(2),
            note="0 in runs where he is out before the final round",
        )
    )
    for section, label in (
        ("mps_meps", "MPs/MEPs"),
        ("members", "members"),
        ("affiliates", "affiliates"),
    ):
        out.append(
            Target(
                f"2010_final_{section}_ed_miliband",
                "2010 contest",
                f"2010 final round, Ed Miliband (% of {label})",
                s,
                m,
                f"{base}.final_round_by_section.Ed Miliband_pct_of_section",
                section_share(m, "Ed Miliband", section, "final"),
                "%",
                "contest share",
                derive=key_value(section),
                baseline=equal_shares(2),
            )
        )
    for name in names:
        out.append(
            Target(
                f"2010_mps_{slug(name)}",
                "2010 nominations",
                f"2010 MP nominations, {name}",
                s,
                m,
                f"{base}.plp_nominations_final.{name}",
                nominations(m, name, "plp"),
                "MPs",
                "MP nominations",
                imposed=lent_to_threshold if name == "Diane Abbott" else None,
                note="the model's MPs all nominate; McDonnell (16) withdrew",
            )
        )
    for name in names:
        out.append(
            Target(
                f"2010_clps_{slug(name)}",
                "2010 nominations",
                f"2010 CLP nominations, {name}",
                s,
                m,
                f"{base}.clp_supporting_nominations_final_26Jul2010.{name}",
                nominations(m, name, "clps"),
                "CLPs",
                "CLP nominations",
            )
        )
    return out


def _contest_2015() -> list[Target]:
    out: list[Target] = []
    m, base = "2015-09", "leadership_elections.2015"
    fr = f"{base}.result_first_round_by_voter_type"
    prev = "leadership_elections.2010"
    out.append(
        Target(
            "2015_winner",
            "Winners",
            "2015 winner (Jeremy Corbyn)",
            LONG,
            m,
            f"{base}.winner",
            winner_is(m, "Jeremy Corbyn"),
            "winner",
            "winner",
            kind="binary",
            cite=f"{base}.result_announced",
            derive=name_only,
            baseline=equal_odds(4),
        )
    )
    for name in ("Jeremy Corbyn", "Andy Burnham", "Yvette Cooper", "Liz Kendall"):
        left = name == "Jeremy Corbyn"
        baseline = Baseline(
            "the left candidate's 2010 share (Abbott)"
            if left
            else "the rest of 2010's round 1, shared by the three others",
            path=f"{prev}.round_totals_pct.round1",
            derive=key_value("Diane Abbott") if left else others("Diane Abbott", 3),
        )
        out.append(
            Target(
                f"2015_r1_{slug(name)}",
                "2015 contest",
                f"2015 round 1, {name} (% of all)",
                LONG,
                m,
                f"{fr}.total_pct",
                round_share(m, name, "first"),
                "%",
                "contest share",
                derive=key_value(name),
                baseline=baseline,
            )
        )
    abbott = f"{prev}.round1_by_section.section_share_pct"
    for vtype, label in OMOV_VOTER_TYPES:
        section = "affiliates" if vtype == "affiliated_supporters" else "members"
        out.append(
            Target(
                f"2015_r1_{vtype}_jeremy_corbyn",
                "2015 contest",
                f"2015 round 1, Corbyn (% of {label})",
                LONG,
                m,
                f"{fr}.corbyn_share_by_type_pct",
                type_share(m, "Jeremy Corbyn", vtype),
                "%",
                "contest share",
                derive=key_value(vtype),
                baseline=Baseline(
                    f"the left candidate's 2010 share of the {section} section (Abbott)",
                    path=abbott,
                    derive=nested("Diane Abbott", section),
                ),
            )
        )
    votes_2010 = {
        "members": Baseline(
            "members' votes in 2010",
            path=f"{prev}.electorates_and_turnout.members_votes",
        ),
        "registered_supporters": Baseline(
            "none: registered supporters did not vote in 2010", constant=0.0
        ),
        "affiliated_supporters": Baseline(
            "valid affiliates' ballots in 2010",
            path=f"{prev}.electorates_and_turnout.affiliates_valid",
        ),
    }
    for vtype, label in OMOV_VOTER_TYPES:
        out.append(
            Target(
                f"2015_votes_{vtype}",
                "2015 votes by type",
                f"2015 valid votes, {label}",
                LONG,
                m,
                f"{fr}.{vtype}",
                type_votes(m, vtype),
                "votes",
                "votes by type",
                derive=key_value("total"),
                baseline=votes_2010[vtype],
                imposed=affiliated_from_inputs if vtype == "affiliated_supporters" else None,
            )
        )
    for name in ("Andy Burnham", "Yvette Cooper", "Liz Kendall", "Jeremy Corbyn"):
        out.append(
            Target(
                f"2015_mps_{slug(name)}",
                "2015 nominations",
                f"2015 MP nominations, {name}",
                LONG,
                m,
                f"{base}.plp_nominations.{name}",
                nominations(m, name, "plp"),
                "MPs",
                "MP nominations",
                imposed=lent_to_threshold if name == "Jeremy Corbyn" else None,
                note="the model's MPs all nominate (28 did not in 2015)",
            )
        )
    for name in ("Jeremy Corbyn", "Andy Burnham", "Yvette Cooper", "Liz Kendall"):
        left = name == "Jeremy Corbyn"
        out.append(
            Target(
                f"2015_clps_{slug(name)}",
                "2015 nominations",
                f"2015 CLP nominations, {name}",
                LONG,
                m,
                f"{base}.clp_supporting_nominations.{name}",
                nominations(m, name, "clps"),
                "CLPs",
                "CLP nominations",
                baseline=Baseline(
                    "the left candidate's 2010 CLP nominations (Abbott)"
                    if left
                    else "the others' 2010 CLP nominations, shared by the three others",
                    path=f"{prev}.clp_supporting_nominations_final_26Jul2010",
                    derive=nested("Diane Abbott", "value")
                    if left
                    else clp_others(
                        ("David Miliband", "Ed Miliband", "Andy Burnham", "Ed Balls"), 3
                    ),
                ),
            )
        )
    return out


def _contest_2016() -> list[Target]:
    out: list[Target] = []
    m, base = "2016-09", "leadership_elections.2016"
    prev = "leadership_elections.2015.result_first_round_by_voter_type"
    out.append(
        Target(
            "2016_winner",
            "Winners",
            "2016 winner (Jeremy Corbyn)",
            LONG,
            m,
            f"{base}.winner",
            winner_is(m, "Jeremy Corbyn"),
            "winner",
            "winner",
            kind="binary",
            cite=f"{base}.result_announced",
            baseline=equal_odds(2),
            note="NaN where the run's 2015 winner is challenged instead of Corbyn",
        )
    )
    out.append(
        Target(
            "2016_r1_jeremy_corbyn",
            "2016 contest",
            "2016 Corbyn (% of all)",
            LONG,
            m,
            f"{base}.result.total_pct",
            round_share(m, "Jeremy Corbyn", "first"),
            "%",
            "contest share",
            derive=key_value("Jeremy Corbyn"),
            baseline=Baseline(
                "Corbyn's 2015 share", path=f"{prev}.total_pct", derive=key_value("Jeremy Corbyn")
            ),
            note="0 where Corbyn lost in 2015 (he is then not on the ballot)",
        )
    )
    for vtype, label in OMOV_VOTER_TYPES:
        out.append(
            Target(
                f"2016_r1_{vtype}_jeremy_corbyn",
                "2016 contest",
                f"2016 Corbyn (% of {label})",
                LONG,
                m,
                f"{base}.result.{vtype}",
                type_share(m, "Jeremy Corbyn", vtype),
                "%",
                "contest share",
                derive=share_of("Jeremy Corbyn"),
                baseline=Baseline(
                    f"Corbyn's 2015 share of {label}",
                    path=f"{prev}.corbyn_share_by_type_pct",
                    derive=key_value(vtype),
                ),
            )
        )
    for vtype, label in OMOV_VOTER_TYPES:
        out.append(
            Target(
                f"2016_votes_{vtype}",
                "2016 votes by type",
                f"2016 valid votes, {label}",
                LONG,
                m,
                f"{base}.result.{vtype}",
                type_votes(m, vtype),
                "votes",
                "votes by type",
                derive=sum_counts,
                baseline=Baseline(
                    f"2015 valid votes of {label}",
                    path=f"{prev}.{vtype}",
                    derive=key_value("total"),
                ),
            )
        )
    out.append(cohort_bound_2016())
    for name in ("Jeremy Corbyn", "Owen Smith"):
        left = name == "Jeremy Corbyn"
        out.append(
            Target(
                f"2016_clps_{slug(name)}",
                "2016 nominations",
                f"2016 CLP nominations, {name}",
                LONG,
                m,
                f"{base}.clp_supporting_nominations.{name}",
                nominations(m, name, "clps"),
                "CLPs",
                "CLP nominations",
                baseline=Baseline(
                    "Corbyn's 2015 CLP nominations"
                    if left
                    else "the other candidates' 2015 CLP nominations",
                    path="leadership_elections.2015.clp_supporting_nominations",
                    derive=nested("Jeremy Corbyn", "value")
                    if left
                    else clp_others(("Andy Burnham", "Yvette Cooper", "Liz Kendall"), 1),
                ),
            )
        )
    return out


def _contest_2020() -> list[Target]:
    out: list[Target] = []
    m, base = "2020-04", "leadership_elections.2020"
    prev = "leadership_elections.2016"
    out.append(
        Target(
            "2020_winner",
            "Winners",
            "2020 winner (Keir Starmer)",
            LONG,
            m,
            f"{base}.winner",
            winner_is(m, "Keir Starmer"),
            "winner",
            "winner",
            kind="binary",
            cite=f"{base}.result_announced",
            derive=name_only,
            baseline=equal_odds(3),
        )
    )
    for name in ("Keir Starmer", "Rebecca Long-Bailey", "Lisa Nandy"):
        left = name == "Rebecca Long-Bailey"
        out.append(
            Target(
                f"2020_r1_{slug(name)}",
                "2020 contest",
                f"2020 round 1, {name} (% of all)",
                LONG,
                m,
                f"{base}.result.total_pct",
                round_share(m, name, "first"),
                "%",
                "contest share",
                derive=key_value(name),
                baseline=Baseline(
                    "the left candidate's 2016 share (Corbyn)"
                    if left
                    else "the rest of 2016's vote, shared by the two others",
                    path=f"{prev}.result.total_pct",
                    derive=key_value("Jeremy Corbyn") if left else others("Jeremy Corbyn", 2),
                ),
            )
        )
    for vtype, label in OMOV_VOTER_TYPES:
        out.append(
            Target(
                f"2020_r1_{vtype}_keir_starmer",
                "2020 contest",
                f"2020 round 1, Starmer (% of {label})",
                LONG,
                m,
                f"{base}.result.{vtype}",
                type_share(m, "Keir Starmer", vtype),
                "%",
                "contest share",
                derive=share_of("Keir Starmer"),
                baseline=Baseline(
                    f"the rest of 2016's {label} vote, shared by the two non-left candidates",
                    path=f"{prev}.result.{vtype}",
                    derive=lambda v: (100.0 - share_of("Jeremy Corbyn")(v)) / 2,
                ),
            )
        )
    for vtype, label in OMOV_VOTER_TYPES:
        out.append(
            Target(
                f"2020_votes_{vtype}",
                "2020 votes by type",
                f"2020 votes cast, {label}",
                LONG,
                m,
                f"{base}.electorate_and_turnout.{vtype}",
                type_votes(m, vtype),
                "votes",
                "votes by type",
                derive=key_value("voted"),
                baseline=Baseline(
                    f"2016 valid votes of {label}",
                    path=f"{prev}.result.{vtype}",
                    derive=sum_counts,
                ),
                note="members' turnout in the scenarios cites the 2016 and 2020 turnouts"
                if vtype == "members"
                else "",
            )
        )
    for name in ("Keir Starmer", "Rebecca Long-Bailey", "Lisa Nandy"):
        left = name == "Rebecca Long-Bailey"
        out.append(
            Target(
                f"2020_clps_{slug(name)}",
                "2020 nominations",
                f"2020 CLP nominations, {name}",
                LONG,
                m,
                f"{base}.clp_nominations.{name}",
                nominations(m, name, "clps"),
                "CLPs",
                "CLP nominations",
                baseline=Baseline(
                    "Corbyn's 2016 CLP nominations"
                    if left
                    else "Smith's 2016 CLP nominations, shared by the two non-left candidates",
                    path=f"{prev}.clp_supporting_nominations",
                    derive=nested("Jeremy Corbyn", "value")
                    if left
                    else clp_others(("Owen Smith",), 2),
                ),
                note="in 2020 nearly every CLP nominated (a route to the ballot)",
            )
        )
    out.extend(cohorts_2020())
    return out


def _momentum() -> list[Target]:
    series = "momentum_and_factions.membership_series"
    # Each figure's baseline is the one before it (persistence): September
    # 2016's ~18,000 for July 2017, and so on.
    figures = ("2016-09", "2017-07", "2017-10", "2018-04")
    return [
        Target(
            f"momentum_{month}",
            "Momentum",
            f"Momentum members, {month}",
            LONG,
            month,
            f"{series}[date={month}]",
            faction_size_at(month, "momentum"),
            "members",
            "Momentum",
            derive=key_value("members"),
            baseline=Baseline(
                f"the figure before ({before})",
                path=f"{series}[date={before}]",
                derive=lambda v: approximate_number(v["members"]),
            ),
            note="the model's left faction (organised left before October 2015)",
        )
        for before, month in zip(figures, figures[1:], strict=False)
    ] + [
        # Two undated figures, read at mid-year [assumption]: 40,000 in 2019
        # (the plateau: as in April 2018), and "20,000-30,000" reported in
        # 2021, read as its midpoint.
        Target(
            f"momentum_{year}",
            "Momentum",
            f"Momentum members, {year} ({text})",
            LONG,
            f"{year}-06",
            f"{series}[date={year}]",
            faction_size_at(f"{year}-06", "momentum"),
            "members",
            "Momentum",
            derive=lambda v: _range_midpoint(v["members"]),
            baseline=Baseline(
                f"the figure before ({before})",
                path=f"{series}[date={before}]",
                derive=lambda v: approximate_number(v["members"]),
            ),
            note="the model's left faction; the source gives the year only",
        )
        for before, year, text in (("2018-04", "2019", "40,000"), ("2019", "2021", "20,000-30,000"))
    ]


def _range_midpoint(text: object) -> float:
    """A figure given as a range ("20,000-30,000") by its midpoint; a single figure as itself."""
    numbers = [approximate_number(part) for part in str(text).split("-") if part.strip()]
    return sum(numbers) / len(numbers)


def _plp_and_rounds() -> list[Target]:
    out = [
        Target(
            f"plp_{year}",
            "PLP after general elections",
            f"MPs after the {year} general election",
            LONG,
            month,
            f"plp_and_constituencies.labour_seats_at_general_elections.{year}",
            plp_at(month),
            "MPs",
            "PLP",
            imposed=seats_given(month),
        )
        for year, month in ((2017, "2017-06"), (2019, "2019-12"), (2024, "2024-07"))
    ]
    round_2019 = "trigger_ballots_and_reselection.round_2019"
    none = Baseline(
        "none: no MP faced a full selection under the pre-2018 rule in the data", constant=0.0
    )
    out += [
        Target(
            "trigger_2019_triggered",
            "Trigger rounds",
            "MPs facing a full selection, 2019 round",
            LONG,
            "2019-09",
            f"{round_2019}.mps_triggered",
            trigger_round("2019-09", "triggered"),
            "MPs",
            "trigger round",
            baseline=none,
            note="the real round was paused on 29 Oct 2019 before every MP had been through it",
        ),
        Target(
            "trigger_2019_deselected",
            "Trigger rounds",
            "MPs deselected, 2019 round",
            LONG,
            "2019-09",
            f"{round_2019}.mps_deselected",
            trigger_round("2019-09", "deselected"),
            "MPs",
            "trigger round",
            baseline=none,
            note="Godsiff, by NEC non-endorsement",
        ),
    ]
    return out


def _targets() -> list[Target]:
    return [
        *_contest_2010(),
        *_contest_2015(),
        *_contest_2016(),
        *_contest_2020(),
        *membership_targets(),
        *composition(),
        *_momentum(),
        *_plp_and_rounds(),
        *institution_targets(),
    ]


TARGETS: list[Target] = _targets()
"""Every validation target, in table order."""


def target(key: str) -> Target:
    """The target with this key (KeyError naming the known keys' count if absent)."""
    for t in TARGETS:
        if t.key == key:
            return t
    raise KeyError(f"no validation target {key!r} (there are {len(TARGETS)})")


def fit_targets(scenarios: Mapping[str, Scenario]) -> list[Target]:
    """The targets the calibration may use: role "fit", modelled, measured in a given scenario."""
    out = []
    for t in TARGETS:
        if t.scenario not in scenarios or not t.modelled():
            continue
        if t.role(scenarios[t.scenario])[0] == "fit":
            out.append(t)
    return out


def _extra_measures() -> dict[str, Measure]:
    """Measures without a published figure: counterfactual comparisons, diagnostics."""
    extra: dict[str, Measure] = {
        "leader_lost_seat": leader_lost_seat,
        "deselections_total": last_value("deselections"),
        "plp_median_end": last_value("plp_median"),
        "member_median_end": last_value("ideology_median"),
        "plp_momentum_end": last_value("plp_momentum"),
        "2010_final_david_miliband": round_share("2010-09", "David Miliband", "final"),
        "2015_final_jeremy_corbyn": round_share("2015-09", "Jeremy Corbyn", "final"),
        "2020_winner_long_bailey": winner_is("2020-04", "Rebecca Long-Bailey"),
        "trigger_2022_triggered": trigger_round("2022-06", "triggered"),
        "trigger_2022_deselected": trigger_round("2022-06", "deselected"),
    } | cohort_measures()
    # The 2022 contest opens in June and its result comes three months later.
    for name in ("Left candidate", "Soft-left candidate", "Right candidate"):
        short = slug(name)
        extra[f"2022_winner_{short}"] = winner_is("2022-09", name)
        extra[f"2022_r1_{short}"] = round_share("2022-09", name, "first")
        extra[f"2022_final_{short}"] = round_share("2022-09", name, "final")
    return extra


MEASURES: dict[str, Measure] = {t.key: t.measure for t in TARGETS} | _extra_measures()
"""Every measure computed for a validation run (NaN where a run has nothing to measure)."""
