"""The history data shipped in the package, and nothing reading the shared folder at run time.

The data files in model/data/labour/ are byte-identical copies of the shared
data set; their SHA-256 are recorded in model/data/labour/README.md and
checked here, so an accidental edit fails. The validation's code and tests
must load them through the package (importlib.resources), never from
``../shared``.
"""

from __future__ import annotations

import fnmatch
import hashlib
import re
import tomllib
from pathlib import Path

import pytest

from model.validation.history import data_text, load_history, load_politics

REPO = Path(__file__).resolve().parents[1]
FILES = ("labour_history.json", "labour_history.md", "labour_politics.json", "labour_politics.md")

# Everything the validation owns: none of it may read ../shared.
OWNED = [
    *sorted((REPO / "model" / "validation").rglob("*.py")),
    REPO / "model" / "cli" / "validate.py",
    REPO / "model" / "cli" / "calibrate.py",
    REPO / "experiments" / "calibrate.py",
    REPO / "experiments" / "validate_history.py",
    *sorted((REPO / "tests").glob("test_validation*.py")),
    REPO / "tests" / "test_calibration.py",
    REPO / "tests" / "test_historical_scenarios.py",
    # Tests that read published figures load the packaged copy too.
    REPO / "tests" / "conftest.py",
    REPO / "tests" / "test_rules.py",
    REPO / "tests" / "test_elections.py",
    REPO / "tests" / "test_counting_published.py",
]


def _recorded_hashes() -> dict[str, str]:
    readme = data_text("README.md")
    return dict(re.findall(r"\| `([\w.]+)` \| `([0-9a-f]{64})` \|", readme))


@pytest.mark.parametrize("name", FILES)
def test_shipped_files_are_the_recorded_copies(name: str) -> None:
    recorded = _recorded_hashes()
    assert name in recorded, f"{name} has no SHA-256 in model/data/labour/README.md"
    digest = hashlib.sha256(data_text(name).encode("utf-8")).hexdigest()
    assert digest == recorded[name], f"{name} differs from the shared data set's copy"


def test_loaders_read_the_package_copy_and_return_fresh_objects() -> None:
    a, b = load_history(), load_history()
    assert a == b and a is not b
    a["membership"] = None  # a caller may change its copy ...
    assert load_history()["membership"] is not None  # ... without touching anyone else's
    assert "meta" in load_politics() and "source" in str(load_history()["meta"]["method"]).lower()


def test_the_package_data_globs_ship_the_files() -> None:
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    globs = config["tool"]["setuptools"]["package-data"]
    data_globs = globs["model.data"]
    for name in (*FILES, "README.md"):
        assert any(fnmatch.fnmatch(f"labour/{name}", g) for g in data_globs), name
    validation = globs["model.validation"]
    assert "priors.toml" in validation
    assert any(fnmatch.fnmatch("templates/validation.md", g) for g in validation)


@pytest.mark.parametrize("path", OWNED, ids=lambda p: str(p.relative_to(REPO)))
def test_nothing_in_the_validation_reads_the_shared_folder(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    this = Path(__file__).resolve()
    if path.resolve() == this:
        return  # this file names the folder in order to forbid it
    assert not re.search(r"""["'/]shared["'/]|\.\./shared""", text), f"{path} refers to ../shared"
