"""Factions organise: they recruit nearby members and choose where to mobilise."""

from __future__ import annotations

from typing import Any

import numpy as np

from model.institutions.base import Institution, Stage
from model.mechanisms import dynamics
from model.records.series import slug


class Organising(Institution):
    """Faction recruitment and targeting (the step's third stage), and factions' strength."""

    name = "organising"

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
        rng = s.streams["organising"]
        m = s.members
        eligible = m.full_members()
        specs = [f.spec for f in s.factions]
        m.faction[:] = dynamics.recruit(
            m.ideology,
            m.faction,
            eligible,
            faction_lines=s.faction_lines,
            radii=np.array([sp.recruit_radius for sp in specs]),
            rates=np.array([sp.recruitment_rate for sp in specs]),
            rng=rng,
        )
        expected = dynamics.expected_attendance(
            m.activism,
            m.ideology,
            m.clp,
            m.faction,
            np.flatnonzero(eligible),
            n_clps=len(s.clps),
            faction_lines=s.faction_lines,
            affinity=s.config.meetings.unaligned_affinity,
        )
        targets = dynamics.choose_targets(
            expected,
            s.clps.control,
            capacity=np.array([sp.organisers for sp in specs]),
            strategies=[sp.targeting for sp in specs],
            mobilisation=np.array([sp.mobilisation for sp in specs]),
            rng=rng,
        )
        for faction, row in zip(s.factions, targets, strict=True):
            faction.targets = row

    def measure(self, row: dict[str, Any]) -> None:
        """CLPs controlled, members and sitting MPs of each faction."""
        s = self.state
        m = s.members
        active = m.active
        controls = np.bincount(s.clps.control + 1, minlength=len(s.factions) + 1)
        row["clps_unaligned"] = int(controls[0])
        for f in s.factions:
            row[f"clps_{slug(f.name)}"] = int(controls[f.index + 1])
            row[f"faction_{slug(f.name)}"] = int(np.count_nonzero(active & (m.faction == f.index)))
        mp_factions = np.array([mp.faction for mp in s.sitting_mps], dtype=int)
        by_faction = np.bincount(mp_factions + 1, minlength=len(s.factions) + 1)
        row["plp_unaligned"] = int(by_faction[0])
        for f in s.factions:
            row[f"plp_{slug(f.name)}"] = int(by_faction[f.index + 1])
