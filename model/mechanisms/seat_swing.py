"""Seat-by-seat swing from the last real result: who wins each seat at a given poll.

Pure numpy: a table of vote shares by seat (one column per party in
:data:`PARTIES` order), the votes each seat cast (its weight in the national
figure) and the target national shares go in; each seat's new shares, winner
and Labour margin come out. Nothing here knows about Mesa, the party model or
the data files (:mod:`model.data.seats` turns the packaged results into
these arrays: ``ElectionResult.shares``, ``.valid_votes``, ``.other_top``).

**National targets.** "National" means all the seats passed in, weighted by
the votes they cast at the base election (the UK-wide share for the full 650
seats, e.g. Labour 32.08% in 2019). Either every party's target is given
(``others``), or only Labour's; then **the other parties keep their
proportions among themselves**: each non-Labour share is multiplied by
``(1 − L) / (1 − L₀)`` (``L₀`` Labour's base share, ``L`` its target), which
is the same as taking Labour's change from the others in proportion to their
national shares (:func:`others_follow_labour`).

**Uniform swing** (the default; Butler's uniform national swing). Every seat
in which a party stood moves by the same number of points. Because a party
that stands in only part of the country (Labour not in Northern Ireland or the
Speaker's seat, the SNP only in Scotland) must reach its national change on
the votes of those seats alone, the per-seat change is the national change
divided by the party's *coverage* — the share of the national vote cast in the
seats where it stood (:func:`party_coverage`)::

    s'ᵢⱼ = sᵢⱼ + (Tⱼ − Nⱼ) / cⱼ   where party j stood in seat i (sᵢⱼ > 0),
    s'ᵢⱼ = 0                       where it did not.

So the SNP's national change reaches Scottish seats at full strength instead
of being smeared over England, and a party never appears in a seat it did not
contest. Before clipping, the vote-weighted national shares equal the targets
exactly.

**Proportional swing.** Each party's share in every seat is multiplied by the
ratio of its national target to its national base share, ``s'ᵢⱼ = sᵢⱼ ·
Tⱼ / Nⱼ`` (a party losing half its national vote loses half of it
everywhere; strongholds move more points than weak seats).

**Clipping and renormalising.** A uniform change can push a share below 0
(a party losing more points than it had) or, in principle, above 1; each share
is clipped to [0, 1] and each seat's shares are then divided by their sum so
they add to 1 (the uniform change adds a different number of points to each
party, so the sum drifts from 1 even without clipping). After either step the
national totals are close to, not exactly at, the targets; the
:class:`SwingResult` reports what they came to (``achieved``). The gap is
small for uniform swing (Labour at 45% from 2019: 44.9%) and larger for
proportional swing (42.8%: scaling every party and renormalising pulls each
seat back towards its base result). ``match_national=True`` closes it by
adjusting the changes until the achieved shares equal the targets, in
each overridden nation (its own swing) and in the other seats (the rest of the
national change). A party that cannot move in a group of seats (no votes
there) keeps its share and the other non-Labour parties' targets give way in
proportion, so Labour's target is always the one met. A seat
whose every share would clip to 0 (only reachable with extreme targets) keeps
its base result.

**Winner and margin.** The ``other`` column is the sum of every minor party
and independent, not one candidate, so it does not compete as a whole: its
strength is ``other × other_top`` where ``other_top`` is the fraction of the
column held by its largest candidate (given by the data; 1 if omitted). The
winner is the strongest of Labour, Conservative, Liberal Democrat, SNP,
Plaid Cymru and that largest other candidate; Labour's margin is its share
minus the strongest rival's (positive exactly where Labour wins; an exact tie
goes to the party listed first in :data:`PARTIES`, so to Labour). The largest
other candidate keeps its fraction of the column under swing (an assumption).

**Scotland and Wales.** ``nation_swing`` overrides Labour's change within a
nation (``{"Scotland": -0.17}``: Labour's share in Scottish seats, weighted by
their votes, changes by −17 points); the other parties there follow the
proportional rule above, within the nation. The national target still holds
UK-wide: the seats outside the overridden nations take the change that
remains, ``(W·ΔL − Σₙ Wₙ·ΔLₙ) / W_rest``. When every party's target is given,
each non-Labour party's change outside the overridden nations is worked out
the same way; a party that stands in none of those seats (the SNP once
Scotland is overridden) cannot be moved there, and its national total then
misses its target by the difference. A uniform or proportional swing cannot
produce a realignment like Scotland's in 2015 (Labour 41 seats to 1 as the
SNP surged): historical scenarios must take such results from the data
(``model.data.seats.labour_held_codes(2015)``), or state the nation's swing
explicitly here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

# The party columns are the packaged results file's (one constant, declared there).
from model.data.seats import PARTIES

__all__ = [
    "PARTIES",
    "SWING_METHODS",
    "SwingResult",
    "national_shares",
    "others_follow_labour",
    "party_coverage",
    "proportional_swing",
    "seat_outcome",
    "swing_seats",
    "target_shares",
    "uniform_swing",
]


LAB = 0
OTHER = PARTIES.index("other")

SWING_METHODS: tuple[str, ...] = ("uniform", "proportional")

SwingMethod = Literal["uniform", "proportional"]

_SUM_TOLERANCE = 1e-6
_MATCH_STEPS = 200
_MATCH_TOLERANCE = 1e-9


@dataclass(frozen=True, eq=False)
class SwingResult:
    """Each seat after a swing.

    Attributes:
        shares: (n_seats, 6) vote shares in :data:`PARTIES` order, clipped to
            [0, 1], each row summing to 1.
        winner: (n_seats,) party code of the winner, one of :data:`PARTIES`.
        lab_margin: (n_seats,) Labour's share minus its strongest rival's;
            positive exactly where Labour wins.
        target: (6,) the national shares asked for.
        achieved: (6,) the vote-weighted national shares after clipping and
            renormalising (close to ``target``).
        method: ``"uniform"`` or ``"proportional"``.
    """

    shares: np.ndarray
    winner: np.ndarray
    lab_margin: np.ndarray
    target: np.ndarray
    achieved: np.ndarray
    method: str

    @property
    def lab_share(self) -> np.ndarray:
        """(n_seats,) Labour's share in each seat."""
        return self.shares[:, LAB]

    @property
    def labour_won(self) -> np.ndarray:
        """(n_seats,) True where Labour wins."""
        return self.winner == "lab"

    def seats_won(self) -> dict[str, int]:
        """Seats won by each party code (every code in :data:`PARTIES`, zeros included)."""
        return {p: int(np.count_nonzero(self.winner == p)) for p in PARTIES}


def _shares_matrix(shares: ArrayLike) -> np.ndarray:
    s = np.asarray(shares, dtype=float)
    if s.ndim != 2 or s.shape[1] != len(PARTIES):
        raise ValueError(
            f"shares must be (n_seats, {len(PARTIES)}) in the order {PARTIES}; got shape {s.shape}"
        )
    if not np.all(np.isfinite(s)) or np.any(s < 0) or np.any(s > 1):
        raise ValueError("shares must be finite and within [0, 1]")
    return s


def _weights(weights: ArrayLike, n: int) -> np.ndarray:
    w = np.asarray(weights, dtype=float)
    if w.shape != (n,):
        raise ValueError(f"weights must have one value per seat ({n}); got shape {w.shape}")
    if not np.all(np.isfinite(w)) or np.any(w < 0) or w.sum() <= 0:
        raise ValueError("weights (votes cast per seat) must be finite, >= 0 and not all 0")
    return w


def national_shares(shares: ArrayLike, weights: ArrayLike) -> np.ndarray:
    """Vote-weighted national shares: each party's votes over all votes.

    Args:
        shares: (n_seats, 6) shares in :data:`PARTIES` order.
        weights: (n_seats,) votes cast in each seat.

    Returns:
        (6,) national shares.
    """
    s = _shares_matrix(shares)
    w = _weights(weights, s.shape[0])
    return w @ s / w.sum()


def party_coverage(shares: ArrayLike, weights: ArrayLike) -> np.ndarray:
    """Share of the national vote cast in the seats where each party stood.

    A party "stood" where its base share is above 0. Labour's coverage over the
    650 seats is a little under 1 (no candidates in Northern Ireland or the
    Speaker's seat); the SNP's is Scotland's share of the UK vote.

    Args:
        shares: (n_seats, 6) base shares.
        weights: (n_seats,) votes cast in each seat.

    Returns:
        (6,) coverage in [0, 1].
    """
    s = _shares_matrix(shares)
    w = _weights(weights, s.shape[0])
    return w @ (s > 0) / w.sum()


def others_follow_labour(base: ArrayLike, lab_share: float) -> np.ndarray:
    """Target shares when only Labour's is given: the others keep their proportions.

    Labour's change is taken from (or given to) the other parties in
    proportion to their base shares, i.e. each is multiplied by
    ``(1 − lab_share) / (1 − base[lab])``.

    Args:
        base: (6,) base national shares (summing to 1).
        lab_share: Labour's target national share, in [0, 1].

    Returns:
        (6,) target shares summing to 1.

    Raises:
        ValueError: the target is outside [0, 1], or Labour had every vote at
            the base (nothing to take the change from).
    """
    b = np.asarray(base, dtype=float)
    if b.shape != (len(PARTIES),):
        raise ValueError(f"base must hold {len(PARTIES)} shares in the order {PARTIES}")
    if not 0.0 <= lab_share <= 1.0:
        raise ValueError(f"Labour's national share must be within [0, 1]; got {lab_share}")
    rest = 1.0 - b[LAB]
    if rest <= 0:
        raise ValueError("Labour had every vote at the base; the others' shares cannot follow")
    target = b * ((1.0 - lab_share) / rest)
    target[LAB] = lab_share
    return target


def target_shares(
    base: ArrayLike, lab_share: float, others: Mapping[str, float] | None = None
) -> np.ndarray:
    """The national target vector from Labour's share and, optionally, the others'.

    Args:
        base: (6,) base national shares.
        lab_share: Labour's target national share.
        others: the other five parties' national shares (keys ``con``, ``ld``,
            ``snp``, ``pc``, ``other``); all five, adding up with Labour's to 1.
            None: they follow :func:`others_follow_labour`.

    Returns:
        (6,) target shares.

    Raises:
        ValueError: missing or unknown parties, shares outside [0, 1], or a
            total other than 1.
    """
    if others is None:
        return others_follow_labour(base, lab_share)
    expected = set(PARTIES[1:])
    given = set(others)
    if given != expected:
        missing = ", ".join(sorted(expected - given)) or "none"
        unknown = ", ".join(sorted(given - expected)) or "none"
        raise ValueError(
            f"others must give every non-Labour party {sorted(expected)}; "
            f"missing: {missing}; unknown: {unknown}"
        )
    target = np.array([lab_share] + [float(others[p]) for p in PARTIES[1:]])
    if np.any(target < 0) or np.any(target > 1):
        raise ValueError(
            f"national shares must be within [0, 1]; got {dict(zip(PARTIES, target, strict=True))}"
        )
    if abs(target.sum() - 1.0) > _SUM_TOLERANCE:
        raise ValueError(f"national shares must add up to 1; they add up to {target.sum():.6f}")
    return target


def seat_outcome(
    shares: ArrayLike, other_top: ArrayLike | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Winner and Labour margin of each seat from its shares.

    Args:
        shares: (n_seats, 6) shares in :data:`PARTIES` order.
        other_top: (n_seats,) fraction of the ``other`` column held by its
            largest candidate (1 if None: the column competes as one candidate).

    Returns:
        (winner, lab_margin): party codes from :data:`PARTIES`, and Labour's
        share minus its strongest rival's.
    """
    s = _shares_matrix(shares)
    strength = s.copy()
    if other_top is not None:
        top = np.asarray(other_top, dtype=float)
        if top.shape != (s.shape[0],) or np.any(top < 0) or np.any(top > 1):
            raise ValueError("other_top must hold one fraction in [0, 1] per seat")
        strength[:, OTHER] *= top
    # argmax keeps the first of equal maxima, so an exact tie goes to Labour.
    winner = np.asarray(PARTIES)[np.argmax(strength, axis=1)]
    margin = strength[:, LAB] - strength[:, 1:].max(axis=1)
    return winner, margin


def _unit_change(base: np.ndarray, lab_change: float) -> np.ndarray:
    """Changes in a unit whose Labour change is fixed: the others follow Labour."""
    target = others_follow_labour(base, float(np.clip(base[LAB] + lab_change, 0.0, 1.0)))
    return target - base


def swing_seats(
    shares: ArrayLike,
    weights: ArrayLike,
    lab_share: float,
    *,
    method: SwingMethod = "uniform",
    others: Mapping[str, float] | None = None,
    nations: ArrayLike | None = None,
    nation_swing: Mapping[str, float] | None = None,
    other_top: ArrayLike | None = None,
    match_national: bool = False,
) -> SwingResult:
    """Swing every seat from its base result to a national target (module docstring).

    Args:
        shares: (n_seats, 6) base shares in :data:`PARTIES` order.
        weights: (n_seats,) votes cast in each seat at the base election.
        lab_share: Labour's national target share (vote-weighted over these seats).
        method: ``"uniform"`` (default) or ``"proportional"``.
        others: the other parties' national targets (all five); None: they
            keep their proportions among themselves (:func:`others_follow_labour`).
        nations: (n_seats,) each seat's nation; needed with ``nation_swing``.
        nation_swing: Labour's change within a nation, overriding the national
            one there, e.g. ``{"Scotland": -0.17}``.
        other_top: (n_seats,) fraction of ``other`` held by its largest candidate.
        match_national: adjust the changes (fixed-point steps) until the
            shares after clipping and renormalising equal the targets, in each
            overridden nation and in the rest; off by default, so the result
            is the textbook formula.

    Returns:
        The seats after the swing.

    Raises:
        ValueError: malformed arrays, an unknown method or nation, targets out
            of range, or an override that covers every seat.
    """
    if method not in SWING_METHODS:
        raise ValueError(f"unknown swing method {method!r}; choose one of {SWING_METHODS}")
    s = _shares_matrix(shares)
    n = s.shape[0]
    w = _weights(weights, n)
    total = w.sum()
    base = w @ s / total
    target = target_shares(base, lab_share, others)
    change = target - base

    units: list[tuple[np.ndarray, np.ndarray]] = []
    rest = np.ones(n, dtype=bool)
    if nation_swing:
        if nations is None:
            raise ValueError("nation_swing needs nations (each seat's nation)")
        labels = np.asarray(nations)
        if labels.shape != (n,):
            raise ValueError(f"nations must have one label per seat ({n})")
        known = sorted(set(labels.tolist()))
        remaining = change * total
        for nation, lab_change in nation_swing.items():
            rows = labels == nation
            if not rows.any():
                raise ValueError(f"no seats in nation {nation!r}; nations here: {known}")
            unit_base = w[rows] @ s[rows] / w[rows].sum()
            unit_change = _unit_change(unit_base, float(lab_change))
            units.append((np.flatnonzero(rows), unit_change))
            remaining = remaining - unit_change * w[rows].sum()
            rest &= ~rows
        if not rest.any():
            raise ValueError(
                "nation_swing covers every seat, so the national target has nowhere to apply; "
                "leave at least one nation to the national swing"
            )
        units.append((np.flatnonzero(rest), remaining / w[rest].sum()))
    else:
        units.append((np.arange(n), change))

    swung = np.empty_like(s)
    for rows, unit_change in units:
        unit = s[rows]
        if match_national:
            swung[rows] = _matched_unit(unit, w[rows], unit_change, method)
        else:
            swung[rows] = _swing_unit(unit, w[rows], unit_change, method)

    winner, margin = seat_outcome(swung, other_top)
    return SwingResult(
        shares=swung,
        winner=winner,
        lab_margin=margin,
        target=target,
        achieved=w @ swung / total,
        method=method,
    )


def _swing_unit(unit: np.ndarray, w: np.ndarray, change: np.ndarray, method: str) -> np.ndarray:
    """One unit's seats after its changes: applied, clipped to [0, 1], renormalised."""
    total = w.sum()
    stood = unit > 0
    if method == "uniform":
        coverage = w @ stood / total
        # A party with no votes in the unit cannot be moved there (coverage 0).
        step = np.divide(change, coverage, out=np.zeros_like(change), where=coverage > 0)
        swung = unit + stood * step
    else:
        base = w @ unit / total
        factor = np.divide(base + change, base, out=np.ones_like(change), where=base > 0)
        swung = unit * np.maximum(factor, 0.0)
    swung = np.clip(swung, 0.0, 1.0)
    sums = swung.sum(axis=1)
    empty = sums <= 0
    swung[empty] = unit[empty]  # nothing left to renormalise: keep the base result
    sums[empty] = unit[empty].sum(axis=1)
    return swung / sums[:, None]


def _matched_unit(unit: np.ndarray, w: np.ndarray, change: np.ndarray, method: str) -> np.ndarray:
    """One unit's seats, with its change adjusted until its shares meet its targets.

    Fixed-point steps: add the remaining gap to the change and swing again. A
    party with no votes in the unit cannot move, so it keeps what it has and
    the other non-Labour parties' goals give way in proportion; the goals then
    still add up to 1 and Labour's is met exactly.
    """
    total = w.sum()
    base = w @ unit / total
    swung = _swing_unit(unit, w, change, method)
    achieved = w @ swung / total
    movable = base > 0
    goal = np.where(movable, np.clip(base + change, 0.0, 1.0), achieved)
    flexible = movable.copy()
    flexible[LAB] = False
    if flexible.any() and goal[flexible].sum() > 0:
        room = max(1.0 - goal[~flexible].sum(), 0.0)
        goal[flexible] *= room / goal[flexible].sum()
    for _ in range(_MATCH_STEPS):
        gap = np.where(movable, goal - achieved, 0.0)
        if np.max(np.abs(gap)) < _MATCH_TOLERANCE:
            break
        change = change + gap
        swung = _swing_unit(unit, w, change, method)
        achieved = w @ swung / total
    return swung


def uniform_swing(
    shares: ArrayLike, weights: ArrayLike, lab_share: float, **kwargs: object
) -> SwingResult:
    """:func:`swing_seats` with ``method="uniform"`` (same keyword arguments)."""
    return swing_seats(shares, weights, lab_share, method="uniform", **kwargs)  # type: ignore[arg-type]


def proportional_swing(
    shares: ArrayLike, weights: ArrayLike, lab_share: float, **kwargs: object
) -> SwingResult:
    """:func:`swing_seats` with ``method="proportional"`` (same keyword arguments)."""
    return swing_seats(shares, weights, lab_share, method="proportional", **kwargs)  # type: ignore[arg-type]
