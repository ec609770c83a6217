"""The named presets: historical rules in force and proposals that never passed.

Each preset is a complete `RuleSet` whose every number cites its source
(`model.rules.sources`); :func:`resolve_rules` gives the rule set a scenario
asks for (a preset plus field overrides).
"""

from collections.abc import Mapping
from typing import Any

from model.rules.errors import RulesError
from model.rules.nec import NEC_2010, NEC_2018, NEC_2021
from model.rules.schema import RuleSet
from model.rules.sources import (
    SRC_2010_FREEZE,
    SRC_2010_SYSTEM,
    SRC_2010_THRESHOLD,
    SRC_2015_FREEZE,
    SRC_2016_CHALLENGE,
    SRC_2016_FREEZE,
    SRC_2016_INCUMBENT,
    SRC_2016_NEC,
    SRC_2016_VACANCY,
    SRC_2016_WINDOW,
    SRC_2017_VACANCY,
    SRC_2018_ROUTES,
    SRC_2020_CUTOFF,
    SRC_2020_FEE,
    SRC_2020_FREEZE,
    SRC_2020_STAGE1,
    SRC_2020_STAGE2,
    SRC_2020_WINDOW,
    SRC_2021,
    SRC_2021_CHALLENGE,
    SRC_2021_FREEZE,
    SRC_2021_NO_MEPS,
    SRC_2021_ROUTES,
    SRC_CHALLENGE_KEPT,
    SRC_CHALLENGE_UNCHANGED,
    SRC_COLLEGE_THIRDS_2021,
    SRC_COLLINS,
    SRC_COLLINS_FEE,
    SRC_COLLINS_THRESHOLD,
    SRC_CONFERENCE_MAJORITY,
    SRC_CONFERENCE_WEIGHTS,
    SRC_EPLP_2015,
    SRC_FEE_KEPT,
    SRC_FREEZE_KEPT,
    SRC_INCUMBENT_BEFORE_2016,
    SRC_INCUMBENT_KEPT,
    SRC_NEC_2021_OTHER,
    SRC_NEC_CLP_2016,
    SRC_NEC_CLP_2018,
    SRC_NEC_OTHER,
    SRC_NEC_STV,
    SRC_NEC_UNIONS_2010,
    SRC_NEC_UNIONS_2018,
    SRC_OPEN_SELECTION,
    SRC_ROUTES_NOT_IN_CHALLENGE,
    SRC_SUPERMAJORITY,
    SRC_TRIGGER_2018,
    SRC_TRIGGER_2021,
    SRC_TRIGGER_PRE_2018,
)

__all__ = ["PRESETS", "get_preset", "preset_names", "resolve_rules"]

_NEC_SOURCES_2010 = {
    "nec.seats": SRC_NEC_OTHER,
    "nec.seats.clp": SRC_NEC_CLP_2016,
    "nec.seats.unions": SRC_NEC_UNIONS_2010,
    "nec.clp_section_system": SRC_NEC_CLP_2016,
}
_NEC_SOURCES_2018 = {
    "nec.seats": SRC_NEC_OTHER,
    "nec.seats.clp": SRC_NEC_CLP_2018,
    "nec.seats.unions": SRC_NEC_UNIONS_2018,
    "nec.clp_section_system": SRC_NEC_CLP_2018,
}
_NEC_SOURCES_2021 = {
    **_NEC_SOURCES_2018,
    "nec.seats": SRC_NEC_2021_OTHER,
    "nec.clp_section_system": SRC_NEC_STV,
}

_CONFERENCE = {"affiliates_weight": "1/2", "clp_weight": "1/2", "majority_required": "1/2"}
_CONFERENCE_SOURCES = {
    "conference.affiliates_weight": SRC_CONFERENCE_WEIGHTS,
    "conference.clp_weight": SRC_CONFERENCE_WEIGHTS,
    "conference.majority_required": SRC_CONFERENCE_MAJORITY,
}

_ROUTES_2018 = {
    "clp_share": "5%",
    "affiliate_route": {
        "affiliates": 3,
        "unions_among_them": 2,
        "share_of_affiliated_membership": "5%",
    },
    "one_required": True,
    "applies_in_challenge": False,
}

_PRE_2018 = {
    "method": "pre_2018",
    "combined_threshold": "1/2",
    "trigger_decided_by": "branch_meetings",
}
_EITHER_THIRD = {
    "method": "either_third",
    "branch_threshold": "1/3",
    "affiliate_threshold": "1/3",
    "trigger_decided_by": "branch_meetings",
}
_WEIGHTED_COLLEGE = {
    "method": "weighted_college",
    "college_weights": {"branches": "1/2", "affiliates": "1/2"},
    "college_threshold": "1/2",
    "trigger_decided_by": "branch_meetings",
}
_SOURCES_PRE_2018 = {"reselection.combined_threshold": SRC_TRIGGER_PRE_2018}
_SOURCES_EITHER_THIRD = {
    "reselection.method": SRC_TRIGGER_2018,
    "reselection.branch_threshold": SRC_TRIGGER_2018,
    "reselection.affiliate_threshold": SRC_TRIGGER_2018,
}

_LEADERSHIP_2010 = {
    "electorate": "college",
    "college_sections": {"mps_meps": "1/3", "members": "1/3", "affiliates": "1/3"},
    "multiple_voting": True,
    "registered_supporters": False,
    "affiliated_supporters": False,
    "freeze_months": 0,
    "plp_threshold_vacancy": "12.5%",
    "plp_threshold_challenge": "20%",
    "count_meps": False,
    "supplementary_routes": None,
    "incumbent_automatic": False,
}
_LEADERSHIP_2014 = {
    "electorate": "omov",
    "multiple_voting": False,
    "registered_supporters": True,
    "registered_supporter_fee_gbp": 3.0,
    "affiliated_supporters": True,
    "freeze_months": 0,
    "plp_threshold_vacancy": "15%",
    "plp_threshold_challenge": "20%",
    "count_meps": False,
    "supplementary_routes": None,
    "incumbent_automatic": False,
}
_LEADERSHIP_2016 = {
    **_LEADERSHIP_2014,
    "registered_supporter_fee_gbp": 25.0,
    "registered_supporter_window_hours": 48,
    "freeze_months": 6,
    "count_meps": True,
    "incumbent_automatic": True,
}
_LEADERSHIP_2018 = {
    **_LEADERSHIP_2016,
    "plp_threshold_vacancy": "10%",
    "supplementary_routes": _ROUTES_2018,
}
_LEADERSHIP_2020 = {**_LEADERSHIP_2018, "freeze_months": 0, "join_cutoff_months": 1}
_LEADERSHIP_2021 = {
    **_LEADERSHIP_2018,
    "registered_supporters": False,
    "registered_supporter_fee_gbp": None,
    "registered_supporter_window_hours": None,
    "plp_threshold_vacancy": "20%",
    "plp_threshold_challenge": "20%",
    "count_meps": False,
}

_SOURCES_2010 = {
    "leadership.electorate": SRC_2010_SYSTEM,
    "leadership.college_sections": SRC_2010_SYSTEM,
    "leadership.multiple_voting": SRC_2010_SYSTEM,
    "leadership.freeze_months": SRC_2010_FREEZE,
    "leadership.plp_threshold_vacancy": SRC_2010_THRESHOLD,
    "leadership.plp_threshold_challenge": SRC_2010_THRESHOLD,
    "leadership.count_meps": SRC_2010_THRESHOLD,
    "leadership.incumbent_automatic": SRC_INCUMBENT_BEFORE_2016,
    "reselection.method": SRC_TRIGGER_PRE_2018,
    **_SOURCES_PRE_2018,
    **_CONFERENCE_SOURCES,
}
_SOURCES_2014 = {
    "leadership.electorate": SRC_COLLINS,
    "leadership.multiple_voting": SRC_COLLINS,
    "leadership.registered_supporters": SRC_COLLINS,
    "leadership.registered_supporter_fee_gbp": SRC_COLLINS_FEE,
    "leadership.affiliated_supporters": SRC_COLLINS,
    "leadership.freeze_months": SRC_2015_FREEZE,
    "leadership.plp_threshold_vacancy": SRC_COLLINS_THRESHOLD,
    "leadership.plp_threshold_challenge": SRC_CHALLENGE_UNCHANGED,
    "leadership.count_meps": SRC_EPLP_2015,
    "leadership.incumbent_automatic": SRC_INCUMBENT_BEFORE_2016,
    "reselection.method": SRC_TRIGGER_PRE_2018,
    **_SOURCES_PRE_2018,
    **_CONFERENCE_SOURCES,
}
_SOURCES_2016 = {
    **_SOURCES_2014,
    "leadership.registered_supporter_fee_gbp": SRC_2016_NEC,
    "leadership.registered_supporter_window_hours": SRC_2016_WINDOW,
    "leadership.freeze_months": SRC_2016_FREEZE,
    "leadership.plp_threshold_vacancy": SRC_2016_VACANCY,
    "leadership.plp_threshold_challenge": SRC_2016_CHALLENGE,
    "leadership.count_meps": SRC_EPLP_2015,
    "leadership.incumbent_automatic": SRC_2016_INCUMBENT,
}


def _without(sources: Mapping[str, str], *paths: str) -> dict[str, str]:
    return {path: text for path, text in sources.items() if path not in paths}


_SOURCES_2018 = {
    **_without(_SOURCES_2016, *_SOURCES_PRE_2018),
    "leadership.registered_supporter_fee_gbp": SRC_FEE_KEPT,
    "leadership.freeze_months": SRC_FREEZE_KEPT,
    "leadership.plp_threshold_vacancy": SRC_2017_VACANCY,
    "leadership.plp_threshold_challenge": SRC_CHALLENGE_KEPT,
    "leadership.incumbent_automatic": SRC_INCUMBENT_KEPT,
    "leadership.supplementary_routes": SRC_2018_ROUTES,
    "leadership.supplementary_routes.applies_in_challenge": SRC_ROUTES_NOT_IN_CHALLENGE,
    "reselection.method": SRC_TRIGGER_2018,
    **_SOURCES_EITHER_THIRD,
}
_SOURCES_2020 = {
    **_SOURCES_2018,
    "leadership.registered_supporter_fee_gbp": SRC_2020_FEE,
    "leadership.registered_supporter_window_hours": SRC_2020_WINDOW,
    "leadership.freeze_months": SRC_2020_FREEZE,
    "leadership.join_cutoff_months": SRC_2020_CUTOFF,
    "leadership.plp_threshold_vacancy": SRC_2020_STAGE1,
    "leadership.count_meps": SRC_2020_STAGE1,
    "leadership.supplementary_routes": SRC_2020_STAGE2,
}
_SOURCES_2021 = {
    **_without(
        _SOURCES_2018,
        "leadership.registered_supporter_fee_gbp",
        "leadership.registered_supporter_window_hours",
        *_SOURCES_EITHER_THIRD,
    ),
    "leadership.registered_supporters": SRC_2021,
    "leadership.freeze_months": SRC_2021_FREEZE,
    "leadership.plp_threshold_vacancy": SRC_2021,
    "leadership.plp_threshold_challenge": SRC_2021_CHALLENGE,
    "leadership.count_meps": SRC_2021_NO_MEPS,
    "leadership.supplementary_routes": SRC_2021_ROUTES,
    "reselection.method": SRC_TRIGGER_2021,
    "reselection.college_weights": SRC_TRIGGER_2021,
    "reselection.college_threshold": SRC_TRIGGER_2021,
}


def _build(
    name: str,
    description: str,
    leadership: Mapping[str, Any],
    reselection: Mapping[str, Any],
    sources: Mapping[str, str],
    basis: str | None = None,
    nec: Mapping[str, Any] | None = None,
) -> RuleSet:
    nec = NEC_2010 if nec is None else nec
    nec_sources = {
        id(NEC_2010): _NEC_SOURCES_2010,
        id(NEC_2018): _NEC_SOURCES_2018,
        id(NEC_2021): _NEC_SOURCES_2021,
    }[id(nec)]
    return RuleSet.model_validate(
        {
            "name": name,
            "description": " ".join(description.split()),
            "leadership": leadership,
            "reselection": reselection,
            "conference": _CONFERENCE,
            "nec": nec,
            "sources": {**sources, **nec_sources},
            "basis": basis,
        }
    )


_PRESET_LIST: list[RuleSet] = [
    _build(
        "labour_2010",
        """Rules of the 2010 contest: a three-section electoral college (MPs and MEPs,
        individual members, affiliated organisations' members), each worth a third, with
        multiple voting (an MP who was also a union member voted in several sections).
        Candidates needed 12.5% of Commons members of the PLP (33 of 257) at a vacancy and
        20% in a challenge; MEPs did not nominate. MPs were reselected unless they failed to
        win a majority of the combined party and affiliate branch nominations.""",
        _LEADERSHIP_2010,
        _PRE_2018,
        _SOURCES_2010,
    ),
    _build(
        "labour_2014",
        """The Collins review (special conference, March 2014), as used in 2015: one member
        one vote among members, £3 registered supporters and affiliated supporters, all votes
        equal and no multiple voting. Candidates needed 15% of the Commons PLP (35 of 232);
        MEPs gained nomination rights only at the 2015 conference. Trigger ballots as before
        2018.""",
        _LEADERSHIP_2014,
        _PRE_2018,
        _SOURCES_2014,
    ),
    _build(
        "labour_2016",
        """The rules of the 2016 challenge as set by the NEC: OMOV with a membership freeze
        (members who joined by 12 January 2016, six months before the contest) and a £25
        registered-supporter fee; a challenger needed 20% of MPs and MEPs (51), and the
        incumbent was on the ballot automatically. Vacancy threshold 15% of MPs and MEPs.
        Trigger ballots as before 2018.""",
        _LEADERSHIP_2016,
        _PRE_2018,
        _SOURCES_2016,
    ),
    _build(
        "labour_2018",
        """After the 2017 McDonnell amendment (vacancy threshold cut to 10% of MPs and MEPs)
        and the 2018 democracy review: candidates also need 5% of CLPs or three affiliates
        (two of them unions) with 5% of affiliated membership. A full selection follows when
        at least a third of party branches or a third of affiliated branches ask for one.""",
        _LEADERSHIP_2018,
        _EITHER_THIRD,
        _SOURCES_2018,
        nec=NEC_2018,
    ),
    _build(
        "labour_2020",
        """The rules as applied in the 2020 contest: 10% of MPs and MEPs (22), then 5% of
        CLPs (33) or three affiliates (two unions) with 5% of affiliated membership; members
        who joined by 20 January 2020 could vote, with registered supporters signing up in a
        short window. The 2018 one-third trigger.""",
        _LEADERSHIP_2020,
        _EITHER_THIRD,
        _SOURCES_2020,
        nec=NEC_2018,
    ),
    _build(
        "labour_2021",
        """Starmer's 2021 reforms: candidates need 20% of MPs, the registered-supporter scheme
        is abolished, and a full selection needs more than 50% of a trigger college weighted
        half party branches, half affiliated branches.""",
        _LEADERSHIP_2021,
        _WEIGHTED_COLLEGE,
        _SOURCES_2021,
        nec=NEC_2021,
    ),
    _build(
        "college_thirds_2021",
        """A proposal that never passed: the return to an electoral college floated by the
        leadership in 2021 and dropped before conference — MPs, members and affiliates a
        third each, one vote per person — with the rest of the 2021 rules.""",
        {
            **_LEADERSHIP_2021,
            "electorate": "college",
            "college_sections": {"mps_meps": "1/3", "members": "1/3", "affiliates": "1/3"},
            "multiple_voting": False,
        },
        _WEIGHTED_COLLEGE,
        {
            **_SOURCES_2021,
            "leadership.electorate": SRC_COLLEGE_THIRDS_2021,
            "leadership.college_sections": SRC_COLLEGE_THIRDS_2021,
            "leadership.multiple_voting": "assumption: no multiple voting, as since Collins; "
            + SRC_COLLINS,
        },
        basis="labour_2021",
        nec=NEC_2021,
    ),
    _build(
        "open_selection",
        """A proposal that never passed: mandatory open selection, sought by Momentum and the
        left in 2018 — every sitting MP faces a full selection by members before each
        election. Otherwise the 2018 rules.""",
        _LEADERSHIP_2018,
        {"method": "open_selection", "trigger_decided_by": "none"},
        {
            **_without(_SOURCES_2018, *_SOURCES_EITHER_THIRD),
            "reselection.method": SRC_OPEN_SELECTION,
        },
        basis="labour_2018",
        nec=NEC_2018,
    ),
    _build(
        "members_supermajority",
        """A proposal-style variant in the spirit of Momentum's open-selection campaign: the
        sitting MP is kept only with at least 75% of the CLP members' votes in a ballot,
        otherwise there is a full selection. The 75% bar is this model's default; the data
        records a 77% delegate poll for open selection and an earlier two-thirds position.
        Otherwise the 2018 rules.""",
        _LEADERSHIP_2018,
        {
            "method": "members_supermajority",
            "supermajority_share": "3/4",
            "trigger_decided_by": "members_ballot",
        },
        {
            **_without(_SOURCES_2018, *_SOURCES_EITHER_THIRD),
            "reselection.method": SRC_SUPERMAJORITY,
            "reselection.supermajority_share": SRC_SUPERMAJORITY,
        },
        basis="labour_2018",
        nec=NEC_2018,
    ),
    _build(
        "pre_2018",
        """Alias for experiments: the 2014 Collins leadership rules with the pre-2018 trigger
        ballot (the MP is reselected only with a majority of the combined party and affiliate
        branch nominations). Identical in content to labour_2014.""",
        _LEADERSHIP_2014,
        _PRE_2018,
        _SOURCES_2014,
        basis="labour_2014",
    ),
]

PRESETS: dict[str, RuleSet] = {preset.name: preset for preset in _PRESET_LIST}
"""Named rule sets: historical rules in force and proposals that never passed."""


def preset_names() -> list[str]:
    """Names of the presets, historical first.

    Returns:
        The preset names in definition order.
    """
    return list(PRESETS)


def get_preset(name: str) -> RuleSet:
    """A named preset (a private copy: its mappings may not be shared).

    Args:
        name: a preset name, see :func:`preset_names`.

    Returns:
        The rule set.

    Raises:
        RulesError: unknown name (the message lists the known ones).
    """
    try:
        preset = PRESETS[name]
    except (KeyError, TypeError):
        raise RulesError(
            f"unknown rules preset {name!r}; known presets: {', '.join(PRESETS)}"
        ) from None
    return preset.model_copy(deep=True)


def resolve_rules(preset: str, overrides: Mapping[str, Any] | None = None) -> RuleSet:
    """The rule set a scenario asks for: a preset plus single-field overrides.

    A scenario's ``[rules]`` table names the preset; ``[rules.overrides.*]``
    tables override fields, e.g.::

        [rules]
        preset = "labour_2018"
        [rules.overrides.leadership]
        plp_threshold_vacancy = 0.15

    Overrides may be nested mappings or dotted keys
    (``{"leadership.plp_threshold_vacancy": 0.15}``).

    Args:
        preset: a preset name.
        overrides: field overrides, or None.

    Returns:
        The validated rule set (the preset itself if there are no overrides).

    Raises:
        RulesError: unknown preset or field, or an invalid value; the message
            names the field path and what is allowed.
    """
    rules = get_preset(preset)
    if not overrides:
        return rules
    return rules.with_changes(
        overrides, name=f"{preset} (scenario overrides)", reason="scenario override"
    )
