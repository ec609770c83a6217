"""The road to conference (model.mechanisms.agenda): proceed, amend, defer, withdraw, bundle."""

from __future__ import annotations

from model.mechanisms.agenda import Forecast, Part, bundle, decide, merged, split_parts

COLLEGE = Part("college of thirds", {"leadership.electorate": "college"})
THRESHOLD = Part("20% of MPs", {"leadership.plp_threshold_vacancy": "20%"})
SUPPORTERS = Part("no registered supporters", {"leadership.registered_supporters": False})


def forecast_without(blocker: str, share_if_blocked: float = 0.4, needs_time: bool = True):
    """A forecast: passes at 55% unless the blocker is in; the blocker needs time."""

    def forecast(parts, consulted):
        names = {p.name for p in parts}
        if blocker in names and not consulted:
            return Forecast(share_if_blocked, False, needs_time=("Unite",) if needs_time else ())
        return Forecast(0.55 + 0.01 * len(names), True)

    return forecast


def test_proceeds_when_the_forecast_passes():
    decision = decide([THRESHOLD], forecast_without("college of thirds"), lambda p: 1.0)
    assert decision.action == "proceed" and decision.kept == (THRESHOLD,) and not decision.dropped


def test_drops_the_part_that_sinks_it():
    # 2021: the college of thirds dropped, the rest goes on.
    decision = decide(
        [COLLEGE, THRESHOLD, SUPPORTERS], forecast_without("college of thirds"), lambda p: 1.0
    )
    assert decision.action == "amend"
    assert decision.dropped == (COLLEGE,)
    assert decision.kept == (THRESHOLD, SUPPORTERS)
    assert decision.first.share_for == 0.4 and decision.final.passes
    assert decision.to_dict()["dropped"] == ["college of thirds"]


def test_a_proposal_can_be_withdrawn():
    never = lambda parts, consulted: Forecast(0.3, False)  # noqa: E731
    decision = decide([COLLEGE, THRESHOLD], never, lambda p: 1.0)
    assert decision.action == "withdraw" and decision.kept == ()
    # A remainder worth nothing to the proposer is not moved either.
    worthless = lambda parts: 1.0 if COLLEGE in parts else -1.0  # noqa: E731
    decision = decide([COLLEGE, THRESHOLD], forecast_without("college of thirds"), worthless)
    assert decision.action == "withdraw"


def test_defers_when_only_time_stands_in_the_way_and_the_proposer_allows_it():
    only_college = [COLLEGE]
    decision = decide(
        only_college, forecast_without("college of thirds"), lambda p: 1.0, allow_defer=True
    )
    assert decision.action == "defer" and decision.kept == (COLLEGE,)
    refused = decide(
        only_college, forecast_without("college of thirds"), lambda p: 1.0, allow_defer=False
    )
    assert refused.action == "withdraw"
    no_time_issue = decide(
        only_college,
        forecast_without("college of thirds", needs_time=False),
        lambda p: 1.0,
        allow_defer=True,
    )
    assert no_time_issue.action == "withdraw"


def test_a_failing_proposal_rides_with_a_passing_one():
    def forecast(parts, consulted):
        names = {p.name for p in parts}
        if names == {"college of thirds"}:
            return Forecast(0.45, False)
        return Forecast(0.6 if "20% of MPs" in names else 0.4, "20% of MPs" in names)

    bundles = bundle([[COLLEGE]], [[THRESHOLD], [SUPPORTERS]], forecast)
    assert [(i, j) for i, j, _ in bundles] == [(0, 0)]
    assert bundles[0][2].passes


def test_split_parts_groups_changes_by_prefix():
    changes = {
        "leadership.electorate": "college",
        "leadership.college_sections": {"mps_meps": "1/3"},
        "leadership.plp_threshold_vacancy": "20%",
        "reselection.method": "weighted_college",
        "leadership.count_meps": False,
    }
    parts = split_parts(
        changes,
        {
            "college": ["leadership.electorate", "leadership.college_sections"],
            "trigger": ["reselection"],
            "empty": ["nec"],
        },
        rest="the rest",
    )
    assert [p.name for p in parts] == ["college", "trigger", "the rest"]
    assert set(parts[2].changes) == {"leadership.plp_threshold_vacancy", "leadership.count_meps"}
    assert merged(parts) == changes
