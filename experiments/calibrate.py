"""Calibrate the historical scenarios (the script form of `factions calibrate`), and write back.

Usage::

    python experiments/calibrate.py                       # = factions calibrate (ABC-SMC, pyabc)
    python experiments/calibrate.py --quick --out /tmp/cal   # a smoke test
    python experiments/calibrate.py --write-back results/calibration   # best particle -> scenarios

The calibration itself is in model/validation/calibrate.py (docs/calibration.md):
ABC-SMC with pyabc on every fit target (2010-2016), on runs cut at the split,
priors from model/validation/priors.toml; the posterior and the pyabc history
stay in the calibration folder, and the validation draws from the posterior.

``--write-back DIR`` writes one point of a finished calibration into the
scenario files, for single runs (``factions run``) that should use calibrated
values: the particle of the last generation with the smallest distance (the
posterior medians would mix incompatible combinations, e.g. fast joining
with fast churn and slow joining with slow churn). Only the values on lines
tagged ``[calibrated: NAME]`` (or ``[calibrated: 1 - NAME]``) in
scenarios/*.toml change. The validation does not need this: it uses the
whole posterior.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from model.validation.scenarios import SCENARIO_DIR  # noqa: E402

TAG_RE = re.compile(r"\[calibrated:\s*(?:(1\s*-\s*))?([A-Za-z_0-9]+)\s*\]")
VALUE_RE = re.compile(r"^(\s*[A-Za-z_][A-Za-z_0-9]*\s*=\s*)([-+]?[0-9][0-9_.eE+-]*)(\s*#.*)$")


def _format(value: float) -> str:
    text = repr(float(value))
    return text if "e" not in text else f"{value:.6f}".rstrip("0")


def best_particle(folder: Path) -> dict[str, float]:
    """The last generation's particle with the smallest distance, rounded for the files."""
    from model.validation.calibrate import load_posterior
    from model.validation.priors import load_priors

    posterior, _ = load_posterior(folder)
    best = posterior.loc[posterior["distance"].idxmin()]
    out = {}
    for p in load_priors().calibrated:
        value = float(best[p.name])
        # Mixture weights: 3 decimals, so that w + (1 - w) == 1 exactly in the files.
        out[p.name] = round(value, 3) if p.complement else float(f"{value:.3g}")
    return out


def write_back(fitted: Mapping[str, float], folder: Path = SCENARIO_DIR) -> list[Path]:
    """Replace the values on ``[calibrated: NAME]`` lines of every scenario file.

    Args:
        fitted: parameter name -> value.
        folder: the scenario folder.

    Returns:
        The files changed.
    """
    changed = []
    for path in sorted(folder.glob("*.toml")):
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        new = []
        for line in lines:
            tag = TAG_RE.search(line)
            match = VALUE_RE.match(line.rstrip("\n"))
            if tag and match and tag.group(2) in fitted:
                value = fitted[tag.group(2)]
                if tag.group(1):
                    value = round(1.0 - value, 10)
                old = match.group(2)
                text = _format(value)
                # Keep the column where the comment starts, as far as possible.
                pad = max(
                    1, len(old) + len(match.group(3)) - len(match.group(3).lstrip()) - len(text)
                )
                line = f"{match.group(1)}{text}{' ' * pad}{match.group(3).lstrip()}\n"
            new.append(line)
        if new != lines:
            path.write_text("".join(new), encoding="utf-8")
            changed.append(path)
    return changed


def main(argv: Sequence[str] | None = None) -> int:
    """Run `factions calibrate`, or write a calibration's best particle back."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["--write-back"]:
        parser = argparse.ArgumentParser(prog="calibrate.py --write-back")
        parser.add_argument("--write-back", type=Path, required=True, metavar="DIR")
        parser.add_argument("--scenarios", type=Path, default=SCENARIO_DIR)
        parsed = parser.parse_args(args)
        try:
            fitted = best_particle(parsed.write_back)
        except FileNotFoundError as err:
            print(f"error: {err}", file=sys.stderr)
            return 2
        changed = write_back(fitted, parsed.scenarios)
        for name, value in fitted.items():
            print(f"  {name:<26} {value:g}")
        print("wrote the values into:", *[str(p) for p in changed], sep="\n  ")
        return 0
    from model.cli.main import main as factions

    return factions(["calibrate", *args])


if __name__ == "__main__":
    sys.exit(main())
