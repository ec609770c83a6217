"""Cross-check OMOV counts against two independent implementations: pref_voting and VoteKit.

pref_voting's ``instant_runoff_for_truncated_linear_orders`` is the alternative
vote for truncated ballots with the same majority rule as Labour's (more than
half of the ballots not yet exhausted). It eliminates everybody tied for last
at once, where Labour's rules break the tie, so profiles with a tie for last
place in any round are left out; they are a small minority at these sizes.

Besides the winner, every round is checked: restricting pref_voting's profile to
the candidates still in our count, its first-place tallies and its number of
non-empty ballots must equal our votes and our non-exhausted ballots.

VoteKit (a second oracle, written by other people in another style: pandas
profiles, election states) counts IRV as single-seat STV with a Droop quota
of *all* ballots cast, where Labour's majority is of the ballots still in play.
When ballots exhaust, VoteKit therefore goes on eliminating after our count has
stopped; it reaches the same winner (a candidate with more than half of the
live ballots has more than all the others together, so is never the lowest),
and its rounds up to ours must match ours exactly. Profiles with any tie for
elimination in our count are left out, as above: VoteKit breaks such ties by
first preferences and then at random, Labour's rules by every earlier round and
then by a seeded lot, so the two may rightly differ there.

VoteKit has two IRV engines and both are checked: ``FastSTV`` with one seat
(numpy; its float tallies are exact here, being sums of small integers) on
thousands of profiles, and the exact-arithmetic ``IRV(exact=True)`` (a pandas
profile per round, about 0.1 s a count) on a smaller sample. ``IRV`` drops a
candidate nobody ranked at all before round 1, where our count eliminates
them in a round of their own in which no ballot moves, so for that engine
those rounds of ours are skipped when rounds are paired up.
"""

from __future__ import annotations

import numpy as np

# A dev dependency (pyproject's [dev] extra): a missing oracle should fail, not skip.
from pref_voting.iterative_methods import instant_runoff_for_truncated_linear_orders
from pref_voting.profiles_with_ties import ProfileWithTies
from votekit.ballot import RankBallot
from votekit.elections import IRV, FastSTV
from votekit.pref_profile import RankProfile

from model.counting.count import BallotProfile, CountResult, count_ballots

N_PROFILES = 2500
MIN_COMPARED = 2000  # profiles without any tie for last that must get through
N_VOTEKIT_FAST = 2000
N_VOTEKIT_EXACT = 150


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


def as_votekit(profile: BallotProfile) -> RankProfile:
    ballots = [
        RankBallot(ranking=tuple(profile.candidates[c] for c in ranking if c >= 0), weight=count)
        for ranking, count in zip(profile.rankings.tolist(), profile.counts.tolist(), strict=True)
    ]
    return RankProfile(ballots=ballots, candidates=profile.candidates)


def check_against_votekit(ours: BallotProfile, result: CountResult, election, *, exact: bool):
    """Winner and every round of ours equal VoteKit's; returns the rounds checked."""
    elected = [c for group in election.get_elected() for c in group]
    assert elected == [result.winner], (ours, result.to_dict())
    rounds = result.rounds
    if exact:
        # IRV removes never-ranked candidates up front (module docstring).
        ranked = {ours.candidates[c] for c in ours.rankings[ours.rankings >= 0].tolist()}
        rounds = [r for r in rounds if r.eliminated is None or r.eliminated in ranked]
    for state, record in zip(election.election_states, rounds, strict=False):
        theirs = {c: v for c, v in state.scores.items() if v}
        assert all(float(v).is_integer() for v in theirs.values())
        mine = {c: v for c, v in record.total_votes.items() if v}
        assert {c: int(v) for c, v in theirs.items()} == mine, (ours, result.to_dict())
    assert len(election.election_states) >= len(rounds)  # VoteKit may go on (docstring)
    return len(rounds)


def test_omov_agrees_with_votekit_fast_irv_round_by_round():
    rng = np.random.default_rng(19940721)
    compared = rounds_checked = multi_round = 0
    for _ in range(N_VOTEKIT_FAST):
        ours = random_profile(rng)
        result = count_ballots(ours)
        if result.tie_breaks:
            continue  # VoteKit breaks ties by its own policy (module docstring)
        election = FastSTV(as_votekit(ours), n_seats=1, tiebreak="random", rng_seed=0)
        rounds_checked += check_against_votekit(ours, result, election, exact=False)
        compared += 1
        multi_round += len(result.rounds) > 2
    print(
        f"VoteKit FastSTV: {compared} profiles ({multi_round} of 3+ rounds), {rounds_checked} rounds"
    )
    assert compared >= N_VOTEKIT_FAST * 0.8
    assert multi_round >= compared // 4


def test_omov_agrees_with_votekit_exact_irv_round_by_round():
    rng = np.random.default_rng(20200404)
    compared = rounds_checked = multi_round = 0
    for _ in range(N_VOTEKIT_EXACT):
        ours = random_profile(rng)
        result = count_ballots(ours)
        if result.tie_breaks:
            continue
        election = IRV(as_votekit(ours), tiebreak="random", rng_seed=0, exact=True)
        checked = check_against_votekit(ours, result, election, exact=True)
        rounds_checked += checked
        compared += 1
        multi_round += checked > 2
    print(
        f"VoteKit exact IRV: {compared} profiles ({multi_round} of 3+ rounds), {rounds_checked} rounds"
    )
    assert compared >= N_VOTEKIT_EXACT * 0.8
    assert multi_round >= compared // 5
