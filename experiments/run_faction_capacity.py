"""Run the faction-capacity experiment and draw its figures.

    python experiments/run_faction_capacity.py              # 72 runs; ~1-2 min on 2 cores
    python experiments/run_faction_capacity.py --quick      # 2 seeds, 2 years, tiny party
    python experiments/run_faction_capacity.py --workers 2

Results go to results/faction_capacity/ (…-quick/ with --quick): the sweep, its
report and figures/capacity.png|pdf (CLPs controlled against organisers).
Running again resumes.
"""

from __future__ import annotations

import _checkout  # noqa: F401  (this checkout's `model`, not another's)
from example_sweep import run_example, save_figures

from model.analysis.figures import outcome_vs_factor_figure
from model.study.report import write_report

FACTOR = "factions.Momentum.organisers"


def main() -> None:
    result, out = run_example("faction_capacity", __doc__.splitlines()[0])

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
    save_figures({"capacity": figure}, out)
    print(f"report: {write_report(out)}")


if __name__ == "__main__":  # required: worker processes import this file
    main()
