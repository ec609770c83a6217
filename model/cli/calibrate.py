"""The `factions calibrate` subcommand: ABC-SMC on the fit targets (2010–2019).

    factions calibrate [--out DIR] [--population N] [--generations N] [--scale S]
                       [--workers N] [--sampler multicore|single|dask] [--scheduler ADDRESS]
                       [--min-epsilon E] [--min-acceptance A] [--priors FILE]
                       [--quick] [--resume] [--overwrite]
    factions calibrate --apply DIR [--point best|median|robust] [--scenarios DIR]
                       [--keep-missing]

Fits the calibrated parameters of the priors table (model/validation/priors.toml)
with pyabc's ABC-SMC to every fit target, on runs cut at the split (December
2019), and writes pyabc.db (the resume point), posterior.csv, generations.csv
and settings.json into --out. `factions validate-history --calibration DIR`
then validates that posterior. `--apply DIR` writes one point of a finished
calibration (the best particle, or the posterior medians) into the
`[calibrated: NAME]` lines of the scenario files (model/validation/apply.py).
See docs/calibration.md.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from model.cli.args import (
    EXIT_BAD_INPUT,
    EXIT_OK,
    fraction,
    non_negative,
    positive_int,
    scale_value,
)

DEFAULT_OUT = Path("results") / "calibration"
QUICK = {"scale": 0.02, "population": 4, "generations": 2}


def add_calibrate_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add `calibrate` to the `factions` subcommands."""
    parser = sub.add_parser(
        "calibrate",
        help="fit the behavioural parameters to 2010-2019 (pyabc ABC-SMC)",
        description=(
            "Fit the calibrated parameters of the priors table to every fit target (the 2010, "
            "2015 and 2016 contests, membership to 2019, the 2019 trigger round...) by ABC-SMC, "
            "on runs that stop at the split (December 2019)."
        ),
    )
    parser.add_argument("--out", type=Path, help=f"calibration folder (default {DEFAULT_OUT})")
    parser.add_argument("--population", type=positive_int, default=150, help="particles (150)")
    parser.add_argument("--generations", type=positive_int, default=6, help="generations (6)")
    parser.add_argument(
        "--scale", type=scale_value, default=0.1, help="party.scale of the runs (0.1)"
    )
    parser.add_argument("--workers", type=positive_int, help="processes (default: one per CPU)")
    parser.add_argument(
        "--sampler", choices=("multicore", "single", "dask"), default="multicore",
        help="pyabc sampler (multicore)",
    )  # fmt: skip
    parser.add_argument(
        "--scheduler", help="Dask scheduler address, or 'local' (with --sampler dask)"
    )
    parser.add_argument(
        "--min-epsilon", type=non_negative, default=0.0, help="stop below this epsilon (0: never)"
    )
    parser.add_argument(
        "--min-acceptance",
        type=fraction,
        default=0.05,
        help="stop when a generation's acceptance rate would fall below this (0.05)",
    )
    parser.add_argument(
        "--max-weight-ratio",
        type=float,
        default=None,
        metavar="R",
        help="bound each target's distance weight at R times the smallest (default: unbounded)",
    )
    parser.add_argument(
        "--distance",
        choices=("adaptive", "tolerance"),
        default="adaptive",
        help="adaptive: each target scaled by its spread across the runs (default); "
        "tolerance: by its family's tolerance in the priors table ([[tolerance]])",
    )
    parser.add_argument(
        "--candidates",
        choices=("drawn", "fixed"),
        default="drawn",
        help="drawn: each run draws the named candidates' attributes around the scenario's "
        "(the priors table's [candidates] spread; default); fixed: every run uses the "
        "scenario's own attributes",
    )
    parser.add_argument("--priors", type=Path, metavar="FILE", help="another priors table (TOML)")
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"a smoke test: scale {QUICK['scale']}, {QUICK['population']} particles x "
        f"{QUICK['generations']} generations",
    )
    parser.add_argument("--resume", action="store_true", help="continue a calibration in --out")
    parser.add_argument("--overwrite", action="store_true", help="replace a calibration in --out")
    parser.add_argument(
        "--apply",
        type=Path,
        metavar="DIR",
        help="do not calibrate: write a finished calibration's point (--point) into the "
        "[calibrated: NAME] lines of the scenario files",
    )
    parser.add_argument(
        "--point",
        choices=("best", "median", "robust"),
        default="best",
        help="with --apply: the last generation's particle with the smallest distance (best), "
        "each parameter's posterior median (median), or the particle with the smallest mean "
        "distance when re-run with --rescore-seeds at the scenario's own candidates (robust; "
        "the scores are kept in DIR/robust.csv)",
    )
    parser.add_argument(
        "--rescore-seeds",
        type=positive_int,
        default=3,
        metavar="N",
        help="with --point robust: seeds 1..N per particle (3)",
    )
    parser.add_argument(
        "--scenarios",
        type=Path,
        metavar="DIR",
        help="with --apply: the scenario folder (default: the bundled scenarios)",
    )
    parser.add_argument(
        "--keep-missing",
        action="store_true",
        help="with --apply: keep the files' values of calibrated parameters the posterior "
        "lacks (a calibration made before they were calibrated); not with --point robust",
    )
    parser.set_defaults(handler=run_calibrate)
    return parser


def run_apply(args: argparse.Namespace) -> int:
    """`factions calibrate --apply DIR`: write one calibrated point into the scenario files."""
    try:
        from model.validation.apply import calibrated_point, write_back
        from model.validation.priors import load_priors
        from model.validation.scenarios import SCENARIO_DIR
    except ImportError as err:  # pragma: no cover - pyabc missing
        print(f"error: {err}; install the calibration extra", file=sys.stderr)
        return EXIT_BAD_INPUT
    folder = args.scenarios or SCENARIO_DIR
    if not Path(folder).is_dir():
        print(f"error: no scenario folder {folder}", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        table = load_priors(args.priors)
        fitted = calibrated_point(
            args.apply,
            args.point,
            table,
            seeds=range(1, args.rescore_seeds + 1),
            workers=args.workers or 1,
            keep_missing=args.keep_missing,
        )
    except (FileNotFoundError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    changed = write_back(fitted, folder)
    print(f"The {args.point} point of {args.apply}:")
    for name, value in fitted.items():
        print(f"  {name:<26} {value:g}")
    kept = [p.name for p in table.calibrated if p.name not in fitted]
    if kept:
        print("kept the files' values of (not in this posterior):", ", ".join(kept))
    print(f"wrote into {len(changed)} file(s):", *[f"  {p}" for p in changed], sep="\n")
    return EXIT_OK


def run_calibrate(args: argparse.Namespace) -> int:
    """`factions calibrate`: run or continue ABC-SMC and export the posterior."""
    if args.apply is not None:
        return run_apply(args)
    from model.validation.outputs import (
        OutputError,
        finish_replacement,
        lock_folder,
        prepare_output,
        set_aside,
        write_manifest,
    )

    try:
        from model.validation.calibrate import (
            CalibrationSettings,
            CalibrationUnavailable,
            posterior_summary,
            require_pyabc,
            run_calibration,
            table_identity,
        )
        from model.validation.priors import load_priors

        require_pyabc()
    except (ImportError, CalibrationUnavailable) as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.scheduler and args.sampler != "dask":
        print("error: --scheduler needs --sampler dask", file=sys.stderr)
        return EXIT_BAD_INPUT
    workers = args.workers or os.cpu_count() or 1
    out = args.out or DEFAULT_OUT
    table = load_priors(args.priors)
    settings = CalibrationSettings(
        scale=QUICK["scale"] if args.quick else args.scale,
        population=QUICK["population"] if args.quick else args.population,
        generations=QUICK["generations"] if args.quick else args.generations,
        min_epsilon=args.min_epsilon,
        min_acceptance=args.min_acceptance,
        workers=workers,
        sampler=args.sampler,
        scheduler=args.scheduler,
        max_weight_ratio=args.max_weight_ratio,
        distance=args.distance,
        candidates=args.candidates,
    )
    mark = settings.fingerprint({"priors": table_identity(table, settings.distance)})
    try:
        action = prepare_output(
            out, "calibration", fingerprint=mark, overwrite=args.overwrite, resume=args.resume
        )
    except OutputError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(
        f"Calibrating {len(table.calibrated)} parameters on 2010-2019: {settings.population} "
        f"particles x {settings.generations} generations at scale {settings.scale:g}, "
        f"{settings.sampler} sampler, {workers} worker(s), into {out}/"
    )
    started = time.perf_counter()
    with lock_folder(out):
        aside = set_aside(out) if action == "replace" else None
        out.mkdir(parents=True, exist_ok=True)
        write_manifest(out, "calibration", mark)
        try:
            result = run_calibration(out, settings, table=table)
        except ValueError as err:
            print(f"error: {err}", file=sys.stderr)
            return EXIT_BAD_INPUT
        finish_replacement(aside)
    summary = posterior_summary(result.posterior, table)
    print()
    for _, row in summary.iterrows():
        if row["median"] == row["median"]:
            print(
                f"  {row['parameter']:<26} {row['prior']:<26} median {row['median']:<10.4g} "
                f"5-95% {row['low']:.4g} - {row['high']:.4g}   shrinkage {row['shrinkage']:+.2f}"
            )
        else:
            print(
                f"  {row['parameter']:<26} {row['prior']:<26} not calibrated (drawn from the prior)"
            )
    unweighted = result.settings.get("unweighted_targets") or []
    if unweighted:
        print(
            f"\nwarning: {len(unweighted)} fit target(s) had no weight in the last generation "
            "(every run gave the same value, e.g. a contest none held), so the posterior is "
            "not fitted to them: " + ", ".join(unweighted)
        )
    print(
        f"\n{result.settings['generations_done']} generations, {result.settings['simulations']:,} "
        f"simulations; {time.perf_counter() - started:.0f} s. Results in {out}/"
    )
    return EXIT_OK
