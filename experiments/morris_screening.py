"""Morris screening: which behavioural parameters move the scalar outcomes?

The method of elementary effects (Morris 1991, with Campolongo et al. 2007's
mu*): SALib draws r trajectories through a 4-level grid over the k parameters
below, each trajectory k + 1 points that change one parameter at a time. Every
point is a variant of the base scenario, run for a few seeds (the same seeds
at every point: common random numbers), and the outcomes are averaged over
the seeds. For each parameter and outcome:

* mu*   — the mean absolute elementary effect: how much the parameter matters;
* sigma — their spread: non-linearity or interaction with other parameters.

Parameters with small mu* can be fixed at their defaults when calibrating;
those with large mu* need data. Ranges are plausible bounds, not estimates.

    python experiments/morris_screening.py --quick        # tiny: 2 trajectories, seconds
    python experiments/morris_screening.py --workers 2    # 10 trajectories × 9 points × 2 seeds

Writes results/morris[-quick]/: the sweep (resumable: run again to finish an
interrupted screening), morris.csv (mu*, its 95% confidence, sigma per
parameter and outcome) and morris.png|pdf (mu* against sigma).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import _checkout  # noqa: F401  (this checkout's `model`, not another's)
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from SALib.analyze import morris as morris_analyze
from SALib.sample import morris as morris_sample

from model.analysis.figures import HOUSE_STYLE
from model.study.experiment import parse_experiment
from model.study.sweep import run_experiment

HERE = Path(__file__).resolve().parent
LEVELS = 4

# Dotted scenario path -> (low, high). The main behavioural parameters of
# influence, membership flows and meetings (scenarios/default.toml documents them).
PARAMETERS: dict[str, tuple[float, float]] = {
    "influence.confidence_bound": (0.1, 0.6),
    "influence.convergence": (0.05, 0.5),
    "influence.faction_pull": (0.0, 0.05),
    "influence.leader_cue": (0.0, 0.03),
    "flows.churn": (0.004, 0.012),
    "flows.dissatisfaction": (0.0, 0.05),
    "flows.tolerance": (0.3, 1.0),
    "meetings.unaligned_affinity": (0.05, 0.5),
}
OUTCOMES = ["final_members", "gap_last12", "final_clps_momentum", "leader_member_distance"]


def build_experiment(sample: np.ndarray, *, quick: bool, replications: int):
    """One variant per Morris point, via the same experiment machinery as the TOML files."""
    names = list(PARAMETERS)
    data = {
        "experiment": {
            "name": "morris" + ("-quick" if quick else ""),
            "description": "Morris screening of behavioural parameters (experiments/morris_screening.py)",
            "scenario": "../scenarios/default.toml",
            "months": 24 if quick else 60,
            "replications": replications,
            "root_seed": 1991,
        },
        "changes": {"party.scale": 0.01 if quick else 0.02},
        "variants": [
            {
                "name": f"point {i:03d}",
                "set": {n: float(v) for n, v in zip(names, row, strict=True)},
            }
            for i, row in enumerate(sample)
        ],
        "outcomes": {
            "scalars": ["final_members", "gap_last12", "final_clps", "leader_member_distance"],
            "series": ["members_full", "member_plp_gap", "clps_*"],
            "events": [],
        },
    }
    return parse_experiment(data, source="experiments/morris_screening.py", base_dir=HERE)


MARKERS = "osD^vP*Xph"


def morris_figure(table: pd.DataFrame) -> Figure:
    """mu* against sigma, one panel per outcome; each parameter one colour and marker.

    Parameters are told apart by a shared legend, not by text beside the
    points, which overlapped wherever parameters have similar effects. The
    error bar is mu*'s 95% confidence interval, cut at 0 (mu* is a mean of
    absolute values: it cannot be negative).

    Args:
        table: outcome, parameter, mu_star, mu_star_conf, sigma (one row each).

    Returns:
        The Figure.
    """
    outcomes = list(dict.fromkeys(table["outcome"]))
    parameters = list(dict.fromkeys(table["parameter"]))
    colours = plt.get_cmap("tab10")
    with plt.rc_context(HOUSE_STYLE):
        fig = Figure(figsize=(3.6 * len(outcomes) + 2.2, 3.8), layout="constrained")
        axes = fig.subplots(1, len(outcomes), squeeze=False)[0]
        for ax, outcome in zip(axes, outcomes, strict=True):
            rows = table[table["outcome"] == outcome].set_index("parameter")
            for i, parameter in enumerate(parameters):
                if parameter not in rows.index:
                    continue
                row = rows.loc[parameter]
                mu, conf = float(row["mu_star"]), float(row["mu_star_conf"])
                ax.errorbar(
                    [mu],
                    [float(row["sigma"])],
                    xerr=[[min(conf, mu)], [conf]],
                    fmt=MARKERS[i % len(MARKERS)],
                    color=colours(i % 10),
                    ms=5,
                    lw=0.9,
                    capsize=2,
                    label=parameter.split(".")[-1].replace("_", " "),
                )
            ax.set_xlim(left=0)
            ax.set_ylim(bottom=0)
            ax.set_title(outcome.replace("_", " "))
            ax.set_xlabel("mu* (mean |elementary effect|)")
            ax.set_ylabel("sigma (spread of effects)")
        handles, labels = axes[0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="outside right center", title="parameter")
        fig.suptitle(
            "Morris screening: right = influential, up = non-linear or interacting "
            "(bars: 95% interval of mu*)"
        )
    return fig


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2 trajectories, tiny party, 1 seed")
    parser.add_argument("--trajectories", type=int, help="Morris trajectories (default 10)")
    parser.add_argument("--workers", type=int, default=1, help="worker processes")
    args = parser.parse_args()

    trajectories = args.trajectories or (2 if args.quick else 10)
    replications = 1 if args.quick else 2
    problem = {
        "num_vars": len(PARAMETERS),
        "names": list(PARAMETERS),
        "bounds": [list(bounds) for bounds in PARAMETERS.values()],
    }
    sample = morris_sample.sample(problem, N=trajectories, num_levels=LEVELS, seed=1991)
    experiment = build_experiment(sample, quick=args.quick, replications=replications)
    out = HERE.parent / "results" / experiment.name
    print(
        f"{len(sample)} Morris points × {replications} seeds = {experiment.n_runs} runs -> {out}/"
    )
    result = run_experiment(experiment, out, workers=args.workers, resume=True)
    if not result.failed.empty:
        raise SystemExit(f"{len(result.failed)} runs failed; see {out}/inputs.csv")

    rows = []
    means = result.outcomes.groupby("variant")[OUTCOMES].mean().reindex(range(len(sample)))
    for outcome in OUTCOMES:
        y = means[outcome].to_numpy(dtype=float)
        if np.isnan(y).any():
            print(f"skipping {outcome}: not available in every run")
            continue
        si = morris_analyze.analyze(problem, sample, y, num_levels=LEVELS, seed=1991)
        for i, name in enumerate(problem["names"]):
            rows.append(
                {
                    "outcome": outcome,
                    "parameter": name,
                    "mu_star": float(si["mu_star"][i]),
                    "mu_star_conf": float(si["mu_star_conf"][i]),
                    "sigma": float(si["sigma"][i]),
                }
            )
    table = pd.DataFrame(rows)
    table.to_csv(out / "morris.csv", index=False, float_format="%.6g")
    ranked = table.sort_values(["outcome", "mu_star"], ascending=[True, False])
    print(ranked.to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    figure = morris_figure(table)
    for fmt in ("png", "pdf"):
        figure.savefig(out / f"morris.{fmt}")
    print(f"written: {out / 'morris.csv'}, {out / 'morris.png'}")


if __name__ == "__main__":  # required: worker processes import this file
    main()
