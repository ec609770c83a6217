"""General elections, national polling, resignations and challenges.

MODEL.md §5 and issue 6: a general election falls on the scenario's dates or
every parliament (about 60 months). The national vote share follows the
leader's distance from the general electorate's median, the leader's valence
and noise — or, in a historical run, the scenario gives the seats won. The
size of the PLP follows the share through a seats curve; seats lost remove
MPs, the most marginal first; seats gained (and retirements, handled by the
model) open selections. After a defeat the leader may resign, which opens a
contest; after a shock (a defeat, a slump in the polls) MPs may challenge.

**The vote share** (an assumption, to be calibrated)::

    share = base_share − distance_penalty × |leader − electorate_median|
            + valence_weight × leader_valence + N(0, noise_sd),

clipped to [0.05, 0.70]: a linear proximity model with a valence term.

**The seats curve** is the cube-law family written with the share that wins
half the seats, ``h``, and a responsiveness exponent ``e``::

    seats = T / (1 + ((1 − s)/s × h/(1 − h)) ** e)

so ``seats = T/2`` at ``s = h``, and ``e = 3`` is the classic cube law for
two parties. Calibration pairs (vote share → Labour seats of 650): the seats
are published (data: plp_and_constituencies.labour_seats_at_general_elections);
the vote shares are NOT in the data file and are this module's assumptions
(Labour's UK-wide share): 2010 29.0% → 258, 2015 30.4% → 232, 2017 40.0% →
262, 2019 32.1% → 202, 2024 33.7% → 411 (see :data:`ASSUMED_VOTE_SHARES`).

No curve of Labour's own share fits all five: seats depend on the rivals'
shares too. 2017 (40% but the Conservatives at 42%) and 2024 (33.7% but a
fragmented field and a collapsed Conservative vote) pull in opposite
directions. 2024 is treated as the documented outlier and left out of the
fit; :func:`fit_seats_curve` on the other four, with the exponent held at or
above 1 (first-past-the-post amplifies, it does not damp), gives
``h ≈ 0.459, e = 1.0`` (the exponent sits on its bound), residuals
−47/−11/+24/+30 seats for 2010/2015/2017/2019, RMSE ≈ 31 seats, while 2024
is missed by ≈ 170 seats (241 for 411). Those are the defaults of ``ElectionSpec``
(``seats_half_share``, ``seats_exponent``). In historical runs the given
seats replace the curve (:class:`HistoricalSeries`).

Everything here is pure; the model supplies the state and applies results.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.optimize import least_squares

from model.calendar import Month
from model.scenario.schema import ElectionSpec

__all__ = [
    "ASSUMED_VOTE_SHARES",
    "OUTLIER_ELECTIONS",
    "SHARE_BOUNDS",
    "GeneralElectionResult",
    "HistoricalSeries",
    "SeatsCurveFit",
    "challenge_due",
    "election_schedule",
    "fit_seats_curve",
    "general_election_result",
    "is_slump",
    "leader_resigns",
    "monthly_poll",
    "national_vote_share",
    "poll_slump",
    "seats_from_share",
    "seats_lost_and_gained",
]

SHARE_BOUNDS = (0.05, 0.70)
"""A vote share (and a poll) is clipped to this range."""

ASSUMED_VOTE_SHARES: dict[int, float] = {
    # Assumption: Labour's UK-wide vote share at each election; the data file
    # has the seats (plp_and_constituencies.labour_seats_at_general_elections)
    # but not the shares.
    2010: 0.290,
    2015: 0.304,
    2017: 0.400,
    2019: 0.321,
    2024: 0.337,
}
"""Labour's vote share by election year (assumption, not in labour_history.json)."""

OUTLIER_ELECTIONS: tuple[int, ...] = (2024,)
"""Elections left out of the seats-curve fit: 2024, a fragmented field (411 seats on 33.7%)."""


# --------------------------------------------------------------------------
# Vote share and polls
# --------------------------------------------------------------------------


def national_vote_share(
    leader_ideology: float,
    leader_valence: float,
    electorate_median: float,
    *,
    base_share: float,
    distance_penalty: float,
    valence_weight: float,
    noise_sd: float = 0.0,
    rng: np.random.Generator | None = None,
) -> float:
    """The party's national vote share under a leader.

    ``share = base_share − distance_penalty × |leader − median| +
    valence_weight × valence + N(0, noise_sd)``, clipped to
    :data:`SHARE_BOUNDS`. With ``noise_sd = 0`` it is the expected share
    (the target a monthly poll moves towards).

    Args:
        leader_ideology: the leader's position.
        leader_valence: the leader's appeal beyond ideology.
        electorate_median: the general electorate's median on the same axis.
        base_share: share of a leader at the median with valence 0.
        distance_penalty: share lost per unit of distance.
        valence_weight: share gained per unit of valence.
        noise_sd: sd of the election-day noise.
        rng: random generator; needed when ``noise_sd`` > 0.

    Returns:
        The vote share in [0.05, 0.70].
    """
    share = (
        base_share
        - distance_penalty * abs(leader_ideology - electorate_median)
        + valence_weight * leader_valence
    )
    if noise_sd > 0:
        if rng is None:
            raise ValueError("national_vote_share: noise_sd > 0 needs an rng")
        share += float(rng.normal(0.0, noise_sd))
    return float(np.clip(share, *SHARE_BOUNDS))


def monthly_poll(
    previous: float,
    target_share: float,
    *,
    persistence: float,
    noise_sd: float,
    rng: np.random.Generator,
) -> float:
    """This month's national poll: an AR(1) process towards the current target.

    ``poll = target + persistence × (previous − target) + N(0, noise_sd)``,
    clipped to :data:`SHARE_BOUNDS`. The target is the expected vote share
    under the current leader (:func:`national_vote_share` without noise), so
    a new leader moves the polls over months, not at once.

    Args:
        previous: last month's poll.
        target_share: the expected share under the current leader.
        persistence: share of last month's gap that remains (0..1).
        noise_sd: sd of the monthly noise.
        rng: random generator (one draw).

    Returns:
        The poll share.
    """
    poll = target_share + persistence * (previous - target_share) + rng.normal(0.0, noise_sd)
    return float(np.clip(poll, *SHARE_BOUNDS))


def is_slump(poll_now: float, poll_before: float, drop: float) -> bool:
    """Whether the polls have slumped: fallen by at least ``drop`` since ``poll_before``.

    Args:
        poll_now: this month's poll.
        poll_before: the poll at the start of the window (e.g. 12 months ago).
        drop: the fall (in share points, e.g. 0.05) that counts as a slump.

    Returns:
        True if ``poll_before − poll_now ≥ drop``.
    """
    return poll_before - poll_now >= drop


def poll_slump(polls: Sequence[float], *, window: int = 12, drop: float) -> bool:
    """Whether a monthly poll series ends in a slump over the last ``window`` months.

    Args:
        polls: monthly polls, oldest first; the last is this month's.
        window: months to look back.
        drop: the fall that counts as a slump.

    Returns:
        :func:`is_slump` of the last poll against the one ``window`` months
        earlier; False while the series is shorter than ``window + 1``.
    """
    if len(polls) <= window:
        return False
    return is_slump(polls[-1], polls[-1 - window], drop)


# --------------------------------------------------------------------------
# Seats
# --------------------------------------------------------------------------


def _seats_fraction(share: np.ndarray | float, half_share: float, exponent: float) -> np.ndarray:
    s = np.clip(np.asarray(share, dtype=float), 1e-9, 1.0 - 1e-9)
    odds = (1.0 - s) / s * (half_share / (1.0 - half_share))
    return 1.0 / (1.0 + odds**exponent)


def seats_from_share(
    share: float,
    *,
    total_seats: int = 650,
    half_share: float = 0.459,
    exponent: float = 1.0,
) -> int:
    """Seats won on a national vote share (the module's seats curve).

    ``seats = round(T / (1 + ((1 − s)/s × h/(1 − h)) ** e))``: half the
    seats at ``s = h``; monotone increasing in ``s`` for ``e > 0``.

    Args:
        share: national vote share in (0, 1).
        total_seats: seats in the house (the model's number of CLPs).
        half_share: ``h``, the share that wins half the seats.
        exponent: ``e``, the responsiveness (3 = cube law).

    Returns:
        Seats won, 0..total_seats.
    """
    if not 0.0 < half_share < 1.0 or exponent <= 0:
        raise ValueError(f"need 0 < half_share < 1 and exponent > 0 (got {half_share}, {exponent})")
    return int(np.rint(total_seats * _seats_fraction(share, half_share, exponent)))


@dataclass(frozen=True)
class SeatsCurveFit:
    """A least-squares fit of the seats curve to (share, seats) pairs.

    Attributes:
        half_share: fitted ``h``.
        exponent: fitted ``e``.
        total_seats: the house size used.
        residuals: label -> fitted minus actual seats, for the fitted points.
        rmse: root mean square residual (seats).
        max_abs_error: largest absolute residual (seats).
        excluded: labels left out of the fit.
    """

    half_share: float
    exponent: float
    total_seats: int
    residuals: dict[str, float]
    rmse: float
    max_abs_error: float
    excluded: tuple[str, ...]

    def seats(self, share: float) -> int:
        """Seats the fitted curve gives for a share."""
        return seats_from_share(
            share,
            total_seats=self.total_seats,
            half_share=self.half_share,
            exponent=self.exponent,
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain dict (for reports)."""
        return {
            "half_share": self.half_share,
            "exponent": self.exponent,
            "total_seats": self.total_seats,
            "residuals": dict(self.residuals),
            "rmse": self.rmse,
            "max_abs_error": self.max_abs_error,
            "excluded": list(self.excluded),
        }


def fit_seats_curve(
    pairs: Mapping[Any, tuple[float, int]],
    *,
    total_seats: int = 650,
    exclude: Sequence[Any] = (),
    half_share_bounds: tuple[float, float] = (0.2, 0.6),
    exponent_bounds: tuple[float, float] = (1.0, 8.0),
) -> SeatsCurveFit:
    """Fit ``h`` and ``e`` of the seats curve by least squares (in seats).

    The exponent is held at or above 1 by default: first-past-the-post
    amplifies a lead; a fit below 1 would only say that Labour's own share
    is a poor predictor of its seats (see the module docstring).

    Args:
        pairs: label (e.g. year) -> (vote share, seats won).
        total_seats: the house size.
        exclude: labels left out (documented outliers).
        half_share_bounds: bounds on ``h``.
        exponent_bounds: bounds on ``e``.

    Returns:
        The :class:`SeatsCurveFit`.

    Raises:
        ValueError: fewer than two points remain.
    """
    excluded = {str(label) for label in exclude}
    used = [(str(label), pair) for label, pair in pairs.items() if str(label) not in excluded]
    if len(used) < 2:
        raise ValueError(f"need at least two (share, seats) pairs to fit (got {len(used)})")
    shares = np.array([float(pair[0]) for _, pair in used])
    seats = np.array([float(pair[1]) for _, pair in used])

    def residual(x: np.ndarray) -> np.ndarray:
        return total_seats * _seats_fraction(shares, x[0], x[1]) - seats

    start = np.array(
        [np.clip(0.37, *half_share_bounds), np.clip(3.0, *exponent_bounds)], dtype=float
    )
    fit = least_squares(
        residual,
        start,
        bounds=(
            [half_share_bounds[0], exponent_bounds[0]],
            [half_share_bounds[1], exponent_bounds[1]],
        ),
    )
    errors = residual(fit.x)
    return SeatsCurveFit(
        half_share=float(fit.x[0]),
        exponent=float(fit.x[1]),
        total_seats=total_seats,
        residuals={label: float(e) for (label, _), e in zip(used, errors, strict=True)},
        rmse=float(np.sqrt(np.mean(errors**2))),
        max_abs_error=float(np.max(np.abs(errors))),
        excluded=tuple(sorted(excluded)),
    )


def seats_lost_and_gained(
    held: np.ndarray, marginality: np.ndarray, new_total: int
) -> tuple[np.ndarray, np.ndarray]:
    """Which seats change hands when the party's total becomes ``new_total``.

    Seats are lost most marginal first (lowest ``marginality`` among those
    held) and gained most winnable first (highest ``marginality`` among
    those not held): a uniform swing. Ties are broken by CLP index (lower
    first), so the result is deterministic.

    Args:
        held: per CLP, whether the party holds the seat.
        marginality: per CLP, how safe the seat is for the party (higher =
            safer; e.g. minus the CLP's lean, as a left lean is safer Labour).
        new_total: seats the party wins (clipped to 0..number of CLPs).

    Returns:
        ``(lost, gained)``: CLP indices, in the order they fall / are won.
    """
    held = np.asarray(held, dtype=bool)
    marginality = np.asarray(marginality, dtype=float)
    if held.shape != marginality.shape:
        raise ValueError(f"held and marginality differ in shape: {held.shape} {marginality.shape}")
    index = np.arange(held.size)
    new_total = int(np.clip(new_total, 0, held.size))
    change = new_total - int(held.sum())
    empty = np.zeros(0, dtype=int)
    if change < 0:
        mine = index[held]
        order = np.lexsort((mine, marginality[held]))  # least safe first, then index
        return mine[order][:-change], empty
    if change > 0:
        theirs = index[~held]
        order = np.lexsort((theirs, -marginality[~held]))  # most winnable first, then index
        return empty, theirs[order][:change]
    return empty, empty


# --------------------------------------------------------------------------
# The general election
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoricalSeries:
    """Seats won at given elections, replacing the computed vote share (historical runs).

    Attributes:
        seats: election month "YYYY-MM" -> seats won out of ``total_seats``
            (e.g. {"2017-06": 262, "2019-12": 202, "2024-07": 411}).
        total_seats: the house the seats are out of (650).
    """

    seats: Mapping[str, int]
    total_seats: int = 650

    @classmethod
    def from_spec(cls, params: ElectionSpec) -> HistoricalSeries:
        """The series a scenario gives (possibly empty)."""
        return cls(dict(params.historical_seats), params.historical_total_seats)

    def seats_at(self, month: Month | str, total_seats: int) -> int | None:
        """Seats won at ``month`` scaled to a house of ``total_seats``, or None if not given.

        A run with fewer CLPs than the real house (a scaled-down party) gets
        the same share of its seats: round(seats × total_seats / self.total_seats).
        """
        won = self.seats.get(str(month))
        if won is None:
            return None
        return int(round(won * total_seats / self.total_seats))


@dataclass(frozen=True)
class GeneralElectionResult:
    """The result of a general election for the party.

    Attributes:
        month: the election month "YYYY-MM".
        mode: "computed" (vote share and seats curve) or "historical" (given seats).
        vote_share: the national vote share, None in historical mode.
        seats: seats won.
        seats_before: seats held before.
        total_seats: seats in the house (the model's CLPs).
        majority_seats: seats needed to win.
        won: True if ``seats ≥ majority_seats``.
        lost: CLP indices of seats lost, most marginal first.
        gained: CLP indices of seats gained, most winnable first.
    """

    month: str
    mode: str
    vote_share: float | None
    seats: int
    seats_before: int
    total_seats: int
    majority_seats: int
    won: bool
    lost: tuple[int, ...]
    gained: tuple[int, ...]

    @property
    def defeat(self) -> bool:
        """True if the party did not win."""
        return not self.won

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict for the event log."""
        return {
            "mode": self.mode,
            "vote_share": None if self.vote_share is None else round(self.vote_share, 6),
            "seats": self.seats,
            "seats_before": self.seats_before,
            "total_seats": self.total_seats,
            "majority_seats": self.majority_seats,
            "won": self.won,
            "seats_lost": len(self.lost),
            "seats_gained": len(self.gained),
            "lost_clps": list(self.lost),
            "gained_clps": list(self.gained),
        }


def general_election_result(
    month: Month | str,
    *,
    held: np.ndarray,
    marginality: np.ndarray,
    leader_ideology: float,
    leader_valence: float,
    params: ElectionSpec,
    rng: np.random.Generator,
    historical: HistoricalSeries | None = None,
) -> GeneralElectionResult:
    """A general election: seats won and which seats change hands.

    Historical mode when the series has this month: the given seats (scaled
    to the model's house), no vote share, no random draw. Otherwise computed
    mode: :func:`national_vote_share` with the scenario's parameters (one
    draw), then :func:`seats_from_share`. Either way
    :func:`seats_lost_and_gained` picks the seats.

    Args:
        month: the election month.
        held: per CLP, whether the party holds the seat before the election.
        marginality: per CLP, how safe the seat is (higher = safer).
        leader_ideology: the leader's position.
        leader_valence: the leader's valence.
        params: the scenario's election parameters.
        rng: random generator.
        historical: the given seats; None: taken from ``params.historical_seats``.

    Returns:
        The :class:`GeneralElectionResult`.
    """
    held = np.asarray(held, dtype=bool)
    total = int(held.size)
    series = historical if historical is not None else HistoricalSeries.from_spec(params)
    given = series.seats_at(month, total)
    if given is not None:
        mode, share, seats = "historical", None, given
    else:
        mode = "computed"
        share = national_vote_share(
            leader_ideology,
            leader_valence,
            params.electorate_median,
            base_share=params.base_share,
            distance_penalty=params.distance_penalty,
            valence_weight=params.valence_weight,
            noise_sd=params.noise_sd,
            rng=rng,
        )
        seats = seats_from_share(
            share,
            total_seats=total,
            half_share=params.seats_half_share,
            exponent=params.seats_exponent,
        )
    majority = params.majority_seats if params.majority_seats is not None else total // 2 + 1
    if majority > total:
        raise ValueError(f"majority_seats ({majority}) exceeds the seats in the house ({total})")
    lost, gained = seats_lost_and_gained(held, marginality, seats)
    return GeneralElectionResult(
        month=str(month),
        mode=mode,
        vote_share=share,
        seats=seats,
        seats_before=int(held.sum()),
        total_seats=total,
        majority_seats=majority,
        won=seats >= majority,
        lost=tuple(int(i) for i in lost),
        gained=tuple(int(i) for i in gained),
    )


def election_schedule(start: Month, months: int, params: ElectionSpec) -> list[Month]:
    """The general-election months that fall within a run.

    The scenario's ``dates`` if any; otherwise every ``parliament_months``
    from ``first`` (default: ``start + parliament_months``).

    Args:
        start: the run's first month.
        months: the run's length.
        params: the scenario's election parameters.

    Returns:
        Election months in [start, start + months), in order.
    """
    end = start.plus(months)
    if params.dates:
        candidates = [Month.parse(text) for text in params.dates]
    else:
        first = Month.parse(params.first) if params.first else start.plus(params.parliament_months)
        candidates = []
        month = first
        while month < end:
            candidates.append(month)
            month = month.plus(params.parliament_months)
    return sorted(m for m in candidates if start <= m < end)


# --------------------------------------------------------------------------
# Resignation and challenge
# --------------------------------------------------------------------------


def leader_resigns(
    result: GeneralElectionResult,
    *,
    resignation_probability: float,
    rng: np.random.Generator,
    after_gains: float = 0.0,
) -> bool:
    """Whether the leader resigns after a general election (opening a contest).

    Never after a win. After a defeat in which the party lost seats (2010,
    2015, 2019: each followed by a vacancy) with ``resignation_probability``;
    after a defeat in which it gained seats (2017: the leader stayed) with
    ``after_gains``. One draw, on defeat only.

    Args:
        result: the election result.
        resignation_probability: chance of resigning after a defeat with seats lost.
        rng: random generator.
        after_gains: chance of resigning after a defeat with seats gained.

    Returns:
        True if the leader resigns.
    """
    if result.won:
        return False
    chance = after_gains if result.seats > result.seats_before else resignation_probability
    return bool(rng.random() < chance)


def strengthened(result: GeneralElectionResult) -> bool:
    """A defeat that still gained seats: the PLP does not move against the leader (2017)."""
    return result.defeat and result.seats > result.seats_before


def challenge_due(
    mp_ideology: np.ndarray,
    leader_ideology: float,
    *,
    distance: float,
    share_threshold: float,
    shock: bool,
) -> tuple[bool, float]:
    """Whether MPs move against the leader after a shock.

    Only after a shock (a general-election defeat, a slump in the polls)
    do MPs judge the leader: a challenge is due when *more than*
    ``share_threshold`` of MPs are further than ``distance`` from the
    leader. Whether it happens then depends on a challenger reaching the
    rules' challenge threshold of nominations — the contest machinery's
    check (``rules.qualifies``), not this one.

    Args:
        mp_ideology: sitting MPs' positions (the leader excluded).
        leader_ideology: the leader's position.
        distance: an MP further than this from the leader wants a change.
        share_threshold: the share of MPs that must want a change.
        shock: whether a shock happened this month.

    Returns:
        ``(due, share_far)``: ``share_far`` is reported even without a shock.
    """
    mp_ideology = np.asarray(mp_ideology, dtype=float)
    if mp_ideology.size == 0:
        return False, 0.0
    share_far = float(np.mean(np.abs(mp_ideology - leader_ideology) > distance))
    return bool(shock and share_far > share_threshold), share_far
