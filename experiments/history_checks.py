"""Does the continuous 2010-2024 run get the past right? The checks of issue 14, over seeds.

Runs ``labour_2010_2024`` (one continuous run: every contest, round and
rule change is the model's own; the calibration may use data up to the split,
December 2019, and nothing later: ``model.validation.split``) and reports,
per seed and in summary, each line marked (fit) or (forecast) by the split:

* 2010: Ed Miliband's share of the members' section in the last round
  (published 45.6%: below half) [data: leadership_elections.2010];
* 2015 and 2016: Corbyn's first-round share (59.5%, 61.8%);
* 2020 (forecast): the winner and Starmer's first-round share (56.2%);
* the 2019 trigger round (fit): full selections (6 MPs triggered,
  1 deselected) [data: trigger_ballots_and_reselection.round_2019];
* the 2021-23 round (forecast; the model's is in June 2022): MPs
  deselected, and how many of them stood left of the PLP's median (the one
  known, Sam Tarry, was of the left)
  [data: trigger_ballots_and_reselection.round_2021_2023];
* membership at year ends (fit targets to 2019, forecasts after), the peak
  year and the fall from the
  2020 level to December 2024 (the real one: about a third);
* Momentum: CLPs held before its founding in October 2015 (must be none);
* the PLP's median in 2019 and at the end.

    python experiments/history_checks.py --seeds 10 --scale 1.0 [--workers 2] [--out PATH]

Writes one CSV row per seed (to --out, default results/history_checks.csv,
never over an existing file) and prints the summary.
"""

from __future__ import annotations

import argparse
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import _checkout  # noqa: F401  (this checkout's `model`, not another's)
import numpy as np
import pandas as pd

from model import PartyModel, load_scenario
from model.records.events import LeadershipContest, TriggerBallot
from model.scenario.bundled import bundled_dir
from model.validation.split import SPLIT

ELECTION_2015, ELECTION_2019 = "2015-05", "2019-12"  # [data: general_elections]
FOUNDED = "2015-10"  # Momentum [data: momentum_and_factions.founded]
# Year-end full members [data: membership.year_end_series]; to 2019 they are fit targets.
PUBLISHED_MEMBERS = {
    "2010": 193261,
    "2015": 388262,
    "2016": 543645,
    "2017": 564443,
    "2019": 532046,
    "2020": 523332,
    "2024": 333235,
}


def first_round_share(contest: LeadershipContest, name: str) -> float:
    """A candidate's first-round share of the whole vote (college: weighted), in %."""
    totals = contest.count["rounds"][0]["totals_pct"]
    return float(totals.get(name, 0.0))


def cohort_share(cohort: dict[str, int], name: str) -> float | None:
    """A candidate's share (%) of one cohort's first preferences (None: nobody voted)."""
    total = sum(cohort.values())
    return round(100 * cohort.get(name, 0) / total, 1) if total else None


def one_run(args: tuple[int, float], scenario: Any = None) -> dict[str, Any]:
    """The checks for one seed (of `labour_2010_2024`, or of a variant of it, `scenario`)."""
    seed, scale = args
    if scenario is None:
        scenario = load_scenario(bundled_dir() / "labour_2010_2024.toml").with_changes(
            {"party.scale": scale}
        )
    party = PartyModel(scenario, rng=seed)
    party.run_for(scenario.calendar.months)
    row: dict[str, Any] = {"seed": seed, "scale": scale}
    contests = {c.month[:4]: c for c in party.events.of_type(LeadershipContest) if c.count}
    if "2010" in contests:
        last = contests["2010"].count["rounds"][-1]["percentages"]["members"]
        row["2010 EdM members last round %"] = round(float(last.get("Ed Miliband", 0.0)), 1)
    for year in ("2015", "2016"):
        if year in contests:
            row[f"{year} Corbyn R1 %"] = round(
                first_round_share(contests[year], "Jeremy Corbyn"), 1
            )
    for year in ("2015", "2016"):
        if year in contests and contests[year].members_by_joining_month:
            before, since = contests[year].members_by_cohort([ELECTION_2015])
            for label, cohort in (("before", before), ("since", since)):
                share = cohort_share(cohort, "Jeremy Corbyn")
                if share is not None:
                    row[f"{year} Corbyn % of members joined {label} GE2015"] = share
    if "2020" in contests:
        row["2020 winner"] = contests["2020"].winner
        if contests["2020"].members_by_joining_month:
            cohorts = contests["2020"].members_by_cohort([ELECTION_2015, ELECTION_2019])
            for label, cohort in zip(("<2015", "2015-19", "since GE2019"), cohorts, strict=True):
                share = cohort_share(cohort, "Keir Starmer")
                if share is not None:
                    row[f"2020 Starmer % of members joined {label}"] = share
        row["2020 Starmer R1 %"] = round(first_round_share(contests["2020"], "Keir Starmer"), 1)
    rounds = [t for t in party.events.of_type(TriggerBallot) if t.month == "2019-09"]
    row["2019 full selections"] = sum(bool(t.outcome.get("full_selection")) for t in rounds)
    row["2019 deselected"] = sum(t.result == "deselected" for t in rounds)
    later = [
        t
        for t in party.events.of_type(TriggerBallot)
        if "2021" <= t.month <= "2023-12" and t.result == "deselected"
    ]
    s = party.series().set_index("date")
    row["2021-23 deselected"] = len(later)
    row["2021-23 deselected left of the PLP"] = sum(
        t.mp_ideology < float(s.loc[t.month, "plp_median"]) for t in later
    )
    members = s["members_full"] / scale
    year_end = members[members.index.str.endswith("-12")]
    row["members peak year"] = int(year_end.idxmax()[:4])
    for year in PUBLISHED_MEMBERS:
        row[f"members {year}-12"] = int(members.loc[f"{year}-12"])
    row["fall 2020-2024 %"] = round(100 * (1 - members.loc["2024-12"] / members.loc["2020-12"]), 1)
    before = s.loc[s.index < FOUNDED, "clps_momentum"] if "clps_momentum" in s else s.iloc[:0, :1]
    row["Momentum CLPs before founding"] = int(before.max()) if len(before) else 0
    row["PLP median 2019-11"] = round(float(s.loc["2019-11", "plp_median"]), 3)
    row["PLP median end"] = round(float(s["plp_median"].iloc[-1]), 3)
    if "clps_momentum" in s:
        row["Momentum CLPs 2019-12"] = int(s.loc["2019-12", "clps_momentum"])
        row["Momentum CLPs 2024-12"] = int(s["clps_momentum"].iloc[-1])
    return row


def summary(rows: list[dict[str, Any]]) -> list[str]:
    """One line per check: the spread over seeds against the published figure."""
    lines = []

    def spread(key: str, per: float = 1.0, digits: int = 1) -> str:
        v = np.array([r[key] for r in rows if key in r], dtype=float) / per
        if not v.size:
            return "not held"
        low, high = np.quantile(v, 0.1), np.quantile(v, 0.9)
        return f"median {np.median(v):.{digits}f} (10-90%: {low:.{digits}f}-{high:.{digits}f})"

    winners = [r.get("2020 winner") for r in rows]
    starmer = sum(w == "Keir Starmer" for w in winners)
    lines += [
        f"2010 Ed Miliband, members' section, last round: {spread('2010 EdM members last round %')}  [published 45.6]",
        f"2015 Corbyn first round: {spread('2015 Corbyn R1 %')}  [published 59.5]",
        f"2015 Corbyn, members joined before / since the 2015 election: "
        f"{spread('2015 Corbyn % of members joined before GE2015')} / "
        f"{spread('2015 Corbyn % of members joined since GE2015')}  "
        "[YouGov Aug 2015: pre-2015 members 'very close', newer 'extremely pro-Corbyn']",
        f"2016 Corbyn first round: {spread('2016 Corbyn R1 %')}  [published 61.8]",
        f"2016 Corbyn, members joined before / since the 2015 election: "
        f"{spread('2016 Corbyn % of members joined before GE2015')} / "
        f"{spread('2016 Corbyn % of members joined since GE2015')}  "
        "[YouGov Aug 2016, PMP: Smith led among pre-2015 members, so below 50]",
        f"2020 Starmer wins in {starmer} of {len(rows)} runs; first round {spread('2020 Starmer R1 %')}  [published 56.2] (forecast)",
        f"2020 Starmer, members joined before 2015 / 2015-19 / since the 2019 election: "
        f"{spread('2020 Starmer % of members joined <2015')} / "
        f"{spread('2020 Starmer % of members joined 2015-19')} / "
        f"{spread('2020 Starmer % of members joined since GE2019')}  "
        "[YouGov poll Feb 2020: 56 / 43 / 67] (forecast)",
        f"2019 round, full selections: {spread('2019 full selections')}; deselected {spread('2019 deselected')}  [published 6 triggered, 1 deselected] ({SPLIT.period_of('2019-09')})",
        f"2021-23 round, deselected: {spread('2021-23 deselected')}, of whom left of the PLP's median: {spread('2021-23 deselected left of the PLP')}  [published: Tarry, of the left; the total not found] (forecast)",
        *(
            f"members at the end of {year} (thousands): "
            f"{spread(f'members {year}-12', per=1000, digits=0)}  [published {published / 1000:.0f}]"
            + f" ({SPLIT.period_of(f'{year}-12')})"
            for year, published in PUBLISHED_MEMBERS.items()
        ),
        f"membership peak year: {spread('members peak year')}  [published 2017: 564,443] (forecast)",
        f"membership fall 2020-12 -> 2024-12 (%): {spread('fall 2020-2024 %')}  [published about a third] (forecast)",
        f"Momentum CLPs before October 2015: max {max(r['Momentum CLPs before founding'] for r in rows)}  [must be 0]",
        f"PLP median 2019-11: {spread('PLP median 2019-11')}; at the end: {spread('PLP median end')}",
        f"Momentum CLPs at the end of 2019: {spread('Momentum CLPs 2019-12')}; of 2024: {spread('Momentum CLPs 2024-12')}",
    ]
    return lines


def main(argv: list[str] | None = None) -> int:
    """Run the seeds, write the CSV, print the summary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path("results/history_checks.csv"))
    args = parser.parse_args(argv)
    if args.out.exists():
        print(f"{args.out} exists: choose another --out", file=sys.stderr)
        return 2
    jobs = [(seed, args.scale) for seed in range(1, args.seeds + 1)]
    if args.workers > 1:
        with ProcessPoolExecutor(args.workers) as pool:
            rows = list(pool.map(one_run, jobs))
    else:
        rows = [one_run(job) for job in jobs]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_suffix(".part")  # moved into place only when complete
    pd.DataFrame(rows).to_csv(tmp, index=False)
    tmp.replace(args.out)
    print(f"labour_2010_2024, {len(rows)} seeds at scale {args.scale}: {args.out}")
    for line in summary(rows):
        print("  " + line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
