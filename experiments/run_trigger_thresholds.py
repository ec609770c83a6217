"""Run the trigger-thresholds experiment and draw its figures.

    python experiments/run_trigger_thresholds.py            # 80 runs; ~2 min on 2 cores
    python experiments/run_trigger_thresholds.py --quick    # 2 seeds, 2 years, tiny party
    python experiments/run_trigger_thresholds.py --workers 2

Results go to results/trigger_thresholds/ (…-quick/ with --quick): the sweep,
its report and figures/reselection.png|pdf, gap.png|pdf and
deselections_by_parliament.png|pdf. Running again resumes.
"""

from __future__ import annotations

import _checkout  # noqa: F401  (this checkout's `model`, not another's)
from example_sweep import run_example, save_figures

from model.analysis.figures import band_figure, deselections_figure, outcomes_figure
from model.study.report import write_report

QUESTION = ["trigger_ballots_lost", "deselections", "gap_last12", "abs_gap_last12", "gap_mean"]


def main() -> None:
    result, out = run_example("trigger_thresholds", __doc__.splitlines()[0])

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
    save_figures(figures, out)
    print(f"report: {write_report(out)}")


if __name__ == "__main__":  # required: worker processes import this file
    main()
