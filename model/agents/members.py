"""The member table: one row per member in numpy columns, plus a Mesa view.

Members are many (about 550,000 at full scale), so their state lives in
columns — one numpy array per attribute, row = member id — and every monthly
process works on whole columns at once. A member who lapses keeps its row
(`active` becomes False), so ids never move and an event record that names a
member stays valid. Any row can still be inspected as a Mesa agent through
`Member`, a thin view created on demand.
"""

from __future__ import annotations

import ctypes
import os
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import mesa
import numpy as np

from model.mechanisms import arrays

if TYPE_CHECKING:
    from model.party import PartyModel

# Member types (column `kind`).
FULL_MEMBER = 0
REGISTERED_SUPPORTER = 1
AFFILIATED_SUPPORTER = 2
MEMBER_TYPES = ("full member", "registered supporter", "affiliated supporter")

NO_FACTION = -1
NO_UNION = -1
STILL_ACTIVE = -1

# glibc malloc settings (mallopt parameter numbers from <malloc.h>).
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
_KEEP_MMAP_BELOW = 64 * 2**20
_KEEP_FREE_TOP = 256 * 2**20
_allocator_tuned = False


def keep_freed_memory() -> bool:
    """Make glibc keep freed memory for reuse instead of handing it back at once.

    The monthly processes make dozens of temporary arrays of a few MB (one
    float per member). By default glibc serves each from a fresh `mmap` and
    returns it on `free`, so every temporary is page-faulted in again; in a
    virtual machine a page fault costs microseconds, and at full scale this
    was about a quarter of the run's CPU time (over a million faults in a
    168-month run; see benchmarks/README.md). Raising the mmap and trim
    thresholds (`mallopt`) keeps those pages in the heap for the next
    temporary. Peak memory is unchanged; the process only keeps what it has
    already used.

    Runs once per process; does nothing off glibc, or when the user has set
    glibc's own malloc environment variables (theirs win).

    Returns:
        Whether the thresholds were set by this call or an earlier one.
    """
    global _allocator_tuned
    if _allocator_tuned:
        return True
    if not sys.platform.startswith("linux") or any(
        key.startswith("MALLOC_") or key == "GLIBC_TUNABLES" for key in os.environ
    ):
        return False
    try:
        libc = ctypes.CDLL("libc.so.6")
        ok = libc.mallopt(_M_MMAP_THRESHOLD, _KEEP_MMAP_BELOW) == 1
        ok = libc.mallopt(_M_TRIM_THRESHOLD, _KEEP_FREE_TOP) == 1 and ok
    except (OSError, AttributeError):
        return False
    _allocator_tuned = ok
    return ok


@dataclass(frozen=True)
class Column:
    """One attribute of every member."""

    dtype: Any
    default: Any
    doc: str


COLUMNS: dict[str, Column] = {
    "ideology": Column(np.float64, 0.0, "left (-1) .. right (+1)"),
    "activism": Column(np.float32, 0.0, "chance of attending a meeting"),
    "turnout": Column(np.float32, 0.0, "chance of voting in a postal/online ballot"),
    "clp": Column(np.int32, 0, "constituency party"),
    "branch": Column(np.int32, 0, "branch (ward), numbered across all CLPs"),
    "faction": Column(np.int16, NO_FACTION, "faction index, or -1 for none"),
    "kind": Column(np.int8, FULL_MEMBER, "member type (see MEMBER_TYPES)"),
    "union": Column(np.int16, NO_UNION, "union whose levy the member pays, or -1"),
    "trusts_leader": Column(np.bool_, False, "takes the leader's cue"),
    "joined": Column(np.int32, 0, "month index joined (negative: before the run)"),
    "drawn": Column(np.bool_, False, "joined drawn by a new leader, a contest or a shock"),
    "backed_loser": Column(
        np.bool_, False, "voted for another candidate in the contest that chose the sitting leader"
    ),
    "left": Column(np.int32, STILL_ACTIVE, "month index lapsed, or -1 while active"),
    "active": Column(np.bool_, True, "in good standing now"),
}

GUARDED = frozenset({"active", "kind", "clp", "union"})
"""Columns that decide who is an active full member, where, and whose levy: the table
hands them out read-only, and they change only through `append`, `lapse`, `set` and
`set_kind`, so the arrays derived from them (`full_member_ids`, `ids_by_clp`...) can
be kept."""

POSITIONS = "ideology"
"""Also handed out read-only: members' positions change only through `set` and
`ideology_for_update` (the month's opinion dynamics), so the members' median
(`full_member_median`), asked for several times a month, can be kept too."""


class MemberTable:
    """Columnar state of all members, past and present.

    Columns are read as attributes (`table.activism`); each is a view of the
    used rows, so writing into it (`table.activism[mask] = x`) updates the
    table. Rows are appended with `append`, which grows capacity
    geometrically so that monthly joining stays cheap.

    The GUARDED columns (`active`, `kind`, `clp`, `union`) are read-only
    views: who is an active full member, in which CLP and paying which
    union's levy changes only through `append`, `lapse`, `set` and
    `set_kind`. The table keeps the arrays it derives from them (the ids of
    active members and of full members, the full members' CLPs and unions,
    their grouping by CLP) until one of those calls drops them, so the many
    processes of a month that ask for them share one copy. The arrays
    handed out are read-only too. `ideology` is read-only as well: it
    changes through `set` and `ideology_for_update`, which drop the kept
    members' median (`full_member_median`).
    """

    def __init__(self, capacity: int = 1024):
        keep_freed_memory()
        self._n = 0
        self._data = {
            name: np.full(max(capacity, 1), col.default, dtype=col.dtype)
            for name, col in COLUMNS.items()
        }
        self._derived: dict[Any, Any] = {}
        # What the table keeps of members' positions (dropped when ideology
        # changes too).
        self._positional: dict[Any, Any] = {}

    def __len__(self) -> int:
        return self._n

    def __getattr__(self, name: str) -> np.ndarray:
        data = self.__dict__.get("_data")
        if data is not None and name in data:
            view = data[name][: self._n]
            if name in GUARDED or name == POSITIONS:
                view.flags.writeable = False
            return view
        raise AttributeError(name)

    @property
    def capacity(self) -> int:
        """Rows allocated (used or not)."""
        return len(self._data["ideology"])

    def append(self, **columns: np.ndarray) -> np.ndarray:
        """Add rows; columns not given take their defaults.

        Args:
            **columns: column name -> values, all of one length.

        Returns:
            The ids (row numbers) of the new members.
        """
        unknown = set(columns) - set(COLUMNS)
        if unknown:
            raise KeyError(f"unknown member columns: {sorted(unknown)}")
        lengths = {len(np.atleast_1d(v)) for v in columns.values()}
        if len(lengths) != 1:
            raise ValueError(f"columns differ in length: {lengths}")
        count = lengths.pop()
        self._reserve(self._n + count)
        start, stop = self._n, self._n + count
        for name, values in columns.items():
            self._data[name][start:stop] = values
        for name in COLUMNS.keys() - columns.keys():
            self._data[name][start:stop] = COLUMNS[name].default
        self._n = stop
        self._drop_kept()
        return np.arange(start, stop)

    def _reserve(self, rows: int) -> None:
        if rows <= self.capacity:
            return
        new_capacity = max(rows, int(self.capacity * 1.25) + 1024)
        for name, arr in self._data.items():
            grown = np.full(new_capacity, COLUMNS[name].default, dtype=arr.dtype)
            grown[: self._n] = arr[: self._n]
            self._data[name] = grown

    def lapse(self, ids: np.ndarray, month: int) -> None:
        """Mark members as lapsed; their rows stay (ids never move)."""
        self._data["active"][ids] = False
        self._data["left"][ids] = month
        self._drop_kept()

    def set_kind(self, ids: np.ndarray, kind: int) -> None:
        """Change some members' type (e.g. a supporter who joins as a full member)."""
        self._data["kind"][ids] = kind
        self._drop_kept()

    def row(self, member_id: int) -> dict[str, Any]:
        """All columns of one member as plain Python values."""
        if not 0 <= member_id < self._n:
            raise IndexError(f"no member {member_id} (table has {self._n} rows)")
        return {name: self._data[name][member_id].item() for name in COLUMNS}

    def set(self, member_id: int, name: str, value: Any) -> None:
        """Write one column of one member."""
        if not 0 <= member_id < self._n:
            raise IndexError(f"no member {member_id} (table has {self._n} rows)")
        self._data[name][member_id] = value
        if name in GUARDED:
            self._drop_kept()
        elif name == POSITIONS:
            self._positional.clear()

    def ideology_for_update(self) -> np.ndarray:
        """The ideology column, writable, for the month's opinion dynamics to update in place.

        Drops the kept medians. Write through the view at once and do not
        keep it: a later write would not drop medians kept since.
        """
        self._positional.clear()
        return self._data[POSITIONS][: self._n]

    # --- derived arrays, kept until a guarded column changes ----------------------

    def _drop_kept(self) -> None:
        self._derived.clear()
        self._positional.clear()

    def _keep(self, key: Any, make: Any) -> Any:
        """The derived value `key`, made (and frozen read-only) on first request."""
        value = self._derived.get(key)
        if value is None:
            value = make()
            for arr in value if isinstance(value, tuple) else (value,):
                arr.flags.writeable = False
            self._derived[key] = value
        return value

    def full_members(self) -> np.ndarray:
        """Boolean mask of active full members (those who attend meetings); read-only."""
        return self._keep("full_mask", lambda: self.active & (self.kind == FULL_MEMBER))

    def active_ids(self) -> np.ndarray:
        """Ids of active members of every type, ascending; read-only."""
        return self._keep("active_ids", lambda: self._ids_of(self.active, "full_ids"))

    def full_member_ids(self) -> np.ndarray:
        """Ids of active full members, ascending (gathering by ids beats a mask); read-only."""
        return self._keep("full_ids", lambda: self._ids_of(self.full_members(), "active_ids"))

    def _ids_of(self, mask: np.ndarray, other: str) -> np.ndarray:
        """`np.flatnonzero(mask)`, or the kept `other` ids when they are the same rows.

        Outside a contest every active member is a full member, so the two
        id lists are one: a count tells, and the second gather is saved.
        """
        known = self._derived.get(other)
        if known is not None and np.count_nonzero(mask) == known.size:
            return known
        return np.flatnonzero(mask)

    def full_member_median(self) -> float:
        """The active full members' median ideology (`np.median`'s value); NaN if there are none.

        Kept until a member's position or who is a full member changes: data
        collection, the NEC, the groups' stakes and conference all ask for it,
        several times a month, and each computation gathers every full member.
        """
        median = self._positional.get("median")
        if median is None:
            x = self.full_member_ideology()
            median = arrays.median(x) if x.size else float("nan")
            self._positional["median"] = median
        return median

    def full_member_ideology(self) -> np.ndarray:
        """The ideology of each active full member, in the order of `full_member_ids`; read-only.

        Kept like `full_member_median`: organising, MPs' focus, the median and
        data collection read it in the same month, and each gather reads
        every full member's row.
        """
        x = self._positional.get("full_ideology")
        if x is None:
            x = self.ideology[self.full_member_ids()]
            x.flags.writeable = False
            self._positional["full_ideology"] = x
        return x

    def clp_medians(self, n_clps: int) -> np.ndarray:
        """Each CLP's median full member's ideology (`np.median`'s value), NaN where
        a CLP has none; read-only.

        Kept like `full_member_median`: conference asks for it three times
        in its month (the agenda's forecast, the tabling, the vote).
        """
        key = ("clp_medians", n_clps)
        medians = self._positional.get(key)
        if medians is None:
            ids, bounds = self.ids_by_clp(n_clps)
            medians = arrays.segment_medians(self.ideology[ids], bounds, float("nan"))
            medians.flags.writeable = False
            self._positional[key] = medians
        return medians

    def full_member_clps(self) -> np.ndarray:
        """The CLP of each active full member, in the order of `full_member_ids`; read-only."""
        return self._keep("full_clps", lambda: self.clp[self.full_member_ids()])

    def full_member_unions(self) -> np.ndarray:
        """The union of each active full member (-1: none), as `full_member_ids`; read-only."""
        return self._keep("full_unions", lambda: self.union[self.full_member_ids()])

    def full_member_counts(self, n_clps: int) -> np.ndarray:
        """Active full members per CLP (length n_clps); read-only."""
        return self._keep(
            ("counts", n_clps), lambda: np.bincount(self.full_member_clps(), minlength=n_clps)
        )

    def ids_by_clp(
        self, n_clps: int, ids: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Members grouped by CLP: CLP c's members are `ids[bounds[c]:bounds[c + 1]]`.

        Args:
            n_clps: number of CLPs.
            ids: the members to group, ascending (default: active full members,
                whose grouping the table keeps; read-only).

        Returns:
            (ids sorted by CLP and ascending within a CLP, bounds of length n_clps + 1).
        """
        if ids is None:
            return self._keep(
                ("by_clp", n_clps),
                lambda: self._group_by_clp(n_clps, self.full_member_ids(), self.full_member_clps()),
            )
        return self._group_by_clp(n_clps, ids, self.clp[ids])

    def full_members_of_union(self, union: int) -> np.ndarray:
        """Ids of the active full members who pay `union`'s levy, ascending; read-only.

        The same array as `full_member_ids()[full_member_unions() == union]`:
        the table groups the full members by union once (a stable sort keeps
        ids ascending within a union), so asking for each union in turn does
        not scan every full member each time.
        """
        ids, bounds = self._keep("by_union", self._group_by_union)
        slot = union - NO_UNION  # the grouping counts from NO_UNION (-1)
        if not 0 <= slot < bounds.size - 1:
            return ids[:0]
        return ids[bounds[slot] : bounds[slot + 1]]

    def _group_by_union(self) -> tuple[np.ndarray, np.ndarray]:
        # The union column is 16-bit, so the stable sort is numpy's radix sort.
        slot = self.full_member_unions() - np.int16(NO_UNION)
        ids = self.full_member_ids()[np.argsort(slot, kind="stable")]
        bounds = np.concatenate(([0], np.cumsum(np.bincount(slot)))).astype(np.intp)
        return ids, bounds

    @staticmethod
    def _group_by_clp(
        n_clps: int, ids: np.ndarray, clp: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        # A stable sort on a 16-bit key is numpy's O(n) radix sort.
        key = clp.astype(np.uint16) if n_clps <= np.iinfo(np.uint16).max + 1 else clp
        ids = ids[np.argsort(key, kind="stable")]
        bounds = np.zeros(n_clps + 1, dtype=np.intp)
        np.cumsum(np.bincount(clp, minlength=n_clps), out=bounds[1:])
        return ids, bounds

    def nbytes(self) -> int:
        """Memory held by the columns."""
        return sum(arr.nbytes for arr in self._data.values())


class Member(mesa.Agent):
    """A Mesa agent view of one row of the member table.

    Created on demand by `PartyModel.member(i)`; its attributes read and
    write the table, so inspecting it never copies state.
    """

    def __init__(self, model: PartyModel, member_id: int):
        """Create the view.

        Args:
            model: the party model owning the member table.
            member_id: the row in the member table.
        """
        super().__init__(model)
        self.member_id = int(member_id)

    def __getattr__(self, name: str) -> Any:
        if name in COLUMNS:
            return self.model.members.row(self.member_id)[name]
        raise AttributeError(name)

    def __setattr__(self, name: str, value: Any) -> None:
        if name in COLUMNS:
            self.model.members.set(self.member_id, name, value)
        else:
            super().__setattr__(name, value)

    @property
    def member_type(self) -> str:
        """Full member, registered supporter or affiliated supporter."""
        return MEMBER_TYPES[self.kind]

    def __repr__(self) -> str:
        return f"Member({self.member_id}, {self.model.members.row(self.member_id)})"
