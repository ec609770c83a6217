"""Shared fixtures: small scenarios that run in a fraction of a second."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from model.scenario.schema import Scenario, load_scenario

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SCENARIO = REPO / "scenarios" / "default.toml"


REPO = Path(__file__).resolve().parents[1]


def load_script(relative: str, name: str) -> ModuleType:
    """A script of the repository that is not a package module (experiments/, tools/), loaded.

    As when it is run, its folder is on ``sys.path`` (last here, so that
    nothing in it shadows a module the tests import), for the sibling
    modules it imports (experiments/_checkout.py).
    """
    folder = str((REPO / relative).parent)
    if folder not in sys.path:
        sys.path.append(folder)
    spec = importlib.util.spec_from_file_location(name, REPO / relative)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def within(observed: float, n: int, p: float, sigmas: float = 4.0) -> bool:
    """`observed` successes out of `n` is within `sigmas` binomial sds of n*p."""
    return abs(observed - n * p) <= sigmas * np.sqrt(n * p * (1 - p)) + 1


def small_scenario(**changes) -> Scenario:
    """The default scenario shrunk to 60 CLPs (a regional sample of the seats) and ~5,000 members."""
    base = load_scenario(DEFAULT_SCENARIO)
    party = {"scale": 0.01, "clps": 60, **changes.pop("party", {})}
    calendar = {"months": 24, **changes.pop("calendar", {})}
    return base.with_changes(party=party, calendar=calendar, **changes)


@pytest.fixture
def small() -> Scenario:
    """A small scenario (60 CLPs, ~5,000 members, 24 months)."""
    return small_scenario()
