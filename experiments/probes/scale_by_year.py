"""When and through what 0.1 parts from 1.0 in Momentum's CLPs (a probe; docs/calibration.md, nineteenth round).

Usage: python experiments/probes/scale_by_year.py [--seeds N] [--scales A B]
    [--stop influence|conversations --from MONTH] [--set KEY=VALUE ...]

`labour_2015_2024` at two scales (default 0.1 and 1.0), N seeds each
(default 16): the mean
number of CLPs Momentum controls at dates from 2016 to 2024, and a KS test
at the end. `--stop influence --from 2021-01` switches the whole monthly
influence stage off from that month (conversations, faction pull, leader
cue and drift); `--stop conversations` only the bounded-confidence
conversations within CLPs. `--set influence.confidence_bound=0.2` changes a
scenario value at both scales (as `Scenario.with_changes`). The averaged meetings of
`averaged_meetings.patch` are tried by applying it (`git apply`) first.
"""

from __future__ import annotations

import argparse
from concurrent.futures import ProcessPoolExecutor

import numpy as np
from scipy.stats import ks_2samp

from model import PartyModel, load_scenario
from model.calendar import Month
from model.institutions import membership
from model.mechanisms import dynamics

DATES = [
    "2016-12",
    "2017-12",
    "2018-12",
    "2019-12",
    "2020-12",
    "2021-12",
    "2022-12",
    "2023-12",
    "2024-12",
]

_influence = membership.Membership.influence
_pair_within = dynamics.pair_within


def _value(text: str) -> float | bool | str:
    """A `--set` value: true/false, a number where it reads as one, else the text."""
    if text in ("true", "false"):
        return text == "true"
    try:
        return float(text)
    except ValueError:
        return text


def _no_pairs(members, group, rng, groups=None, shuffled=False):
    """`pair_within` with nobody meeting."""
    return members[:0], members[:0]


def _patch(stop: str, start: str) -> None:
    """Switch the influence stage, or its conversations, off from `start` (workers are forked)."""

    def influence(self: membership.Membership) -> None:
        after = self.state.time >= self.state.time_of(Month.parse(start))
        if stop == "influence":
            if not after:
                _influence(self)
            return
        dynamics.pair_within = _no_pairs if after else _pair_within
        _influence(self)

    membership.Membership.influence = influence


def one(job: tuple[float, int, dict[str, float]]) -> tuple[float, list[int]]:
    """Momentum's CLPs at each of DATES in one run."""
    scale, seed, changes = job
    scenario = load_scenario("scenarios/labour_2015_2024.toml").with_changes(
        {**changes, "party.scale": scale}
    )
    party = PartyModel(scenario, rng=seed)
    party.run_for(scenario.calendar.months)
    series = party.series().set_index("date")
    return scale, [int(series.loc[d, "clps_momentum"]) for d in DATES]


def main() -> None:
    """Run both scales and print the year-by-year means."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=16)
    parser.add_argument("--stop", choices=["influence", "conversations"])
    parser.add_argument("--from", dest="start", default="2021-01")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--scales", type=float, nargs=2, default=[0.1, 1.0], metavar=("A", "B"))
    parser.add_argument("--set", nargs="*", default=[], metavar="KEY=VALUE")
    args = parser.parse_args()
    changes = {k: _value(v) for k, v in (item.split("=", 1) for item in args.set)}
    if args.stop:
        _patch(args.stop, args.start)
    scales = tuple(args.scales)
    jobs = [(scale, seed, changes) for seed in range(1, args.seeds + 1) for scale in scales]
    with ProcessPoolExecutor(args.workers) as pool:
        runs = list(pool.map(one, jobs))
    by_scale = {scale: np.array([r for s, r in runs if s == scale]) for scale in scales}
    label = f"{args.stop} off from {args.start}" if args.stop else "the model as it is"
    if changes:
        label += ", " + ", ".join(f"{k} = {v}" for k, v in changes.items())
    print(f"Momentum's CLPs, mean of {args.seeds} seeds ({label})")
    print("date     " + "  ".join(f"{scale:>6}" for scale in scales))
    for i, date in enumerate(DATES):
        print(f"{date}  " + "  ".join(f"{by_scale[scale][:, i].mean():6.1f}" for scale in scales))
    end = [by_scale[scale][:, -1] for scale in scales]
    print(f"end: KS p {ks_2samp(*end).pvalue:.3f}")


if __name__ == "__main__":
    main()
