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

# Public name -> the module that defines it.
_LAZY = {
    "PartyModel": "model.party",
    "Scenario": "model.scenario",
    "ScenarioError": "model.scenario",
    "load_scenario": "model.scenario",
}


def __getattr__(name: str) -> Any:
    """Load a public name on first use (PEP 562)."""
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'model' has no attribute {name!r}")
