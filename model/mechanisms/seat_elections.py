"""Which real seats Labour wins at a general election (pure numpy, no Mesa, no data files).

Three ways, chosen by the scenario (`model.institutions.national` wires them):

1. **The real result** (:func:`real_seats`): at an election held in the month
   of a real one on the 2010–2019 boundaries (2010, 2015, 2017, 2019), Labour
   wins exactly the seats it really won, by ONS code. This is how Scotland's
   2015 collapse (41 seats to 1) comes out of a historical run: from the data,
   not from a swing model, which cannot produce it.
2. **A swing from the last real result** (:func:`swing_decision`): in any other
   election whose national vote share the model computes, every seat swings
   from the base result (the last real result the run has used) to that share,
   uniformly by default or proportionally
   (:func:`model.mechanisms.seat_swing.swing_seats`), and Labour wins the seats
   where its swung margin is positive. The number of seats is therefore an
   outcome of the geography, not of a fitted curve.
3. **A historical count ranked by the swing** (:func:`ranked_count`): an
   election with a given seat count but no seat-by-seat result on these
   boundaries — 2024, fought on new boundaries — gives Labour that many seats
   (scaled to the seats simulated), taken in order of Labour's margin after a
   swing from the base result to the real national shares. The count is
   history's; which seats is the swing model's ranking (2024 on the old map
   cannot be matched seat by seat).

Every function takes the seat arrays of the whole table (the swing is national)
and the rows the run simulates, and returns a :class:`SeatDecision` over those rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import ArrayLike

from model.mechanisms.seat_swing import SwingMethod, swing_seats

__all__ = ["SeatDecision", "keep_seats", "ranked_count", "real_seats", "swing_decision"]


@dataclass(frozen=True, eq=False)
class SeatDecision:
    """The seats Labour wins, over the simulated seats.

    Attributes:
        won: (n_simulated,) True where Labour wins.
        lab_share: (n_simulated,) Labour's share in each seat (real or swung).
        lab_margin: (n_simulated,) Labour's share minus its strongest rival's.
        source: how the seats were decided ("real result 2017", "uniform swing",
            "proportional swing", "count ranked by uniform swing").
        base_year: the real result the swing starts from (None for a real result).
        national_share: Labour's national share: the real one, or what the swing
            achieved (vote-weighted over all seats).
    """

    won: np.ndarray
    lab_share: np.ndarray
    lab_margin: np.ndarray
    source: str
    base_year: int | None
    national_share: float

    @property
    def seats(self) -> int:
        """Seats Labour wins among those simulated."""
        return int(np.count_nonzero(self.won))


def real_seats(
    won: ArrayLike,
    lab_share: ArrayLike,
    lab_margin: ArrayLike,
    rows: ArrayLike,
    *,
    year: int,
    national_share: float,
) -> SeatDecision:
    """The seats Labour really won at a general election, among those simulated.

    Args:
        won: (n_seats,) Labour won each seat of the table.
        lab_share: (n_seats,) Labour's real share.
        lab_margin: (n_seats,) Labour's real margin.
        rows: the simulated seats' rows.
        year: the election's year (for the label).
        national_share: Labour's real national share that year.

    Returns:
        The decision, ``source`` "real result YEAR".
    """
    r = np.asarray(rows, dtype=np.intp)
    return SeatDecision(
        won=np.asarray(won, dtype=bool)[r].copy(),
        lab_share=np.asarray(lab_share, dtype=float)[r].copy(),
        lab_margin=np.asarray(lab_margin, dtype=float)[r].copy(),
        source=f"real result {year}",
        base_year=None,
        national_share=float(national_share),
    )


def swing_decision(
    shares: ArrayLike,
    weights: ArrayLike,
    rows: ArrayLike,
    lab_share: float,
    *,
    base_year: int,
    method: SwingMethod = "uniform",
    others: Mapping[str, float] | None = None,
    nations: ArrayLike | None = None,
    nation_swing: Mapping[str, float] | None = None,
    other_top: ArrayLike | None = None,
    match_national: bool = False,
) -> SeatDecision:
    """Every seat swung from the base result to a national share; Labour wins where its margin is positive.

    Args:
        shares: (n_seats, 6) base shares of the whole table (`ElectionResult.shares`).
        weights: (n_seats,) votes cast at the base election.
        rows: the simulated seats' rows.
        lab_share: Labour's national target share.
        base_year: the base election's year (recorded).
        method: "uniform" or "proportional".
        others: the other parties' national targets (all five), or None.
        nations: (n_seats,) nation of each seat (with `nation_swing`).
        nation_swing: Labour's change within a nation, overriding the national one.
        other_top: (n_seats,) fraction of "other" held by its largest candidate.
        match_national: adjust until the national shares meet the targets exactly.

    Returns:
        The decision, ``source`` "uniform swing" or "proportional swing".
    """
    swung = swing_seats(
        shares,
        weights,
        lab_share,
        method=method,
        others=others,
        nations=nations,
        nation_swing=nation_swing,
        other_top=other_top,
        match_national=match_national,
    )
    r = np.asarray(rows, dtype=np.intp)
    return SeatDecision(
        won=swung.labour_won[r].copy(),
        lab_share=swung.lab_share[r].copy(),
        lab_margin=swung.lab_margin[r].copy(),
        source=f"{method} swing",
        base_year=base_year,
        national_share=float(swung.achieved[0]),
    )


def ranked_count(decision: SeatDecision, count: int) -> SeatDecision:
    """Labour wins exactly `count` of the simulated seats: those with the best margins.

    Ties go to the seat listed first (the table's order), so the result is
    deterministic. The margins are all moved by one amount, so that they are
    positive exactly in the seats Labour wins (half-way between the last seat
    won and the first lost): the extra uniform swing, Labour against its
    strongest rival, that the count implies beyond the swing itself. Shares stay
    the swing's.

    Args:
        decision: a swing decision over the simulated seats.
        count: seats Labour wins (clipped to 0..number simulated).

    Returns:
        The decision with `won` replaced, ``source`` "count ranked by SOURCE".
    """
    n = decision.won.size
    k = int(np.clip(count, 0, n))
    order = np.lexsort((np.arange(n), -decision.lab_margin))
    won = np.zeros(n, dtype=bool)
    won[order[:k]] = True
    margin = decision.lab_margin
    if 0 < k < n:
        shift = -(margin[order[k - 1]] + margin[order[k]]) / 2.0
    elif k == n and n:
        shift = max(0.0, 1e-6 - float(margin[order[-1]]))
    elif k == 0 and n:
        shift = min(0.0, -1e-6 - float(margin[order[0]]))
    else:
        shift = 0.0
    return replace(
        decision,
        won=won,
        lab_margin=margin + shift,
        source=f"count ranked by {decision.source}",
    )


def keep_seats(decision: SeatDecision, keep: ArrayLike) -> tuple[SeatDecision, np.ndarray]:
    """Labour keeps the given simulated seats whatever the decision (e.g. the leader's).

    Args:
        decision: the decision.
        keep: indices into the simulated seats that Labour keeps.

    Returns:
        The decision with those seats won, and the indices that were not won before.
    """
    idx = np.asarray(keep, dtype=np.intp)
    changed = idx[~decision.won[idx]]
    if changed.size == 0:
        return decision, changed
    won = decision.won.copy()
    won[changed] = True
    return replace(decision, won=won), changed
