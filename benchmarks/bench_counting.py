"""Benchmark: counting a 550,000-voter electoral college.

Builds 550,000 random voters (5 candidates, truncated rankings, 3 sections of
very different sizes, like MPs / members / affiliates), then times:

* ``group_ballots``: one row per voter -> grouped ballots;
* ``count_ballots`` on the grouped profile, as a college (thirds) and as OMOV;
* the whole path from per-voter rows (grouping + college count);
* ``count_ballots`` straight on an ungrouped one-row-per-voter profile.

Each figure is the median of several repeats. Prints a table and writes
``benchmarks/results/counting.json`` with the figures, the machine and a timestamp.

Usage: ``python benchmarks/bench_counting.py [--repeats N] [--voters N]``
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from model.counting.count import BallotProfile, count_ballots, group_ballots  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "counting.json"
CANDIDATES = ("Candidate A", "Candidate B", "Candidate C", "Candidate D", "Candidate E")
SECTIONS = ("mps_meps", "members", "affiliates")
SECTION_SHARES = (0.0005, 0.5995, 0.4)  # a few hundred MPs, then members and affiliates
THIRDS = dict.fromkeys(SECTIONS, "1/3")


def make_voters(n_voters: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Random truncated rankings (-1 padded) and a section per voter."""
    rng = np.random.default_rng(seed)
    n_candidates = len(CANDIDATES)
    # Unequal popularity so that the count runs to several rounds, as real ones do.
    keys = rng.random((n_voters, n_candidates)) ** (1 / np.array([1.6, 1.5, 1.0, 0.9, 0.8]))
    order = np.argsort(-keys, axis=1)
    lengths = rng.integers(1, n_candidates + 1, n_voters)
    rankings = np.where(np.arange(n_candidates) < lengths[:, None], order, -1)
    sections = rng.choice(len(SECTIONS), size=n_voters, p=SECTION_SHARES)
    return rankings, sections


def median_seconds(task: Callable[[], object], repeats: int) -> tuple[float, list[float]]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        task()
        times.append(time.perf_counter() - start)
    return statistics.median(times), times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voters", type=int, default=550_000)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--seed", type=int, default=2010)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)

    rankings, sections = make_voters(args.voters, args.seed)

    def group() -> BallotProfile:
        return group_ballots(rankings, sections, candidates=CANDIDATES, section_names=SECTIONS)

    grouped = group()
    college = count_ballots(grouped, weights=THIRDS)
    per_voter = BallotProfile(
        CANDIDATES, rankings, np.ones(args.voters, dtype=np.int64), sections, SECTIONS
    )
    assert count_ballots(per_voter, weights=THIRDS) == college  # same ballots, same count

    tasks = {
        "group_ballots (per-voter rows -> groups)": group,
        "count_ballots, college, grouped": lambda: count_ballots(grouped, weights=THIRDS),
        "count_ballots, OMOV, grouped": lambda: count_ballots(grouped),
        "group + college count, from per-voter rows": lambda: count_ballots(
            group(), weights=THIRDS
        ),
        "count_ballots, college, ungrouped (1 row per voter)": lambda: count_ballots(
            per_voter, weights=THIRDS
        ),
    }
    figures = {}
    for name, task in tasks.items():
        task()  # warm-up
        median, times = median_seconds(task, args.repeats)
        figures[name] = {"median_s": median, "min_s": min(times), "max_s": max(times)}

    width = max(len(name) for name in figures)
    print(
        f"{args.voters:,} voters, {len(CANDIDATES)} candidates, {len(SECTIONS)} sections, "
        f"{grouped.rankings.shape[0]:,} distinct (section, ranking) groups, "
        f"{len(college.rounds)} rounds, median of {args.repeats}"
    )
    print(f"{'task':<{width}}  {'median ms':>10}  {'min ms':>8}  {'max ms':>8}")
    for name, f in figures.items():
        print(
            f"{name:<{width}}  {1000 * f['median_s']:>10.2f}  {1000 * f['min_s']:>8.2f}  "
            f"{1000 * f['max_s']:>8.2f}"
        )

    record = {
        "benchmark": "counting",
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
        "voters": args.voters,
        "candidates": len(CANDIDATES),
        "sections": list(SECTIONS),
        "groups": int(grouped.rankings.shape[0]),
        "rounds": len(college.rounds),
        "winner": college.winner,
        "repeats": args.repeats,
        "seed": args.seed,
        "figures_seconds": figures,
        "machine": {
            "platform": platform.platform(),
            "processor": platform.processor() or platform.machine(),
            "python": platform.python_version(),
            "numpy": np.__version__,
            "cpu_count": os.cpu_count(),
        },
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
