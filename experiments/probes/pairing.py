"""Whether conversations within CLPs part 0.1 from 1.0 (a probe; docs/calibration.md, eighteenth round).

Usage: python experiments/probes/pairing.py MODE N
  MODE "plain": the model as it is; "global": conversations pair any two
  members of the party, not two of one CLP. N seeds at 0.1 and 1.0.
"""

import sys
from concurrent.futures import ProcessPoolExecutor

import numpy as np
from scipy.stats import ks_2samp

from model import PartyModel, load_scenario
from model.mechanisms import dynamics

MODE = sys.argv[1] if len(sys.argv) > 1 else "plain"
SEEDS = int(sys.argv[2]) if len(sys.argv) > 2 else 16
_pair_within = dynamics.pair_within


def _one_group(members, group, rng, groups=None, shuffled=False):
    """`pair_within` with every member in one group."""
    return _pair_within(
        members,
        np.zeros_like(group),
        rng,
        groups=np.zeros(members.size, group.dtype),
        shuffled=shuffled,
    )


if MODE == "global":
    dynamics.pair_within = _one_group  # workers are forked, so they see the patch


def one(job: tuple[float, int]) -> tuple[float, int, int]:
    """Momentum's CLPs at the end and its untargeted AGM wins in 2022-2024."""
    scale, seed = job
    scenario = load_scenario("scenarios/labour_2015_2024.toml").with_changes({"party.scale": scale})
    party = PartyModel(scenario, rng=seed)
    party.run_for(scenario.calendar.months)
    untargeted = sum(
        1
        for e in party.events
        if type(e).__name__ == "Agm"
        and str(e.month)[:4] >= "2022"
        and "Momentum" not in e.targeted_by
        and e.control_after == "Momentum"
    )
    return scale, int((party.clps.control == 0).sum()), untargeted


if __name__ == "__main__":
    jobs = [(scale, seed) for seed in range(1, SEEDS + 1) for scale in (0.1, 1.0)]
    with ProcessPoolExecutor(2) as pool:
        runs = list(pool.map(one, jobs))
    for k, name in [(1, "Momentum's CLPs, end"), (2, "untargeted wins 2022-24")]:
        a = [r[k] for r in runs if r[0] == 0.1]
        b = [r[k] for r in runs if r[0] == 1.0]
        p = ks_2samp(a, b).pvalue
        print(
            f"{MODE} {name}: 0.1 {np.mean(a):.1f} ± {np.std(a):.1f}, 1.0 {np.mean(b):.1f} ± {np.std(b):.1f}, KS p {p:.3f}"
        )
