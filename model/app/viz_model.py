"""The model the page drives, and the sidebar's inputs it is built from.

The sidebar's values arrive from the browser, and a browser can send any
value, not only one the widgets offer (a crafted websocket message, or a
select's value changed from the console). So every value is checked here,
on the server, against what the sidebar offers before it is used:
`check_inputs` refuses a scenario that is not one of the listed files, a
rules preset that is not a preset, and a number outside its slider's range.
A scenario name is only ever turned into a path after it was found in
the list of files, never built from the value sent.

A refusal raises `PageInputError`, whose message is short and fit for the
page: it names the input, never a server path, and does not echo the value
sent.
"""

from __future__ import annotations

import logging
import math
import zlib
from pathlib import Path
from typing import Any

from mesa.time import Priority

from model.party import PartyModel
from model.rules.presets import preset_names
from model.scenario.bundled import bundled_dir
from model.scenario.schema import Scenario, load_scenario

log = logging.getLogger(__name__)

# The scenarios the package ships (in a checkout: the top-level scenarios/
# folder, which model/data/scenarios links to), so an installed page has them too.
SCENARIO_DIR = bundled_dir()
FROM_SCENARIO = "as in the scenario"
DEFAULT_SCALE = 0.02  # ~11,000 members: a step plus a redraw stays well under a second
MAX_SEED = 2**63 - 1  # larger (or negative) numbers typed as the seed are hashed like text
MULTIPLIERS = {
    "joining": "joining",
    "lapsing": "lapsing",
    "leader_cue": "leader's cue",
    "organisers": "organisers",
}


class PageError(Exception):
    """An error whose message is fit for the page: short, with no server path."""


class PageInputError(PageError, ValueError):
    """A value from the page that is not one the page offers (message fit for the page)."""


def scenario_names(folder: Path | None = None) -> list[str]:
    """The scenario files on offer (file stems of `scenarios/*.toml`), default first."""
    names = sorted(p.stem for p in (folder or SCENARIO_DIR).glob("*.toml"))
    if "default" in names:
        names.remove("default")
        names.insert(0, "default")
    return names


def scenario_path(name: Any, folder: Path | None = None) -> Path:
    """The file of a listed scenario.

    The path is the one `scenario_names` found for that name in `folder`, so
    a value such as "../pyproject" or "../../elsewhere/file" can never reach
    the file system.

    Raises:
        PageInputError: `name` is not one of the listed scenarios.
    """
    files = {p.stem: p for p in (folder or SCENARIO_DIR).glob("*.toml")}
    if not isinstance(name, str) or name not in files:
        raise PageInputError("Scenario: not one of the listed scenarios.")
    return files[name]


def make_model_params() -> dict[str, dict[str, Any]]:
    """Mesa `model_params`: the inputs shown in the sidebar, read on Reset.

    These are also what `check_inputs` allows: a select's `values`, a
    slider's `min` and `max`.
    """
    return {
        "scenario_name": {
            "type": "Select",
            "value": "default",
            "values": scenario_names(),
            "label": "Scenario",
        },
        "rules_preset": {
            "type": "Select",
            "value": FROM_SCENARIO,
            "values": [FROM_SCENARIO, *preset_names()],
            "label": "Rules preset",
        },
        "scale": {
            "type": "SliderFloat",
            "value": DEFAULT_SCALE,
            "min": 0.005,
            "max": 0.1,
            "step": 0.005,
            "label": "Scale (share of real size)",
        },
        "seed": {"type": "InputText", "value": "1", "label": "Random seed"},
        "joining": {
            "type": "SliderFloat",
            "value": 1.0,
            "min": 0.0,
            "max": 3.0,
            "step": 0.25,
            "label": "Joining rate (× scenario)",
        },
        "lapsing": {
            "type": "SliderFloat",
            "value": 1.0,
            "min": 0.0,
            "max": 3.0,
            "step": 0.25,
            "label": "Lapsing rate (× scenario)",
        },
        "leader_cue": {
            "type": "SliderFloat",
            "value": 1.0,
            "min": 0.0,
            "max": 5.0,
            "step": 0.5,
            "label": "Leader's cue (× scenario)",
        },
        "organisers": {
            "type": "SliderFloat",
            "value": 1.0,
            "min": 0.0,
            "max": 3.0,
            "step": 0.25,
            "label": "Faction organisers (× scenario)",
        },
    }


MAX_SEED_TEXT = 100  # characters of seed text kept (a seed needs no more)


def check_inputs(
    values: dict[str, Any], params: dict[str, dict[str, Any]] | None = None
) -> dict[str, Any]:
    """The page's values, checked against what the sidebar offers.

    Args:
        values: input name -> value, as the browser sent them.
        params: the sidebar's inputs (default `make_model_params()`).

    Returns:
        The values, numbers as floats.

    Raises:
        PageInputError: a value the sidebar does not offer (an unknown
            scenario or preset, a number outside its slider's range, an
            unknown input); the message names the input only.
    """
    params = make_model_params() if params is None else params
    checked: dict[str, Any] = {}
    for name, value in values.items():
        spec = params.get(name)
        if spec is None:
            raise PageInputError(f"{name!s:.40}: not an input of this page.")
        label = spec.get("label", name)
        kind = spec["type"]
        if kind == "Select":
            if not isinstance(value, str) or value not in spec["values"]:
                raise PageInputError(f"{label}: not one of the listed choices.")
            checked[name] = value
        elif kind in ("SliderFloat", "SliderInt"):
            low, high = spec["min"], spec["max"]
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not math.isfinite(value)
                or not low <= value <= high
            ):
                raise PageInputError(f"{label}: must be a number from {low:g} to {high:g}.")
            checked[name] = float(value) if kind == "SliderFloat" else int(value)
        elif kind == "InputText":
            if not isinstance(value, str | int) or isinstance(value, bool):
                raise PageInputError(f"{label}: must be text.")
            checked[name] = str(value)[:MAX_SEED_TEXT]
        else:  # a new kind of input must get its own check here
            raise PageInputError(f"{label}: cannot be checked.")
    return checked


def build_scenario(
    scenario_name: str = "default",
    rules_preset: str = FROM_SCENARIO,
    scale: float = DEFAULT_SCALE,
    joining: float = 1.0,
    lapsing: float = 1.0,
    leader_cue: float = 1.0,
    organisers: float = 1.0,
    *,
    folder: Path | None = None,
) -> Scenario:
    """A scenario file with the page's parameters applied.

    The behavioural parameters are multipliers of the scenario's own values,
    so that switching scenario never silently replaces its calibrated numbers.

    Args:
        scenario_name: one of `scenario_names(folder)`.
        rules_preset: a rules preset name, or FROM_SCENARIO to keep the scenario's.
        scale: share of the party's real size to simulate.
        joining: multiplier of `flows.join_rate`.
        lapsing: multiplier of `flows.churn` (capped at 1).
        leader_cue: multiplier of `influence.leader_cue` (capped at 1).
        organisers: multiplier of each faction's `organisers` (capped at 650).
        folder: where the scenario files are (default SCENARIO_DIR).

    Returns:
        The validated Scenario.

    Raises:
        PageInputError: `scenario_name` is not a listed scenario.
        ScenarioError: the scenario file (or a parameter applied to it) is invalid.
    """
    base = load_scenario(scenario_path(scenario_name, folder))
    factions = [
        {**f.model_dump(), "organisers": min(650, round(f.organisers * organisers))}
        for f in base.factions
    ]
    changes: dict[str, Any] = {
        "party": {"scale": float(scale)},
        "flows": {
            "join_rate": min(1.0, base.flows.join_rate * joining),
            "churn": min(1.0, base.flows.churn * lapsing),
        },
        "influence": {"leader_cue": min(1.0, base.influence.leader_cue * leader_cue)},
    }
    if rules_preset != FROM_SCENARIO:
        changes["rules"] = {"preset": rules_preset, "overrides": {}}
    scenario = base.with_changes(**changes)
    # `with_changes` merges fields of a table; factions are a list of tables.
    data = scenario.model_dump()
    data["factions"] = factions
    return type(scenario).model_validate(data)


def parse_seed(text: str | int) -> int:
    """The seed typed into the page: a whole number from 0 to 2**63 - 1, or any text (hashed).

    Text, and numbers outside that range (numpy refuses negative seeds), are
    hashed, so the same text always gives the same run.
    """
    try:
        value = int(str(text).strip())
    except ValueError:  # also for numbers too long to convert
        value = -1
    return value if 0 <= value <= MAX_SEED else zlib.crc32(str(text).encode())


class VizPartyModel(PartyModel):
    """PartyModel built from the page's keyword parameters (Mesa's Reset needs keywords).

    The parameters are checked first (`check_inputs`): a value the sidebar
    does not offer raises `PageInputError`, and so does a listed scenario that
    fails to load; a month that fails raises `PageError`. Their full errors go
    to the server's log, so that the page only ever shows a short message
    (Mesa's Play shows the message of what `step` raises as it is). It stops
    (`running = False`, which disables Step and Play) at the end of the
    scenario's calendar.
    """

    def __init__(
        self,
        scenario_name: str = "default",
        rules_preset: str = FROM_SCENARIO,
        scale: float = DEFAULT_SCALE,
        seed: str | int = 1,
        joining: float = 1.0,
        lapsing: float = 1.0,
        leader_cue: float = 1.0,
        organisers: float = 1.0,
    ):
        """Check the parameters, build the scenario from them and the party from the scenario.

        Args:
            scenario_name: scenario file stem (see `scenario_names`).
            rules_preset: rules preset name, or FROM_SCENARIO.
            scale: share of the real party size.
            seed: root seed (text from the page is accepted, see `parse_seed`).
            joining: multiplier of the joining rate.
            lapsing: multiplier of the lapsing rate.
            leader_cue: multiplier of the leader's cue.
            organisers: multiplier of the factions' organisers.

        Raises:
            PageInputError: a parameter the page does not offer, or a scenario
                that could not be loaded.
        """
        values = check_inputs(
            {
                "scenario_name": scenario_name,
                "rules_preset": rules_preset,
                "scale": scale,
                "seed": seed,
                "joining": joining,
                "lapsing": lapsing,
                "leader_cue": leader_cue,
                "organisers": organisers,
            }
        )
        seed = values.pop("seed")
        try:
            scenario = build_scenario(**values)
        except PageInputError:
            raise
        except Exception as err:  # the message may hold server paths: log it, show less
            log.warning("scenario %r could not be loaded: %s", scenario_name, err)
            raise PageInputError(
                f"Scenario {scenario_name}: could not be loaded (details in the server's log)."
            ) from None
        super().__init__(scenario, rng=parse_seed(seed))
        self.multipliers = {name: values[name] for name in MULTIPLIERS}
        self.horizon = scenario.calendar.months
        self.schedule_event(self._end_of_calendar, at=self.horizon, priority=Priority.LOW)
        # Mesa's step (the month's step and its scheduled events), guarded: the
        # page calls `step`, and shows the message of what it raises.
        self._month = self.step
        self.step = self._guarded_step

    def _guarded_step(self) -> None:
        """One month; a failure is logged in full and raised again as a short PageError."""
        month = int(self.time) + 1
        try:
            self._month()
        except Exception as err:
            log.exception("the model failed in month %d", month)
            raise PageError(
                f"The model failed in month {month} ({type(err).__name__}); "
                "the details are in the server's log."
            ) from None

    def _end_of_calendar(self) -> None:
        self.running = False
