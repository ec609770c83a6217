"""Organised factions: plain Mesa agents holding their strategy."""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

if TYPE_CHECKING:
    from model.party import PartyModel
    from model.scenario.schema import FactionSpec


class Faction(mesa.Agent):
    """A Momentum-style or centrist faction.

    Attributes:
        index: position in the model's list of factions (the `faction`
            column of the member table refers to it).
        spec: the scenario's parameters (line, organisers, mobilisation...).
        targets: boolean per CLP, True where it mobilises for meetings now.
    """

    def __init__(self, model: PartyModel, index: int, spec: FactionSpec):
        """Create a faction.

        Args:
            model: the party model.
            index: the faction's index.
            spec: its parameters from the scenario.
        """
        super().__init__(model)
        self.index = index
        self.spec = spec
        self.name = spec.name
        self.line = spec.line
        self.targets = np.zeros(len(model.clps), dtype=bool)

    @property
    def size(self) -> int:
        """Active members in the faction."""
        m = self.model.members
        return int(np.count_nonzero(m.active & (m.faction == self.index)))

    @property
    def clps_controlled(self) -> int:
        """CLPs whose executive it controls."""
        return int(np.count_nonzero(self.model.clps.control == self.index))
