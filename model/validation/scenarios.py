"""The scenarios the validation runs: historical runs, counterfactuals and their baselines.

Every target is measured in one historical run, ``labour_2010_2024`` (May
2010 to December 2024, the rules changing only through the model's own
processes); the calibration runs it cut at the split. ``labour_2010``,
``labour_2015`` and ``labour_2015_2024`` are run only as the baselines of
their counterfactuals.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from model.scenario.bundled import bundled_dir
from model.scenario.schema import Scenario, load_scenario

SCENARIO_DIR = bundled_dir()
"""The bundled scenario files (a checkout's scenarios/, or the installed package's copy)."""

HISTORICAL = ("labour_2010", "labour_2015", "labour_2015_2024")
"""The historical scenario files of single periods (stems in scenarios/, equal to their
names); ``labour_2010_2024`` (MEASURED) runs the whole period in one."""

MEASURED = ("labour_2010_2024",)
"""The historical scenario the targets are measured in (and the calibration runs)."""

BASELINES = ("labour_2010", "labour_2015", "labour_2015_2024")
"""Historical scenarios run only as the counterfactuals' baselines."""

COUNTERFACTUALS = {
    "counterfactual_2010_omov": "labour_2010",
    "counterfactual_2015_no_rs": "labour_2015",
    "counterfactual_2015_2024_open_selection": "labour_2015_2024",
    "counterfactual_2021_college": "counterfactual_2021_college_baseline",
}
"""Counterfactual scenario -> the run it is compared with.

``counterfactual_2021_college_baseline`` has no file: it is the 2021 scenario
with ``rules.preset`` set to the rules actually adopted (:func:`twin_2021`).
"""

TWIN_2021 = "counterfactual_2021_college_baseline"
ALIASES = {TWIN_2021: "counterfactual_2021_college"}
"""Scenarios built in code -> the file they share (for the priors' tags)."""


def twin_2021(scenario: Scenario) -> Scenario:
    """The 2021 counterfactual's baseline: the same run under the rules actually adopted."""
    return scenario.with_changes(
        scenario={
            "name": TWIN_2021,
            "description": "Baseline of counterfactual_2021_college: the 2021 rules as adopted.",
        },
        rules={"preset": "labour_2021", "overrides": {}},
    )


def scenario_names(*, counterfactuals: bool = True) -> list[str]:
    """The scenarios a validation runs, in run order (the measured ones first)."""
    names = list(MEASURED)
    if counterfactuals:
        names += [*BASELINES, *COUNTERFACTUALS, TWIN_2021]
    return names


def load_validation_scenarios(
    scenario_dir: str | Path = SCENARIO_DIR, *, counterfactuals: bool = True
) -> dict[str, Scenario]:
    """The scenarios a validation runs, by name, in run order.

    Args:
        scenario_dir: the folder of scenario files.
        counterfactuals: include ``labour_2015``, the counterfactuals and the 2021 twin.

    Returns:
        Name -> Scenario.
    """
    folder = Path(scenario_dir)
    out: dict[str, Scenario] = {}
    for name in scenario_names(counterfactuals=counterfactuals):
        if name == TWIN_2021:
            out[name] = twin_2021(out["counterfactual_2021_college"])
        else:
            out[name] = load_scenario(folder / f"{name}.toml")
    return out


def scenario_texts(
    names: Mapping[str, Any] | list[str], scenario_dir: str | Path = SCENARIO_DIR
) -> dict[str, str]:
    """Each named scenario's file text (scenarios built in code are skipped)."""
    folder = Path(scenario_dir)
    return {
        name: (folder / f"{name}.toml").read_text(encoding="utf-8")
        for name in names
        if (folder / f"{name}.toml").exists()
    }


def adjust(
    scenario: Scenario, *, scale: float | None = None, months: int | None = None
) -> Scenario:
    """A scenario with another scale and/or a shorter horizon."""
    changes: dict[str, Any] = {}
    if scale is not None:
        changes["party"] = {"scale": scale}
    if months is not None:
        changes["calendar"] = {"months": min(months, scenario.calendar.months)}
    return scenario.with_changes(**changes) if changes else scenario


@dataclass(frozen=True)
class Comparison:
    """A measure compared between a counterfactual and its baseline."""

    key: str
    label: str
    unit: str


COMPARISONS: dict[str, list[Comparison]] = {
    "counterfactual_2010_omov": [
        Comparison("2010_winner", "Ed Miliband wins 2010", "winner"),
        Comparison("2010_final_ed_miliband", "Ed Miliband, final round (%)", "%"),
        Comparison("2010_r1_ed_miliband", "Ed Miliband, round 1 (%)", "%"),
        Comparison("2010_r1_diane_abbott", "Diane Abbott, round 1 (%)", "%"),
    ],
    "counterfactual_2015_no_rs": [
        Comparison("2015_winner", "Jeremy Corbyn wins 2015", "winner"),
        Comparison("2015_r1_jeremy_corbyn", "Corbyn, round 1 (%)", "%"),
        Comparison("2015_final_jeremy_corbyn", "Corbyn, final round (%)", "%"),
    ],
    "counterfactual_2015_2024_open_selection": [
        Comparison("trigger_2019_triggered", "MPs in a full selection, 2019", "MPs"),
        Comparison("trigger_2019_deselected", "MPs deselected, 2019", "MPs"),
        Comparison("trigger_2022_triggered", "MPs in a full selection, 2022", "MPs"),
        Comparison("trigger_2022_deselected", "MPs deselected, 2022", "MPs"),
        Comparison("deselections_total", "MPs deselected, 2015-2024", "MPs"),
        Comparison("plp_momentum_end", "Momentum MPs, end 2024", "MPs"),
        Comparison("plp_median_end", "PLP median ideology, end 2024", "ideology"),
        Comparison("2020_winner", "Keir Starmer wins 2020", "winner"),
    ],
    "counterfactual_2021_college": [
        Comparison("2022_winner_left_candidate", "Left candidate wins", "winner"),
        Comparison("2022_winner_soft_left_candidate", "Soft-left candidate wins", "winner"),
        Comparison("2022_winner_right_candidate", "Right candidate wins", "winner"),
        Comparison("2022_r1_left_candidate", "Left candidate, round 1 (%)", "%"),
        Comparison("2022_final_left_candidate", "Left candidate, final round (%)", "%"),
    ],
}
"""What each counterfactual is compared with its baseline on (paired by draw and seed)."""
