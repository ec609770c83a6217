"""Validate the model against history (the script form of `factions validate-history`).

Usage::

    python experiments/validate_history.py --calibrate --publish   # the page in docs/
    python experiments/validate_history.py --quick                 # a smoke test
    python experiments/validate_history.py --starmer-sensitivity   # the 2020 diagnostic only

Everything is in model/validation/ (docs/validation.md); this script adds
``--starmer-sensitivity``: the long run (scenario as written, no shocks) with
Keir Starmer placed at -0.2 (the scenario), -0.35 and -0.5 on the ideology
axis, 20 seeds each — how far left would he have to sit to win the model's 2020?
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

STARMER = "contests.scheduled.2.candidates.0.ideology"
STARMER_POSITIONS = (-0.2, -0.35, -0.5)


def starmer_sensitivity(out: Path, *, seeds: int = 20, workers: int = 2) -> str:
    """The 2020 diagnostic: Starmer's position varied, the scenario otherwise as written.

    Args:
        out: the result folder (runs go to out/sensitivity_2020/).
        seeds: seeds per position.
        workers: worker processes.

    Returns:
        A Markdown table (also written to out/sensitivity_2020.md).
    """
    from model.scenario.paths import get_path
    from model.validation.runner import run_many
    from model.validation.scenarios import load_validation_scenarios

    base = load_validation_scenarios(counterfactuals=False)["labour_2015_2024"]
    name = get_path(base.model_dump(mode="json"), "contests.scheduled.2.candidates.0.name")
    assert name == "Keir Starmer", f"{STARMER} is {name}, not Keir Starmer"
    variants = [(f"Starmer at {x:+.2f}", {STARMER: x}) for x in STARMER_POSITIONS]
    runs = run_many(
        {"labour_2015_2024": base},
        out / "sensitivity_2020",
        seeds=seeds,
        draws={"labour_2015_2024": variants},
        workers=workers,
        resume=True,
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
    out.mkdir(parents=True, exist_ok=True)
    (out / "sensitivity_2020.md").write_text(text, encoding="utf-8")
    return text


def main(argv: Sequence[str] | None = None) -> int:
    """Run `factions validate-history`, or the 2020 diagnostic."""
    args = list(sys.argv[1:] if argv is None else argv)
    if "--starmer-sensitivity" in args:
        parser = argparse.ArgumentParser(prog="validate_history.py --starmer-sensitivity")
        parser.add_argument("--starmer-sensitivity", action="store_true")
        parser.add_argument("--out", type=Path, default=REPO / "results" / "validation-starmer")
        parser.add_argument("--seeds", type=int, default=20)
        parser.add_argument("--workers", type=int, default=2)
        parsed = parser.parse_args(args)
        print(starmer_sensitivity(parsed.out, seeds=parsed.seeds, workers=parsed.workers))
        return 0
    from model.cli.main import main as factions

    return factions(["validate-history", *args])


if __name__ == "__main__":
    sys.exit(main())
