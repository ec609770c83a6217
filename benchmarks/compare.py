"""Two full-run benchmark results side by side, as a Markdown table.

Reads the JSON that `benchmarks/run.py --only full` writes (its `full_run`
part) for a "before" and an "after" run and prints, per stage and in total,
the wall seconds (best repeat) and the CPU seconds (least over repeats),
with the peak RSS and the machine's load average during each.

Usage:
    python benchmarks/compare.py benchmarks/results/speed-before-default.json \\
        benchmarks/results/speed-after-default.json
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


def load_full_run(path: Path) -> dict[str, Any]:
    """The `full_run` part of a benchmark result file."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if "full_run" not in data:
        raise SystemExit(f"{path}: no full_run (run benchmarks/run.py with --only full)")
    full = data["full_run"]
    full["git_revision"] = data.get("git_revision")
    full["label"] = data.get("label")
    return full


def _load(full: dict[str, Any]) -> str:
    pairs = full.get("load_average_all") or [
        [full.get("load_average_before", 0.0), full.get("load_average_after", 0.0)]
    ]
    values = [v for pair in pairs for v in pair]
    return f"{min(values):.1f}-{max(values):.1f}"


def table(before: dict[str, Any], after: dict[str, Any]) -> str:
    """The Markdown table comparing two full runs."""

    def cpu(full: dict[str, Any]) -> dict[str, float]:
        return full.get("stages_cpu_s_min") or full.get("stages_cpu_s") or {}

    stages = sorted(
        set(before["stages_s"]) | set(after["stages_s"]),
        key=lambda st: -before["stages_s"].get(st, 0.0),
    )
    lines = [
        f"| {before['scenario']}, {before['months']} months, scale {before['scale']:g} "
        "| before wall | after wall | before CPU | after CPU |",
        "|---|---:|---:|---:|---:|",
        f"| **whole run** (set-up included) | **{before['wall_s']:.1f} s** "
        f"| **{after['wall_s']:.1f} s** | {before['cpu_s']:.1f} s | {after['cpu_s']:.1f} s |",
    ]
    for stage in stages:
        b_wall, a_wall = before["stages_s"].get(stage, 0.0), after["stages_s"].get(stage, 0.0)
        b_cpu, a_cpu = cpu(before).get(stage), cpu(after).get(stage)
        lines.append(
            f"| {stage} | {b_wall:.2f} | {a_wall:.2f} "
            f"| {'' if b_cpu is None else f'{b_cpu:.2f}'} "
            f"| {'' if a_cpu is None else f'{a_cpu:.2f}'} |"
        )
    lines += [
        f"| peak RSS | {before['peak_rss_mb_max']:.0f} MiB | {after['peak_rss_mb_max']:.0f} MiB | | |",
        f"| load average (1 min) during the repeats | {_load(before)} | {_load(after)} | | |",
        f"| repeats (best wall / least CPU shown) | {before['repeats']} | {after['repeats']} | | |",
        f"| revision | {before['git_revision']} | {after['git_revision']} | | |",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Print the table for the two files given."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    args = parser.parse_args(argv)
    print(table(load_full_run(args.before), load_full_run(args.after)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
