"""The eliminating ballot: exact, auditable counting for OMOV and the electoral college.

Labour elects its leader by an eliminating ballot (the alternative vote). Each
voter ranks the candidates; while nobody has more than half of the votes still
in play, the candidate with the lowest total is eliminated and that
candidate's ballots pass to their next continuing preference. A ballot with no
continuing preference left is *exhausted* and drops out of the count.

Two ways of adding up a round are supported:

* **OMOV** (one member, one vote; 2014 rules onwards): every valid ballot counts
  the same, whatever section (members, registered supporters, affiliated
  supporters) it came from. Sections are still tallied separately in the
  record, because the party publishes the breakdown.
* **Electoral college** (1981-2014 rules, e.g. 2010): each section's votes are
  turned into percentages of that section's non-exhausted votes *in that round*,
  multiplied by the section's weight (a third each in 2010) and summed. The
  per-round renormalisation is what the 2010 figures show: every section's
  final-round percentages sum to 100.

Rules this module fixes, because Labour's rule book is silent or loose:

* Majority: a candidate is elected with MORE than half of the (weighted) votes
  still in play; a lone continuing candidate is elected.
* A section whose ballots are all exhausted in some round contributes nothing
  from then on. The other sections keep their nominal weights (the weighted
  totals then add up to less than 100) and a majority means more than half of
  the weighted total still in play. Scaling every total by the same factor
  changes no comparison, so this is the same decision as renormalising the
  live sections' weights; only the displayed totals differ.
* A section listed in the weights but with no ballots at all is the same case
  from round 1.
* One candidate is eliminated per round. A candidate nobody ranked has a total
  of zero and goes first (unless someone already has a majority); no ballot
  moves, so nobody else's votes change. Several such candidates tie on zero in
  every round and so leave one per round in an order drawn by lot.
* Ties for elimination (policy ``TIE_POLICY``): among those tied for the
  lowest total, the one with the fewest first preferences is eliminated; if
  still tied, the fewest at round 2, then round 3, ... up to the previous
  round; if still tied, lot drawn with a seeded ``numpy.random.Generator``. In
  a college "first preferences" means the round-1 *weighted* totals. Every
  tie-break is recorded step by step.
* Exactness: ballot counts are integers and every comparison that decides an
  elimination or a majority is made on ``fractions.Fraction`` values, so no
  float rounding can change a result. Floats appear only in display fields.
* Blank ballots (no preference at all) are not valid votes: a profile cannot
  hold them, and :func:`group_ballots` either rejects or drops them.

The tallying itself is vectorised with numpy on grouped ballots (identical
ballots merged with a count), so a count over half a million voters takes
milliseconds once grouped.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction
from typing import Any, Literal

import numpy as np

__all__ = [
    "DEFAULT_SECTION",
    "DEFAULT_SEED",
    "JSON_PLACES",
    "NO_PREFERENCE",
    "TIE_POLICY",
    "BallotProfile",
    "CountResult",
    "RoundRecord",
    "TieBreak",
    "TieBreakStep",
    "count_ballots",
    "diff_results",
    "group_ballots",
    "parse_weight",
    "parse_weights",
    "round_half_up",
]

TIE_POLICY = "fewest-first-preferences-then-earlier-rounds-then-lot"
"""Name of the tie-break policy, recorded in every result."""

NO_PREFERENCE = -1
"""Padding value in ``rankings`` after a ballot's last preference."""

DEFAULT_SEED = 0
"""Seed used for drawing lots when the caller gives none, so counts replay exactly."""

DEFAULT_SECTION = "all"
"""Name of the single section of a profile built without sections."""

JSON_PLACES = 4
"""Decimal places of the display floats in ``to_dict`` (published figures use 2-3)."""

# np.bincount sums its weights in float64, which is exact for integers below 2**53.
_MAX_BALLOTS = 2**53

# Above this many distinct codes, np.unique is cheaper than a bincount over the code space.
_BINCOUNT_CODE_LIMIT = 1 << 22

Method = Literal["omov", "college"]
WeightLike = Fraction | str | int | float


# --------------------------------------------------------------------------- profiles


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


# --------------------------------------------------------------------------- weights


def parse_weight(value: WeightLike) -> Fraction:
    """Turns a section weight into an exact fraction.

    Args:
        value: a Fraction, an int, a string such as "1/3" or "0.5", or a float.
            A float is converted through its shortest repr and then
            ``limit_denominator(1000)``, so 0.3333333333333333 becomes 1/3; pass
            strings or Fractions when the exact value matters.

    Returns:
        The weight as a Fraction.

    Raises:
        ValueError: if the value is not a number or is negative.
    """
    if isinstance(value, bool):
        raise ValueError(f"weight must be a number, got {value!r}")
    try:
        if isinstance(value, Fraction):
            weight = value
        elif isinstance(value, int):
            weight = Fraction(value)
        elif isinstance(value, float):
            if not np.isfinite(value):
                raise ValueError
            weight = Fraction(repr(value)).limit_denominator(1000)
        elif isinstance(value, str):
            weight = Fraction(value.strip())
        else:
            raise ValueError
    except (ValueError, ZeroDivisionError):
        raise ValueError(f"weight must be a number such as 1/3 or 0.5, got {value!r}") from None
    if weight < 0:
        raise ValueError(f"weight must not be negative, got {value!r}")
    return weight


def parse_weights(
    weights: Mapping[str, WeightLike], section_names: Sequence[str]
) -> dict[str, Fraction]:
    """Checks a college's section weights against a profile's sections.

    Args:
        weights: section name -> weight (see :func:`parse_weight`).
        section_names: the sections that must all be weighted.

    Returns:
        Section name -> Fraction, in ``section_names`` order.

    Raises:
        ValueError: on an unknown or missing section, a bad weight, or weights
            that do not sum to exactly 1.
    """
    unknown = [name for name in weights if name not in section_names]
    if unknown:
        raise ValueError(
            f"unknown section {unknown[0]!r} in weights (sections: {', '.join(section_names)})"
        )
    missing = [name for name in section_names if name not in weights]
    if missing:
        raise ValueError(f"no weight given for section {missing[0]!r}")
    parsed = {}
    for name in section_names:
        try:
            parsed[name] = parse_weight(weights[name])
        except ValueError as err:
            raise ValueError(f"section {name!r}: {err}") from None
    total = sum(parsed.values(), Fraction(0))
    if total != 1:
        raise ValueError(f"section weights must sum to 1, they sum to {total}")
    return parsed


# --------------------------------------------------------------------------- records


@dataclass
class TieBreakStep:
    """One criterion applied while breaking a tie for elimination.

    Attributes:
        criterion: "first preferences", "round N totals" or "lot".
        values: the still-tied candidates' totals at that criterion (empty for lot).
        remaining: candidates still tied after this step (one name when it decided).
    """

    criterion: str
    values: dict[str, Fraction]
    remaining: tuple[str, ...]


@dataclass
class TieBreak:
    """A tie for the lowest total and how it was broken.

    Attributes:
        round: the round in which the tie occurred.
        tied: the candidates tied for the lowest total, in candidate order.
        steps: the criteria tried, in order.
        decided_by: the criterion that left one candidate.
        eliminated: that candidate.
    """

    round: int
    tied: tuple[str, ...]
    steps: list[TieBreakStep]
    decided_by: str
    eliminated: str


@dataclass
class RoundRecord:
    """Everything counted in one round.

    Attributes:
        number: round number, from 1.
        continuing: candidates still in the count, in candidate order.
        votes: section -> candidate -> ballots whose top continuing preference is them.
        exhausted: section -> ballots with no continuing preference (cumulative).
        non_exhausted: section -> ballots counted for someone this round.
        percentages: section -> candidate -> exact percentage of the section's
            non-exhausted ballots (all zero for a section with none).
        totals: candidate -> exact total deciding this round: the weighted sum of
            section percentages (college) or the percentage of all non-exhausted
            ballots (OMOV), in percentage points.
        total_votes: candidate -> ballots across all sections.
        majority: the candidate with more than half of the total in play, if any.
        eliminated: the candidate eliminated at the end of this round, if any.
        reason: why: "lowest total", "tie broken by first preferences",
            "tie broken by round N totals" or "tie broken by lot".
    """

    number: int
    continuing: tuple[str, ...]
    votes: dict[str, dict[str, int]]
    exhausted: dict[str, int]
    non_exhausted: dict[str, int]
    percentages: dict[str, dict[str, Fraction]]
    totals: dict[str, Fraction]
    total_votes: dict[str, int]
    majority: str | None
    eliminated: str | None
    reason: str | None

    @property
    def in_play(self) -> Fraction:
        """Sum of the continuing candidates' totals (100 unless a section is exhausted)."""
        return sum(self.totals.values(), Fraction(0))

    @property
    def totals_pct(self) -> dict[str, float]:
        """Totals as floats, for display only (rounded half up to ``JSON_PLACES``)."""
        return {c: round_half_up(t, JSON_PLACES) for c, t in self.totals.items()}

    def to_dict(self) -> dict[str, Any]:
        """The round as JSON-safe data (exact totals as strings, display floats rounded).

        Returns:
            A dict that :meth:`from_dict` turns back into an equal record.
        """
        return {
            "round": self.number,
            "continuing": list(self.continuing),
            "votes": {s: dict(v) for s, v in self.votes.items()},
            "exhausted": dict(self.exhausted),
            "non_exhausted": dict(self.non_exhausted),
            "percentages": {
                s: {c: round_half_up(p, JSON_PLACES) for c, p in pct.items()}
                for s, pct in self.percentages.items()
            },
            "totals": {c: str(t) for c, t in self.totals.items()},
            "totals_pct": self.totals_pct,
            "total_votes": dict(self.total_votes),
            "majority": self.majority,
            "eliminated": self.eliminated,
            "reason": self.reason,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RoundRecord:
        """Rebuilds a round from :meth:`to_dict` output.

        Exact percentages are recomputed from the raw votes, which the record
        holds, rather than read back from the rounded display floats.

        Args:
            data: the dict.

        Returns:
            The record.
        """
        votes = {s: {c: int(v) for c, v in sv.items()} for s, sv in data["votes"].items()}
        non_exhausted = {s: int(n) for s, n in data["non_exhausted"].items()}
        return cls(
            number=int(data["round"]),
            continuing=tuple(data["continuing"]),
            votes=votes,
            exhausted={s: int(n) for s, n in data["exhausted"].items()},
            non_exhausted=non_exhausted,
            percentages={s: _percentages(sv, non_exhausted[s]) for s, sv in votes.items()},
            totals={c: Fraction(t) for c, t in data["totals"].items()},
            total_votes={c: int(v) for c, v in data["total_votes"].items()},
            majority=data["majority"],
            eliminated=data["eliminated"],
            reason=data["reason"],
        )


@dataclass
class CountResult:
    """The full record of a count: inputs that matter, every round, every tie-break.

    Two counts of the same ballots under the same rules and seed compare equal,
    and so do their ``to_dict()`` outputs; ``from_dict(to_dict(r)) == r``.

    Attributes:
        winner: the elected candidate.
        rounds: one record per round, the last being the one that elected.
        method: "omov" or "college".
        tie_policy: name of the tie-break policy (``TIE_POLICY``).
        tie_breaks: every tie for elimination and how it was broken.
        weights: section -> weight for a college, None for OMOV.
        candidates: all candidates, in report order.
        section_names: all sections, in report order.
        valid: section -> valid ballots.
        seed: seed of the lot generator, or None if the caller passed a Generator.
        winner_reason: "majority" or "only continuing candidate".
    """

    winner: str
    rounds: list[RoundRecord]
    method: Method
    tie_policy: str
    tie_breaks: list[TieBreak]
    weights: dict[str, Fraction] | None
    candidates: tuple[str, ...]
    section_names: tuple[str, ...]
    valid: dict[str, int]
    seed: int | None
    winner_reason: str

    @property
    def first_round(self) -> RoundRecord:
        """The first round."""
        return self.rounds[0]

    @property
    def final_round(self) -> RoundRecord:
        """The round in which the winner was elected."""
        return self.rounds[-1]

    @property
    def elimination_order(self) -> list[str]:
        """Eliminated candidates, first eliminated first."""
        return [r.eliminated for r in self.rounds if r.eliminated is not None]

    def to_dict(self) -> dict[str, Any]:
        """The result as JSON-safe data.

        Fractions are strings ("50654/1000"-style exact values), display floats
        are rounded half up to ``JSON_PLACES`` decimals, dict order follows
        candidate and section order, so equal counts give equal output.

        Returns:
            A dict that :meth:`from_dict` turns back into an equal result.
        """
        return {
            "winner": self.winner,
            "winner_reason": self.winner_reason,
            "method": self.method,
            "candidates": list(self.candidates),
            "sections": list(self.section_names),
            "weights": None
            if self.weights is None
            else {s: str(w) for s, w in self.weights.items()},
            "valid": dict(self.valid),
            "tie_policy": self.tie_policy,
            "seed": self.seed,
            "rounds": [r.to_dict() for r in self.rounds],
            "tie_breaks": [
                {
                    "round": t.round,
                    "tied": list(t.tied),
                    "steps": [
                        {
                            "criterion": s.criterion,
                            "values": {c: str(v) for c, v in s.values.items()},
                            "remaining": list(s.remaining),
                        }
                        for s in t.steps
                    ],
                    "decided_by": t.decided_by,
                    "eliminated": t.eliminated,
                }
                for t in self.tie_breaks
            ],
        }

    def to_json(self, indent: int | None = 2) -> str:
        """The result as a JSON string (see :meth:`to_dict`).

        Args:
            indent: passed to ``json.dumps``.

        Returns:
            The JSON text.
        """
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CountResult:
        """Rebuilds a result from :meth:`to_dict` output (or parsed :meth:`to_json`).

        Args:
            data: the dict.

        Returns:
            The result.
        """
        weights = data["weights"]
        return cls(
            winner=data["winner"],
            rounds=[RoundRecord.from_dict(r) for r in data["rounds"]],
            method=data["method"],
            tie_policy=data["tie_policy"],
            tie_breaks=[
                TieBreak(
                    round=int(t["round"]),
                    tied=tuple(t["tied"]),
                    steps=[
                        TieBreakStep(
                            criterion=s["criterion"],
                            values={c: Fraction(v) for c, v in s["values"].items()},
                            remaining=tuple(s["remaining"]),
                        )
                        for s in t["steps"]
                    ],
                    decided_by=t["decided_by"],
                    eliminated=t["eliminated"],
                )
                for t in data["tie_breaks"]
            ],
            weights=None if weights is None else {s: Fraction(w) for s, w in weights.items()},
            candidates=tuple(data["candidates"]),
            section_names=tuple(data["sections"]),
            valid={s: int(n) for s, n in data["valid"].items()},
            seed=data["seed"],
            winner_reason=data["winner_reason"],
        )

    @classmethod
    def from_json(cls, text: str) -> CountResult:
        """Rebuilds a result from :meth:`to_json` output.

        Args:
            text: the JSON text.

        Returns:
            The result.
        """
        return cls.from_dict(json.loads(text))


def diff_results(a: CountResult, b: CountResult, *, limit: int = 20) -> list[str]:
    """Lists where two count records differ, for replaying a recorded count.

    Args:
        a: one result (e.g. the recorded one).
        b: the other (e.g. the recount).
        limit: stop after this many differences.

    Returns:
        Human-readable "path: a-value != b-value" lines; empty when the counts agree.
    """
    found: list[str] = []

    def walk(x: Any, y: Any, path: str) -> None:
        if len(found) >= limit:
            return
        if isinstance(x, dict) and isinstance(y, dict):
            for key in list(dict.fromkeys([*x, *y])):
                if key not in x or key not in y:
                    found.append(f"{path}.{key}: present in only one record")
                else:
                    walk(x[key], y[key], f"{path}.{key}")
        elif isinstance(x, list) and isinstance(y, list):
            if len(x) != len(y):
                found.append(f"{path}: {len(x)} entries != {len(y)} entries")
            for i, (xi, yi) in enumerate(zip(x, y, strict=False)):
                walk(xi, yi, f"{path}[{i}]")
        elif x != y:
            found.append(f"{path}: {x!r} != {y!r}")

    walk(a.to_dict(), b.to_dict(), "result")
    return found


def round_half_up(value: Fraction | int, places: int) -> float:
    """Rounds an exact value the way a person does by hand (halves away from zero).

    Args:
        value: the exact value.
        places: decimal places to keep.

    Returns:
        The rounded value as a float (for display and JSON).
    """
    value = Fraction(value)
    with localcontext() as ctx:
        ctx.prec = 60
        exact = Decimal(value.numerator) / Decimal(value.denominator)
        return float(exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def _percentages(votes: Mapping[str, int], base: int) -> dict[str, Fraction]:
    if base == 0:
        return {c: Fraction(0) for c in votes}
    return {c: Fraction(100 * v, base) for c, v in votes.items()}


# --------------------------------------------------------------------------- counting


def count_ballots(
    profile: BallotProfile,
    *,
    weights: Mapping[str, WeightLike] | None = None,
    rng: np.random.Generator | int | None = None,
) -> CountResult:
    """Counts an eliminating ballot, OMOV or electoral college.

    Args:
        profile: the grouped ballots.
        weights: None for OMOV (all sections pooled, one ballot one vote), or
            section -> weight for an electoral college; every section of the
            profile needs a weight and the weights must sum to exactly 1
            ("1/3" strings and Fractions are exact; see :func:`parse_weight`).
        rng: the generator for drawing lots, or a seed for one. None means
            ``DEFAULT_SEED``, so that a count always replays the same way.

    Returns:
        The full record of the count.

    Raises:
        ValueError: if the profile holds no ballots or the weights are invalid.
    """
    if weights is None:
        method: Method = "omov"
        parsed_weights = None
    else:
        method = "college"
        parsed_weights = parse_weights(weights, profile.section_names)
    if isinstance(rng, np.random.Generator):
        lot = _Lot(seed=None, generator=rng)
    else:
        lot = _Lot(seed=DEFAULT_SEED if rng is None else int(rng))

    candidates = profile.candidates
    sections = profile.section_names
    n_candidates, n_sections = len(candidates), len(sections)
    valid = profile.valid_by_section()
    if sum(valid.values()) == 0:
        raise ValueError("there are no ballots to count")

    section_of_group = profile.section_index
    counts = profile.counts
    # Padding is mapped to an extra always-excluded "candidate" so one gather finds the
    # top continuing preference and exhausted ballots land in their own bincount column.
    ranked = np.where(profile.rankings < 0, n_candidates, profile.rankings)
    bins = n_candidates + 1
    continuing = np.ones(bins, dtype=bool)
    continuing[n_candidates] = False
    weight_list = None if parsed_weights is None else [parsed_weights[s] for s in sections]

    rounds: list[RoundRecord] = []
    tie_breaks: list[TieBreak] = []
    history: list[dict[int, Fraction]] = []  # exact totals by candidate index, per round

    top = _top_preferences(ranked, continuing)
    while True:
        number = len(rounds) + 1
        tally = np.bincount(
            section_of_group * bins + top, weights=counts, minlength=n_sections * bins
        )
        tally = np.rint(tally).astype(np.int64).reshape(n_sections, bins)

        alive = [c for c in range(n_candidates) if continuing[c]]
        section_votes = [[int(tally[s, c]) for c in alive] for s in range(n_sections)]
        section_base = [int(tally[s, :n_candidates].sum()) for s in range(n_sections)]
        totals = _round_totals(alive, section_votes, section_base, weight_list)
        history.append(totals)
        in_play = sum(totals.values(), Fraction(0))

        majority = None
        if len(alive) == 1:
            majority = alive[0]
        else:
            leaders = [c for c in alive if 2 * totals[c] > in_play]
            majority = leaders[0] if leaders else None

        eliminated = reason = None
        if majority is None:
            eliminated, reason, tie_break = _choose_elimination(
                alive, history, candidates, number, lot
            )
            if tie_break is not None:
                tie_breaks.append(tie_break)

        names = [candidates[c] for c in alive]
        votes = {
            sections[s]: dict(zip(names, section_votes[s], strict=True)) for s in range(n_sections)
        }
        rounds.append(
            RoundRecord(
                number=number,
                continuing=tuple(names),
                votes=votes,
                exhausted={sections[s]: int(tally[s, n_candidates]) for s in range(n_sections)},
                non_exhausted={sections[s]: section_base[s] for s in range(n_sections)},
                percentages={
                    sections[s]: _percentages(votes[sections[s]], section_base[s])
                    for s in range(n_sections)
                },
                totals={candidates[c]: totals[c] for c in alive},
                total_votes={candidates[c]: int(tally[:, c].sum()) for c in alive},
                majority=None if majority is None else candidates[majority],
                eliminated=None if eliminated is None else candidates[eliminated],
                reason=reason,
            )
        )
        if majority is not None:
            return CountResult(
                winner=candidates[majority],
                rounds=rounds,
                method=method,
                tie_policy=TIE_POLICY,
                tie_breaks=tie_breaks,
                weights=parsed_weights,
                candidates=candidates,
                section_names=sections,
                valid=valid,
                seed=lot.seed,
                winner_reason="majority" if len(alive) > 1 else "only continuing candidate",
            )
        continuing[eliminated] = False
        # Only the eliminated candidate's ballots move; the rest keep their top preference.
        moved = np.flatnonzero(top == eliminated)
        top[moved] = _top_preferences(ranked[moved], continuing)


def _top_preferences(ranked: np.ndarray, continuing: np.ndarray) -> np.ndarray:
    """Each ballot's highest continuing preference, or the exhausted column."""
    exhausted = continuing.shape[0] - 1
    if ranked.shape[1] == 0:
        return np.full(ranked.shape[0], exhausted, dtype=np.int64)
    live = continuing[ranked]
    first_live = live.argmax(axis=1)
    rows = np.arange(ranked.shape[0])
    return np.where(live[rows, first_live], ranked[rows, first_live], exhausted)


class _Lot:
    """The lot generator, created on first use so that ordinary counts never touch it."""

    def __init__(self, seed: int | None, generator: np.random.Generator | None = None):
        self.seed = seed
        self._generator = generator

    def draw(self, n: int) -> int:
        if self._generator is None:
            self._generator = np.random.default_rng(self.seed)
        return int(self._generator.integers(n))


def _round_totals(
    alive: list[int],
    section_votes: list[list[int]],
    section_base: list[int],
    weights: list[Fraction] | None,
) -> dict[int, Fraction]:
    """Exact totals, in percentage points, that decide the round."""
    if weights is None:
        pooled = sum(section_base)
        return {
            c: Fraction(100 * sum(sv[i] for sv in section_votes), pooled)
            for i, c in enumerate(alive)
        }
    totals = {c: Fraction(0) for c in alive}
    for s, base in enumerate(section_base):
        if base == 0:
            continue  # an exhausted section contributes nothing (module docstring)
        for i, c in enumerate(alive):
            totals[c] += weights[s] * Fraction(100 * section_votes[s][i], base)
    return totals


def _choose_elimination(
    alive: list[int],
    history: list[dict[int, Fraction]],
    candidates: tuple[str, ...],
    number: int,
    lot: _Lot,
) -> tuple[int, str, TieBreak | None]:
    current = history[-1]
    lowest = min(current[c] for c in alive)
    tied = [c for c in alive if current[c] == lowest]
    if len(tied) == 1:
        return tied[0], "lowest total", None

    steps: list[TieBreakStep] = []
    remaining = tied
    # Round 1 is "first preferences"; the current round is already a tie, so stop before it.
    for earlier in range(1, number):
        values = history[earlier - 1]
        least = min(values[c] for c in remaining)
        criterion = "first preferences" if earlier == 1 else f"round {earlier} totals"
        step_values = {candidates[c]: values[c] for c in remaining}
        remaining = [c for c in remaining if values[c] == least]
        steps.append(
            TieBreakStep(
                criterion=criterion,
                values=step_values,
                remaining=tuple(candidates[c] for c in remaining),
            )
        )
        if len(remaining) == 1:
            return (
                remaining[0],
                f"tie broken by {criterion}",
                TieBreak(
                    round=number,
                    tied=tuple(candidates[c] for c in tied),
                    steps=steps,
                    decided_by=criterion,
                    eliminated=candidates[remaining[0]],
                ),
            )

    drawn = remaining[lot.draw(len(remaining))]
    steps.append(TieBreakStep(criterion="lot", values={}, remaining=(candidates[drawn],)))
    return (
        drawn,
        "tie broken by lot",
        TieBreak(
            round=number,
            tied=tuple(candidates[c] for c in tied),
            steps=steps,
            decided_by="lot",
            eliminated=candidates[drawn],
        ),
    )
