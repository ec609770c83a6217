"""Cross-check OMOV counts against an independent implementation (pref_voting).

pref_voting's ``instant_runoff_for_truncated_linear_orders`` is the alternative
vote for truncated ballots with the same majority rule as Labour's (more than
half of the ballots not yet exhausted). It eliminates everybody tied for last
at once, where Labour's rules break the tie, so profiles with a tie for last
place in any round are left out; they are a small minority at these sizes.

Besides the winner, every round is checked: restricting pref_voting's profile to
the candidates still in our count, its first-place tallies and its number of
non-empty ballots must equal our votes and our non-exhausted ballots.
"""

from __future__ import annotations

import numpy as np

# A dev dependency (pyproject's [dev] extra): a missing oracle should fail, not skip.
from pref_voting.iterative_methods import instant_runoff_for_truncated_linear_orders
from pref_voting.profiles_with_ties import ProfileWithTies

from model.counting.count import BallotProfile, count_ballots

N_PROFILES = 2500
MIN_COMPARED = 2000  # profiles without any tie for last that must get through


def random_profile(rng: np.random.Generator) -> BallotProfile:
    """Random truncated ballots, some candidates possibly unranked by anyone."""
    n_candidates = int(rng.integers(2, 7))
    n_groups = int(rng.integers(1, 21))
    width = n_candidates
    rankings = np.full((n_groups, width), -1, dtype=np.int64)
    counts = rng.integers(1, 40, n_groups)
    # Skewed popularity so that some profiles end in round 1 and others go the distance.
    popularity = rng.dirichlet(np.ones(n_candidates) * 3.0)
    for row in range(n_groups):
        order = rng.choice(n_candidates, size=n_candidates, replace=False, p=popularity)
        length = int(rng.integers(1, n_candidates + 1))
        rankings[row, :length] = order[:length]
    return BallotProfile(tuple(f"c{i}" for i in range(n_candidates)), rankings, counts)


def as_pref_voting(profile: BallotProfile) -> ProfileWithTies:
    return ProfileWithTies(
        [{int(c): pos + 1 for pos, c in enumerate(r) if c >= 0} for r in profile.rankings],
        rcounts=[int(c) for c in profile.counts],
        candidates=list(range(profile.n_candidates)),
    )


def test_omov_agrees_with_pref_voting_on_thousands_of_random_truncated_profiles():
    rng = np.random.default_rng(20100925)
    compared = rounds_checked = multi_round = 0
    for _ in range(N_PROFILES):
        ours = random_profile(rng)
        result = count_ballots(ours)
        if result.tie_breaks:
            continue  # pref_voting would eliminate all the tied candidates together
        theirs = as_pref_voting(ours)
        compared += 1
        winners = instant_runoff_for_truncated_linear_orders(theirs)
        assert winners == [ours.candidates.index(result.winner)], (ours, result.to_dict())

        for record in result.rounds:
            continuing = [ours.candidates.index(c) for c in record.continuing]
            restricted = theirs.remove_candidates(
                [c for c in range(len(ours.candidates)) if c not in continuing]
            )
            restricted.remove_empty_rankings()
            tallies = restricted.plurality_scores()
            assert {ours.candidates[c]: int(v) for c, v in tallies.items()} == (record.total_votes)
            assert restricted.num_voters == sum(record.non_exhausted.values())
            rounds_checked += 1
        multi_round += len(result.rounds) > 2
    print(f"compared {compared} profiles ({multi_round} of 3+ rounds), {rounds_checked} rounds")
    assert compared >= MIN_COMPARED
    assert multi_round >= MIN_COMPARED // 4  # plenty of long counts with transfers
