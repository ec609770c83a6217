"""Run the trigger-thresholds experiment and draw its figures.

    python experiments/run_trigger_thresholds.py            # 80 runs; ~2 min on 2 cores
    python experiments/run_trigger_thresholds.py --quick    # 2 seeds, 2 years, tiny party
    python experiments/run_trigger_thresholds.py --workers 2

Results go to results/trigger_thresholds/ (…-quick/ with --quick): the sweep,
its report and figures/reselection.png|pdf, gap.png|pdf and
deselections_by_parliament.png|pdf. Running again resumes.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from model.experiment import load_experiment
from model.plots import band_figure, deselections_figure, outcomes_figure
from model.report import write_report
from model.sweep import run_experiment

HERE = Path(__file__).resolve().parent
QUESTION = ["trigger_ballots_lost", "deselections", "gap_last12", "abs_gap_last12", "gap_mean"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small smoke run")
    parser.add_argument("--workers", type=int, default=1, help="worker processes")
    args = parser.parse_args()

    experiment = load_experiment(HERE / "trigger_thresholds.toml")
    out = HERE.parent / "results" / "trigger_thresholds"
    if args.quick:
        experiment = experiment.with_changes(
            experiment={"replications": 2, "months": 24}, changes={"party.scale": 0.01}
        )
        out = out.with_name(out.name + "-quick")
    result = run_experiment(experiment, out, workers=args.workers, resume=True)
    (out / "figures").mkdir(exist_ok=True)

    summary = result.outcome_summary(QUESTION)
    print(summary.pivot(index="label", columns="outcome", values="median").to_string())
    ok_runs = result.inputs[result.inputs["status"] == "ok"]
    figures = {
        "reselection": outcomes_figure(
            result.outcomes, QUESTION, title="Deselections and the member–PLP gap by rule"
        ),
        "gap": band_figure(
            result.series_long,
            ["member_plp_gap", "plp_median", "ideology_median", "deselections"],
            events=result.common_events(),
            title="The member–PLP gap over ten years",
        ),
        "deselections_by_parliament": deselections_figure(result.events, ok_runs),
    }
    for name, figure in figures.items():
        for fmt in ("png", "pdf"):
            figure.savefig(out / "figures" / f"{name}.{fmt}")
    print(f"report: {write_report(out)}")


if __name__ == "__main__":  # required: worker processes import this file
    main()
