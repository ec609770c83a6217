"""Validate the model against history (the script form of `factions validate-history`).

Usage::

    python experiments/validate_history.py                   # 50 seeds, results/validation/
    python experiments/validate_history.py --quick           # a smoke test
    python experiments/validate_history.py --publish         # also copy the figures to docs/images/
    python experiments/validate_history.py --starmer-sensitivity   # the 2020 diagnostic only

Everything is in model/validation.py; this script adds ``--publish``, which
copies figures/validation_*.png into docs/images/ for docs/validation.md, and
``--starmer-sensitivity``, the diagnostic of docs/validation.md for the
held-out 2020 contest: the long run with Keir Starmer placed at -0.2 (the
scenario), -0.35 and -0.5 on the ideology axis, 20 seeds each.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from model.cli.validate import add_validate_parser, run_validate  # noqa: E402

STARMER = "contests.scheduled.2.candidates.0.ideology"
STARMER_POSITIONS = (-0.2, -0.35, -0.5)


def starmer_sensitivity(out: Path, *, seeds: int = 20, workers: int = 2) -> str:
    """The 2020 diagnostic: how far left would Starmer have to sit to win the model's 2020?

    Args:
        out: the result folder (runs go to out/sensitivity_2020/).
        seeds: seeds per position.
        workers: worker processes.

    Returns:
        A Markdown table (also written to out/sensitivity_2020.md).
    """
    from model.scenario.paths import get_path
    from model.validation.runner import load_validation_scenarios, run_many

    base = load_validation_scenarios(counterfactuals=False)["labour_2015_2024"]
    assert get_path(base.model_dump(mode="json"), "contests.scheduled.2.candidates.0.name") == (
        "Keir Starmer"
    )
    variants = [(f"Starmer at {x:+.2f}", {STARMER: x}) for x in STARMER_POSITIONS]
    runs = run_many(
        {"labour_2015_2024": base},
        out / "sensitivity_2020",
        seeds=seeds,
        workers=workers,
        variants={"labour_2015_2024": variants},
        series=["members_full"],
    )
    lines = [
        "| Starmer's position | Starmer wins | Starmer, round 1 (% of all) | "
        "Starmer (% of members) | members end 2024 |",
        "|---|---:|---:|---:|---:|",
    ]
    for label, _ in variants:
        o = runs.outcomes[runs.outcomes["label"] == label]
        lines.append(
            f"| {label.removeprefix('Starmer at ')} | {o['2020_winner'].mean():.0%} | "
            f"{o['2020_r1_keir_starmer'].median():.1f} | "
            f"{o['2020_r1_members_keir_starmer'].median():.1f} | "
            f"{o['members_2024'].median():,.0f} |"
        )
    text = "\n".join(lines) + "\n"
    (out / "sensitivity_2020.md").write_text(text, encoding="utf-8")
    return text


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line, validate, optionally publish the figures."""
    top = argparse.ArgumentParser(prog="validate_history.py")
    sub = top.add_subparsers(dest="command")
    parser = add_validate_parser(sub)
    parser.add_argument("--publish", action="store_true", help="copy the figures into docs/images/")
    parser.add_argument(
        "--starmer-sensitivity",
        action="store_true",
        help="run only the 2020 diagnostic (Starmer's position varied)",
    )
    args = top.parse_args(["validate-history", *(sys.argv[1:] if argv is None else argv)])
    if args.starmer_sensitivity:
        print(starmer_sensitivity(args.out, workers=args.workers or 2))
        return 0
    status = run_validate(args)
    if status == 0 and args.publish:
        images = REPO / "docs" / "images"
        images.mkdir(parents=True, exist_ok=True)
        for figure in sorted((args.out / "figures").glob("validation_*.png")):
            shutil.copy2(figure, images / figure.name)
            print(f"published {figure.name} -> docs/images/")
    return status


if __name__ == "__main__":
    sys.exit(main())
