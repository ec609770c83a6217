"""Write one point of a finished calibration into the scenario files (``factions calibrate --apply``).

The validation itself never needs this: it draws from the whole posterior.
Single runs (``factions run labour_2010_2024``) read the values in the
scenario files, so after a calibration those values are replaced by one
point of the posterior:

* ``best`` (the default): the particle of the last generation with the
  smallest distance. It is one combination the model actually ran, so its
  parameters are mutually consistent (fast joining with fast churn, say);
* ``median``: each parameter's weighted posterior median, which may mix
  incompatible combinations and was never run as such;
* ``robust``: the particle of the last generation with the smallest mean
  distance over a few seeds, at the scenario's own candidate attributes
  (`model.validation.rescore`): ``best`` is chosen on one run, and where a
  run swings with its seed that is the luckiest run, not the best point.

Only the value on a line tagged ``[calibrated: NAME]`` (or ``[calibrated:
1 - NAME]``, which gets one minus the value) changes; the rest of the line,
its comment included, is kept. Parameters the calibration does not fit
(``calibrate = false`` in the priors table) keep their file values.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Literal

import numpy as np

from model.validation.calibrate import load_posterior, weighted_quantiles
from model.validation.priors import PriorTable, load_priors

Point = Literal["best", "median", "robust"]

TAG_RE = re.compile(r"\[calibrated:\s*(?:(1\s*-\s*))?([A-Za-z_0-9]+)\s*\]")
VALUE_RE = re.compile(r"^(\s*[A-Za-z_][A-Za-z_0-9]*\s*=\s*)([-+]?[0-9][0-9_.eE+-]*)(\s*#.*)$")


def format_value(value: float) -> str:
    """A value as the files write it: the shortest float text, never in exponent form."""
    text = repr(float(value))
    if "e" not in text:
        return text
    return f"{value:.12f}".rstrip("0").rstrip(".") or "0"


def _rounded(value: float, weight: bool) -> float:
    # Mixture weights: 3 decimals, so that w + (1 - w) adds up in the files.
    return round(value, 3) if weight else float(f"{value:.3g}")


def calibrated_point(
    folder: str | Path,
    point: Point = "best",
    table: PriorTable | None = None,
    *,
    seeds: Sequence[int] = (1, 2, 3),
    workers: int = 1,
    keep_missing: bool = False,
) -> dict[str, float]:
    """One point of a finished calibration: parameter name -> value, rounded for the files.

    Args:
        folder: the calibration folder (its posterior.csv).
        point: "best" (the smallest distance in the last generation),
            "median" (each parameter's weighted posterior median) or
            "robust" (the smallest mean distance over `seeds`).
        table: the priors table (default: the package's).
        seeds: with "robust", the seeds every particle is re-run with.
        workers: with "robust", processes for the re-runs.
        keep_missing: leave out the calibrated parameters the posterior lacks
            (a calibration made before they were calibrated), so the scenario
            files keep their values; not with "robust", whose re-runs need them.

    Raises:
        FileNotFoundError: the folder holds no finished calibration.
        ValueError: an unknown point, or a posterior without a calibrated parameter.
    """
    table = table or load_priors()
    posterior, _ = load_posterior(folder)
    missing = [p.name for p in table.calibrated if p.name not in posterior.columns]
    if missing and (not keep_missing or point == "robust"):
        hint = "calibrate again" if point == "robust" else "calibrate again, or pass --keep-missing"
        raise ValueError(f"the posterior in {folder} lacks {', '.join(missing)}: {hint}")
    weights = posterior["weight"].to_numpy(dtype=float)
    row = None
    if point == "robust":
        from model.validation.rescore import rescore, robust_particle

        row = robust_particle(rescore(folder, seeds=seeds, table=table, workers=workers))
    out = {}
    for p in table.calibrated:
        if p.name in missing:
            continue
        if point == "best":
            value = float(posterior.loc[posterior["distance"].idxmin(), p.name])
        elif point == "robust":
            value = float(posterior.loc[row, p.name])
        elif point == "median":
            value = weighted_quantiles(posterior[p.name].to_numpy(dtype=float), weights, [0.5])[0]
        else:
            raise ValueError(f"point must be 'best', 'median' or 'robust', not {point!r}")
        out[p.name] = _rounded(float(np.clip(value, p.prior.low, p.prior.high)), bool(p.complement))
    return out


def apply_values(text: str, fitted: Mapping[str, float]) -> str:
    """A scenario file's text with the value of every tagged line in `fitted` replaced."""
    new = []
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        ending = line[len(body) :]
        tag = TAG_RE.search(body)
        match = VALUE_RE.match(body)
        if tag and match and tag.group(2) in fitted:
            value = fitted[tag.group(2)]
            if tag.group(1):
                value = round(1.0 - value, 10)
            old, comment = match.group(2), match.group(3)
            text_value = format_value(value)
            # Keep the column where the comment starts, as far as possible.
            gap = len(comment) - len(comment.lstrip())
            pad = max(1, len(old) + gap - len(text_value))
            body = f"{match.group(1)}{text_value}{' ' * pad}{comment.lstrip()}"
        new.append(body + ending)
    return "".join(new)


def write_back(fitted: Mapping[str, float], folder: str | Path) -> list[Path]:
    """Replace the values on ``[calibrated: NAME]`` lines of every scenario file in `folder`.

    Returns:
        The files changed.
    """
    changed = []
    for path in sorted(Path(folder).glob("*.toml")):
        text = path.read_text(encoding="utf-8")
        new = apply_values(text, fitted)
        if new != text:
            path.write_text(new, encoding="utf-8")
            changed.append(path)
    return changed
