"""The 2010-2024 run over many seeds: rule changes, the 2021 college of thirds, UNISON in 2020, the NEC.

Runs ``scenarios/labour_2010_2024.toml`` (nothing forced: every rule change
goes through the affiliates, the NEC and a card vote) and prints, against
the published record:

* for each historical rule change: the share of runs in which it passed,
  and its card-vote share (median and 10-90% range) with each half's;
* the 2021 college of thirds: withdrawn, defeated or passed; the package;
* UNISON's nominee in 2015, 2016 and 2020 (and every union's in 2020);
* NEC CLP-section seats by faction at each published election;
* the deputy contests' winners.

    python experiments/history_2010_2024.py --seeds 20 --scale 0.05 [--workers 2]
"""

from __future__ import annotations

import argparse
import json
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import _checkout  # noqa: F401  (this checkout's `model`, not another's)
import numpy as np

from model import PartyModel, load_scenario

SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "labour_2010_2024.toml"
ROOT_SEED = 20100925

# What the sources published (labour_history.json / labour_politics.json).
PUBLISHED_VOTES = {
    "Refounding Labour": (
        2011,
        "nearly 94% [politics: conference_and_nec_rule_votes.2011_refounding_labour]",
    ),
    "Collins review": (
        2014,
        "86.29% [data: rule_changes.2014_collins_review.special_conference]; about a quarter of CLP delegates and 2 unions against",
    ),
    "MEPs nominate": (2015, "passed (share not found) [data: rule_changes.2015_conference]"),
    "NEC compromise": (
        2017,
        "passed (share not found) [data: rule_changes.2017_conference_mcdonnell_amendment]",
    ),
    "Leadership nominations": (
        2018,
        "63.9%; CLPs ~30% for, affiliates ~98% [data: rule_changes.2018_conference_democracy_review.leadership_vote_pct_for]",
    ),
    "Trigger ballots": (
        2018,
        "65.3%; CLPs ~34% for, affiliates ~97% [data: trigger_ballots_and_reselection.rule_2018.conference_vote_pct_for]",
    ),
    "Open selection": (2018, "never voted: fell when the trigger reform passed"),
    "Lower the MP threshold": (2018, "not voted (the 2018 package answered it) [assumption]"),
    "Starmer's rule changes": (
        2021,
        "53.67% (halves not published) [data: rule_changes.2021_conference_starmer_reforms.conference_vote_pct]; college of thirds dropped before conference",
    ),
}
PUBLISHED_NEC = {
    "2016-08": "left 6 of 6 (block vote)",
    "2018-09": "left 9 of 9 (block vote)",
    "2020-04": "by-election: Progress/Labour First 2 of 2",
    "2020-11": "left 5, Labour to Win 3, Open Labour 1 (STV)",
    "2022-09": "left 4, Labour to Win 4, Open Labour 1 (STV)",
    "2024-09": "left 3, Labour to Win 4, Open Labour 1, Labour Women 1 (STV)",
}


def one_run(task: dict[str, Any]) -> dict[str, Any]:
    """One seed: the rows this script reports."""
    scenario = load_scenario(task["scenario"])
    if task.get("scale"):
        scenario = scenario.with_changes(party={"scale": task["scale"]})
    model = PartyModel(scenario, rng=task["seed"])
    model.run_for(scenario.calendar.months)
    out: dict[str, Any] = {
        "votes": [],
        "consultations": [],
        "withdrawn": [],
        "nominations": [],
        "nec": [],
        "contests": [],
        "deputies": [],
        "agenda": [],
        "nec_votes": [],
    }
    for e in model.events:
        if e.type == "conference_vote":
            out["votes"].append(
                {
                    "month": e.month,
                    "title": e.title,
                    "share": e.share_for,
                    "passes": e.passes,
                    "aff": e.affiliates_for,
                    "clp": e.clps_for,
                    "parts": e.parts,
                    "unions": {u["name"]: u["vote"] for u in e.unions},
                }
            )
        elif e.type == "affiliate_consultation":
            out["consultations"].append(
                {
                    "month": e.month,
                    "title": e.title,
                    "action": e.action,
                    "dropped": e.decision["dropped"],
                    "needs": e.needs_consultation,
                    "stances": {
                        s.get("name", str(i)): s["stance"] for i, s in enumerate(e.stances)
                    },
                }
            )
        elif e.type == "proposal_withdrawn":
            out["withdrawn"].append({"month": e.month, "title": e.title, "stage": e.stage})
        elif e.type == "union_nomination":
            out["nominations"].append(
                {
                    "month": e.month,
                    "office": e.office,
                    "union": e.union,
                    "nominee": e.nominee,
                    "reason": e.reason,
                }
            )
        elif e.type == "nec_election":
            out["nec"].append(
                {
                    "month": e.month,
                    "by_faction": e.seats_by_faction,
                    "by_slate": e.seats_by_slate,
                    "system": e.system,
                    "seats": e.seats,
                }
            )
        elif e.type == "leadership_contest" and e.winner:
            out["contests"].append({"month": e.month, "winner": e.winner})
        elif e.type == "deputy_contest" and e.winner:
            out["deputies"].append({"month": e.month, "winner": e.winner})
        elif e.type == "agenda_vote":
            out["agenda"].append(
                {
                    "month": e.month,
                    "proposal": e.proposal,
                    "share": e.share_for,
                    "passes": e.passes,
                    "aff": e.blocs["affiliates"]["share_for"],
                    "clp": e.blocs["clps"]["share_for"],
                }
            )
        elif e.type == "nec_vote":
            out["nec_votes"].append(
                {
                    "month": e.month,
                    "title": e.title,
                    "purpose": e.purpose,
                    "for": e.result["for"],
                    "against": e.result["against"],
                    "passes": e.result["passes"],
                }
            )
    return out


def _q(values: list[float]) -> str:
    if not values:
        return "–"
    a = np.asarray(values) * 100
    return f"{np.median(a):5.1f} ({np.quantile(a, 0.1):4.1f}–{np.quantile(a, 0.9):4.1f})"


def report(runs: list[dict[str, Any]], scenario: str = str(SCENARIO)) -> str:
    n = len(runs)
    lines = [f"{n} runs of {Path(scenario).name}", ""]
    lines.append(
        "Rule changes: share of runs voted / passed; card-vote share for, median (10–90%), and each half"
    )
    lines.append(
        f"{'proposal':<28} {'voted':>6} {'passed':>7}  {'share for %':<20} {'affiliates %':<20} {'CLPs %':<20} published"
    )
    for key, (year, published) in PUBLISHED_VOTES.items():
        votes = [
            v
            for r in runs
            for v in r["votes"]
            if v["title"].startswith(key) and v["month"].startswith(str(year))
        ]
        withdrawn = sum(
            any(
                w["title"].startswith(key) and w["month"][:4] in (str(year), str(year - 1))
                for w in r["withdrawn"]
            )
            for r in runs
        )
        voted = len({id(v) for v in votes})
        passed = sum(v["passes"] for v in votes)
        lines.append(
            f"{key:<28} {voted / n:6.0%} {passed / n:7.0%}  {_q([v['share'] for v in votes]):<20} "
            f"{_q([v['aff'] for v in votes]):<20} {_q([v['clp'] for v in votes]):<20} {published}"
            + (f"  [withdrawn in {withdrawn / n:.0%}]" if withdrawn else "")
        )
    lines.append("")
    lines.append("2021: what happened to the college of thirds (a part of the leader's changes)")
    fate = Counter()
    for r in runs:
        c = [
            c
            for c in r["consultations"]
            if c["month"].startswith("2021") and "Starmer" in c["title"]
        ]
        v = [v for v in r["votes"] if v["month"].startswith("2021") and "Starmer" in v["title"]]
        if not c:
            fate["not proposed"] += 1
        elif c[0]["action"] == "withdraw":
            fate["whole proposal withdrawn"] += 1
        elif "college of thirds" in c[0]["dropped"]:
            fate[
                "college dropped; package "
                + ("passed" if v and v[0]["passes"] else "failed" if v else "not tabled")
            ] += 1
        elif v:
            fate["college put to the vote and " + ("passed" if v[0]["passes"] else "defeated")] += 1
        else:
            fate["not tabled by the NEC"] += 1
    for k, m in fate.most_common():
        lines.append(f"  {k}: {m / n:.0%}")
    lines.append("")
    lines.append("Union nominations (leader): share of runs per nominee")
    for year in ("2010", "2015", "2016", "2020"):
        for union in ("Unite", "UNISON", "GMB", "USDAW", "CWU"):
            picks = Counter(
                x["nominee"] or "nobody"
                for r in runs
                for x in r["nominations"]
                if x["month"].startswith(year) and x["union"] == union and x["office"] == "leader"
            )
            if picks:
                lines.append(
                    f"  {year} {union:<7} "
                    + ", ".join(f"{k} {m / n:.0%}" for k, m in picks.most_common())
                )
    lines.append("")
    lines.append("NEC CLP section: seats by faction (median over runs) against the published")
    for month, published in PUBLISHED_NEC.items():
        rows = [e for r in runs for e in r["nec"] if e["month"] == month]
        if not rows:
            continue
        keys = sorted(
            {k for e in rows for k in (e["by_slate"] if e["seats"] < 9 else e["by_faction"])}
        )
        med = {
            k: np.median(
                [(e["by_slate"] if e["seats"] < 9 else e["by_faction"]).get(k, 0) for e in rows]
            )
            for k in keys
        }
        lines.append(
            f"  {month} ({rows[0]['system']}): "
            + ", ".join(f"{k} {v:g}" for k, v in med.items())
            + f"   published: {published}"
        )
    lines.append("")
    lines.append("Contests (winners, share of runs)")
    for kind in ("contests", "deputies"):
        by_month = defaultdict(Counter)
        for r in runs:
            for c in r[kind]:
                by_month[c["month"]][c["winner"]] += 1
        for month, counter in sorted(by_month.items()):
            lines.append(
                f"  {kind[:-1] if kind == 'contests' else 'deputy'} {month}: "
                + ", ".join(f"{k} {m / n:.0%}" for k, m in counter.most_common(4))
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--scale", type=float, default=0.05)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--scenario", default=str(SCENARIO))
    parser.add_argument("--json", help="also write the per-run rows to this file")
    args = parser.parse_args()
    seeds = [
        int(s.generate_state(1)[0]) for s in np.random.SeedSequence(ROOT_SEED).spawn(args.seeds)
    ]
    tasks = [{"scenario": args.scenario, "seed": s, "scale": args.scale} for s in seeds]
    if args.workers > 1:
        with ProcessPoolExecutor(args.workers) as pool:
            runs = list(pool.map(one_run, tasks))
    else:
        runs = [one_run(t) for t in tasks]
    print(report(runs, args.scenario))
    if args.json:
        Path(args.json).write_text(json.dumps(runs, indent=1))


if __name__ == "__main__":
    main()
