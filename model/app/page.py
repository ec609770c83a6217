"""The web page: a Mesa SolaraViz view of the party, month by month.

Start it with `factions viz` (or `solara run model/app.py`). The sidebar
holds Mesa's Step / Play / Reset controls and the model parameters (a
scenario file, a rules preset, the scale and a few behavioural multipliers);
Reset rebuilds the model from them. The main area has four panels:

* members' ideology against the PLP's (histograms; the leader marked);
* the CLP control map (650 tiles coloured by the controlling faction);
* time series (full members, the member–PLP gap, CLPs per faction);
* the month, the rules and an event feed (AGMs, contests with their rounds,
  trigger ballots, conference votes; unknown event types shown generically).

The figures come from `model.analysis.figures`, so `factions report` draws the same
pictures. Each panel caches its picture on what it shows (the model and its
month; for the map, the control of every CLP), so a re-render that changed
nothing redraws nothing; Mesa's "Render Interval" slider sets how many months
one Step (or one Play tick) runs between redraws.
"""

from __future__ import annotations

import io
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import reacton.ipywidgets as rw
import solara
from matplotlib.figure import Figure
from mesa.time import Priority
from mesa.visualization import SolaraViz
from mesa.visualization.utils import update_counter

from model.analysis import figures as plots
from model.party import PartyModel
from model.records.events import Event
from model.rules.schema import preset_names
from model.scenario.schema import Scenario, load_scenario

SCENARIO_DIR = Path(__file__).resolve().parents[2] / "scenarios"
FROM_SCENARIO = "as in the scenario"
DEFAULT_SCALE = 0.02  # ~11,000 members: a step plus a redraw stays well under a second
FEED_LENGTH = 12  # entries in the event feed
# Fields of a contest round worth showing, best first (see counting.RoundRecord.to_dict).
ROUND_KEYS = ("totals_pct", "totals", "shares", "votes")
# Fields that name what an event was about or decided, shown in its heading.
HEADING_KEYS = ("winner", "result", "outcome", "mp", "clp", "motion", "kind")
# Fields worth a tally when many events of one type fall in one month.
GROUP_KEYS = ("result", "outcome", "winner_faction", "reason", "decided_by")
GROUP_ABOVE = 3  # more events than this of one type in a month are folded into one entry
MAX_DETAILS = 8  # detail lines per entry
PANEL_DPI = 100
# Figure sizes (inches at PANEL_DPI) that fit Mesa's grid cells (about 390 px high).
PANEL_SIZES = {"ideology": (5.4, 3.3), "map": (5.4, 3.8), "series": (5.4, 3.8)}
MULTIPLIERS = {
    "joining": "joining",
    "lapsing": "lapsing",
    "leader_cue": "leader's cue",
    "organisers": "organisers",
}


# --- the model the page drives ----------------------------------------------


def scenario_names(folder: Path = SCENARIO_DIR) -> list[str]:
    """The scenario files on offer (file stems of `scenarios/*.toml`), default first."""
    names = sorted(p.stem for p in folder.glob("*.toml"))
    if "default" in names:
        names.remove("default")
        names.insert(0, "default")
    return names


def build_scenario(
    scenario_name: str = "default",
    rules_preset: str = FROM_SCENARIO,
    scale: float = DEFAULT_SCALE,
    joining: float = 1.0,
    lapsing: float = 1.0,
    leader_cue: float = 1.0,
    organisers: float = 1.0,
    *,
    folder: Path = SCENARIO_DIR,
) -> Scenario:
    """A scenario file with the page's parameters applied.

    The behavioural parameters are multipliers of the scenario's own values,
    so that switching scenario never silently replaces its calibrated numbers.

    Args:
        scenario_name: file stem in `folder`.
        rules_preset: a rules preset name, or FROM_SCENARIO to keep the scenario's.
        scale: share of the party's real size to simulate.
        joining: multiplier of `flows.join_rate`.
        lapsing: multiplier of `flows.churn` (capped at 1).
        leader_cue: multiplier of `influence.leader_cue` (capped at 1).
        organisers: multiplier of each faction's `organisers` (capped at 650).
        folder: where the scenario files are.

    Returns:
        The validated Scenario.
    """
    base = load_scenario(folder / f"{scenario_name}.toml")
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
    """The seed typed into the page: a whole number, or any text (hashed, so stable)."""
    try:
        return int(str(text).strip())
    except ValueError:
        return zlib.crc32(str(text).encode())


class VizPartyModel(PartyModel):
    """PartyModel built from the page's keyword parameters (Mesa's Reset needs keywords).

    It stops (`running = False`, which disables Step and Play) at the end of
    the scenario's calendar.
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
        """Build the scenario from the parameters and the party from the scenario.

        Args:
            scenario_name: scenario file stem (see `scenario_names`).
            rules_preset: rules preset name, or FROM_SCENARIO.
            scale: share of the real party size.
            seed: root seed (text from the page is accepted, see `parse_seed`).
            joining: multiplier of the joining rate.
            lapsing: multiplier of the lapsing rate.
            leader_cue: multiplier of the leader's cue.
            organisers: multiplier of the factions' organisers.
        """
        scenario = build_scenario(
            scenario_name, rules_preset, scale, joining, lapsing, leader_cue, organisers
        )
        super().__init__(scenario, rng=parse_seed(seed))
        self.multipliers = {
            "joining": joining,
            "lapsing": lapsing,
            "leader_cue": leader_cue,
            "organisers": organisers,
        }
        self.horizon = scenario.calendar.months
        self.schedule_event(self._end_of_calendar, at=self.horizon, priority=Priority.LOW)

    def _end_of_calendar(self) -> None:
        self.running = False


# --- what the panels show (plain functions, tested without a browser) ---------


def status_lines(model: PartyModel) -> list[str]:
    """The month, the rules and headline figures, one line each."""
    months = int(model.time)
    horizon = getattr(model, "horizon", model.config.calendar.months)
    if months == 0:
        when = f"{model.start} (not yet simulated)"
    else:
        when = f"{model.now} (month {months} of {horizon})"
    m = model.members
    full = int(np.count_nonzero(m.full_members()))
    control = np.bincount(model.clps.control + 1, minlength=len(model.factions) + 1)
    held = ", ".join(f"{f.name} {control[f.index + 1]}" for f in model.factions)
    lines = [
        f"Month: {when}",
        f"Scenario: {model.config.scenario.name}, scale {model.config.party.scale:g}, "
        f"seed {model.seed}",
        f"Rules: {model.rules.label()}",
        f"Leader: {model.leader.name} ({model.leader.ideology:+.2f})",
        f"Full members: {full:,}; PLP: {len(model.sitting_mps)}",
        f"CLPs held: {held}, unaligned {control[0]}",
    ]
    multipliers = getattr(model, "multipliers", None)
    if multipliers:
        lines.append(
            "Multipliers: "
            + ", ".join(f"{MULTIPLIERS.get(k, k)} ×{v:g}" for k, v in multipliers.items())
        )
    return lines


def _number(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.1f}" if abs(value) >= 10 else f"{value:.3g}"
    return str(value)


def _short(value: Any, limit: int = 60) -> str:
    if isinstance(value, Mapping):
        text = ", ".join(f"{k} {_short(v, 20)}" for k, v in value.items())
    elif isinstance(value, list | tuple):
        text = ", ".join(_short(v, 20) for v in value)
    else:
        text = _number(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def describe_round(rnd: Any) -> str:
    """One round of a count on one line: "R1: A 45.0% · B 30.0% · C 25.0% (C out)".

    Uses the round's percentages (`totals_pct`, `totals` or `shares`) when it
    has them, else its `votes`, else lists its fields.
    """
    if not isinstance(rnd, Mapping):
        return _short(rnd, 120)
    label = f"R{rnd.get('round', '?')}"
    key = next((k for k in ROUND_KEYS if isinstance(rnd.get(k), Mapping)), None)
    if key is None:
        rest = {k: v for k, v in rnd.items() if k != "round"}
        return f"{label}: {_short(rest, 120)}"
    values = {name: _as_float(v) for name, v in rnd[key].items()}
    if key == "shares" and all(v <= 1.0 for v in values.values()):
        values = {name: 100 * v for name, v in values.items()}
    unit = "" if key == "votes" else "%"
    spec = ",.0f" if key == "votes" else ".1f"
    ranked = sorted(values.items(), key=lambda kv: -kv[1] if kv[1] == kv[1] else 0.0)
    text = f"{label}: " + " · ".join(f"{name} {v:{spec}}{unit}" for name, v in ranked)
    if rnd.get("eliminated"):
        text += f" ({rnd['eliminated']} out)"
    elif rnd.get("majority"):
        text += f" ({rnd['majority']} wins)"
    return text


def _as_float(value: Any) -> float:
    """A number from an int, float or exact-fraction string ("1531/20"); NaN otherwise."""
    if isinstance(value, Mapping):  # e.g. votes by section: total them
        return float(sum(_as_float(v) for v in value.values()))
    try:
        return float(Fraction(str(value)))
    except (ValueError, ZeroDivisionError):
        return float("nan")


def find_rounds(rec: Mapping[str, Any], depth: int = 3) -> list[Any] | None:
    """The rounds of a count inside a record (`rounds`, `count.rounds`, `selection.count.rounds`)."""
    rounds = rec.get("rounds")
    if isinstance(rounds, list) and rounds:
        return rounds
    if depth > 1:
        for value in rec.values():
            if isinstance(value, Mapping):
                found = find_rounds(value, depth - 1)
                if found:
                    return found
    return None


def _is_scalar(value: Any) -> bool:
    return isinstance(value, str | int | float | bool)


def _detail(key: str, value: Any) -> str | None:
    """A short "key: value" line, or None for bulky values (ballots, nominations, counts)."""
    if value is None or value == [] or value == {}:
        return None
    if _is_scalar(value):
        return f"{key}: {_short(value)}"
    if isinstance(value, Mapping):
        if isinstance(value.get("reason"), str):  # e.g. a trigger ballot's outcome
            return f"{key}: {_short(value['reason'], 90)}"
        if len(value) <= 6 and all(_is_scalar(v) for v in value.values()):
            return f"{key}: {_short(value)}"
        return None
    if isinstance(value, list | tuple) and len(value) <= 8 and all(_is_scalar(v) for v in value):
        return f"{key}: {_short(value)}"
    return None


def describe_event(rec: Mapping[str, Any]) -> tuple[str, list[str]]:
    """A heading and detail lines for one event record of any type.

    Known fields go into the heading; other short fields are listed as
    "key: value" and bulky ones (ballots, nominations) left out, so event
    types added later show up without changes here. A record holding the
    rounds of a count (a contest, a selection) lists one line per round.

    Args:
        rec: the event record ("type", "month" and fields).

    Returns:
        (heading, detail lines).
    """
    kind = str(rec.get("type", "event"))
    skip = {"type", "month", "decided_by"}
    heading = f"{rec.get('month', '?')} · {kind.replace('_', ' ')}"
    if "decided_by" in rec:
        heading += f" (by {rec['decided_by']})"
    for key in HEADING_KEYS:
        if key in rec and _is_scalar(rec[key]):
            heading += f" · {key}: {_short(rec[key], 40)}"
            skip.add(key)
    details = [
        line
        for key, value in rec.items()
        if key not in skip
        for line in [_detail(key, value)]
        if line
    ]
    rounds = find_rounds(rec)
    if rounds:
        details = [describe_round(r) for r in rounds] + details
    return heading, details[:MAX_DETAILS]


def summarise_agms(month: str, records: Sequence[Mapping[str, Any]]) -> tuple[str, list[str]]:
    """One feed entry for a month's AGMs (dozens a month: one line each would drown the feed)."""
    changed = [r for r in records if r.get("control_before") != r.get("control_after")]
    heading = f"{month} · {len(records)} CLP AGMs, {len(changed)} changed control"
    details = [
        f"CLP {r.get('clp')}: {r.get('control_before')} → {r.get('control_after')}"
        for r in changed[:3]
    ]
    if len(changed) > 3:  # the map shows them all; keep room for contests and ballots
        details.append(f"… and {len(changed) - 3} more")
    return heading, details


def summarise_group(
    kind: str, month: str, records: Sequence[Mapping[str, Any]]
) -> tuple[str, list[str]]:
    """One feed entry for many events of one type in one month (e.g. a trigger-ballot round).

    Tallies the first field among GROUP_KEYS that the records have, then
    names the records with an uncommon value (the deselections among
    hundreds of reselections).
    """
    heading = f"{month} · {kind.replace('_', ' ')} ×{len(records)}"
    key = next((k for k in GROUP_KEYS if all(_is_scalar(r.get(k)) for r in records)), None)
    if key is None:
        shown = records[:5]
        details = []
    else:
        tally = Counter(str(r[key]) for r in records)
        details = [f"{key}: " + " · ".join(f"{v} {n}" for v, n in tally.most_common())]
        usual = tally.most_common(1)[0][0]
        shown = [r for r in records if str(r[key]) != usual][:5]
    for rec in shown:
        name = " · ".join(
            f"{k}: {_short(rec[k], 30)}" for k in HEADING_KEYS if k in rec and _is_scalar(rec[k])
        )
        details.append(name or describe_event(rec)[0])
    return heading, details


def feed_entries(
    events: Iterable[Event | Mapping[str, Any]], limit: int = FEED_LENGTH
) -> list[tuple[str, list[str]]]:
    """The latest events, newest first: one entry per event, or per month and type when many.

    AGMs come every month and would push contests and trigger ballots out of
    sight, so only the latest month's AGMs are shown (the CLP map shows the rest).
    """
    groups: dict[tuple[str, str], list[Mapping[str, Any]]] = {}
    for rec in (e.to_dict() if isinstance(e, Event) else e for e in events):
        groups.setdefault((str(rec.get("month", "?")), str(rec.get("type", "event"))), []).append(
            rec
        )
    latest_agms = max((month for month, kind in groups if kind == "agm"), default=None)
    entries: list[tuple[str, list[str]]] = []
    for (month, kind), records in reversed(groups.items()):
        if kind == "agm":
            if month == latest_agms:
                entries.append(summarise_agms(month, records))
        elif len(records) > GROUP_ABOVE:
            entries.append(summarise_group(kind, month, records))
        else:
            entries.extend(describe_event(r) for r in reversed(records))
        if len(entries) >= limit:
            break
    return entries[:limit]


# --- panels --------------------------------------------------------------------


def figure_png(make: Callable[[], Figure]) -> bytes:
    """Draw a figure to PNG bytes (the figures are not pyplot's: nothing to close)."""
    buf = io.BytesIO()
    make().savefig(buf, format="png", dpi=PANEL_DPI)
    return buf.getvalue()


def ideology_png(model: PartyModel) -> bytes:
    """The ideology histograms of the model as it stands."""
    m = model.members
    return figure_png(
        lambda: plots.ideology_histogram_figure(
            m.ideology[m.full_members()],
            [mp.ideology for mp in model.sitting_mps],
            model.leader.ideology,
            leader_name=model.leader.name,
            title=f"Ideology, {model.now}: members and PLP",
            figsize=PANEL_SIZES["ideology"],
        )
    )


def clp_map_png(control: np.ndarray, faction_names: Sequence[str]) -> bytes:
    """The CLP control map for a control array."""
    return figure_png(
        lambda: plots.clp_control_map_figure(control, faction_names, figsize=PANEL_SIZES["map"])
    )


def series_png(model: PartyModel) -> bytes:
    """The time-series panels of the run so far."""
    return figure_png(
        lambda: plots.headline_series_figure(
            model.series(), list(model.events), figsize=PANEL_SIZES["series"]
        )
    )


def PanelImage(png: bytes):
    """A figure scaled down (never up) to fit its grid cell, keeping its shape."""
    return rw.Image(
        value=png,
        format="png",
        layout={"max_width": "100%", "max_height": "380px"},
        _dom_classes=["solara-image", "panel-figure"],
    )


@solara.component
def IdeologyPanel(model: PartyModel):
    """Members' ideology against the PLP's, with the leader marked."""
    update_counter.get()  # re-render after each Step / Play tick
    png = solara.use_memo(lambda: ideology_png(model), [id(model), model.time])
    PanelImage(png)


@solara.component
def ClpMapPanel(model: PartyModel):
    """The 650 CLPs coloured by controlling faction."""
    update_counter.get()
    control = model.clps.control.copy()
    # Keyed on the control itself: most months no CLP changes hands, so no redraw.
    key = (id(model), zlib.crc32(control.tobytes()))
    names = [f.name for f in model.factions]
    png = solara.use_memo(lambda: clp_map_png(control, names), [key])
    PanelImage(png)


@solara.component
def SeriesPanel(model: PartyModel):
    """Membership, the member–PLP gap and CLPs per faction over time."""
    update_counter.get()
    png = solara.use_memo(lambda: series_png(model), [id(model), model.time])
    PanelImage(png)


@solara.component
def StatusAndEventsPanel(model: PartyModel):
    """The month, the rules and the latest events."""
    update_counter.get()
    lines = solara.use_memo(lambda: status_lines(model), [id(model), model.time])
    entries = solara.use_memo(lambda: feed_entries(model.events), [id(model), len(model.events)])
    with solara.Column(
        gap="4px", style={"padding": "8px", "font-size": "13px"}, classes=["status-panel"]
    ):
        with solara.v.Html(tag="div", class_="status"):
            for line in lines:
                label, _, value = line.partition(": ")
                solara.v.Html(
                    tag="div", children=[solara.v.Html(tag="b", children=[label + ": "]), value]
                )
        solara.v.Html(
            tag="div",
            children=["Events (newest first)"],
            style_="font-weight: bold; margin-top: 6px",
        )
        if not entries:
            solara.v.Html(tag="div", children=["none yet"], style_="color: #777")
        with solara.v.Html(
            tag="div", class_="event-feed", style_="overflow-y: auto; max-height: 150px"
        ):
            for heading, details in entries:
                solara.v.Html(tag="div", children=[heading], style_="font-weight: 500")
                if details:
                    with solara.v.Html(tag="ul", style_="margin: 0 0 4px 0; padding-left: 18px"):
                        for line in details:
                            solara.v.Html(tag="li", children=[line], style_="font-size: 12px")


# --- the page -------------------------------------------------------------------


def make_model_params() -> dict[str, dict[str, Any]]:
    """Mesa `model_params`: the inputs shown in the sidebar, read on Reset."""
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


COMPONENTS = [IdeologyPanel, ClpMapPanel, SeriesPanel, StatusAndEventsPanel]

model_params = make_model_params()
TITLE = "Labour factions: members, MPs and CLPs"


@solara.component
def Page():
    """The whole page: Mesa's SolaraViz around a model of this browser session's own.

    The model is made here, not at import, because the server imports this
    file once: a module-level model would be shared by every tab and user.
    """
    model = solara.use_memo(VizPartyModel, [])
    SolaraViz(model, components=COMPONENTS, model_params=model_params, name=TITLE)


page = Page()  # what `solara run model/app.py` serves
