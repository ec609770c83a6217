"""The page's event feed (model/app/feed.py), built from typed event records."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, ClassVar

import pytest

from model.app import feed
from model.app import viz_model as vm
from model.records.events import (
    EVENT_TYPES,
    Agm,
    ChallengeLaunched,
    ConferenceVote,
    Event,
    GeneralElection,
    LeaderResigns,
    LeadershipContest,
    Retirement,
    RuleChange,
    Selection,
    TriggerBallot,
    UnionGsElection,
)
from tests.factories import make_event


def _round(number: int, totals: dict[str, float], **fields: Any) -> dict[str, Any]:
    """A count's round as `RoundRecord.to_dict()` writes it (the fields the feed reads)."""
    return {
        "round": number,
        "totals_pct": totals,
        "totals": {k: str(v) for k, v in totals.items()},
        "majority": None,
        "eliminated": None,
        "reason": None,
        **fields,
    }


STARMER_ROUNDS = [
    _round(
        1,
        {"Starmer": 48.0, "Long-Bailey": 27.6, "Nandy": 16.2, "Thornberry": 8.2},
        eliminated="Thornberry",
        reason="lowest total",
    ),
    _round(2, {"Starmer": 56.2, "Long-Bailey": 27.6, "Nandy": 16.2}, majority="Starmer"),
]


def contest(**fields: Any) -> LeadershipContest:
    base: dict[str, Any] = {
        "decided_by": "ballot",
        "kind": "vacancy",
        "outcome": "ballot",
        "electorate_rule": "omov",
        "winner": "Starmer",
        "winner_faction": "soft left",
        "winner_ideology": -0.1,
        "previous_leader": "Corbyn",
        "on_ballot": ["Starmer", "Long-Bailey", "Nandy", "Thornberry"],
        "nominations": {"candidates": [{"name": "Starmer"}] * 4},
        "count": {"winner": "Starmer", "rounds": STARMER_ROUNDS},
        "ballots": {"rankings": [[0, 1]] * 50, "counts": [1] * 50},
    }
    return make_event(LeadershipContest, "2020-04", **{**base, **fields})


def trigger(i: int, result: str, month: str = "2019-09", **fields: Any) -> TriggerBallot:
    full = result in ("deselected", "reselected in full selection")
    return make_event(
        TriggerBallot,
        month,
        mp=f"MP {i:03d}",
        clp=i,
        mp_faction="Momentum" if i % 2 else "unaligned",
        rule="labour_2018",
        outcome={"full_selection": full, "reason": "3/5 branches for a full selection"},
        result=result,
        **fields,
    )


# --- leadership contests ----------------------------------------------------------------


def test_a_contest_names_its_kind_winner_rounds_and_eliminations() -> None:
    heading, details = feed.describe_event(contest())
    assert heading == "2020-04 · leadership contest (vacancy, OMOV): Starmer wins"
    assert details[:3] == [
        "R1: Starmer 48.0% · Long-Bailey 27.6% · Nandy 16.2% · Thornberry 8.2% (Thornberry out)",
        "R2: Starmer 56.2% · Long-Bailey 27.6% · Nandy 16.2% (Starmer wins)",
        "eliminated: Thornberry",
    ]
    assert details[3] == "new leader: Starmer (soft left, -0.10); before: Corbyn"
    assert not any("rankings" in line or "candidates" in line for line in details)


def test_contests_without_a_ballot_and_ties_broken_by_lot() -> None:
    unopposed = contest(
        outcome="elected unopposed", count=None, ballots=None, on_ballot=["Brown"], winner="Brown"
    )
    heading, details = feed.describe_event(unopposed)
    assert heading == "2020-04 · leadership contest (vacancy, OMOV): Brown elected unopposed"
    assert "nominated: Brown" in details

    failed = contest(
        kind="challenge",
        outcome="challenge failed at nominations",
        count=None,
        winner=None,
        winner_faction=None,
        winner_ideology=None,
        decided_by="rule",
    )
    heading, details = feed.describe_event(failed)
    assert heading == (
        "2020-04 · leadership contest (challenge, OMOV): challenge failed at nominations, "
        "Corbyn stays"
    )
    assert not any(line.startswith("new leader") for line in details)

    tie = _round(1, {"A": 40.0, "B": 30.0, "C": 30.0}, eliminated="C", reason="tie broken by lot")
    assert feed.describe_round(tie) == "R1: A 40.0% · B 30.0% · C 30.0% (C out, tie broken by lot)"
    college = contest(electorate_rule="college")
    assert "(vacancy, college)" in feed.describe_event(college).heading


# --- reselection --------------------------------------------------------------------------


def test_a_trigger_ballot_round_is_one_entry_naming_the_deselected() -> None:
    results = ["reselected automatically"] * 6 + ["reselected in full selection", "deselected"]
    events = [trigger(i, r) for i, r in enumerate(results)]
    events.append(make_event(Retirement, "2019-09", mp="MP 100", clp=100))
    entries = feed.feed_entries(events)
    assert [h for h, _ in entries] == [
        "2019-09 · MP 100 stands down (CLP 100)",
        "2019-09 · trigger ballots: 8 MPs, 2 full selections, 1 deselected",
    ]
    assert entries[1].details == [
        "reselected automatically 6 · reselected in full selection 1 · deselected 1",
        "rule: labour_2018",
        "deselected: MP 007 (Momentum, CLP 7)",
    ]
    # One ballot alone is still a round of one.
    (single,) = feed.feed_entries([trigger(3, "reselected automatically", "2023-01")])
    assert single.heading == "2023-01 · trigger ballots: 1 MP, 0 full selections, 0 deselected"


def test_many_deselections_are_counted_not_all_named() -> None:
    events = [trigger(i, "deselected") for i in range(40)]
    (entry,) = feed.feed_entries(events)
    named = [d for d in entry.details if d.startswith("deselected: ")]
    assert len(named) == feed.NAMED
    assert entry.details[-1] == f"… and {40 - feed.NAMED} more deselected"
    assert len(entry.details) <= feed.MAX_DETAILS


def test_selections_alone_and_many_in_a_month() -> None:
    count = {"winner": "Jo", "rounds": [_round(1, {"Jo": 60.0, "Al": 40.0}, majority="Jo")]}
    one = make_event(
        Selection,
        "2018-09",
        clp=12,
        reason="retirement",
        count=count,
        winner="Jo",
        winner_faction="Momentum",
    )
    assert feed.describe_event(one) == (
        "2018-09 · selection in CLP 12 (retirement): Jo (Momentum)",
        ["R1: Jo 60.0% · Al 40.0% (Jo wins)"],
    )
    alone = make_event(Selection, "2018-09", clp=3, reason="retirement", winner="Bo", count=None)
    assert feed.describe_event(alone).details == ["one candidate stood"]
    nobody = make_event(Selection, "2018-09", clp=4, reason="retirement", winner=None)
    assert feed.describe_event(nobody).heading.endswith(": nobody stood")

    gained = [
        make_event(
            Selection,
            "2021-10",
            clp=i,
            reason="seat gained",
            winner=f"W{i}",
            winner_faction="Momentum" if i < 3 else "unaligned",
            count=count if i % 2 else None,
        )
        for i in range(8)
    ]
    (entry,) = feed.feed_entries(gained)
    assert entry == (
        "2021-10 · 8 selections",
        [
            "seats open after: seat gained 8",
            "won by: unaligned 5 · Momentum 3",
            "contested: 4; one candidate: 4",
        ],
    )


def test_retirements_fold_when_many() -> None:
    events = [make_event(Retirement, "2017-09", mp=f"MP {i}", clp=i) for i in range(9)]
    (entry,) = feed.feed_entries(events)
    assert entry.heading == "2017-09 · 9 MPs stand down"
    assert entry.details == [
        "MP 0 (CLP 0), MP 1 (CLP 1), MP 2 (CLP 2), MP 3 (CLP 3), MP 4 (CLP 4) … and 4 more"
    ]


# --- national politics, conference, unions, the leader ---------------------------------


def test_general_election_conference_rules_unions_and_the_leader() -> None:
    election = make_event(
        GeneralElection,
        "2017-06",
        leader="Corbyn",
        leader_ideology=-0.8,
        mode="computed",
        vote_share=0.4,
        seats=262,
        seats_before=232,
        total_seats=650,
        majority_seats=326,
        won=False,
        seats_lost=6,
        seats_gained=36,
    )
    assert feed.describe_event(election) == (
        "2017-06 · general election: 262 of 650 seats, no majority (326 needed)",
        ["seats 232 → 262 (+36 gained, −6 lost)", "vote share: 40.0%", "leader: Corbyn (-0.80)"],
    )
    historical = make_event(GeneralElection, "1997-05", vote_share=None, won=True, seats=418)
    heading, details = feed.describe_event(historical)
    assert "418 of 0 seats, won a majority" in heading
    assert "vote share: not modelled (historical seats)" in details

    vote = make_event(
        ConferenceVote,
        "2018-09",
        title="Lower the nomination threshold",
        proposer="Momentum",
        passes=False,
        share_for=0.4123,
        majority_required="2/3",
        blocs={"affiliates": {"share_for": 0.3}, "clps": {"share_for": 0.52}},
    )
    assert feed.describe_event(vote) == (
        "2018-09 · conference vote: Lower the nomination threshold: fell, 41.2% for",
        [
            "proposed by Momentum; needs more than 66.67%",
            "for, by bloc: affiliates 30.0% · CLPs 52.0%",
        ],
    )

    change = make_event(
        RuleChange,
        "2018-09",
        proposals=["Open selection"],
        changes={"reselection.method": {"before": "trigger", "after": "open_selection"}},
        rules_before="OMOV / trigger",
        rules_after="OMOV / open selection",
    )
    assert feed.describe_event(change) == (
        "2018-09 · rule change: 1 proposal adopted",
        [
            "adopted: Open selection",
            "rules before: OMOV / trigger",
            "rules now: OMOV / open selection",
            "reselection.method: trigger → open_selection",
        ],
    )
    # As the model writes it today: the new value of each changed field.
    flat = make_event(RuleChange, "2018-09", changes={"leadership.fee": 3})
    assert "leadership.fee: 3" in feed.describe_event(flat).details

    union = make_event(
        UnionGsElection,
        "2016-10",
        union="Unite",
        previous=-0.2,
        winner=-0.5,
        moved=-0.3,
        continuity_won=False,
        winner_share=0.55,
        members_mean=-0.1,
        members_sd=0.4,
    )
    assert feed.describe_event(union) == (
        "2016-10 · Unite general secretary: challenger won (55.0% of votes)",
        ["leadership -0.20 → -0.50 (moved -0.30)", "members: mean -0.10, sd 0.40"],
    )

    resigns = make_event(
        LeaderResigns, "2019-12", leader="Corbyn", reason="general election defeat"
    )
    assert feed.describe_event(resigns) == (
        "2019-12 · Corbyn resigns as leader (general election defeat)",
        [],
    )
    challenge = make_event(ChallengeLaunched, "2016-06", shock="poll slump", share_of_mps_far=0.8)
    assert feed.describe_event(challenge) == (
        "2016-06 · challenge to the leader launched after poll slump",
        ["MPs far from the leader: 80.0%"],
    )


# --- AGMs, order, limits, unknown types ------------------------------------------------


def agm(month: str, clp: int, before: str = "x", after: str = "x") -> Agm:
    return make_event(Agm, month, clp=clp, control_before=before, control_after=after)


def test_only_the_latest_months_agms_are_shown_folded() -> None:
    events = [agm("2018-01", 1, "x", "y"), contest(), agm("2020-05", 1, "x", "y")]
    events += [agm("2020-05", i) for i in range(2, 6)]
    entries = feed.feed_entries(events)
    assert [h for h, _ in entries] == [
        "2020-05 · 5 CLP AGMs, 1 changed control",
        "2020-04 · leadership contest (vacancy, OMOV): Starmer wins",
    ]
    assert entries[0].details == ["CLP 1: x → y"]
    many = [agm("2020-06", i, "x", "y") for i in range(10)]
    assert feed.feed_entries(many)[0].details[-1] == "… and 7 more"


def test_the_feed_is_newest_first_and_limited() -> None:
    months = [f"20{y:02d}-{m:02d}" for y in range(10, 13) for m in range(1, 13)]
    events: list[Event] = []
    for month in months:
        events.append(agm(month, 1))
        events.append(make_event(LeaderResigns, month, leader=f"L{month}", reason="lost seat"))
    entries = feed.feed_entries(events, limit=5)
    assert [e.heading[:7] for e in entries] == ["2012-12"] * 2 + ["2012-11", "2012-10", "2012-09"]
    assert entries[1].heading.endswith("1 CLP AGMs, 0 changed control")  # came first
    assert feed.feed_entries([]) == []
    assert feed.feed_entries(iter(events), limit=5) == entries  # any iterable


@dataclass(frozen=True, kw_only=True)
class NewKindOfThing(Event):
    """An event type the page has never heard of."""

    type: ClassVar[str] = "new_kind_of_thing"
    decisions: ClassVar[tuple[str, ...]] = ("meeting",)

    decided_by: str = "meeting"
    level: int
    tags: list[str]
    payload: dict[str, Any]


def test_an_unknown_event_type_lists_its_fields() -> None:
    odd = NewKindOfThing(month="2019-01", level=3, tags=["x", "y"], payload={"a": 1})
    assert feed.describe_event(odd) == (
        "2019-01 · new kind of thing (by meeting)",
        ["level: 3", "tags: x, y", "payload: a 1"],
    )
    five = [NewKindOfThing(month="2019-02", level=i, tags=[], payload={}) for i in range(5)]
    (entry,) = feed.feed_entries(five)
    assert entry.heading == "2019-02 · new kind of thing ×5"
    assert entry.details[0] == "new kind of thing (by meeting)"


def test_a_describer_that_fails_falls_back_to_the_fields(monkeypatch, caplog) -> None:
    def broken(rec: Event) -> feed.FeedEntry:
        raise KeyError("rounds")

    monkeypatch.setitem(feed.DESCRIBERS, LeaderResigns, broken)
    resigns = make_event(LeaderResigns, "2019-12", leader="Corbyn", reason="lost seat")
    with caplog.at_level(logging.ERROR, logger=feed.__name__):
        entry = feed.describe_event(resigns)
    assert entry == ("2019-12 · leader resigns", ["leader: Corbyn", "reason: lost seat"])
    assert "could not describe a leader_resigns event" in caplog.text


@pytest.mark.parametrize("cls", list(EVENT_TYPES.values()), ids=list(EVENT_TYPES))
def test_every_event_type_has_a_describer_that_copes_with_neutral_values(cls, caplog) -> None:
    event = make_event(cls, "2020-01")
    with caplog.at_level(logging.ERROR, logger=feed.__name__):
        heading, details = feed.describe_event(event)
        (entry,) = feed.feed_entries([event] * 5)
    assert cls in feed.DESCRIBERS
    assert heading.startswith("2020-01 · ") and entry.heading.startswith("2020-01 · ")
    assert len(details) <= feed.MAX_DETAILS and len(entry.details) <= feed.MAX_DETAILS
    assert caplog.text == ""  # no describer fell back


def test_every_event_of_a_whole_run_is_described(caplog) -> None:
    """A ten-year run at small scale: real records of every kind the model emits."""
    model = vm.VizPartyModel(scale=0.005)
    model.run_for(model.horizon)
    events = list(model.events)
    kinds = {type(e) for e in events}
    assert {Agm, TriggerBallot, Selection, ConferenceVote, LeadershipContest} <= kinds
    with caplog.at_level(logging.ERROR, logger=feed.__name__):
        for event in events:
            if not isinstance(event, Agm):
                feed.describe_event(event)
        for month in sorted({e.month for e in events}):
            feed.feed_entries([e for e in events if e.month <= month])
    assert caplog.text == ""
    for rec in (e for e in events if isinstance(e, LeadershipContest) and e.balloted):
        lines = feed.describe_event(rec).details
        assert [line.split(":")[0] for line in lines[: len(rec.rounds)]] == [
            f"R{r['round']}" for r in rec.rounds
        ]
