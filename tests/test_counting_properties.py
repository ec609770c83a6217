"""Properties of the eliminating-ballot count, and worked examples of its rules.

The property tests draw small random profiles (2-5 candidates, 1-3 sections,
truncated rankings) and check what must hold for every count. A slow,
ballot-by-ballot reference count written independently of the vectorised engine
checks every round of OMOV and college counts, tie-breaks included.
"""

from __future__ import annotations

import json
from collections import Counter
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from model.counting.count import (
    TIE_POLICY,
    BallotProfile,
    CountResult,
    count_ballots,
    diff_results,
    group_ballots,
    parse_weight,
    round_half_up,
)

PROPERTY_SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

# A group is (section index, ranking as candidate indices, number of ballots).
Group = tuple[int, tuple[int, ...], int]


@st.composite
def elections(draw, max_candidates: int = 5, max_sections: int = 3, max_groups: int = 20):
    n_candidates = draw(st.integers(2, max_candidates))
    n_sections = draw(st.integers(1, max_sections))
    groups: list[Group] = []
    for _ in range(draw(st.integers(1, max_groups))):
        order = draw(st.permutations(range(n_candidates)))
        length = draw(st.integers(1, n_candidates))
        groups.append(
            (draw(st.integers(0, n_sections - 1)), tuple(order[:length]), draw(st.integers(1, 30)))
        )
    return n_candidates, n_sections, groups


@st.composite
def college_weights(draw, n_sections: int):
    raw = draw(st.lists(st.integers(1, 6), min_size=n_sections, max_size=n_sections))
    return [Fraction(w, sum(raw)) for w in raw]


def candidate_names(n: int) -> tuple[str, ...]:
    return tuple(f"C{i}" for i in range(n))


def section_names(n: int) -> tuple[str, ...]:
    return tuple(f"S{i}" for i in range(n))


def make_profile(n_candidates: int, n_sections: int, groups: list[Group]) -> BallotProfile:
    width = max(len(r) for _, r, _ in groups)
    rankings = np.full((len(groups), width), -1, dtype=np.int64)
    for row, (_, ranking, _) in enumerate(groups):
        rankings[row, : len(ranking)] = ranking
    return BallotProfile(
        candidates=candidate_names(n_candidates),
        rankings=rankings,
        counts=np.array([c for _, _, c in groups], dtype=np.int64),
        sections=np.array([s for s, _, _ in groups], dtype=np.int64),
        section_names=section_names(n_sections),
    )


def weights_dict(weights: list[Fraction]) -> dict[str, Fraction]:
    return dict(zip(section_names(len(weights)), weights, strict=True))


def reference_count(
    n_candidates: int,
    n_sections: int,
    groups: list[Group],
    weights: list[Fraction] | None,
    seed: int = 0,
) -> tuple[str, list[str | None], list[dict[str, Fraction]]]:
    """Counts ballot by ballot, the slow obvious way, from the rules as documented.

    Returns:
        winner, the candidate eliminated in each round (None in the last), and
        each round's exact totals.
    """
    continuing = list(range(n_candidates))
    history: list[dict[int, Fraction]] = []
    eliminated: list[str | None] = []
    generator = None
    while True:
        votes = [[0] * n_candidates for _ in range(n_sections)]
        live = [0] * n_sections
        for section, ranking, count in groups:
            for candidate in ranking:
                if candidate in continuing:
                    votes[section][candidate] += count
                    live[section] += count
                    break
        if weights is None:
            totals = {
                c: Fraction(100 * sum(votes[s][c] for s in range(n_sections)), sum(live))
                for c in continuing
            }
        else:
            totals = {
                c: sum(
                    (
                        weights[s] * Fraction(100 * votes[s][c], live[s])
                        for s in range(n_sections)
                        if live[s]
                    ),
                    Fraction(0),
                )
                for c in continuing
            }
        history.append(totals)
        in_play = sum(totals.values())
        if len(continuing) == 1:
            return f"C{continuing[0]}", [*eliminated, None], [*map(_named, history)]
        for c in continuing:
            if 2 * totals[c] > in_play:
                return f"C{c}", [*eliminated, None], [*map(_named, history)]
        lowest = min(totals.values())
        tied = [c for c in continuing if totals[c] == lowest]
        for earlier in history[:-1]:
            if len(tied) == 1:
                break
            least = min(earlier[c] for c in tied)
            tied = [c for c in tied if earlier[c] == least]
        if len(tied) > 1:
            generator = generator or np.random.default_rng(seed)
            tied = [tied[int(generator.integers(len(tied)))]]
        continuing.remove(tied[0])
        eliminated.append(f"C{tied[0]}")


def _named(totals: dict[int, Fraction]) -> dict[str, Fraction]:
    return {f"C{c}": t for c, t in totals.items()}


# --------------------------------------------------------------------------- properties


@PROPERTY_SETTINGS
@given(data=st.data(), election=elections())
def test_every_round_matches_a_ballot_by_ballot_reference_count(data, election):
    n_candidates, n_sections, groups = election
    profile = make_profile(n_candidates, n_sections, groups)
    for weights in (None, data.draw(college_weights(n_sections))):
        result = count_ballots(
            profile, weights=None if weights is None else weights_dict(weights), rng=7
        )
        winner, eliminated, totals = reference_count(
            n_candidates, n_sections, groups, weights, seed=7
        )
        assert result.winner == winner
        assert [r.eliminated for r in result.rounds] == eliminated
        assert [r.totals for r in result.rounds] == totals


@PROPERTY_SETTINGS
@given(data=st.data(), election=elections())
def test_a_majority_of_first_preferences_in_every_section_wins_in_round_one(data, election):
    n_candidates, n_sections, groups = election
    favourite = data.draw(st.integers(0, n_candidates - 1))
    # Top up the favourite's first preferences in each section to just over half.
    topped = list(groups)
    for section in range(n_sections):
        ballots = sum(c for s, _, c in groups if s == section)
        first = sum(c for s, r, c in groups if s == section and r[0] == favourite)
        needed = max(0, (ballots - first) - first + 1)
        if needed or ballots == 0:
            topped.append((section, (favourite,), max(needed, 1)))
    profile = make_profile(n_candidates, n_sections, topped)
    for weights in (None, weights_dict(data.draw(college_weights(n_sections)))):
        result = count_ballots(profile, weights=weights)
        assert result.winner == f"C{favourite}"
        assert len(result.rounds) == 1
        assert result.rounds[0].majority == f"C{favourite}"
        assert result.winner_reason == "majority"


@PROPERTY_SETTINGS
@given(data=st.data(), election=elections())
def test_the_result_does_not_depend_on_the_order_or_grouping_of_ballots(data, election):
    n_candidates, n_sections, groups = election
    weights = weights_dict(data.draw(college_weights(n_sections)))
    shuffled = data.draw(st.permutations(groups))
    # Split one group in two: the same ballots, differently grouped.
    split_at = data.draw(st.integers(0, len(shuffled) - 1))
    section, ranking, count = shuffled[split_at]
    part = data.draw(st.integers(0, count))
    regrouped = [*shuffled[:split_at], (section, ranking, part), *shuffled[split_at + 1 :]]
    regrouped.append((section, ranking, count - part))
    for w in (None, weights):
        original = count_ballots(make_profile(n_candidates, n_sections, groups), weights=w)
        reordered = count_ballots(make_profile(n_candidates, n_sections, regrouped), weights=w)
        assert original.to_dict() == reordered.to_dict()
        assert original == reordered


@PROPERTY_SETTINGS
@given(election=elections(max_sections=1))
def test_a_one_section_college_is_omov(election):
    n_candidates, _, groups = election
    profile = make_profile(n_candidates, 1, groups)
    omov = count_ballots(profile)
    college = count_ballots(profile, weights={"S0": "1"})
    assert (omov.method, college.method) == ("omov", "college")
    assert college.winner == omov.winner
    assert [r.to_dict() for r in college.rounds] == [r.to_dict() for r in omov.rounds]
    assert college.tie_breaks == omov.tie_breaks


@PROPERTY_SETTINGS
@given(data=st.data(), election=elections())
def test_votes_are_conserved_in_every_round(data, election):
    n_candidates, n_sections, groups = election
    profile = make_profile(n_candidates, n_sections, groups)
    valid = Counter()
    for section, _, count in groups:
        valid[f"S{section}"] += count
    for weights in (None, weights_dict(data.draw(college_weights(n_sections)))):
        result = count_ballots(profile, weights=weights)
        assert result.valid == {s: valid[s] for s in section_names(n_sections)}
        previous = None
        for record in result.rounds:
            for section in result.section_names:
                counted = sum(record.votes[section].values())
                assert counted == record.non_exhausted[section]
                assert counted + record.exhausted[section] == valid[section]
                if counted:
                    assert sum(record.percentages[section].values()) == 100
            assert sum(record.total_votes.values()) == sum(record.non_exhausted.values())
            if previous is not None:
                # Ballots only move to continuing candidates or out of the count.
                for section in result.section_names:
                    assert record.exhausted[section] >= previous.exhausted[section]
                    for c in record.continuing:
                        assert record.votes[section][c] >= previous.votes[section][c]
                assert set(record.continuing) == set(previous.continuing) - {previous.eliminated}
            previous = record
        for record in result.rounds:
            if weights is None:
                assert record.in_play == 100
            else:
                live = [s for s in result.section_names if record.non_exhausted[s]]
                assert record.in_play == 100 * sum(weights[s] for s in live)


@PROPERTY_SETTINGS
@given(data=st.data(), election=elections(max_candidates=4))
def test_a_candidate_nobody_ranked_changes_nothing(data, election):
    n_candidates, n_sections, groups = election
    weights = data.draw(st.one_of(st.none(), college_weights(n_sections)))
    w = None if weights is None else weights_dict(weights)
    without = count_ballots(make_profile(n_candidates, n_sections, groups), weights=w)
    # Lots drawn among other zero-vote candidates would use the generator differently.
    assume(all(t.decided_by != "lot" for t in without.tie_breaks))
    phantom = f"C{n_candidates}"
    with_phantom = count_ballots(make_profile(n_candidates + 1, n_sections, groups), weights=w)
    assert with_phantom.winner == without.winner
    kept = [r for r in with_phantom.rounds if r.eliminated != phantom]
    assert [r.eliminated for r in kept] == [r.eliminated for r in without.rounds]
    for mine, theirs in zip(kept, without.rounds, strict=True):
        assert {c: t for c, t in mine.totals.items() if c != phantom} == theirs.totals
        assert mine.exhausted == theirs.exhausted
    if len(with_phantom.rounds) > 1:
        assert with_phantom.rounds[0].totals[phantom] == 0


@PROPERTY_SETTINGS
@given(data=st.data(), election=elections())
def test_grouping_voters_matches_counting_them_one_by_one(data, election):
    n_candidates, n_sections, groups = election
    voters = [(s, r) for s, r, c in groups for _ in range(c)]
    voters = data.draw(st.permutations(voters))
    width = data.draw(st.integers(max(len(r) for _, r in voters), n_candidates))
    rankings = np.full((len(voters), width), -1, dtype=np.int64)
    for row, (_, ranking) in enumerate(voters):
        rankings[row, : len(ranking)] = ranking
    sections = np.array([s for s, _ in voters], dtype=np.int64)
    grouped = group_ballots(
        rankings,
        sections,
        candidates=candidate_names(n_candidates),
        section_names=section_names(n_sections),
    )
    expected = Counter()
    for section, ranking in voters:
        expected[section, ranking] += 1
    got = Counter()
    for row in range(grouped.rankings.shape[0]):
        ranking = tuple(int(c) for c in grouped.rankings[row] if c >= 0)
        got[int(grouped.sections[row]), ranking] += int(grouped.counts[row])
    assert got == expected
    assert len(got) == grouped.rankings.shape[0]  # every group distinct
    one_by_one = BallotProfile(
        candidate_names(n_candidates),
        rankings,
        np.ones(len(voters), dtype=np.int64),
        sections,
        section_names(n_sections),
    )
    weights = weights_dict(data.draw(college_weights(n_sections)))
    assert count_ballots(grouped, weights=weights) == count_ballots(one_by_one, weights=weights)


@PROPERTY_SETTINGS
@given(data=st.data(), election=elections())
def test_the_record_survives_json(data, election):
    n_candidates, n_sections, groups = election
    profile = make_profile(n_candidates, n_sections, groups)
    weights = data.draw(st.one_of(st.none(), college_weights(n_sections)))
    result = count_ballots(profile, weights=None if weights is None else weights_dict(weights))
    text = result.to_json()
    assert CountResult.from_json(text) == result
    assert json.loads(text) == result.to_dict()
    assert diff_results(result, CountResult.from_json(text)) == []


# --------------------------------------------------------------------------- worked examples


def named_profile(candidates, ballots, sections=False, section_names=None):
    """ballots: (ranking as "A>B", count) pairs, or (ranking, count, section) with sections."""
    rankings = [b[0].split(">") for b in ballots]
    counts = [b[1] for b in ballots]
    secs = [b[2] for b in ballots] if sections else None
    return BallotProfile.from_named(candidates, rankings, counts, secs, section_names)


def test_omov_eliminates_the_lowest_and_transfers_to_the_next_preference():
    profile = named_profile(
        ["A", "B", "C", "D"],
        [("A>B", 40), ("B>A", 30), ("C>B>A", 20), ("D>C", 9), ("D", 1)],
    )
    result = count_ballots(profile)
    assert result.elimination_order == ["D", "C"]
    assert [r.total_votes for r in result.rounds] == [
        {"A": 40, "B": 30, "C": 20, "D": 10},
        {"A": 40, "B": 30, "C": 29},
        {"A": 40, "B": 50},
    ]
    # D's lone ballot exhausts in round 2; the nine D>C ballots when C goes.
    assert [r.exhausted["all"] for r in result.rounds] == [0, 1, 10]
    assert result.winner == "B" and result.winner_reason == "majority"
    # 50 of 90 non-exhausted ballots: exhausted ones are out of the denominator.
    assert result.final_round.totals["B"] == Fraction(5000, 90)
    assert [r.reason for r in result.rounds] == ["lowest total", "lowest total", None]


def test_exactly_half_is_not_a_majority():
    profile = named_profile(["A", "B"], [("A", 5), ("B", 5), ("B", 0)])
    result = count_ballots(profile, rng=3)
    assert result.rounds[0].majority is None
    assert result.rounds[0].reason == "tie broken by lot"
    assert result.winner_reason == "only continuing candidate"
    assert len(result.rounds) == 2


def test_tie_broken_by_first_preferences_is_recorded():
    # First preferences A 4, B 5, C 3, D 2. Round 1: D out, its 2 go to A -> A 6, B 5, C 3.
    # Round 2: C out, its 3 split: 1 to A, 2 to B -> A 7, B 7: tie; A had fewer first
    # preferences (4 < 5), so A is eliminated.
    profile = named_profile(
        ["A", "B", "C", "D"], [("A", 4), ("B", 5), ("C>A", 1), ("C>B", 2), ("D>A", 2)]
    )
    result = count_ballots(profile)
    assert [r.total_votes for r in result.rounds[:3]] == [
        {"A": 4, "B": 5, "C": 3, "D": 2},
        {"A": 6, "B": 5, "C": 3},
        {"A": 7, "B": 7},
    ]
    third = result.rounds[2]
    assert third.majority is None
    assert third.eliminated == "A"
    assert third.reason == "tie broken by first preferences"
    (tie,) = result.tie_breaks
    assert tie.round == 3 and tie.tied == ("A", "B") and tie.decided_by == "first preferences"
    assert tie.steps[0].values == {"A": Fraction(400, 14), "B": Fraction(500, 14)}
    assert result.winner == "B"
    assert result.tie_policy == TIE_POLICY


def test_tie_broken_by_round_two_totals():
    # Round 1: A 5, B 5, C 4, D 1, E 3 -> D out, its ballot to A.
    # Round 2: A 6, B 5, C 4, E 3 -> E out, its 3 to B.
    # Round 3: A 6, B 8, C 4 (no majority of 18) -> C out: 2 to A, 2 exhaust.
    # Round 4: A 8, B 8: a tie. First preferences tie too (5, 5); in round 2 B had
    # fewer (5 against 6), so B is eliminated.
    profile = named_profile(
        ["A", "B", "C", "D", "E"],
        [("A", 5), ("B", 5), ("C>A", 2), ("C", 2), ("D>A", 1), ("E>B", 3)],
    )
    result = count_ballots(profile)
    assert [r.total_votes for r in result.rounds[:3]] == [
        {"A": 5, "B": 5, "C": 4, "D": 1, "E": 3},
        {"A": 6, "B": 5, "C": 4, "E": 3},
        {"A": 6, "B": 8, "C": 4},
    ]
    fourth = result.rounds[3]
    assert fourth.total_votes == {"A": 8, "B": 8}
    assert fourth.reason == "tie broken by round 2 totals"
    assert fourth.eliminated == "B"
    (tie,) = result.tie_breaks
    assert [s.criterion for s in tie.steps] == ["first preferences", "round 2 totals"]
    assert [s.remaining for s in tie.steps] == [("A", "B"), ("B",)]
    assert result.winner == "A"


def test_a_tie_that_survives_every_round_is_drawn_by_seeded_lot():
    profile = named_profile(["A", "B", "C"], [("A", 3), ("B", 3), ("C", 5)])
    draws = {}
    for seed in range(20):
        result = count_ballots(profile, rng=seed)
        again = count_ballots(profile, rng=np.random.default_rng(seed))
        assert again.rounds == result.rounds and again.seed is None
        (tie,) = result.tie_breaks
        assert tie.decided_by == "lot" and tie.tied == ("A", "B")
        assert result.rounds[0].reason == "tie broken by lot"
        assert result.seed == seed
        draws[seed] = tie.eliminated
    assert set(draws.values()) == {"A", "B"}  # the draw really depends on the seed
    assert count_ballots(profile).seed == 0  # no seed given: a fixed, recorded one


def test_weighted_ties_are_decided_exactly_where_floats_would_not_be():
    # Sections of 8, 6 and 12 live ballots in round 2. A's share is 6/8, 1/6, 7/12 and
    # B's 2/8, 5/6, 5/12: exactly 50 points each. In floats A comes to 50.0 and B to
    # 49.99999999999999, so float arithmetic would eliminate B. Exactly, it is a tie,
    # decided by first preferences: the exhausting C ballot in section 3 made A's
    # round-1 total lower than B's.
    ballots = [
        ("A", 6, "s1"),
        ("B", 2, "s1"),
        ("A", 1, "s2"),
        ("B", 5, "s2"),
        ("A", 7, "s3"),
        ("B", 5, "s3"),
        ("C", 1, "s3"),
    ]
    profile = named_profile(["A", "B", "C"], ballots, True)
    third = {"s1": "1/3", "s2": "1/3", "s3": "1/3"}
    result = count_ballots(profile, weights=third)
    floats = {
        c: sum(
            (1 / 3) * (100 * result.rounds[1].votes[s][c] / n)
            for s, n in zip(("s1", "s2", "s3"), (8, 6, 12), strict=True)
        )
        for c in ("A", "B")
    }
    assert floats["B"] < floats["A"]  # the trap is real
    second = result.rounds[1]
    assert second.totals == {"A": Fraction(50), "B": Fraction(50)}
    assert second.eliminated == "A"
    assert second.reason == "tie broken by first preferences"
    assert result.rounds[0].totals["A"] < result.rounds[0].totals["B"]
    assert result.winner == "B"


def test_college_percentages_are_renormalised_every_round():
    ballots = [
        ("A", 60, "mps"),
        ("B", 30, "mps"),
        ("C>B", 10, "mps"),
        ("A", 100, "members"),
        ("B", 200, "members"),
        ("C", 700, "members"),
    ]
    profile = named_profile(["A", "B", "C"], ballots, True)
    result = count_ballots(profile, weights={"mps": "1/2", "members": "1/2"})
    first, second = result.rounds
    assert first.totals == {"A": 35, "B": 25, "C": 40}
    assert first.eliminated == "B"  # 25 is lowest though B has more members than A
    # Round 2: members' C ballots stay; B's 200 exhaust -> members' base is 800.
    assert second.non_exhausted == {"mps": 70, "members": 800}
    assert second.percentages["mps"] == {"A": Fraction(600, 7), "C": Fraction(100, 7)}
    assert second.percentages["members"] == {"A": Fraction(25, 2), "C": Fraction(175, 2)}
    assert second.totals["A"] == Fraction(1, 2) * Fraction(600, 7) + Fraction(25, 4)
    # C wins with 50.9 points, though A leads C among the MPs who still count.
    assert second.majority == "C" and result.winner == "C"


def test_a_section_whose_ballots_all_exhaust_contributes_nothing():
    # With equal thirds a section can never exhaust before someone has a majority (its
    # last candidate holds at least a third), so give the MPs a tenth.
    weights = {"mps": "1/10", "members": "9/20", "unions": "9/20"}
    ballots = [
        ("C", 2, "mps"),
        ("A", 50, "members"),
        ("B", 45, "members"),
        ("D>A", 5, "members"),
        ("A", 40, "unions"),
        ("B", 50, "unions"),
        ("D>B", 10, "unions"),
    ]
    result = count_ballots(named_profile(["A", "B", "C", "D"], ballots, True), weights=weights)
    first, second, third = result.rounds
    assert first.totals == {
        "A": Fraction(81, 2),
        "B": Fraction(171, 4),
        "C": 10,
        "D": Fraction(27, 4),
    }
    assert (first.eliminated, second.eliminated) == ("D", "C")
    assert second.totals == {"A": Fraction(171, 4), "B": Fraction(189, 4), "C": 10}
    assert second.majority is None  # 47.25 of 100 in play
    # Round 3: the MPs' ballots are all exhausted; their tenth is not handed to the others.
    assert third.non_exhausted["mps"] == 0 and third.exhausted["mps"] == 2
    assert third.percentages["mps"] == {"A": 0, "B": 0}
    assert third.totals == {"A": Fraction(171, 4), "B": Fraction(189, 4)}
    assert third.in_play == 90
    # B has 47.25 points: less than 50, but more than half of the 90 still in play.
    assert third.majority == "B" and result.winner == "B"


def test_a_weighted_section_without_ballots_counts_for_nothing():
    profile = named_profile(
        ["A", "B"],
        [("A", 3, "members"), ("B", 2, "members"), ("B", 5, "unions")],
        True,
        section_names=["mps", "members", "unions"],
    )
    result = count_ballots(profile, weights={"mps": "1/2", "members": "1/4", "unions": "1/4"})
    assert result.valid == {"mps": 0, "members": 5, "unions": 5}
    assert result.first_round.totals == {"A": 15, "B": 35}
    assert result.winner == "B" and result.first_round.in_play == 50


def test_errors_are_clear():
    with pytest.raises(ValueError, match="no ballots"):
        count_ballots(named_profile(["A", "B"], [("A", 0), ("B", 0)]))
    with pytest.raises(ValueError, match="no ballots"):
        count_ballots(BallotProfile(("A",), np.zeros((0, 1), dtype=np.int64), np.zeros(0)))
    profile = named_profile(["A", "B"], [("A", 1, "x"), ("B", 2, "y")], True)
    with pytest.raises(ValueError, match="sum to 1"):
        count_ballots(profile, weights={"x": "1/3", "y": "1/3"})
    with pytest.raises(ValueError, match="no weight given for section 'y'"):
        count_ballots(profile, weights={"x": 1})
    with pytest.raises(ValueError, match="unknown section 'z'"):
        count_ballots(profile, weights={"x": "1/2", "y": "1/2", "z": 0})
    with pytest.raises(ValueError, match="negative"):
        count_ballots(profile, weights={"x": "3/2", "y": "-1/2"})
    with pytest.raises(ValueError, match="number"):
        count_ballots(profile, weights={"x": "half", "y": "1/2"})
    assert count_ballots(profile, weights={"x": 0.5, "y": Fraction(1, 2)}).weights == {
        "x": Fraction(1, 2),
        "y": Fraction(1, 2),
    }
    assert parse_weight(1 / 3) == Fraction(1, 3)
    assert parse_weight(" 1/3 ") == Fraction(1, 3)
    with pytest.raises(ValueError):
        parse_weight(True)


@pytest.mark.parametrize(
    ("rankings", "counts", "message"),
    [
        ([[0, 0]], [1], "twice"),
        ([[0, -1, 1]], [1], "after a -1"),
        ([[0, 2]], [1], "neither a candidate index"),
        ([[-1, -1]], [1], "blank"),
        ([[0, 1]], [-1], "negative"),
        ([[0, 1]], [1, 2], "entries"),
        ([[0.0, 1.0]], [1], "integers"),
        ([0, 1], [1], "2-dimensional"),
    ],
)
def test_profiles_reject_malformed_ballots(rankings, counts, message):
    with pytest.raises(ValueError, match=message):
        BallotProfile(("A", "B"), np.array(rankings), np.array(counts))


def test_profile_checks_names_and_sections():
    with pytest.raises(ValueError, match="duplicate candidate"):
        BallotProfile(("A", "A"), np.array([[0]]), np.array([1]))
    with pytest.raises(ValueError, match="out of range"):
        BallotProfile(("A", "B"), np.array([[0]]), np.array([1]), np.array([2]), ("x", "y"))
    with pytest.raises(ValueError, match="section names"):
        BallotProfile(("A", "B"), np.array([[0]]), np.array([1]), None, ("x", "y"))
    profile = BallotProfile(("A", "B"), np.array([[0, 1]]), np.array([3]))
    assert profile.section_names == ("all",)
    with pytest.raises(ValueError):
        profile.rankings[0, 0] = 1  # read-only: a recorded count cannot be changed under it


def test_group_ballots_checks_and_drops_blanks():
    rankings = np.array([[0, 1], [1, -1], [-1, -1], [0, 1]])
    with pytest.raises(ValueError, match="row 2 is blank"):
        group_ballots(rankings, candidates=["A", "B"])
    grouped = group_ballots(rankings, candidates=["A", "B"], blank="drop")
    assert grouped.total == 3
    assert grouped.rankings.tolist() == [[0, 1], [1, -1]]
    assert grouped.counts.tolist() == [2, 1]
    with pytest.raises(ValueError, match="row 1 ranks the same candidate twice"):
        group_ballots(np.array([[0, 1], [1, 1]]), candidates=["A", "B"])
    with pytest.raises(ValueError, match="row 0 holds a value"):
        group_ballots(np.array([[3, 1]]), candidates=["A", "B"])
    nobody = group_ballots(np.array([[-1, -1]]), candidates=["A", "B"], blank="drop")
    assert nobody.total == 0 and nobody.rankings.shape == (0, 0)
    with pytest.raises(ValueError, match="no ballots"):
        count_ballots(nobody)
    # Trailing padding columns that nobody used are trimmed.
    assert group_ballots(np.array([[0, -1, -1]]), candidates=["A", "B"]).rankings.shape == (1, 1)


def test_group_ballots_falls_back_to_sorting_for_huge_code_spaces():
    rng = np.random.default_rng(5)
    n_candidates = 40  # 41**20 overflows int64, so the sort-based path is used
    rankings = np.array([rng.permutation(n_candidates)[:20] for _ in range(300)])
    rankings = np.concatenate([rankings, rankings[:50]])
    sections = rng.integers(0, 2, rankings.shape[0])
    sections[300:] = sections[:50]
    names = [f"c{i}" for i in range(n_candidates)]
    grouped = group_ballots(rankings, sections, candidates=names, section_names=["x", "y"])
    assert grouped.total == 350
    assert grouped.rankings.shape[0] == 300
    assert sorted(grouped.counts.tolist()) == [1] * 250 + [2] * 50


def test_rounding_is_half_up_like_a_hand_calculation():
    assert round_half_up(Fraction(2345, 100000), 3) == 0.023
    assert round_half_up(Fraction(50655, 1000), 2) == 50.66  # float round() gives 50.65
    assert round_half_up(Fraction(-1, 8), 2) == -0.13
    assert round_half_up(Fraction(200, 3), 3) == 66.667


def test_replaying_a_recorded_count_finds_differences():
    profile = named_profile(["A", "B", "C"], [("A", 4), ("B>A", 3), ("C>B", 2)])
    recorded = count_ballots(profile)
    assert diff_results(recorded, count_ballots(profile)) == []
    other = count_ballots(named_profile(["A", "B", "C"], [("A", 4), ("B>A", 3), ("C>B", 3)]))
    differences = diff_results(recorded, other)
    assert differences and any("votes" in d or "valid" in d for d in differences)
