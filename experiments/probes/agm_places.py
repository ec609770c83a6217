"""Untargeted AGMs at 0.1 and 1.0: places won for a given first-place vote share (a probe).

Needs a copy of `labour_2015_2024` with no organisers, at
`scenarios/zz_no_org.toml` (remove it afterwards):

    sed 's/^organisers = [0-9]*/organisers = 0/' scenarios/labour_2015_2024.toml > scenarios/zz_no_org.toml
    python experiments/probes/agm_places.py

Seeds 1-8, AGMs from 2022: for bins of Momentum's share of the first
place's votes, the chance it wins a majority of the places (6 of 10) and
its mean places. docs/calibration.md, twenty-first round.
"""

from concurrent.futures import ProcessPoolExecutor

import numpy as np

from model import PartyModel, load_scenario


def one(job):
    """Momentum's first-place share, places, control before and ties of each AGM from 2022."""
    scale, seed = job
    s = load_scenario("scenarios/zz_no_org.toml").with_changes({"party.scale": scale})
    p = PartyModel(s, rng=seed)
    p.run_for(s.calendar.months)
    rows = []
    for e in p.state.events._records:
        if type(e).__name__ == "Agm" and e.month >= "2022-01":
            v = e.votes
            tot = sum(v.values())
            rows.append(
                (
                    v["Momentum"] / max(tot, 1),
                    e.places["Momentum"],
                    e.control_before == "Momentum",
                    e.tie_broken,
                )
            )
    return scale, np.array(rows, dtype=float)


if __name__ == "__main__":
    jobs = [(sc, se) for se in range(1, 9) for sc in (0.1, 1.0)]
    with ProcessPoolExecutor(2) as ex:
        res = list(ex.map(one, jobs))
    bins = [0, 0.3, 0.4, 0.45, 0.5, 0.55, 0.6, 1.01]
    for sc in (0.1, 1.0):
        r = np.concatenate([x for s, x in res if s == sc])
        print(
            f"{sc}: {len(r)} meetings, held before {r[:, 2].mean():.3f}, ties {r[:, 3].mean():.3f}"
        )
        for lo, hi in zip(bins[:-1], bins[1:], strict=True):
            m = (r[:, 0] >= lo) & (r[:, 0] < hi)
            if m.sum():
                print(
                    f"  share {lo:.2f}-{hi:.2f}: n {m.sum():5d}  P(>=6 places) "
                    f"{(r[m, 1] >= 6).mean():.3f}  mean places {r[m, 1].mean():.2f}"
                )
