"""Anchor the sitting MP's bonus in a full selection on the mandatory-reselection era.

Before trigger ballots, every Labour MP faced a full reselection before each
election: 17 MPs were deselected before 1983 and 7 before 1987 [data:
trigger_ballots_and_reselection.history_pre_trigger.mandatory_reselection_era],
out of a PLP of 269 (1979) and 209 (1983) — 6.3% and 3.3%, in CLPs where the
Bennite left was at its strongest and selections were made by activist-heavy
general committees, not by every member. A membership-wide ballot under open
selection should deselect no more.

This script asks the model the same question at the end of its fit period
(December 2016, inside the fit period: nothing later is used). It runs the
continuous historical scenario to 2016-12, with open selection in force and
one round in that month, for a grid of `reselection.incumbency_bonus`, and
reports the share of sitting MPs deselected. The scenarios' value is the
smallest bonus on the grid whose mean share falls inside the era's range.

    python experiments/incumbency_anchor.py [--scale 0.2] [--seeds 3] [--out PATH]

Writes a CSV (bonus, seed, scale, mps, deselected, share) and prints the summary.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import _checkout  # noqa: F401  (this checkout's `model`, not another's)
import pandas as pd

from model import PartyModel, load_scenario
from model.records.events import TriggerBallot
from model.scenario.bundled import bundled_dir

ERA_SHARES = (7 / 209, 17 / 269)  # 1987, 1983 (PLP sizes: model/data, seats won 1979 and 1983)
FIT_END_MONTHS = 80  # 2010-05 .. 2016-12
GRID = (0.4, 0.6, 0.8, 1.0, 1.2, 1.4)


def deselection_share(bonus: float, seed: int, scale: float) -> tuple[int, int]:
    """(sitting MPs in the round, MPs who lost their full selection)."""
    scenario = load_scenario(bundled_dir() / "labour_2010_2024.toml").with_changes(
        {
            "calendar.months": FIT_END_MONTHS,
            "party.scale": scale,
            "reselection.rounds": ["2016-12"],
            "reselection.completion": {},
            "reselection.incumbency_bonus": bonus,
            "rules.overrides": {
                "reselection": {
                    "method": "open_selection",
                    "trigger_decided_by": "none",
                    "combined_threshold": None,
                }
            },
        }
    )
    party = PartyModel(scenario, rng=seed)
    party.run_for(FIT_END_MONTHS)
    held = [t for t in party.events.of_type(TriggerBallot) if str(t.month) == "2016-12"]
    sitting = len(held)
    lost = sum(t.result == "deselected" for t in held)
    return sitting, lost


def main(argv: list[str] | None = None) -> int:
    """Run the grid and write the CSV."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.2)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--grid", type=float, nargs="*", default=list(GRID))
    parser.add_argument("--out", type=Path, default=Path("results/incumbency_anchor.csv"))
    args = parser.parse_args(argv)
    if args.out.exists():
        print(f"{args.out} exists: choose another --out", file=sys.stderr)
        return 2
    args.out.parent.mkdir(parents=True, exist_ok=True)
    rows = []
    for bonus in args.grid:
        for seed in range(1, args.seeds + 1):
            mps, lost = deselection_share(bonus, seed, args.scale)
            rows.append(
                {
                    "bonus": bonus,
                    "seed": seed,
                    "scale": args.scale,
                    "mps": mps,
                    "deselected": lost,
                    "share": lost / mps if mps else float("nan"),
                }
            )
            print(f"bonus {bonus:.2f} seed {seed}: {lost} of {mps} deselected", flush=True)
    tmp = args.out.with_suffix(".part")  # moved into place only when complete
    pd.DataFrame(rows).to_csv(tmp, index=False)
    tmp.replace(args.out)
    low, high = ERA_SHARES
    print(f"\nmandatory-reselection era: {low:.1%} .. {high:.1%} deselected")
    for bonus in args.grid:
        shares = [r["share"] for r in rows if r["bonus"] == bonus]
        mean = sum(shares) / len(shares)
        mark = "  <- inside" if low <= mean <= high else ""
        print(f"bonus {bonus:.2f}: mean share {mean:.1%}{mark}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
