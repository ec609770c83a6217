"""What decides the membership's peak year: the 2020 pieces switched off one at a time (a probe).

    python experiments/probes/peak_pieces.py --seeds 8 --workers 2

`labour_2015_2024` at full scale with the scenario as it is and with
changes that each remove one piece of the model's 2020 inflow or
2018-2019 plateau: no supporters join as members after the ballot
(`contests.supporter_conversion` 0), nobody joins a contest they cannot
vote in (`flows.voteless_share` 0), the long wave of the sixteenth round
(`flows.novelty_months` 48, `flows.settled_share` 0.25), and all three.
Prints, per variant, the median year-end membership of 2017, 2019 and
2020 and in how many seeds the year-end peak (2015-2024) is 2017. A
diagnosis of the forecast's failure, not a fit: docs/calibration.md,
twenty-second round.
"""

from __future__ import annotations

import argparse
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from model import PartyModel, load_scenario

VARIANTS: dict[str, dict[str, float]] = {
    "as it is": {},
    "no conversions": {"contests.supporter_conversion": 0.0},
    "no voteless joiners": {"flows.voteless_share": 0.0},
    "long wave": {"flows.novelty_months": 48.0, "flows.settled_share": 0.25},
    "all three": {
        "contests.supporter_conversion": 0.0,
        "flows.voteless_share": 0.0,
        "flows.novelty_months": 48.0,
        "flows.settled_share": 0.25,
    },
}
YEARS = range(2015, 2025)


def one(job: tuple[str, int]) -> tuple[str, list[int]]:
    """Year-end full members, 2015-2024, of one variant and seed."""
    name, seed = job
    scenario = load_scenario("scenarios/labour_2015_2024.toml").with_changes(VARIANTS[name])
    party = PartyModel(scenario, rng=seed)
    party.run_for(scenario.calendar.months)
    series = party.series().set_index("date")
    return name, [int(series.loc[f"{y}-12", "members_full"]) for y in YEARS]


def main() -> None:
    """Run every variant on the same seeds and print the year-ends."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    jobs = [(name, seed) for name in VARIANTS for seed in range(1, args.seeds + 1)]
    with ProcessPoolExecutor(args.workers) as pool:
        runs = list(pool.map(one, jobs))
    print(f"labour_2015_2024, full scale, seeds 1-{args.seeds}: medians (thousands)")
    print(f"{'variant':22s} {'2017':>6s} {'2019':>6s} {'2020':>6s} {'2024':>6s}  peak in 2017")
    for name in VARIANTS:
        ends = np.array([r for n, r in runs if n == name])
        peak = np.array(YEARS)[ends.argmax(axis=1)]
        med = {y: np.median(ends[:, i]) / 1000 for i, y in enumerate(YEARS)}
        print(
            f"{name:22s} {med[2017]:6.0f} {med[2019]:6.0f} {med[2020]:6.0f} {med[2024]:6.0f}"
            f"  {int((peak == 2017).sum())} of {len(peak)}"
        )


if __name__ == "__main__":
    main()
