"""The member table's kept (derived) arrays are dropped whenever the table changes.

`MemberTable` keeps the ids of active and full members, their CLPs, unions,
counts and grouping by CLP, and hands the same arrays to every process of a
month until a guarded column changes. These tests check that every way a
month changes the table (joins, lapses, supporters who join, moves between
CLPs, a new union) drops what was kept, both on a bare table and in a model
run, where every read of a kept array is compared with one computed afresh.
"""

from __future__ import annotations

import numpy as np
import pytest

from model.agents.members import (
    FULL_MEMBER,
    NO_UNION,
    REGISTERED_SUPPORTER,
    MemberTable,
)
from tests.conftest import small_scenario
from tests.factories import scheduled_vacancy

N_CLPS = 4
RUN_CLPS = 60  # small_scenario's CLPs


def fresh(table: MemberTable, n_clps: int = N_CLPS) -> dict[str, np.ndarray]:
    """Every derived array, computed from the raw columns without the table's helpers."""
    n = len(table)
    active = table._data["active"][:n]
    kind = table._data["kind"][:n]
    clp = table._data["clp"][:n]
    union = table._data["union"][:n]
    mask = active & (kind == FULL_MEMBER)
    full = np.flatnonzero(mask)
    order = np.lexsort((full, clp[full]))  # by CLP, then by id
    bounds = np.concatenate([[0], np.cumsum(np.bincount(clp[full], minlength=n_clps))])
    return {
        "full_members": mask,
        "active_ids": np.flatnonzero(active),
        "full_member_ids": full,
        "full_member_clps": clp[full],
        "full_member_unions": union[full],
        "full_member_counts": np.bincount(clp[full], minlength=n_clps),
        "by_clp_ids": full[order],
        "by_clp_bounds": bounds,
    }


def kept(table: MemberTable, n_clps: int = N_CLPS) -> dict[str, np.ndarray]:
    """Every derived array as the table hands it out (kept ones where it has them)."""
    ids, bounds = table.ids_by_clp(n_clps)
    return {
        "full_members": table.full_members(),
        "active_ids": table.active_ids(),
        "full_member_ids": table.full_member_ids(),
        "full_member_clps": table.full_member_clps(),
        "full_member_unions": table.full_member_unions(),
        "full_member_counts": table.full_member_counts(n_clps),
        "by_clp_ids": ids,
        "by_clp_bounds": bounds,
    }


def fresh_union_members(table: MemberTable, union: int) -> np.ndarray:
    """The active full members paying a union's levy, from the raw columns."""
    full = fresh(table)["full_member_ids"]
    return full[table._data["union"][full] == union]


def fresh_ideology(table: MemberTable) -> np.ndarray:
    """The active full members' ideology in id order, from the raw columns."""
    return table._data["ideology"][fresh(table)["full_member_ids"]]


def fresh_median(table: MemberTable) -> float:
    """The active full members' median ideology, from the raw columns."""
    full = fresh(table)["full_member_ids"]
    return float(np.median(table._data["ideology"][full])) if full.size else float("nan")


def fresh_clp_medians(table: MemberTable, n_clps: int) -> np.ndarray:
    """Each CLP's median full member's ideology (NaN for none), from the raw columns."""
    full = fresh(table, n_clps)["full_member_ids"]
    clp, ideology = table._data["clp"][full], table._data["ideology"][full]
    return np.array(
        [np.median(ideology[clp == c]) if (clp == c).any() else np.nan for c in range(n_clps)]
    )


def assert_fresh(table: MemberTable, n_clps: int = N_CLPS) -> None:
    got, want = kept(table, n_clps), fresh(table, n_clps)
    for name, expected in want.items():
        assert np.array_equal(got[name], expected), name
    for union in (NO_UNION, 0, 1, 2):
        assert np.array_equal(table.full_members_of_union(union), fresh_union_members(table, union))
    assert np.array_equal(table.full_member_median(), fresh_median(table), equal_nan=True)
    assert np.array_equal(table.full_member_ideology(), fresh_ideology(table))
    assert np.array_equal(
        table.clp_medians(n_clps), fresh_clp_medians(table, n_clps), equal_nan=True
    )


@pytest.fixture
def table() -> MemberTable:
    """Twelve full members in four CLPs, two paying a union's levy, every array kept."""
    table = MemberTable(capacity=4)
    table.append(
        ideology=np.linspace(-1, 1, 12),
        clp=np.arange(12, dtype=np.int32) % N_CLPS,
        union=np.array([NO_UNION] * 10 + [0, 1], dtype=np.int16),
    )
    assert_fresh(table)
    # Kept: asking again hands out the very same arrays.
    again = kept(table)
    assert all(again[name] is value for name, value in kept(table).items())
    return table


def test_joining_drops_the_kept_arrays(table):
    table.append(ideology=np.zeros(3), clp=np.array([3, 3, 0], dtype=np.int32))
    assert_fresh(table)
    assert table.full_member_ids()[-3:].tolist() == [12, 13, 14]
    assert table.full_member_counts(N_CLPS).tolist() == [4, 3, 3, 5]


def test_joining_as_a_supporter_changes_active_but_not_full_members(table):
    before = table.full_member_ids().copy()
    table.append(ideology=np.zeros(2), kind=np.full(2, REGISTERED_SUPPORTER, dtype=np.int8))
    assert_fresh(table)
    assert np.array_equal(table.full_member_ids(), before)
    assert table.active_ids().tolist() == list(range(14))


def test_lapsing_drops_the_kept_arrays(table):
    table.lapse(np.array([1, 5]), month=3)
    assert_fresh(table)
    assert 1 not in table.full_member_ids() and 5 not in table.active_ids()
    assert table.full_member_counts(N_CLPS).tolist() == [3, 1, 3, 3]


def test_a_supporter_who_joins_and_a_member_who_becomes_a_supporter(table):
    table.append(ideology=np.zeros(1), kind=np.array([REGISTERED_SUPPORTER], dtype=np.int8))
    assert_fresh(table)
    table.set_kind(np.array([12]), FULL_MEMBER)  # the supporter joins
    assert_fresh(table)
    assert 12 in table.full_member_ids()
    table.set_kind(np.array([0]), REGISTERED_SUPPORTER)
    assert_fresh(table)
    assert 0 not in table.full_member_ids() and 0 in table.active_ids()


def test_moving_to_another_clp_drops_the_kept_grouping(table):
    table.set(2, "clp", 0)
    assert_fresh(table)
    ids, bounds = table.ids_by_clp(N_CLPS)
    assert ids[bounds[0] : bounds[1]].tolist() == [0, 2, 4, 8]
    assert table.full_member_counts(N_CLPS).tolist() == [4, 3, 2, 3]


def test_moving_through_the_mesa_view_drops_the_kept_grouping(small):
    from model.party import PartyModel

    party = PartyModel(small, rng=3)
    m, n_clps = party.members, len(party.clps)
    i = int(m.full_member_ids()[0])
    before = m.full_member_counts(n_clps).copy()
    m.ids_by_clp(n_clps)
    target = (int(m.clp[i]) + 1) % n_clps
    party.member(i).clp = target
    assert_fresh(m, n_clps)
    after = m.full_member_counts(n_clps)
    assert after[target] == before[target] + 1 and after.sum() == before.sum()


def test_a_new_union_and_leaving_through_set_drop_the_kept_arrays(table):
    table.set(3, "union", 1)
    assert_fresh(table)
    assert table.full_member_unions()[3] == 1
    table.set(4, "active", False)
    assert_fresh(table)
    assert 4 not in table.full_member_ids()


def test_writing_an_unguarded_column_keeps_the_arrays(table):
    ids = table.full_member_ids()
    table.set(0, "ideology", 0.5)
    table.activism[1] = 0.25
    table.ideology_for_update()[1] = 0.25
    assert table.full_member_ids() is ids


def test_the_kept_median_follows_every_change_of_position(table):
    def fresh() -> float:
        full = table.full_member_ids()
        return float(np.median(table.ideology[full]))

    assert table.full_member_median() == fresh()
    table.set(0, "ideology", 0.9)
    assert table.full_member_median() == fresh()
    table.ideology_for_update()[:] += 0.1
    assert table.full_member_median() == fresh()
    table.lapse(np.array([1]), month=2)
    assert table.full_member_median() == fresh()
    assert_fresh(table)  # the CLPs' medians too
    table.ideology_for_update()[0] = -0.9
    assert_fresh(table)
    with pytest.raises(ValueError):
        table.ideology[0] = 0.0


def test_guarded_columns_cannot_be_written_behind_the_tables_back(table):
    for name in ("active", "kind", "clp", "union"):
        with pytest.raises(ValueError):
            getattr(table, name)[0] = 1
    for value in kept(table).values():
        with pytest.raises(ValueError):
            value[0] = 1


def contest_run(months: int = 14):
    """A small run that holds a leadership contest (supporters sign up and join)."""
    from model.party import PartyModel

    # A scheduled vacancy, so the run holds a contest whatever the election gives.
    contests = scheduled_vacancy()
    scenario = small_scenario(calendar={"months": months}).with_changes(
        {"contests.scheduled": contests["scheduled"]}
    )
    party = PartyModel(scenario, rng=5)
    assert len(party.clps) == RUN_CLPS
    party.run_for(months)
    assert any(e.type == "leadership_contest" for e in party.events)
    return party


def test_every_read_in_a_run_sees_the_table_as_it_is(monkeypatch):
    """In a model run, every kept array any process reads equals one computed afresh.

    Within a month the table changes between reads: members lapse and join
    (joining_lapsing), supporters sign up and some join during a contest;
    later processes of the same month must not see the ids of before.
    """
    reads = {"all": 0, "after_a_change": 0}
    changed = [False]

    def checked(name, make_expected):
        original = getattr(MemberTable, name)

        def read(self, *args, **kwargs):
            got = original(self, *args, **kwargs)
            expected = make_expected(self, *args)
            if isinstance(got, tuple):
                assert all(np.array_equal(g, e) for g, e in zip(got, expected, strict=True))
            else:
                assert np.array_equal(got, expected), name
            reads["all"] += 1
            reads["after_a_change"] += changed[0]
            changed[0] = False
            return got

        monkeypatch.setattr(MemberTable, name, read)

    def by_clp(table, n_clps, ids=None):
        if ids is None:
            want = fresh(table, n_clps)
            return want["by_clp_ids"], want["by_clp_bounds"]
        clp = table._data["clp"][ids]
        bounds = np.concatenate([[0], np.cumsum(np.bincount(clp, minlength=n_clps))])
        return ids[np.lexsort((ids, clp))], bounds

    checked("full_members", lambda t: fresh(t)["full_members"])
    checked("active_ids", lambda t: fresh(t)["active_ids"])
    checked("full_member_ids", lambda t: fresh(t)["full_member_ids"])
    checked("full_member_clps", lambda t: fresh(t)["full_member_clps"])
    checked("full_member_unions", lambda t: fresh(t)["full_member_unions"])
    checked("full_member_counts", lambda t, n: fresh(t, n)["full_member_counts"])
    checked("ids_by_clp", by_clp)
    checked("full_members_of_union", fresh_union_members)
    checked("full_member_median", fresh_median)
    checked("full_member_ideology", fresh_ideology)
    checked("clp_medians", fresh_clp_medians)
    for name in ("lapse", "append", "set_kind", "ideology_for_update"):
        original = getattr(MemberTable, name)

        def change(self, *args, _original=original, **kwargs):
            changed[0] = True
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(MemberTable, name, change)

    party = contest_run()
    assert reads["all"] > 100 and reads["after_a_change"] >= 14
    assert len(party.members) > 0


def test_every_change_in_a_run_drops_what_was_kept(monkeypatch):
    """Each change the model makes to the table (the real calls, with their real
    arguments: joins, lapses, supporters who join) is made with every derived
    array kept beforehand, and none of them is handed out stale afterwards."""
    changes = {"lapse": 0, "append": 0, "set_kind": 0}

    for name in changes:
        original = getattr(MemberTable, name)

        def change(self, *args, _original=original, _name=name, **kwargs):
            kept(self, RUN_CLPS)  # every derived array kept before the change
            self.full_members_of_union(0)
            self.full_member_median()
            self.full_member_ideology()
            self.clp_medians(RUN_CLPS)
            out = _original(self, *args, **kwargs)
            assert_fresh(self, RUN_CLPS)
            changes[_name] += 1
            return out

        monkeypatch.setattr(MemberTable, name, change)

    contest_run()
    assert changes["lapse"] >= 14 and changes["append"] >= 14 and changes["set_kind"] >= 1
