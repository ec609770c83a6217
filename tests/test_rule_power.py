"""Say by arena under a rule set, balance points, and what a change does (model.mechanisms.rule_power)."""

from __future__ import annotations

import numpy as np
import pytest

from model.mechanisms.proposals import RESELECTION_OPENNESS
from model.mechanisms.rule_power import (
    ARENAS,
    GROUPS,
    RESELECTION_SAY,
    balance,
    change_effect,
    ideological_gain,
    leadership_say,
    nec_say,
    say,
)
from model.rules.schema import get_preset, preset_names

POSITIONS = {
    # members left of the PLP; supporters and levy payers further left
    "leadership": {"plp": 0.0, "members": -0.4, "supporters": -0.6, "affiliates": -0.5},
    "reselection": {"plp": 0.0, "members": -0.4, "affiliates": -0.3},
    "nec": {"plp": 0.0, "members": -0.4, "affiliates": -0.3},
}


@pytest.mark.parametrize("name", preset_names())
def test_say_sums_to_one_in_every_arena(name):
    power = say(get_preset(name), fee_elasticity=0.3)
    assert set(power) == set(ARENAS)
    for arena in ARENAS:
        assert set(power[arena]) == set(GROUPS)
        assert sum(power[arena].values()) == pytest.approx(1.0)
        assert all(v >= 0 for v in power[arena].values())


def test_leadership_say_by_hand():
    # 2010: a 12.5% PLP gate, then thirds.
    college = leadership_say(get_preset("labour_2010").leadership)
    assert college["plp"] == pytest.approx(0.125 + 0.875 / 3)
    assert college["affiliates"] == pytest.approx(0.875 / 3)
    assert college["supporters"] == 0
    # 2021: a 20% gate and no supporters; members and affiliated supporters share
    # the ballot 2015's way (245,520 : 71,546 first preferences); each route adds half 5%.
    omov = leadership_say(get_preset("labour_2021").leadership)
    ballot = 1 - 0.2 - 0.025 - 0.025
    assert omov["plp"] == pytest.approx(0.2)
    assert omov["members"] == pytest.approx(0.025 + ballot * 245520 / (245520 + 71546))
    assert omov["supporters"] == 0


def test_a_higher_fee_shrinks_the_supporters_say():
    cheap = leadership_say(get_preset("labour_2014").leadership, fee_elasticity=0.3)
    dear = leadership_say(get_preset("labour_2016").leadership, fee_elasticity=0.3)
    assert dear["supporters"] < cheap["supporters"]
    flat = leadership_say(get_preset("labour_2016").leadership, fee_elasticity=0.0)
    assert flat["supporters"] > dear["supporters"]


def test_members_say_over_reselection_rises_with_openness():
    by_openness = sorted(RESELECTION_SAY, key=RESELECTION_OPENNESS.get)
    members = [RESELECTION_SAY[m]["members"] for m in by_openness]
    plp = [RESELECTION_SAY[m]["plp"] for m in by_openness]
    assert members == sorted(members) and plp == sorted(plp, reverse=True)
    for method in RESELECTION_SAY.values():
        assert sum(method.values()) == pytest.approx(1.0)


def test_nec_say_is_seat_shares():
    nec = get_preset("labour_2021").nec
    shares = nec_say(nec)
    assert shares["members"] == pytest.approx((9 + 1 + 1 + 1) / 39)
    assert shares["affiliates"] == pytest.approx((13 + 1) / 39)


def test_balance_and_gain_by_hand():
    assert balance({"plp": 0.5, "members": 0.5}, {"plp": 0.0, "members": -0.4}) == pytest.approx(
        -0.2
    )
    assert balance({"plp": 1.0, "members": 0.0}, {"members": -0.4}) == 0.0  # no positions: 0


def test_the_college_of_thirds_moves_power_to_the_plp():
    effect = change_effect(get_preset("labour_2021"), get_preset("college_thirds_2021"), POSITIONS)
    assert effect.say_change("plp") > 0 and effect.say_change("members") < 0
    assert effect.arena_say_change("leadership", "affiliates") > 0.05  # the unions' section grows
    assert effect.shift > 0  # towards the PLP, on the right of the members
    # An MP-side actor gains, a member-side actor loses.
    assert ideological_gain(0.1, effect) > 0 > ideological_gain(-0.5, effect)
    gains = ideological_gain(np.array([0.1, -0.5]), effect)
    assert gains[0] > 0 > gains[1]
    # Nothing changes: nobody gains.
    same = change_effect(get_preset("labour_2021"), get_preset("labour_2021"), POSITIONS)
    assert same.shift == 0 and ideological_gain(0.3, same) == 0
    assert set(effect.to_dict()) == {"balance_before", "balance_after", "say_change", "shift"}


def test_open_selection_takes_the_affiliates_part_away():
    effect = change_effect(get_preset("labour_2018"), get_preset("open_selection"), POSITIONS)
    assert effect.arena_say_change("reselection", "affiliates") == pytest.approx(-0.2)
    assert effect.arena_say_change("reselection", "members") == pytest.approx(0.4)
