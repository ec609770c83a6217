"""Typed event records: every type round-trips through JSON; readers refuse what they do not know."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from model.records.events import EVENT_TYPES, EventError, LeadershipContest, event_from_dict
from model.records.log import EventLog
from model.records.writers import events_jsonl, read_events, write_events
from model.scenario import load_scenario
from model.study.run import simulate
from tests.factories import make_event

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


@pytest.mark.parametrize("kind", sorted(EVENT_TYPES))
def test_every_event_type_round_trips_through_json(kind: str) -> None:
    event = make_event(EVENT_TYPES[kind], "2019-09")
    line = json.dumps(event.to_dict())
    again = event_from_dict(json.loads(line))
    assert again == event and type(again) is type(event)
    assert json.loads(line)["type"] == kind


def test_a_real_run_writes_and_reads_back_the_same_typed_events(tmp_path: Path) -> None:
    scenario = load_scenario(SCENARIOS / "labour_2015_2024.toml")
    scenario = scenario.model_copy(
        update={"party": scenario.party.model_copy(update={"scale": 0.02})}
    )
    result = simulate(scenario, seed=2)
    kinds = {e.type for e in result.events}
    # The historical run exercises most institutions: contests, ballots, conference, elections.
    assert {"agm", "leadership_contest", "trigger_ballot", "general_election"} <= kinds
    path = tmp_path / "events.jsonl"
    write_events(result.events, path)
    assert read_events(path) == result.events
    assert path.read_text() == events_jsonl(read_events(path))  # the same bytes again


def test_optional_fields_are_left_out_of_the_json_when_absent() -> None:
    unopposed = make_event(LeadershipContest, outcome="elected unopposed", decided_by="rule")
    data = unopposed.to_dict()
    assert "count" not in data and "electorate" not in data and not unopposed.balloted
    assert list(data)[:3] == ["type", "month", "decided_by"]


def test_unknown_types_and_fields_are_refused_with_the_file_and_line(tmp_path: Path) -> None:
    with pytest.raises(EventError, match="unknown event type 'coup'"):
        event_from_dict({"type": "coup", "month": "2020-01"})
    with pytest.raises(EventError, match=r"unknown field\(s\) \['colour'\]"):
        event_from_dict({**make_event(EVENT_TYPES["retirement"]).to_dict(), "colour": "red"})
    path = tmp_path / "events.jsonl"
    path.write_text('{"type": "retirement", "month": "2020-01", "mp": "A", "clp": 1}\nnot json\n')
    with pytest.raises(EventError, match="events.jsonl, line 2"):
        read_events(path)


def test_decided_by_must_be_one_the_type_allows() -> None:
    with pytest.raises(EventError, match="decided_by must be one of"):
        make_event(EVENT_TYPES["agm"], decided_by="ballot")


def test_the_log_selects_by_class_or_name() -> None:
    log = EventLog()
    log.record(EVENT_TYPES["retirement"], "2020-01", mp="A", clp=3)
    log.record(EVENT_TYPES["agm"], "2020-01", **{
        "clp": 3, "eligible": 10, "attendees": 2, "votes": {"unaligned": 2}, "places": {"unaligned": 10},
        "targeted_by": [], "control_before": "unaligned", "control_after": "unaligned",
        "tie_broken": False,
    })  # fmt: skip
    assert [e.type for e in log.of_type("agm")] == ["agm"]
    assert log.of_type(EVENT_TYPES["retirement"])[0].clp == 3
    assert log.counts() == {"retirement": 1, "agm": 1}
