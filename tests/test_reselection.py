"""Trigger ballots, selections, and MPs who react to them."""

from __future__ import annotations

import numpy as np

from model.mechanisms import reselection
from model.party import PartyModel
from model.rules.decisions import trigger_ballot_outcome
from model.rules.presets import get_preset
from model.scenario.schema import ReselectionSpec, parse_scenario
from tests.conftest import small_scenario

PARAMS = ReselectionSpec(vote_noise=0.0)


def faction_controls_a_third_of_branch_meetings(n_branches=9, per_branch=10):
    """Attendees: in branches 0-2 a faction majority wants a selection; elsewhere nobody."""
    branch = np.repeat(np.arange(n_branches), per_branch)
    faction = np.full(branch.size, -1, dtype=np.int16)
    ideology = np.full(branch.size, 0.1)
    for b in range(3):
        members = np.flatnonzero(branch == b)[: per_branch // 2 + 1]
        faction[members] = 0
        ideology[members] = -0.7
    wants = reselection.wants_selection(
        ideology,
        faction,
        mp_ideology=0.1,
        mp_faction=-1,
        faction_lines=np.array([-0.7]),
        trigger_distance=np.array([0.25]),
        discipline=np.array([1.0]),
        params=PARAMS,
        rng=np.random.default_rng(0),
    )
    return reselection.branch_votes(wants, branch, n_branches)


def test_branch_meetings_go_with_their_attendees_majority():
    tally = faction_controls_a_third_of_branch_meetings()
    assert tally.branches_for == 3 and tally.branches_voting == 9
    assert tally.for_selection.tolist()[:4] == [6, 6, 6, 0]


def test_a_tied_branch_nominates_the_mp_and_an_empty_one_abstains():
    tally = reselection.branch_votes(np.array([True, False]), np.array([0, 0]), 3)
    assert tally.branches_for == 0 and tally.branches_voting == 1


def test_third_of_branches_triggers_under_2018_not_pre_2018():
    tally = faction_controls_a_third_of_branch_meetings()
    aff_for, aff_total, _ = reselection.affiliate_votes(
        np.array([2, 1]), np.array([0.0, 0.2]), mp_ideology=0.1, tolerance=0.8
    )
    assert (aff_for, aff_total) == (0, 3)
    outcomes = {
        preset: trigger_ballot_outcome(
            get_preset(preset).reselection,
            branches_for_selection=tally.branches_for,
            branches_total=tally.branches_voting,
            affiliates_for_selection=aff_for,
            affiliates_total=aff_total,
        ).full_selection
        for preset in ("labour_2018", "pre_2018", "labour_2021")
    }
    assert outcomes == {"labour_2018": True, "pre_2018": False, "labour_2021": False}


def test_affiliated_branches_follow_their_union_leadership():
    aff_for, total, stance = reselection.affiliate_votes(
        np.array([0, 3, 2]), np.array([-0.9, -0.9, 0.1]), mp_ideology=0.2, tolerance=0.5
    )
    assert (aff_for, total) == (3, 5)
    assert stance == {1: True, 2: False}


def test_members_supermajority_deselects_at_70_keeps_at_80():
    rules = get_preset("members_supermajority").reselection
    rng = np.random.default_rng(1)

    def decide(share_against: float) -> bool:
        wants = np.arange(1000) < share_against * 1000
        keep, against = reselection.member_support(wants, np.ones(1000), rng)
        return trigger_ballot_outcome(
            rules,
            branches_for_selection=0,
            branches_total=0,
            affiliates_for_selection=0,
            affiliates_total=0,
            member_support_share=keep / (keep + against),
        ).full_selection

    assert decide(0.30) is True
    assert decide(0.20) is False


def test_challengers_are_local_activists_of_active_factions():
    rng = np.random.default_rng(0)
    faction = np.array([0] * 30 + [1] * 2 + [-1] * 68, dtype=np.int16)
    ideology = np.linspace(-1, 1, 100)
    # One very active member in each group: they are the ones who stand.
    activism = np.full(100, 1e-6)
    activism[[5, 31, 80]] = 1.0
    args = dict(faction_names=["Left", "Centre"], params=PARAMS, label="CLP 001")
    hopefuls = reselection.field_challengers(
        faction,
        ideology,
        activism,
        control=-1,
        exclude_faction=-1,
        founded=np.array([True, True]),
        rng=rng,
        **args,
    )
    assert [h.faction for h in hopefuls] == [0, -1]
    # A hopeful sits where that activist sits, not on the faction's line or at the median.
    assert hopefuls[0].ideology == ideology[5] and hopefuls[1].ideology == ideology[80]
    # The controlling faction stands even when small; a faction not founded yet does not.
    ruled = reselection.field_challengers(
        faction,
        ideology,
        activism,
        control=1,
        exclude_faction=0,
        founded=np.array([True, True]),
        rng=rng,
        **args,
    )
    assert [h.faction for h in ruled] == [1, -1] and ruled[0].ideology == ideology[31]
    unfounded = reselection.field_challengers(
        faction,
        ideology,
        activism,
        control=-1,
        exclude_faction=-1,
        founded=np.array([False, True]),
        rng=rng,
        **args,
    )
    assert [h.faction for h in unfounded] == [-1]


def _open_seat_selections(**reselection):
    """A year of retirements in the small scenario, the NEC's radius 0.3: the
    party, the NEC's month-end median by month, and the open-seat selections."""
    scenario = small_scenario(
        rules={"preset": "labour_2018", "overrides": {}},
        reselection=reselection,
        plp={"retirement_rate": 0.5},
        calendar={"months": 13},
        # Conference (which can change the NEC) away from the retirement
        # month, so the month-end NEC is the one that shortlisted or vetted.
        conference={"month": 3},
        nec={"shortlist_radius": 0.3},
    )
    party = PartyModel(scenario, rng=6)
    party.run_for(13)
    centre = party.series().set_index("date")["nec_median"]
    return party, centre, party.events.of_type("selection")


def test_central_control_keeps_open_seat_candidates_the_nec_accepts():
    def selections(shortlisting: bool) -> list[tuple[float, float]]:
        party, centre, records = _open_seat_selections(nec_shortlisting=shortlisting)
        return [
            (c["ideology"], float(centre[r.month])) for r in records for c in r.candidates
        ], party.config.nec.shortlist_radius

    free, radius = selections(False)
    shortlisted, _ = selections(True)
    assert shortlisted and free
    # Every candidate on a shortlisted ballot is within the NEC's radius of its
    # median member at the time (the month-end median can have moved a little:
    # seat holders' positions drift); without central control some stand
    # well outside it.
    drift = 0.05
    assert all(abs(x - centre) <= radius + drift for x, centre in shortlisted)
    assert any(abs(x - centre) > radius + drift for x, centre in free)


def test_central_control_adds_national_applicants_the_members_can_choose():
    # With central control the NEC's longlist holds applicants from the
    # national pool; each sits where a sitting MP sat when they applied (the
    # PLP at the month's end: only the selected change it), and the NEC keeps
    # them only within its radius. Without central control none stand.
    party, centre, records = _open_seat_selections(nec_shortlisting=True, nec_applicants=3)
    radius, drift = party.config.nec.shortlist_radius, 0.05
    national = [(c, r) for r in records for c in r.candidates if "national applicant" in c["name"]]
    assert national
    plp = {round(mp.ideology, 6) for mp in party.mps}
    for c, r in national:
        assert round(c["ideology"], 6) in plp
        assert abs(c["ideology"] - centre[r.month]) <= radius + drift
    # Some seats are won by a national applicant: the members choose among them.
    assert any(r.count is not None and "national applicant" in r.count["winner"] for r in records)
    _, _, free = _open_seat_selections(nec_applicants=3)
    assert not any("national applicant" in c["name"] for r in free for c in r.candidates)


def test_central_control_by_veto_refuses_candidates_beyond_the_nec_radius():
    def selections(vetoing: bool):
        return _open_seat_selections(nec_endorsement=vetoing)

    _, centre, free = selections(False)
    party, vetted_centre, vetted = selections(True)
    radius, drift = party.config.nec.shortlist_radius, 0.05

    def winner_position(record):
        # The count names the winning candidate; with no count, the one
        # candidate the NEC did not refuse (an only candidate, or imposed).
        if record.count is not None:
            name = record.count["winner"]
        else:
            (name,) = [
                c["name"] for c in record.candidates if c["name"] not in (record.refused or [])
            ]
        return next(c["ideology"] for c in record.candidates if c["name"] == name)

    # Without the veto the members choose some winners well outside the
    # radius; with it every winner is within it (or imposed by the NEC), and
    # the refusals are recorded: candidates on the ballot, beyond the radius.
    assert any(abs(winner_position(r) - centre[r.month]) > radius + drift for r in free)
    refused = [r for r in vetted if r.refused]
    assert refused
    for r in vetted:
        assert abs(winner_position(r) - vetted_centre[r.month]) <= radius + drift
        for name in r.refused or []:
            x = next(c["ideology"] for c in r.candidates if c["name"] == name)
            assert abs(x - vetted_centre[r.month]) > radius - drift
            assert r.count is None or name != r.count["winner"]
    # The refusals survive the events' JSON form.
    again = type(refused[0]).from_dict(refused[0].to_dict())
    assert again.refused == refused[0].refused


def test_focus_moves_only_threatened_mps():
    new = reselection.focus_the_mind(
        np.array([0.5, 0.5]),
        np.array([-0.5, -0.5]),
        np.array([1.0, 1.0]),
        np.array([True, False]),
        0.1,
    )
    assert new.tolist() == [0.4, 0.5]


# --- in the model --------------------------------------------------------------------


def run_round(preset: str, seed: int = 2, months: int = 4, **changes):
    scenario = small_scenario(rules={"preset": preset, "overrides": {}})
    data = scenario.model_dump()
    data["reselection"]["rounds"] = ["2017-01"]
    data["reselection"].update(changes)
    party = PartyModel(parse_scenario(data), rng=seed)
    party.run_for(months)
    return party, party.events.of_type("trigger_ballot")


def test_every_sitting_mp_faces_the_round():
    party, records = run_round("labour_2018")
    assert len(records) == int(party.clps.seat_held.sum())  # the real seats in the sample
    (leader,) = [r for r in records if r.mp == party.leader.name]
    # The leader is never triggered: the rules reselect them.
    assert leader.decided_by == "rule" and not leader.full_selection
    for rec in records:
        if rec is leader:
            continue
        assert rec.decided_by == "meeting"
        b = rec.branches
        assert b["branches_for"] <= b["branches_voting"]
        assert rec.result in {
            "reselected automatically",
            "reselected in full selection",
            "reselected unopposed",
            "deselected",
        }


def test_open_selection_always_selects():
    party, records = run_round("open_selection")
    others = [r for r in records if r.mp != party.leader.name]
    assert others and all(r.outcome["full_selection"] for r in others)
    assert all(r.decided_by == "rule" for r in records)
    assert all(r.selection is not None for r in others)


# The scenarios' sitting-MP bonus (anchored so that deselections are as rare as in the
# mandatory-reselection era) leaves a 60-CLP sample with almost none to examine; the
# mechanics tests below use a smaller bonus so that there are some.
MECHANICS_BONUS = 0.3


def test_deselected_mp_is_replaced_by_the_winner():
    party, records = run_round("open_selection", seed=3, incumbency_bonus=MECHANICS_BONUS)
    deselected = [r for r in records if r.result == "deselected"]
    assert deselected, "open selection in a left membership should deselect someone"
    for rec in deselected:
        winner = rec.selection["count"]["winner"]
        seat = [mp for mp in party.sitting_mps if mp.clp == rec.clp]
        assert len(seat) == 1 and seat[0].name != rec.mp
        chosen = next(c for c in rec.selection["candidates"] if c["name"] == winner)
        assert abs(seat[0].ideology - chosen["ideology"]) < 1e-6  # records round to 6 places
    series = party.series()
    assert series["deselections"].iloc[-1] == len(deselected)
    assert series["plp_size"].iloc[-1] == int(party.clps.seat_held.sum())


def test_central_control_by_veto_keeps_a_triggered_mp_from_challengers_beyond_its_radius():
    # In a full selection the NEC vets the challenger who beat the MP as it
    # vets an open seat's choice: refused, the members choose among the rest
    # (the MP keeps the seat if nobody else is left). Without the veto some
    # challengers beyond the NEC's radius unseat their MP; with it none does,
    # and the refusals are recorded on the trigger ballot.
    def round_(vetoing: bool, seed: int):
        scenario = small_scenario(
            rules={"preset": "open_selection", "overrides": {}},
            reselection={
                "rounds": ["2017-01"],
                "incumbency_bonus": MECHANICS_BONUS,
                "nec_endorsement": vetoing,
            },
            nec={"shortlist_radius": 0.3},
        )
        party = PartyModel(scenario, rng=seed)
        party.run_for(4)
        return party, party.events.of_type("trigger_ballot")

    def winners(party, records) -> list[float]:
        """How far each challenger who unseated an MP stands from the NEC's median member."""
        centre = float(party.series()["nec_median"].iloc[-1])
        out = []
        for rec in (r for r in records if r.result == "deselected"):
            selection = rec.selection
            if selection["count"] is not None:
                name = selection["count"]["winner"]
            else:  # the one challenger left standing
                (name,) = [
                    c["name"]
                    for c in selection["candidates"]
                    if c["name"] not in (rec.mp, *(selection.get("refused") or []))
                ]
            chosen = next(c for c in selection["candidates"] if c["name"] == name)
            out.append(abs(chosen["ideology"] - centre))
        return out

    free = [d for s in range(3) for d in winners(*round_(False, s))]
    vetted_runs = [round_(True, s) for s in range(3)]
    radius = vetted_runs[0][0].config.nec.shortlist_radius
    vetted = [d for party, recs in vetted_runs for d in winners(party, recs)]
    drift = 0.05  # the month-end median can have moved a little since the vote
    assert any(d > radius + drift for d in free)
    assert all(d <= radius + drift for d in vetted)
    refused = [
        r for _, recs in vetted_runs for r in recs if r.selection and r.selection.get("refused")
    ]
    assert refused
    assert len(vetted) < len(free)


def test_round_is_reproducible_by_seed():
    _, a = run_round("labour_2018", seed=5)
    _, b = run_round("labour_2018", seed=5)
    assert a == b


def test_harder_rules_deselect_fewer():
    def deselections(preset):
        return sum(
            sum(
                r.result == "deselected"
                for r in run_round(preset, seed=s, incumbency_bonus=MECHANICS_BONUS)[1]
            )
            for s in range(3)
        )

    assert deselections("pre_2018") <= deselections("labour_2018") < deselections("open_selection")


def test_responsiveness_narrows_the_gap_only_in_threatened_seats():
    scenario = small_scenario(rules={"preset": "labour_2018", "overrides": {}})
    data = scenario.model_dump()
    data["reselection"]["rounds"] = ["2018-06"]
    data["reselection"]["threat_horizon_months"] = 24
    data["plp"]["responsiveness"] = 0.9
    party = PartyModel(parse_scenario(data), rng=4)
    lines = party.state.faction_lines
    reach = party.config.factions[0].trigger_distance
    # Hand the left faction control of half the seats, and the MPs' own
    # (or no) control of the rest; remember where each MP started.
    sitting = [mp for mp in party.sitting_mps if mp is not party.leader]
    hostile = {
        mp.clp for mp in sitting[::2] if abs(mp.ideology - lines[0]) > reach and mp.faction != 0
    }
    party.clps.control[:] = -1
    party.clps.control[list(hostile)] = 0
    start = {mp.name: mp.ideology for mp in sitting}
    party.institutions["selections"].focus_minds()
    for mp in sitting:
        moved = mp.ideology != start[mp.name]
        assert moved == (mp.clp in hostile), mp.name
    assert hostile


def test_a_bigger_incumbency_bonus_never_costs_the_mp_votes():
    # Same voters, same noise: only the sitting MP's utility rises.
    from model.mechanisms.contests import Candidate
    from model.scenario.schema import ContestSpec

    rng = np.random.default_rng(4)
    ideology = rng.uniform(-1.0, 0.2, 400)
    turnout = np.full(ideology.size, 0.8)
    candidates = [
        Candidate(name="MP", mp=0, ideology=0.1, valence=0.5, incumbent=True),
        Candidate(name="Left hopeful", mp=-1, ideology=-0.7, valence=0.5),
        Candidate(name="Local hopeful", mp=-1, ideology=-0.3, valence=0.5),
    ]
    params = ContestSpec(utility_noise=0.1, truncation=0.0)
    first = []
    for bonus in (0.0, 0.3, 0.6, 0.9, 1.2):
        count = reselection.selection_ballot(
            ideology, turnout, candidates, params=params,
            rng=np.random.default_rng(9), incumbency=bonus,
        )  # fmt: skip
        first.append(count.rounds[0].votes["all"]["MP"])
    assert first == sorted(first) and first[-1] > first[0]
