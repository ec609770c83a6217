"""Factions organise: they recruit nearby members and choose where to mobilise."""

from __future__ import annotations

from typing import Any

import numpy as np

from model.agents.mps import MP
from model.calendar import Month
from model.institutions.base import Institution, Stage
from model.mechanisms import dynamics
from model.records.series import slug
from model.state import PartyState


class Organising(Institution):
    """Faction recruitment and targeting (the step's third stage), and factions' strength.

    A faction exists from its founding month (`founded`): before it, it has
    no members, no MPs, no organisers and holds nothing. The sitting MPs the
    set-up drew for it (near its line, with its `mp_affinity`) wait unaligned
    and join it when it is founded, if they still sit and are unaligned:
    a faction founded around a group of MPs (Momentum and the Campaign Group)
    has them from its first month. Its organising capacity — the CLPs it can
    target at once — grows with its membership (`members_per_organiser`) up
    to `organisers`.
    """

    name = "organising"

    def __init__(self, state: PartyState):
        """Attach to the state; factions not founded yet are emptied."""
        super().__init__(state)
        self.founded_at = np.array(
            [
                -(10**9) if f.spec.founded is None else state.time_of(Month.parse(f.spec.founded))
                for f in state.factions
            ],
            dtype=np.int64,
        )
        not_yet = np.flatnonzero(self.founded_at > 1)
        self.waiting_mps: dict[int, list[MP]] = {}
        if not_yet.size:
            m = state.members
            m.faction[np.isin(m.faction, not_yet)] = -1
            for mp in state.mps:
                if mp.faction in not_yet:
                    self.waiting_mps.setdefault(int(mp.faction), []).append(mp)
                    mp.faction = -1

    def founded(self) -> np.ndarray:
        """Per faction: it exists this month."""
        return self.founded_at <= max(self.state.time, 1)

    def capacity(self) -> np.ndarray:
        """CLPs each faction can target this month (0 before its founding)."""
        s = self.state
        specs = [f.spec for f in s.factions]
        # Organisers cover the real party's CLPs; a run that simulates a
        # sample of them has that share of the organisers.
        cap = np.array([sp.organisers for sp in specs], dtype=float) * s.clp_share
        per = np.array([sp.members_per_organiser for sp in specs], dtype=float)
        if (per > 0).any():
            size = self.faction_sizes() * s.clps.represents
            cap = np.where(per > 0, np.minimum(cap, np.floor(size / np.maximum(per, 1e-9))), cap)
        return np.where(self.founded(), np.round(cap), 0).astype(np.int64)

    def faction_sizes(self) -> np.ndarray:
        """Active members (of every type) in each faction.

        One count of a mask per faction: comparing and counting whole
        columns is several times quicker than gathering the active rows
        (factions are few).
        """
        m = self.state.members
        active, faction = m.active, m.faction
        return np.array(
            [np.count_nonzero(active & (faction == f)) for f in range(len(self.state.factions))],
            dtype=np.int64,
        )

    def _seat_founding_mps(self) -> None:
        """A faction founded this month takes in the sitting MPs drawn for it at the start."""
        founded = self.founded()
        for f in [f for f in self.waiting_mps if founded[f]]:
            spec = self.state.factions[f].spec
            for mp in self.waiting_mps.pop(f):
                # Still near its line (an MP may have moved, or stand in for a named one).
                near = abs(mp.ideology - self.state.faction_lines[f]) <= spec.recruit_radius
                if mp.sitting and mp.faction == -1 and near:
                    mp.faction = f

    def stages(self) -> list[Stage]:
        """Recruitment and targeting, every month."""
        return [
            Stage(
                30,
                "organising",
                self.organise,
                "every month",
                "faction organising (recruitment, targeting)",
            )
        ]

    def organise(self) -> None:
        """Factions recruit unaligned members near their line, then pick target CLPs."""
        s = self.state
        self._seat_founding_mps()
        rng = s.streams["organising"]
        m = s.members
        specs = [f.spec for f in s.factions]
        # A faction not founded yet neither recruits nor loses anyone, and
        # its rates do not enter the month's draws: runs that differ only in
        # them draw the same numbers until it is founded.
        founded = self.founded()
        dynamics.recruit(
            m.ideology,
            m.faction,
            m.full_members(),
            faction_lines=s.faction_lines,
            radii=np.array([sp.recruit_radius for sp in specs]),
            rates=np.where(founded, [sp.recruitment_rate for sp in specs], 0.0),
            rng=rng,
            out=m.faction,
            churn=np.where(founded, [sp.churn for sp in specs], 0.0),
        )
        # Organisers judge a CLP by its real members: at a small scale, its
        # simulated members' composition shrunk towards the party's by how
        # reliable it is (meetings.own_share), as its meetings are drawn.
        expected = s.expected_meetings()
        expected = expected.as_real(s.clp_own_share(expected))
        targets = dynamics.choose_targets(
            expected,
            s.clps.control,
            capacity=self.capacity(),
            strategies=[sp.targeting for sp in specs],
            mobilisation=np.array([sp.mobilisation for sp in specs]),
            rng=rng,
        )
        for faction, row in zip(s.factions, targets, strict=True):
            faction.targets = row

    def measure(self, row: dict[str, Any]) -> None:
        """CLPs controlled, members, sitting MPs and executive places of each faction."""
        s = self.state
        controls = np.bincount(s.clps.control + 1, minlength=len(s.factions) + 1)
        sizes = self.faction_sizes()
        row["clps_unaligned"] = int(controls[0])
        for f in s.factions:
            row[f"clps_{slug(f.name)}"] = int(controls[f.index + 1])
            row[f"faction_{slug(f.name)}"] = int(sizes[f.index])
        mp_factions = np.array([mp.faction for mp in s.sitting_mps], dtype=int)
        by_faction = np.bincount(mp_factions + 1, minlength=len(s.factions) + 1)
        row["plp_unaligned"] = int(by_faction[0])
        for f in s.factions:
            row[f"plp_{slug(f.name)}"] = int(by_faction[f.index + 1])
        places = s.clps.places.sum(axis=0)
        for f in s.factions:
            row[f"places_{slug(f.name)}"] = int(places[f.index])
