"""Tests for model.rules: presets against the published figures, sources, trigger rules, changes.

Published figures are read from the packaged validation data set
(model/data/labour/labour_history.json), never typed in here.
"""

import json
import re
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from model.data import read_json
from model.rules.decisions import (
    AffiliateNomination,
    card_vote_passes,
    clp_nominations_decide_access,
    clp_nominations_needed,
    meets_supplementary,
    nomination_threshold,
    qualifies,
    trigger_ballot_outcome,
)
from model.rules.edits import rule_changes_between
from model.rules.errors import RulesError
from model.rules.presets import PRESETS, get_preset, preset_names, resolve_rules
from model.rules.schema import ASSUMED_LABOUR_MEPS, LeadershipRules, RuleSet

REQUIRED_PRESETS = {
    "labour_2010",
    "labour_2014",
    "labour_2016",
    "labour_2018",
    "labour_2020",
    "labour_2021",
    "college_thirds_2021",
    "open_selection",
    "members_supermajority",
    "pre_2018",
}


@pytest.fixture(scope="module")
def data() -> dict[str, Any]:
    return read_json("labour", "labour_history.json")


@pytest.fixture(scope="module")
def politics() -> dict[str, Any]:
    return read_json("labour", "labour_politics.json")


def walk(data: dict[str, Any], path: str) -> Any:
    """The node at a dotted JSON path such as 'membership.intra_year_points[0]' (KeyError if absent)."""
    node: Any = data
    for part in path.split("."):
        match = re.fullmatch(r"([^\[\]]+)((?:\[\d+\])*)", part)
        assert match, f"malformed JSON path step {part!r} in {path!r}"
        node = node[match.group(1)]
        for index in re.findall(r"\[(\d+)\]", match.group(2)):
            node = node[int(index)]
    return node


def value(data: dict[str, Any], path: str) -> Any:
    return walk(data, path)["value"]


def number_in(text: str, pattern: str) -> int:
    match = re.search(pattern, text)
    assert match, f"{pattern!r} not found in {text!r}"
    return int(match.group(1))


def percent_in(text: str, pattern: str) -> Fraction:
    return Fraction(number_in(text, pattern), 100)


def numeric_leaves(obj: Any, path: str) -> dict[str, Any]:
    """Numeric values of a rule set walked independently of RuleSet.numeric_paths."""
    found: dict[str, Any] = {}
    if isinstance(obj, BaseModel):
        for name in type(obj).model_fields:
            found |= numeric_leaves(getattr(obj, name), f"{path}.{name}")
    elif isinstance(obj, dict):
        for key, item in obj.items():
            found |= numeric_leaves(item, f"{path}.{key}")
    elif isinstance(obj, int | float | Fraction) and not isinstance(obj, bool):
        found[path] = obj
    return found


def covering_source(rules: RuleSet, path: str) -> str | None:
    parts = path.split(".")
    for end in range(len(parts), 0, -1):
        if ".".join(parts[:end]) in rules.sources:
            return rules.sources[".".join(parts[:end])]
    return None


# ---------------------------------------------------------------------------
# Presets: structure and sources
# ---------------------------------------------------------------------------


def test_all_required_presets_exist_and_validate() -> None:
    assert set(preset_names()) >= REQUIRED_PRESETS
    for name in preset_names():
        preset = get_preset(name)
        assert preset.name == name
        assert len(preset.description.split()) >= 20, f"{name}: description is not a paragraph"
        assert RuleSet.model_validate(preset.to_dict()) == preset
        json.dumps(preset.to_dict())  # JSON-ready


def test_get_preset_returns_a_private_copy() -> None:
    copy = get_preset("labour_2010")
    copy.leadership.college_sections["members"] = Fraction(1)
    assert PRESETS["labour_2010"].leadership.college_sections["members"] == Fraction(1, 3)


@pytest.mark.parametrize("name", sorted(REQUIRED_PRESETS))
def test_every_numeric_field_has_a_source(name: str) -> None:
    preset = get_preset(name)
    leaves = {}
    for section in ("leadership", "reselection", "conference", "nec"):
        leaves |= numeric_leaves(getattr(preset, section), section)
    assert leaves, "a preset without numbers?"
    assert set(leaves) == set(preset.numeric_paths())
    missing = [path for path in leaves if not covering_source(preset, path)]
    assert not missing, f"{name}: numeric fields without a source: {missing}"


CITATION = re.compile(r"(labour_history|labour_politics)\.json: (\S+) — (https?://[^\s;]+)")


@pytest.mark.parametrize("name", sorted(REQUIRED_PRESETS))
def test_sources_cite_existing_json_paths(
    data: dict[str, Any], politics: dict[str, Any], name: str
) -> None:
    preset = get_preset(name)
    for field, text in preset.sources.items():
        node: Any = preset
        for part in field.split("."):
            node = node[part] if isinstance(node, dict) else getattr(node, part)
        assert node is not None, f"{name}: source for unset field {field}"
        citations = CITATION.findall(text)
        if ".json:" in text:
            assert citations, f"{name}.{field}: malformed citation {text!r}"
        else:
            assert "assumption" in text, f"{name}.{field}: neither a citation nor an assumption"
        for file, json_path, url in citations:
            try:
                node = walk(data if file == "labour_history" else politics, json_path)
            except (KeyError, IndexError, TypeError):
                pytest.fail(f"{name}.{field}: JSON path {json_path!r} is not in the data")
            assert isinstance(node, dict) and "source" in node, f"{json_path} has no source"
            assert url in str(node["source"]), f"{name}.{field}: {url} is not {json_path}'s source"


def test_labels_tell_the_historical_presets_apart() -> None:
    labels = {name: get_preset(name).label() for name in preset_names()}
    assert labels["pre_2018"] == labels["labour_2014"]  # an alias by design
    distinct = {label for name, label in labels.items() if name != "pre_2018"}
    assert len(distinct) == len(labels) - 1
    assert "OMOV+RS £3" in labels["labour_2014"]
    assert "trigger 1/3" in labels["labour_2018"]


# ---------------------------------------------------------------------------
# Preset values against the data
# ---------------------------------------------------------------------------


def test_2010_college_and_threshold(data: dict[str, Any]) -> None:
    rules = get_preset("labour_2010")
    system = value(data, "leadership_elections.2010.system")
    assert "each section 1/3" in system and "vote in several sections" in system
    assert rules.leadership.electorate == "college"
    assert dict(rules.leadership.college_sections) == {
        "mps_meps": Fraction(1, 3),
        "members": Fraction(1, 3),
        "affiliates": Fraction(1, 3),
    }
    assert rules.leadership.multiple_voting
    base = "leadership_elections.2010.nomination_threshold"
    plp = value(data, f"{base}.plp_size_for_threshold")
    needed = value(data, f"{base}.mps_needed")
    meps = value(data, "leadership_elections.2010.electorates_and_turnout.mps_meps_entitled") - plp
    assert ASSUMED_LABOUR_MEPS[2010] == meps
    assert nomination_threshold(rules, plp, meps) == needed
    # "12.5% of Commons members": counting the MEPs would have given another figure.
    with_meps = rules.with_changes({"leadership.count_meps": True})
    assert nomination_threshold(with_meps, plp, meps) != needed
    rule = value(data, f"{base}.rule")
    assert rules.leadership.plp_threshold_vacancy == Fraction(125, 1000)
    assert rules.leadership.plp_threshold_challenge == percent_in(rule, r"(\d+)% when no vacancy")
    nominations = walk(data, "leadership_elections.2010.plp_nominations_final")
    assert qualifies(
        rules, mp_nominations=nominations["Diane Abbott"]["value"], plp_size=plp
    ).qualified
    mcdonnell = nominations["John McDonnell (withdrew 9 June)"]["value"]
    assert not qualifies(rules, mp_nominations=mcdonnell, plp_size=plp).qualified


def test_2015_threshold(data: dict[str, Any]) -> None:
    rules = get_preset("labour_2014")
    base = "leadership_elections.2015.nomination_threshold"
    assert rules.leadership.plp_threshold_vacancy == percent_in(
        value(data, f"{base}.rule"), r"(\d+)%"
    )
    plp = value(data, f"{base}.plp_size")
    assert nomination_threshold(rules, plp) == value(data, f"{base}.mps_needed")
    corbyn = value(data, "leadership_elections.2015.plp_nominations.Jeremy Corbyn")
    assert qualifies(rules, mp_nominations=corbyn, plp_size=plp).qualified
    assert rules.leadership.registered_supporter_fee_gbp == value(
        data, "rule_changes.2014_collins_review.registered_supporter_fee_gbp"
    )
    assert rules.leadership.electorate == "omov" and not rules.leadership.multiple_voting


def test_2016_challenge(data: dict[str, Any]) -> None:
    rules = get_preset("labour_2016")
    base = "leadership_elections.2016.nomination_threshold"
    challenge_rule = value(data, f"{base}.challenger_rule")
    assert rules.leadership.plp_threshold_challenge == percent_in(challenge_rule, r"(\d+)%")
    assert "EPLP" in challenge_rule and rules.leadership.count_meps
    # Assumption (not in the data): the 232 MPs elected in 2015 and 20 MEPs.
    plp = value(data, "plp_and_constituencies.labour_seats_at_general_elections.2015")
    meps = ASSUMED_LABOUR_MEPS[2016]
    needed = value(data, f"{base}.challenger_nominations_needed")
    assert nomination_threshold(rules, plp, meps, challenge=True) == needed
    smith = value(data, "leadership_elections.2016.plp_eplp_nominations.Owen Smith")
    assert qualifies(
        rules, mp_nominations=smith, plp_size=plp, n_meps=meps, challenge=True
    ).qualified
    corbyn = qualifies(
        rules, mp_nominations=0, plp_size=plp, n_meps=meps, challenge=True, is_incumbent=True
    )
    assert corbyn.qualified and corbyn.routes == ("incumbent",)
    # Without the 2016 NEC ruling the incumbent needs the challenge threshold too.
    before = get_preset("labour_2014")
    assert not qualifies(
        before, mp_nominations=40, plp_size=plp, challenge=True, is_incumbent=True
    ).qualified
    nec = value(data, "rule_changes.2016_nec_decisions")
    assert rules.leadership.registered_supporter_fee_gbp == number_in(nec, r"GBP (\d+)")
    assert rules.leadership.freeze_months == 6


def test_2020_thresholds_and_routes(data: dict[str, Any]) -> None:
    rules = get_preset("labour_2020")
    base = "leadership_elections.2020.nomination_threshold"
    stage1, stage2 = value(data, f"{base}.stage1"), value(data, f"{base}.stage2")
    plp = value(data, "plp_and_constituencies.labour_seats_at_general_elections.2019")
    meps = ASSUMED_LABOUR_MEPS[2020]
    assert rules.leadership.plp_threshold_vacancy == percent_in(stage1, r"(\d+)%")
    assert nomination_threshold(rules, plp, meps) == number_in(stage1, r"= (\d+)")
    assert nomination_threshold(rules, plp + 1, meps) == number_in(
        stage1, r"= (\d+)"
    )  # ParlGov 203
    total_clps = value(data, "plp_and_constituencies.house_of_commons_seats.2010_2015_2017_2019")
    assert clp_nominations_needed(rules, total_clps) == number_in(stage2, r"CLPs \((\d+)\)")
    route = rules.leadership.supplementary_routes
    assert route is not None and route.affiliate_route is not None
    assert route.clp_share == percent_in(stage2, r"(\d+)% of CLPs")
    assert route.affiliate_route.affiliates == number_in(stage2, r"(\d+) affiliates")
    assert route.affiliate_route.unions_among_them == number_in(stage2, r"at least (\d+) trade")
    assert route.affiliate_route.share_of_affiliated_membership == percent_in(
        stage2, r">=(\d+)% of affiliated"
    )


def test_2020_candidates_qualify_as_published(data: dict[str, Any]) -> None:
    rules = get_preset("labour_2020")
    plp = value(data, "plp_and_constituencies.labour_seats_at_general_elections.2019")
    total_clps = value(data, "plp_and_constituencies.house_of_commons_seats.2010_2015_2017_2019")
    mps = walk(data, "leadership_elections.2020.plp_eplp_nominations")
    clps = walk(data, "leadership_elections.2020.clp_nominations")
    for name in ("Keir Starmer", "Rebecca Long-Bailey", "Lisa Nandy"):
        result = qualifies(
            rules,
            mp_nominations=mps[name]["value"],
            plp_size=plp,
            n_meps=ASSUMED_LABOUR_MEPS[2020],
            clp_nominations=clps[name]["value"],
            total_clps=total_clps,
        )
        assert result.qualified and "clp" in result.routes, result.reason
    # Thornberry passed the MP stage but not the CLP stage, and had no affiliate route.
    thornberry = qualifies(
        rules,
        mp_nominations=mps["Emily Thornberry (eliminated at CLP stage)"]["value"],
        plp_size=plp,
        n_meps=ASSUMED_LABOUR_MEPS[2020],
        clp_nominations=clps["Emily Thornberry"]["value"],
        total_clps=total_clps,
    )
    assert not thornberry.qualified
    assert "CLP route not met" in thornberry.reason and thornberry.supplementary_required


def test_2020_affiliate_route(data: dict[str, Any]) -> None:
    rules = get_preset("labour_2020")
    plp = value(data, "plp_and_constituencies.labour_seats_at_general_elections.2019")
    members = value(data, "conference_and_affiliates.affiliated_membership_2007_TULO")
    total = sum(members.values())
    enough_mps = nomination_threshold(rules, plp, ASSUMED_LABOUR_MEPS[2020])

    def check(nominations: list[AffiliateNomination]) -> Any:
        return qualifies(
            rules,
            mp_nominations=enough_mps,
            plp_size=plp,
            n_meps=ASSUMED_LABOUR_MEPS[2020],
            clp_nominations=0,
            total_clps=650,
            affiliate_nominations=nominations,
            total_affiliated_membership=total,
        )

    big_two = [
        AffiliateNomination(True, members["UNISON"], "UNISON"),
        AffiliateNomination(True, members["GMB"], "GMB"),
    ]
    society = AffiliateNomination(False, 1000, "a socialist society")
    included = check([*big_two, society])
    assert included.qualified and included.routes == ("plp", "affiliates")
    assert not check(big_two).qualified  # only two affiliates
    one_union = [big_two[0], society, AffiliateNomination(False, 500, "another society")]
    assert not check(one_union).qualified  # needs two unions
    small = [AffiliateNomination(True, members[n], n) for n in ("NUM", "Unity", "NACODS")]
    assert not check(small).qualified  # under 5% of affiliated membership
    # Plain (is_union, membership) tuples work too, and 5% exactly is enough.
    ok, text = meets_supplementary(
        rules,
        clp_nominations=0,
        total_clps=650,
        affiliate_nominations=[(True, 2), (True, 2), (False, 1)],
        total_affiliated_membership=100,
    )
    assert ok and text.startswith("affiliates route met")
    ok, _ = meets_supplementary(
        rules,
        clp_nominations=0,
        total_clps=650,
        affiliate_nominations=[(True, 2), (True, 1), (False, 1)],
        total_affiliated_membership=100,
    )
    assert not ok


def test_supplementary_routes_do_not_bind_a_challenger() -> None:
    rules = get_preset("labour_2020")
    needed = nomination_threshold(rules, 202, 10, challenge=True)
    result = qualifies(rules, mp_nominations=needed, plp_size=202, n_meps=10, challenge=True)
    assert result.qualified and not result.supplementary_required


def test_2018_and_2021_rules_match_the_data(data: dict[str, Any]) -> None:
    text_2018 = value(data, "rule_changes.2018_conference_democracy_review.leadership")
    rules_2018 = get_preset("labour_2018")
    assert rules_2018.leadership.plp_threshold_vacancy == percent_in(text_2018, r"(\d+)% of PLP")
    mcdonnell = value(data, "rule_changes.2017_conference_mcdonnell_amendment")
    assert rules_2018.leadership.plp_threshold_vacancy == percent_in(mcdonnell, r"to (\d+)%")
    trigger_2018 = value(data, "trigger_ballots_and_reselection.rule_2018.rule")
    assert ">=1/3 of party" in trigger_2018 and ">=1/3 of affiliated" in trigger_2018
    assert rules_2018.reselection.branch_threshold == Fraction(1, 3)
    assert rules_2018.reselection.affiliate_threshold == Fraction(1, 3)

    content_2021 = value(data, "rule_changes.2021_conference_starmer_reforms.content")
    rules_2021 = get_preset("labour_2021")
    assert rules_2021.leadership.plp_threshold_vacancy == percent_in(content_2021, r"(\d+)% of MPs")
    assert not rules_2021.leadership.registered_supporters
    # "40 on then numbers": assumption of 200 MPs in September 2021 (not in the data).
    assert nomination_threshold(rules_2021, 200) == number_in(content_2021, r"\((\d+) on then")
    trigger_2021 = value(data, "trigger_ballots_and_reselection.rule_2021.rule")
    weights = rules_2021.reselection.college_weights
    assert weights == {
        "branches": percent_in(trigger_2021, r"branches = (\d+)%"),
        "affiliates": percent_in(trigger_2021, r"affiliates = (\d+)%"),
    }
    assert rules_2021.reselection.college_threshold == percent_in(trigger_2021, r">(\d+)%")


def test_conference_weights_match_the_data(data: dict[str, Any]) -> None:
    text = value(data, "conference_and_affiliates.conference_voting_weights")
    for name in preset_names():
        conference = get_preset(name).conference
        assert conference.clp_weight == percent_in(text, r"(\d+)% CLPs")
        assert conference.affiliates_weight == percent_in(text, r"(\d+)% affiliates")
    for_pct = value(data, "rule_changes.2021_conference_starmer_reforms.conference_vote_pct")["for"]
    share = Fraction(str(for_pct)) / 100
    assert card_vote_passes(get_preset("labour_2020"), affiliates_for=share, clps_for=share)[0]
    passes, weighted = card_vote_passes(get_preset("labour_2020"), affiliates_for=1, clps_for=0)
    assert weighted == Fraction(1, 2) and not passes  # exactly half is not a majority


def test_proposals_that_never_passed() -> None:
    thirds = get_preset("college_thirds_2021")
    assert thirds.basis == "labour_2021" and thirds.leadership.electorate == "college"
    assert set(thirds.leadership.college_sections.values()) == {Fraction(1, 3)}
    assert get_preset("open_selection").reselection.method == "open_selection"
    supermajority = get_preset("members_supermajority")
    assert supermajority.reselection.supermajority_share == Fraction(3, 4)
    assert "assumption" in supermajority.sources["reselection.supermajority_share"]
    assert supermajority.reselection.trigger_decided_by == "members_ballot"
    alias = get_preset("pre_2018")
    assert alias.leadership == get_preset("labour_2014").leadership
    assert alias.reselection.method == "pre_2018"


# ---------------------------------------------------------------------------
# Trigger ballots
# ---------------------------------------------------------------------------


def trigger(name: str, b_for: int, b_total: int, a_for: int = 0, a_total: int = 0, **kw: Any):
    return trigger_ballot_outcome(
        get_preset(name),
        branches_for_selection=b_for,
        branches_total=b_total,
        affiliates_for_selection=a_for,
        affiliates_total=a_total,
        **kw,
    )


def test_a_third_of_branches_triggers_in_2018_but_not_before() -> None:
    # A faction holding a majority in 3 of 9 branches; 3 affiliated branches back the MP.
    assert trigger("labour_2018", 3, 9, 0, 3).full_selection
    assert not trigger("pre_2018", 3, 9, 0, 3).full_selection
    assert not trigger("labour_2021", 3, 9, 0, 3).full_selection


def test_2019_triggered_mps(data: dict[str, Any]) -> None:
    # Branch tallies from the data; affiliated branches are not recorded, so none are assumed.
    details = value(data, "trigger_ballots_and_reselection.round_2019.details[0]")
    cases = {}
    for index in range(3):
        record = value(data, f"trigger_ballots_and_reselection.round_2019.details[{index}]")
        match = re.search(r"(\d+) of (\d+) branches", record["trigger"])
        assert match, record
        cases[record["mp"]] = (int(match.group(1)), int(match.group(2)))
    assert details["mp"] in cases
    for mp, (b_for, b_total) in cases.items():
        assert trigger("labour_2018", b_for, b_total).full_selection, mp
    # Under the pre-2018 rule only Godsiff (2 of 4: no majority for the MP) is triggered.
    expected_pre_2018 = {mp: 2 * b_for >= b_total for mp, (b_for, b_total) in cases.items()}
    assert expected_pre_2018["Roger Godsiff"] and not expected_pre_2018["Margaret Hodge"]
    for mp, (b_for, b_total) in cases.items():
        assert trigger("pre_2018", b_for, b_total).full_selection == expected_pre_2018[mp], mp


def test_pre_2018_edges() -> None:
    assert trigger("pre_2018", 5, 10).full_selection  # tie: MP lacks a majority
    assert not trigger("pre_2018", 4, 10).full_selection
    assert trigger("pre_2018", 2, 6, 4, 4).full_selection  # combined 6 of 10
    assert not trigger("pre_2018", 4, 6, 0, 5).full_selection  # affiliates outvote branches
    assert not trigger("pre_2018", 0, 0).full_selection  # no branches at all


def test_either_third_edges() -> None:
    assert trigger("labour_2018", 1, 3).full_selection  # exactly a third
    assert not trigger("labour_2018", 3, 10).full_selection
    assert trigger("labour_2018", 0, 10, 1, 3).full_selection  # affiliates alone
    assert not trigger("labour_2018", 0, 10, 1, 4).full_selection
    assert trigger("labour_2018", 3, 9).full_selection  # no affiliates: branches only
    assert not trigger("labour_2018", 2, 9).full_selection
    outcome = trigger("labour_2018", 3, 9, 0, 0)
    assert outcome.branch_share == Fraction(1, 3) and outcome.affiliate_share is None


def test_weighted_college_edges(data: dict[str, Any]) -> None:
    assert not trigger("labour_2021", 1, 2, 1, 2).full_selection  # exactly 50% is not more
    assert not trigger("labour_2021", 6, 10, 4, 10).full_selection
    assert trigger("labour_2021", 7, 10, 4, 10).full_selection  # 55%
    assert trigger("labour_2021", 6, 10).full_selection  # no affiliates: branches decide alone
    assert not trigger("labour_2021", 5, 10).full_selection
    assert trigger("labour_2021", 0, 0, 2, 3).full_selection  # no branches: affiliates alone
    assert not trigger("labour_2021", 0, 0).full_selection
    assert not trigger("labour_2021", 10, 10, 0, 10).full_selection  # branches alone: 50%
    # Tarry 2022: the college voted 57.5% for a full selection.
    tarry = value(data, "trigger_ballots_and_reselection.round_2021_2023.details[0]")["trigger"]
    share = Fraction(re.search(r"([\d.]+)% for", tarry).group(1)) / 100
    assert share.denominator == 40
    outcome = trigger("labour_2021", share.numerator, 40, share.numerator, 40)
    assert outcome.full_selection and outcome.college_share == share
    assert not trigger(
        "labour_2021", 40 - share.numerator, 40, 40 - share.numerator, 40
    ).full_selection


def test_open_selection_always_selects() -> None:
    assert trigger("open_selection", 0, 0).full_selection
    assert trigger("open_selection", 0, 10, 0, 5).full_selection


def test_members_supermajority() -> None:
    assert trigger("members_supermajority", 0, 0, member_support_share=0.70).full_selection
    assert not trigger("members_supermajority", 0, 0, member_support_share=0.80).full_selection
    assert not trigger("members_supermajority", 0, 0, member_support_share=0.75).full_selection
    with pytest.raises(ValueError, match="member_support_share"):
        trigger("members_supermajority", 0, 0)


def test_trigger_rejects_impossible_counts() -> None:
    with pytest.raises(ValueError):
        trigger("labour_2018", 4, 3)
    with pytest.raises(ValueError):
        trigger("labour_2018", -1, 3)


def test_outcome_records_are_plain() -> None:
    record = trigger("labour_2018", 3, 9, 1, 2).to_dict()
    assert record["branch_share"] == pytest.approx(1 / 3)
    json.dumps(record)
    qualification = qualifies(get_preset("labour_2014"), mp_nominations=40, plp_size=232)
    json.dumps(qualification.to_dict())


# ---------------------------------------------------------------------------
# Changes and overrides
# ---------------------------------------------------------------------------


def test_with_changes_revalidates_and_keeps_the_original() -> None:
    old = get_preset("labour_2018")
    new = old.with_changes({"leadership.plp_threshold_vacancy": 0.15}, reason="conference 2019")
    assert new.leadership.plp_threshold_vacancy == Fraction(3, 20)
    assert old.leadership.plp_threshold_vacancy == Fraction(1, 10)
    assert nomination_threshold(new, 202, 10) == 32 != nomination_threshold(old, 202, 10)
    assert new.basis == "labour_2018" and new.name != old.name
    assert "conference 2019" in new.sources["leadership.plp_threshold_vacancy"]
    assert new.label() != old.label()
    again = new.with_changes({"leadership.freeze_months": 3})
    assert again.basis == "labour_2018"


def test_switching_method_takes_published_defaults() -> None:
    switched = get_preset("labour_2018").with_changes({"reselection.method": "weighted_college"})
    assert switched.reselection == get_preset("labour_2021").reselection
    missing = [p for p in switched.numeric_paths() if switched.source_for(p) is None]
    assert not missing
    opened = get_preset("labour_2018").with_changes({"reselection": {"method": "open_selection"}})
    assert opened.reselection.branch_threshold is None
    assert opened.reselection.trigger_decided_by == "none"


def test_rule_changes_between_presets_reproduce_them() -> None:
    for target in ("open_selection", "members_supermajority", "labour_2021", "college_thirds_2021"):
        old, new = get_preset("labour_2018"), get_preset(target)
        changed = old.with_changes(rule_changes_between(old, new))
        for section in ("leadership", "reselection", "conference", "nec"):
            assert getattr(changed, section) == getattr(new, section), (target, section)


def assert_friendly(err: RulesError, *fragments: str) -> None:
    text = str(err)
    for fragment in fragments:
        assert fragment in text, f"{fragment!r} not in {text!r}"
    assert "pydantic" not in text and "validation error" not in text


@pytest.mark.parametrize(
    ("changes", "fragments"),
    [
        (
            {"leadership.plp_threshold_vacancy": 1.5},
            ["leadership.plp_threshold_vacancy", "between 0 and 1"],
        ),
        (
            {"leadership.freeze_months": -1},
            ["leadership.freeze_months", "greater than or equal to 0"],
        ),
        ({"leadership.freeze_months": "six"}, ["leadership.freeze_months", "integer"]),
        ({"leadership.electorate": "ballot"}, ["leadership.electorate", "'omov'", "'college'"]),
        ({"leadership.threshold": 0.1}, ["leadership.threshold", "plp_threshold_vacancy"]),
        ({"ledership.plp_threshold_vacancy": 0.1}, ["ledership", "leadership, reselection"]),
        ({"leadership.electorate": "college"}, ["leadership.college_sections"]),
        (
            {
                "leadership.electorate": "college",
                "leadership.college_sections": {"mps_meps": 0.5, "members": 0.4},
            },
            ["leadership.college_sections", "sum to exactly 1"],
        ),
        (
            {"leadership.electorate": "college", "leadership.college_sections": {"mps": 1}},
            ["leadership.college_sections", "mps_meps"],
        ),
        ({"reselection.branch_threshold": "1/x"}, ["reselection.branch_threshold", "1/3"]),
        (
            {"reselection.supermajority_share": 0.75},
            ["reselection.supermajority_share", "either_third"],
        ),
        ({"conference.clp_weight": 0.6}, ["conference.clp_weight", "exactly 1"]),
        (
            {"leadership.supplementary_routes.affiliate_route.unions_among_them": 4},
            ["leadership.supplementary_routes.affiliate_route.unions_among_them"],
        ),
    ],
)
def test_bad_changes_raise_a_readable_rules_error(
    changes: dict[str, Any], fragments: list[str]
) -> None:
    with pytest.raises(RulesError) as caught:
        get_preset("labour_2018").with_changes(changes)
    assert_friendly(caught.value, *fragments)


def test_resolve_rules_accepts_nested_and_dotted_overrides() -> None:
    nested = resolve_rules("labour_2018", {"leadership": {"plp_threshold_vacancy": 0.15}})
    dotted = resolve_rules("labour_2018", {"leadership.plp_threshold_vacancy": "15%"})
    mixed = resolve_rules("labour_2018", {"leadership": {"supplementary_routes.clp_share": "1/10"}})
    assert nested.leadership == dotted.leadership
    assert mixed.leadership.supplementary_routes.clp_share == Fraction(1, 10)
    assert resolve_rules("labour_2020") == get_preset("labour_2020")
    added = resolve_rules(
        "labour_2014", {"leadership": {"supplementary_routes": {"clp_share": 0.05}}}
    )
    assert clp_nominations_needed(added, 650) == 33


def test_resolve_rules_unknown_preset_lists_the_known_ones() -> None:
    with pytest.raises(RulesError) as caught:
        resolve_rules("labour_1999")
    assert_friendly(caught.value, "labour_1999", *sorted(REQUIRED_PRESETS))


def test_model_validation_is_strict() -> None:
    data = get_preset("labour_2014").leadership.model_dump()
    with pytest.raises(ValueError):
        LeadershipRules.model_validate({**data, "registered_supporter_fee_gbp": None})
    with pytest.raises(ValueError):
        LeadershipRules.model_validate({**data, "unknown": 1})
    with pytest.raises(ValueError):
        RuleSet.model_validate({**get_preset("labour_2014").to_dict(), "sources": {"x.y": "z"}})


# ---------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------

THRESHOLD_PRESETS = ("pre_2018", "labour_2018", "labour_2021")


@settings(max_examples=300, deadline=None)
@given(
    name=st.sampled_from(THRESHOLD_PRESETS),
    b_total=st.integers(0, 30),
    a_total=st.integers(0, 30),
    data=st.data(),
)
def test_trigger_is_monotone_in_votes_for_selection(
    name: str, b_total: int, a_total: int, data: st.DataObject
) -> None:
    low = data.draw(st.integers(0, b_total))
    high = data.draw(st.integers(low, b_total))
    a_low = data.draw(st.integers(0, a_total))
    a_high = data.draw(st.integers(a_low, a_total))
    before = trigger(name, low, b_total, a_low, a_total).full_selection
    assert not before or trigger(name, high, b_total, a_low, a_total).full_selection
    assert not before or trigger(name, low, b_total, a_high, a_total).full_selection


@settings(max_examples=300, deadline=None)
@given(
    numerator=st.integers(0, 200),
    denominator=st.integers(1, 200),
    plp=st.integers(0, 700),
    meps=st.integers(0, 40),
    count_meps=st.booleans(),
)
def test_nomination_threshold_is_exact_and_monotone(
    numerator: int, denominator: int, plp: int, meps: int, count_meps: bool
) -> None:
    share = Fraction(min(numerator, denominator), denominator)
    rules = LeadershipRules.model_validate(
        {
            **get_preset("labour_2016").leadership.model_dump(),
            "plp_threshold_vacancy": share,
            "count_meps": count_meps,
        }
    )
    base = plp + (meps if count_meps else 0)
    needed = nomination_threshold(rules, plp, meps)
    assert needed - 1 < share * base <= needed  # the exact ceiling
    assert nomination_threshold(rules, plp + 1, meps) >= needed


@settings(max_examples=300, deadline=None)
@given(percent=st.integers(1, 100), k=st.integers(0, 7))
def test_nomination_threshold_at_boundaries(percent: int, k: int) -> None:
    # At a base where percent × base is a whole number the threshold is exactly
    # that number; a float ceiling overshoots for some (e.g. 7% of 100 MPs).
    rules = LeadershipRules.model_validate(
        {
            **get_preset("labour_2014").leadership.model_dump(),
            "plp_threshold_vacancy": f"{percent}%",
        }
    )
    assert nomination_threshold(rules, 100 * k) == percent * k
    assert nomination_threshold(rules, 100 * k + 1) == percent * k + 1
    assert nomination_threshold(get_preset("labour_2010"), 8 * k) == k  # 12.5% = 1/8


@settings(max_examples=200, deadline=None)
@given(low=st.fractions(0, 1), high=st.fractions(0, 1))
def test_members_supermajority_is_monotone_in_support(low: Fraction, high: Fraction) -> None:
    low, high = sorted((low, high))
    kept_low = not trigger("members_supermajority", 0, 0, member_support_share=low).full_selection
    kept_high = not trigger("members_supermajority", 0, 0, member_support_share=high).full_selection
    assert not kept_low or kept_high


def test_every_name_still_imports_from_model_rules_schema():
    """The names that moved out of model.rules.schema are still importable from it."""
    import importlib

    schema = importlib.import_module("model.rules.schema")
    homes = {
        "decisions": ["card_vote_passes", "qualifies", "trigger_ballot_outcome", "Qualification"],
        "presets": ["PRESETS", "get_preset", "preset_names", "resolve_rules"],
        "edits": ["rule_changes_between"],
        "errors": ["RulesError"],
    }
    for module, names in homes.items():
        home = importlib.import_module(f"model.rules.{module}")
        for name in names:
            assert getattr(schema, name) is getattr(home, name), name
    for name in schema.__all__:
        assert getattr(schema, name) is not None, name
    with pytest.raises(AttributeError, match="no attribute 'not_a_rule'"):
        _ = schema.not_a_rule


def test_clp_nominations_decide_access_only_where_a_route_is_required() -> None:
    # Supporting nominations before the 2018 democracy review; a required CLP
    # route from it, in a vacancy only (a challenger needs MPs alone).
    for name in ("labour_2010", "labour_2014", "labour_2016", "pre_2018"):
        assert not clp_nominations_decide_access(get_preset(name), challenge=False)
    for name in ("labour_2018", "labour_2020", "labour_2021"):
        rules = get_preset(name)
        assert clp_nominations_decide_access(rules, challenge=False)
        assert clp_nominations_decide_access(rules.leadership, challenge=False)
        assert not clp_nominations_decide_access(rules, challenge=True)
    in_challenge = resolve_rules(
        "labour_2020", {"leadership.supplementary_routes.applies_in_challenge": True}
    )
    assert clp_nominations_decide_access(in_challenge, challenge=True)
    optional = resolve_rules("labour_2020", {"leadership.supplementary_routes.one_required": False})
    assert not clp_nominations_decide_access(optional, challenge=False)
    affiliates_only = resolve_rules(
        "labour_2020", {"leadership.supplementary_routes.clp_share": None}
    )
    assert not clp_nominations_decide_access(affiliates_only, challenge=False)
