"""Tests for model.mechanisms.elections: vote share, seats curve, seats changing hands, resignations, challenges.

Published seat counts are read from the packaged validation data set
(model/data/labour/labour_history.json), never typed in here. Vote shares are the module's stated assumptions.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest
from pydantic import ValidationError

from model.calendar import Month
from model.data import read_json
from model.mechanisms.elections import (
    ASSUMED_VOTE_SHARES,
    OUTLIER_ELECTIONS,
    SHARE_BOUNDS,
    GeneralElectionResult,
    HistoricalSeries,
    challenge_due,
    election_schedule,
    fit_seats_curve,
    general_election_result,
    is_slump,
    leader_resigns,
    monthly_poll,
    national_vote_share,
    poll_slump,
    seats_from_share,
    seats_lost_and_gained,
)
from model.scenario.schema import ChallengeSpec, ElectionSpec

# Stated error of the fitted curve on the in-sample elections (all but 2024).
MAX_IN_SAMPLE_ERROR = 50  # seats
MAX_IN_SAMPLE_RMSE = 35  # seats


@pytest.fixture(scope="module")
def data() -> dict[str, Any]:
    return read_json("labour", "labour_history.json")


@pytest.fixture(scope="module")
def seats(data: dict[str, Any]) -> dict[int, int]:
    table = data["plp_and_constituencies"]["labour_seats_at_general_elections"]
    return {int(year): entry["value"] for year, entry in table.items()}


@pytest.fixture(scope="module")
def house(data: dict[str, Any]) -> int:
    return data["plp_and_constituencies"]["house_of_commons_seats"]["2024"]["value"]


@pytest.fixture(scope="module")
def pairs(seats: dict[int, int]) -> dict[int, tuple[float, int]]:
    assert set(ASSUMED_VOTE_SHARES) == set(seats)
    return {year: (ASSUMED_VOTE_SHARES[year], seats[year]) for year in seats}


# --- the seats curve ----------------------------------------------------------------


def test_fitted_seats_curve_is_monotone_and_close_in_sample(pairs, house):
    fit = fit_seats_curve(pairs, total_seats=house, exclude=OUTLIER_ELECTIONS)
    assert fit.excluded == ("2024",)
    grid = np.linspace(*SHARE_BOUNDS, 200)
    curve = [fit.seats(s) for s in grid]
    assert all(b >= a for a, b in zip(curve, curve[1:], strict=False))
    assert curve[-1] > curve[0]
    assert fit.exponent >= 1.0
    assert fit.max_abs_error <= MAX_IN_SAMPLE_ERROR, fit.residuals
    assert fit.rmse <= MAX_IN_SAMPLE_RMSE
    assert set(fit.residuals) == {"2010", "2015", "2017", "2019"}
    # 2024 is the documented outlier: a share-only curve misses it badly
    share_2024, seats_2024 = pairs[2024]
    assert seats_2024 - fit.seats(share_2024) > 100


def test_scenario_defaults_are_the_fitted_curve(pairs, house):
    fit = fit_seats_curve(pairs, total_seats=house, exclude=OUTLIER_ELECTIONS)
    spec = ElectionSpec()
    assert spec.seats_half_share == pytest.approx(fit.half_share, abs=0.002)
    assert spec.seats_exponent == pytest.approx(fit.exponent, abs=0.01)


def test_seats_curve_shape():
    assert seats_from_share(0.4, total_seats=650, half_share=0.4, exponent=3) == 325
    previous = -1
    for share in np.linspace(0.05, 0.7, 100):
        now = seats_from_share(share, half_share=0.459, exponent=1.0)
        assert now >= previous
        previous = now
    # a steeper exponent amplifies a lead
    assert seats_from_share(0.45, half_share=0.4, exponent=3) > seats_from_share(
        0.45, half_share=0.4, exponent=1
    )
    assert seats_from_share(0.3, total_seats=60) < seats_from_share(0.3, total_seats=650)
    with pytest.raises(ValueError):
        seats_from_share(0.3, half_share=1.0)


def test_fit_needs_points():
    with pytest.raises(ValueError, match="two"):
        fit_seats_curve({2010: (0.29, 258)})


# --- seats changing hands ------------------------------------------------------------------


def test_most_marginal_seats_are_lost_first_ties_by_index():
    held = np.array([True, True, True, True, False, True])
    marginality = np.array([0.5, -0.2, 0.1, -0.2, 0.9, 0.0])
    lost, gained = seats_lost_and_gained(held, marginality, new_total=2)
    assert lost.tolist() == [1, 3, 5]  # -0.2 (CLP 1, then 3 on the tie), then 0.0
    assert gained.size == 0


def test_most_winnable_seats_are_gained_first():
    held = np.array([True, False, False, False, True])
    marginality = np.array([0.0, -0.5, 0.3, 0.3, 1.0])
    lost, gained = seats_lost_and_gained(held, marginality, new_total=4)
    assert lost.size == 0 and gained.tolist() == [2, 3]
    lost, gained = seats_lost_and_gained(held, marginality, new_total=99)  # clipped
    assert gained.tolist() == [2, 3, 1]
    lost, gained = seats_lost_and_gained(held, marginality, new_total=2)
    assert lost.size == 0 and gained.size == 0


# --- the general election ---------------------------------------------------------------------


def _house(n: int = 650, held: int = 232, seed: int = 0):
    rng = np.random.default_rng(seed)
    marginality = rng.normal(0.0, 1.0, n)
    mask = np.zeros(n, dtype=bool)
    mask[np.argsort(-marginality)[:held]] = True  # the party holds its safest seats
    return mask, marginality


def test_historical_mode_uses_the_given_seats(seats, house):
    params = ElectionSpec(
        dates=["2017-06", "2019-12"],
        historical_seats={"2017-06": seats[2017], "2019-12": seats[2019]},
    )
    held, marginality = _house(house, seats[2015])
    result = general_election_result(
        "2017-06",
        held=held,
        marginality=marginality,
        leader_ideology=-0.8,
        leader_valence=0.4,
        params=params,
        rng=np.random.default_rng(1),
    )
    assert result.mode == "historical" and result.vote_share is None
    assert result.seats == seats[2017]
    assert len(result.gained) == seats[2017] - seats[2015] and not result.lost
    assert not result.won and result.majority_seats == house // 2 + 1
    # a scaled-down house gets the same share of its seats
    small_held, small_marg = _house(60, 21)
    small = general_election_result(
        Month(2019, 12),
        held=small_held,
        marginality=small_marg,
        leader_ideology=-0.8,
        leader_valence=0.4,
        params=params,
        rng=np.random.default_rng(1),
    )
    assert small.seats == round(seats[2019] * 60 / 650)
    json.dumps(result.to_dict())


def test_computed_mode_is_reproducible_and_follows_the_leader():
    params = ElectionSpec()
    held, marginality = _house()

    def run(ideology: float, seed: int) -> GeneralElectionResult:
        return general_election_result(
            "2020-05",
            held=held,
            marginality=marginality,
            leader_ideology=ideology,
            leader_valence=0.5,
            params=params,
            rng=np.random.default_rng(seed),
        )

    assert run(-0.8, 3) == run(-0.8, 3)
    assert run(-0.8, 3).mode == "computed"
    near = np.mean([run(params.electorate_median, s).seats for s in range(30)])
    far = np.mean([run(-0.9, s).seats for s in range(30)])
    assert near > far + 20


def test_win_needs_the_majority_threshold():
    held, marginality = _house(650, 300)
    params = ElectionSpec(historical_seats={"2024-07": 326, "2019-12": 325})
    kwargs = dict(held=held, marginality=marginality, leader_ideology=0.0, leader_valence=0.0)
    rng = np.random.default_rng(0)
    assert general_election_result("2024-07", params=params, rng=rng, **kwargs).won
    assert not general_election_result("2019-12", params=params, rng=rng, **kwargs).won
    strict = ElectionSpec(historical_seats={"2024-07": 326}, majority_seats=400)
    assert not general_election_result("2024-07", params=strict, rng=rng, **kwargs).won


def test_national_vote_share():
    kwargs = dict(base_share=0.42, distance_penalty=0.08, valence_weight=0.04)
    near = national_vote_share(0.1, 0.5, 0.1, **kwargs)
    far = national_vote_share(-0.9, 0.5, 0.1, **kwargs)
    assert near == pytest.approx(0.44) and far == pytest.approx(0.36)
    assert (
        national_vote_share(0.1, 0.5, 0.1, base_share=0.99, distance_penalty=0, valence_weight=0)
        == SHARE_BOUNDS[1]
    )
    with pytest.raises(ValueError, match="rng"):
        national_vote_share(0.0, 0.0, 0.0, noise_sd=0.1, **kwargs)
    a = national_vote_share(0.0, 0.0, 0.0, noise_sd=0.1, rng=np.random.default_rng(4), **kwargs)
    b = national_vote_share(0.0, 0.0, 0.0, noise_sd=0.1, rng=np.random.default_rng(4), **kwargs)
    assert a == b


def test_election_schedule():
    start = Month(2016, 10)
    params = ElectionSpec(dates=["2019-12", "2017-06", "2030-01", "2015-05"])
    assert [str(m) for m in election_schedule(start, 120, params)] == ["2017-06", "2019-12"]
    every = election_schedule(start, 130, ElectionSpec(parliament_months=60))
    assert [str(m) for m in every] == ["2021-10", "2026-10"]
    fixed = election_schedule(start, 120, ElectionSpec(first="2017-06", parliament_months=60))
    assert [str(m) for m in fixed] == ["2017-06", "2022-06"]


def test_election_spec_validates():
    with pytest.raises(ValidationError):
        ElectionSpec(dates=["2017-13"])
    with pytest.raises(ValidationError, match="historical_total_seats"):
        ElectionSpec(historical_seats={"2017-06": 700})
    with pytest.raises(ValidationError):
        ElectionSpec(resignation_probability=1.5)


# --- resignation and challenge ------------------------------------------------------------------


def _result(won: bool) -> GeneralElectionResult:
    return GeneralElectionResult(
        month="2019-12",
        mode="historical",
        vote_share=None,
        seats=400 if won else 202,
        seats_before=262,
        total_seats=650,
        majority_seats=326,
        won=won,
        lost=(),
        gained=(),
    )


def test_resignation_after_defeat_follows_the_probability():
    defeat, win = _result(False), _result(True)
    assert defeat.defeat and not win.defeat
    for seed in range(50):
        rng = np.random.default_rng(seed)
        assert leader_resigns(defeat, resignation_probability=1.0, rng=rng)
        assert not leader_resigns(defeat, resignation_probability=0.0, rng=rng)
        assert not leader_resigns(win, resignation_probability=1.0, rng=rng)
    half = [
        leader_resigns(defeat, resignation_probability=0.5, rng=np.random.default_rng(s))
        for s in range(400)
    ]
    assert 0.4 < np.mean(half) < 0.6


def test_a_defeat_with_seats_gained_keeps_the_leader():
    # 2017: 262 seats from 232, a defeat, and no vacancy or challenge.
    from dataclasses import replace

    from model.mechanisms.elections import strengthened

    lost, gained = _result(False), replace(_result(False), seats=262, seats_before=232)
    for seed in range(50):
        rng = np.random.default_rng(seed)
        assert leader_resigns(lost, resignation_probability=1.0, rng=rng)
        assert not leader_resigns(gained, resignation_probability=1.0, rng=rng)
        assert leader_resigns(gained, resignation_probability=0.0, after_gains=1.0, rng=rng)
    assert strengthened(gained) and not strengthened(lost) and not strengthened(_result(True))


def test_challenge_needs_a_shock_and_more_than_the_threshold():
    mps = np.array([0.3, 0.3, 0.3, -0.8, -0.8, -0.7, -0.7, -0.7, -0.75, -0.8])  # 3 of 10 far
    due, share = challenge_due(mps, -0.8, distance=0.5, share_threshold=0.5, shock=True)
    assert not due and share == pytest.approx(0.3)
    due, share = challenge_due(mps, -0.8, distance=0.5, share_threshold=0.2, shock=True)
    assert due and share == pytest.approx(0.3)
    due, _ = challenge_due(mps, -0.8, distance=0.5, share_threshold=0.2, shock=False)
    assert not due
    due, _ = challenge_due(mps, -0.8, distance=0.5, share_threshold=0.3, shock=True)
    assert not due  # exactly at the threshold: not more than it
    assert challenge_due(np.array([]), 0.0, distance=0.5, share_threshold=0.0, shock=True) == (
        False,
        0.0,
    )
    assert ChallengeSpec().share_threshold == 0.5


# --- polls ------------------------------------------------------------------------------


def test_monthly_poll_moves_towards_the_target():
    poll = 0.30
    for _ in range(60):
        poll = monthly_poll(poll, 0.40, persistence=0.9, noise_sd=0.0, rng=np.random.default_rng(0))
    assert poll == pytest.approx(0.40, abs=0.001)
    one = monthly_poll(0.30, 0.40, persistence=0.9, noise_sd=0.0, rng=np.random.default_rng(0))
    assert one == pytest.approx(0.31)
    a = monthly_poll(0.3, 0.4, persistence=0.9, noise_sd=0.02, rng=np.random.default_rng(9))
    b = monthly_poll(0.3, 0.4, persistence=0.9, noise_sd=0.02, rng=np.random.default_rng(9))
    assert a == b


def test_slump():
    assert is_slump(0.30, 0.36, 0.05)
    assert not is_slump(0.33, 0.36, 0.05)
    series = [0.40] + [0.38] * 11 + [0.34]
    assert poll_slump(series, window=12, drop=0.05)
    assert not poll_slump(series[1:], window=12, drop=0.05)  # too short
    assert not poll_slump([0.40] * 13, window=12, drop=0.05)


def test_historical_series_scaling():
    series = HistoricalSeries({"2017-06": 262})
    assert series.seats_at("2017-06", 650) == 262
    assert series.seats_at(Month(2017, 6), 65) == 26
    assert series.seats_at("2017-07", 650) is None
