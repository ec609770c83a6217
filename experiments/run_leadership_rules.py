"""Run the leadership-rules experiment and draw its figures.

    python experiments/run_leadership_rules.py              # 64 runs; ~1-2 min on 2 cores
    python experiments/run_leadership_rules.py --quick      # 2 seeds, 2 years, tiny party
    python experiments/run_leadership_rules.py --workers 2

Results go to results/leadership_rules/ (…-quick/ with --quick): the sweep, its
report (report.md with figures) and figures/leadership.png|pdf. Running again
resumes: only runs that are missing are run.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from model.experiment import load_experiment
from model.plots import band_figure, outcomes_figure
from model.report import write_report
from model.sweep import run_experiment

HERE = Path(__file__).resolve().parent
QUESTION = [
    "contests_won_left",
    "contests_won_right",
    "winner_ideology_mean",
    "leader_member_distance",
    "leader_plp_distance",
    "gap_last12",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small smoke run")
    parser.add_argument("--workers", type=int, default=1, help="worker processes")
    args = parser.parse_args()

    experiment = load_experiment(HERE / "leadership_rules.toml")
    out = HERE.parent / "results" / "leadership_rules"
    if args.quick:
        experiment = experiment.with_changes(
            experiment={"replications": 2, "months": 24}, changes={"party.scale": 0.01}
        )
        out = out.with_name(out.name + "-quick")
    result = run_experiment(experiment, out, workers=args.workers, resume=True)
    (out / "figures").mkdir(exist_ok=True)

    summary = result.outcome_summary(QUESTION)
    print(summary.pivot(index="label", columns="outcome", values="median").to_string())
    figures = {
        "leadership": outcomes_figure(
            result.outcomes, QUESTION, title="Who wins, and where the leader ends up"
        ),
        "leader_over_time": band_figure(
            result.series_long,
            ["leader_ideology", "ideology_median", "plp_median", "member_plp_gap"],
            events=result.common_events(),
            title="The leader against members and PLP",
        ),
    }
    for name, figure in figures.items():
        for fmt in ("png", "pdf"):
            figure.savefig(out / "figures" / f"{name}.{fmt}")
    print(f"report: {write_report(out)}")


if __name__ == "__main__":  # required: worker processes import this file
    main()
