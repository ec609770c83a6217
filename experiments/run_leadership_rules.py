"""Run the leadership-rules experiment and draw its figures.

    python experiments/run_leadership_rules.py              # 64 runs; ~1-2 min on 2 cores
    python experiments/run_leadership_rules.py --quick      # 2 seeds, 2 years, tiny party
    python experiments/run_leadership_rules.py --workers 2

Results go to results/leadership_rules/ (…-quick/ with --quick): the sweep, its
report (report.md with figures) and figures/leadership.png|pdf. Running again
resumes: only runs that are missing are run.
"""

from __future__ import annotations

import _checkout  # noqa: F401  (this checkout's `model`, not another's)
from example_sweep import run_example, save_figures

from model.analysis.figures import band_figure, outcomes_figure
from model.study.report import write_report

QUESTION = [
    "contests_won_left",
    "contests_won_right",
    "winner_ideology_mean",
    "leader_member_distance",
    "leader_plp_distance",
    "gap_last12",
]


def main() -> None:
    result, out = run_example("leadership_rules", __doc__.splitlines()[0])

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
    save_figures(figures, out)
    print(f"report: {write_report(out)}")


if __name__ == "__main__":  # required: worker processes import this file
    main()
