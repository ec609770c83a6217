"""The `factions validate-history` subcommand.

    factions validate-history [--calibrate | --calibration DIR | --prior-predictive]
                              [--draws N] [--seeds N] [--scale S] [--workers N]
                              [--out DIR] [--quick] [--resume] [--overwrite]
                              [--publish [DOCS]] [--no-counterfactuals] [--priors FILE]
                              [--population N] [--generations N]
    factions validate-history --check-scale [--scales A,B] [--scale-seeds N] [--out DIR]

Calibrates on 2010–2019 (with --calibrate), runs the posterior predictive
(draws × seeds × campaign shocks) of the historical scenarios and the
counterfactuals, scores every published figure in model/data/labour/
labour_history.json against it, checks the patterns, and writes the tables,
the figures and the validation page (validation.md) into --out; --publish also
writes docs/validation.md and docs/images/. See model/validation/ and
docs/validation.md.

An existing folder is never replaced unless --overwrite; --resume continues an
interrupted validation (finished runs are kept). Bad input prints one line and
exits with status 2.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from model.cli.args import EXIT_BAD_INPUT, EXIT_OK, fraction, positive_int, scale_value

QUICK = {"scale": 0.02, "draws": 2, "seeds": 2, "population": 4, "generations": 2}
"""--quick: a smoke test (tiny scale, few draws, a two-generation calibration)."""

DEFAULT_OUT = Path("results") / "validation"
QUICK_OUT = Path("results") / "validation-quick"
SCALE_OUT = Path("results") / "validation-scale"


def scale_pair(text: str) -> tuple[float, float]:
    """argparse type: two scales "A,B", each in (0, 2]."""
    parts = text.split(",")
    if len(parts) != 2:
        raise argparse.ArgumentTypeError(f"expected two scales as A,B (e.g. 0.1,1.0), got {text}")
    a, b = (scale_value(p.strip()) for p in parts)
    if a == b:
        raise argparse.ArgumentTypeError(f"the two scales must differ, got {text}")
    return a, b


def add_validate_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add `validate-history` to the `factions` subcommands.

    Args:
        sub: the subparsers of the `factions` parser.

    Returns:
        The new subparser (its handler is `run_validate`).
    """
    parser = sub.add_parser(
        "validate-history",
        help="calibrate on 2010-2019, forecast 2020-2024 and score it against the record",
        description=(
            "Calibrate on the past (2010-2019), run the posterior predictive of the historical "
            "scenarios and the counterfactuals (parameter draws x seeds x campaign shocks), "
            "score every published figure (coverage, CRPS, interval and Brier scores against "
            "a naive baseline), check the patterns, and write the tables, figures and the "
            "validation page."
        ),
    )
    source = parser.add_mutually_exclusive_group()
    source.add_argument(
        "--calibrate", action="store_true", help="calibrate first (into OUT/calibration)"
    )
    source.add_argument(
        "--calibration", type=Path, metavar="DIR", help="use the posterior of `factions calibrate`"
    )
    source.add_argument(
        "--prior-predictive", action="store_true", help="draw from the priors (no calibration)"
    )
    parser.add_argument("--draws", type=positive_int, default=100, help="parameter draws (100)")
    parser.add_argument("--seeds", type=positive_int, default=2, help="seeds per draw (2)")
    parser.add_argument(
        "--scale",
        type=scale_value,
        help="party.scale (default: the calibration's, else the scenarios')",
    )
    parser.add_argument(
        "--workers", type=positive_int, help="worker processes (default: one per CPU)"
    )
    parser.add_argument(
        "--out", type=Path, help=f"result folder (default {DEFAULT_OUT}; {QUICK_OUT} with --quick)"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help=(
            f"a smoke test: scale {QUICK['scale']}, {QUICK['draws']} draws x {QUICK['seeds']} seeds, "
            f"a {QUICK['generations']}-generation calibration of {QUICK['population']} particles, "
            "no counterfactuals (under a minute)"
        ),
    )
    parser.add_argument("--resume", action="store_true", help="continue an interrupted validation")
    parser.add_argument("--overwrite", action="store_true", help="replace a validation in --out")
    parser.add_argument(
        "--publish",
        nargs="?",
        const=Path("docs"),
        type=Path,
        metavar="DOCS",
        help="also write DOCS/validation.md and DOCS/images/ (default DOCS: docs)",
    )
    parser.add_argument(
        "--no-counterfactuals", action="store_true", help="run the historical scenarios only"
    )
    parser.add_argument("--priors", type=Path, metavar="FILE", help="another priors table (TOML)")
    parser.add_argument(
        "--population", type=positive_int, default=150, help="calibration particles (150)"
    )
    parser.add_argument(
        "--generations", type=positive_int, default=6, help="calibration generations (6)"
    )
    parser.add_argument(
        "--calibration-scale", type=scale_value, default=0.1, help="scale of the calibration (0.1)"
    )
    parser.add_argument(
        "--min-acceptance",
        type=fraction,
        default=0.05,
        help="stop the calibration when a generation's acceptance would fall below this (0.05)",
    )
    parser.add_argument(
        "--check-scale",
        action="store_true",
        help="only compare outcome distributions at two scales (--scales) and report",
    )
    parser.add_argument(
        "--scales",
        type=scale_pair,
        default=(0.1, 1.0),
        help="the two scales of --check-scale (0.1,1.0)",
    )
    parser.add_argument(
        "--scale-seeds", type=positive_int, default=30, help="seeds per scale in --check-scale (30)"
    )
    parser.set_defaults(handler=run_validate)
    return parser


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return EXIT_BAD_INPUT


def run_validate(args: argparse.Namespace) -> int:
    """`factions validate-history`: calibrate, run, score, write.

    Args:
        args: the parsed arguments.

    Returns:
        0 on success, 2 on bad input (an unusable --out, a missing posterior,
        a bad priors table), 130 when interrupted.
    """
    from model.validation.outputs import OutputError

    workers = args.workers or os.cpu_count() or 1
    if args.check_scale:
        return _check_scale(args, workers)
    try:
        import model.validation.workflow as workflow
        from model.validation.calibrate import CalibrationSettings
    except ImportError as err:  # pragma: no cover - pyabc missing
        return _fail(f"{err}; install the calibration extra: pip install -e '.[calibrate]'")

    quick = args.quick
    out = args.out or (QUICK_OUT if quick else DEFAULT_OUT)
    calibrate = args.calibrate or (quick and args.calibration is None and not args.prior_predictive)
    if calibrate:
        from model.validation.calibrate import CalibrationUnavailable, require_pyabc

        try:
            require_pyabc()
        except CalibrationUnavailable as err:
            return _fail(str(err))
    source = "prior" if args.prior_predictive else "posterior"
    if source == "posterior" and not calibrate and args.calibration is None:
        return _fail(
            "no posterior to draw from: pass --calibrate (calibrate first), --calibration DIR "
            "(a folder written by `factions calibrate`) or --prior-predictive"
        )
    settings = workflow.ValidationSettings(
        draws=QUICK["draws"] if quick else args.draws,
        seeds=QUICK["seeds"] if quick else args.seeds,
        scale=QUICK["scale"] if quick else args.scale,
        counterfactuals=not (args.no_counterfactuals or quick),
        source=source,
    )
    calibration = None
    if calibrate:
        if quick:
            calibration = CalibrationSettings(
                scale=QUICK["scale"], population=QUICK["population"],
                generations=QUICK["generations"], workers=workers,
            )  # fmt: skip
        else:
            calibration = CalibrationSettings(
                scale=args.scale or args.calibration_scale,
                population=args.population,
                generations=args.generations,
                min_acceptance=args.min_acceptance,
                workers=workers,
            )
    print(
        f"Validating against {'model/data/labour/labour_history.json'}: {settings.draws} draws x "
        f"{settings.seeds} seeds from the {source}"
        + (f" (calibrating first: {calibration.population} particles x {calibration.generations} "
           f"generations at scale {calibration.scale:g})" if calibration else "")
        + f", {workers} worker(s), into {out}/"
    )  # fmt: skip
    started = time.perf_counter()
    try:
        result = workflow.validate_history(
            out,
            settings,
            workers=workers,
            calibration=calibration,
            posterior_dir=args.calibration,
            priors=args.priors,
            overwrite=args.overwrite,
            resume=args.resume,
            publish=args.publish,
        )
    except (OutputError, FileNotFoundError) as err:
        return _fail(str(err))
    except ValueError as err:
        if "calibration with other settings" in str(err) or "posterior lacks" in str(err):
            return _fail(str(err))
        raise
    _summary(result, time.perf_counter() - started)
    return EXIT_OK


def _summary(result: object, seconds: float) -> None:
    """Print the headline and the files written."""
    from model.validation.markdown import fmt

    h = result.settings["headline"]  # type: ignore[attr-defined]
    scores = result.scores  # type: ignore[attr-defined]
    print()
    for _, row in scores.iterrows():
        print(
            f"  {row['period']:<10} {row['role']:<9} {row['rows']:>3} rows   coverage 50/80/90%: "
            f"{fmt(row['coverage_50'], 'share'):>4} {fmt(row['coverage_80'], 'share'):>4} "
            f"{fmt(row['coverage_90'], 'share'):>4}   median CRPS skill {fmt(row['median_skill_crps'], 'skill')}"
        )
    print(
        f"\n  forecast rows inside their 90% interval: {h['forecast_inside_90']} of "
        f"{h['forecast_rows']} ({fmt(h['forecast_share_90'], 'share')}; goal "
        f"{fmt(h['goal_share_90'], 'share')}); not modelled yet: {h['forecast_not_modelled']}"
    )
    print(f"  Keir Starmer wins 2020 in {fmt(h['winner_2020_p'], 'share')} of runs (goal: 50%)")
    failed = result.settings["failed_runs"]  # type: ignore[attr-defined]
    if failed:
        print(f"\n{len(failed)} run(s) failed:", *failed[:10], sep="\n  ")
    folder = result.folder  # type: ignore[attr-defined]
    print(f"\nResults written to {folder}/ in {seconds:.0f} s")
    for path in result.files:  # type: ignore[attr-defined]
        try:
            print(f"  {path.relative_to(folder)}")
        except ValueError:
            print(f"  {path}")


def _check_scale(args: argparse.Namespace, workers: int) -> int:
    """`--check-scale`: compare the fit targets' distributions at two scales."""
    from model.records.writers import atomic_write, write_text
    from model.validation.outputs import (
        OutputError,
        finish_replacement,
        lock_folder,
        prepare_output,
        set_aside,
        write_manifest,
    )
    from model.validation.scale import compare_scales, scale_markdown

    out = args.out or SCALE_OUT
    scales = tuple(args.scales)
    mark = f"scales={scales[0]:g},{scales[1]:g};seeds={args.scale_seeds}"
    try:
        action = prepare_output(
            out, "scale-check", fingerprint=mark, overwrite=args.overwrite, resume=args.resume
        )
    except OutputError as err:
        return _fail(str(err))
    print(
        f"Comparing scales {scales[0]:g} and {scales[1]:g}: {args.scale_seeds} seeds each, into {out}/"
    )
    with lock_folder(out):
        aside = set_aside(out) if action == "replace" else None
        out.mkdir(parents=True, exist_ok=True)
        write_manifest(out, "scale-check", mark)
        started = time.perf_counter()
        frame = compare_scales(out / "runs", scales, seeds=args.scale_seeds, workers=workers)
        text = scale_markdown(frame, scales)
        text += f"\nWall time {time.perf_counter() - started:.0f} s on {workers} worker(s).\n"
        atomic_write(out / "scale_check.csv", lambda p: frame.to_csv(p, index=False))
        write_text(out / "scale_check.md", text)
        finish_replacement(aside)
    print(text)
    return EXIT_OK
