"""Who joins: pools of sympathisers, stakes in contests, routes to a vote (pure functions)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import norm

from model.mechanisms import sympathisers as sym

MEANS = np.array([-0.7, -0.3, 0.1])  # left, soft left, centre


def test_attraction_is_one_at_the_segment_and_falls_with_distance():
    a = sym.attraction(MEANS, -0.7, 0.3)
    assert a[0] == pytest.approx(1.0)
    assert a[0] > a[1] > a[2] > 0


def test_a_left_against_centre_contest_stakes_both_sides_and_not_the_indifferent():
    # Corbyn (-0.8) against Kendall (0.4): the left and the centre care.
    stake = sym.contest_stake(MEANS, [-0.8, 0.4], 0.3)
    assert stake[0] > 0.8 and stake[2] > 0.3
    # Two candidates the same distance either side of the soft left: it does not care.
    stake = sym.contest_stake(MEANS, [-0.5, -0.1], 0.3)
    assert stake[1] == pytest.approx(0.0, abs=1e-12)
    assert sym.contest_stake(MEANS, [-0.8], 0.3).tolist() == [0.0, 0.0, 0.0]  # unopposed


def test_electability_weighs_into_the_stake():
    plain = sym.contest_stake(MEANS, [-0.6, -0.2], 0.3)
    valued = sym.contest_stake(MEANS, [-0.6, -0.2], 0.3, valences=[0.4, 0.9], electability_weight=2)
    # Counting electability, the left's pull to its own candidate weakens: less at stake for it.
    assert valued[0] < plain[0]


def test_electability_weight_rises_after_a_defeat_and_fades():
    severity = sym.defeat_severity(202, 326)
    assert severity == pytest.approx(124 / 326)
    assert sym.defeat_severity(400, 326) == 0.0
    just_after = sym.electability_weight(0.2, 2.0, [(0, severity)], 24)
    later = sym.electability_weight(0.2, 2.0, [(48, severity)], 24)
    assert just_after == pytest.approx(0.2 + 2.0 * severity)
    assert 0.2 < later < just_after
    # Defeats in a row add up.
    again = sym.electability_weight(0.2, 2.0, [(24, 0.2), (0, severity)], 24)
    assert again == pytest.approx(just_after + 2.0 * 0.2 * np.exp(-1))
    assert sym.electability_weight(0.2, 2.0, [], 24) == 0.2


def test_joining_follows_the_leader_and_surges_in_a_contest_with_a_stake():
    calm = sym.JoiningMoment(leader=-0.8)
    rates = sym.joining_rates(
        MEANS, calm, join_rate=0.01, width=0.3, contest_surge=5.0, election_surge=1.0
    )
    assert rates[0] > rates[1] > rates[2]  # a left leader draws the left
    contest = sym.JoiningMoment(leader=-0.8, contest_candidates=(-0.8, -0.2), surge_joins=1.0)
    surged = sym.joining_rates(
        MEANS, contest, join_rate=0.01, width=0.3, contest_surge=5.0, election_surge=1.0
    )
    assert (surged >= rates).all() and surged[1] > 3 * rates[1]
    voteless = sym.JoiningMoment(leader=-0.8, contest_candidates=(-0.8, -0.2), surge_joins=0.0)
    assert sym.joining_rates(
        MEANS, voteless, join_rate=0.01, width=0.3, contest_surge=5.0, election_surge=1.0
    ) == pytest.approx(rates)
    campaign = sym.JoiningMoment(leader=-0.8, campaign=True)
    assert sym.joining_rates(
        MEANS, campaign, join_rate=0.01, width=0.3, contest_surge=5.0, election_surge=1.0
    ) == pytest.approx(2 * rates)


def test_a_new_leader_draws_a_wave_that_fades_to_the_settled_share():
    args = dict(join_rate=0.01, width=0.3, contest_surge=5.0, election_surge=0.0)
    new = sym.joining_rates(
        MEANS, sym.JoiningMoment(leader=-0.8, leader_months=0), settled_share=0.2, **args
    )
    year = sym.joining_rates(
        MEANS, sym.JoiningMoment(leader=-0.8, leader_months=12), settled_share=0.2, **args
    )
    settled = sym.joining_rates(
        MEANS, sym.JoiningMoment(leader=-0.8, leader_months=10_000), settled_share=0.2, **args
    )
    assert settled == pytest.approx(0.2 * new)
    assert year == pytest.approx((0.2 + 0.8 * np.exp(-1)) * new)


def test_joiners_deplete_and_return_to_the_pool_proportionally():
    rng = np.random.default_rng(0)
    stock = np.array([1e5, 1e5, 0.0])
    counts = sym.draw_joiners(stock, np.array([0.1, 0.01, 0.5]), 0.1, rng)
    assert counts[2] == 0  # an empty segment brings nobody
    assert counts[0] == pytest.approx(1000, rel=0.15) and counts[1] == pytest.approx(100, rel=0.4)
    x, seg = sym.segment_ideologies(counts, MEANS, np.full(3, 0.1), rng)
    assert x.size == counts.sum() and (np.abs(x) <= 1).all()
    assert sym.nearest_segment(np.array([-0.9, -0.35, 0.5]), MEANS).tolist() == [0, 1, 2]


def test_the_supporter_route_depends_on_the_price_of_the_alternative():
    # 2015: £3 against a £4 first payment: most pay the fee.
    assert sym.supporter_route_share(3.0, 4.0, 2.0) == pytest.approx(16 / 25)
    # 2020: £25 when joining also gave a vote: almost nobody pays it.
    assert sym.supporter_route_share(25.0, 4.0, 2.0) < 0.03
    # 2016: £25 when joining would not give a vote (a freeze date): many pay.
    assert sym.supporter_route_share(25.0, 20.0, 2.0) > 0.35
    assert sym.surge_joining_share(True, True, 0.64, 0.2) == pytest.approx(0.36)
    assert sym.surge_joining_share(False, True, 0.64, 0.2) == 0.2
    assert sym.surge_joining_share(True, False, 0.64, 0.2) == 1.0


def test_a_short_window_loses_some_of_the_willing():
    assert sym.window_share(None, 24) == 1.0
    assert sym.window_share(48, 24) == pytest.approx(1 - np.exp(-2))
    assert sym.window_share(1, 24) < sym.window_share(48, 24)


@given(
    st.lists(st.floats(-1, 1), min_size=2, max_size=5),
    st.floats(0.05, 2.0),
    st.floats(0.0, 3.0),
)
def test_stakes_are_shares_and_rates_never_exceed_one(candidates, width, weight):
    valences = np.linspace(0, 1, len(candidates))
    stake = sym.contest_stake(
        MEANS, candidates, width, valences=valences, electability_weight=weight
    )
    assert ((stake >= 0) & (stake <= 1)).all()
    moment = sym.JoiningMoment(
        leader=0.0, contest_candidates=tuple(candidates), contest_valences=tuple(valences)
    )
    rates = sym.joining_rates(
        MEANS, moment, join_rate=0.5, width=width, contest_surge=50.0, election_surge=10.0
    )
    assert ((rates >= 0) & (rates <= 1)).all()


# --- who comes for the moment, not the party ------------------------------------------


def _rates(moment, **kw):
    params = dict(join_rate=0.01, width=0.3, election_surge=1.0, settled_share=0.4)
    rates = sym.joining_rates(MEANS, moment, contest_surge=3.0, novelty_months=12.0, **params)
    return sym.drawn_shares(MEANS, moment, rates, **params)


def test_joiners_under_a_settled_leader_come_for_the_party():
    settled = sym.JoiningMoment(leader=-0.3, leader_months=10_000)
    assert _rates(settled) == pytest.approx(np.zeros(3), abs=1e-9)
    # A campaign brings joiners for the party too.
    campaign = sym.JoiningMoment(leader=-0.3, leader_months=10_000, campaign=True)
    assert _rates(campaign) == pytest.approx(np.zeros(3), abs=1e-9)


def test_a_new_leader_a_contest_and_a_shock_draw_joiners_for_themselves():
    new_leader = _rates(sym.JoiningMoment(leader=-0.8, leader_months=0))
    # A new leader's wave: 1 - settled_share of the joining is drawn by him.
    assert new_leader == pytest.approx(np.full(3, 0.6))
    contest = _rates(
        sym.JoiningMoment(leader=0.1, leader_months=10_000, contest_candidates=(-0.8, 0.4))
    )
    # The left, far from the leader and with a stake in the contest, comes almost only for it.
    assert contest[0] > 0.95 and contest[0] > contest[2] > 0
    shock = _rates(sym.JoiningMoment(leader=-0.3, leader_months=10_000, shock_multiplier=3.0))
    assert shock == pytest.approx(np.full(3, 2 / 3))


@given(
    leader=st.floats(-1, 1),
    months=st.floats(0, 500),
    shock=st.floats(0, 20),
    campaign=st.booleans(),
)
def test_drawn_shares_are_shares(leader, months, shock, campaign):
    moment = sym.JoiningMoment(
        leader=leader,
        leader_months=months,
        contest_candidates=(-0.8, 0.2),
        contest_valences=(0.3, 0.6),
        campaign=campaign,
        shock_multiplier=shock,
    )
    share = _rates(moment)
    assert ((share >= 0) & (share <= 1)).all()


def test_a_defeat_discredits_the_line_that_lost_it():
    corbyn_2019 = [(4, 0.38, -0.8)]
    on_line = sym.defeat_discredit(-0.8, corbyn_2019, 60, 0.3)
    near = sym.defeat_discredit(-0.6, corbyn_2019, 60, 0.3)
    far = sym.defeat_discredit(-0.2, corbyn_2019, 60, 0.3)
    assert on_line == pytest.approx(0.38 * np.exp(-4 / 60))
    assert on_line > near > far > 0.0 and far < 0.02 * on_line
    # It fades as the defeat recedes, and a win or an unknown line discredits nothing.
    assert sym.defeat_discredit(-0.8, [(60, 0.38, -0.8)], 60, 0.3) == pytest.approx(
        on_line * np.exp(-56 / 60)
    )
    assert sym.defeat_discredit(-0.8, [(4, 0.0, -0.8), (4, 0.38, None)], 60, 0.3) == 0.0
    # Defeats on two lines each count against their own.
    both = [(56, 0.29, -0.3), (4, 0.38, -0.8)]
    assert sym.defeat_discredit(-0.3, both, 60, 0.3) > sym.defeat_discredit(
        -0.3, corbyn_2019, 60, 0.3
    )
    assert sym.defeat_discredit(-0.8, both, 60, 0.3) == pytest.approx(
        on_line + 0.29 * np.exp(-56 / 60) * np.exp(-((0.5 / 0.3) ** 2))
    )


@given(
    position=st.floats(-1.0, 1.0),
    defeats=st.lists(
        st.tuples(
            st.floats(0.0, 240.0),
            st.floats(0.0, 1.0),
            st.one_of(st.none(), st.floats(-1.0, 1.0)),
        ),
        max_size=5,
    ),
    width=st.floats(0.05, 1.0),
)
def test_discredit_is_bounded_by_the_severities_remembered(position, defeats, width):
    value = sym.defeat_discredit(position, defeats, 60.0, width)
    assert 0.0 <= value <= sum(severity for _, severity, _ in defeats) + 1e-12
    # Moving onto the line of the single heaviest recent defeat never lowers it.
    if defeats and defeats[-1][2] is not None:
        assert sym.defeat_discredit(defeats[-1][2], defeats[-1:], 60.0, width) >= (
            sym.defeat_discredit(position, defeats[-1:], 60.0, width)
        )


def test_a_poll_of_the_electorate_counts_first_preferences():
    members = np.array([-0.9, -0.8, -0.7, -0.1, 0.0, 0.1, 0.2, 0.5])
    standing = sym.contest_standing(members, [-0.8, 0.0, 0.4])
    assert standing == pytest.approx((3 / 8, 4 / 8, 1 / 8))
    # Electability moves the undecided middle, not the wings.
    swayed = sym.contest_standing(
        members, [-0.8, 0.0, 0.4], valences=[0.0, 0.0, 1.0], electability_weight=0.25
    )
    assert swayed[2] > standing[2] and swayed[0] == standing[0]
    assert sym.contest_standing(np.zeros(0), [-0.5, 0.5]) == (0.5, 0.5)


def test_a_poll_with_the_voters_noise_matches_simulated_voters():
    # An independent implementation: draw every voter's noise and count
    # first preferences (what contests.utilities does at a ballot).
    rng = np.random.default_rng(7)
    members = rng.normal(-0.5, 0.3, 100_000)
    candidates, valences, weight, sd = [-0.2, -0.6, -0.1], [0.64, -0.33, 0.36], 0.41, 0.239
    polled = sym.contest_standing(
        members, candidates, valences=valences, electability_weight=weight, noise_sd=sd
    )
    utility = (
        -np.abs(members[:, None] - np.array(candidates)[None, :])
        + weight * np.array(valences)[None, :]
        + rng.normal(0.0, sd, (members.size, 3))
    )
    counted = np.bincount(utility.argmax(axis=1), minlength=3) / members.size
    # Three binomial standard errors of a share near 0.5 over 100,000 voters.
    assert polled == pytest.approx(tuple(counted), abs=0.005)


@given(
    first=st.floats(-1.0, 1.0),
    second=st.floats(-1.0, 1.0),
    sd=st.floats(0.05, 1.0),
)
def test_two_candidates_poll_the_probit_closed_form(first, second, sd):
    # With two candidates, P(first) = Phi((u1 - u2) / (sd * sqrt 2)).
    chance = sym.choice_shares(np.array([[first, second]]), sd)
    assert chance[0, 0] == pytest.approx(norm.cdf((first - second) / (sd * np.sqrt(2))), abs=1e-6)
    assert chance[0].sum() == pytest.approx(1.0, abs=1e-6)


@given(
    utility=st.lists(st.floats(-2.0, 2.0), min_size=2, max_size=6),
    sd=st.floats(0.05, 1.0),
)
def test_choice_shares_are_probabilities_ordered_as_the_utilities(utility, sd):
    u = np.array([utility])
    chance = sym.choice_shares(u, sd)[0]
    assert chance.sum() == pytest.approx(1.0, abs=1e-5)
    assert (chance >= -1e-9).all()
    # A better candidate is never less likely to come first.
    order = np.argsort(u[0])
    assert (np.diff(chance[order]) >= -1e-9).all()


def test_a_poll_with_noise_moves_smoothly_where_the_noiseless_one_tips():
    # The left's 2020 candidate: as the electability weight passes the point
    # where it offsets her nearer position, the noiseless poll drops her from
    # about 40% to nothing; the poll with the voters' noise moves by points.
    members = np.random.default_rng(3).normal(-0.5, 0.3, 50_000)
    candidates, valences = [-0.2, -0.6], [0.64, -0.33]

    def left_share(weight, sd):
        return sym.contest_standing(
            members, candidates, valences=valences, electability_weight=weight, noise_sd=sd
        )[1]

    assert left_share(0.40, 0.0) > 0.3 and left_share(0.44, 0.0) == 0.0
    assert 0.0 < left_share(0.40, 0.239) - left_share(0.44, 0.239) < 0.05
    # With no noise, the poll is every voter's favourite, as before.
    assert sym.contest_standing(members, candidates) == sym.contest_standing(
        members, candidates, noise_sd=0.0
    )


def test_a_fringe_candidate_draws_few_and_a_front_runner_draws_as_before():
    means = np.array([-0.7, -0.1, 0.3])
    candidates = [-0.75, -0.1, 0.3]
    plain = sym.contest_stake(means, candidates, 0.3)
    # Viability off, or no poll: the stake is unchanged.
    assert sym.contest_stake(means, candidates, 0.3, standing=(0.1, 0.6, 0.3)) == pytest.approx(
        plain
    )
    assert sym.contest_stake(means, candidates, 0.3, viability=1.0) == pytest.approx(plain)
    fringe = sym.contest_stake(means, candidates, 0.3, standing=(0.1, 0.6, 0.3), viability=1.0)
    # The left's favourite polls a sixth of the front-runner: a sixth of the stake.
    assert fringe[0] == pytest.approx(plain[0] / 6)
    assert fringe[1] == pytest.approx(plain[1])
    assert fringe[2] == pytest.approx(plain[2] / 2)
    steeper = sym.contest_stake(means, candidates, 0.3, standing=(0.1, 0.6, 0.3), viability=2.0)
    assert steeper[0] == pytest.approx(plain[0] / 36)
    # Rising in the polls brings the left in.
    rising = sym.contest_stake(means, candidates, 0.3, standing=(0.5, 0.3, 0.2), viability=1.0)
    assert rising[0] == pytest.approx(plain[0]) and rising[0] > fringe[0]


def test_a_contest_polls_the_members_only_when_viability_is_on():
    from model.party import PartyModel
    from tests.conftest import small_scenario

    contest = {
        "scheduled": [
            {
                "month": "2017-01",
                "closes": "2017-03",
                "kind": "vacancy",
                "candidates": [
                    {"name": "Fringe", "ideology": -0.7, "valence": 0.1},
                    {"name": "Favourite", "ideology": 0.0, "valence": 0.8},
                ],
            }
        ]
    }
    hazard = {}
    for viability in (0.0, 2.0):
        scenario = small_scenario(contests=contest, flows={"viability": viability})
        party = PartyModel(scenario, rng=5)
        membership = party.institutions["membership"]
        party.run_for(4)  # the contest is open in month 4 (January 2017)
        moment = membership.moment()
        assert bool(moment.contest_standing) == (viability > 0)
        if viability:
            assert sum(moment.contest_standing) == pytest.approx(1.0)
            assert moment.contest_standing[0] < moment.contest_standing[1]
        hazard[viability] = membership.joining_rates(moment)
    # The left, whose favourite polls far behind, holds back; the centre,
    # whose favourite leads, comes in as before.
    assert hazard[2.0][0] < 0.7 * hazard[0.0][0]
    assert hazard[2.0][2] == pytest.approx(hazard[0.0][2])


# --- propensity: the most willing join first (gamma frailty) -------------------------


@given(
    spread=st.floats(0.0, 100.0),
    rates=st.lists(st.floats(0.0, 1.0), min_size=1, max_size=12),
)
def test_iterated_depletion_is_the_frailty_formula(spread, rates):
    # Month after month, m' = m / (1 + v b m) is the closed form 1 / (1 + v H) for a
    # fresh segment exposed to a cumulative hazard H = sum of b (Vaupel et al. 1979).
    mean = np.ones(1)
    for b in rates:
        mean = sym.deplete_propensity(mean, np.array([b]), spread)
    assert mean[0] == pytest.approx(1.0 / (1.0 + spread * sum(rates)), rel=1e-9)
    assert 0.0 < mean[0] <= 1.0


def test_depletion_matches_a_population_of_gamma_propensities():
    # An independent check: draw the propensities, let each join with chance
    # 1 - exp(-b p) month by month, and take the mean of those still outside.
    rng = np.random.default_rng(7)
    spread = 4.0
    people = rng.gamma(1.0 / spread, spread, 400_000)
    outside = np.ones(people.size, dtype=bool)
    mean = np.ones(1)
    for b in (0.02, 0.2, 0.05, 0.3, 0.01):
        outside &= rng.random(people.size) >= 1.0 - np.exp(-b * people)
        mean = sym.deplete_propensity(mean, np.array([b]), spread)
    assert people[outside].mean() == pytest.approx(mean[0], rel=0.02)


def test_no_spread_means_everyone_alike():
    mean = sym.deplete_propensity(np.array([1.0, 0.5]), np.array([0.3, 0.9]), 0.0)
    assert mean.tolist() == [1.0, 0.5]


@given(
    mean=st.floats(0.01, 1.0),
    stock=st.floats(0.0, 1e7),
    added=st.floats(0.0, 1e7),
)
def test_fresh_sympathisers_raise_the_mean_propensity_by_their_weight(mean, stock, added):
    mixed = sym.mix_propensity(np.array([mean]), np.array([stock]), np.array([added]))[0]
    assert mean - 1e-12 <= mixed <= 1.0 + 1e-12
    if stock + added > 0 and added > 0:
        assert mixed == pytest.approx((mean * stock + added) / (stock + added))
    if added == 0:
        assert mixed == mean
