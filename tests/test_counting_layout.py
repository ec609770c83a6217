"""The counting package's shape: small pure modules, and every old import still working.

Other code (the model's contests and reselections, benchmarks, older scripts)
imports ``model.counting.count`` and ``model.counting.ballot_files`` by name;
the split into one module per idea must not break any of those imports.
"""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

import model.counting

PACKAGE = Path(model.counting.__file__).resolve().parent
MAX_LINES = 800

# What `model.counting.count.__all__` and `model.counting.ballot_files.__all__` held
# before the split: they must stay importable from those modules.
COUNT_NAMES = [
    "DEFAULT_SECTION",
    "DEFAULT_SEED",
    "JSON_PLACES",
    "NO_PREFERENCE",
    "TIE_POLICY",
    "BallotProfile",
    "CountResult",
    "RoundRecord",
    "TieBreak",
    "TieBreakStep",
    "count_ballots",
    "diff_results",
    "group_ballots",
    "parse_weight",
    "parse_weights",
    "round_half_up",
]
BALLOT_FILES_NAMES = ["COLUMNS", "BallotFileError", "format_result", "read_ballots_csv"]


def modules() -> list[Path]:
    return sorted(PACKAGE.glob("*.py"))


@pytest.mark.parametrize("name", COUNT_NAMES)
def test_old_count_module_names_are_the_package_names(name):
    old = importlib.import_module("model.counting.count")
    assert name in old.__all__
    assert getattr(old, name) is getattr(model.counting, name)


@pytest.mark.parametrize("name", BALLOT_FILES_NAMES)
def test_old_ballot_files_names_are_the_package_names(name):
    old = importlib.import_module("model.counting.ballot_files")
    assert getattr(old, name) is getattr(model.counting, name)


def test_the_package_exports_what_it_lists():
    missing = [n for n in model.counting.__all__ if not hasattr(model.counting, n)]
    assert missing == []
    assert {"count_ballots", "BallotProfile", "CountResult"} <= set(model.counting.__all__)
    # `from model.counting import count as counting` must give the module, not a function.
    from model.counting import count as counting

    assert counting.count_ballots is model.counting.count_ballots


@pytest.mark.parametrize("path", modules(), ids=lambda p: p.name)
def test_modules_are_small_and_know_nothing_of_the_model(path):
    text = path.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= MAX_LINES, f"{path.name} is over {MAX_LINES} lines"
    imported = set()
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
    outside = sorted(
        m
        for m in imported
        if m.split(".")[0] in {"mesa", "model"} and not m.startswith("model.counting")
    )
    assert outside == [], f"{path.name} imports {outside}"


def test_importing_the_package_does_not_load_mesa():
    code = "import sys, model.counting; print('mesa' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
