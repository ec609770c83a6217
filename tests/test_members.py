"""The member table: columns, growth, lapsing, and the Mesa view."""

from __future__ import annotations

import mesa
import numpy as np
import pytest

from model.agents.members import FULL_MEMBER, MemberTable


def test_append_grows_and_keeps_rows():
    table = MemberTable(capacity=4)
    first = table.append(ideology=np.array([0.1, 0.2, 0.3]))
    second = table.append(ideology=np.linspace(-1, 1, 5000))
    assert list(first) == [0, 1, 2]
    assert second[0] == 3 and len(table) == 5003
    assert table.ideology[:3].tolist() == [0.1, 0.2, 0.3]
    assert table.kind[4000] == FULL_MEMBER  # defaults fill unspecified columns


def test_lapsed_member_keeps_row_but_not_eligibility():
    table = MemberTable()
    table.append(ideology=np.zeros(10))
    table.lapse(np.array([3, 7]), month=5)
    assert len(table) == 10
    assert not table.active[3] and table.left[3] == 5
    assert table.full_members().sum() == 8
    assert table.row(3)["ideology"] == 0.0


def test_column_views_write_through():
    table = MemberTable()
    table.append(ideology=np.zeros(5))
    table.activism[2] = 0.7
    table.ideology_for_update()[3] = 0.5
    assert table.row(2)["activism"] == pytest.approx(0.7)
    assert table.row(3)["ideology"] == 0.5


def test_unknown_column_and_bad_row():
    table = MemberTable()
    with pytest.raises(KeyError):
        table.append(shoe_size=np.zeros(2))
    with pytest.raises(IndexError):
        table.row(0)


def test_member_view_is_a_mesa_agent(small):
    from model.party import PartyModel

    party = PartyModel(small, rng=3)
    member = party.member(10)
    assert isinstance(member, mesa.Agent)
    assert member.ideology == party.members.ideology[10]
    member.ideology = 0.25
    assert party.members.ideology[10] == 0.25
    assert member.member_type == "full member"
    assert party.member(10) is member
    with pytest.raises(IndexError):
        party.member(10**9)


def test_guarded_columns_are_read_only_and_derived_arrays_follow_changes():
    table = MemberTable()
    table.append(ideology=np.zeros(6), clp=np.array([2, 0, 1, 0, 2, 1], dtype=np.int32))
    for name in ("active", "kind", "clp", "union"):
        with pytest.raises(ValueError):
            getattr(table, name)[0] = 1
    ids = table.full_member_ids()
    assert ids.tolist() == [0, 1, 2, 3, 4, 5] and table.full_member_ids() is ids
    with pytest.raises(ValueError):
        ids[0] = 9  # shared for the month: read-only
    by_clp, bounds = table.ids_by_clp(3)
    assert by_clp.tolist() == [1, 3, 2, 5, 0, 4] and bounds.tolist() == [0, 2, 4, 6]
    table.lapse(np.array([3]), month=2)
    assert table.full_member_ids().tolist() == [0, 1, 2, 4, 5]
    assert table.ids_by_clp(3)[0].tolist() == [1, 2, 5, 0, 4]
    table.set_kind(np.array([0]), 1)
    assert table.full_member_ids().tolist() == [1, 2, 4, 5]
    assert table.active_ids().tolist() == [0, 1, 2, 4, 5]
    table.set(1, "active", False)
    assert table.full_member_clps().tolist() == [1, 2, 1]
    table.append(ideology=np.zeros(1), clp=np.array([0], dtype=np.int32))
    assert table.full_member_ids().tolist() == [2, 4, 5, 6]
