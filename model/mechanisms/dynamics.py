"""Monthly member processes, vectorised over the member table.

Three processes run every month, in this order (MODEL.md §3):

1. `influence` — bounded-confidence (Deffuant) meetings between members of
   the same CLP, a pull towards the member's faction line, a cue from the
   leader for members who trust the leader, and a little drift.
2. `lapsers` — members lapse: churn (higher in a member's first years),
   dissatisfaction with the leader's distance, and dated shocks. (Who joins
   is `model.mechanisms.sympathisers`.)
3. `recruit` and `choose_targets` — factions recruit unaligned members near
   their line and pick the CLPs whose meetings they will mobilise for.

Each function takes arrays and small parameter records and returns new
arrays or ids; none of them touches Mesa. The random generator is passed in,
so a run is reproducible from its seed.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np

from model.mechanisms import draws, meetings
from model.scenario.schema import FlowSpec, InfluenceSpec

IDEOLOGY_MIN, IDEOLOGY_MAX = -1.0, 1.0

BLOCK = 1 << 15
"""Rows per block in the elementwise passes over every member (influence's
pull, cue and drift; expected attendance's keys): 32,768 rows keep a block's
temporaries (a few arrays of 8 bytes a row) in a core's cache, where one pass
over 600,000 rows each would go out to main memory; measured about twice as
quick for the nearest faction line. Results do not depend on it: each step
is elementwise and the random draws come in the same order."""


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
    out: np.ndarray | None = None,
    active_ids: np.ndarray | None = None,
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
        out: where to write the result; may be `ideology` itself, to update
            it in place (same result, one copy of the column fewer).
        active_ids: `np.flatnonzero(active)`, when the caller has it already.

    Returns:
        The new ideology array (`out`, or a copy; inactive rows unchanged).
    """
    x = _start_from(ideology, out)
    ids = np.flatnonzero(active) if active_ids is None else active_ids
    if ids.size == 0:
        return x

    # Deffuant meetings: a random share of members each meet one other member
    # of their own CLP who is also meeting this month. Each active member
    # meets with chance `interaction_rate`, independently: drawn as a binomial
    # number of meeters and a uniformly random sample of that many, in random
    # order (the same distribution as one Bernoulli per member, with about a
    # tenth of the draws), so pairing needs no shuffle of its own.
    meeters = ids[draws.bernoulli_sample(ids.size, params.interaction_rate, rng)]
    a, b = pair_within(meeters, clp, rng, groups=clp[meeters], shuffled=True)
    # The month's drift is the stream's last draw: it is drawn on a second
    # thread while this one does the meetings, pull and cue (numpy releases
    # the GIL while it fills the array; nothing else touches `rng` until the
    # thread is joined, so the draws are the same as drawn in line).
    drift = _DriftDraw(rng, ids.size, params.noise_sd) if params.noise_sd > 0 else None
    try:
        # The pairs are disjoint, so each meeter's new position is written
        # once, from the values gathered for the gap (no second gather).
        at_a, at_b = x[a], x[b]
        gap = at_b - at_a
        close = np.flatnonzero(np.abs(gap) < params.confidence_bound)
        step = params.convergence * gap[close]
        x[a[close]] = at_a[close] + step
        x[b[close]] = at_b[close] - step
        _pull_and_cue(x, ids, faction, trusts_leader, faction_lines, leader_ideology, params)
    finally:
        noise = drift.result() if drift is not None else None
    # Then the drift and the clip, a block of rows at a time (see BLOCK).
    for start in range(0, ids.size, BLOCK):
        rows = ids[start : start + BLOCK]
        xa = x[rows]
        if noise is not None:
            xa += noise[start : start + BLOCK]
        np.clip(xa, IDEOLOGY_MIN, IDEOLOGY_MAX, out=xa)
        x[rows] = xa
    return x


class _DriftDraw:
    """The month's drift, sd * z with z standard normal, drawn on a thread.

    Single-precision normals (numpy's float32 ziggurat, quicker than
    float64): a drift of a few thousandths needs no more digits. One call
    for all rows draws the same numbers as one call per block."""

    def __init__(self, rng: np.random.Generator, size: int, sd: float) -> None:
        self.out = np.empty(size, dtype=np.float32)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._draw, args=(rng, np.float32(sd)))
        self.thread.start()

    def _draw(self, rng: np.random.Generator, sd: np.float32) -> None:
        try:
            rng.standard_normal(self.out.size, dtype=np.float32, out=self.out)
            self.out *= sd
        except BaseException as error:  # re-raised on the caller's thread
            self.error = error

    def result(self) -> np.ndarray:
        self.thread.join()
        if self.error is not None:
            raise self.error
        return self.out


def _pull_and_cue(
    x: np.ndarray,
    ids: np.ndarray,
    faction: np.ndarray,
    trusts_leader: np.ndarray,
    faction_lines: np.ndarray,
    leader_ideology: float,
    params: InfluenceSpec,
) -> None:
    """The pull of each aligned member's faction line and the leader's cue,
    in place on the active rows `ids` of `x`, a block at a time: gather,
    update and scatter back (each block's temporaries stay in the CPU's
    cache; every step is elementwise, so the blocks give the same floats as
    one pass). Members who do not trust the leader get a cue weight of zero,
    which leaves them exactly unchanged."""
    pull = faction_lines.size and params.faction_pull > 0
    if not pull and params.leader_cue <= 0:
        return
    buffer = np.empty(min(ids.size, BLOCK), dtype=x.dtype)
    for start in range(0, ids.size, BLOCK):
        rows = ids[start : start + BLOCK]
        xa = x[rows]
        if pull:
            f = faction[rows]
            aligned = np.flatnonzero(f >= 0)  # few: work on them alone
            xf = xa[aligned]
            xf += params.faction_pull * (faction_lines[f[aligned]] - xf)
            xa[aligned] = xf
        # The cue: (leader - x) * trusts * cue (the same product as
        # (cue * trusts) * (leader - x), signed zeros included).
        if params.leader_cue > 0:
            scratch = buffer[: rows.size]
            np.subtract(leader_ideology, xa, out=scratch)
            scratch *= trusts_leader[rows]
            scratch *= params.leader_cue
            xa += scratch
        x[rows] = xa
    return x


def pair_within(
    members: np.ndarray,
    group: np.ndarray,
    rng: np.random.Generator,
    groups: np.ndarray | None = None,
    shuffled: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Random disjoint pairs of members who share a group (a CLP).

    The members are shuffled (unless they come in uniformly random order
    already), then sorted by group (stably, so each group's members stay in
    random order), and neighbours within a group pair up; in a group with an
    odd number of members the last one sits out. So each member meets a
    uniformly random other member of its group.

    Args:
        members: ids of the members looking for a partner (distinct).
        group: each member's group, indexed by id (all rows; values >= 0).
        rng: random generator.
        groups: `group[members]`, when the caller has it already.
        shuffled: `members` is in uniformly random order (e.g. drawn by
            `draws.bernoulli_sample`): no shuffle is drawn.

    Returns:
        (a, b): ids of the pairs' first and second members; `a[i]` meets `b[i]`.
    """
    if members.size < 2:
        return members[:0], members[:0]
    if groups is None:
        groups = group[members]
    g = groups
    if not shuffled:
        shuffle = rng.permutation(members.size)
        members, g = members[shuffle], g[shuffle]
    # A narrow unsigned key lets numpy use its O(n) radix sort.
    narrow = int(g.min()) >= 0 and int(g.max()) <= np.iinfo(np.uint16).max
    key = g.astype(np.uint16) if narrow else g
    order = np.argsort(key, kind="stable")
    members, g = members[order], g[order]
    n = members.size
    # Position i pairs with i + 1 when both are in one group and i's rank in
    # its group is even: i has the parity of its group's first position.
    starts_group = np.empty(n, dtype=bool)
    starts_group[0] = True
    np.not_equal(g[1:], g[:-1], out=starts_group[1:])
    start_parity = (np.flatnonzero(starts_group) & 1).astype(bool)
    group_index = np.cumsum(starts_group) - 1
    even_rank = start_parity[group_index] == (np.arange(n) & 1).astype(bool)
    even_rank[-1] = False
    even_rank[:-1] &= ~starts_group[1:]
    first = np.flatnonzero(even_rank)
    return members[first], members[first + 1]


def _start_from(column: np.ndarray, out: np.ndarray | None) -> np.ndarray:
    """The array to update: a copy of `column`, or `out` holding its values (may be `column`)."""
    if out is None:
        return column.copy()
    if out is not column:
        out[:] = column
    return out


# --- 2. lapsing ----------------------------------------------------------------
# (Joining is in `model.mechanisms.sympathisers`: who joins depends on the moment.)


def lapse_probability(
    ideology: np.ndarray,
    tenure: np.ndarray,
    leader_ideology: float,
    params: FlowSpec,
    extra: np.ndarray | float = 0.0,
    drawn: np.ndarray | None = None,
    backed_loser: np.ndarray | None = None,
) -> np.ndarray:
    """Monthly chance that each member lapses.

    Three parts: churn, higher for new members (a first renewal is the one
    most often missed) and fading with tenure; dissatisfaction, growing with
    the distance from the leader beyond what a member tolerates (members
    leave mainly over ideology and the leader: labour_politics.json
    members_ideology_and_composition.leavers); and any extra hazard a dated
    shock adds. What a member tolerates grows with tenure for those who
    joined for the party (`params.tenure_tolerance`, Hirschman's loyalty), over the
    same months in which new members' extra churn fades; members drawn by a
    leader, a contest or a shock tolerate `params.drawn_tolerance` (or
    `params.tolerance`) however long they stay, and from their first renewal
    (`params.drawn_churn_after` months) keep an extra churn of
    `params.drawn_churn` × churn that does not fade with tenure.

    Args:
        ideology: members' ideology.
        tenure: members' months of membership.
        leader_ideology: the leader's position.
        params: the scenario's flow parameters.
        extra: additional hazard per member (dated shocks).
        drawn: which members joined drawn by a leader, a contest or a shock
            (they tolerate `params.drawn_tolerance` and keep
            `params.drawn_churn`); None: nobody.
        backed_loser: which members voted against the sitting leader in the
            contest that chose them: they lapse faster by
            `params.losers_lapse` per unit of distance from the leader, with
            no threshold (a low evaluation of the leader, not only distance,
            predicts leaving); None: nobody.

    Returns:
        Probabilities in [0, 1], one per member.
    """
    newness = np.exp(-np.maximum(tenure, 0) / params.tenure_scale_months)
    churn = params.churn * (1.0 + params.new_member_churn * newness)
    tolerance: np.ndarray | float = params.tolerance
    if params.tenure_tolerance > 0:
        # Loyalty to the party builds with the years in it: a long-standing
        # member puts up with a leader far from their views for longer.
        tolerance = params.tolerance + params.tenure_tolerance * (1.0 - newness)
    if drawn is not None and params.tracks_drawn:
        # Who came for a leader or a contest is attached to that, not to the
        # party: they leave sooner when the leader moves away from them, and
        # do not grow loyal to the party.
        drawn_tolerance = (
            params.tolerance if params.drawn_tolerance is None else params.drawn_tolerance
        )
        tolerance = np.where(drawn, drawn_tolerance, tolerance)
        if params.drawn_churn > 0:
            # Nor do they settle into renewing: from their first renewal on,
            # once the moment that drew them has passed, their extra churn
            # does not fade with tenure. (Before it they have paid: the
            # 13,860 who left May 2015 - January 2016 were few.)
            due = drawn & (tenure >= params.drawn_churn_after)
            churn = churn + np.where(due, params.churn * params.drawn_churn, 0.0)
    distance = np.abs(ideology - leader_ideology)
    excess = np.maximum(0.0, distance - tolerance)
    hazard = churn + params.dissatisfaction * excess + extra
    if backed_loser is not None and params.losers_lapse > 0:
        hazard = hazard + np.where(backed_loser, params.losers_lapse * distance, 0.0)
    return np.minimum(1.0, hazard)


def highest_lapse_probability(leader_ideology: float, params: FlowSpec, extra: float) -> float:
    """The largest chance any member can have this month (a new member at the far end)."""
    farthest = max(leader_ideology - IDEOLOGY_MIN, IDEOLOGY_MAX - leader_ideology)
    # The candidates for the peak, each a new member at the far end (no
    # loyalty yet, so tenure 0 is the least tolerant): drawn, if drawn
    # members tolerate less. With a drawn member's own churn a drawn member
    # may lapse more for churn and less for distance (or the reverse), and
    # from their first renewal, when a new member's extra churn has faded
    # somewhat: try both kinds at both tenures.
    if params.drawn_churn > 0:
        kinds = [np.array([False]), np.array([True])]
        tenures = [0.0, params.drawn_churn_after]
    else:
        least_tolerant = None
        if params.drawn_tolerance is not None:
            least_tolerant = np.array([params.drawn_tolerance < params.tolerance])
        kinds, tenures = [least_tolerant], [0.0]
    return max(
        float(
            lapse_probability(
                np.array([leader_ideology + farthest]),
                np.array([tenure]),
                leader_ideology,
                params,
                extra,
                drawn=drawn,
                backed_loser=np.array([params.losers_lapse > 0]),
            )[0]
        )
        for drawn in kinds
        for tenure in tenures
    )


def lapsers(
    ideology: np.ndarray,
    joined: np.ndarray,
    candidates: np.ndarray,
    now: int,
    leader_ideology: float,
    params: FlowSpec,
    rng: np.random.Generator,
    shock: tuple[float, float, float] | None = None,
    drawn: np.ndarray | None = None,
    backed_loser: np.ndarray | None = None,
) -> np.ndarray:
    """Ids of members who lapse this month.

    Args:
        ideology: members' ideology (all rows).
        joined: the model month each member joined (all rows).
        candidates: ids of members who can lapse (active full members).
        now: the model month.
        leader_ideology: the leader's position.
        params: the scenario's flow parameters.
        rng: random generator.
        shock: (hazard, centre, width) of a dated shock's extra lapse among
            members near `centre`, or None.
        drawn: which members (all rows) joined drawn by a leader, a contest
            or a shock; None: nobody (see `lapse_probability`).
        backed_loser: which members (all rows) voted against the sitting
            leader; None: nobody (see `lapse_probability`).

    Returns:
        Sorted ids of the members who lapse.
    """
    # Thinning: pick each candidate with the highest chance anyone can have,
    # then keep each picked member with its own chance over that. Each member
    # lapses with exactly its own chance, and only the few picked need a look-up.
    peak = shock[0] if shock else 0.0
    highest = highest_lapse_probability(leader_ideology, params, peak)
    ids = candidates[draws.bernoulli_positions(candidates.size, highest, rng)]
    if ids.size == 0 or highest <= 0:
        return ids[:0]
    x = ideology[ids]
    extra = 0.0 if shock is None else shock_hazard(x, *shock)
    p = lapse_probability(
        x,
        now - joined[ids],
        leader_ideology,
        params,
        extra,
        None if drawn is None else drawn[ids],
        None if backed_loser is None else backed_loser[ids],
    )
    return ids[rng.random(ids.size) * highest < p]


def shock_hazard(ideology: np.ndarray, hazard: float, centre: float, width: float) -> np.ndarray:
    """A shock's extra lapse hazard: `hazard` at `centre`, falling off over `width`."""
    return hazard * np.exp(-(((ideology - centre) / width) ** 2))


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
    out: np.ndarray | None = None,
    churn: np.ndarray | None = None,
) -> np.ndarray:
    """Factions recruit unaligned members near their line, and lose some.

    An unaligned eligible member within a faction's radius joins the nearest
    such faction with that faction's monthly recruitment rate. Members who
    have drifted beyond twice their faction's radius drift out of it at the
    same rate — factions hold people by agreement, not by contract. And a
    faction's members let their faction membership lapse with its monthly
    `churn`, whatever their position (a drifted member leaves with the
    higher of the two chances): a faction's subscription is renewed or not
    as a party's is, so recruitment that goes on at a steady rate levels
    off where joining and lapsing balance (Momentum: about 40,000 from
    April 2018 through 2019 while the left it recruited from stayed in the
    party, labour_history.json `momentum_and_factions.membership_series`).

    Args:
        ideology: members' ideology.
        faction: members' faction (-1 none).
        eligible: mask of members who can join or leave a faction.
        faction_lines: each faction's line.
        radii: each faction's recruitment radius.
        rates: each faction's monthly recruitment rate.
        rng: random generator.
        out: where to write the result; may be `faction` itself, to update
            it in place (only the few rows that change are written).
        churn: each faction's monthly chance that a member leaves it (None: 0).

    Returns:
        The new faction array (`out`, or a copy).
    """
    new = _start_from(faction, out)
    if faction_lines.size == 0:
        return new
    if churn is None:
        churn = np.zeros_like(rates)
    # Thinning, as in `lapsers`: pick each row with the highest rate, keep the
    # eligible ones, then let each pass with its own rate over the highest.
    # Every eligible member is thus recruited (or drifts out) with exactly its
    # own rate, and only the few picked rows are looked at.
    highest = max(float(rates.max()), float(churn.max()))
    if highest <= 0:
        return new
    picked = draws.bernoulli_positions(faction.size, highest, rng)
    picked = picked[eligible[picked]]
    own = faction[picked]
    keep = rng.random(picked.size) * highest

    unaligned = own < 0
    candidates = picked[unaligned]
    distance = np.abs(ideology[candidates, None] - faction_lines[None, :])
    distance = np.where(distance <= radii[None, :], distance, np.inf)
    nearest = np.argmin(distance, axis=1)
    reachable = np.isfinite(distance[np.arange(candidates.size), nearest])
    joins = reachable & (keep[unaligned] < rates[nearest])
    new[candidates[joins]] = nearest[joins]

    aligned = ~unaligned
    members, own = picked[aligned], own[aligned].astype(np.intp)
    drifted = np.abs(ideology[members] - faction_lines[own]) > 2 * radii[own]
    leaving = np.where(drifted, np.maximum(rates[own], churn[own]), churn[own])
    leaves = keep[aligned] < leaving
    new[members[leaves]] = -1
    return new


def nearest_line(
    x: np.ndarray, faction_lines: np.ndarray, dtype: type = np.intp
) -> tuple[np.ndarray, np.ndarray]:
    """Each position's nearest faction line (the first on a tie) and its distance.

    Args:
        x: positions.
        faction_lines: each faction's line (at least one).
        dtype: integer type of the faction indices returned (narrow is quicker).

    Returns:
        (nearest faction index, distance to its line), one entry per position.
    """
    nearest = np.zeros(x.size, dtype=dtype)
    distance = np.subtract(x, faction_lines[0])
    np.abs(distance, out=distance)
    d = np.empty_like(distance)
    closer = np.empty(x.size, dtype=bool)
    step = np.empty(x.size, dtype=dtype)
    for f in range(1, faction_lines.size):
        np.subtract(x, faction_lines[f], out=d)
        np.abs(d, out=d)
        np.less(d, distance, out=closer)
        # nearest = f where closer: arithmetic, not a masked write (which
        # branches on every element and costs several times as much).
        np.subtract(f, nearest, out=step, dtype=dtype)
        step *= closer
        nearest += step
        np.minimum(distance, d, out=distance)
    return nearest, distance


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
        slates_noise: per CLP, the sampling variance of its slate shares
            (`meetings.share_noise`, for `meetings.composition_reliability`).
        size: simulated members per CLP.
    """

    members: np.ndarray
    slates: np.ndarray
    slates_noise: np.ndarray | None = None
    size: np.ndarray | None = None

    def as_real(self, own: np.ndarray) -> ExpectedMeeting:
        """What the CLPs' real members would give (`meetings.imputed`, `own` per CLP)."""
        if self.size is None or (own >= 1.0).all():
            return self
        return ExpectedMeeting(
            members=meetings.imputed(self.members, self.size, own),
            slates=meetings.imputed(self.slates, self.size, own),
            slates_noise=self.slates_noise,
            size=self.size,
        )


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
    member_clps: np.ndarray | None = None,
    member_ideology: np.ndarray | None = None,
    spread: bool = True,
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
        member_clps: `clp[members]`, when the caller has it already.
        member_ideology: `ideology[members]`, when the caller has it already.
        spread: also count what the sampling noise of the slate votes needs
            (`slates_noise`, `size`); only runs below full scale use it.

    Returns:
        The ExpectedMeeting.
    """
    n_factions = faction_lines.size
    width = n_factions + 1
    n = members.size
    # Each member's weight and bin keys, a block of members at a time (see
    # BLOCK); the two weighted counts then run over all members at once, in
    # member order, so the sums are added up in the same order as ever.
    weight = np.empty(n, dtype=np.float64)
    key = np.empty(n, dtype=np.intp)
    slate_key = np.empty(n, dtype=np.intp) if n_factions else key
    for start in range(0, n, BLOCK):
        stop = min(start + BLOCK, n)
        rows = members[start:stop]
        f = faction[rows]
        weight[start:stop] = activism[rows]
        # The column of each member: its faction, or the last one for the
        # unaligned (faction -1): f + (n_factions + 1) * unaligned, in f's dtype.
        unaligned = f < 0
        column = np.multiply(unaligned, width, dtype=f.dtype)
        column += f
        clps = clp[rows] if member_clps is None else member_clps[start:stop]
        block_key = key[start:stop]
        np.multiply(clps, width, out=block_key, dtype=np.intp)
        block_key += column
        if n_factions:
            # Unaligned members close to a faction's line vote its slate: their
            # key moves by (nearest - column), computed in the narrow dtype;
            # multiplying by the mask avoids a masked write.
            x = ideology[rows] if member_ideology is None else member_ideology[start:stop]
            nearest, distance = nearest_line(x, faction_lines, dtype=column.dtype)
            unaligned &= distance <= affinity
            nearest -= column
            nearest *= unaligned
            np.add(block_key, nearest, out=slate_key[start:stop])
    by_member = np.bincount(key, weights=weight, minlength=n_clps * width)
    by_slate = np.bincount(slate_key, weights=weight, minlength=n_clps * width)
    if not spread:
        return ExpectedMeeting(by_member.reshape(n_clps, width), by_slate.reshape(n_clps, width))
    noise = meetings.share_noise(weight, slate_key // width, slate_key % width, n_clps, width)
    size = np.bincount(key // width, minlength=n_clps)
    return ExpectedMeeting(
        by_member.reshape(n_clps, width), by_slate.reshape(n_clps, width), noise, size
    )


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
