"""The part the example experiment scripts share: options, the run, the figures folder."""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import _checkout  # noqa: F401  (this checkout's `model`, not another's)

from model.study.experiment import load_experiment
from model.study.sweep import SweepResult, run_experiment

HERE = Path(__file__).resolve().parent


def run_example(name: str, description: str) -> tuple[SweepResult, Path]:
    """Parse `--quick`/`--workers`, run experiments/NAME.toml (resuming) into results/NAME.

    Args:
        name: the experiment file's stem (also the result folder's name).
        description: the script's one-line description for `--help`.

    Returns:
        The sweep result and its folder (which has a `figures/` subfolder).
    """
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true", help="a small smoke run")
    parser.add_argument("--workers", type=int, default=1, help="worker processes")
    args = parser.parse_args()

    experiment = load_experiment(HERE / f"{name}.toml")
    out = HERE.parent / "results" / name
    if args.quick:
        experiment = experiment.with_changes(
            experiment={"replications": 2, "months": 24}, changes={"party.scale": 0.01}
        )
        out = out.with_name(out.name + "-quick")
    result = run_experiment(experiment, out, workers=args.workers, resume=True)
    (out / "figures").mkdir(exist_ok=True)
    return result, out


def save_figures(figures: Mapping[str, Any], out: Path) -> None:
    """Save each figure as out/figures/NAME.png and .pdf."""
    for name, figure in figures.items():
        for fmt in ("png", "pdf"):
            figure.savefig(out / "figures" / f"{name}.{fmt}")
