"""Monthly member processes (pure functions)."""

from __future__ import annotations

import numpy as np
import pytest

from model.mechanisms import dynamics
from model.scenario.schema import FlowSpec, InfluenceSpec, PoolSegment

INFLUENCE = InfluenceSpec(
    interaction_rate=1.0,
    confidence_bound=0.3,
    convergence=0.3,
    faction_pull=0.0,
    leader_cue=0.0,
    noise_sd=0.0,
)
FLOWS = FlowSpec(
    pool=[PoolSegment(name="left", size=1e5, mean=-0.7, sd=0.1)],
    join_rate=0.01,
    attraction_width=0.5,
    contest_surge=3.0,
    churn=0.01,
    new_member_churn=1.0,
    tenure_scale_months=24.0,
    dissatisfaction=0.1,
    tolerance=0.5,
)


def population(n=20_000, n_clps=50, seed=0):
    rng = np.random.default_rng(seed)
    return (
        rng.uniform(-1, 1, n),
        rng.integers(0, n_clps, n),
        np.full(n, -1, dtype=np.int16),
        np.zeros(n, dtype=bool),
        np.ones(n, dtype=bool),
    )


def run_influence(x, clp, faction, trusts, active, params=INFLUENCE, leader=0.0, lines=(), seed=1):
    return dynamics.influence(
        x,
        clp,
        faction,
        trusts,
        active,
        faction_lines=np.array(lines, dtype=float),
        leader_ideology=leader,
        params=params,
        rng=np.random.default_rng(seed),
    )


def test_influence_keeps_member_count_and_bounds():
    x, clp, faction, trusts, active = population()
    new = run_influence(x, clp, faction, trusts, active)
    assert new.shape == x.shape
    assert new.min() >= -1 and new.max() <= 1


def test_deffuant_meetings_conserve_mean_within_each_clp():
    x, clp, faction, trusts, active = population()
    new = run_influence(x, clp, faction, trusts, active)
    for c in range(5):
        assert new[clp == c].mean() == pytest.approx(x[clp == c].mean(), abs=1e-12)
    assert not np.allclose(new, x)  # someone met someone


def test_bounded_confidence_ignores_distant_pairs():
    # Two camps further apart than the bound never move towards each other.
    n = 2000
    x = np.where(np.arange(n) % 2 == 0, -0.9, 0.9)
    clp = np.zeros(n, dtype=int)
    new = run_influence(x, clp, np.full(n, -1), np.zeros(n, bool), np.ones(n, bool))
    assert set(np.round(new, 12)) == {-0.9, 0.9}


def test_inactive_members_do_not_move():
    x, clp, faction, trusts, active = population()
    active[:100] = False
    params = INFLUENCE.model_copy(update={"noise_sd": 0.05})
    new = run_influence(x, clp, faction, trusts, active, params=params)
    assert np.array_equal(new[:100], x[:100])


def test_faction_pull_and_leader_cue():
    n = 1000
    x = np.zeros(n)
    clp = np.arange(n)  # nobody shares a CLP: no meetings
    faction = np.where(np.arange(n) < 500, 0, -1).astype(np.int16)
    trusts = np.arange(n) >= 900
    params = INFLUENCE.model_copy(update={"faction_pull": 0.1, "leader_cue": 0.2})
    new = run_influence(x, clp, faction, trusts, np.ones(n, bool), params, leader=0.5, lines=[-0.6])
    assert np.allclose(new[:500], -0.06)
    assert np.allclose(new[500:900], 0.0)
    assert np.allclose(new[900:], 0.1)


def test_lapsing_rises_with_distance_from_leader_and_falls_with_tenure():
    old = np.full(3, 10_000)
    p = dynamics.lapse_probability(np.array([0.0, 0.5, 1.0]), old, 0.0, FLOWS)
    assert p.tolist() == pytest.approx([0.01, 0.01, 0.06])
    # A new member churns at (1 + new_member_churn) times the rate, fading over the tenure scale.
    new = dynamics.lapse_probability(np.zeros(3), np.array([0, 24, 240]), 0.0, FLOWS)
    assert new[0] == pytest.approx(0.02)
    assert new[1] == pytest.approx(0.01 * (1 + np.exp(-1)))
    assert new[2] == pytest.approx(0.01, rel=1e-3)
    rng = np.random.default_rng(0)
    x = np.concatenate([np.zeros(50_000), np.ones(50_000)])
    joined = np.full(x.size, -10_000)
    gone = dynamics.lapsers(x, joined, np.arange(x.size), 0, 0.0, FLOWS, rng)
    assert np.count_nonzero(gone >= 50_000) > 3 * np.count_nonzero(gone < 50_000)


def test_a_dated_shock_adds_lapsing_near_its_centre_only():
    rng = np.random.default_rng(1)
    x = np.concatenate([np.full(50_000, -0.8), np.full(50_000, 0.0)])
    joined = np.full(x.size, -10_000)
    calm = FLOWS.model_copy(update={"churn": 0.0, "dissatisfaction": 0.0})
    gone = dynamics.lapsers(x, joined, np.arange(x.size), 0, 0.0, calm, rng, shock=(0.1, -0.8, 0.2))
    near, far = np.count_nonzero(gone < 50_000), np.count_nonzero(gone >= 50_000)
    assert 4500 < near < 5500  # 10% of 50,000
    assert far < 5  # exp(-16) of the hazard


def test_recruitment_takes_only_nearby_unaligned_members():
    x = np.array([-0.6, -0.5, 0.0, 0.2, -0.6])
    faction = np.array([-1, -1, -1, -1, 1], dtype=np.int16)
    new = dynamics.recruit(
        x,
        faction,
        np.ones(5, bool),
        faction_lines=np.array([-0.6, 0.2]),
        radii=np.array([0.2, 0.1]),
        rates=np.array([1.0, 1.0]),
        rng=np.random.default_rng(0),
    )
    # 0 and 1 near the left line; 2 near neither; 3 on the right line;
    # 4 is in faction 1 but 0.8 from its line (> 2 radii) and drifts out.
    assert new.tolist() == [0, 0, -1, 1, -1]


def test_marginal_targeting_picks_close_contests():
    # Expected attendees by faction membership and by slate, per CLP, for
    # faction 0, faction 1 and unaligned.
    members = np.array(
        [
            [9.0, 0.0, 1.0],  # safe and already controlled
            [3.0, 0.0, 7.0],  # winnable once mobilised
            [0.1, 0.0, 9.9],  # hopeless
            [4.0, 0.0, 6.0],  # close
        ]
    )
    slates = members.copy()
    slates[:, 2] -= [0.0, 1.0, 0.0, 1.0]  # some unaligned lean to faction 0
    slates[:, 0] += [0.0, 1.0, 0.0, 1.0]
    targets = dynamics.choose_targets(
        dynamics.ExpectedMeeting(members, slates),
        np.array([0, -1, -1, -1]),
        capacity=np.array([4, 0]),
        strategies=["marginal", "marginal"],
        mobilisation=np.array([2.0, 2.0]),
        rng=np.random.default_rng(0),
    )
    assert targets[0].tolist() == [False, True, False, True]
    assert not targets[1].any()


def test_expected_attendance_counts_sympathisers_for_slates():
    expected = dynamics.expected_attendance(
        np.array([0.5, 0.5, 0.5], dtype=np.float32),
        np.array([-0.6, -0.55, 0.5]),
        np.array([0, 0, 1]),
        np.array([0, -1, -1], dtype=np.int16),
        np.arange(3),
        n_clps=2,
        faction_lines=np.array([-0.6]),
        affinity=0.1,
    )
    assert expected.members.tolist() == [[0.5, 0.5], [0.0, 0.5]]
    assert expected.slates.tolist() == [[1.0, 0.0], [0.0, 0.5]]


def test_members_drawn_by_a_leader_tolerate_less():
    # Two members equally far (0.6) from the leader: one joined for the party,
    # one came for a leader or a contest.
    attached = FLOWS.model_copy(update={"drawn_tolerance": 0.2})
    x, tenure = np.array([-0.6, -0.6]), np.full(2, 10_000)
    drawn = np.array([False, True])
    p = dynamics.lapse_probability(x, tenure, 0.0, attached, drawn=drawn)
    assert p.tolist() == pytest.approx([0.01 + 0.1 * 0.1, 0.01 + 0.1 * 0.4])
    # Without a drawn tolerance (or without the column) everyone tolerates alike.
    same = dynamics.lapse_probability(x, tenure, 0.0, FLOWS, drawn=drawn)
    assert same[0] == same[1] == pytest.approx(p[0])
    assert dynamics.lapse_probability(x, tenure, 0.0, attached).tolist() == pytest.approx(
        [p[0]] * 2
    )


def test_lapsers_count_the_drawn_members_own_tolerance():
    rng = np.random.default_rng(2)
    attached = FLOWS.model_copy(update={"drawn_tolerance": 0.0, "churn": 0.0})
    x = np.full(100_000, -0.4)
    drawn = np.arange(x.size) >= 50_000
    gone = dynamics.lapsers(
        x, np.full(x.size, -10_000), np.arange(x.size), 0, 0.0, attached, rng, drawn=drawn
    )
    # Only the drawn half is beyond its tolerance: 0.1 x 0.4 = 4% a month.
    assert np.count_nonzero(gone < 50_000) == 0
    assert 1800 < np.count_nonzero(gone >= 50_000) < 2200


def test_loyalty_grows_with_tenure_for_members_who_joined_for_the_party():
    loyal = FLOWS.model_copy(update={"tenure_tolerance": 0.3, "churn": 0.0})
    # Four members 0.9 from the leader: new, two years in, long-standing, and
    # long-standing but drawn by a leader (who never grows loyal).
    x = np.full(4, -0.9)
    tenure = np.array([0, 24, 10_000, 10_000])
    drawn = np.array([False, False, False, True])
    p = dynamics.lapse_probability(x, tenure, 0.0, loyal, drawn=drawn)
    tolerated = 0.5 + 0.3 * (1.0 - np.exp(-tenure / 24.0))
    tolerated[3] = 0.5
    assert p.tolist() == pytest.approx((0.1 * (0.9 - tolerated)).tolist())
    assert p[0] > p[1] > p[2]
    assert p[3] == pytest.approx(p[0])
    # A drawn tolerance, when set, is what the drawn tolerate.
    both = loyal.model_copy(update={"drawn_tolerance": 0.2})
    assert dynamics.lapse_probability(x, tenure, 0.0, both, drawn=drawn)[3] == pytest.approx(
        0.1 * 0.7
    )
    # No loyalty: tenure changes nothing beyond churn.
    flat = dynamics.lapse_probability(x, tenure, 0.0, FLOWS.model_copy(update={"churn": 0.0}))
    assert np.ptp(flat) == 0


def test_lapsers_with_loyalty_keep_the_long_standing():
    rng = np.random.default_rng(5)
    loyal = FLOWS.model_copy(update={"tenure_tolerance": 0.4, "churn": 0.0})
    x = np.full(100_000, -0.8)
    joined = np.where(np.arange(x.size) < 50_000, -10_000, 0)  # old half, new half
    gone = dynamics.lapsers(
        x, joined, np.arange(x.size), 0, 0.0, loyal, rng, drawn=np.zeros(x.size, dtype=bool)
    )
    # The old tolerate 0.9 > 0.8 and stay; the new lapse at 0.1 x 0.3 = 3%.
    assert np.count_nonzero(gone < 50_000) == 0
    assert 1300 < np.count_nonzero(gone >= 50_000) < 1700


def test_members_who_voted_against_the_leader_lapse_faster_with_distance():
    # Three members who voted against the leader and one who did not, all
    # within tolerance (0.5): only the losers' hazard rises, by losers_lapse
    # per unit of distance, with no threshold.
    sore = FLOWS.model_copy(update={"losers_lapse": 0.02, "churn": 0.0})
    x = np.array([-0.1, -0.3, 0.4, -0.3])
    tenure = np.full(4, 10_000)
    lost = np.array([True, True, True, False])
    p = dynamics.lapse_probability(x, tenure, 0.0, sore, backed_loser=lost)
    assert p.tolist() == pytest.approx([0.002, 0.006, 0.008, 0.0])
    # Off by default, and without the column nobody is marked.
    plain = FLOWS.model_copy(update={"churn": 0.0})
    assert not dynamics.lapse_probability(x, tenure, 0.0, plain, backed_loser=lost).any()
    assert not dynamics.lapse_probability(x, tenure, 0.0, sore).any()
    # Beyond tolerance the two hazards add up.
    far = dynamics.lapse_probability(np.array([-0.9]), np.array([10_000]), 0.0, sore,
                                     backed_loser=np.array([True]))  # fmt: skip
    assert far[0] == pytest.approx(0.1 * 0.4 + 0.02 * 0.9)


def test_lapsers_bound_the_losers_hazard_too():
    rng = np.random.default_rng(4)
    sore = FLOWS.model_copy(update={"losers_lapse": 0.05, "churn": 0.0})
    # Everyone within tolerance (0.5 from a leader at 1.0 ... the far end is
    # 2.0 away): the losers' hazard is what the thinning must not clip.
    x = np.full(100_000, -1.0)
    lost = np.arange(x.size) < 50_000
    gone = dynamics.lapsers(
        x, np.full(x.size, -10_000), np.arange(x.size), 0, 1.0, sore, rng, backed_loser=lost
    )
    # Non-losers: 0.1 x (2.0 - 0.5) = 15%; losers: + 0.05 x 2.0 = 25%.
    assert 12_200 < np.count_nonzero(gone < 50_000) < 12_800
    assert 7_200 < np.count_nonzero(gone >= 50_000) < 7_800


def test_members_drawn_by_the_moment_keep_their_extra_churn():
    # Members at the leader's position (no distance): joined for the party or
    # drawn by the moment, new, at their first renewal, or long-standing.
    keep = FLOWS.model_copy(update={"drawn_churn": 2.0, "new_member_churn": 1.0})
    x = np.zeros(6)
    tenure = np.array([0, 12, 10_000, 0, 12, 10_000])
    drawn = np.array([False, False, False, True, True, True])
    p = dynamics.lapse_probability(x, tenure, 0.0, keep, drawn=drawn)
    churn, fade = keep.churn, np.exp(-12 / keep.tenure_scale_months)
    # A new member's extra churn fades with tenure; a drawn member's starts
    # at the first renewal (12 months) and does not fade.
    assert p.tolist() == pytest.approx(
        [churn * 2.0, churn * (1 + fade), churn, churn * 2.0, churn * (3 + fade), churn * 3.0],
        rel=1e-3,
    )
    # It is what makes who joined drawn matter, and 0 (the default) changes nothing.
    assert keep.tracks_drawn and not FLOWS.tracks_drawn
    plain = dynamics.lapse_probability(x, tenure, 0.0, FLOWS, drawn=drawn)
    assert plain[3:].tolist() == pytest.approx(plain[:3].tolist())


def test_lapsers_keep_the_drawn_members_extra_churn():
    rng = np.random.default_rng(6)
    keep = FLOWS.model_copy(update={"drawn_churn": 4.0, "new_member_churn": 0.0, "churn": 0.01})
    x = np.zeros(100_000)
    drawn = np.arange(x.size) >= 50_000
    # All at their first renewal, where a drawn member's churn peaks.
    gone = dynamics.lapsers(
        x, np.full(x.size, -12), np.arange(x.size), 0, 0.0, keep, rng, drawn=drawn
    )
    # Joined for the party: 1% a month; drawn: 1% x (1 + 4) = 5%, which the
    # thinning's peak (taken at tenure 0) must not clip.
    assert 400 < np.count_nonzero(gone < 50_000) < 600
    assert 2_300 < np.count_nonzero(gone >= 50_000) < 2_700


def test_a_scenario_that_starts_after_a_surge_marks_who_came_for_it():
    from model.agents.population import build_clps, build_members
    from tests.conftest import small_scenario

    def members(**spec):
        scenario = small_scenario(party={"scale": 0.05}, members=spec)
        rng = np.random.default_rng(7)
        clps = build_clps(scenario, len(scenario.unions), rng)
        return build_members(scenario, clps, rng)

    plain = members()
    assert not plain.drawn[: len(plain)].any()
    marked = members(drawn_share=0.4, drawn_slope=-0.3, drawn_tenure_months=(0, 57))
    n = len(marked)
    x, drawn, joined = marked.ideology[:n], marked.drawn[:n], marked.joined[:n]
    # The share drawn, more often on the left, and joined since the surge.
    assert abs(drawn.mean() - 0.4) < 0.02
    slope = np.cov(x, drawn.astype(float))[0, 1] / x.var()
    assert -0.36 < slope < -0.24
    assert joined[drawn].min() >= -57 and (joined[~drawn] < -57).any()
    # Nothing else about the starting members changes (same draws before).
    assert np.array_equal(plain.ideology[: len(plain)], x)
    assert np.array_equal(plain.activism[: len(plain)], marked.activism[:n])
