"""Meetings: the few who attend decide, at the meeting's real size, place by place."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from model.mechanisms import dynamics, meetings


def meet(
    ideology,
    activism,
    faction,
    *,
    lines=(-0.7,),
    discipline=(1.0,),
    targeted=None,
    mobilisation=None,
    places=10,
    method="slate",
    incumbent=-1,
    scale=1.0,
    units=None,
    seed=0,
    affinity=0.1,
    unorganised=0.3,
    independent=0.37,
    own=None,
    pool=None,
    rng=None,
):
    n = len(ideology)
    clp = np.zeros(n, dtype=np.int32) if units is None else np.asarray(units, dtype=np.int32)
    ids = np.unique(clp)
    lines = np.array(lines, dtype=float)
    return meetings.hold_meetings(
        ids,
        clp,
        np.arange(n),
        ideology=np.asarray(ideology, dtype=float),
        activism=np.asarray(activism, dtype=np.float32),
        faction=np.asarray(faction, dtype=np.int16),
        clp=clp,
        targeted=np.zeros((lines.size, ids.size), bool) if targeted is None else targeted,
        mobilisation=np.ones(lines.size) if mobilisation is None else mobilisation,
        faction_lines=lines,
        discipline=np.array(discipline, dtype=float),
        affinity=affinity,
        unorganised_weight=unorganised,
        independent_weight=independent,
        places=places,
        method=method,
        incumbent=np.full(ids.size, incumbent),
        scale=scale,
        rng=np.random.default_rng(seed) if rng is None else rng,
        own=own,
        pool=pool,
    )


def test_a_disciplined_minority_that_turns_up_takes_the_executive():
    n = 1000
    # 200 faction members who always attend; 800 unaligned members far from
    # its line who rarely do.
    faction = np.where(np.arange(n) < 200, 0, -1)
    activism = np.where(faction == 0, 1.0, 0.05)
    ideology = np.where(faction == 0, -0.7, 0.3)
    result = meet(ideology, activism, faction)
    assert result.votes[0, 0] == 200  # every attending member votes the slate
    assert result.places[0].tolist() == [10, 0]
    assert result.winner.tolist() == [0]
    assert result.eligible.tolist() == [n]


def test_unaligned_attenders_split_between_slates_so_places_can_be_mixed():
    # Unaligned attenders as near the faction's line as the affinity scale:
    # each place is a fresh choice between its slate and the independents.
    n = 400
    result = meet(np.full(n, -0.6), np.ones(n), np.full(n, -1), affinity=0.1, unorganised=1.0)
    # No faction member present: the faction has no slate at all.
    assert result.places[0].tolist() == [0, 10]
    faction = np.where(np.arange(n) < 5, 0, -1)
    mixed = meet(np.full(n, -0.6), np.ones(n), faction, affinity=0.1, unorganised=1.0, seed=3)
    assert mixed.places[0].sum() == 10
    assert 0 < mixed.places[0, 0] < 10  # a nine-of-ten kind of executive


def test_control_needs_a_majority_of_places():
    result = meetings.elect_places(
        np.array([[[6, 4]] * 5 + [[4, 6]] * 5]),
        10,
        "slate",
        np.array([1]),
        np.random.default_rng(0),
    )[0]
    assert result.tolist() == [[5, 5]]
    proportional, _ = meetings.elect_places(
        np.array([[[62, 38]]]), 10, "proportional", np.array([1]), np.random.default_rng(0)
    )
    assert proportional.tolist() == [[6, 4]]  # Droop quota 10, remainders 2 and 8


def test_the_incumbent_keeps_a_tied_place():
    won, lot = meetings.elect_places(
        np.array([[[2, 2, 0]]]), 1, "slate", np.array([1]), np.random.default_rng(0)
    )
    assert won.tolist() == [[0, 1, 0]] and not lot[0]


def test_mobilisation_raises_attendance_only_where_targeted():
    n = 200_000
    activism = np.full(n, 0.1, dtype=np.float32)
    faction = np.zeros(n, dtype=np.int16)
    clp = np.where(np.arange(n) < n // 2, 0, 1)
    targeted = np.array([[True, False]])
    p = meetings.attendance_chance(activism, faction, clp, targeted, np.array([3.0]))
    assert np.allclose(p[clp == 0], 0.3) and np.allclose(p[clp == 1], 0.1)


def test_real_weights_round_one_over_scale_at_random():
    rng = np.random.default_rng(0)
    assert (meetings.real_weights(5, 1.0, rng) == 1).all()
    w = meetings.real_weights(100_000, 0.3, rng)
    assert set(np.unique(w)) == {3, 4} and w.mean() == pytest.approx(1 / 0.3, rel=0.01)


def _members(n_real, scale, rng):
    """A CLP's members at a scale: as many simulated as the scale says, from one population."""
    n = max(1, round(n_real * scale))
    faction = np.where(rng.random(n) < 0.08, 0, -1)
    ideology = np.where(faction == 0, -0.65, rng.normal(-0.3, 0.3, n))
    activism = rng.beta(0.6, 7.4, n)
    return ideology, activism, faction


def test_meeting_outcomes_have_the_same_distribution_at_any_scale():
    # 600 CLPs of 900 real members each, at scale 0.1 and 1.0: attendance and
    # the faction's places come from one distribution (two-sample KS tests).
    out = {}
    for scale in (0.1, 1.0):
        rng = np.random.default_rng(11)
        attendance, places = [], []
        units, ideology, activism, faction = [], [], [], []
        for u in range(600):
            x, a, f = _members(900, scale, rng)
            units.append(np.full(x.size, u))
            ideology.append(x)
            activism.append(a)
            faction.append(f)
        result = meet(
            np.concatenate(ideology),
            np.concatenate(activism),
            np.concatenate(faction),
            lines=(-0.65,),
            discipline=(0.9,),
            units=np.concatenate(units),
            scale=scale,
            affinity=0.2,
            seed=int(scale * 10),
        )
        attendance = result.attendees
        places = result.places[:, 0]
        out[scale] = (attendance, places)
    a01, p01 = out[0.1]
    a10, p10 = out[1.0]
    assert a10.mean() == pytest.approx(a01.mean(), rel=0.1)
    # A failing test here means meeting outcomes depend on the simulated scale.
    assert stats.ks_2samp(a01, a10).pvalue > 0.001
    assert stats.ks_2samp(p01, p10).pvalue > 0.001
    # ...and the check can fail: attendance drawn once per simulated member
    # (not at real size) is ten times smaller at scale 0.1.
    assert a01.mean() > 20


def _party(n_clps, n_real, scale, rng, faction_share=0.16, lean_sd=0.0):
    """CLPs at a scale: a faction on its line, the rest spread around the centre-left.

    Alike CLPs, or with `lean_sd` CLPs that really differ: the faction's
    share varies between them by that sd (the same leans at every scale).
    """
    n = max(1, round(n_real * scale))
    clp = np.repeat(np.arange(n_clps), n)
    share = faction_share
    if lean_sd > 0:
        lean = faction_share + np.random.default_rng(99).normal(0.0, lean_sd, n_clps)
        share = np.clip(lean, 0.01, 0.9)[clp]
    faction = np.where(rng.random(clp.size) < share, 0, -1)
    ideology = np.where(faction == 0, -0.65, rng.normal(-0.1, 0.35, clp.size))
    activism = rng.beta(0.6, 7.4, clp.size)
    return clp, ideology, activism, faction


N_CLPS = 600


def _faction_shares(scale, *, impute=True, seed=3, lean_sd=0.0, own_of=meetings.own_share):
    """The faction's share of first-place votes in each CLP's targeted AGM, and the CLPs it wins.

    `own_of(reliability, scale)` gives the CLPs' own shares (`impute=False`: none).
    """
    rng = np.random.default_rng(seed)
    clp, ideology, activism, faction = _party(N_CLPS, 600, scale, rng, lean_sd=lean_sd)
    lines = np.array([-0.65])
    expected = dynamics.expected_attendance(
        activism, ideology, clp, faction, np.arange(clp.size),
        n_clps=N_CLPS, faction_lines=lines, affinity=0.2,
    )  # fmt: skip
    reliability = meetings.composition_reliability(expected.slates, expected.slates_noise)
    own = own_of(reliability, scale) if impute else None
    result = meet(
        ideology,
        activism,
        faction,
        lines=lines,
        discipline=(0.9,),
        targeted=np.ones((1, N_CLPS), bool),
        mobilisation=np.array([2.5]),
        scale=scale,
        units=clp,
        affinity=0.2,
        own=own,
        pool=np.arange(clp.size),
        rng=rng,
    )
    share = result.votes[:, 0] / np.maximum(result.votes.sum(axis=1), 1)
    return share, int((result.winner == 0).sum()), reliability


def _same_rate(a, b):
    """Fisher's exact p-value that a and b CLPs won of N_CLPS come from one rate."""
    return stats.fisher_exact([[a, N_CLPS - a], [b, N_CLPS - b]]).pvalue


def test_a_clps_sampling_noise_does_not_widen_its_meetings_at_a_small_scale():
    # 600 alike CLPs of 600 real members, a faction of 16% mobilised in all:
    # at 0.1 each CLP has 60 simulated members, whose composition varies ten
    # times as much between CLPs as the real 600's. Drawing the real members
    # the simulated ones do not stand for from the party at large gives the
    # meetings the full-scale spread, and the faction the same CLPs.
    share01, won01, reliability = _faction_shares(0.1)
    share10, won10, _ = _faction_shares(1.0)
    assert reliability.mean() < 0.2  # alike CLPs: their differences are mostly noise
    ratio = share01.var() / share10.var()
    assert 0.7 < ratio < 1.4, ratio
    assert share01.mean() == pytest.approx(share10.mean(), rel=0.05)
    assert _same_rate(won01, won10) > 0.01, (won01, won10)
    # ...and the check can fail: each simulated member standing for 1/scale
    # copies of itself (the previous meetings) spreads the CLPs much wider,
    # and a faction that needs a good turnout of its few members wins more
    # of the CLPs that noise made look strong.
    copies, copied_won, _ = _faction_shares(0.1, impute=False)
    assert copies.var() / share10.var() > 2.0
    assert _same_rate(copied_won, won10) < 0.001, (copied_won, won10)


def test_clps_that_really_differ_keep_their_spread_at_a_small_scale():
    # CLPs whose faction shares really differ, partly hidden by the noise of
    # 60 simulated members at 0.1: the meetings must spread as widely as at
    # full scale, so the faction wins as many CLPs. The own share is the
    # constrained-Bayes one, whose spread between CLPs is the real spread.
    share10, won10, _ = _faction_shares(1.0, lean_sd=0.05)
    share01, won01, reliability = _faction_shares(0.1, lean_sd=0.05)
    assert 0.1 < reliability.mean() < 0.5  # partly signal, partly noise
    assert 0.75 < share01.var() / share10.var() < 1.33
    assert _same_rate(won01, won10) > 0.01, (won01, won10)

    # ...and the check can fail: the posterior mean (scale + (1 - scale) x
    # reliability) shrinks each CLP to its best single guess, so the CLPs
    # come out too alike and the minority faction wins too few of them.
    def posterior_mean(r, scale):
        return scale + (1.0 - scale) * r

    shrunk, shrunk_won, _ = _faction_shares(0.1, lean_sd=0.05, own_of=posterior_mean)
    assert shrunk.var() / share10.var() < 0.7
    assert _same_rate(shrunk_won, won10) < 0.001, (shrunk_won, won10)


def test_a_full_scale_run_is_at_full_scale_whatever_the_seed():
    # The CLPs' real members are a sum of floats: at full scale their ratio to
    # the simulated members came out 1.0000000000000002 in seeds 2 and 4
    # (a third of them), and every meeting took the small-scale path.
    from model import PartyModel
    from model.scenario import load_scenario

    path = Path(__file__).resolve().parents[1] / "scenarios" / "labour_2015_2024.toml"
    scenario = load_scenario(path).with_changes({"party.scale": 1.0})
    for seed in range(1, 7):
        state = PartyModel(scenario, rng=seed).state
        assert state.meeting_scale == 1.0, seed
        assert (state.clp_own_share() == 1.0).all(), seed


def test_full_scale_meetings_are_unchanged_by_the_imputation():
    # At full scale every simulated member is a real one: own share 1, and
    # the meeting is the same draw with or without a pool.
    rng = np.random.default_rng(0)
    clp, ideology, activism, faction = _party(20, 100, 1.0, rng)
    assert (meetings.own_share(np.full(20, 0.3), 1.0) == 1.0).all()
    results = [
        meet(ideology, activism, faction, units=clp, seed=4, scale=1.0),
        meet(
            ideology,
            activism,
            faction,
            units=clp,
            seed=4,
            scale=1.0,
            own=np.ones(20),
            pool=np.arange(clp.size),
        ),
    ]
    assert (results[0].votes == results[1].votes).all()
    assert (results[0].places == results[1].places).all()


def test_reliability_tells_real_differences_between_clps_from_noise():
    # Two kinds of CLP, one far more left than the other: their difference
    # is no noise, and the reliability is high; alike CLPs give about 0.
    rng = np.random.default_rng(1)
    n_clps, n = 200, 60
    clp = np.repeat(np.arange(n_clps), n)
    lean = np.where(np.arange(n_clps) % 2 == 0, -0.5, 0.3)[clp]
    activism = rng.beta(0.6, 7.4, clp.size)
    faction = np.full(clp.size, -1)

    def reliability(ideology):
        e = dynamics.expected_attendance(
            activism, ideology, clp, faction, np.arange(clp.size),
            n_clps=n_clps, faction_lines=np.array([-0.65]), affinity=0.2,
        )  # fmt: skip
        return meetings.composition_reliability(e.slates, e.slates_noise)

    assert reliability(lean + rng.normal(0, 0.1, clp.size)).mean() > 0.8
    assert reliability(rng.normal(-0.1, 0.35, clp.size)).mean() < 0.2


def test_the_agms_read_the_months_estimate_organising_made(monkeypatch):
    """Sharing the month's own shares changes nothing: the same run as recomputing them."""
    from model.party import PartyModel
    from model.scenario import load_scenario
    from model.state import PartyState
    from tests.conftest import REPO

    scenario = load_scenario(REPO / "scenarios" / "labour_2015_2024.toml").with_changes(
        party={"scale": 0.05}, calendar={"months": 14}
    )

    def series() -> tuple[object, int]:
        party = PartyModel(scenario, rng=5)
        assert party.state.meeting_scale < 1  # the imputation's path
        party.run_for(14)
        agms = sum(1 for e in party.events if e.type == "agm")
        return party.series(), agms

    shared, agms = series()
    assert agms > 0
    original = PartyState.clp_own_share

    def recomputed(self, expected=None):
        self._own_share = None  # never reuse the month's estimate
        return original(self, expected)

    monkeypatch.setattr(PartyState, "clp_own_share", recomputed)
    again, _ = series()
    assert shared.equals(again)


# --- the sampling noise of a CLP's slate shares (the jackknife) -------------------------


def _leave_one_out_by_hand(weight, clp, slate, n_clps, n_slates):
    """The delete-one jackknife variance, CLP by CLP and member by member (plain loops)."""
    out = np.full(n_clps, np.inf)
    for c in range(n_clps):
        rows = np.flatnonzero(clp == c)
        if rows.size < 2:
            continue
        shares = []
        for i in rows:
            rest = [j for j in rows if j != i]
            total = sum(weight[j] for j in rest)
            if total <= 0:
                break
            shares.append(
                [sum(weight[j] for j in rest if slate[j] == g) / total for g in range(n_slates)]
            )
        else:
            shares = np.array(shares)
            n = rows.size
            out[c] = (n - 1) / n * float(((shares - shares.mean(axis=0)) ** 2).sum())
    return out


@given(
    sizes=st.lists(st.integers(0, 9), min_size=1, max_size=6),
    n_slates=st.integers(1, 4),
    seed=st.integers(0, 2**32 - 1),
)
@settings(max_examples=60, deadline=None)
def test_share_noise_is_the_delete_one_jackknife(sizes, n_slates, seed):
    rng = np.random.default_rng(seed)
    clp = np.repeat(np.arange(len(sizes)), sizes)
    weight = rng.beta(0.6, 7.4, clp.size)
    slate = rng.integers(0, n_slates, clp.size)
    fast = meetings.share_noise(weight, clp, slate, len(sizes), n_slates)
    slow = _leave_one_out_by_hand(weight, clp, slate, len(sizes), n_slates)
    assert np.array_equal(np.isinf(fast), np.isinf(slow))
    # The fast form takes the variance as a difference of sums of order the
    # CLP's size: rounding leaves up to ~5e-12 (5,000 cases like these).
    assert np.allclose(fast[np.isfinite(fast)], slow[np.isfinite(slow)], rtol=1e-9, atol=1e-10)


def _alike_clps(n, rng, n_clps=3000):
    """n_clps CLPs of n members each, drawn alike: their shares differ by chance alone."""
    clp = np.repeat(np.arange(n_clps), n)
    weight = rng.beta(0.5, 9.5, clp.size)  # the scenarios' joiners' activism
    slate = (rng.random(clp.size) < 0.3).astype(np.intp)
    votes = np.zeros((n_clps, 2))
    np.add.at(votes, (clp, slate), weight)
    return clp, weight, slate, votes


@pytest.mark.parametrize("n", [20, 60])
def test_share_noise_is_the_variance_of_clps_drawn_alike(n):
    # At the sizes a run at 0.1 simulates, with activism this skewed, the
    # first-order variance of the ratio was 10-30% too small; the jackknife
    # must be within 10% of the spread the CLPs actually show.
    rng = np.random.default_rng(n)
    clp, weight, slate, votes = _alike_clps(n, rng)
    shares = votes / votes.sum(axis=1, keepdims=True)
    observed = float(shares.var(axis=0).sum())
    noise = meetings.share_noise(weight, clp, slate, votes.shape[0], 2)
    assert 0.9 < float(noise.mean()) / observed < 1.1


@pytest.mark.parametrize("n", [20, 60])
def test_clps_alike_but_for_chance_are_not_found_reliable(n):
    # The old estimate found such CLPs 0.3 (n = 20) and 0.1 (n = 60) reliable,
    # so their sampling noise survived into their meetings at a small scale.
    rng = np.random.default_rng(100 + n)
    clp, weight, slate, votes = _alike_clps(n, rng)
    noise = meetings.share_noise(weight, clp, slate, votes.shape[0], 2)
    assert meetings.composition_reliability(votes, noise).mean() < 0.03


# --- the other real members a simulated member stands for -----------------------------------


def _attendance_counts(scale, typical, n_real=1000, n_clps=3000, seed=5):
    """Each CLP's real attenders, its members' activism drawn anew per CLP (Beta(0.5, 9.5))."""
    rng = np.random.default_rng(seed)
    n = round(n_real * scale)
    counts = np.empty(n_clps)
    for c in range(n_clps):
        activism = rng.beta(0.5, 9.5, n)
        other = np.full(n, 0.05) if typical else None  # the Beta's mean
        came, _ = meetings.attenders(np.arange(n), activism, scale, rng, other)
        counts[c] = came.size
    return counts


def test_a_meetings_attendance_varies_as_at_real_size_below_full_scale():
    # 1,000 real members of skewed activism (mean 0.05): at full scale a CLP's
    # attenders vary between CLPs with variance n × 0.05 × 0.95 = 47.5 (the
    # law of total variance over iid members). At 0.1, copies of each
    # simulated member's own activism nearly double it (a CLP's attendance
    # sums a skewed activism over 100 members, not 1,000); the other real
    # members at the mean activism give back real size's.
    full = _attendance_counts(1.0, typical=False, n_clps=1500)
    copies = _attendance_counts(0.1, typical=False)
    typical = _attendance_counts(0.1, typical=True)
    assert full.var() == pytest.approx(47.5, rel=0.12)
    assert typical.var() == pytest.approx(47.5, rel=0.12)
    assert copies.var() > 1.5 * 47.5  # the old draw fails the check above
    assert typical.mean() == pytest.approx(50.0, rel=0.02) == copies.mean()


@settings(max_examples=40, deadline=None)
@given(
    chance=st.floats(0.0, 1.0),
    typical=st.floats(0.0, 1.0),
    weight=st.integers(0, 12),
    seed=st.integers(0, 2**32 - 1),
)
def test_a_simulated_member_attends_with_its_chance_and_its_others_with_theirs(
    chance, typical, weight, seed
):
    # Expected real attenders: its own chance plus (weight - 1) × the others'
    # (none at weight 0), against 4,000 draws within five standard errors.
    rng = np.random.default_rng(seed)
    n = 4000
    came = meetings._came(np.full(n, weight), np.full(n, chance), np.full(n, typical), rng)
    if weight == 0:
        assert (came == 0).all()
        return
    mean = chance + (weight - 1) * typical
    sd = np.sqrt(chance * (1 - chance) + (weight - 1) * typical * (1 - typical))
    assert abs(came.mean() - mean) <= 5 * sd / np.sqrt(n) + 1e-9
    assert came.max() <= weight


def test_full_scale_attendance_ignores_the_others_chance():
    # At full scale a simulated member is one real member: the same draws with or without it.
    rng_a, rng_b = np.random.default_rng(8), np.random.default_rng(8)
    chance = np.random.default_rng(1).beta(0.5, 9.5, 5000)
    a, _ = meetings.attenders(np.arange(5000), chance, 1.0, rng_a)
    b, _ = meetings.attenders(np.arange(5000), chance, 1.0, rng_b, np.full(5000, 0.9))
    assert np.array_equal(a, b)


def test_the_others_take_their_factions_and_cohorts_mean_activism():
    faction = np.array([-1, -1, 0, 0, 0, -1])
    joined = np.array([-5, 3, -2, 4, 6, 0])
    activism = np.array([0.1, 0.3, 0.2, 0.4, 0.6, 0.5])
    group = meetings.activism_group(faction, joined)
    mean = meetings.group_activism(activism, group, n_factions=1)
    # unaligned starting members (0.1, 0.5), unaligned joiner (0.3),
    # faction starting member (0.2), faction joiners (0.4, 0.6)
    np.testing.assert_allclose(mean, [0.3, 0.3, 0.2, 0.5])
    targeted = np.array([[True, False]])
    chance = meetings.typical_chance(
        group, mean, faction, np.array([0, 0, 0, 0, 1, 1]), targeted, np.array([2.0])
    )
    # the faction mobilises in CLP 0 only
    np.testing.assert_allclose(chance, [0.3, 0.3, 0.4, 1.0, 0.5, 0.3])
