"""What a conference votes on and who casts the CLPs' half: items and delegations.

An `Item` is a rule change on its way to conference (from its tabling to its
card vote); `Delegations` are the CLP delegations as one vote or one forecast
sees them. `clp_delegates` reads them off the party's state: a delegation's
card-vote size is its CLP's membership, and it stands at its controlling
faction's line, or at its members' median where no faction controls the CLP.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from model.mechanisms import agenda, conference
from model.scenario.schema import ScheduledProposal
from model.state import PartyState


@dataclass
class Delegations:
    """The CLP delegations at one conference (or as a forecast sees them).

    Attributes:
        votes: each delegation's card-vote size (its CLP's membership).
        position: where each stands (an unaligned CLP's median member, with
            noise at a vote; a controlled CLP's faction line).
        unaligned: which CLPs no faction controls.
        rng: the conference's random stream at a vote; None in a forecast.
    """

    votes: np.ndarray
    position: np.ndarray
    unaligned: np.ndarray
    rng: np.random.Generator | None = None
    _mandates: dict[str, np.ndarray] = field(default_factory=dict)

    def mandate(self, key: str) -> np.ndarray:
        """Each delegation's own lean on proposal `key` (standard normal; the same each time asked)."""
        if key not in self._mandates:
            self._mandates[key] = conference.delegation_mandates(self.votes.size, key, self.rng)
        return self._mandates[key]


@dataclass
class Item:
    """A rule change on its way to conference.

    Attributes:
        title, proposer, key: what it is and who moves it.
        spec: the scenario's entry (None for a catalogue proposal).
        parts: its parts (computed against the rules in force when tabled).
        tabled: model time it was tabled (notice runs from here).
        target: model time of the conference that votes on it.
        kind: "annual" or "special".
        allow_defer, forced: see ScheduledProposal.
        direction: for the record (and the "direction" rule).
        recommendation: the NEC's recommendation (+1 for, -1 against, 0 none).
    """

    title: str
    proposer: str
    key: str = ""
    spec: ScheduledProposal | None = None
    parts: tuple[agenda.Part, ...] = ()
    tabled: int = 0
    target: int = 0
    kind: str = "annual"
    allow_defer: bool = False
    forced: bool = False
    direction: float = 0.0
    recommendation: int = 0
    ready: bool = field(default=False)

    @property
    def changes(self) -> dict[str, Any]:
        """All its parts' changes."""
        return agenda.merged(self.parts)

    @property
    def sections(self) -> set[str]:
        """The rule sections it touches (leadership, reselection, conference, nec)."""
        return {path.split(".")[0] for path in self.changes}


def delegations(state: PartyState, noise: bool) -> Delegations:
    """CLP delegations: card-vote sizes, positions, unaligned mask (noise on unaligned).

    Args:
        state: the party's state.
        noise: True at a vote (unaligned delegations get `clp_noise` and the
            conference's stream); False in a forecast (no draws).
    """
    m = state.members
    full = m.full_member_ids()
    member_median = m.full_member_median() if full.size else 0.0
    delegates = clp_delegates(state, member_median)
    unaligned = delegates.unaligned
    position = np.where(unaligned, delegates.member_median, delegates.line).astype(float)
    clp_noise = state.config.conference.clp_noise
    if noise and clp_noise > 0 and unaligned.any():
        rng = state.streams["conference"]
        position[unaligned] += rng.normal(0.0, clp_noise, int(unaligned.sum()))
    return Delegations(
        np.asarray(delegates.votes),
        position,
        unaligned,
        state.streams["conference"] if noise else None,
    )


def clp_delegates(state: PartyState, fallback_median: float) -> conference.ClpDelegates:
    """Every CLP's delegation: its card-vote size, its faction's line (NaN if unaligned), its median.

    Args:
        state: the party's state.
        fallback_median: the position of a CLP with no full members.
    """
    n_clps = len(state.clps)
    counts = state.members.full_member_counts(n_clps)
    medians = np.where(counts > 0, state.members.clp_medians(n_clps), fallback_median)
    control = state.clps.control
    lines = state.faction_lines
    line = np.where(control >= 0, lines[np.maximum(control, 0)] if lines.size else 0.0, np.nan)
    return conference.ClpDelegates(votes=counts.astype(np.int64), line=line, member_median=medians)
