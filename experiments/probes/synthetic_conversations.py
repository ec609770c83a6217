"""How bounded-confidence conversations grow CLPs' differences from sampling noise (a probe).

Needs `lean_stand_ins.patch` applied (it adds `local_share` and `like_clps`
to `dynamics.influence`): `git apply experiments/probes/lean_stand_ins.patch`.

300 CLPs drawn alike (30% of members near -0.6, the rest near -0.15), 60
months of conversations alone (no pull, cue or drift). Prints the spread of
the CLPs' left shares beyond binomial noise: with 600 members a CLP (full
scale), with 60 (scale 0.1) meeting only their own CLP, and with 60 meeting
stand-ins from the rest of the party with chance 1 - local_share.
docs/calibration.md, eighteenth round.
"""

import numpy as np

from model.mechanisms import dynamics
from model.scenario.schema import InfluenceSpec


def excess_spread(x: np.ndarray, clp: np.ndarray, n_clps: int) -> float:
    """Variance of the CLPs' left shares (x < -0.45) beyond a binomial draw's."""
    left = (x < -0.45).astype(float)
    n = np.bincount(clp, minlength=n_clps).astype(float)
    share = np.bincount(clp, left, minlength=n_clps) / n
    return float(share.var() - np.mean(share * (1 - share) / (n - 1)))


def run(members: int, local_share: float, seed: int, months: int = 60, n_clps: int = 300) -> float:
    """The excess spread after `months` of conversations."""
    rng = np.random.default_rng(seed)
    clp = np.repeat(np.arange(n_clps), members)
    left = rng.random(clp.size) < 0.3
    x = np.where(left, rng.normal(-0.6, 0.12, clp.size), rng.normal(-0.15, 0.2, clp.size))
    params = InfluenceSpec(
        interaction_rate=0.3,
        confidence_bound=0.3,
        convergence=0.3,
        faction_pull=0.0,
        leader_cue=0.0,
        noise_sd=0.0,
    )
    faction = np.full(clp.size, -1, dtype=np.int16)
    trusts = np.zeros(clp.size, dtype=bool)
    active = np.ones(clp.size, dtype=bool)
    for _ in range(months):
        x = dynamics.influence(
            x, clp, faction, trusts, active,
            faction_lines=np.zeros(0), leader_ideology=0.0, params=params, rng=rng,
            local_share=local_share, like_clps=np.zeros(n_clps, dtype=np.intp),
        )  # fmt: skip
    return excess_spread(x, clp, n_clps)


if __name__ == "__main__":
    for members, share in [
        (600, 1.0),
        (60, 1.0),
        (60, 0.1**0.5),
        (60, 0.6),
        (180, 0.3**0.5),
        (180, 0.8),
    ]:
        spreads = [round(run(members, share, seed), 5) for seed in (1, 2)]
        print(f"{members} members a CLP, local share {share:.2f}: excess spread {spreads}")
