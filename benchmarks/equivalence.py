"""Two versions of the model give the same outcomes in distribution.

A change that draws the same distributions with different random numbers
(one binomial count instead of many Bernoullis, a sample instead of a shuffle)
changes every run seed by seed; what must not change is the distribution of
outcomes over seeds. This script runs each version for the same seeds and
compares key outcomes with two-sample tests (Kolmogorov-Smirnov and
Mann-Whitney on numbers; a chi-squared test on who wins a contest).

    # the old code: a worktree of the revision before the change
    git worktree add --detach /tmp/base REV
    nice -n 19 python benchmarks/equivalence.py run --code /tmp/base \\
        --out benchmarks/results/equivalence-old.json
    nice -n 19 python benchmarks/equivalence.py run --code . \\
        --out benchmarks/results/equivalence-new.json
    python benchmarks/equivalence.py compare benchmarks/results/equivalence-old.json \\
        benchmarks/results/equivalence-new.json

`run` runs every seed of every scenario in one fresh process per scenario
with `PYTHONPATH=CODE`, so the `model` package imported is that version's
(the JSON records which file it came from); runs are one at a time.
`compare` prints a Markdown table of p-values and exits 1 if more tests fall
below 0.01 than chance would explain (a binomial tail below 0.01 for the
number of tests).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SCENARIOS = ["scenarios/default.toml", "scenarios/labour_2015_2024.toml"]
# Months (1-based) at which the membership is compared, where a run has them.
MEMBERS_AT = (12, 36, 60, 96, 132)


def outcomes(series: Any, events: list[Any]) -> dict[str, Any]:
    """The outcomes compared, from one run's series and events (either version)."""
    last = series.iloc[-1]
    out: dict[str, Any] = {}
    for month in MEMBERS_AT:
        if month <= len(series):
            out[f"members_full@{month}"] = int(series["members_full"].iloc[month - 1])
    out["members_full@end"] = int(last["members_full"])
    out["joined_total"] = int(series["joined"].sum())
    out["lapsed_total"] = int(series["lapsed"].sum())
    out["ideology_median@end"] = float(last["ideology_median"])
    mid = len(series) // 2
    out[f"plp_median@{mid}"] = float(series["plp_median"].iloc[mid - 1])
    out["plp_median@end"] = float(last["plp_median"])
    for column in series.columns:
        if column.startswith("clps_"):
            out[f"{column}@end"] = int(last[column])
            out[f"{column}@{mid}"] = int(series[column].iloc[mid - 1])
    for column in ("deselections", "trigger_ballots_lost", "retirements", "seats"):
        if column in series.columns:
            out[f"{column}@end"] = float(last[column])
    full = [e for e in events if e.type == "trigger_ballot"]
    out["trigger_ballots"] = len(full)
    out["full_selections"] = sum(bool((e.outcome or {}).get("full_selection")) for e in full)
    out["open_selections"] = sum(e.type == "selection" for e in events)
    contests = [e for e in events if e.type == "leadership_contest" and e.outcome == "ballot"]
    out["leadership_ballots"] = len(contests)
    for k, contest in enumerate(contests[:3], start=1):
        out[f"contest{k}_winner"] = contest.winner
        out[f"contest{k}_winner_faction"] = contest.winner_faction
        out[f"contest{k}_winner_ideology"] = float(contest.winner_ideology)
        first = contest.count["rounds"][0]["totals_pct"]
        out[f"contest{k}_winner_first_round_pct"] = float(first[contest.winner])
        for name, pct in first.items():
            out[f"contest{k}_first_round_pct[{name}]"] = float(pct)
    return out


def worker(scenario_path: str, seeds: list[int], scale: float) -> None:
    """Run the seeds of one scenario in this process; print one JSON line per run."""
    import model
    from model.scenario.schema import load_scenario
    from model.study.run import simulate

    scenario = load_scenario(scenario_path).with_changes(party={"scale": scale})
    for seed in seeds:
        result = simulate(scenario, seed)
        line = {
            "scenario": scenario_path,
            "seed": seed,
            "model_file": model.__file__,
            "outcomes": outcomes(result.series, result.events),
        }
        print(json.dumps(line), flush=True)


def run(args: argparse.Namespace) -> None:
    """Run every scenario's seeds with the code in `args.code`; write the JSON."""
    code = Path(args.code).resolve()
    env = dict(os.environ, PYTHONPATH=str(code))
    runs = []
    for scenario in args.scenarios:
        command = [
            sys.executable,
            str(Path(__file__).resolve()),
            "worker",
            str(code / scenario),
            "--seeds",
            *map(str, range(1, args.seeds + 1)),
            "--scale",
            str(args.scale),
        ]
        done = subprocess.run(command, env=env, cwd=code, capture_output=True, text=True)
        if done.returncode:
            raise SystemExit(f"{scenario}: the worker failed\n{done.stderr}")
        for line in done.stdout.splitlines():
            entry = json.loads(line)
            entry["scenario"] = scenario
            if not entry["model_file"].startswith(str(code)):
                raise SystemExit(f"imported {entry['model_file']}, not the code in {code}")
            runs.append(entry)
        print(f"{scenario}: {args.seeds} seeds done", file=sys.stderr)
    revision = subprocess.run(
        ["git", "-C", str(code), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    data = {"code": str(code), "revision": revision, "scale": args.scale, "runs": runs}
    out.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")


def _binomial_tail(k: int, n: int, p: float) -> float:
    from scipy import stats

    return float(stats.binom.sf(k - 1, n, p))


def compare(args: argparse.Namespace) -> int:
    """Print the table of tests of old against new; 1 if too many fall below 0.01."""
    import numpy as np
    from scipy import stats

    old = json.loads(Path(args.old).read_text(encoding="utf-8"))
    new = json.loads(Path(args.new).read_text(encoding="utf-8"))
    print(
        f"old: {old['revision']} ({old['code']}), new: {new['revision']} ({new['code']}), "
        f"scale {old['scale']:g}\n"
    )
    print("| scenario | outcome | old mean (n) | new mean (n) | KS p | Mann-Whitney p |")
    print("|---|---|---:|---:|---:|---:|")
    pvalues: list[float] = []
    for scenario in sorted({r["scenario"] for r in old["runs"]}):
        a = [r["outcomes"] for r in old["runs"] if r["scenario"] == scenario]
        b = [r["outcomes"] for r in new["runs"] if r["scenario"] == scenario]
        keys = [k for k in a[0] if any(k in r for r in b)]
        keys += [k for r in a + b for k in r if k not in keys]
        seen: set[str] = set()
        for key in keys:
            if key in seen:
                continue
            seen.add(key)
            x = [r[key] for r in a if key in r]
            y = [r[key] for r in b if key in r]
            name = Path(scenario).stem
            if x and isinstance(x[0], str) or y and isinstance(y[0], str):
                # Who won: a chi-squared test of the two versions' tallies.
                names = sorted(set(x) | set(y))
                table = np.array([[x.count(n) for n in names], [y.count(n) for n in names]])
                tally = ", ".join(f"{n} {table[0, i]}/{table[1, i]}" for i, n in enumerate(names))
                p = 1.0
                if len(names) > 1:
                    p = float(stats.chi2_contingency(table)[1])
                pvalues.append(p)
                print(f"| {name} | {key} | {tally} | (old/new) | | {p:.3f} (chi²) |")
                continue
            # Outcomes present in too few runs of either version are skipped.
            if min(len(x), len(y)) < max(5, len(a) // 4):
                continue
            ks = float(stats.ks_2samp(x, y).pvalue)
            if np.ptp(x + y) == 0:
                mw = 1.0
            else:
                mw = float(stats.mannwhitneyu(x, y, alternative="two-sided").pvalue)
            pvalues.extend([ks, mw])
            flag = " **<0.01**" if min(ks, mw) < 0.01 else ""
            print(
                f"| {name} | {key} | {np.mean(x):.4g} ({len(x)}) | {np.mean(y):.4g} ({len(y)}) "
                f"| {ks:.3f} | {mw:.3f}{flag} |"
            )
    low = sum(p < 0.01 for p in pvalues)
    tail = _binomial_tail(low, len(pvalues), 0.01)
    print(
        f"\n{len(pvalues)} tests; {low} below 0.01 (chance alone: about "
        f"{0.01 * len(pvalues):.1f}; P(at least {low} by chance) = {tail:.3f}); "
        f"smallest p = {min(pvalues):.4f}"
    )
    return 1 if tail < 0.01 else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p_run = sub.add_parser("run", help="run the seeds with one version's code")
    p_run.add_argument("--code", default=str(ROOT), help="the version's checkout (default: here)")
    p_run.add_argument("--out", required=True)
    p_run.add_argument("--seeds", type=int, default=20, help="seeds 1..N (default 20)")
    p_run.add_argument("--scale", type=float, default=0.2)
    p_run.add_argument("--scenarios", nargs="+", default=SCENARIOS)
    p_worker = sub.add_parser("worker", help=argparse.SUPPRESS)
    p_worker.add_argument("scenario")
    p_worker.add_argument("--seeds", type=int, nargs="+", required=True)
    p_worker.add_argument("--scale", type=float, required=True)
    p_compare = sub.add_parser("compare", help="test the two versions' outcomes")
    p_compare.add_argument("old")
    p_compare.add_argument("new")
    args = parser.parse_args(argv)
    if args.command == "worker":
        worker(args.scenario, args.seeds, args.scale)
        return 0
    if args.command == "run":
        run(args)
        return 0
    return compare(args)


if __name__ == "__main__":
    sys.exit(main())
