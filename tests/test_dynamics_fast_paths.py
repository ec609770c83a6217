"""The fast paths of model/dynamics.py give what the plain definitions give.

The monthly processes skip work where the outcome cannot depend on it:
lapsing and recruitment pick the few members a rare event can touch by
thinning (geometric gaps, then each kept with its own chance over the
highest), faction pull touches only faction members, meeters are paired with
a sort. These tests hold each one to a direct statement of the same rule:
exactly where no randomness is involved, and by binomial tolerances (4 sd)
on large samples where it is.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from model.agents.members import REGISTERED_SUPPORTER, MemberTable, keep_freed_memory
from model.mechanisms import draws, dynamics
from model.scenario.schema import FlowSpec, InfluenceSpec, PoolSegment
from tests.conftest import within

FLOWS = FlowSpec(
    pool=[PoolSegment(name="left", size=1e5, mean=-0.7, sd=0.1)],
    join_rate=0.01,
    attraction_width=0.5,
    contest_surge=3.0,
    churn=0.01,
    new_member_churn=2.0,
    dissatisfaction=0.1,
    tolerance=0.5,
)


def test_bernoulli_positions_include_each_position_independently():
    rng = np.random.default_rng(1)
    assert draws.bernoulli_positions(0, 0.5, rng).size == 0
    assert draws.bernoulli_positions(10, 0.0, rng).size == 0
    assert draws.bernoulli_positions(10, 1.0, rng).tolist() == list(range(10))
    n, p, runs = 2_000, 0.02, 5_000
    hits = np.zeros(n)
    counts = []
    for _ in range(runs):
        pos = draws.bernoulli_positions(n, p, rng)
        assert np.all(np.diff(pos) > 0) and (pos.size == 0 or 0 <= pos[0] <= pos[-1] < n)
        hits[pos] += 1
        counts.append(pos.size)
    # Every position (first and last too) is included with chance p ...
    assert within(int(hits[0]), runs, p) and within(int(hits[-1]), runs, p)
    assert abs(hits.mean() / runs - p) < 0.001
    # ... and the number included is binomial (independent inclusions).
    assert np.var(counts) == pytest.approx(n * p * (1 - p), rel=0.1)


def test_lapsers_lapse_each_member_with_its_own_chance():
    rng = np.random.default_rng(2)
    levels = np.array([-0.9, -0.2, 0.3, 0.7, 1.0])
    per_level = 100_000
    x = np.repeat(levels, per_level)
    candidates = np.arange(0, x.size, 2)  # every other member may lapse
    leader = -0.8
    # Tenure differs by level too: a new member churns more.
    joined = -np.repeat(np.array([0, 6, 24, 60, 240]), per_level)
    gone = dynamics.lapsers(x, joined, candidates, 0, leader, FLOWS, rng)
    assert np.all(np.diff(gone) > 0) and np.isin(gone, candidates).all()
    p = dynamics.lapse_probability(levels, np.array([0, 6, 24, 60, 240]), leader, FLOWS)
    assert len(set(p.tolist())) > 2  # the chance really differs by level
    for level, chance in enumerate(p):
        observed = np.count_nonzero((gone >= level * per_level) & (gone < (level + 1) * per_level))
        assert within(observed, per_level // 2, chance), (level, observed, chance)


def _check_recruitment(
    groups: list[tuple[float, int, bool, int, float]],
    lines: np.ndarray,
    radii: np.ndarray,
    rates: np.ndarray,
    rng: np.random.Generator,
    churn: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Recruit once over 60,000 members per group (position, faction, eligible,
    faction after if changed, chance of change) and check each group's changes:
    only to the faction expected, and as many as its chance gives (4 sd)."""
    per = 60_000
    x = np.repeat([g[0] for g in groups], per)
    faction = np.repeat([g[1] for g in groups], per).astype(np.int16)
    eligible = np.repeat([g[2] for g in groups], per)
    new = dynamics.recruit(
        x, faction, eligible, faction_lines=lines, radii=radii, rates=rates, rng=rng, churn=churn
    )
    for i, (_, before, _, after, chance) in enumerate(groups):
        got = new[i * per : (i + 1) * per]
        changed = got != before
        assert set(got[changed].tolist()) <= {after}, i
        assert within(int(changed.sum()), per, chance), (i, int(changed.sum()), chance)
    return x, faction, eligible


def test_recruit_takes_the_nearest_faction_in_reach_at_its_rate():
    rng = np.random.default_rng(3)
    lines, radii = np.array([-0.6, 0.0, 0.5]), np.array([0.3, 0.35, 0.2])
    rates = np.array([0.05, 0.2, 0.1])
    # (position, faction, eligible, faction after if changed, chance of change)
    groups = [
        (-0.6, -1, True, 0, 0.05),  # on line 0
        (-0.32, -1, True, 0, 0.05),  # in reach of 0 and 1, nearer 0
        (-0.2, -1, True, 1, 0.2),  # in reach of 1 only
        (0.32, -1, True, 2, 0.1),  # in reach of 1 and 2, nearer 2
        (0.75, -1, True, -1, 0.0),  # in nobody's reach
        (-0.6, -1, False, -1, 0.0),  # not eligible
        (0.9, 0, True, -1, 0.05),  # 1.5 from its line (> 2 radii): drifts out
        (-0.3, 0, True, 0, 0.0),  # 0.3 from its line: stays
        (0.9, 0, False, 0, 0.0),  # drifted but not eligible
    ]
    _check_recruitment(groups, lines, radii, rates, rng)


def test_faction_members_lapse_with_their_factions_churn():
    # Churn takes a faction's members out of it at its own monthly rate
    # (staying in the party); one who has also drifted out of reach leaves
    # with the higher chance; recruitment is as without churn.
    rng = np.random.default_rng(13)
    lines, radii = np.array([-0.6, 0.5]), np.array([0.3, 0.2])
    rates, churn = np.array([0.05, 0.1]), np.array([0.02, 0.0])
    groups = [
        (-0.6, 0, True, -1, 0.02),  # on its line: churn only
        (-0.6, 0, False, 0, 0.0),  # not eligible: stays
        (0.9, 0, True, -1, 0.05),  # drifted: the higher of rate and churn
        (0.5, 1, True, 1, 0.0),  # a faction without churn keeps its members
        (0.9, -1, True, -1, 0.0),  # in nobody's reach
        (-0.5, -1, True, 0, 0.05),  # recruited at the rate, churn or not
    ]
    x, faction, eligible = _check_recruitment(groups, lines, radii, rates, rng, churn=churn)
    # No churn draws exactly what the recruitment alone draws.
    alone = dynamics.recruit(
        x, faction, eligible, faction_lines=lines, radii=radii, rates=rates,
        rng=np.random.default_rng(14),
    )  # fmt: skip
    zero = dynamics.recruit(
        x, faction, eligible, faction_lines=lines, radii=radii, rates=rates,
        rng=np.random.default_rng(14), churn=np.zeros(2),
    )  # fmt: skip
    assert np.array_equal(alone, zero)


def test_expected_attendance_equals_a_sum_over_members():
    rng = np.random.default_rng(4)
    n, n_clps = 5_000, 7
    x = rng.uniform(-1, 1, n)
    clp = rng.integers(0, n_clps, n)
    faction = np.where(rng.random(n) < 0.2, rng.integers(0, 2, n), -1).astype(np.int16)
    activism = rng.random(n).astype(np.float32)
    members = np.flatnonzero(rng.random(n) < 0.7)
    lines, affinity = np.array([-0.5, 0.3]), 0.2
    got = dynamics.expected_attendance(
        activism, x, clp, faction, members, n_clps=n_clps, faction_lines=lines, affinity=affinity
    )
    by_member = np.zeros((n_clps, 3))
    by_slate = np.zeros((n_clps, 3))
    for i in members:
        column = faction[i] if faction[i] >= 0 else 2
        by_member[clp[i], column] += activism[i]
        slate = column
        if faction[i] < 0:
            d = np.abs(x[i] - lines)
            if d.min() <= affinity:
                slate = int(np.argmin(d))
        by_slate[clp[i], slate] += activism[i]
    assert np.allclose(got.members, by_member) and np.allclose(got.slates, by_slate)
    # Without the spread (full scale): the same counts, nothing more.
    lean = dynamics.expected_attendance(
        activism, x, clp, faction, members, n_clps=n_clps, faction_lines=lines,
        affinity=affinity, spread=False,
    )  # fmt: skip
    assert np.array_equal(lean.members, got.members) and np.array_equal(lean.slates, got.slates)
    assert lean.slates_noise is None and lean.size is None


def test_nearest_line_takes_the_first_on_a_tie():
    nearest, distance = dynamics.nearest_line(np.array([0.0, -0.4, 0.6]), np.array([-0.5, 0.5]))
    assert nearest.tolist() == [0, 0, 1]
    assert distance == pytest.approx([0.5, 0.1, 0.1])


def test_pairs_are_disjoint_within_groups_and_leave_only_odd_ones_out():
    rng = np.random.default_rng(5)
    group = rng.integers(0, 40, 10_000)
    members = np.flatnonzero(rng.random(group.size) < 0.3)
    a, b = dynamics.pair_within(members, group, rng)
    assert np.array_equal(group[a], group[b])
    paired = np.concatenate([a, b])
    assert np.unique(paired).size == paired.size
    assert set(paired) <= set(members)
    sizes = np.bincount(group[members], minlength=40)
    assert a.size == int((sizes // 2).sum())


def test_every_partner_is_equally_likely():
    # Four members of one group: each of the three pairings equally often.
    rng = np.random.default_rng(6)
    seen = Counter()
    for _ in range(3000):
        a, b = dynamics.pair_within(np.arange(4), np.zeros(4, dtype=int), rng)
        pairs = frozenset(frozenset(p) for p in zip(a.tolist(), b.tolist(), strict=True))
        seen[pairs] += 1
    assert len(seen) == 3
    assert all(900 < count < 1100 for count in seen.values())


def test_influence_in_place_equals_the_copy():
    rng = np.random.default_rng(8)
    n = 20_000
    x = rng.uniform(-1, 1, n)
    clp = rng.integers(0, 50, n)
    faction = np.where(rng.random(n) < 0.1, rng.integers(0, 2, n), -1).astype(np.int16)
    trusts = rng.random(n) < 0.4
    active = rng.random(n) < 0.9
    params = InfluenceSpec(
        interaction_rate=0.3,
        confidence_bound=0.3,
        convergence=0.2,
        faction_pull=0.1,
        leader_cue=0.05,
        noise_sd=0.01,
    )
    kw = {"faction_lines": np.array([-0.6, 0.2]), "leader_ideology": -0.8, "params": params}
    copy = dynamics.influence(x, clp, faction, trusts, active, **kw, rng=np.random.default_rng(9))
    inplace = x.copy()
    out = dynamics.influence(
        inplace, clp, faction, trusts, active, **kw, rng=np.random.default_rng(9), out=inplace
    )
    assert out is inplace
    assert np.array_equal(copy, inplace)
    assert np.array_equal(copy[~active], x[~active])
    assert not np.array_equal(copy[active], x[active])


def test_members_grouped_by_clp_as_a_plain_sort_groups_them():
    rng = np.random.default_rng(10)
    table = MemberTable()
    n, n_clps = 30_000, 650
    table.append(clp=rng.integers(0, n_clps, n), kind=np.zeros(n, dtype=np.int8))
    table.lapse(np.flatnonzero(rng.random(n) < 0.3), month=1)
    table.set_kind(np.flatnonzero(rng.random(n) < 0.1), REGISTERED_SUPPORTER)
    ids, bounds = table.ids_by_clp(n_clps)
    full = np.flatnonzero(table.active & (table.kind == 0))
    assert np.array_equal(table.full_member_ids(), full)
    plain = full[np.argsort(table.clp[full], kind="stable")]
    assert np.array_equal(ids, plain)
    assert np.array_equal(bounds, np.searchsorted(table.clp[plain], np.arange(n_clps + 1)))


def test_allocator_tuning_is_idempotent():
    assert keep_freed_memory() == keep_freed_memory()


@pytest.mark.parametrize("block", [1, 7, 4096, 1 << 20])
def test_blocks_do_not_change_influence_or_expected_attendance(monkeypatch, block):
    # The elementwise passes run a block of rows at a time (dynamics.BLOCK):
    # any block size gives the very same floats as one pass over every row.
    rng = np.random.default_rng(10)
    n = 9_000
    x = rng.uniform(-1, 1, n)
    clp = rng.integers(0, 30, n)
    faction = np.where(rng.random(n) < 0.3, rng.integers(0, 3, n), -1).astype(np.int16)
    trusts = rng.random(n) < 0.4
    active = rng.random(n) < 0.8
    activism = rng.random(n).astype(np.float32)
    lines = np.array([-0.6, 0.0, 0.4])
    params = InfluenceSpec(
        interaction_rate=0.3,
        confidence_bound=0.3,
        convergence=0.2,
        faction_pull=0.1,
        leader_cue=0.05,
        noise_sd=0.01,
    )

    def run() -> tuple[bytes, bytes, bytes]:
        moved = dynamics.influence(
            x,
            clp,
            faction,
            trusts,
            active,
            faction_lines=lines,
            leader_ideology=-0.3,
            params=params,
            rng=np.random.default_rng(11),
        )
        members = np.flatnonzero(active)
        expected = dynamics.expected_attendance(
            activism, moved, clp, faction, members, n_clps=30, faction_lines=lines, affinity=0.2
        )
        return moved.tobytes(), expected.members.tobytes(), expected.slates.tobytes()

    monkeypatch.setattr(dynamics, "BLOCK", 1 << 30)
    whole = run()
    monkeypatch.setattr(dynamics, "BLOCK", block)
    assert run() == whole


def test_influence_draws_as_a_plain_month_draws_on_one_thread():
    # The drift is drawn on a second thread while the meetings, pull and cue
    # run: the result, and the generator's state after it, must be those of
    # the plain month (meeters, pairs, then the drift, all from one stream,
    # on one thread).
    rng = np.random.default_rng(12)
    n = 50_000
    x = rng.uniform(-1, 1, n)
    clp = rng.integers(0, 40, n)
    faction = np.where(rng.random(n) < 0.2, rng.integers(0, 2, n), -1).astype(np.int16)
    trusts = rng.random(n) < 0.5
    active = rng.random(n) < 0.85
    lines = np.array([-0.6, 0.3])
    params = InfluenceSpec(
        interaction_rate=0.3,
        confidence_bound=0.4,
        convergence=0.3,
        faction_pull=0.1,
        leader_cue=0.05,
        noise_sd=0.02,
    )
    fast_rng = np.random.default_rng(13)
    fast = dynamics.influence(
        x,
        clp,
        faction,
        trusts,
        active,
        faction_lines=lines,
        leader_ideology=-0.2,
        params=params,
        rng=fast_rng,
    )

    plain_rng = np.random.default_rng(13)
    plain = x.copy()
    ids = np.flatnonzero(active)
    meeters = ids[draws.bernoulli_sample(ids.size, params.interaction_rate, plain_rng)]
    a, b = dynamics.pair_within(meeters, clp, plain_rng, groups=clp[meeters], shuffled=True)
    for i, j in zip(a.tolist(), b.tolist(), strict=True):
        gap = plain[j] - plain[i]
        if abs(gap) < params.confidence_bound:
            step = params.convergence * gap
            plain[i], plain[j] = plain[i] + step, plain[j] - step
    drift = plain_rng.standard_normal(ids.size, dtype=np.float32) * np.float32(params.noise_sd)
    for k, row in enumerate(ids.tolist()):
        value = plain[row]
        if faction[row] >= 0:
            value += params.faction_pull * (lines[faction[row]] - value)
        value += (-0.2 - value) * trusts[row] * params.leader_cue
        value += drift[k]
        plain[row] = min(max(value, -1.0), 1.0)

    assert np.array_equal(fast, plain)
    assert fast_rng.bit_generator.state == plain_rng.bit_generator.state
