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

from collections.abc import Mapping
from fractions import Fraction

import numpy as np

# The names below were all defined in this module before the package was split into
# one module per idea; they are re-exported so that `model.counting.count` keeps
# working for the code and records that import it.
from model.counting.profile import (
    DEFAULT_SECTION,
    NO_PREFERENCE,
    BallotProfile,
    group_ballots,
)
from model.counting.result import (
    JSON_PLACES,
    CountResult,
    Method,
    RoundRecord,
    TieBreak,
    TieBreakStep,
    diff_results,
    round_half_up,
    section_percentages,
)
from model.counting.weights import WeightLike, parse_weight, parse_weights

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

DEFAULT_SEED = 0
"""Seed used for drawing lots when the caller gives none, so counts replay exactly."""


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
                    sections[s]: section_percentages(votes[sections[s]], section_base[s])
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
