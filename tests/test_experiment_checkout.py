"""Experiments run against the checkout they sit in (experiments/_checkout.py).

A script run as a file has its own folder first on sys.path; with the
package installed in editable mode from another checkout (a git worktree
sharing a .venv), `import model` would load that checkout's code. Every
experiment that imports `model` imports `_checkout` first, and `_checkout`
puts its own checkout's root ahead of any installed copy.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

EXPERIMENTS = Path(__file__).resolve().parents[1] / "experiments"
SCRIPTS = sorted(p for p in EXPERIMENTS.glob("*.py") if not p.name.startswith("_"))


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) of each top-level import of a script, in order."""
    out = []
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Import):
            out += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            out.append((node.lineno, node.module))
    return out


def _model_lines(path: Path) -> list[int]:
    return [line for line, name in _imports(path) if name == "model" or name.startswith("model.")]


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_every_experiment_runs_against_its_own_checkout(script: Path) -> None:
    model = _model_lines(script)
    if model:
        checkout = [line for line, name in _imports(script) if name == "_checkout"]
        assert checkout and checkout[0] < model[0], script.name
    else:
        # The two wrappers import `model` inside main(), after putting their
        # checkout's root first themselves.
        assert "sys.path.insert(0, str(REPO))" in script.read_text(), script.name


def test_checkout_puts_its_own_root_ahead_of_an_installed_model(tmp_path: Path) -> None:
    # Another checkout: a `model` package of its own, and an experiment that
    # asks which `model` it gets. The test's interpreter has this repository's
    # `model` installed (editable), which a script would otherwise import.
    other = tmp_path / "other"
    (other / "model").mkdir(parents=True)
    (other / "model" / "__init__.py").write_text("WHICH = 'other checkout'\n")
    (other / "experiments").mkdir()
    shutil.copy(EXPERIMENTS / "_checkout.py", other / "experiments" / "_checkout.py")
    probe = "import model\nprint(getattr(model, 'WHICH', model.__file__))\n"
    (other / "experiments" / "with_checkout.py").write_text("import _checkout\n" + probe)
    (other / "experiments" / "without.py").write_text(probe)

    def run(name: str) -> str:
        done = subprocess.run(
            [sys.executable, str(other / "experiments" / name)],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            check=True,
        )
        return done.stdout.strip()

    assert run("with_checkout.py") == "other checkout"
    # Without it, the installed copy is what a script gets: the trap this avoids.
    assert run("without.py") != "other checkout"
