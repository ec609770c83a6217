"""Run the faction-capacity experiment and draw its figures.

    python experiments/run_faction_capacity.py              # 72 runs; ~1-2 min on 2 cores
    python experiments/run_faction_capacity.py --quick      # 2 seeds, 2 years, tiny party
    python experiments/run_faction_capacity.py --workers 2

Results go to results/faction_capacity/ (…-quick/ with --quick): the sweep, its
report and figures/capacity.png|pdf (CLPs controlled against organisers).
Running again resumes.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from model.experiment import load_experiment
from model.plots import outcome_vs_factor_figure
from model.report import write_report
from model.sweep import run_experiment

HERE = Path(__file__).resolve().parent
FACTOR = "factions.Momentum.organisers"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small smoke run")
    parser.add_argument("--workers", type=int, default=1, help="worker processes")
    args = parser.parse_args()

    experiment = load_experiment(HERE / "faction_capacity.toml")
    out = HERE.parent / "results" / "faction_capacity"
    if args.quick:
        experiment = experiment.with_changes(
            experiment={"replications": 2, "months": 24}, changes={"party.scale": 0.01}
        )
        out = out.with_name(out.name + "-quick")
    result = run_experiment(experiment, out, workers=args.workers, resume=True)
    (out / "figures").mkdir(exist_ok=True)

    clps = [c for c in result.outcomes.columns if c.startswith("final_clps_")]
    table = result.outcomes.merge(result.inputs[["run_id", FACTOR]], on="run_id")
    print(table.groupby(FACTOR)[[*clps, "agm_control_changes"]].median().to_string())
    figure = outcome_vs_factor_figure(
        result.inputs,
        result.outcomes,
        FACTOR,
        [*clps, "mean_clps_momentum", "agm_control_changes"],
        units={c: "CLPs" for c in [*clps, "mean_clps_momentum"]},
    )
    for fmt in ("png", "pdf"):
        figure.savefig(out / "figures" / f"capacity.{fmt}")
    print(f"report: {write_report(out)}")


if __name__ == "__main__":  # required: worker processes import this file
    main()
