"""Unions, the NEC and conference as actors, wired into the model (issue 15).

A proposal goes to the affiliates and the NEC before conference and can be
withdrawn, amended or deferred; unions can abstain; union leaderships change
on their dates; the NEC is elected and decides procedures; deputy contests
are counted with the leader's ballot.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from model.party import PartyModel
from model.scenario.schema import parse_scenario
from tests.conftest import small_scenario
from tests.factories import scheduled_vacancy

COLLEGE_PARTS = {
    "college of thirds": [
        "leadership.electorate",
        "leadership.college_sections",
        "leadership.multiple_voting",
    ],
    "20% of MPs": ["leadership.plp_threshold_vacancy", "leadership.plp_threshold_challenge"],
    "trigger college": ["reselection"],
}


def scenario(months: int = 24, leader: float | None = None, **sections: Any):
    """The small default scenario (from 2016-10), with sections replaced or updated."""
    data = small_scenario(calendar={"months": months}).model_dump()
    data["conference"].update(leader_proposes=False, faction_proposes=False)
    data["challenges"]["enabled"] = False
    data["contests"]["scheduled"] = []
    if leader is not None:
        data["leader"]["ideology"] = leader
    for section, changes in sections.items():
        if isinstance(changes, dict) and isinstance(data.get(section), dict):
            data[section].update(changes)
        else:
            data[section] = changes
    return parse_scenario(data)


def run(s, months: int | None = None, seed: int = 3) -> PartyModel:
    party = PartyModel(s, rng=seed)
    party.run_for(months or s.calendar.months)
    return party


def of(party: PartyModel, kind: str) -> list:
    return party.events.of_type(kind)


def college_proposal(**extra: Any) -> dict[str, Any]:
    return {
        "year": 2017,
        "title": "The leader's changes",
        "proposer": "leader",
        "preset": "college_thirds_2021",
        "paths": ["leadership", "reselection"],
        "parts": COLLEGE_PARTS,
        **extra,
    }


def test_the_affiliates_ask_for_time_and_the_college_never_reaches_the_vote():
    # Put to the affiliates in the conference month: no time to consult on a
    # change to their own section, so the college of thirds cannot pass.
    s = scenario(leader=0.0, rules={"preset": "labour_2020", "overrides": {}})
    s = parse_scenario(
        {
            **s.model_dump(),
            "conference": {**s.conference.model_dump(), "scheduled": [college_proposal()]},
        }
    )
    party = run(s, 13)
    (consultation,) = of(party, "affiliate_consultation")
    assert consultation.needs_consultation and consultation.notice_months == 0
    assert {st["stance"] for st in consultation.stances} == {"needs time"}
    assert consultation.action in ("amend", "withdraw")
    assert "college of thirds" in consultation.decision["dropped"]
    for vote in of(party, "conference_vote"):
        assert "college of thirds" not in vote.parts
        assert "leadership.electorate" not in vote.changes
    assert party.rules.leadership.electorate == "omov"


def test_a_proposal_its_proposer_would_not_gain_from_is_withdrawn():
    # A left leader would gain nothing from the college of thirds: withdrawn whole.
    s = scenario(leader=-0.8, rules={"preset": "labour_2020", "overrides": {}})
    s = parse_scenario(
        {
            **s.model_dump(),
            "conference": {**s.conference.model_dump(), "scheduled": [college_proposal()]},
        }
    )
    party = run(s, 13)
    (consultation,) = of(party, "affiliate_consultation")
    assert consultation.action == "withdraw"
    (withdrawn,) = of(party, "proposal_withdrawn")
    assert withdrawn.stage == "consultation" and withdrawn.title == "The leader's changes"
    assert not of(party, "conference_vote") and not of(party, "rule_change")


def test_a_proposal_deferred_to_a_special_conference():
    # Affiliates that value their own say highly would back the college once
    # consulted; the proposer allows a delay: a special conference six months on.
    overrides = {"conference": {"affiliates_weight": "2/3", "clp_weight": "1/3"}}
    s = scenario(
        months=24,
        leader=0.0,
        rules={"preset": "labour_2020", "overrides": overrides},
        union_decisions={"institutional_weight": 5.0},
    )
    proposal = college_proposal(
        paths=[
            "leadership.electorate",
            "leadership.college_sections",
            "leadership.multiple_voting",
        ],
        parts={},
        allow_defer=True,
    )
    s = parse_scenario(
        {**s.model_dump(), "conference": {**s.conference.model_dump(), "scheduled": [proposal]}}
    )
    party = run(s)
    first, second = of(party, "affiliate_consultation")
    assert first.month == "2017-09" and first.action == "defer"
    assert second.month == "2018-03" and second.notice_months == 6
    assert {st["stance"] for st in second.stances} <= {"for", "against", "abstain"}
    (vote,) = of(party, "conference_vote")
    assert vote.month == "2018-03" and vote.conference == "special"
    if vote.passes:
        assert party.rules.leadership.electorate == "college"


def test_a_union_can_abstain_on_a_card_vote():
    # Indifferent to everything (a wide abstention band), every affiliate
    # abstains on a faction's motion, which goes straight to the agenda.
    s = scenario(union_decisions={"abstain_band": 1.0})
    proposal = {
        "year": 2017,
        "title": "MEPs nominate",
        "proposer": "Momentum",
        "changes": {"leadership.count_meps": False},
    }
    s = parse_scenario(
        {**s.model_dump(), "conference": {**s.conference.model_dump(), "scheduled": [proposal]}}
    )
    party = run(s, 13)
    (vote,) = of(party, "conference_vote")
    assert {u["vote"] for u in vote.unions} == {"abstain"}
    affiliates = vote.blocs["affiliates"]
    assert affiliates["votes_for"] == affiliates["votes_against"] == 0
    assert affiliates["votes_abstained"] == sum(u["votes"] for u in vote.unions) > 0
    assert vote.share_for == pytest.approx(vote.blocs["clps"]["share_for"] / 2, abs=1e-9)
    (recommend,) = of(party, "nec_vote")
    assert recommend.purpose == "recommend"


def test_rival_motions_wait_behind_the_nec_and_fall_when_it_passes():
    # The NEC's one-third trigger against the left's open selection, as in 2018.
    # `forced` (a counterfactual device) makes the NEC's proposal pass here.
    s = scenario(rules={"preset": "labour_2016", "overrides": {}})
    proposals = [
        {"year": 2017, "title": "Trigger ballots", "proposer": "nec", "preset": "labour_2018",
         "paths": ["reselection"], "forced": True},
        {"year": 2017, "title": "Open selection", "proposer": "Momentum",
         "preset": "open_selection", "paths": ["reselection"]},
    ]  # fmt: skip
    s = parse_scenario(
        {**s.model_dump(), "conference": {**s.conference.model_dump(), "scheduled": proposals}}
    )
    party = run(s, 13)
    (agenda,) = of(party, "agenda_vote")
    assert agenda.proposal == "Trigger ballots" and agenda.rivals == ["Open selection"]
    titles = [v.title for v in of(party, "conference_vote")]
    if agenda.passes:
        assert titles == ["Trigger ballots"]
        (fell,) = [w for w in of(party, "proposal_withdrawn") if w.stage == "agenda"]
        assert fell.title == "Open selection"
    else:
        assert titles == ["Open selection", "Trigger ballots"]
    (vote,) = [v for v in of(party, "conference_vote") if v.title == "Trigger ballots"]
    assert vote.forced is True
    assert party.rules.reselection.method == "either_third"


def test_union_leaderships_and_affiliations_change_on_their_dates():
    s = scenario()
    data = s.model_dump()
    data["unions"][0]["general_secretaries"] = [
        {"name": "Old", "month": "2010-01", "ideology": -0.6},
        {"name": "New", "month": "2017-03", "ideology": 0.3},
    ]
    data["unions"][1]["affiliation"] = [{"month": "2017-02", "levy_payers": 0}]
    party = run(parse_scenario(data), 8)
    (change,) = of(party, "union_leadership_change")
    assert change.month == "2017-03" and change.general_secretary == "New"
    assert change.previous == "Old" and change.previous_ideology == -0.6
    assert party.unions[0].leadership_ideology == 0.3 and party.unions[0].general_secretary == "New"
    (aff,) = of(party, "affiliation_change")
    assert aff.month == "2017-02" and aff.levy_payers_after == 0
    assert not party.unions[1].affiliated


def test_affiliates_nominate_once_per_contest():
    s = scenario(contests=scheduled_vacancy())
    party = run(s, 10)
    nominations = of(party, "union_nomination")
    assert len(nominations) == len(party.unions)
    assert {n.office for n in nominations} == {"leader"}
    (contest,) = of(party, "leadership_contest")
    nominated = {u for names in contest.nominations["affiliates"].values() for u in names}
    assert nominated == {n.union for n in nominations if n.nominee}


def test_the_nec_is_elected_and_decides_procedures():
    s = scenario(
        nec={
            "elections": [{"month": "2017-06"}, {"month": "2018-06"}],
            "decisions": [
                {"month": "2017-09", "title": "STV", "proposer": "nec",
                 "changes": {"nec.clp_section_system": "stv"}},
            ],
        }
    )  # fmt: skip
    party = run(s, 21)
    first, second = of(party, "nec_election")
    assert first.system == "block_vote" and sum(first.seats_by_slate.values()) == first.seats
    (decision,) = [v for v in of(party, "nec_vote") if v.purpose == "decide"]
    if decision.passes:
        (change,) = of(party, "rule_change")
        assert change.decided_by == "meeting"
        assert second.system == "stv"
    nec = party.institutions["nec"]
    assert len(nec.seats()) == party.rules.nec.size
    series = party.series()
    assert {"nec_median", "nec_clp_momentum"} <= set(series.columns)


def test_nec_ballots_in_a_contest_month_can_be_voted_by_camps():
    """With `nec.contest_camps`, a slate is valued as the candidate it backs.

    A far-right slate (0.9) backs the centre candidate (the nearest): by
    position it gets only the few members right of 0.1, by camps the centre
    candidate's supporters. Outside a contest month the switch changes nothing.
    """
    slates = [
        {"name": "Left slate", "ideology": -0.7},
        {"name": "Far slate", "ideology": 0.9},
    ]

    def far_share(camps: bool, month: str) -> tuple[float, Any]:
        s = scenario(
            contests=scheduled_vacancy("2017-03"),
            nec={"elections": [{"month": month}], "slates": slates, "contest_camps": camps},
        )
        party = run(s, 14)
        (election,) = of(party, "nec_election")
        first = election.slate_first
        return first["Far slate"] / sum(first.values()), party

    by_position, _ = far_share(False, "2017-04")
    by_camps, party = far_share(True, "2017-04")
    (contest,) = [c for c in of(party, "leadership_contest") if c.balloted]
    assert contest.month == "2017-06"  # open, not yet counted, in April
    assert by_camps > by_position + 0.15
    # No contest open: the same election, draw for draw.
    assert far_share(False, "2017-10")[0] == far_share(True, "2017-10")[0]


def test_camp_utilities_follow_the_candidates():
    from model.mechanisms.nec import Slate, camp_utilities, slate_orders

    slates = [Slate("L", -0.65, -1, ("L 1",)), Slate("R", 0.2, -1, ("R 1",))]
    # One voter at -0.5: nearer the left slate, but prefers the centre candidate
    # (say, for electability).
    utility = np.array([[-0.3, -0.1]])  # for candidates at -0.8 and -0.1
    camps = camp_utilities(utility, [-0.8, -0.1], slates)
    assert camps.tolist() == [[-0.3, -0.1]]
    rng = np.random.default_rng(0)
    x, faction = np.array([-0.5]), np.array([-1])
    kw = {"discipline": [], "noise_sd": 0.0, "rng": rng}
    assert slate_orders(x, faction, slates, **kw)[0, 0] == 0
    assert slate_orders(x, faction, slates, base_utility=camps, **kw)[0, 0] == 1
    with pytest.raises(ValueError):
        camp_utilities(np.zeros((1, 0)), [], slates)


def test_the_nec_shortlists_and_endorses():
    from model.mechanisms.contests import Candidate

    party = run(scenario(), 1)
    nec = party.institutions["nec"]
    centre = nec.median()
    hopefuls = [
        Candidate("Far", mp=-1, ideology=centre + 1.5, valence=1.0),
        Candidate("Near", mp=-1, ideology=centre + 0.1, valence=0.2),
        Candidate("Nearer", mp=-1, ideology=centre, valence=0.1),
    ]
    assert [h.name for h in nec.shortlist(hopefuls, 2)] == ["Nearer", "Near"]
    assert nec.endorses(hopefuls[1]) and not nec.endorses(hopefuls[0])


def test_a_deputy_contest_is_counted_with_the_leaders_ballot():
    deputy_field = [
        {"name": "Deputy A", "ideology": -0.4, "valence": 0.5},
        {"name": "Deputy B", "ideology": 0.1, "valence": 0.5},
    ]
    s = scenario(
        contests=scheduled_vacancy(),
        deputy={
            "initial": {"name": "Old Deputy", "ideology": -0.2, "valence": 0.3},
            "scheduled": [{"month": "2017-03", "candidates": deputy_field}],
        },
    )
    party = run(s, 10)
    (leader,) = [c for c in of(party, "leadership_contest") if c.balloted]
    (deputy,) = of(party, "deputy_contest")
    assert deputy.month == leader.month and deputy.outcome == "ballot"
    assert deputy.previous_leader == "Old Deputy"
    assert deputy.winner in ("Deputy A", "Deputy B") and party.state.deputy.name == deputy.winner
    # The same electorate: the same voter types, with as many eligible.
    assert deputy.electorate.keys() == leader.electorate.keys()
    for kind in leader.electorate:
        assert deputy.electorate[kind]["eligible"] == leader.electorate[kind]["eligible"]
    assert party.series()["deputy"].iloc[-1] == deputy.winner
    assert {n.office for n in of(party, "union_nomination")} == {"leader", "deputy"}


def test_the_deputy_contest_sees_its_candidates_as_the_leaders_does(monkeypatch):
    """Both contests of one month: the same perceived valence, the same weight on it."""
    from model.institutions.leadership import Leadership
    from model.mechanisms import contests

    weights: list[float | None] = []
    nominating: list[float | None] = []
    seen: list[list[str]] = []
    count, nominate, perceive = (
        contests.count_contest,
        contests.mp_nominations,
        Leadership.as_candidates,
    )

    def recording(*args, **kwargs):
        weights.append(kwargs.get("electability"))
        return count(*args, **kwargs)

    def nominations(*args, **kwargs):
        nominating.append(kwargs.get("electability"))
        return nominate(*args, **kwargs)

    def as_candidates(self, chosen, rng, **kwargs):
        seen.append([mp.name for mp in chosen])
        return perceive(self, chosen, rng, **kwargs)

    monkeypatch.setattr(contests, "count_contest", recording)
    monkeypatch.setattr(contests, "mp_nominations", nominations)
    monkeypatch.setattr(Leadership, "as_candidates", as_candidates)
    s = scenario(
        contests=scheduled_vacancy(),
        deputy={
            "scheduled": [
                {
                    "month": "2017-03",
                    "candidates": [
                        {"name": "Deputy A", "ideology": -0.4, "valence": 0.5},
                        {"name": "Deputy B", "ideology": 0.1, "valence": 0.5},
                    ],
                }
            ]
        },
    )
    party = run(s, 10)
    assert len(weights) == 2 and None not in weights
    assert weights[0] == weights[1] > party.config.contests.valence_weight  # a defeat is remembered
    assert len(nominating) == 2 and None not in nominating
    # The campaign shock and a lost election's discredit reach the deputy's field too.
    assert sorted(map(sorted, seen)) == [["Centre", "Left"], ["Deputy A", "Deputy B"]]


def test_a_special_conference_votes_in_its_month():
    s = scenario(rules={"preset": "labour_2016", "overrides": {}})
    proposal = {
        "year": 2017,
        "title": "A special conference",
        "proposer": "nec",
        "special_conference": "2017-03",
        "changes": {"leadership.plp_threshold_vacancy": "10%"},
    }
    s = parse_scenario(
        {**s.model_dump(), "conference": {**s.conference.model_dump(), "scheduled": [proposal]}}
    )
    party = run(s, 8)
    votes = of(party, "conference_vote")
    tabled = of(party, "nec_vote")
    assert tabled and tabled[0].month == "2017-03"
    if tabled[0].passes:
        (vote,) = votes
        assert vote.month == "2017-03" and vote.conference == "special"


def test_a_union_backs_the_lesser_change_when_the_rival_would_pass():
    # 2018: the NEC's one-third trigger against open selection. A union that
    # wants neither still votes to take the NEC's first when open selection
    # would otherwise pass (Usdaw); the reference is the rival, not the rules
    # as they are.
    s = scenario(rules={"preset": "labour_2016", "overrides": {}})
    data = s.model_dump()
    # The premise is a CLP half that would carry open selection: a left still
    # joining through 2017, as without depletion (the default drains it).
    data["flows"]["propensity_spread"] = 0.0
    for i, union in enumerate(data["unions"]):
        union["leadership_ideology"] = -0.9 if i == 0 else 0.5
        union["general_secretaries"] = []
    data["conference"]["scheduled"] = [
        {"year": 2017, "title": "Trigger ballots", "proposer": "nec", "preset": "labour_2018",
         "paths": ["reselection"]},
        {"year": 2017, "title": "Open selection", "proposer": "Momentum",
         "preset": "open_selection", "paths": ["reselection"]},
    ]  # fmt: skip
    party = run(parse_scenario(data), 13)
    (agenda,) = of(party, "agenda_vote")
    right = [u for u in agenda.unions if u["name"] != data["unions"][0]["name"]]
    assert right and all(u["vote"] == "for" for u in right), agenda.unions


def test_delegations_lean_their_own_way_when_mandates_differ():
    # The NEC's trigger reform against open selection: every unaligned delegation judges
    # them alike by its median member unless its own mandate adds a lean of its own.
    def trigger_vote(delegate_sd: float):
        s = scenario(rules={"preset": "labour_2016", "overrides": {}})
        proposals = [
            {"year": 2017, "title": "Trigger ballots", "proposer": "nec",
             "preset": "labour_2018", "paths": ["reselection"], "forced": True},
            {"year": 2017, "title": "Open selection", "proposer": "Momentum",
             "preset": "open_selection", "paths": ["reselection"]},
        ]  # fmt: skip
        conf = {**s.conference.model_dump(), "scheduled": proposals, "clp_noise": 0.0}
        conf["delegate_sd"] = delegate_sd
        s = parse_scenario({**s.model_dump(), "conference": conf})
        party = run(s, 13)
        (vote,) = [v for v in of(party, "conference_vote") if v.title == "Trigger ballots"]
        return vote.blocs["clps"]

    def minority(clps) -> float:
        cast = clps["unaligned_for"] + clps["unaligned_against"]
        assert cast > 20
        return min(clps["unaligned_for"], clps["unaligned_against"]) / cast

    # By their medians alone most delegations side one way; with leans as large as
    # the stakes, the CLP half splits towards even.
    alike, split = minority(trigger_vote(0.0)), minority(trigger_vote(1.0))
    assert alike < 0.3 and split > 0.4 and split > alike + 0.1
