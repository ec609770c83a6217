"""The month is explicit: stages run in their declared rank, the same in every month of every year."""

from __future__ import annotations

from model.party import PartyModel
from tests.conftest import small_scenario

# The order events must keep within a month (docs/ODD.md, generated from PartyModel.plan()).
ORDER = [
    "agm",
    "general_election",
    "trigger_ballot",
    "retirement",
    "conference_vote",
    "union_gs_election",
    "leadership_contest",
]


def _month_orders(party: PartyModel) -> dict[str, list[str]]:
    """Per month, the event types in the order they were recorded (consecutive repeats folded)."""
    orders: dict[str, list[str]] = {}
    for event in party.events:
        seen = orders.setdefault(event.month, [])
        if event.type in ORDER and (not seen or seen[-1] != event.type):
            seen.append(event.type)
    return orders


def test_events_in_one_month_follow_the_plan_in_every_year() -> None:
    # Elections, trigger rounds and retirements fall in the same calendar month
    # as AGMs (and each other) in three successive years: with Mesa ordering
    # same-time events by id, the recurring AGMs ran before the election in
    # the first year and after it in later years.
    scenario = small_scenario(
        calendar={"months": 38},
        elections={"dates": ["2016-12", "2017-12", "2018-12"]},
        reselection={"rounds": ["2016-12", "2017-12", "2018-12"], "before_each_election": None},
        conference={"month": 12},
    )
    party = PartyModel(scenario, rng=3)
    party.run_for(38)
    orders = _month_orders(party)
    december = [orders[m] for m in ("2016-12", "2017-12", "2018-12")]
    for seen in december:
        assert "agm" in seen and "general_election" in seen and "trigger_ballot" in seen
        ranks = [ORDER.index(kind) for kind in seen]
        assert ranks == sorted(ranks), seen
    # The same types in the same order every year (whatever happened in between).
    shared = [
        [k for k in seen if k in ("agm", "general_election", "trigger_ballot")] for seen in december
    ]
    assert shared[0] == shared[1] == shared[2]


def test_the_plan_is_generated_from_the_institutions_and_lists_every_stage() -> None:
    party = PartyModel(small_scenario(), rng=1)
    plan = party.plan()
    for words in (
        "influence",
        "joining (from pools of sympathisers",
        "organising",
        "MPs facing a round",
        "national poll",
        "AGMs",
        "general elections",
        "trigger-ballot rounds",
        "retirements",
        "conference",
        "general-secretary",
        "leadership contests",
        "data collection",
    ):
        assert words in plan, words
    events = [st for st in party.stages() if not st.monthly]
    assert [st.rank for st in events] == sorted(st.rank for st in events)
