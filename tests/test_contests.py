"""Leadership contests: nominations, qualification, electorate, ballot, record."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from model.agents.members import FULL_MEMBER, REGISTERED_SUPPORTER
from model.calendar import Month
from model.counting.count import count_ballots
from model.counting.profile import group_ballots
from model.mechanisms import contests
from model.mechanisms.sympathisers import defeat_discredit
from model.party import PartyModel
from model.rules.presets import get_preset
from model.scenario.schema import ContestSpec, parse_scenario
from tests.conftest import small_scenario

PARAMS = ContestSpec()


def with_contests(preset: str, scheduled: list[dict], **contest_changes) -> object:
    scenario = small_scenario(rules={"preset": preset, "overrides": {}})
    data = scenario.model_dump()
    data["contests"].update(contest_changes)
    data["contests"]["scheduled"] = scheduled
    return parse_scenario(data)


def cand(name, ideology, valence=0.0, incumbent=False, mp=0):
    return contests.Candidate(name, mp, ideology, valence, incumbent=incumbent)


# --- pure functions -------------------------------------------------------------


def test_spread_declarers_span_the_range():
    ideology = np.linspace(-1, 1, 100)
    picks = contests.declare_candidates(
        ideology,
        np.ones(100, bool),
        count=4,
        draw="spread",
        exclude=set(),
        rng=np.random.default_rng(0),
    )
    assert len(picks) == 4
    assert [p // 25 for p in picks] == [0, 1, 2, 3]


def test_declare_tops_up_with_unambitious_mps():
    ambitious = np.zeros(20, bool)
    ambitious[3] = True
    picks = contests.declare_candidates(
        np.zeros(20), ambitious, count=3, draw="random", exclude={5}, rng=np.random.default_rng(1)
    )
    assert len(picks) == 3 and 3 in picks and 5 not in picks


def test_mp_nominations_favourites_and_lending():
    candidates = [cand("Left", -0.8), cand("Right", 0.5)]
    ideology = np.concatenate([np.full(5, -0.8), np.full(45, 0.5)])
    is_cand = np.full(50, -1)
    is_cand[0], is_cand[10] = 0, 1
    params = PARAMS.model_copy(update={"utility_noise": 0.0})
    counts, choice = contests.mp_nominations(
        ideology,
        is_cand,
        candidates,
        threshold=8,
        lend_share=0.0,
        params=params,
        rng=np.random.default_rng(0),
    )
    assert counts.tolist() == [5, 45] and choice[0] == 0 and choice[10] == 1
    lent, _ = contests.mp_nominations(
        ideology,
        is_cand,
        candidates,
        threshold=8,
        lend_share=0.5,
        params=params,
        rng=np.random.default_rng(0),
    )
    # Lenders from the right put the left candidate on the ballot, no further.
    assert lent.tolist() == [8, 42]


def test_rankings_truncate_but_never_blank():
    rng = np.random.default_rng(0)
    u = rng.normal(size=(1000, 4))
    ranks = contests.rank_candidates(u, truncation=0.5, rng=rng)
    assert (ranks[:, 0] >= 0).all()
    assert (ranks == -1).any()
    full = ranks[(ranks >= 0).all(axis=1)]
    assert (np.sort(full, axis=1) == np.arange(4)).all()
    assert (ranks[:, 0] == np.argmax(u, axis=1)).all()


def test_labour_2020_needs_a_supplementary_route():
    rules = get_preset("labour_2020").leadership
    names = ["Enough MPs only", "MPs and CLPs", "MPs and affiliates"]
    noms = contests.Nominations(
        candidates=[cand(n, 0.0) for n in names],
        threshold=22,
        plp=[40, 40, 40],
        clps=[10, 40, 0],
        affiliates=[[], [], ["Unite", "UNISON", "Socialist Society"]],
    )
    sizes = {
        "Unite": (True, 500_000),
        "UNISON": (True, 500_000),
        "Socialist Society": (False, 1_000),
        "Other": (True, 1_000_000),
    }
    decided = contests.decide_qualification(
        rules, noms, challenge=False, plp_size=202, n_meps=10, total_clps=650, affiliate_sizes=sizes
    )
    assert [d["qualified"] for d in decided] == [False, True, True]
    assert "clp" in decided[1]["routes"] and "affiliates" in decided[2]["routes"]
    assert "no supplementary route met" in decided[0]["reason"]


def test_sections_for_college_and_omov():
    assert contests.sections_for(get_preset("labour_2014").leadership) == {
        "members": ["members"],
        "registered_supporters": ["registered_supporters"],
        "affiliated_supporters": ["affiliated_supporters"],
    }
    college = contests.sections_for(get_preset("labour_2010").leadership)
    assert set(college) == {"mps_meps", "members", "affiliates"}
    assert "affiliated_supporters" in college["affiliates"]


# --- contests in the model -------------------------------------------------------------


def contest_records(scenario, seed=1, months=8):
    party = PartyModel(scenario, rng=seed)
    party.run_for(months)
    return party, party.events.of_type("leadership_contest")


def test_scheduled_vacancy_elects_a_new_leader_by_ballot():
    scenario = with_contests("labour_2014", [{"month": "2016-11", "kind": "vacancy"}])
    party, records = contest_records(scenario)
    (rec,) = records
    assert rec.opened == "2016-11" and rec.month == "2017-02"  # three months later
    assert rec.decided_by == "ballot" and rec.winner in rec.on_ballot
    assert party.leader.name == rec.winner
    assert party.series()["leader"].iloc[-1] == rec.winner
    # every round of the count is in the record, per section
    final = rec.count["rounds"][-1]
    assert final["majority"] == rec.winner or len(final["continuing"]) == 1
    assert set(final["votes"]) == set(rec.electorate)  # per section (voter type)
    assert set(rec.electorate) >= {"members", "registered_supporters"}


def test_record_replays_to_the_same_rounds():
    scenario = with_contests("labour_2010", [{"month": "2016-11", "kind": "vacancy"}])
    _, (rec,) = contest_records(scenario, seed=5)
    profile = contests.profile_from_dict(rec.ballots)
    weights = rec.count["weights"]
    again = count_ballots(profile, weights=weights, rng=rec.count["seed"])
    assert again.to_dict() == rec.count


def test_contest_is_reproducible_by_seed():
    scenario = with_contests("labour_2016", [{"month": "2016-11", "kind": "vacancy"}])
    _, a = contest_records(scenario, seed=8)
    _, b = contest_records(scenario, seed=8)
    _, c = contest_records(scenario, seed=9)
    assert a == b
    assert a != c


def test_registered_supporters_vote_only_where_allowed():
    allowed = with_contests("labour_2014", [{"month": "2016-11", "kind": "vacancy"}])
    _, (yes,) = contest_records(allowed)
    data = allowed.model_dump()
    data["rules"]["overrides"] = {"leadership": {"registered_supporters": False}}
    party, (no,) = contest_records(parse_scenario(data))
    assert yes.electorate["registered_supporters"]["voted"] > 0
    assert no.balloted, no.outcome
    assert "registered_supporters" not in no.electorate
    assert "registered_supporters" not in no.first_round_by_type
    assert not (party.members.kind == REGISTERED_SUPPORTER).any()


def test_supporters_lapse_or_join_after_the_contest(monkeypatch):
    from model.institutions.electorate import Electorate

    ended: list[np.ndarray] = []
    end = Electorate.end_supporters

    def recording(self, supporters, rng):
        ended.append(supporters.copy())
        return end(self, supporters, rng)

    monkeypatch.setattr(Electorate, "end_supporters", recording)
    scenario = with_contests("labour_2014", [{"month": "2016-11", "kind": "vacancy"}])
    data = scenario.model_dump()
    data["flows"]["drawn_tolerance"] = 0.5  # mark who joins drawn by a contest
    party, _ = contest_records(parse_scenario(data))
    m = party.members
    (supporters,) = ended
    assert not (m.active & (m.kind == REGISTERED_SUPPORTER)).any()
    stayed = supporters[m.active[supporters]]
    assert stayed.size and (m.kind[stayed] == FULL_MEMBER).all()
    # They joined for the contest: drawn by it.
    assert m.drawn[stayed].all()


def test_the_series_counts_the_supporters_who_held_a_vote_in_the_month_of_the_ballot():
    scenario = with_contests("labour_2014", [{"month": "2016-11", "kind": "vacancy"}])
    party, (rec,) = contest_records(scenario)
    series = party.series().set_index("date")
    closed = rec.month
    eligible = rec.electorate["registered_supporters"]["eligible"]
    counted = series.loc[closed, "registered_supporters"]
    # All who held a vote, less those who joined as full members when it closed
    # (each with chance supporter_conversion: a binomial number, bounded at
    # its 1 - 1e-4 quantile, so the bound holds for any draw but a rare one).
    assert 0 < counted <= eligible
    converted_at_most = stats.binom.ppf(1 - 1e-4, eligible, scenario.contests.supporter_conversion)
    assert counted >= eligible - converted_at_most
    assert (series.drop(index=closed)["registered_supporters"] == 0).all()
    assert series.loc[closed, "members_total"] == (
        series.loc[closed, ["members_full", "registered_supporters", "affiliated_supporters"]].sum()
    )


def test_freeze_date_excludes_recent_joiners():
    def member_electorate(freeze: int) -> int:
        scenario = with_contests("labour_2016", [{"month": "2017-06", "kind": "vacancy"}])
        data = scenario.model_dump()
        data["rules"]["overrides"] = {"leadership": {"freeze_months": freeze}}
        party = PartyModel(parse_scenario(data), rng=3)
        party.run_for(12)
        (rec,) = party.events.of_type("leadership_contest")
        return rec.electorate["members"]["eligible"]

    assert member_electorate(0) > member_electorate(6)


@pytest.mark.parametrize(
    ("freeze", "cutoff", "expected"),
    [(0, None, 20), (6, None, 4), (6, 1, 4), (0, 0, 10), (0, 1, 11), (0, 24, 20)],
)
def test_last_joining_month_to_vote(freeze, cutoff, expected):
    # Opened in month 10, closing in month 20: a freeze looks back from the
    # opening, a cut-off forward from it (never past the close), neither
    # lets everyone who has joined by the close vote.
    rules = get_preset("labour_2016").with_changes(
        {"leadership.freeze_months": freeze, "leadership.join_cutoff_months": cutoff}
    )
    assert rules.leadership.last_joining_month_to_vote(opened=10, now=20) == expected


def test_join_cutoff_keeps_later_joiners_off_the_roll_and_damps_the_surge():
    def contest(cutoff):
        scenario = with_contests(
            "labour_2016", [{"month": "2017-06", "closes": "2017-09", "kind": "vacancy"}]
        )
        data = scenario.model_dump()
        data["rules"]["overrides"] = {
            "leadership": {"freeze_months": 0, "join_cutoff_months": cutoff}
        }
        party = PartyModel(parse_scenario(data), rng=3)
        opened = party.time_of(Month.parse("2017-06"))
        party.run_for(opened - party.time + 4)  # to the month the ballot closes
        (rec,) = party.events.of_type("leadership_contest")
        m = party.members
        late = m.active & (m.kind == FULL_MEMBER) & (m.joined > opened + (cutoff or 0))
        joined_after = int(((m.joined > opened + 1) & (m.joined <= opened + 3)).sum())
        return rec.electorate["members"]["eligible"], int(late.sum()), joined_after

    open_eligible, open_late, open_joined = contest(None)
    cut_eligible, cut_late, cut_joined = contest(0)
    assert cut_late > 0  # people joined after the cut-off...
    assert cut_eligible < open_eligible  # ...and did not vote
    # Joining after the cut-off gives no vote, so fewer come for the contest.
    assert cut_joined < open_joined


def test_2020_preset_cuts_off_joiners_a_month_after_opening():
    rules = get_preset("labour_2020")
    assert rules.leadership.freeze_months == 0
    assert rules.leadership.join_cutoff_months == 1
    assert "20 Jan 2020" in rules.source_for("leadership.join_cutoff_months")
    assert "cut-off 1m" in rules.label()


def test_multiple_voting_gives_levy_paying_members_two_votes():
    def affiliates_electorate(multiple: bool) -> int:
        scenario = with_contests("labour_2010", [{"month": "2016-11", "kind": "vacancy"}])
        data = scenario.model_dump()
        data["rules"]["overrides"] = {"leadership": {"multiple_voting": multiple}}
        # Nobody joins or lapses, so the members counted at the end are the electorate's:
        # the test is about the rule, not about the calibrated flows.
        data["flows"].update(join_rate=0.0, churn=0.0, dissatisfaction=0.0)
        party = PartyModel(parse_scenario(data), rng=4)
        party.run_for(8)
        (rec,) = party.events.of_type("leadership_contest")
        m = party.members
        paying = int(((m.kind == FULL_MEMBER) & (m.union >= 0) & (m.joined <= party.time)).sum())
        return rec.electorate["affiliates"]["eligible"], paying

    with_, paying = affiliates_electorate(True)
    without, _ = affiliates_electorate(False)
    # Levy-paying members are eligible again in the affiliates' section.
    assert with_ - without == pytest.approx(paying, rel=0.02)


def test_challenge_below_threshold_does_not_reach_a_ballot():
    scenario = with_contests(
        "labour_2016",
        [{"month": "2016-11", "kind": "challenge"}],
        lend_share=0.0,
    )
    data = scenario.model_dump()
    # A challenger at the leader's far side whom no MP prefers.
    data["contests"]["scheduled"][0]["candidates"] = [
        {"name": "Fringe Challenger", "ideology": -1.0, "valence": -2.0}
    ]
    data["rules"]["overrides"] = {"leadership": {"plp_threshold_challenge": 0.5}}
    party, (rec,) = contest_records(parse_scenario(data))
    assert rec.outcome == "challenge failed at nominations"
    assert party.leader.name == scenario.leader.name


def test_named_candidates_take_mps_places():
    scenario = with_contests(
        "labour_2014",
        [
            {
                "month": "2016-11",
                "kind": "vacancy",
                "candidates": [
                    {"name": "Left Hope", "ideology": -0.7, "valence": 0.5},
                    {"name": "Centre Hope", "ideology": 0.2, "valence": 0.5},
                ],
            }
        ],
        lend_share=0.5,
    )
    party, (rec,) = contest_records(scenario)
    names = [c["name"] for c in rec.nominations["candidates"]]
    assert names == ["Left Hope", "Centre Hope"]
    assert {mp.name for mp in party.sitting_mps} >= {"Left Hope", "Centre Hope"}


def test_without_a_freeze_date_joiners_during_the_contest_vote():
    scenario = with_contests("labour_2014", [{"month": "2016-11", "kind": "vacancy"}])
    party = PartyModel(scenario, rng=6)
    party.run_for(5)  # the ballot closes in 2017-02 (month 5)
    (rec,) = party.events.of_type("leadership_contest")
    m = party.members
    opened = party.time_of(party.start.plus(1))
    joined_during = m.active & (m.kind == FULL_MEMBER) & (m.joined > opened)
    assert joined_during.any()
    # Everyone who was a full member before the close month voted-eligible,
    # including those who joined after the contest opened.
    before_close = m.active & (m.kind == FULL_MEMBER) & (m.joined < party.time)
    eligible = rec.electorate["members"]["eligible"] - len(party.sitting_mps)
    assert eligible >= int(before_close.sum())
    assert eligible > int((m.active & (m.kind == FULL_MEMBER) & (m.joined <= opened)).sum())


@pytest.mark.parametrize("aimed_at_sitting_leader", [True, False])
def test_a_scheduled_challenge_is_held_only_against_its_leader(aimed_at_sitting_leader):
    # The 2016 challenge was the PLP's against Corbyn: a run in which someone
    # else leads by then must not hold it.
    scenario = with_contests("labour_2016", [{"month": "2016-11", "kind": "challenge"}])
    target = scenario.leader.name if aimed_at_sitting_leader else "Somebody Else"
    data = scenario.model_dump()
    data["contests"]["scheduled"][0]["if_leader"] = [target]
    party, held = contest_records(parse_scenario(data), seed=3)
    skipped = [e for e in party.events if e.type == "contest_not_held"]
    assert bool(held) is aimed_at_sitting_leader
    assert bool(skipped) is not aimed_at_sitting_leader
    if skipped:
        assert skipped[0].leader == scenario.leader.name
        assert skipped[0].if_leader == ["Somebody Else"]


def test_the_principled_left_weighs_electability_less():
    params = ContestSpec(principled_below=-0.4, principled_width=0.1, utility_noise=0.0)
    weight = contests.pragmatism(np.array([-0.9, -0.4, 0.1]), params)
    assert weight[1] == pytest.approx(0.5)
    assert weight[0] < 0.01 < 0.99 < weight[2]
    assert contests.pragmatism(np.array([-0.9, 0.1]), PARAMS).tolist() == [1.0, 1.0]
    # A far-left voter and a centrist each between a principled candidate and an electable one.
    field = [cand("Left", -0.8, valence=0.0), cand("Soft", -0.2, valence=1.0)]
    rng = np.random.default_rng(0)
    voters = np.array([-0.65, 0.0])
    u = contests.utilities(voters, field, params=params, rng=rng, electability=1.0)
    assert u[0].argmax() == 0  # nearer the left candidate, and winning barely counts for her
    plain = ContestSpec(utility_noise=0.0)
    assert (
        contests.utilities(voters, field, params=plain, rng=rng, electability=1.0)[0].argmax() == 1
    )


def test_a_candidate_on_the_line_that_lost_is_seen_as_less_electable():
    # The default scenario remembers 2015, lost on Ed Miliband's line (-0.3).
    field = [
        {"name": "Miliband Line", "ideology": -0.3, "valence": 0.5},
        {"name": "Elsewhere", "ideology": 0.5, "valence": 0.5},
    ]
    scheduled = [{"month": "2016-11", "kind": "vacancy", "candidates": field}]

    def contest(blame):
        scenario = with_contests(
            "labour_2014", scheduled, lend_share=0.5, campaign_shock_sd=0.0, defeat_blame=blame
        )
        party, (rec,) = contest_records(scenario)
        valence = {c["name"]: c["valence"] for c in rec.nominations["candidates"]}
        members = rec.first_round_by_type["members"]
        return party, valence, members["Miliband Line"] / sum(members.values())

    _, plain, share_plain = contest(0.0)
    party, blamed, share_blamed = contest(2.0)
    assert plain == {"Miliband Line": 0.5, "Elsewhere": 0.5}
    # The discredit is severity x fading x closeness of each defeat remembered, times the blame.
    state = party.state
    opened = state.time_of(Month.parse("2016-11"))
    remembered = [(opened - at, severity, line) for at, severity, line in state.defeats]
    assert [line for *_, line in remembered] == [0.1, -0.3]  # Brown's 2010, Miliband's 2015
    memory = state.config.contests.electability_memory_months
    on_line = 2.0 * defeat_discredit(-0.3, remembered, memory, 0.3)
    elsewhere = 2.0 * defeat_discredit(0.5, remembered, memory, 0.3)
    assert on_line > 0.1 and elsewhere < on_line / 5
    assert blamed["Miliband Line"] == pytest.approx(0.5 - on_line, abs=1e-5)
    assert blamed["Elsewhere"] == pytest.approx(0.5 - elsewhere, abs=1e-5)
    assert share_blamed < share_plain


def test_clp_nominations_counts_only_meetings_without_a_majority():
    # A majority of first preferences nominates at once; every meeting's
    # nominee is still the full count's, and the stream ends where counting
    # every meeting leaves it (one lot drawn per meeting with ballots).
    rng = np.random.default_rng(11)
    field = [cand("A", -0.5), cand("B", 0.0), cand("C", 0.4)]
    names = [c.name for c in field]
    meetings = []
    for _ in range(300):
        n = int(rng.integers(0, 12))
        rankings = np.array([rng.permutation(3) for _ in range(n)], dtype=np.int8).reshape(n, 3)
        rankings[rng.random(n) < 0.3, 1:] = -1  # some rank one candidate only
        rankings[rng.random(n) < 0.1, :] = -1  # and some nobody
        meetings.append(rankings)
    ours, plain = np.random.default_rng(5), np.random.default_rng(5)
    nominee, attendees = contests.clp_nominations(meetings, field, rng=ours)
    for i, rankings in enumerate(meetings):
        valid = rankings[rankings[:, 0] >= 0]
        assert attendees[i] == len(rankings)
        if len(valid) == 0:
            assert nominee[i] == -1
            continue
        result = count_ballots(
            group_ballots(valid, candidates=names), rng=int(plain.integers(2**31))
        )
        assert nominee[i] == names.index(result.winner)
    assert ours.bit_generator.state == plain.bit_generator.state


def nominating_meetings(preset, **contest_changes):
    field = [
        {"name": "Favourite", "ideology": -0.1, "valence": 1.0},
        {"name": "Outsider", "ideology": 0.0, "valence": 0.0},
    ]
    scheduled = [{"month": "2016-11", "kind": "vacancy", "candidates": field}]
    scenario = with_contests(
        preset, scheduled, lend_share=0.5, campaign_shock_sd=0.0, **contest_changes
    )
    party, (rec,) = contest_records(scenario)
    return len(party.state.clps), rec.nominations


def test_where_a_nomination_can_put_a_candidate_on_the_ballot_more_clps_meet():
    # Supporting nominations (2014): a third of CLPs meet. A required CLP
    # route (2020): all do, with the binding share; without it, a third again.
    def meeting(preset, **changes):
        total, noms = nominating_meetings(preset, clp_nominating_share=1 / 3, **changes)
        return noms["clps_nominating"] / total

    assert meeting("labour_2014", clp_nominating_share_binding=1.0) < 0.5
    assert meeting("labour_2020", clp_nominating_share_binding=1.0) > 0.9
    assert meeting("labour_2020", clp_nominating_share_binding=None) < 0.5


def test_local_appeal_spreads_nominations_beyond_the_national_favourite():
    # Nearly everyone prefers the favourite: without local appeal it wins
    # almost every meeting; with it, the outsider carries a good share of them.
    def outsider_share(sd):
        _, noms = nominating_meetings("labour_2014", clp_nominating_share=1.0, clp_local_sd=sd)
        clps = noms["clps"]
        return clps["Outsider"] / (clps["Outsider"] + clps["Favourite"])

    assert outsider_share(0.0) < 0.1
    assert outsider_share(0.8) > 0.25


def test_members_who_backed_a_losing_candidate_are_marked_after_the_count(monkeypatch):
    scenario = with_contests("labour_2014", [{"month": "2016-11", "kind": "vacancy"}])
    seen = []
    real_count = contests.count_contest

    def spy(roll, candidates, *args, **kwargs):
        outcome = real_count(roll, candidates, *args, **kwargs)
        seen.append((outcome, [c.name for c in candidates]))
        return outcome

    monkeypatch.setattr(contests, "count_contest", spy)
    party = PartyModel(scenario, rng=1)
    # Until the ballot closes, nobody has voted against anyone.
    while not party.events.of_type("leadership_contest"):
        assert not party.members.backed_loser.any()
        party.run_for(1)
    (rec,) = party.events.of_type("leadership_contest")
    ((outcome, names),) = seen
    leadership = party.institutions["leadership"]
    ids = leadership.electorate.roll_member_ids
    first = outcome.first_choices[: ids.size]
    winner = names.index(rec.winner)
    # Only those who voted, for someone else, are marked; nobody off the roll.
    marked = np.flatnonzero(party.members.backed_loser)
    assert marked.tolist() == np.sort(ids[(first >= 0) & (first != winner)]).tolist()
    # They are the members' first preferences for the losers, less the MPs'.
    losers = sum(v for k, v in rec.first_round_by_type["members"].items() if k != rec.winner)
    assert losers - len(party.sitting_mps) <= marked.size <= losers
    assert marked.size > 0
    # A new leader installed without a ballot starts with nobody against them.
    other = next(mp for mp in party.sitting_mps if mp is not party.leader)
    leadership.install_new_leader(other)
    assert not party.members.backed_loser.any()
