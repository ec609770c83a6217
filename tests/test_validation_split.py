"""The time split: declared once, every target's role, and enforced in the calibration.

The calibration must never simulate past December 2019 and never read a
forecast (or built-in) target. `test_calibration_reads_only_fit_targets`
instruments one real calibration evaluation (tiny scale) and checks both.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import pytest

from model.calendar import Month
from model.validation import calibrate as calibrate_module
from model.validation import runner as runner_module
from model.validation.catalogue import TARGETS, fit_targets, target
from model.validation.scenarios import load_validation_scenarios
from model.validation.split import SPLIT, FitView, ForecastLeakError

LONG = "labour_2010_2024"


@pytest.fixture(scope="module")
def scenarios() -> dict[str, Any]:
    return load_validation_scenarios()  # the historical scenario, the baselines and the rest


def test_the_split_is_december_2019() -> None:
    assert SPLIT.period_of("2019-12") == "fit"
    assert SPLIT.period_of("2020-01") == "forecast"
    assert SPLIT.period_of("2010-09") == "fit" and SPLIT.period_of("2024-12") == "forecast"


def test_truncate_cuts_at_the_split(scenarios: dict[str, Any]) -> None:
    long = SPLIT.truncate(scenarios[LONG])
    # May 2010 .. December 2019 inclusive is 116 months.
    assert long.calendar.months == 116
    last = Month.parse(long.calendar.start).plus(long.calendar.months - 1)
    assert str(last) == "2019-12"
    assert SPLIT.truncate(scenarios["labour_2010"]).calendar.months == 8  # already before
    with pytest.raises(ForecastLeakError):
        SPLIT.check_truncated(scenarios[LONG])
    later = load_validation_scenarios()["counterfactual_2021_college"]  # starts October 2021
    with pytest.raises(ForecastLeakError, match="after the calibration split"):
        SPLIT.truncate(later)


def test_roles_follow_the_split_and_what_the_scenario_imposes(scenarios: dict[str, Any]) -> None:
    roles = {t.key: t.role(scenarios.get(t.scenario))[0] for t in TARGETS}
    built_in = {k for k, r in roles.items() if r == "built-in"}
    assert built_in == {
        "2010_mps_diane_abbott",
        "2015_mps_jeremy_corbyn",
        "2015_votes_affiliated_supporters",
        "plp_2017",
        "plp_2019",
        "plp_2024",
    }
    for key, role in roles.items():
        if key in built_in:
            continue
        year = int(target(key).month[:4])
        assert role == ("fit" if year <= 2019 else "forecast"), key
    # Issue 14's forecast checks are all there: nothing from 2020 on is fitted.
    forecast = {k for k, r in roles.items() if r == "forecast"}
    assert {f"members_{y}" for y in range(2020, 2025)} <= forecast
    assert {"2020_winner", "2020_r1_keir_starmer", "conference_2021_pct_for"} <= forecast
    assert {"nec_clp_left_2020", "nec_clp_left_2022"} <= forecast
    # And the fit list: the three contests, membership to 2019 (its peak and
    # the years after it), Momentum, the 2019 trigger round, nominations.
    fit = {k for k, r in roles.items() if r == "fit"}
    assert {"2010_r1_ed_miliband", "2015_r1_jeremy_corbyn", "2016_r1_jeremy_corbyn"} <= fit
    assert {"members_2010", "members_2015", "members_2017", "members_2019"} <= fit
    assert {"2015_clps_jeremy_corbyn", "trigger_2019_triggered", "momentum_2018-04"} <= fit


def test_a_row_stops_being_built_in_when_the_scenario_stops_imposing_it(
    scenarios: dict[str, Any],
) -> None:
    long = scenarios[LONG]
    free = long.with_changes(elections={"historical_seats": {}})
    assert target("plp_2019").role(long)[0] == "built-in"
    assert target("plp_2019").role(free)[0] == "fit"
    assert target("plp_2024").role(free)[0] == "forecast"
    # The 2010-2024 run lets conference decide; forcing every proposal makes the rows built in.
    from types import SimpleNamespace

    forced = SimpleNamespace(conference=SimpleNamespace(balance=-1.0))  # as the old 2015 file
    for key, period in (
        ("conference_2021_pct_for", "forecast"),
        ("conference_2018_trigger_clps_for", "fit"),
        ("agenda_2018_pct_for", "fit"),
    ):
        assert target(key).role(long)[0] == period
        assert target(key).role(forced)[0] == "built-in"
    role, reason = target("plp_2017").role(long)
    assert "historical_seats" in reason


def test_fit_view_refuses_forecast_and_records_reads() -> None:
    view = FitView({"members_2019": 5.0, "members_2020": 6.0}, allowed=["members_2019"])
    assert view["members_2019"] == 5.0
    with pytest.raises(ForecastLeakError, match="members_2020"):
        view["members_2020"]
    assert view.reads == ["members_2019"]
    assert list(view) == ["members_2019"] and len(view) == 1


def test_fit_targets_are_fit_and_modelled(scenarios: dict[str, Any]) -> None:
    cut = {LONG: SPLIT.truncate(scenarios[LONG])}
    chosen = fit_targets(cut)
    assert chosen and all(t.period == "fit" and t.modelled() for t in chosen)
    assert not any(t.key.startswith("2020") or t.key == "members_2020" for t in chosen)


def test_calibration_reads_only_fit_targets(monkeypatch: pytest.MonkeyPatch) -> None:
    simulated: list[tuple[str, int]] = []
    computed: list[str] = []

    import model.study.run as study_run

    real_simulate = study_run.simulate

    def spy_simulate(scenario: Any, seed: int, **kwargs: Any) -> Any:
        simulated.append((scenario.calendar.start, scenario.calendar.months))
        return real_simulate(scenario, seed, **kwargs)

    real_compute = runner_module.compute_measures

    def spy_compute(run: Any, measures: Any, keys: Any = None) -> Any:
        computed.extend(keys or measures)
        return real_compute(run, measures, keys)

    monkeypatch.setattr(study_run, "simulate", spy_simulate)
    monkeypatch.setattr(runner_module, "compute_measures", spy_compute)

    problem = calibrate_module.build_problem(scale=0.01, months=8)
    theta = {p.name: float(p.prior.from_unit(__import__("numpy").array([0.5]))[0])
             for p in problem.table.calibrated}  # fmt: skip
    stats = problem.simulate(theta)

    # The calibration scenario ran, and not past the split.
    assert len(simulated) == 1
    for start, months in simulated:
        assert Month.parse(start).plus(months - 1) <= SPLIT.month
    fit_keys = {t.key for t in TARGETS if t.period == "fit"}
    assert computed and set(computed) <= fit_keys
    assert problem.reads and set(problem.reads) <= fit_keys
    assert set(stats) == {t.key for t in problem.targets}
    assert all(math.isfinite(v) for v in stats.values())

    # A forecast target slipped into the problem is refused when read.
    leak = replace(problem, targets=[*problem.targets, target("members_2020")], reads=[])
    with pytest.raises(ForecastLeakError, match="members_2020"):
        leak.simulate(theta)
