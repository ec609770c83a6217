"""Calibrate the historical scenarios' behavioural parameters (approximate Bayesian computation).

Usage::

    python experiments/calibrate.py                 # the full procedure (~10-15 min on 2 cores)
    python experiments/calibrate.py --dry-run       # fit and report, leave the scenario files alone
    python experiments/calibrate.py --quick --dry-run --out /tmp/cal   # a smoke test (~1 min)

The procedure (documented in docs/calibration.md) is rejection ABC with
refinement steps, run through the sweep runner:

**Stage 1: membership and contests.** Twelve behavioural parameters
(:data:`STAGE1`) get a uniform prior over a box (log-uniform for rates and
sizes). Generation 1 draws ``--points`` Latin-hypercube points over the box;
each point runs ``labour_2010`` and ``labour_2015_2024`` once (one common
seed). A point's distance to the record is the root mean square of the
standardised errors of the ``fit`` targets (model.validation.runner.TARGETS with role
"fit"; every published figure counts once): shares in percentage points / 5,
members as log(model/published) / 0.1, vote counts as log-ratio / 0.2. The
best ``--accept`` fraction is accepted. Each further generation (``--generations``)
draws as many points again inside the box the accepted points span (widened
by 10% of the prior range on each side); the best points of all generations
so far are accepted; their 5-95% range says how well the data pin each
parameter down. **Selection:** the five best accepted points are run again on
three fresh seeds and the one with the lowest mean distance is the fitted
point (medians of the accepted points would mix incompatible combinations,
e.g. fast joining with fast churn and slow joining with slow churn).

**Stage 2: reselection.** With the stage-1 values, two reselection parameters
(:data:`STAGE2`) are fitted the same way (one generation, then the selection) to the 2019 trigger
round (MPs triggered and deselected, as log-ratios of counts + 1 over 0.5),
on ``labour_2015_2024`` cut at December 2019.

**Held out.** The 2020 contest and membership from the end of 2020 on (which
depends on who won it): every target of role "held out" is never in a
distance. The check at the end runs the fitted scenarios over
``--check-seeds`` seeds and reports the fit targets and the held-out targets
separately.

**Writing back.** Unless ``--dry-run``, the fitted values replace the values
on every scenario line tagged ``[calibrated: NAME]`` (or ``[calibrated: 1 -
NAME]``) in scenarios/*.toml; nothing else in the files changes.

Outputs (``--out``, default results/calibration): samples.csv (every point:
parameters, distance, generation, accepted), fitted.json, report.md.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import qmc

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from model.scenario.schema import Scenario  # noqa: E402
from model.validation.runner import (  # noqa: E402
    SCENARIO_DIR,
    TARGETS,
    Target,
    adjust,
    load_history,
    load_validation_scenarios,
    run_many,
    table_markdown,
    validation_table,
)

CALIBRATION_SEED = 1  # root seed of the calibration runs (not the validation's)
FIT_SCENARIOS = ("labour_2010", "labour_2015_2024")
FAMILY_2015 = ("labour_2015", "labour_2015_2024")


@dataclass(frozen=True)
class Parameter:
    """A calibrated parameter and the scenario fields it sets.

    Attributes:
        name: the name used in ``[calibrated: NAME]`` tags.
        low, high: the prior box.
        log: uniform on the log scale.
        paths: dotted scenario paths it sets (values: the parameter, or for a
            path in `complement`, 1 minus it).
        complement: paths set to 1 - value (the other weight of a mixture).
        scenarios: the scenarios it applies to (None: all).
        digits: significant digits written back.
    """

    name: str
    low: float
    high: float
    paths: tuple[str, ...]
    log: bool = False
    complement: tuple[str, ...] = ()
    scenarios: tuple[str, ...] | None = None
    digits: int = 3

    def values(self, value: float) -> dict[str, float]:
        """Scenario path -> value for this parameter at `value`."""
        value = self.round(value)
        out = {path: value for path in self.paths}
        out.update({path: round(1.0 - value, 10) for path in self.complement})
        return out

    def round(self, value: float) -> float:
        """The value as written back (so that runs use exactly what is written)."""
        if value == 0:
            return 0.0
        if self.complement:  # mixture weights: 3 decimals, so w + (1 - w) == 1 exactly
            return round(value, 3)
        return float(f"{value:.{self.digits}g}")

    def from_unit(self, u: np.ndarray) -> np.ndarray:
        """Map [0, 1] to the prior box."""
        if self.log:
            return np.exp(np.log(self.low) + u * (np.log(self.high) - np.log(self.low)))
        return self.low + u * (self.high - self.low)


STAGE1 = [
    Parameter("join_rate", 0.003, 0.08, ("flows.join_rate",), log=True),
    Parameter("settled_share", 0.05, 1.0, ("flows.settled_share",)),
    Parameter("contest_surge", 0.1, 30.0, ("flows.contest_surge",), log=True),
    Parameter("pool_left", 150e3, 1.5e6, ("flows.pool.0.size",), log=True),
    Parameter("pool_soft_left", 10e3, 400e3, ("flows.pool.1.size",), log=True),
    Parameter("pool_centre", 10e3, 400e3, ("flows.pool.2.size",), log=True),
    Parameter("churn", 0.003, 0.012, ("flows.churn",)),
    Parameter("dissatisfaction", 0.0, 0.15, ("flows.dissatisfaction",)),
    Parameter("lapse_tolerance", 0.2, 0.8, ("flows.tolerance",)),
    Parameter("signup_rate", 0.05, 1.0, ("contests.signup_rate",), log=True),
    Parameter("valence_weight", 0.0, 0.6, ("contests.valence_weight",)),
    Parameter("electability_after_defeat", 0.0, 3.0, ("contests.electability_after_defeat",)),
    Parameter("incumbency_weight", 0.0, 0.4, ("contests.incumbency_weight",)),
    Parameter("utility_noise", 0.05, 0.5, ("contests.utility_noise",)),
    Parameter(
        "shock_2016", 1.0, 10.0, ("flows.shocks.0.joining",), log=True, scenarios=FAMILY_2015
    ),
    Parameter(
        "members_left_weight_2015",
        0.3,
        0.9,
        ("members.ideology.0.weight",),
        complement=("members.ideology.1.weight",),
        scenarios=FAMILY_2015,
    ),
    Parameter(
        "members_left_weight_2010",
        0.05,
        0.5,
        ("members.ideology.0.weight",),
        complement=("members.ideology.1.weight",),
        scenarios=("labour_2010",),
    ),
    Parameter(
        "levy_payer_mean_2015",
        -0.7,
        -0.1,
        ("contests.levy_payer_ideology.mean",),
        scenarios=FAMILY_2015,
    ),
]
"""Stage 1: membership flows, the members' mixture, supporters' sign-ups."""

STAGE2: list[Parameter] = []
"""Stage 2 (empty): reselection is not fitted; its parameters are set a priori (the 2019 round is a forecast)."""

STAGE2_TARGETS = ("trigger_2019_triggered", "trigger_2019_deselected")


def values_for(scenario: str, parameters: Sequence[Parameter], theta: Mapping[str, float]) -> dict:
    """Scenario path -> value for one scenario at the parameter values `theta`."""
    out: dict[str, float] = {}
    for p in parameters:
        if p.name in theta and (p.scenarios is None or scenario in p.scenarios):
            out.update(p.values(theta[p.name]))
    return out


# --- the distance ---------------------------------------------------------------------


def fit_targets() -> list[Target]:
    """The targets in the stage-1 distance; 2015 targets are read from the long run.

    The 2015 contest in labour_2015 and in labour_2015_2024 is the same run
    up to September 2015 (same values, same seeds), so calibration measures
    it in the long run and saves running labour_2015.
    """
    out = []
    for t in TARGETS:
        if t.role != "fit":
            continue
        out.append(replace(t, scenario="labour_2015_2024") if t.scenario == "labour_2015" else t)
    return out


def z_score(target: Target, model: float, published: float) -> float:
    """Standardised error of one target (a missing value counts as a big miss)."""
    if model is None or not math.isfinite(model):
        return 10.0
    if target.unit == "%":
        return (model - published) / 5.0
    if target.unit == "members":
        return math.log(max(model, 1.0) / published) / 0.1
    if target.unit == "votes":
        return math.log(max(model, 1.0) / published) / 0.2
    return math.log((model + 1.0) / (published + 1.0)) / 0.5


def distance(
    row_by_scenario: Mapping[str, Mapping[str, float]],
    targets: Sequence[Target],
    data: Any,
) -> float:
    """Root mean square of the targets' z-scores: every published figure counts once.

    (Averaging within groups first was tried and rejected: it let a point miss
    the whole membership series by 60% if it fitted four contest groups.)
    """
    squares = []
    for t in targets:
        row = row_by_scenario.get(t.scenario)
        model = math.nan if row is None else row.get(t.key, math.nan)
        squares.append(z_score(t, model, float(t.published(data))) ** 2)
    return math.sqrt(float(np.mean(squares)))


# --- one generation ---------------------------------------------------------------------


def run_generation(
    points: np.ndarray,
    parameters: Sequence[Parameter],
    bases: Mapping[str, Scenario],
    out: Path,
    *,
    tag: str,
    workers: int,
    targets: Sequence[Target],
    data: Any,
    months: int | None = None,
    seeds: int = 1,
    root_seed: int = CALIBRATION_SEED,
) -> pd.DataFrame:
    """Run every point (rows of parameter values) on each base; return the distances.

    With several seeds, a point's distance is the mean of its distances over the seeds.
    """
    thetas = [dict(zip([p.name for p in parameters], row, strict=True)) for row in points]
    thetas = [{p.name: p.round(t[p.name]) for p in parameters} for t in thetas]
    scenarios = {name: adjust(s, months=months) for name, s in bases.items()}
    variants = {
        name: [(f"{tag}-{i:03d}", values_for(name, parameters, t)) for i, t in enumerate(thetas)]
        for name in scenarios
    }
    runs = run_many(
        scenarios,
        out / "runs" / tag,
        seeds=seeds,
        workers=workers,
        root_seed=root_seed,
        variants=variants,
        series=["members_full"],
    )
    if runs.failed:
        print("failed runs:", *runs.failed, sep="\n  ", file=sys.stderr)
    rows = []
    for i, theta in enumerate(thetas):
        label = f"{tag}-{i:03d}"
        found = runs.outcomes[runs.outcomes["label"] == label]
        distances = [
            distance({r["scenario"]: r.to_dict() for _, r in rep.iterrows()}, targets, data)
            for _, rep in found.groupby("replication")
        ]
        mean = float(np.mean(distances)) if distances else math.inf
        rows.append({"point": label, **theta, "distance": mean})
    return pd.DataFrame(rows)


def lhs(n: int, parameters: Sequence[Parameter], box: np.ndarray, seed: int) -> np.ndarray:
    """n Latin-hypercube points in a box given in unit coordinates (k × 2)."""
    unit = qmc.LatinHypercube(d=len(parameters), seed=seed).random(n)
    unit = box[:, 0] + unit * (box[:, 1] - box[:, 0])
    return np.column_stack([p.from_unit(unit[:, j]) for j, p in enumerate(parameters)])


def to_unit(values: np.ndarray, p: Parameter) -> np.ndarray:
    """Parameter values -> [0, 1] prior coordinates."""
    if p.log:
        return (np.log(values) - np.log(p.low)) / (np.log(p.high) - np.log(p.low))
    return (values - p.low) / (p.high - p.low)


def abc(
    parameters: Sequence[Parameter],
    bases: Mapping[str, Scenario],
    out: Path,
    *,
    stage: str,
    points: int,
    generations: int,
    accept: float,
    workers: int,
    targets: Sequence[Target],
    data: Any,
    months: int | None = None,
    select: int = 5,
    select_seeds: int = 3,
) -> tuple[dict[str, float], pd.DataFrame]:
    """Rejection ABC with refinement and a final selection; returns (fitted, all samples)."""
    box = np.array([[0.0, 1.0]] * len(parameters))
    samples = []
    n_accept = max(2, int(round(points * accept)))
    accepted = pd.DataFrame()
    for g in range(generations):
        grid = lhs(points, parameters, box, seed=CALIBRATION_SEED + 100 * g + len(stage))
        started = time.perf_counter()
        result = run_generation(
            grid,
            parameters,
            bases,
            out,
            tag=f"{stage}-g{g + 1}",
            workers=workers,
            targets=targets,
            data=data,
            months=months,
        )
        result["generation"] = g + 1
        samples.append(result)
        pooled = pd.concat(samples, ignore_index=True)
        accepted = pooled.nsmallest(n_accept, "distance")
        print(
            f"{stage} generation {g + 1}: {len(result)} points in {time.perf_counter() - started:.0f} s;"
            f" best distance {pooled['distance'].min():.2f}, accepted up to "
            f"{accepted['distance'].max():.2f}",
            flush=True,
        )
        # The next generation searches the box the accepted points span, widened.
        unit = np.column_stack([to_unit(accepted[p.name].to_numpy(), p) for p in parameters])
        box = np.column_stack(
            [np.clip(unit.min(axis=0) - 0.1, 0, 1), np.clip(unit.max(axis=0) + 0.1, 0, 1)]
        )
    pooled = pd.concat(samples, ignore_index=True)
    pooled["accepted"] = pooled["point"].isin(accepted["point"])
    # Selection: the accepted points differ in ways the medians would mix (a
    # high join rate with fast churn, or a low one with slow churn), so the
    # fitted point is the best of the top accepted points re-run on fresh seeds.
    top = accepted.nsmallest(select, "distance")
    rerun = run_generation(
        top[[p.name for p in parameters]].to_numpy(),
        parameters,
        bases,
        out,
        tag=f"{stage}-select",
        workers=workers,
        targets=targets,
        data=data,
        months=months,
        seeds=select_seeds,
        root_seed=CALIBRATION_SEED + 1,
    )
    rerun["point"] = top["point"].to_numpy()
    best = rerun.loc[rerun["distance"].idxmin()]
    pooled["selection_distance"] = pooled["point"].map(
        dict(zip(rerun["point"], rerun["distance"], strict=True))
    )
    pooled["fitted"] = pooled["point"] == best["point"]
    print(
        f"{stage} selection: {len(top)} points × {select_seeds} seeds; fitted point "
        f"{best['point']} (mean distance {best['distance']:.2f})",
        flush=True,
    )
    fitted = {p.name: p.round(float(best[p.name])) for p in parameters}
    return fitted, pooled


# --- writing back ----------------------------------------------------------------------

TAG_RE = re.compile(r"\[calibrated:\s*(?:(1\s*-\s*))?([A-Za-z_0-9]+)\s*\]")
VALUE_RE = re.compile(r"^(\s*[A-Za-z_][A-Za-z_0-9]*\s*=\s*)([-+]?[0-9][0-9_.eE+-]*)(\s*#.*)$")


def _format(value: float) -> str:
    text = repr(float(value))
    return text if "e" not in text else f"{value:.6f}".rstrip("0")


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


# --- the report --------------------------------------------------------------------------


def fit_quality(table: pd.DataFrame) -> str:
    """A one-paragraph summary of a fit/held-out table."""
    measured = table[table["runs"] > 0]
    inside = int(measured["inside"].sum())
    return f"{inside} of {len(measured)} published figures inside the model's 90% interval"


def report(
    out: Path,
    *,
    fitted: Mapping[str, float],
    samples: Mapping[str, pd.DataFrame],
    check: pd.DataFrame,
    settings: Mapping[str, Any],
) -> str:
    """Write report.md and return its text."""
    lines = [
        "# Calibration report",
        "",
        "Written by `experiments/calibrate.py` (see docs/calibration.md for the procedure).",
        "",
        "## Settings",
        "",
        *[f"- {k}: {v}" for k, v in settings.items()],
        "",
        "## Fitted values",
        "",
        "| parameter | prior | fitted | median of accepted | accepted 5-95% |",
        "|---|---|---:|---:|---|",
    ]
    for params, stage in ((STAGE1, "stage1"), (STAGE2, "stage2")):
        frame = samples.get(stage)
        if frame is None:
            continue
        acc = frame[frame["accepted"]]
        for p in params:
            lo, hi = np.quantile(acc[p.name], [0.05, 0.95])
            prior = f"{'log-' if p.log else ''}U({p.low:g}, {p.high:g})"
            med = acc[p.name].median()
            lines.append(
                f"| {p.name} | {prior} | {fitted[p.name]:g} | {med:.4g} | {lo:.4g} – {hi:.4g} |"
            )
    lines += [""]
    for stage, frame in samples.items():
        acc = frame[frame["accepted"]]
        chosen = frame[frame["fitted"]].iloc[0]
        lines.append(
            f"- {stage}: {len(frame)} points, {len(acc)} accepted; distance best "
            f"{frame['distance'].min():.2f}, accepted ≤ {acc['distance'].max():.2f}, "
            f"median of all {frame['distance'].median():.2f}; fitted point {chosen['point']} "
            f"(mean distance {chosen['selection_distance']:.2f} over the selection seeds)"
        )
    fit = check[check["role"] == "fit"]
    held = check[check["role"] == "held out"]
    stage2 = check[check["key"].isin(STAGE2_TARGETS)]
    lines += [
        "",
        f"## Fit at the fitted values ({settings.get('check seeds')} seeds)",
        "",
        f"Targets in the fit: {fit_quality(fit)}.",
        "",
        table_markdown(fit),
        "## Reselection targets (stage 2)",
        "",
        table_markdown(stage2),
        "## Held out: the 2020 contest and membership from 2020 (never in the fit)",
        "",
        f"Held-out targets: {fit_quality(held)}.",
        "",
        table_markdown(held),
    ]
    text = "\n".join(lines)
    (out / "report.md").write_text(text, encoding="utf-8")
    return text


# --- main ---------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """Run the calibration; see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=REPO / "results" / "calibration")
    parser.add_argument("--points", type=int, default=56, help="points per generation (stage 1)")
    parser.add_argument("--generations", type=int, default=3, help="generations (stage 1)")
    parser.add_argument("--accept", type=float, default=0.2, help="accepted fraction")
    parser.add_argument("--points2", type=int, default=24, help="points (stage 2)")
    parser.add_argument("--check-seeds", type=int, default=10, help="seeds of the final check")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--scale", type=float, default=None, help="override party.scale")
    parser.add_argument("--dry-run", action="store_true", help="do not write the scenario files")
    parser.add_argument("--quick", action="store_true", help="a smoke test: tiny and short")
    args = parser.parse_args(argv)

    months = None
    if args.quick:
        args.points, args.generations, args.points2, args.check_seeds = 6, 1, 4, 2
        args.scale = args.scale or 0.02
        months = 8
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    data = load_history()
    scenarios = load_validation_scenarios(counterfactuals=False)
    bases = {n: adjust(scenarios[n], scale=args.scale) for n in FIT_SCENARIOS}
    targets = fit_targets()

    fitted1, samples1 = abc(
        STAGE1,
        bases,
        out,
        stage="stage1",
        points=args.points,
        generations=args.generations,
        accept=args.accept,
        workers=args.workers,
        targets=targets,
        data=data,
        months=months,
    )
    # Stage 2 on the long run with the stage-1 values, cut after the 2019 round.
    long_run = bases["labour_2015_2024"]
    from model.study.experiment import apply_factors

    long_run = apply_factors(long_run, values_for("labour_2015_2024", STAGE1, fitted1))
    stage2_targets = [t for t in TARGETS if t.key in STAGE2_TARGETS]
    fitted2, samples2 = abc(
        STAGE2,
        {"labour_2015_2024": long_run},
        out,
        stage="stage2",
        points=args.points2,
        generations=1,
        accept=0.25,
        workers=args.workers,
        targets=stage2_targets,
        data=data,
        months=months or 56,
    )
    fitted = {**fitted1, **fitted2}
    samples = {"stage1": samples1, "stage2": samples2}
    pd.concat(
        [frame.assign(stage=stage) for stage, frame in samples.items()], ignore_index=True
    ).to_csv(out / "samples.csv", index=False)
    (out / "fitted.json").write_text(json.dumps(fitted, indent=2) + "\n", encoding="utf-8")

    if not args.dry_run:
        changed = write_back(fitted)
        print("wrote fitted values into:", *[str(p.relative_to(REPO)) for p in changed])
        scenarios = load_validation_scenarios(counterfactuals=False)
        checked = {n: adjust(scenarios[n], scale=args.scale, months=months) for n in FIT_SCENARIOS}
    else:
        checked = {
            n: adjust(
                apply_factors(bases[n], values_for(n, [*STAGE1, *STAGE2], fitted)), months=months
            )
            for n in FIT_SCENARIOS
        }
    runs = run_many(checked, out / "runs" / "check", seeds=args.check_seeds, workers=args.workers)
    check_targets = [
        replace(t, scenario="labour_2015_2024") if t.scenario == "labour_2015" else t
        for t in TARGETS
    ]
    check = validation_table(runs.outcomes, data, check_targets)
    check.to_csv(out / "check.csv", index=False)
    settings = {
        "stage 1": f"{args.generations} generations × {args.points} points, accept {args.accept:.0%}",
        "stage 2": f"1 generation × {args.points2} points, accept 25%",
        "scale": args.scale or {n: s.party.scale for n, s in bases.items()},
        "calibration root seed": CALIBRATION_SEED,
        "check seeds": args.check_seeds,
        "workers": args.workers,
        "written back": not args.dry_run,
        "minutes": round((time.perf_counter() - started) / 60, 1),
    }
    text = report(out, fitted=fitted, samples=samples, check=check, settings=settings)
    print(text.split("## Fit at")[0])
    print(f"report: {out / 'report.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
