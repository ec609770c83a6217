"""THE time split between calibration and forecast, declared once.

The model is calibrated on the past and judged on what came after:

* **fit** (calibrate on 2010–2019): the 2010, 2015 and 2016 contests (results,
  nominations, votes by type), membership to the end of 2019, Momentum's size
  2017–18, the 2019 trigger round, the 2018 NEC CLP-section result;
* **forecast** (2020–2024): the 2020 contest, membership 2020–2024, the
  2021–23 trigger rounds, the 2021 conference, the NEC CLP-section results
  from 2020.

Until 28 November 2026 the split was at the end of 2016. It moved to the
end of 2019 because the fit period then held no month of membership after
its peak: nothing in it could say how fast members leave once the leader
who drew them in no longer does (docs/calibration.md). The forecast keeps
every figure of issue 14's checks that lies after 2019, above all the 2020
contest and the fall in membership after 2020.

A target's period follows from the month its figure describes; its role is
``fit`` or ``forecast`` by that period, or ``built-in`` when the scenario
imposes the outcome (such rows are shown, never scored, never fitted).

The split is enforced by code, not by convention:

1. :meth:`TimeSplit.truncate` cuts every calibration scenario at the split
   month, so a calibration run never simulates a forecast month;
2. the calibration computes only the measures of fit targets, and reads them
   through :class:`FitView`, which raises :class:`ForecastLeakError` for any
   other key (``tests/test_validation_split.py`` instruments it).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Literal

from model.calendar import Month
from model.scenario.schema import Scenario

Period = Literal["fit", "forecast"]
Role = Literal["fit", "forecast", "built-in"]
ROLES: tuple[Role, ...] = ("fit", "forecast", "built-in")


class ForecastLeakError(RuntimeError):
    """The calibration asked for something it must not see (a forecast or built-in target)."""


@dataclass(frozen=True)
class TimeSplit:
    """The calibration/forecast split.

    Attributes:
        last_fit_month: the last month the calibration may simulate or read ("YYYY-MM").
        fit_label: the calibration period, for tables ("2010–2019").
        forecast_label: the forecast period, for tables ("2020–2024").
    """

    last_fit_month: str
    fit_label: str
    forecast_label: str

    @property
    def month(self) -> Month:
        """The last fit month as a Month."""
        return Month.parse(self.last_fit_month)

    def period_of(self, month: str) -> Period:
        """Whether a figure of `month` ("YYYY-MM") belongs to the fit or the forecast period."""
        return "fit" if Month.parse(month) <= self.month else "forecast"

    def period_label(self, period: Period) -> str:
        """The period's readable name."""
        return self.fit_label if period == "fit" else self.forecast_label

    def months_to_split(self, scenario: Scenario) -> int:
        """Months a scenario may run before passing the split (0 if it starts after it)."""
        start = Month.parse(scenario.calendar.start)
        return max(0, min(scenario.calendar.months, start.months_until(self.month) + 1))

    def truncate(self, scenario: Scenario) -> Scenario:
        """The scenario cut so that its last simulated month is at most the split month.

        Raises:
            ForecastLeakError: the scenario starts after the split (it has
                nothing to calibrate on).
        """
        months = self.months_to_split(scenario)
        if months == 0:
            raise ForecastLeakError(
                f"scenario {scenario.scenario.name} starts in {scenario.calendar.start}, after "
                f"the calibration split ({self.last_fit_month}): it cannot be used to calibrate"
            )
        if months == scenario.calendar.months:
            return scenario
        return scenario.with_changes(calendar={"months": months})

    def check_truncated(self, scenario: Scenario) -> None:
        """Raise unless the scenario ends at or before the split month."""
        last = Month.parse(scenario.calendar.start).plus(scenario.calendar.months - 1)
        if last > self.month:
            raise ForecastLeakError(
                f"scenario {scenario.scenario.name} runs to {last}, past the calibration split "
                f"({self.last_fit_month}); calibration runs must be cut with SPLIT.truncate"
            )


SPLIT = TimeSplit(last_fit_month="2019-12", fit_label="2010–2019", forecast_label="2020–2024")
"""The one split used everywhere: calibrate on 2010–2019, forecast 2020–2024."""


class FitView(Mapping[str, float]):
    """One run's measured values as the calibration may see them: fit targets only.

    Every read is recorded in :attr:`reads` (tests check that nothing else was
    asked for); a key that is not a fit target raises ForecastLeakError, even
    if the value happens to be present.

    Args:
        values: the run's measured values (key -> number).
        allowed: the keys of the fit targets.
    """

    def __init__(self, values: Mapping[str, float], allowed: Iterable[str]):
        self._values = dict(values)
        self._allowed = frozenset(allowed)
        self.reads: list[str] = []

    def __getitem__(self, key: str) -> float:
        if key not in self._allowed:
            raise ForecastLeakError(
                f"the calibration asked for {key!r}, which is not a fit target (forecast and "
                f"built-in targets never enter the calibration; split at {SPLIT.last_fit_month})"
            )
        self.reads.append(key)
        return self._values.get(key, float("nan"))

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._allowed))

    def __len__(self) -> int:
        return len(self._allowed)
