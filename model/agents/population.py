"""Building the party at the start of a run from a scenario.

Pure functions that draw the initial CLP layout on the real seats, members,
and the PLP's positions from the scenario's distributions with a given
random generator. The model (party.py) turns their output into Mesa agents.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.agents.clps import UNALIGNED, ClpTable
from model.agents.members import FULL_MEMBER, NO_FACTION, NO_UNION, MemberTable
from model.data.seats import load_seats, sample_seats
from model.scenario.schema import BetaSpec, IdeologyComponent, Scenario
from model.scenario.seats import initial_year


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


@dataclass(frozen=True)
class Places:
    """The seats a run simulates and what their places say about their CLPs (pure numbers).

    Attributes:
        rows: rows of the seat table simulated, one per CLP, in table order.
        year: the real election the run starts from.
        lab_share: Labour's share there, per CLP.
        lab_margin: Labour's margin there, per CLP.
        held: Labour won the seat then.
        place_weight: expected members by place, per CLP (region total split by
            population and Labour share; no noise).
        sample_share: the simulated seats' part of the place weight of all GB seats
            (1 when every seat is simulated).
        union_density: the region's union density, per CLP (raw, not relative).
        region: region code per CLP.
    """

    rows: np.ndarray
    year: int
    lab_share: np.ndarray
    lab_margin: np.ndarray
    held: np.ndarray
    place_weight: np.ndarray
    sample_share: float
    union_density: np.ndarray
    region: np.ndarray


MIN_LABOUR_SHARE_FOR_SIZE = 0.10
"""Floor on the Labour share that sizes a CLP [assumption]: where Labour polled little (Liberal Democrat and SNP strongholds, the Speaker's seat where it did not stand) the CLP still has members."""


def seat_places(scenario: Scenario, rng: np.random.Generator) -> Places:
    """Which real seats the run simulates, and their places.

    All 632 seats in Great Britain when `party.clps` is 632 (the generator is
    then not used); fewer: a sample stratified by region
    (`model.data.seats.sample_seats`).

    A region's expected membership is its share of `seats.members_by_region`;
    within the region it is split in proportion to population **
    `member_population_exponent` × (Labour's share at the initial result, at
    least 10%) ** `member_labour_share_exponent` (assumptions, see docs/ODD.md).

    Args:
        scenario: the scenario.
        rng: random generator (the sample).

    Returns:
        The Places.
    """
    table = load_seats()
    spec = scenario.seats
    rows = sample_seats(scenario.party.clps, rng, seats=table, within=table.contested)
    year = initial_year(spec, scenario.start)
    result = table.result(year)
    gb = np.flatnonzero(table.contested)
    region = table.region[gb]
    size = table.population[gb].astype(float) ** spec.member_population_exponent * (
        np.maximum(result.lab_share[gb], MIN_LABOUR_SHARE_FOR_SIZE)
        ** spec.member_labour_share_exponent
    )
    totals = {g: float(spec.members_by_region[g]) for g in np.unique(region)}
    region_size = {g: float(size[region == g].sum()) for g in totals}
    weight = np.array(
        [totals[g] * s / region_size[g] for g, s in zip(region, size, strict=True)], dtype=float
    )
    weight /= weight.sum()
    by_row = np.zeros(len(table))
    by_row[gb] = weight
    return Places(
        rows=rows,
        year=year,
        lab_share=result.lab_share[rows].astype(float),
        lab_margin=result.lab_margin[rows].astype(float),
        held=result.labour_won[rows].copy(),
        place_weight=by_row[rows],
        sample_share=float(by_row[rows].sum()),
        union_density=np.array(
            [spec.union_density_by_region[g] for g in table.region[rows]], dtype=float
        ),
        region=table.region[rows],
    )


def build_clps(scenario: Scenario, n_unions: int, rng: np.random.Generator) -> ClpTable:
    """Lay out the CLPs on their real seats: branches, affiliated branches, AGM months, seats, lean.

    The CLPs are the seats of `seat_places`. Labour holds the seats it won at
    the initial result. A CLP's expected share of members is its place weight
    times a log-normal draw (`members.clp_size_sd`); its members' lean is the
    region's lean plus `seats.lean_labour_share` × (Labour's share − the GB
    mean) plus N(0, `members.clp_lean_sd`), centred so that the party's
    member-weighted lean is 0 (the scenario's ideology mixture stays the
    party's); its affiliated branches scale with its region's union density
    relative to the party's (stochastic rounding keeps the range at density 1).

    Args:
        scenario: the scenario.
        n_unions: number of affiliates.
        rng: random generator.

    Returns:
        The ClpTable (control all unaligned until the first meetings).
    """
    party = scenario.party
    places = seat_places(scenario, rng)
    table = load_seats()
    n = places.rows.size
    low, high = party.branches_per_clp
    n_branches = rng.integers(low, high + 1, n).astype(np.int32)
    branch_start = np.concatenate([[0], np.cumsum(n_branches)[:-1]]).astype(np.int32)

    noise = rng.lognormal(0.0, scenario.members.clp_size_sd, n)
    weight = places.place_weight * noise
    member_weight = weight / weight.sum()
    real_members = party.members * places.sample_share * member_weight
    density = places.union_density / float(member_weight @ places.union_density)

    a_low, a_high = party.affiliated_branches_per_clp
    drawn = rng.integers(a_low, a_high + 1, n)
    n_affiliated = np.floor(drawn * density + rng.random(n)).astype(np.int64)
    union_weights = np.array([max(u.levy_payers, 1) for u in scenario.unions], dtype=float)
    affiliated = np.zeros((n, n_unions), dtype=np.int32)
    for clp, k in enumerate(n_affiliated):
        if k:
            picks = rng.choice(n_unions, size=k, p=union_weights / union_weights.sum())
            np.add.at(affiliated[clp], picks, 1)

    spec = scenario.seats
    gb_mean = float(np.mean(table.result(places.year).lab_share[table.contested]))
    lean = (
        np.array([spec.lean_by_region.get(g, 0.0) for g in places.region])
        + spec.lean_labour_share * (places.lab_share - gb_mean)
        + rng.normal(0.0, scenario.members.clp_lean_sd, n)
    )
    lean -= float(member_weight @ lean)
    return ClpTable(
        control=np.full(n, UNALIGNED, dtype=np.int16),
        agm_month=rng.integers(1, 13, n).astype(np.int8),
        branch_start=branch_start,
        n_branches=n_branches,
        affiliated_branches=affiliated,
        seat_held=places.held,
        lean=lean,
        seat=places.rows,
        code=table.code[places.rows],
        name=table.name[places.rows],
        region=places.region,
        real_members=real_members,
        member_weight=member_weight,
        union_density=density,
        lab_share=places.lab_share,
        lab_margin=places.lab_margin,
        last_election=f"{places.year} (real)",
        represents=_represents(float(real_members.sum()), party.n_members),
    )


def _represents(real_members: float, simulated: int) -> float:
    """Real members per simulated member; exactly 1 at full scale.

    The CLPs' real members are a sum of floats, so at full scale their ratio
    to the simulated members can come out a rounding error from 1
    (1.0000000000000002 in a third of the seeds), and a meeting would take
    the small-scale path, drawing other random numbers for the same thing.
    """
    ratio = real_members / simulated
    return 1.0 if abs(ratio - 1.0) < 1e-9 else ratio


def build_members(scenario: Scenario, clps: ClpTable, rng: np.random.Generator) -> MemberTable:
    """Draw the initial members.

    Members go to CLPs by the CLPs' member weights (place and a log-normal
    draw, `build_clps`); a member's ideology is a draw from the scenario's
    mixture plus the CLP's lean. Each faction takes its share of members,
    preferring those near its line. A member pays a union levy with
    `levy_payer_share` × the CLP's relative union density; levy payers are
    spread over unions by their size.

    Args:
        scenario: the scenario.
        clps: the CLP layout.
        rng: random generator.

    Returns:
        The MemberTable.
    """
    spec = scenario.members
    n = scenario.party.n_members
    clp = rng.choice(len(clps), size=n, p=clps.member_weight).astype(np.int32)
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
    payers = rng.random(n) < np.minimum(spec.levy_payer_share * clps.union_density[clp], 1.0)
    weights = np.array([max(u.levy_payers, 1) for u in scenario.unions], dtype=float)
    union[payers] = rng.choice(len(weights), size=int(payers.sum()), p=weights / weights.sum())

    t_low, t_high = spec.tenure_months
    table = MemberTable(capacity=int(n * 1.5) + 1024)
    # Drawn in this order (the columns' order before the drawn marks came).
    activism = draw_beta(spec.activism, n, rng)
    turnout = draw_beta(spec.turnout, n, rng)
    trusts_leader = rng.random(n) < spec.trusts_leader
    joined = -rng.integers(t_low, t_high + 1, n)
    drawn = np.zeros(n, dtype=bool)
    if spec.drawn_share > 0:
        # A scenario that starts after a surge: who came for it are marked
        # (drawn more often on the left where `drawn_slope` < 0) and joined
        # when it came, so the flows treat them as they treat later joiners.
        chance = np.clip(spec.drawn_share + spec.drawn_slope * (ideology - ideology.mean()), 0, 1)
        drawn = rng.random(n) < chance
        if spec.drawn_tenure_months is not None:
            low, high = spec.drawn_tenure_months
            joined[drawn] = -rng.integers(low, high + 1, int(drawn.sum()))
    table.append(
        ideology=ideology,
        activism=activism,
        turnout=turnout,
        clp=clp,
        branch=branch,
        faction=faction,
        kind=np.full(n, FULL_MEMBER, dtype=np.int8),
        union=union,
        trusts_leader=trusts_leader,
        joined=joined,
        drawn=drawn,
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
