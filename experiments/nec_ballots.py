"""What the NEC's CLP-section ballots say about where the members sit, against the published votes.

Runs ``labour_2010_2024`` (or ``--scenario``) over seeds and reports, for
each CLP-section election, the median over seeds of the right's best
candidate's votes as a share of the left's best, and each slate's share of
the voters' first preferences. The published votes (labour_history.json:
``momentum_and_factions.nec_clp_section_results``): 2016, Ellie Reeves
72,514 against Ann Black 100,999 (72%; 89% against the left's sixth, Peter
Willsman 81,863); the 2020 by-election, Gurinder Singh Josan 57,361 against
Lauren Townsend 56,929 (101%). docs/calibration.md ("What the NEC ballots
say", eleventh round) reads the result.

    python experiments/nec_ballots.py --seeds 6 --scale 1.0 [--workers 2]
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import _checkout  # noqa: F401  (this checkout's `model`, not another's)
import numpy as np

from model import PartyModel, load_scenario
from model.records.events import NecElection
from model.scenario.bundled import bundled_dir

PUBLISHED = {"2016-08": 72514 / 100999, "2020-04": 57361 / 56929}


def one_run(task: dict[str, Any]) -> list[dict[str, Any]]:
    """One seed: per NEC election, the best candidates' votes and the slates' first preferences."""
    scenario = load_scenario(task["scenario"]).with_changes(party={"scale": task["scale"]})
    party = PartyModel(scenario, rng=task["seed"])
    party.run_for(scenario.calendar.months)
    rows = []
    for rec in party.events.of_type(NecElection):
        faction_of = {s["name"]: s["faction"] for s in rec.slates}
        best: dict[str, int] = defaultdict(int)
        for candidate, votes in rec.candidate_votes.items():
            slate = next(s for s in faction_of if candidate.startswith(s))
            best[faction_of[slate]] = max(best[faction_of[slate]], votes)
        total = sum(rec.slate_first.values()) or 1
        rows.append(
            {
                "month": rec.month,
                "left_best": best.get("Momentum", 0),
                "right_best": best.get("Labour to Win", 0),
                **{f"first {k}": 100 * v / total for k, v in rec.slate_first.items()},
            }
        )
    return rows


def main() -> None:
    """Run the seeds and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=6)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--scenario", type=Path, default=bundled_dir() / "labour_2010_2024.toml")
    args = parser.parse_args()
    tasks = [
        {"scenario": str(args.scenario), "scale": args.scale, "seed": seed}
        for seed in range(1, args.seeds + 1)
    ]
    with ProcessPoolExecutor(max_workers=args.workers) as pool:
        runs = list(pool.map(one_run, tasks))
    by_month: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for rows in runs:
        for row in rows:
            by_month[row["month"]].append(row)
    print(f"{args.scenario.name}, {args.seeds} seeds at scale {args.scale:g} (medians)")
    for month, rows in sorted(by_month.items()):
        ratio = [100 * r["right_best"] / r["left_best"] for r in rows if r["left_best"]]
        firsts = sorted({k for r in rows for k in r if k.startswith("first ")})
        shares = ", ".join(
            f"{k.removeprefix('first ')} {np.median([r.get(k, 0.0) for r in rows]):.1f}%"
            for k in firsts
        )
        published = f"  [published {100 * PUBLISHED[month]:.0f}%]" if month in PUBLISHED else ""
        print(
            f"  {month}: right's best / left's best {np.median(ratio):.0f}%{published}; "
            f"first preferences: {shares}"
        )


if __name__ == "__main__":
    main()
