"""party-factions: an agent-based simulation of party factions.

Public surface:
    from model import PartyModel, load_scenario

`PartyModel` is imported lazily so that pure modules (`model.counting`,
`model.rules`) can be used without loading Mesa.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from model.scenario import Scenario, ScenarioError, load_scenario

if TYPE_CHECKING:
    from model.party import PartyModel

__version__ = "0.1.0"
__all__ = ["PartyModel", "Scenario", "ScenarioError", "load_scenario", "__version__"]


def __getattr__(name: str) -> Any:
    if name == "PartyModel":
        from model.party import PartyModel

        return PartyModel
    raise AttributeError(f"module 'model' has no attribute {name!r}")
