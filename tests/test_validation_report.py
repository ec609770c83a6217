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


def test_before_and_after_sets_each_figure_beside_the_last_published_one() -> None:
    import pandas as pd

    from model.validation.markdown import before_after_markdown

    assert "no earlier" in before_after_markdown(None, pd.DataFrame())
    columns = ["key", "target", "role", "unit", "published", "median", "error", "inside_90"]
    now = pd.DataFrame(
        [
            ["2015_corbyn", "2015 Corbyn", "fit", "%", 59.5, 58.0, -1.5, True],
            ["members_2024", "Members 2024", "forecast", "members", 333000, 400000, 20.1, False],
            ["new_row", "A new figure", "forecast", "%", 10.0, 12.0, 2.0, True],
            ["2020_winner", "2020 winner", "forecast", "winner", "Keir Starmer", None, None, None],
        ],
        columns=columns,
    )
    before = now.iloc[:2].assign(
        median=[37.9, 300000], error=[-21.6, -9.9], inside_90=[False, True], git_revision="abc"
    )
    text = before_after_markdown(before, now)
    corbyn = next(line for line in text.splitlines() if line.startswith("| 2015 Corbyn"))
    assert "37.9 | -21.6 pp | **no** | 58.0 | -1.5 pp | yes" in corbyn
    members = next(line for line in text.splitlines() if line.startswith("| Members 2024"))
    assert "-10% | yes" in members and "+20% | **no**" in members
    assert "| A new figure | forecast | 10.0 | – | – | – | 12.0 |" in text
    assert "2020 winner" not in text  # winners are compared by their Brier scores elsewhere
    assert (
        "Of the 2 scored figures in both runs, 1 were inside their 90% interval before and 1 are now."
        in text
    )


def test_the_calibration_row_describes_an_abc_run_or_a_direct_search() -> None:
    from model.validation.report import calibration_description

    abc = {
        "library": "pyabc 0.13.0",
        "settings": {"scale": 0.05, "population": 80},
        "generations_done": 5,
        "simulations": 2303,
        "targets": ["a", "b"],
    }
    assert calibration_description(abc) == (
        "pyabc 0.13.0 ABC-SMC, 80 particles × 5 generations, 2,303 simulations at scale 0.05, "
        "2 fit targets"
    )
    search = {
        "method": "CMA-ES (cma 4.5.0), experiments/fit_point.py",
        "evaluations": 1080,
        "settings": {"scale": 0.05},
        "targets": ["a", "b", "c"],
    }
    assert calibration_description(search).startswith("one point: CMA-ES")
    assert "1,080 runs at scale 0.05, 3 fit targets" in calibration_description(search)
    assert calibration_description({}).startswith("–")
