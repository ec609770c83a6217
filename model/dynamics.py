"""Monthly member processes, vectorised over the member table.

Three processes run every month, in this order (MODEL.md §3):

1. `influence` — bounded-confidence (Deffuant) meetings between members of
   the same CLP, a pull towards the member's faction line, a cue from the
   leader for members who trust the leader, and a little drift.
2. `joiners` and `lapsers` — members join from an outside pool of
   sympathisers (more when the leader is close to the pool, a surge during
   an open contest) and lapse (baseline churn plus dissatisfaction with the
   leader's distance).
3. `recruit` and `choose_targets` — factions recruit unaligned members near
   their line and pick the CLPs whose meetings they will mobilise for.

Each function takes arrays and small parameter records and returns new
arrays or ids; none of them touches Mesa. The random generator is passed in,
so a run is reproducible from its seed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.scenario import FlowSpec, InfluenceSpec, IdeologyComponent

IDEOLOGY_MIN, IDEOLOGY_MAX = -1.0, 1.0


# --- 1. influence -----------------------------------------------------------


def influence(
    ideology: np.ndarray,
    clp: np.ndarray,
    faction: np.ndarray,
    trusts_leader: np.ndarray,
    active: np.ndarray,
    *,
    faction_lines: np.ndarray,
    leader_ideology: float,
    params: InfluenceSpec,
    rng: np.random.Generator,
) -> np.ndarray:
    """One month of opinion dynamics.

    Args:
        ideology: members' ideology (all rows).
        clp: members' CLP.
        faction: members' faction index, -1 for none.
        trusts_leader: whether each member takes the leader's cue.
        active: rows that are members in good standing (others do not move).
        faction_lines: each faction's line.
        leader_ideology: the leader's position.
        params: the scenario's influence parameters.
        rng: random generator for pairing and drift.

    Returns:
        The new ideology array (a copy; inactive rows unchanged).
    """
    x = ideology.copy()
    ids = np.flatnonzero(active)
    if ids.size == 0:
        return x

    # Deffuant meetings: a random share of members each meet one other member
    # of their own CLP. Sorting a random permutation by CLP (stable) puts each
    # CLP's meeters side by side in random order; neighbours pair up.
    meeters = ids[rng.random(ids.size) < params.interaction_rate]
    meeters = meeters[rng.permutation(meeters.size)]
    meeters = meeters[np.argsort(clp[meeters], kind="stable")]
    a, b = meeters[0:-1:2], meeters[1::2]
    same_clp = clp[a] == clp[b]
    a, b = a[same_clp], b[same_clp]
    gap = x[b] - x[a]
    close = np.abs(gap) < params.confidence_bound
    step = params.convergence * gap[close]
    x[a[close]] += step
    x[b[close]] -= step

    in_faction = ids[faction[ids] >= 0]
    if in_faction.size and params.faction_pull > 0:
        lines = faction_lines[faction[in_faction]]
        x[in_faction] += params.faction_pull * (lines - x[in_faction])

    trusting = ids[trusts_leader[ids]]
    if trusting.size and params.leader_cue > 0:
        x[trusting] += params.leader_cue * (leader_ideology - x[trusting])

    if params.noise_sd > 0:
        x[ids] += rng.normal(0.0, params.noise_sd, ids.size)
    np.clip(x, IDEOLOGY_MIN, IDEOLOGY_MAX, out=x)
    return x


# --- 2. membership flows ----------------------------------------------------


@dataclass(frozen=True)
class JoinContext:
    """What shapes joining this month.

    Attributes:
        leader_ideology: the leader's position.
        contest_open: a leadership contest is open (sign-up surge).
        contest_pull: position that attracts joiners during a contest (the
            candidate closest to the pool), or None.
        scale: the run's scale (joiners scale with it).
    """

    leader_ideology: float
    contest_open: bool = False
    contest_pull: float | None = None
    scale: float = 1.0


def expected_joiners(params: FlowSpec, context: JoinContext) -> float:
    """Expected joiners this month.

    Joining falls off with the distance between the outside pool and the
    leader (or, during a contest, the candidate nearest the pool); an open
    contest multiplies it by (1 + contest_surge).

    Args:
        params: the scenario's flow parameters.
        context: this month's leader and contest.

    Returns:
        The Poisson mean of joiners this month (already scaled).
    """
    attractor = context.leader_ideology
    if context.contest_open and context.contest_pull is not None:
        attractor = min(
            (context.leader_ideology, context.contest_pull),
            key=lambda pos: abs(pos - params.pool.mean),
        )
    distance = abs(attractor - params.pool.mean)
    attraction = np.exp(-((distance / params.attraction_width) ** 2))
    surge = 1.0 + params.contest_surge if context.contest_open else 1.0
    return params.joins_per_month * context.scale * attraction * surge


def joiner_ideologies(
    count: int, pool: IdeologyComponent, attractor: float, width: float, rng: np.random.Generator
) -> np.ndarray:
    """Ideologies of `count` joiners: the pool, tilted towards the attractor.

    Sympathisers are drawn from the pool and accepted with a chance that
    falls with their distance to the attractor (rejection sampling), so
    joiners resemble the part of the pool the leader appeals to.

    Args:
        count: how many joiners.
        pool: the outside pool's ideology distribution.
        attractor: the leader's (or contest candidate's) position.
        width: attraction width.
        rng: random generator.

    Returns:
        Array of `count` ideologies in [-1, 1].
    """
    out = np.empty(0)
    while out.size < count:
        draw = rng.normal(pool.mean, pool.sd, 2 * (count - out.size) + 16)
        draw = draw[(draw >= IDEOLOGY_MIN) & (draw <= IDEOLOGY_MAX)]
        keep = rng.random(draw.size) < np.exp(-(((draw - attractor) / width) ** 2))
        out = np.concatenate([out, draw[keep]])
    return out[:count]


def lapse_probability(ideology: np.ndarray, leader_ideology: float, params: FlowSpec) -> np.ndarray:
    """Monthly chance that each member lapses.

    Args:
        ideology: members' ideology.
        leader_ideology: the leader's position.
        params: the scenario's flow parameters.

    Returns:
        Probabilities in [0, 1], one per member.
    """
    excess = np.maximum(0.0, np.abs(ideology - leader_ideology) - params.tolerance)
    return np.minimum(1.0, params.churn + params.dissatisfaction * excess)


def lapsers(
    ideology: np.ndarray,
    candidates: np.ndarray,
    leader_ideology: float,
    params: FlowSpec,
    rng: np.random.Generator,
) -> np.ndarray:
    """Ids of members who lapse this month.

    Args:
        ideology: members' ideology (all rows).
        candidates: ids of members who can lapse (active full members).
        leader_ideology: the leader's position.
        params: the scenario's flow parameters.
        rng: random generator.

    Returns:
        Sorted ids of the members who lapse.
    """
    p = lapse_probability(ideology[candidates], leader_ideology, params)
    return candidates[rng.random(candidates.size) < p]


# --- 3. faction organising ----------------------------------------------------


def recruit(
    ideology: np.ndarray,
    faction: np.ndarray,
    eligible: np.ndarray,
    *,
    faction_lines: np.ndarray,
    radii: np.ndarray,
    rates: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """Factions recruit unaligned members near their line.

    An unaligned eligible member within a faction's radius joins the nearest
    such faction with that faction's monthly recruitment rate. Members who
    have drifted beyond twice their faction's radius drift out of it at the
    same rate — factions hold people by agreement, not by contract.

    Args:
        ideology: members' ideology.
        faction: members' faction (-1 none).
        eligible: mask of members who can join or leave a faction.
        faction_lines: each faction's line.
        radii: each faction's recruitment radius.
        rates: each faction's monthly recruitment rate.
        rng: random generator.

    Returns:
        The new faction array (a copy).
    """
    new = faction.copy()
    if faction_lines.size == 0:
        return new
    unaligned = np.flatnonzero(eligible & (faction < 0))
    distance = np.abs(ideology[unaligned, None] - faction_lines[None, :])
    distance = np.where(distance <= radii[None, :], distance, np.inf)
    nearest = np.argmin(distance, axis=1)
    reachable = np.isfinite(distance[np.arange(unaligned.size), nearest])
    joins = reachable & (rng.random(unaligned.size) < rates[nearest])
    new[unaligned[joins]] = nearest[joins]

    aligned = np.flatnonzero(eligible & (faction >= 0))
    own = faction[aligned]
    drifted = np.abs(ideology[aligned] - faction_lines[own]) > 2 * radii[own]
    leaves = drifted & (rng.random(aligned.size) < rates[own])
    new[aligned[leaves]] = -1
    return new


@dataclass(frozen=True)
class ExpectedMeeting:
    """What a faction's organisers expect at each CLP's next meeting.

    Attributes:
        members: expected attendees per CLP by faction membership
            (n_clps, n_factions + 1; last column unaligned) — the part that
            mobilisation multiplies.
        slates: expected votes per CLP by slate (same shape): faction
            members vote their slate, unaligned members the slate of a
            nearby faction or the unaligned slate.
    """

    members: np.ndarray
    slates: np.ndarray


def expected_attendance(
    activism: np.ndarray,
    ideology: np.ndarray,
    clp: np.ndarray,
    faction: np.ndarray,
    members: np.ndarray,
    *,
    n_clps: int,
    faction_lines: np.ndarray,
    affinity: float,
) -> ExpectedMeeting:
    """Expected meeting attendance and slate votes per CLP.

    Args:
        activism: members' activism.
        ideology: members' ideology.
        clp: members' CLP.
        faction: members' faction (-1 none).
        members: ids of members who may attend.
        n_clps: number of CLPs.
        faction_lines: each faction's line.
        affinity: distance within which an unaligned member votes a
            faction's slate (as in `meetings.slate_choice`).

    Returns:
        The ExpectedMeeting.
    """
    n_factions = faction_lines.size
    width = n_factions + 1
    f = faction[members].astype(np.int64)
    f = np.where(f < 0, n_factions, f)
    weight = activism[members]
    base = clp[members].astype(np.int64) * width
    by_member = np.bincount(base + f, weights=weight, minlength=n_clps * width)

    slate = f.copy()
    unaligned = slate == n_factions
    if n_factions and unaligned.any():
        distance = np.abs(ideology[members][unaligned, None] - faction_lines[None, :])
        nearest = np.argmin(distance, axis=1)
        close = distance[np.arange(nearest.size), nearest] <= affinity
        slate[np.flatnonzero(unaligned)[close]] = nearest[close]
    by_slate = np.bincount(base + slate, weights=weight, minlength=n_clps * width)
    return ExpectedMeeting(by_member.reshape(n_clps, width), by_slate.reshape(n_clps, width))


def choose_targets(
    expected: ExpectedMeeting,
    control: np.ndarray,
    capacity: np.ndarray,
    strategies: list[str],
    mobilisation: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """Each faction picks the CLPs whose meetings it will mobilise for.

    A "marginal" faction estimates its slate's share of the vote once its
    members are mobilised, skips CLPs it controls and would hold anyway and
    those it cannot win even mobilised, and takes the closest contests
    first. A "random" faction picks at random.

    Args:
        expected: expected attendance and slate votes per CLP.
        control: controlling faction per CLP (-1 unaligned).
        capacity: CLPs each faction can target at once (its organisers).
        strategies: "marginal" or "random" per faction.
        mobilisation: attendance multiplier per faction where it targets.
        rng: random generator.

    Returns:
        Boolean array (n_factions, n_clps): True where the faction targets.
    """
    n_clps, width = expected.slates.shape
    n_factions = width - 1
    targets = np.zeros((n_factions, n_clps), dtype=bool)
    total = expected.slates.sum(axis=1)
    for f in range(n_factions):
        k = int(min(capacity[f], n_clps))
        if k == 0:
            continue
        if strategies[f] == "random":
            targets[f, rng.choice(n_clps, size=k, replace=False)] = True
            continue
        extra = expected.members[:, f] * (mobilisation[f] - 1.0)
        own = expected.slates[:, f]
        plain_share = own / np.maximum(total, 1e-12)
        rival_best = np.delete(expected.slates, f, axis=1).max(axis=1)
        boosted_lead = (own + extra - rival_best) / np.maximum(total + extra, 1e-12)
        # Closeness of the contest once mobilised: a CLP held comfortably is
        # not worth an organiser, nor one still lost by a wide margin.
        safe = (plain_share > 0.6) & (control == f)
        hopeless = boosted_lead < -0.1
        score = np.where(safe | hopeless, -np.inf, -np.abs(boosted_lead))
        order = np.lexsort((rng.random(n_clps), -score))
        chosen = order[:k]
        targets[f, chosen[np.isfinite(score[chosen])]] = True
    return targets
