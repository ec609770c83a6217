"""Scenario files: the TOML schema, loading and validation."""

from model.scenario.schema import Scenario, ScenarioError, load_scenario, parse_scenario

__all__ = ["Scenario", "ScenarioError", "load_scenario", "parse_scenario"]
