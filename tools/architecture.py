"""Regenerate the generated parts of docs/ARCHITECTURE.md from the code.

    python tools/architecture.py           rewrite them in place
    python tools/architecture.py --check   exit 1 if the doc is out of date (a test does this)

Each generated part sits between two markers in the doc,
``<!-- generated: NAME -->`` and ``<!-- end: NAME -->``:

    layers        the layer table (LAYERS in tests/test_layering.py, the one place
                  the order is declared) with what each layer imports
    import-graph  a Mermaid diagram of the imports between layers (found in the
                  source, function-level imports included)
    month         every stage of every institution, in the order a month runs them
                  (PartyModel.stages() of the bundled default scenario)
    events        the typed event records (model.records.events.EVENT_TYPES)

Only the standard library and the package itself are needed (no graphviz).
"""

from __future__ import annotations

import argparse
import importlib.util
import re
import sys
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "ARCHITECTURE.md"
COMMAND = "python tools/architecture.py"


def layering() -> ModuleType:
    """tests/test_layering.py, where the layer order and the import scanner live."""
    spec = importlib.util.spec_from_file_location("_layering", REPO / "tests" / "test_layering.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


def layer_edges(lay: ModuleType) -> dict[str, set[str]]:
    """Layer -> the other layers it imports at run time (module or function level)."""
    uses: dict[str, set[str]] = defaultdict(set)
    for imp in lay.all_imports():
        source, target = lay.layer_of(imp.source), lay.layer_of(imp.target)
        if source != target and imp.kind != "type":
            uses[source].add(target)
    return uses


def render_layers() -> str:
    """The layer table: rank, layers, what they hold, what they import."""
    lay = layering()
    uses = layer_edges(lay)
    rows = [
        "| rank | layer | holds | imports from |",
        "| ---: | --- | --- | --- |",
    ]
    for rank, (names, holds) in enumerate(lay.LAYERS):
        below = sorted({t for n in names for t in uses[n]}, key=lambda t: (lay.RANK[t], t))
        shown = ", ".join(f"`{n}`" for n in names)
        rows.append(f"| {rank} | {shown} | {holds} | {', '.join(below) or '—'} |")
    exceptions = [
        f"- `{a}` → `{b}` under `if TYPE_CHECKING:` only: {why}."
        for (a, b), why in lay.TYPE_CHECKING_EXCEPTIONS.items()
    ]
    return "\n".join(rows + ["", "Documented exceptions:", "", *exceptions])


def _reduce(edges: dict[str, set[str]]) -> dict[str, set[str]]:
    """The transitive reduction of an acyclic graph: drop a -> c when a -> ... -> c exists."""

    def reachable(start: str, skip: str) -> set[str]:
        seen: set[str] = set()
        todo = [n for n in edges.get(start, ()) if n != skip]
        while todo:
            node = todo.pop()
            if node not in seen:
                seen.add(node)
                todo.extend(edges.get(node, ()))
        return seen

    return {a: {b for b in bs if b not in reachable(a, b)} for a, bs in edges.items()}


def render_graph() -> str:
    """A Mermaid flowchart: an arrow from each layer to each layer it uses directly.

    Arrows implied by others (cli -> scenario when cli -> study -> scenario) are
    left out so the picture stays readable; the table above lists every one.
    """
    lay = layering()
    edges = _reduce(layer_edges(lay))
    lines = ["```mermaid", "flowchart TD"]
    for names, _ in reversed(lay.LAYERS):
        for name in names:
            label = "model (package)" if name == "model" else name
            lines.append(f'    {name}["{label}"]')
    for source in sorted(edges, key=lambda n: (-lay.RANK[n], n)):
        for target in sorted(edges[source], key=lambda n: (-lay.RANK[n], n)):
            lines.append(f"    {source} --> {target}")
    lines.append("```")
    return "\n".join(lines)


def render_month() -> str:
    """Every stage of the default scenario's institutions, in the order of a month."""
    from model.party import PartyModel
    from model.scenario.bundled import load_named

    scenario = load_named("default").with_changes({"party.scale": 0.01})
    party = PartyModel(scenario, rng=1)
    owner = {
        stage.name: name
        for name, institution in party.institutions.items()
        for stage in institution.stages()
    }
    rows = [
        "| step | rank | stage | institution | when | decided by | what |",
        "| --- | ---: | --- | --- | --- | --- | --- |",
    ]
    monthly = event = 0
    for stage in party.stages():
        if stage.monthly:
            monthly += 1
            step = f"1.{monthly}"
        else:
            event += 1
            step = f"2.{event}"
        institution = owner[stage.name]
        rows.append(
            f"| {step} | {stage.rank} | `{stage.name}` | `{institution}` | {stage.when} | "
            f"{stage.decided_by or '—'} | {stage.description} |"
        )
    rows.append("| 3 | — | data collection | `PartyModel` | every month | — | the monthly series |")
    return "\n".join(rows)


def render_events() -> str:
    """The event types: name, class, how they are decided, what they record."""
    from model.records.events import EVENT_TYPES

    rows = ["| type | class | decided by | what |", "| --- | --- | --- | --- |"]
    for name, cls in EVENT_TYPES.items():
        doc = (cls.__doc__ or "").strip().splitlines()[0] if cls.__doc__ else ""
        decided = ", ".join(cls.decisions) or "—"
        rows.append(f"| `{name}` | `{cls.__name__}` | {decided} | {doc} |")
    return "\n".join(rows)


SECTIONS: dict[str, Callable[[], str]] = {
    "layers": render_layers,
    "import-graph": render_graph,
    "month": render_month,
    "events": render_events,
}


def render(text: str, names: list[str] | None = None) -> str:
    """The doc with its generated parts regenerated.

    Raises:
        ValueError: a section's markers are missing.
    """
    for name in names or list(SECTIONS):
        pattern = re.compile(
            rf"(<!-- generated: {re.escape(name)} [^>]*-->\n)(.*?)(<!-- end: {re.escape(name)} -->)",
            re.DOTALL,
        )
        if not pattern.search(text):
            raise ValueError(f"{DOC.name}: no markers for '{name}'")
        body = SECTIONS[name]().rstrip("\n") + "\n"
        text = pattern.sub(lambda m, body=body: m.group(1) + body + m.group(3), text)
    return text


def stale_sections(text: str) -> list[str]:
    """The generated sections whose content differs from what the code gives now."""
    return [name for name in SECTIONS if render(text, [name]) != text]


def main(argv: list[str] | None = None) -> int:
    """Rewrite the doc's generated parts, or with --check report the stale ones."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the doc is out of date")
    args = parser.parse_args(argv)
    text = DOC.read_text(encoding="utf-8")
    if args.check:
        stale = stale_sections(text)
        if stale:
            print(f"{DOC.relative_to(REPO)} is out of date ({', '.join(stale)}): run {COMMAND}")
            return 1
        print(f"{DOC.relative_to(REPO)} is up to date")
        return 0
    new = render(text)
    if new != text:
        DOC.write_text(new, encoding="utf-8")
        print(f"rewrote the generated parts of {DOC.relative_to(REPO)}")
    else:
        print(f"{DOC.relative_to(REPO)} is up to date")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    sys.exit(main())
