"""The scenarios the package ships, reachable by name (``factions run default``).

The files are the repository's ``scenarios/*.toml``: ``model/data/scenarios``
is a symlink to that folder, and the wheel carries copies of the files
(``[tool.setuptools.package-data]`` in pyproject.toml), so a name works the same
in a checkout, an editable install and an installed package.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from model.data import data_path, exists, read_text
from model.scenario.errors import ScenarioError
from model.scenario.schema import Scenario, load_scenario, parse_scenario

__all__ = ["bundled_dir", "bundled_names", "is_bundled", "load_named", "open_scenario"]

FOLDER = "scenarios"


def bundled_dir() -> Path:
    """The folder of the bundled scenario files, as a real path.

    In a checkout (or an editable install) this is the top-level ``scenarios/``
    folder (``model/data/scenarios`` links to it); in an installed package, the
    copy inside it. For code that wants files (``SCENARIO_DIR / "labour_2010.toml"``).
    """
    return Path(str(data_path(FOLDER))).resolve()


def bundled_names() -> list[str]:
    """The names of the bundled scenarios (file names without ``.toml``), sorted."""
    folder = data_path(FOLDER)
    if not folder.is_dir():
        return []
    return sorted(
        p.name.removesuffix(".toml") for p in folder.iterdir() if p.name.endswith(".toml")
    )


def _name(text: str) -> str | None:
    """The bundled name a command-line word stands for, or None if it is a path."""
    if "/" in text or "\\" in text or not text:
        return None
    return text.removesuffix(".toml")


def is_bundled(text: str | Path) -> bool:
    """Whether `text` names a bundled scenario (a bare name such as ``default``)."""
    name = _name(str(text))
    return name is not None and exists(FOLDER, f"{name}.toml")


def load_named(name: str) -> Scenario:
    """Load and validate a bundled scenario by name.

    Raises:
        ScenarioError: no such bundled scenario (the message lists them), or it is invalid.
    """
    if not is_bundled(name):
        raise ScenarioError(name, [_not_found_hint(name)])
    stem = _name(name)
    text = read_text(FOLDER, f"{stem}.toml")
    return parse_scenario(tomllib.loads(text), source=f"{stem} (bundled scenario)")


def open_scenario(text: str | Path) -> Scenario:
    """A scenario given on the command line: a file, else the name of a bundled scenario.

    A file that exists always wins, so ``factions run default.toml`` in a folder
    holding its own ``default.toml`` runs that file.

    Args:
        text: a path to a scenario TOML file, or a bundled name (``default``).

    Returns:
        The validated Scenario.

    Raises:
        ScenarioError: neither a file nor a bundled name (the message lists the
            bundled names), or the scenario is invalid.
    """
    path = Path(text)
    if not path.exists() and is_bundled(str(text)):
        return load_named(str(text))
    try:
        return load_scenario(path)
    except ScenarioError as err:
        if err.problems == ["file not found"] and _name(str(text)) is not None:
            raise ScenarioError(str(path), [_not_found_hint(str(text))]) from None
        raise


def _not_found_hint(text: str) -> str:
    names = ", ".join(bundled_names()) or "none installed"
    return f"file not found, and not the name of a bundled scenario ({names})"
