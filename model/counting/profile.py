"""Grouped ballots: the :class:`BallotProfile` every count and ballot file works on.

A profile holds each distinct ranking once with the number of voters who cast
it (and, for an electoral college, their section). :func:`group_ballots` turns
one-row-per-voter rankings into a profile fast enough for half a million
voters; :func:`ballot_groups` gives a profile's ballots in a form that does not
depend on the order or splitting of its groups, which is what "the same
ballots" means when a file is converted from one format to another.

Blank ballots (no preference at all) are not valid votes: a profile cannot
hold them, and :func:`group_ballots` either rejects or drops them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

__all__ = [
    "DEFAULT_SECTION",
    "NO_PREFERENCE",
    "BallotProfile",
    "ballot_groups",
    "group_ballots",
]

NO_PREFERENCE = -1
"""Padding value in ``rankings`` after a ballot's last preference."""

DEFAULT_SECTION = "all"
"""Name of the single section of a profile built without sections."""

# np.bincount sums its weights in float64, which is exact for integers below 2**53.
_MAX_BALLOTS = 2**53

# Above this many distinct codes, np.unique is cheaper than a bincount over the code space.
_BINCOUNT_CODE_LIMIT = 1 << 22


@dataclass(frozen=True, eq=False)
class BallotProfile:
    """Grouped ballots: each row is one distinct ranking with the number of voters who cast it.

    Attributes:
        candidates: candidate names; a ranking refers to them by index.
        rankings: int array, shape (n_groups, max_len): candidate indices in order of
            preference, padded with ``NO_PREFERENCE`` (-1) after the last preference.
            Truncated rankings are allowed; blank ones are not.
        counts: int64 array, shape (n_groups,): ballots in each group (>= 0).
        sections: int array, shape (n_groups,), the section of each group, or None
            when the profile has a single section.
        section_names: one name per section. Defaults to ``("all",)`` without
            sections and to ``("0", "1", ...)`` with them.

    The arrays are copied and made read-only on construction, so a profile
    cannot change under a count that has been recorded from it.

    Raises:
        ValueError: if shapes, dtypes or values are inconsistent (see messages).
    """

    candidates: tuple[str, ...]
    rankings: np.ndarray
    counts: np.ndarray
    sections: np.ndarray | None = None
    section_names: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        candidates = _check_names(self.candidates, "candidate")
        if not candidates:
            raise ValueError("a ballot profile needs at least one candidate")
        rankings = _as_int_array(self.rankings, "rankings", ndim=2)
        n_groups = rankings.shape[0]
        counts = _as_int_array(self.counts, "counts", ndim=1).astype(np.int64)
        if counts.shape[0] != n_groups:
            raise ValueError(
                f"counts has {counts.shape[0]} entries but rankings has {n_groups} rows"
            )
        if n_groups and counts.min() < 0:
            raise ValueError(f"counts must not be negative (group {int(np.argmin(counts))})")
        if n_groups and float(counts.sum(dtype=np.float64)) >= _MAX_BALLOTS:
            raise ValueError("too many ballots: the total must stay below 2**53")
        _check_rankings(rankings, len(candidates))

        if self.sections is None:
            names = _check_names(self.section_names or (DEFAULT_SECTION,), "section")
            if len(names) != 1:
                raise ValueError(
                    f"sections is None but {len(names)} section names were given; "
                    "pass a section index per group"
                )
            sections = None
        else:
            sections = _as_int_array(self.sections, "sections", ndim=1).astype(np.int64)
            if sections.shape[0] != n_groups:
                raise ValueError(
                    f"sections has {sections.shape[0]} entries but rankings has {n_groups} rows"
                )
            if n_groups and sections.min() < 0:
                raise ValueError("section indices must not be negative")
            n_sections = int(sections.max()) + 1 if n_groups else 1
            names = _check_names(
                self.section_names or tuple(str(i) for i in range(n_sections)), "section"
            )
            if n_groups and sections.max() >= len(names):
                raise ValueError(
                    f"section index {int(sections.max())} out of range for "
                    f"{len(names)} section names"
                )
            sections.setflags(write=False)

        rankings = np.array(rankings, dtype=np.int64)
        rankings.setflags(write=False)
        counts = np.array(counts, dtype=np.int64)
        counts.setflags(write=False)
        object.__setattr__(self, "candidates", candidates)
        object.__setattr__(self, "rankings", rankings)
        object.__setattr__(self, "counts", counts)
        object.__setattr__(self, "sections", sections)
        object.__setattr__(self, "section_names", names)

    @classmethod
    def from_named(
        cls,
        candidates: Sequence[str],
        rankings: Sequence[Sequence[str]],
        counts: Sequence[int] | None = None,
        sections: Sequence[str] | None = None,
        section_names: Sequence[str] | None = None,
    ) -> BallotProfile:
        """Builds a profile from rankings written as candidate names.

        Args:
            candidates: all candidate names, in the order to report them.
            rankings: one ranking per group, most preferred first.
            counts: ballots per group; 1 each if None.
            sections: section name per group, or None for a single section.
            section_names: the sections and their order; defaults to order of
                first appearance in ``sections``.

        Returns:
            The profile (groups are not merged; use :func:`group_ballots` for that).

        Raises:
            ValueError: on an unknown name or any check of :class:`BallotProfile`.
        """
        candidates = tuple(candidates)
        index = {name: i for i, name in enumerate(candidates)}
        width = max((len(r) for r in rankings), default=0)
        array = np.full((len(rankings), width), NO_PREFERENCE, dtype=np.int64)
        for row, ranking in enumerate(rankings):
            for pos, name in enumerate(ranking):
                if name not in index:
                    raise ValueError(f"ranking {row}: unknown candidate {name!r}")
                array[row, pos] = index[name]
        count_array = np.ones(len(rankings), dtype=np.int64) if counts is None else counts
        if sections is None:
            return cls(candidates, array, np.asarray(count_array, dtype=np.int64))
        names = tuple(section_names) if section_names else tuple(dict.fromkeys(sections))
        section_index = {name: i for i, name in enumerate(names)}
        unknown = [s for s in sections if s not in section_index]
        if unknown:
            raise ValueError(f"unknown section {unknown[0]!r}")
        return cls(
            candidates,
            array,
            np.asarray(count_array, dtype=np.int64),
            np.array([section_index[s] for s in sections], dtype=np.int64),
            names,
        )

    @property
    def n_candidates(self) -> int:
        """Number of candidates."""
        return len(self.candidates)

    @property
    def n_sections(self) -> int:
        """Number of sections (1 when the profile has none)."""
        return len(self.section_names)

    @property
    def section_index(self) -> np.ndarray:
        """Section of each group as an int array (zeros when the profile has no sections)."""
        if self.sections is None:
            return np.zeros(self.counts.shape[0], dtype=np.int64)
        return self.sections

    @property
    def total(self) -> int:
        """Number of ballots in the profile."""
        return int(self.counts.sum())

    def valid_by_section(self) -> dict[str, int]:
        """Number of valid ballots in each section.

        Returns:
            Section name -> ballots, in ``section_names`` order.
        """
        totals = np.bincount(self.section_index, weights=self.counts, minlength=self.n_sections)
        return {name: int(round(v)) for name, v in zip(self.section_names, totals, strict=True)}

    def equals(self, other: BallotProfile) -> bool:
        """Whether two profiles hold the same groups in the same order.

        Args:
            other: the profile to compare with.

        Returns:
            True if candidates, sections and all arrays are identical.
        """
        return (
            self.candidates == other.candidates
            and self.section_names == other.section_names
            and np.array_equal(self.rankings, other.rankings)
            and np.array_equal(self.counts, other.counts)
            and np.array_equal(self.section_index, other.section_index)
        )

    def same_ballots(self, other: BallotProfile) -> bool:
        """Whether two profiles hold the same ballots, however they are grouped.

        This is what a conversion between file formats must preserve: the
        candidates and sections (in report order) and how many ballots carry
        each (section, ranking), whatever the order or splitting of the groups
        and leaving out groups of zero ballots.

        Args:
            other: the profile to compare with.

        Returns:
            True if candidates, section names and :func:`ballot_groups` agree.
        """
        return (
            self.candidates == other.candidates
            and self.section_names == other.section_names
            and ballot_groups(self) == ballot_groups(other)
        )

    def with_candidates(self, candidates: Sequence[str]) -> BallotProfile:
        """The same ballots with the candidates in another report order.

        Args:
            candidates: every candidate of this profile, in the order wanted,
                plus any others (who then stand unranked by anyone).

        Returns:
            A new profile; rankings are re-indexed, counts and sections kept.

        Raises:
            ValueError: if a candidate of this profile is missing from ``candidates``
                or a name is repeated.
        """
        candidates = _check_names(candidates, "candidate")
        index = {name: i for i, name in enumerate(candidates)}
        missing = [c for c in self.candidates if c not in index]
        if missing:
            raise ValueError(f"candidate {missing[0]!r} is not in the list of candidates")
        mapping = np.array([index[c] for c in self.candidates], dtype=np.int64)
        rankings = np.where(
            self.rankings >= 0, mapping[np.maximum(self.rankings, 0)], NO_PREFERENCE
        )
        return BallotProfile(
            candidates=candidates,
            rankings=rankings,
            counts=self.counts,
            sections=self.sections,
            section_names=self.section_names,
        )


def ballot_groups(profile: BallotProfile) -> dict[tuple[str, tuple[str, ...]], int]:
    """A profile's ballots by (section, ranking), merged, without empty groups.

    Args:
        profile: the profile.

    Returns:
        (section name, ranking as candidate names) -> number of ballots, for
        every group with at least one ballot; groups with the same section and
        ranking are added together. Keys are in order of first appearance.
    """
    groups: dict[tuple[str, tuple[str, ...]], int] = {}
    names = profile.candidates
    for ranking, count, section in zip(
        profile.rankings.tolist(),
        profile.counts.tolist(),
        profile.section_index.tolist(),
        strict=True,
    ):
        if count == 0:
            continue
        key = (profile.section_names[section], tuple(names[c] for c in ranking if c >= 0))
        groups[key] = groups.get(key, 0) + count
    return groups


def _check_names(names: Iterable[str], what: str) -> tuple[str, ...]:
    names = tuple(names)
    for name in names:
        if not isinstance(name, str) or not name.strip():
            raise ValueError(f"{what} names must be non-empty strings, got {name!r}")
    if len(set(names)) != len(names):
        duplicates = sorted({n for n in names if names.count(n) > 1})
        raise ValueError(f"duplicate {what} name(s): {', '.join(duplicates)}")
    return names


def _as_int_array(value: Any, name: str, *, ndim: int) -> np.ndarray:
    array = np.asarray(value)
    if array.size == 0 and array.dtype.kind == "f":
        array = array.astype(np.int64)  # np.asarray([]) is float64; an empty list is fine
    if array.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-dimensional, got shape {array.shape}")
    if array.dtype.kind not in "iu":
        raise ValueError(f"{name} must hold integers, got dtype {array.dtype}")
    return array


def _ranking_problems(rankings: np.ndarray, n_candidates: int) -> dict[str, np.ndarray]:
    """Boolean masks over rows for each way a ranking can be malformed."""
    n_rows, width = rankings.shape
    if width == 0 or n_rows == 0:
        blank = np.ones(n_rows, dtype=bool)
        empty = np.zeros(n_rows, dtype=bool)
        return {"blank": blank, "range": empty, "gap": empty, "duplicate": empty}
    if rankings.min() < NO_PREFERENCE or rankings.max() >= n_candidates:
        out_of_range = ((rankings < NO_PREFERENCE) | (rankings >= n_candidates)).any(axis=1)
        rankings = np.where(out_of_range[:, None], NO_PREFERENCE, rankings)
    else:
        out_of_range = np.zeros(n_rows, dtype=bool)
    ranked = rankings >= 0
    gap = (ranked[:, 1:] & ~ranked[:, :-1]).any(axis=1)
    if n_candidates < 63:
        # A repeated candidate makes the sum of the rows' bits differ from their union;
        # this is several times faster than sorting every row.
        bit_sum = np.zeros(n_rows, dtype=np.int64)
        bit_union = np.zeros(n_rows, dtype=np.int64)
        for pos in range(width):
            bits = np.where(ranked[:, pos], np.left_shift(1, np.maximum(rankings[:, pos], 0)), 0)
            bit_sum += bits
            bit_union |= bits
        duplicate = bit_sum != bit_union
    else:
        ordered = np.sort(rankings, axis=1)
        duplicate = ((ordered[:, 1:] == ordered[:, :-1]) & (ordered[:, 1:] >= 0)).any(axis=1)
    return {
        "range": out_of_range,
        "duplicate": duplicate,
        "gap": gap,
        "blank": ~ranked[:, 0] & ~out_of_range,
    }


_PROBLEM_TEXT = {
    "range": "holds a value that is neither a candidate index nor -1",
    "gap": "has a preference after a -1 (padding must come last)",
    "duplicate": "ranks the same candidate twice",
    "blank": "is blank (no preference); a blank ballot is not a valid vote",
}


def _check_rankings(rankings: np.ndarray, n_candidates: int, *, allow_blank: bool = False) -> None:
    if rankings.shape[0] == 0:
        return
    for problem, rows in _ranking_problems(rankings, n_candidates).items():
        if problem == "blank" and allow_blank:
            continue
        if rows.any():
            row = int(np.argmax(rows))
            raise ValueError(
                f"ranking in row {row} {_PROBLEM_TEXT[problem]}: {rankings[row].tolist()}"
            )


def group_ballots(
    rankings: np.ndarray,
    sections: np.ndarray | None = None,
    *,
    candidates: Sequence[str],
    section_names: Sequence[str] | None = None,
    blank: Literal["error", "drop"] = "error",
) -> BallotProfile:
    """Merges one-row-per-voter rankings into grouped ballots.

    Each (section, ranking) pair is encoded as one integer in base
    ``n_candidates + 1`` so that grouping is a bincount (or np.unique when the
    code space is large) rather than a row-wise ``np.unique(axis=0)``, which is
    two orders of magnitude slower at this size. Groups come out sorted by
    section, then ranking, so the result does not depend on voter order.

    Args:
        rankings: int array, shape (n_voters, max_len), candidate indices padded with -1.
        sections: int array, shape (n_voters,), section index per voter, or None.
        candidates: candidate names (index -> name).
        section_names: section names (index -> name); see :class:`BallotProfile`.
        blank: what to do with voters who ranked nobody: "error" raises, "drop"
            leaves them out (they are not valid votes).

    Returns:
        The grouped profile; its ranking width is the longest ranking present.

    Raises:
        ValueError: on malformed rankings (out of range, gaps, duplicates, blanks
            when ``blank="error"``) or inconsistent sections.
    """
    candidates = _check_names(candidates, "candidate")
    rankings = _as_int_array(rankings, "rankings", ndim=2)
    n_voters, width = rankings.shape
    if sections is not None:
        sections = _as_int_array(sections, "sections", ndim=1)
        if sections.shape[0] != n_voters:
            raise ValueError(
                f"sections has {sections.shape[0]} entries but rankings has {n_voters} rows"
            )
        if n_voters and sections.min() < 0:
            raise ValueError("section indices must not be negative")
        n_sections = len(section_names) if section_names else int(sections.max(initial=0)) + 1
        if n_voters and sections.max() >= n_sections:
            raise ValueError(
                f"section index {int(sections.max())} out of range for {n_sections} sections"
            )
    else:
        n_sections = 1
    if blank not in ("error", "drop"):
        raise ValueError(f"blank must be 'error' or 'drop', got {blank!r}")
    n_candidates = len(candidates)
    if n_voters and width and (rankings.min() < NO_PREFERENCE or rankings.max() >= n_candidates):
        _check_rankings(rankings, n_candidates, allow_blank=True)  # raises, naming the row

    base = n_candidates + 1
    code_space = base**width * n_sections
    if code_space < 2**62:
        unique_codes, group_counts = _group_by_code(rankings, sections, base, code_space)
        ranking_codes = unique_codes % (base**width)
        section_of_group = unique_codes // (base**width)
        grouped = np.empty((unique_codes.shape[0], width), dtype=np.int64)
        for pos in range(width - 1, -1, -1):
            grouped[:, pos] = ranking_codes % base - 1
            ranking_codes //= base
    else:
        grouped, section_of_group, group_counts = _group_by_sort(rankings, sections)

    # Checking the distinct rankings (thousands) instead of every voter's (hundreds of
    # thousands) is what makes this fast; the voters are scanned only to name a culprit.
    problems = _ranking_problems(grouped, n_candidates)
    if blank == "drop" and problems["blank"].any():
        keep = ~problems["blank"]
        grouped, section_of_group, group_counts = (
            grouped[keep],
            section_of_group[keep],
            group_counts[keep],
        )
        problems = {name: rows[keep] for name, rows in problems.items()}
    if any(rows.any() for rows in problems.values()):
        _check_rankings(rankings, n_candidates, allow_blank=blank == "drop")

    used = np.flatnonzero((grouped >= 0).any(axis=0))
    grouped = grouped[:, : int(used[-1]) + 1 if used.size else 0]

    return BallotProfile(
        candidates=candidates,
        rankings=grouped,
        counts=group_counts.astype(np.int64),
        sections=None if sections is None else section_of_group.astype(np.int64),
        section_names=tuple(section_names) if section_names else (),
    )


def _group_by_code(
    rankings: np.ndarray, sections: np.ndarray | None, base: int, code_space: int
) -> tuple[np.ndarray, np.ndarray]:
    """Distinct (section, ranking) codes in increasing order, with their counts."""
    codes = np.zeros(rankings.shape[0], dtype=np.int64)
    for pos in range(rankings.shape[1]):
        codes *= base
        codes += rankings[:, pos] + 1
    if sections is not None:
        codes += sections.astype(np.int64) * base ** rankings.shape[1]
    # A bincount is linear time, so use it whenever the code space is not much larger
    # than the data; otherwise sort.
    if code_space <= max(_BINCOUNT_CODE_LIMIT, 4 * rankings.shape[0]):
        tally = np.bincount(codes, minlength=1)
        unique_codes = np.flatnonzero(tally).astype(np.int64)
        return unique_codes, tally[unique_codes]
    return np.unique(codes, return_counts=True)


def _group_by_sort(
    rankings: np.ndarray, sections: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    # Fallback when the integer code would overflow int64 (many candidates, long rankings).
    section_key = np.zeros(rankings.shape[0], dtype=np.int64) if sections is None else sections
    keys = [rankings[:, pos] for pos in range(rankings.shape[1] - 1, -1, -1)] + [section_key]
    order = np.lexsort(keys)
    ordered = rankings[order]
    ordered_sections = section_key[order]
    changed = np.ones(order.shape[0], dtype=bool)
    if order.shape[0] > 1:
        changed[1:] = (ordered[1:] != ordered[:-1]).any(axis=1) | (
            ordered_sections[1:] != ordered_sections[:-1]
        )
    starts = np.flatnonzero(changed)
    group_counts = np.diff(np.append(starts, order.shape[0]))
    return ordered[starts].astype(np.int64), ordered_sections[starts], group_counts
