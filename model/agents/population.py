"""Building the party at the start of a run from a scenario.

Pure functions that draw the initial CLP layout, members, and the PLP's
positions from the scenario's distributions with a given random generator.
The model (party.py) turns their output into Mesa agents.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.agents.clps import UNALIGNED, ClpTable
from model.agents.members import FULL_MEMBER, NO_FACTION, NO_UNION, MemberTable
from model.scenario.schema import BetaSpec, IdeologyComponent, Scenario


def draw_mixture(
    components: list[IdeologyComponent], size: int, rng: np.random.Generator
) -> np.ndarray:
    """Draw from a mixture of normals, truncated to [-1, 1] by redrawing.

    Args:
        components: the mixture (weights sum to 1).
        size: how many draws.
        rng: random generator.

    Returns:
        Array of `size` values in [-1, 1].
    """
    weights = np.array([c.weight for c in components])
    which = rng.choice(len(components), size=size, p=weights / weights.sum())
    means = np.array([c.mean for c in components])[which]
    sds = np.array([c.sd for c in components])[which]
    x = rng.normal(means, sds)
    bad = (x < -1) | (x > 1)
    while bad.any():
        x[bad] = rng.normal(means[bad], sds[bad])
        bad = (x < -1) | (x > 1)
    return x


def draw_beta(spec: BetaSpec, size: int, rng: np.random.Generator) -> np.ndarray:
    """Draw propensities from a Beta distribution."""
    return rng.beta(spec.alpha, spec.beta, size)


def build_clps(scenario: Scenario, n_unions: int, rng: np.random.Generator) -> ClpTable:
    """Lay out the CLPs: branches, affiliated branches, AGM months, seats, lean.

    Held seats are drawn with a tilt towards CLPs that lean left, since the
    party's seats are where its support is.

    Args:
        scenario: the scenario.
        n_unions: number of affiliates.
        rng: random generator.

    Returns:
        The ClpTable (control all unaligned until the first meetings).
    """
    party = scenario.party
    n = party.clps
    low, high = party.branches_per_clp
    n_branches = rng.integers(low, high + 1, n).astype(np.int32)
    branch_start = np.concatenate([[0], np.cumsum(n_branches)[:-1]]).astype(np.int32)
    a_low, a_high = party.affiliated_branches_per_clp
    n_affiliated = rng.integers(a_low, a_high + 1, n)
    union_weights = np.array([max(u.levy_payers, 1) for u in scenario.unions], dtype=float)
    affiliated = np.zeros((n, n_unions), dtype=np.int32)
    for clp, k in enumerate(n_affiliated):
        if k:
            picks = rng.choice(n_unions, size=k, p=union_weights / union_weights.sum())
            np.add.at(affiliated[clp], picks, 1)
    lean = rng.normal(0.0, scenario.members.clp_lean_sd, n)
    seat_weight = np.exp(-lean / max(scenario.members.clp_lean_sd, 1e-6))
    seats = rng.choice(n, size=party.plp_size, replace=False, p=seat_weight / seat_weight.sum())
    seat_held = np.zeros(n, dtype=bool)
    seat_held[seats] = True
    return ClpTable(
        control=np.full(n, UNALIGNED, dtype=np.int16),
        agm_month=rng.integers(1, 13, n).astype(np.int8),
        branch_start=branch_start,
        n_branches=n_branches,
        affiliated_branches=affiliated,
        seat_held=seat_held,
        lean=lean,
    )


def build_members(scenario: Scenario, clps: ClpTable, rng: np.random.Generator) -> MemberTable:
    """Draw the initial members.

    CLP sizes vary (log-normal weights); a member's ideology is a draw from
    the scenario's mixture plus the CLP's lean. Each faction takes its share
    of members, preferring those near its line. Levy payers are spread over
    unions by their size.

    Args:
        scenario: the scenario.
        clps: the CLP layout.
        rng: random generator.

    Returns:
        The MemberTable.
    """
    spec = scenario.members
    n = scenario.party.n_members
    size_weight = rng.lognormal(0.0, spec.clp_size_sd, len(clps))
    clp = rng.choice(len(clps), size=n, p=size_weight / size_weight.sum()).astype(np.int32)
    branch = (clps.branch_start[clp] + rng.integers(0, clps.n_branches[clp])).astype(np.int32)
    ideology = np.clip(draw_mixture(spec.ideology, n, rng) + clps.lean[clp], -1.0, 1.0)

    faction = np.full(n, NO_FACTION, dtype=np.int16)
    for f, fs in enumerate(scenario.factions):
        want = round(fs.member_share * n)
        free = np.flatnonzero(faction == NO_FACTION)
        if want == 0 or free.size == 0:
            continue
        closeness = np.exp(-(((ideology[free] - fs.line) / fs.recruit_radius) ** 2)) + 1e-9
        chosen = rng.choice(
            free, size=min(want, free.size), replace=False, p=closeness / closeness.sum()
        )
        faction[chosen] = f

    union = np.full(n, NO_UNION, dtype=np.int16)
    payers = rng.random(n) < spec.levy_payer_share
    weights = np.array([max(u.levy_payers, 1) for u in scenario.unions], dtype=float)
    union[payers] = rng.choice(len(weights), size=int(payers.sum()), p=weights / weights.sum())

    t_low, t_high = spec.tenure_months
    table = MemberTable(capacity=int(n * 1.5) + 1024)
    table.append(
        ideology=ideology,
        activism=draw_beta(spec.activism, n, rng),
        turnout=draw_beta(spec.turnout, n, rng),
        clp=clp,
        branch=branch,
        faction=faction,
        kind=np.full(n, FULL_MEMBER, dtype=np.int8),
        union=union,
        trusts_leader=rng.random(n) < spec.trusts_leader,
        joined=-rng.integers(t_low, t_high + 1, n),
    )
    return table


@dataclass(frozen=True)
class MpDraw:
    """Initial MPs' attributes, one entry per held seat."""

    clp: np.ndarray
    ideology: np.ndarray
    valence: np.ndarray
    responsiveness: np.ndarray
    ambition: np.ndarray
    faction: np.ndarray


def draw_mps(scenario: Scenario, clps: ClpTable, rng: np.random.Generator) -> MpDraw:
    """Draw an MP for every held seat.

    Args:
        scenario: the scenario.
        clps: the CLP layout (which seats are held).
        rng: random generator.

    Returns:
        The MPs' attributes.
    """
    plp = scenario.plp
    seats = np.flatnonzero(clps.seat_held)
    k = seats.size
    ideology = draw_mixture(plp.ideology, k, rng)
    v_low, v_high = plp.valence
    lines = np.array([f.line for f in scenario.factions])
    radii = np.array([f.recruit_radius for f in scenario.factions])
    affinity = np.array([f.mp_affinity for f in scenario.factions])
    distance = np.abs(ideology[:, None] - lines[None, :])
    nearest = np.argmin(distance, axis=1)
    joins = (distance[np.arange(k), nearest] <= radii[nearest]) & (
        rng.random(k) < affinity[nearest]
    )
    return MpDraw(
        clp=seats,
        ideology=ideology,
        valence=rng.uniform(v_low, v_high, k),
        responsiveness=np.clip(rng.normal(plp.responsiveness, 0.1, k), 0.0, 1.0),
        ambition=rng.random(k) < plp.ambition,
        faction=np.where(joins, nearest, NO_FACTION),
    )
