"""Tests for model.mechanisms.seat_swing: uniform and proportional swing, seat by seat.

The hand-checked seat is Bury North at the 2019 election (the Conservatives
won it by 105 votes); its votes and the national totals are written out below
from the packaged results file, and the swing is computed by hand in the
comments. Property tests (hypothesis) run on random vote tables and on the
real 2010–2019 results.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from model.data.seats import YEARS, load_seats
from model.mechanisms.seat_swing import (
    PARTIES,
    SWING_METHODS,
    national_shares,
    others_follow_labour,
    party_coverage,
    proportional_swing,
    seat_outcome,
    swing_seats,
    target_shares,
    uniform_swing,
)

BURY_NORTH = "E14000611"

# 2019, UK-wide (all 650 seats), from ge_results_2010_2019.csv:
VALID_2019 = 32_014_110  # valid votes
LAB_2019 = 10_269_051  # Labour votes        -> national share 0.3207664058
CON_2019 = 13_966_454  # Conservative votes  -> national share 0.4362593244
# Valid votes cast in the seats where the party stood: Labour stood in 631 seats
# (not the 18 in Northern Ireland, 799,035 votes, nor Chorley, the Speaker's
# seat, 39,870 votes); the Conservatives in 645 (not Chorley nor 14 NI seats).
LAB_STOOD_VALID_2019 = 31_175_205  # = 32,014,110 − 799,035 − 39,870
CON_STOOD_VALID_2019 = 31_335_999


@pytest.fixture(scope="module")
def seats():
    return load_seats()


def _real(seats, year):
    res = seats.result(year)
    return res.shares, res.valid_votes, res.other_top


def test_national_shares_and_coverage_match_the_totals_written_out(seats):
    shares, votes, _ = _real(seats, 2019)
    national = national_shares(shares, votes)
    assert national[0] == pytest.approx(LAB_2019 / VALID_2019, abs=1e-12)
    assert national[1] == pytest.approx(CON_2019 / VALID_2019, abs=1e-12)
    coverage = party_coverage(shares, votes)
    assert coverage[0] == pytest.approx(LAB_STOOD_VALID_2019 / VALID_2019, abs=1e-12)
    assert coverage[1] == pytest.approx(CON_STOOD_VALID_2019 / VALID_2019, abs=1e-12)
    ni = seats.nation == "Northern Ireland"
    chorley = seats.index("E14000637")
    assert VALID_2019 - votes[ni].sum() - votes[chorley] == LAB_STOOD_VALID_2019


def test_uniform_swing_on_bury_north_by_hand(seats):
    # Bury North 2019: Lab 21,555, Con 21,660, LD 1,584, other 2,042; valid 46,841.
    #   shares: lab 0.4601738, con 0.4624154, ld 0.0338165, other 0.0435943.
    # Scenario: Labour +1 point nationally, Conservatives −1 point, the rest unchanged.
    # Uniform swing adds each party's national change divided by its coverage
    # (share of the national vote cast where it stood), in every seat it stood:
    #   Labour:        +0.01 / (31,175,205 / 32,014,110) = +0.01 / 0.9737958 = +0.0102691
    #   Conservatives: −0.01 / (31,335,999 / 32,014,110) = −0.01 / 0.9788184 = −0.0102164
    # Raw shares: lab 0.4704429, con 0.4521990, ld 0.0338165, other 0.0435943,
    #   which add up to 1 + 0.0102691 − 0.0102164 = 1.0000527; divided by that:
    #   lab 0.4704181, con 0.4521752 -> Labour gains the seat by 0.0182429.
    shares, votes, top = _real(seats, 2019)
    base = national_shares(shares, votes)
    others = {p: float(base[k]) for k, p in enumerate(PARTIES) if k}
    others["con"] -= 0.01
    result = uniform_swing(shares, votes, float(base[0]) + 0.01, others=others, other_top=top)
    i = seats.index(BURY_NORTH)
    assert seats.result(2019).winner[i] == "con"
    assert result.shares[i, 0] == pytest.approx(0.4704181, abs=5e-7)
    assert result.shares[i, 1] == pytest.approx(0.4521752, abs=5e-7)
    assert result.shares[i, 2] == pytest.approx(0.0338165 / 1.0000527, abs=5e-7)
    assert result.winner[i] == "lab"
    assert result.lab_margin[i] == pytest.approx(0.0182429, abs=5e-7)


def test_proportional_swing_on_bury_north_by_hand(seats):
    # Scenario: Labour's national share rises from 0.3207664 (10,269,051 / 32,014,110)
    # to 0.35; only Labour's is given, so the others keep their proportions: each
    # is multiplied by (1 − 0.35) / (1 − 0.3207664) = 0.65 / 0.6792336 = 0.9569609.
    # Proportional swing multiplies Labour's seat share by 0.35 / 0.3207664 = 1.0911367.
    # Bury North: lab 0.4601738 × 1.0911367 = 0.5021127;
    #   con 0.4624154 × 0.9569609 = 0.4425134; the rest (LD, other) 0.0774107 × 0.9569609.
    #   Sum: 0.5021127 + (1 − 0.4601738) × 0.9569609 = 1.0187051; divided by it:
    #   lab 0.4928929, con 0.4343882 -> Labour gains the seat by 0.0585047.
    shares, votes, top = _real(seats, 2019)
    result = proportional_swing(shares, votes, 0.35, other_top=top)
    i = seats.index(BURY_NORTH)
    assert result.target[0] == 0.35
    assert result.target[1] == pytest.approx(CON_2019 / VALID_2019 * 0.9569609, abs=1e-7)
    assert result.shares[i, 0] == pytest.approx(0.4928929, abs=5e-7)
    assert result.shares[i, 1] == pytest.approx(0.4343882, abs=5e-7)
    assert result.winner[i] == "lab"
    assert result.lab_margin[i] == pytest.approx(0.0585047, abs=5e-7)


def test_others_follow_labour_by_hand():
    # Labour 0.30 -> 0.40: the others share 0.60 instead of 0.70, each × 6/7.
    base = np.array([0.30, 0.40, 0.20, 0.05, 0.0, 0.05])
    target = others_follow_labour(base, 0.40)
    assert target.tolist() == pytest.approx(
        [0.40, 0.40 * 6 / 7, 0.20 * 6 / 7, 0.05 * 6 / 7, 0.0, 0.05 * 6 / 7]
    )
    assert target.sum() == pytest.approx(1.0)


@pytest.mark.parametrize("year", YEARS)
@pytest.mark.parametrize("method", SWING_METHODS)
def test_zero_swing_reproduces_the_real_result(seats, year, method):
    shares, votes, top = _real(seats, year)
    res = seats.result(year)
    result = swing_seats(
        shares, votes, float(national_shares(shares, votes)[0]), method=method, other_top=top
    )
    # Minor parties, independents and the Speaker are all "other" in the swing model.
    expected = np.where(np.isin(res.winner, PARTIES[:-1]), res.winner, "other")
    assert (result.winner == expected).all()
    assert result.seats_won()["lab"] == int(res.labour_won.sum())
    assert np.allclose(result.lab_margin, res.lab_margin, atol=1e-6)  # the CSV's 6 decimals


def test_swing_from_2015_to_2017_is_in_the_right_range(seats):
    # A pattern check, not a forecast: uniform swing from 2015 to 2017's national
    # shares gives Labour about as many seats as it won (262), though it cannot
    # know about the SNP's losses in Scotland.
    shares, votes, top = _real(seats, 2015)
    national_2017 = seats.result(2017).national_shares()
    others = {p: float(national_2017[k]) for k, p in enumerate(PARTIES) if k}
    won = uniform_swing(shares, votes, float(national_2017[0]), others=others, other_top=top)
    assert 240 <= won.seats_won()["lab"] <= 300


@pytest.mark.parametrize("method", SWING_METHODS)
def test_match_national_hits_the_target(seats, method):
    shares, votes, top = _real(seats, 2019)
    plain = swing_seats(shares, votes, 0.45, method=method, other_top=top)
    matched = swing_seats(shares, votes, 0.45, method=method, other_top=top, match_national=True)
    assert abs(plain.achieved[0] - 0.45) > 1e-4  # renormalising moves the national share
    assert np.allclose(matched.achieved, matched.target, atol=1e-8)


@pytest.mark.parametrize("method", SWING_METHODS)
def test_a_nation_can_swing_on_its_own(seats, method):
    shares, votes, top = _real(seats, 2010)
    scotland = seats.nation == "Scotland"
    base_scotland = national_shares(shares[scotland], votes[scotland])[0]
    result = swing_seats(
        shares,
        votes,
        0.304,
        method=method,
        nations=seats.nation,
        nation_swing={"Scotland": -0.18},
        other_top=top,
        match_national=True,
    )
    scotland_after = national_shares(result.shares[scotland], votes[scotland])[0]
    assert scotland_after == pytest.approx(base_scotland - 0.18, abs=1e-8)
    assert result.achieved[0] == pytest.approx(0.304, abs=1e-8)  # still the UK-wide figure
    plain = swing_seats(shares, votes, 0.304, method=method, other_top=top)
    lab_in_scotland = int((result.labour_won & scotland).sum())
    assert lab_in_scotland < int((plain.labour_won & scotland).sum())
    # Labour's losses in Scotland are made up elsewhere, so England and Wales swing more.
    elsewhere = ~scotland & seats.contested
    assert (result.shares[elsewhere, 0] >= plain.shares[elsewhere, 0] - 1e-12).all()


def test_bad_inputs_are_refused(seats):
    shares, votes, _ = _real(seats, 2019)
    with pytest.raises(ValueError, match="unknown swing method"):
        swing_seats(shares, votes, 0.3, method="cube")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="missing: snp"):
        swing_seats(shares, votes, 0.3, others={"con": 0.4, "ld": 0.1, "pc": 0.01, "other": 0.19})
    with pytest.raises(ValueError, match="add up to 1"):
        target_shares(
            np.full(6, 1 / 6), 0.3, {"con": 0.4, "ld": 0.1, "snp": 0.1, "pc": 0.01, "other": 0.19}
        )
    with pytest.raises(ValueError, match="no seats in nation 'Scotand'"):
        swing_seats(shares, votes, 0.3, nations=seats.nation, nation_swing={"Scotand": -0.1})
    with pytest.raises(ValueError, match="covers every seat"):
        swing_seats(
            shares,
            votes,
            0.3,
            nations=seats.nation,
            nation_swing=dict.fromkeys(["England", "Scotland", "Wales", "Northern Ireland"], 0.0),
        )
    with pytest.raises(ValueError, match="within \\[0, 1\\]"):
        swing_seats(shares, votes, 1.2)
    with pytest.raises(ValueError, match="shape"):
        swing_seats(shares[:, :5], votes, 0.3)


# --- properties -----------------------------------------------------------------------------


@st.composite
def vote_tables(draw, max_seats: int = 25):
    """Random seats: integer votes per party (some parties absent from some seats)."""
    n = draw(st.integers(1, max_seats))
    cells = st.integers(0, 20_000)
    votes = np.array(
        draw(st.lists(st.lists(cells, min_size=6, max_size=6), min_size=n, max_size=n))
    )
    votes[:, 1] += 1  # every seat has a vote, and Labour never has them all
    valid = votes.sum(axis=1)
    top = np.array(draw(st.lists(st.floats(0.0, 1.0), min_size=n, max_size=n)))
    return votes / valid[:, None], valid.astype(float), top


methods = st.sampled_from(SWING_METHODS)


@settings(max_examples=150, deadline=None)
@given(vote_tables(), methods)
def test_zero_swing_keeps_every_winner(table, method):
    shares, votes, top = table
    base = national_shares(shares, votes)
    result = swing_seats(shares, votes, float(base[0]), method=method, other_top=top)
    winner, _ = seat_outcome(shares, top)
    assert (result.winner == winner).all()
    assert np.allclose(result.shares, shares, atol=1e-12)


@settings(max_examples=150, deadline=None)
@given(vote_tables(), st.floats(0.0, 1.0), st.floats(0.0, 1.0))
def test_more_labour_votes_never_lose_labour_a_seat_under_uniform_swing(table, a, b):
    shares, votes, top = table
    low, high = min(a, b), max(a, b)
    before = uniform_swing(shares, votes, low, other_top=top)
    after = uniform_swing(shares, votes, high, other_top=top)
    assert not (before.labour_won & ~after.labour_won).any()


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(YEARS), st.floats(0.0, 0.8), st.floats(0.0, 0.8))
def test_more_labour_votes_never_lose_labour_a_real_seat(year, a, b):
    seats = load_seats()
    shares, votes, top = _real(seats, year)
    low, high = min(a, b), max(a, b)
    before = uniform_swing(shares, votes, low, other_top=top)
    after = uniform_swing(shares, votes, high, other_top=top)
    assert not (before.labour_won & ~after.labour_won).any()
    assert after.seats_won()["lab"] >= before.seats_won()["lab"]


@settings(max_examples=150, deadline=None)
@given(
    vote_tables(),
    methods,
    st.floats(0.0, 1.0),
    st.one_of(st.none(), st.lists(st.floats(0.0, 1.0), min_size=5, max_size=5)),
)
def test_shares_stay_in_unit_interval_and_sum_to_one(table, method, lab, weights):
    shares, votes, top = table
    others = None
    if weights is not None and sum(weights) > 0:
        scale = (1.0 - lab) / sum(weights)
        others = {p: w * scale for p, w in zip(PARTIES[1:], weights, strict=True)}
    result = swing_seats(shares, votes, lab, method=method, others=others, other_top=top)
    assert np.all(result.shares >= 0) and np.all(result.shares <= 1)
    assert np.allclose(result.shares.sum(axis=1), 1.0)
    assert set(result.winner.tolist()) <= set(PARTIES)
    assert ((result.lab_margin > 0) <= (result.winner == "lab")).all()
    # A party never appears in a seat where it did not stand.
    assert np.all(result.shares[shares == 0] == 0)
