"""docs/ARCHITECTURE.md: its generated parts (layers, import diagram, month, events) are current."""

from __future__ import annotations

import pytest

from tests.conftest import load_script


@pytest.fixture(scope="module")
def tool():
    """tools/architecture.py, loaded as a module."""
    return load_script("tools/architecture.py", "architecture_tool")


def test_the_generated_parts_are_current(tool):
    text = tool.DOC.read_text(encoding="utf-8")
    stale = tool.stale_sections(text)
    assert not stale, (
        f"docs/ARCHITECTURE.md is out of date ({', '.join(stale)}): run {tool.COMMAND}"
    )


def test_an_out_of_date_part_is_found(tool):
    text = tool.DOC.read_text(encoding="utf-8")
    edited = text.replace("    cli --> app\n", "", 1).replace(
        "| `agm` | `Agm` |", "| `agm` | `Ag` |", 1
    )
    assert edited != text
    assert tool.stale_sections(edited) == ["import-graph", "events"]


def test_every_layer_and_stage_is_in_the_doc(tool):
    text = tool.DOC.read_text(encoding="utf-8")
    for names, _ in tool.layering().LAYERS:
        for name in names:
            assert f'    {name}["' in text, name
    from model.party import PartyModel
    from model.scenario.bundled import load_named

    party = PartyModel(load_named("default").with_changes({"party.scale": 0.01}), rng=1)
    for stage in party.stages():
        assert f"| `{stage.name}` |" in text, stage.name


def test_a_missing_marker_is_an_error(tool):
    with pytest.raises(ValueError, match="no markers for 'month'"):
        tool.render("no markers here", ["month"])
