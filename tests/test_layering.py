"""The package's layers: one-way imports, no import cycles, no module over 800 lines.

The layer order is declared once, here (`LAYERS`); docs/ARCHITECTURE.md shows
it and tools/import_graph.py draws the imports between the layers. Three checks:

* every module imports only from its own layer and the layers below it —
  counting imports inside functions too (read from the source, not by
  importing), and ``importlib.import_module("model....")`` calls;
* imports under ``if TYPE_CHECKING:`` go downwards too, except the documented
  exceptions in `TYPE_CHECKING_EXCEPTIONS`;
* the module-level imports between modules form no cycle, and every module can
  be imported first, on its own, in a fresh interpreter (an import cycle
  shows as an ImportError only for some import orders).

Run as a script it prints the layers and what each imports.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import textwrap
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "model"

LAYERS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("data", "calendar"), "what the package ships, and the tables read from it; months"),
    (("counting", "rules"), "pure: ballots and counts; rules as data, decisions and presets"),
    (("scenario",), "the scenario file: sections, validation, bundled scenarios"),
    (("records",), "typed events, the event log, writers"),
    (("mechanisms",), "pure functions on arrays and Fractions (no Mesa, no model)"),
    (("agents",), "members, CLPs, MPs, unions, factions; the initial population"),
    (("state",), "PartyState: what the institutions share"),
    (("institutions",), "one module per institution: its stages, rank, run, series"),
    (("party",), "PartyModel: builds the state and wires the institutions"),
    (("model",), "the package itself: its public names (PartyModel, load_scenario)"),
    (("analysis",), "measures and figures"),
    (("study",), "run, experiment, sweep, report"),
    (("validation",), "history, targets, calibration"),
    (("app",), "the web page"),
    (("cli",), "the `factions` command"),
)
"""The layers, lowest first, and what each holds. A module may import from its own layer
and those before it (layers on one line are one rank)."""

TYPE_CHECKING_EXCEPTIONS: dict[tuple[str, str], str] = {
    ("agents", "party"): (
        "the Mesa agent views (CLP, Member, MP, Union, Faction) are typed with the "
        "PartyModel they belong to; at run time they never import it"
    ),
}
"""Upward imports allowed under ``if TYPE_CHECKING:`` only: (from, to) -> why."""

MAX_LINES = 800
"""No module may be longer (issue #13)."""

RANK = {layer: rank for rank, (names, _) in enumerate(LAYERS) for layer in names}


@dataclass(frozen=True)
class Import:
    """One import of a `model` module found in the source."""

    source: str  # the importing module, e.g. "model.study.run"
    target: str  # the imported module, e.g. "model.party"
    line: int
    kind: str  # "module" (top level), "function" (inside a def) or "type" (TYPE_CHECKING)

    def where(self) -> str:
        """'model/study/run.py:84'."""
        return f"{module_path(self.source).relative_to(REPO)}:{self.line}"


def modules() -> dict[str, Path]:
    """Every module of the package: dotted name -> file."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(REPO).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def module_path(name: str) -> Path:
    """The file of a module (a package's __init__.py)."""
    return modules()[name]


def layer_of(name: str) -> str:
    """The layer of a module: the first name below `model` ("model" for the package itself)."""
    parts = name.split(".")
    return parts[1] if len(parts) > 1 else "model"


def _resolve(name: str, known: dict[str, Path]) -> str:
    """The module an import names: `model.analysis.figures.HOUSE_STYLE` -> the figures package."""
    while name not in known and "." in name:
        name = name.rsplit(".", 1)[0]
    return name


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports_of(name: str, path: Path, known: dict[str, Path]) -> list[Import]:
    """Every import of a `model` module in one file, with where and how it is made."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found: list[Import] = []

    def add(target: str, line: int, kind: str) -> None:
        if target == "model" or target.startswith("model."):
            found.append(Import(name, _resolve(target, known), line, kind))

    def visit(node: ast.AST, kind: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child.test):
                for stmt in child.body:
                    visit_stmt(stmt, "type")
                for stmt in child.orelse:
                    visit_stmt(stmt, kind)
            else:
                visit_stmt(child, kind)

    def visit_stmt(node: ast.AST, kind: str) -> None:
        inner = "function" if kind == "module" else kind
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            visit(node, inner)
            return
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(alias.name, node.lineno, kind)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                # `from model.analysis import figures` imports a module, not a name
                sub = f"{base}.{alias.name}"
                add(sub if sub in known else base, node.lineno, kind)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute | ast.Name)
            and getattr(node.func, "attr", getattr(node.func, "id", "")) == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            add(node.args[0].value, node.lineno, "function" if kind == "module" else kind)
        visit(node, kind)

    visit(tree, "module")
    return found


def all_imports() -> list[Import]:
    """Every import of a `model` module anywhere in the package."""
    known = modules()
    return [imp for name, path in known.items() for imp in imports_of(name, path, known)]


def upward(imports: list[Import]) -> list[Import]:
    """The imports that reach a higher layer than their own."""
    return [i for i in imports if RANK[layer_of(i.target)] > RANK[layer_of(i.source)]]


def module_cycles(imports: list[Import]) -> list[list[str]]:
    """Cycles among the module-level imports (strongly connected components of size > 1)."""
    graph: dict[str, set[str]] = defaultdict(set)
    for imp in imports:
        if imp.kind == "module" and imp.target != imp.source:
            graph[imp.source].add(imp.target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def connect(node: str) -> None:  # Tarjan's algorithm
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                connect(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return cycles


# --- the checks ------------------------------------------------------------------


def test_every_package_folder_has_a_layer():
    folders = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    files = {p.stem for p in PACKAGE.glob("*.py") if p.stem != "__init__"}
    missing = sorted((folders | files) - set(RANK))
    assert not missing, f"add these to LAYERS in {Path(__file__).name}: {missing}"


def test_imports_point_down_only():
    bad = [i for i in upward(all_imports()) if i.kind != "type"]
    lines = [
        f"{i.where()}: {i.source} ({layer_of(i.source)}) imports {i.target} "
        f"({layer_of(i.target)}, a higher layer){' inside a function' * (i.kind == 'function')}"
        for i in bad
    ]
    assert not lines, "imports that point up the layers:\n" + "\n".join(lines)


def test_type_checking_imports_point_down_or_are_documented():
    bad = [
        i
        for i in upward(all_imports())
        if i.kind == "type"
        and (layer_of(i.source), layer_of(i.target)) not in TYPE_CHECKING_EXCEPTIONS
    ]
    lines = [f"{i.where()}: {i.source} imports {i.target} for type checking" for i in bad]
    assert not lines, (
        "TYPE_CHECKING imports that point up (move the type, or document the exception in "
        "TYPE_CHECKING_EXCEPTIONS):\n" + "\n".join(lines)
    )


def test_documented_exceptions_are_still_needed():
    used = {(layer_of(i.source), layer_of(i.target)) for i in upward(all_imports())}
    stale = sorted(set(TYPE_CHECKING_EXCEPTIONS) - used)
    assert not stale, f"exceptions no longer used, remove them: {stale}"


def test_no_module_level_import_cycles():
    cycles = module_cycles(all_imports())
    assert not cycles, "module-level import cycles:\n" + "\n".join(" <-> ".join(c) for c in cycles)


def test_no_module_over_the_line_limit():
    long = {
        str(path.relative_to(REPO)): n
        for path in PACKAGE.rglob("*.py")
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not long, f"modules over {MAX_LINES} lines (split them): {long}"


PARTY_MAX_LINES = 400
"""`PartyModel` only wires (issue 13): behaviour belongs to the institutions and mechanisms."""


def test_the_party_model_only_wires():
    lines = len((PACKAGE / "party.py").read_text(encoding="utf-8").splitlines())
    assert lines <= PARTY_MAX_LINES, f"model/party.py has {lines} lines (at most {PARTY_MAX_LINES})"


# Third-party libraries loaded once before the children fork, so that each child
# pays only for our own modules. Thread pools are kept to one thread so that
# forking is safe.
PRELOAD = (
    "numpy",
    "pandas",
    "pyarrow.parquet",
    "scipy.stats",
    "pydantic",
    "matplotlib.pyplot",
    "mesa",
)

FORK_IMPORTER = textwrap.dedent(
    """
    import importlib, json, os, sys, traceback
    names = json.loads(sys.stdin.read())
    for lib in PRELOAD:
        importlib.import_module(lib)
    assert not any(m == "model" or m.startswith("model.") for m in sys.modules)
    running, failures, queue = {}, {}, list(names)
    while queue or running:
        while queue and len(running) < SLOTS:
            name = queue.pop(0)
            r, w = os.pipe()
            pid = os.fork()
            if pid == 0:  # the child: import one module into a package-free interpreter
                os.close(r)
                try:
                    importlib.import_module(name)
                    message = ""
                except BaseException:
                    message = traceback.format_exc(limit=-6)
                os.write(w, message.encode())
                os._exit(0)
            os.close(w)
            running[pid] = (name, r)
        pid, status = os.wait()
        name, r = running.pop(pid)
        chunks = []
        while chunk := os.read(r, 1 << 16):
            chunks.append(chunk)
        os.close(r)
        if chunks or status:
            failures[name] = b"".join(chunks).decode() or f"exit status {status}"
    print(json.dumps(failures))
    """
)


def importable_modules() -> list[str]:
    """Every module that can be imported as a library (not `__main__` entry points)."""
    return [name for name in modules() if not name.endswith("__main__")]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork (POSIX)")
def test_every_module_imports_first_in_a_fresh_interpreter():
    """Each module imported alone, first of the package: an import cycle fails for some order.

    One subprocess loads the third-party libraries, then forks one child per
    module; no module of the package is loaded before the child imports its one.
    """
    import json

    names = importable_modules()
    env = {
        **os.environ,
        "MPLBACKEND": "Agg",
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "PYTHONWARNINGS": "ignore::DeprecationWarning",
    }
    code = FORK_IMPORTER.replace("PRELOAD", repr(PRELOAD)).replace(
        "SLOTS", str(max(1, os.cpu_count() or 1))
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        input=json.dumps(names),
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    failures = json.loads(done.stdout.strip().splitlines()[-1])
    assert not failures, "modules that cannot be imported first:\n" + "\n".join(
        f"--- {name}\n{text}" for name, text in failures.items()
    )


def test_the_checks_see_an_upward_import(tmp_path):
    """The static checks find an upward import, a function-level one and a cycle."""
    known = {
        "model.counting.x": tmp_path / "x.py",
        "model.party": tmp_path / "p.py",
        "model.counting.y": tmp_path / "y.py",
    }
    known["model.counting.x"].write_text(
        "from model.counting import y\n"
        "def f():\n    from model.party import PartyModel\n"
        "if TYPE_CHECKING:\n    from model.party import PartyModel\n"
    )
    known["model.counting.y"].write_text("import model.counting.x\n")
    found = imports_of("model.counting.x", known["model.counting.x"], known)
    found += imports_of("model.counting.y", known["model.counting.y"], known)
    kinds = sorted((i.target, i.kind) for i in upward(found))
    assert kinds == [("model.party", "function"), ("model.party", "type")]
    assert module_cycles(found) == [["model.counting.x", "model.counting.y"]]


def main() -> None:
    """Print the layers, and what each imports from the layers below."""
    imports = all_imports()
    uses: dict[str, set[str]] = defaultdict(set)
    for imp in imports:
        if layer_of(imp.target) != layer_of(imp.source) and imp.kind != "type":
            uses[layer_of(imp.source)].add(layer_of(imp.target))
    for rank, (names, _) in enumerate(LAYERS):
        for name in names:
            below = ", ".join(sorted(uses[name], key=RANK.__getitem__)) or "-"
            print(f"{rank:2d} {name:<13} imports {below}")
    problems = upward([i for i in imports if i.kind != "type"]) + [
        i for i in upward(imports) if i.kind == "type"
    ]
    for imp in problems:
        print(f"upward ({imp.kind}): {imp.where()} {imp.source} -> {imp.target}")
    print(f"module-level cycles: {module_cycles(imports) or 'none'}")


if __name__ == "__main__":
    main()
