"""The page template: fields only, hand-written sections without literal figures."""

from __future__ import annotations

import re

import pytest

from model.validation.report import (
    FIELD_RE,
    TemplateError,
    hand_written_sections,
    render,
    template_text,
)

# A literal figure: a decimal, a percentage or a number with a thousands separator.
LITERAL = re.compile(r"\d+\.\d+|\d+\s?%|\d{1,3},\d{3}")
# The interval levels are the method's constants, not results.
LEVELS = {"50%", "80%", "90%"}


def test_the_template_has_delimited_hand_written_sections() -> None:
    text = template_text()
    sections = hand_written_sections(text)
    assert {"verdict", "counterfactuals", "limitations"} <= set(sections)
    assert text.count("<!-- hand-written:") == text.count("<!-- end hand-written -->")


def test_hand_written_sections_carry_no_literal_figures() -> None:
    for topic, body in hand_written_sections(template_text()).items():
        outside_fields = FIELD_RE.sub("", body)
        found = [x for x in LITERAL.findall(outside_fields) if x.replace(" ", "") not in LEVELS]
        assert not found, f"hand-written section {topic!r} has literal figures {found}: use fields"


def test_the_generated_parts_of_the_template_are_fields() -> None:
    names = set(FIELD_RE.findall(template_text()))
    for required in ("table_scores", "table_targets", "table_patterns", "table_posterior",
                     "table_priors", "figures", "seeds", "draws", "scale", "git_revision",
                     "wall_time", "forecast_share_90", "winner_2020_p"):  # fmt: skip
        assert required in names, required


def test_render_fills_fields_and_refuses_unknown_ones() -> None:
    assert render("a {{ x }} b {{y}}", {"x": "1", "y": "2"}) == "a 1 b 2"

    def lookup(name: str) -> str:
        if name == "t.k.median":
            return "5"
        raise KeyError("no such")

    assert render("{{ t.k.median }}", {}, lookup) == "5"
    with pytest.raises(TemplateError, match="t.other.median"):
        render("{{ t.other.median }}", {}, lookup)
    with pytest.raises(TemplateError, match="missing"):
        render("{{ missing }}", {"x": "1"})
