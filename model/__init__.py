"""party-factions: an agent-based simulation of party factions.

Public surface:
    from model import PartyModel, load_scenario

The names are loaded on first use, so that importing a pure module
(`model.counting`, `model.rules`) loads neither Mesa nor the scenario schema.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from model.party import PartyModel
    from model.scenario import Scenario, ScenarioError, load_scenario

__version__ = "0.1.0"
__all__ = ["PartyModel", "Scenario", "ScenarioError", "load_scenario", "__version__"]


def __getattr__(name: str) -> Any:
    """Load a public name on first use (PEP 562)."""
    if name == "PartyModel":
        from model.party import PartyModel

        return PartyModel
    if name in ("Scenario", "ScenarioError", "load_scenario"):
        from model import scenario

        return getattr(scenario, name)
    raise AttributeError(f"module 'model' has no attribute {name!r}")
