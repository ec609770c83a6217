"""Decisions taken by meetings: who turns up, at the meeting's real size, and how they vote.

This is the half of MODEL.md §4's asymmetry that ballots do not have. A
meeting is decided by the few who attend: each member comes with their
activism (a few per cent at a routine meeting; see docs/ODD.md for the
participation figures), and a faction that targets a CLP multiplies its own
members' attendance.

**Real size.** A run at scale s holds one simulated member for every 1/s
real ones. A meeting is drawn at its real size: each simulated member
stands for 1/s real members (stochastically rounded), of whom a binomial
number attend and vote as that member would. So a branch of a CLP has the
same number of attendees, with the same spread, at scale 0.1 and 1.0, and
meeting outcomes do not depend on the simulated scale.

**Who the unsimulated members are.** A CLP's few dozen simulated members
are a noisy sample of its few hundred real ones: at 0.1 the spread of CLPs'
compositions (how many faction members, how many near a slate's line) is
mostly sampling noise, about ten times the full-scale spread, and
organisers who target the closest contests pick the CLPs that noise made
look close. So a simulated member stands for itself and, of the other real
members, only for the part of its CLP's difference from the party that is
more than noise: each CLP's composition is shrunk towards the party's by
the empirical-Bayes reliability R = τ²/(τ² + v) (τ² the spread between
CLPs beyond noise, v the CLP's sampling variance, by the jackknife, since
activism is so skewed that the usual first-order variance is a tenth to a
quarter too small at a CLP's simulated size; `composition_reliability`).
A share λ = √(s + (1 − s)R) of a CLP's real members are its simulated
members (`own_share`: the constrained-Bayes share, so the CLPs spread
between them as the real ones do); the rest are drawn, one real member at a time, from the
party's members at large (`PartyPool.draw`). At full scale λ = 1 and
nothing changes.

**Slates.** Faction members vote their faction's slate with its
discipline. Everyone else chooses among the slates on offer by a logit:
a faction's slate pulls by exp(−(d/affinity)²), d the distance to its line,
times how organised the faction is in that CLP (1 where it targets the
meeting, `unorganised_weight` where it merely has members present);
unaligned (independent) candidates pull with `independent_weight`. A faction
with no member present fields no slate.

**Places.** An executive has N places. Under the default slate election
each place is decided by plurality: loyal attenders vote the slate for
every place, others choose afresh for each place, so a faction can win nine
places of ten. Under `proportional`, places go by Droop quota and largest
remainders (what STV gives voters who rank a slate en bloc). A faction
controls the executive with a majority of its places.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.mechanisms import arrays


@dataclass(frozen=True)
class MeetingResult:
    """Outcome of a set of simultaneous meetings (one per CLP).

    Attributes:
        units: the CLP of each meeting.
        eligible: members entitled to attend (real size), per meeting.
        attendees: members who attended (real size), per meeting.
        votes: first-place slate votes (n_meetings, n_factions + 1); the last
            column is the unaligned slate.
        places: executive places won (n_meetings, n_factions + 1).
        winner: controlling slate per meeting: a faction with a majority of
            places, or -1 (unaligned or no majority).
        ties_broken: meetings where lot settled a place.
    """

    units: np.ndarray
    eligible: np.ndarray
    attendees: np.ndarray
    votes: np.ndarray
    places: np.ndarray
    winner: np.ndarray
    ties_broken: np.ndarray


def real_weights(n: int, scale: float, rng: np.random.Generator) -> np.ndarray:
    """How many real members each of `n` simulated members stands for (1/scale, rounded at random).

    At scale 1 every weight is 1 and no random number is drawn.
    """
    per = 1.0 / scale
    whole = int(np.floor(per))
    frac = per - whole
    if frac < 1e-9:
        return np.full(n, whole, dtype=np.int64)
    return whole + (rng.random(n) < frac).astype(np.int64)


def share_noise(
    weight: np.ndarray, clp: np.ndarray, slate: np.ndarray, n_clps: int, n_slates: int
) -> np.ndarray:
    """Per CLP: the sampling variance of its slates' shares of the expected votes (jackknife).

    A CLP's share of each slate is a ratio, Σ activism × [votes it] / Σ
    activism, over a few dozen simulated members whose activism is very
    skewed (a Beta with mean 0.05-0.075). The first-order (delta-method)
    variance of such a ratio is too small at that size: by a tenth at 60
    members and a quarter at 20, so that CLPs that differ only by chance look
    a tenth to a third reliable. The delete-one jackknife (Efron & Stein
    1981, Ann. Stat. 9(3)) is nearly unbiased there, erring a few per cent
    high (tests/test_meetings.py): (n − 1)/n Σ_i Σ_g (r_(−i)g − r̄_g)², r_(−i)
    the shares without member i and r̄ their mean, summed over the slates.

    Args:
        weight: each member's weight (activism).
        clp: each member's CLP.
        slate: the slate each member's vote goes to.
        n_clps: number of CLPs.
        n_slates: number of slates.

    Returns:
        Variance per CLP (inf where fewer than two members, or no votes
        without one of them, give a share to vary).
    """
    weight = np.asarray(weight, dtype=float)
    key = clp * n_slates + slate
    votes = np.bincount(key, weights=weight, minlength=n_clps * n_slates)
    total = votes.reshape(n_clps, n_slates).sum(axis=1)
    rest = total[clp] - weight
    usable = rest > 0
    per = 1.0 / np.where(usable, rest, 1.0)
    # Member i's leave-one-out share of slate g is (S_g - a_i [g = g_i]) / (T - a_i):
    # summed over the members, S_g Σ 1/(T - a_i) - Σ_{g_i = g} a_i / (T - a_i);
    # its squares summed over the slates, (Σ_{h ≠ g_i} S_h² + (S_{g_i} - a_i)²) / (T - a_i)²,
    # each term a square, so nothing cancels where one member holds most of
    # the activism. Every sum is a weighted count over the members.
    by_slate = votes.reshape(n_clps, n_slates)
    inverse_sum = np.bincount(clp, weights=per, minlength=n_clps)
    own_sum = np.bincount(key, weights=weight * per, minlength=n_clps * n_slates)
    sums = by_slate * inverse_sum[:, None] - own_sum.reshape(n_clps, n_slates)
    squared = by_slate**2
    other_slates = np.stack(
        [np.delete(squared, g, axis=1).sum(axis=1) for g in range(n_slates)], axis=1
    )
    member_squares = (other_slates.ravel()[key] + (votes[key] - weight) ** 2) * per**2
    squares = np.bincount(clp, weights=member_squares, minlength=n_clps)
    n = np.bincount(clp, minlength=n_clps).astype(float)
    spread = squares - (sums**2).sum(axis=1) / np.maximum(n, 1.0)
    unusable = np.bincount(clp, weights=~usable, minlength=n_clps) > 0
    noise = (n - 1.0) / np.maximum(n, 1.0) * np.maximum(spread, 0.0)
    return np.where((n >= 2) & ~unusable, noise, np.inf)


def composition_reliability(votes: np.ndarray, noise: np.ndarray) -> np.ndarray:
    """Per CLP: how much of its expected slate votes' difference from other CLPs is not noise.

    The empirical-Bayes reliability R = τ²/(τ² + v_c) of the CLP's expected
    slate shares: v_c is the sampling variance of the shares over the CLP's
    simulated members (`share_noise`, summed over the slates), and τ² the
    spread of the shares between CLPs beyond the average v_c (method of
    moments; Efron & Morris 1975, JASA 70(350)).

    Args:
        votes: (n_clps, n_slates) expected votes per slate: the sum of the
            activism of the members whose vote goes to it.
        noise: per CLP, the sampling variance of its shares (`share_noise`).

    Returns:
        Reliability in [0, 1] per CLP (0 for a CLP with no expected votes,
        or too few members to tell its noise).
    """
    total = votes.sum(axis=1)
    have = (total > 0) & np.isfinite(noise)
    reliability = np.zeros(total.size)
    if have.sum() < 2:
        return reliability
    share = votes[have] / total[have, None]
    between = float(share.var(axis=0).sum()) - float(noise[have].mean())
    if between > 0:
        reliability[have] = between / (between + noise[have])
    return reliability


def own_share(reliability: np.ndarray, scale: float) -> np.ndarray:
    """The share of each CLP's real members that its simulated members stand for.

    Each simulated member is one real member (a share `scale` of them); the
    others are like the CLP's simulated members in proportion to its
    `reliability`, the rest like the party's at large. The share is the
    constrained-Bayes one (Louis 1984, JASA 79(386); Ghosh 1992, JASA
    87(418)), √(scale + (1 − scale) × reliability), not the posterior mean
    inside the root: the runs report counts over the ensemble of CLPs (how
    many a faction holds), and posterior means are too alike as an ensemble;
    with the root the CLPs spread between them as the real ones do
    (τ² + scale × v, for τ² their real spread and v a CLP's sampling
    variance at this scale). 1 everywhere at full scale.
    """
    if scale >= 1.0:
        return np.ones_like(reliability, dtype=float)
    return np.sqrt(scale + (1.0 - scale) * reliability)


def imputed(by_clp: np.ndarray, members: np.ndarray, own: np.ndarray) -> np.ndarray:
    """Per-CLP sums over its real members, in simulated-member units (see `own_share`).

    Args:
        by_clp: (n_clps, k) sums over each CLP's simulated members.
        members: simulated members per CLP.
        own: `own_share` per CLP.

    Returns:
        own × the CLP's sums + (1 − own) × its members × the party's mean per
        member (the sums unchanged where own is 1).
    """
    if (own >= 1.0).all():
        return by_clp
    per_member = by_clp.sum(axis=0) / max(float(members.sum()), 1.0)
    return own[:, None] * by_clp + ((1.0 - own) * members)[:, None] * per_member[None, :]


def stand_for(per: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Real members per simulated member, `per` each (rounded at random)."""
    whole = np.floor(per)
    return (whole + (rng.random(per.size) < per - whole)).astype(np.int64)


@dataclass(frozen=True)
class PartyPool:
    """The party's members as a meeting draws real members from them (`PartyPool.draw`).

    Grouped once by faction (unaligned last) with each group's cumulative
    chances of attending, plain and mobilised, so that many meetings in a
    month (a trigger round's, one MP at a time) draw from it without
    regrouping the whole party each time.
    """

    order: np.ndarray
    bounds: np.ndarray
    cumulative: tuple[tuple[np.ndarray, np.ndarray], ...]
    mass: np.ndarray
    size: int

    @classmethod
    def of(
        cls, pool_activism: np.ndarray, pool_faction: np.ndarray, mobilisation: np.ndarray
    ) -> PartyPool:
        """Group the pool (its members' activism and faction, -1 none) by faction."""
        n_factions = mobilisation.size
        base = pool_activism.astype(np.float64)
        group = np.where(pool_faction < 0, n_factions, pool_faction).astype(np.intp)
        order = np.argsort(group, kind="stable")
        bounds = np.searchsorted(group[order], np.arange(n_factions + 2))
        # Per group, the cumulative chances of its members (plain and mobilised).
        cumulative, mass = [], np.zeros((2, n_factions + 1))
        for g in range(n_factions + 1):
            a = base[order[bounds[g] : bounds[g + 1]]]
            boost = mobilisation[g] if g < n_factions else 1.0
            plain, raised = np.cumsum(np.minimum(a, 1.0)), np.cumsum(np.minimum(a * boost, 1.0))
            cumulative.append((plain, raised))
            mass[0, g] = plain[-1] if plain.size else 0.0
            mass[1, g] = raised[-1] if raised.size else 0.0
        return cls(order, bounds, tuple(cumulative), mass, base.size)

    def draw(
        self, real_members: np.ndarray, targeted: np.ndarray, rng: np.random.Generator
    ) -> tuple[np.ndarray, np.ndarray]:
        """Attenders among each meeting's real members drawn from the party at large.

        Each such real member is a uniformly random member of the pool and
        attends with that member's chance at this meeting (raised where its
        faction targets the meeting): the number of attenders per faction
        (and unaligned) is multinomial, and who attends is drawn in
        proportion to the chance within the faction.

        Args:
            real_members: per meeting, real members drawn from the pool.
            targeted: (n_factions, n_meetings) True where a faction mobilises.
            rng: random generator.

        Returns:
            (meeting index per attender, pool position per attender).
        """
        n_factions, n_meetings = targeted.shape
        on = np.zeros((n_meetings, n_factions + 1), dtype=np.intp)
        on[:, :n_factions] = targeted.T
        chance = self.mass[on, np.arange(n_factions + 1)] / max(self.size, 1)
        pvals = np.concatenate([chance, 1.0 - chance.sum(axis=1, keepdims=True)], axis=1)
        pvals = np.clip(pvals, 0.0, 1.0)
        counts = rng.multinomial(real_members.astype(np.int64), pvals)[:, :-1]
        meeting, position = [], []
        for g in range(n_factions + 1):
            for raised in (0, 1):
                n = counts[:, g] * (on[:, g] == raised)
                total = int(n.sum())
                if total == 0:
                    continue
                cum = self.cumulative[g][raised]
                picked = np.searchsorted(cum, rng.random(total) * cum[-1], side="right")
                meeting.append(np.repeat(np.arange(n_meetings), n))
                position.append(self.order[self.bounds[g] + np.minimum(picked, cum.size - 1)])
        if not meeting:
            return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp)
        return np.concatenate(meeting), np.concatenate(position)


def attendance_chance(
    activism: np.ndarray,
    faction: np.ndarray,
    unit: np.ndarray,
    targeted: np.ndarray,
    mobilisation: np.ndarray,
) -> np.ndarray:
    """Each member's chance of attending their meeting.

    Args:
        activism: the members' activism.
        faction: the members' faction (-1 none).
        unit: each member's CLP, for looking up targeting.
        targeted: (n_factions, n_clps) True where a faction mobilises.
        mobilisation: attendance multiplier per faction.

    Returns:
        Probabilities in [0, 1].
    """
    p = activism.astype(np.float64)
    if targeted.size:
        aligned = faction >= 0
        f = faction[aligned]
        boosted = targeted[f, unit[aligned]]
        p_aligned = p[aligned]
        p_aligned[boosted] *= mobilisation[f[boosted]]
        p[aligned] = p_aligned
    return np.minimum(p, 1.0)


ACTIVISM_GROUPS = 2
"""Cohorts whose activism differs (`members.activism` for the starting
members, `members.joiner_activism` for joiners), within each faction."""


def activism_group(faction: np.ndarray, joined: np.ndarray) -> np.ndarray:
    """Each member's group for `typical_chance`: its faction (or none) and cohort."""
    return (faction.astype(np.intp) + 1) * ACTIVISM_GROUPS + (joined > 0)


def group_activism(activism: np.ndarray, group: np.ndarray, n_factions: int) -> np.ndarray:
    """Mean activism of each group (`activism_group`) over these members (0 where empty)."""
    n = (n_factions + 1) * ACTIVISM_GROUPS
    counts = np.bincount(group, minlength=n)
    return np.bincount(group, activism.astype(np.float64), minlength=n) / np.maximum(counts, 1)


def typical_chance(
    group: np.ndarray,
    mean_activism: np.ndarray,
    faction: np.ndarray,
    unit: np.ndarray,
    targeted: np.ndarray,
    mobilisation: np.ndarray,
) -> np.ndarray:
    """The chance of attending of the other real members a simulated member stands for.

    Below full scale a simulated member stands for 1/scale real members.
    What the run knows of them is what they share with it: their place,
    their position and their faction. Their activism it does not know, and
    in the model activism is drawn apart from position (`members.activism`,
    `members.joiner_activism`), so the others are given the mean activism
    of the member's faction and cohort across the party (`group_activism`),
    mobilised where their faction targets. Copies of the simulated member's
    own activism made a meeting's real attenders a few dozen active members
    counted several times: a CLP's attendance summed a very skewed activism
    (Beta(0.5, 9.5) among joiners) over its few dozen simulated members, and
    an AGM gave a slate a majority of the places more often at 0.1 than at
    full scale for the same share of the votes (docs/calibration.md,
    "Scale", twenty-first round).

    Args:
        group: each member's `activism_group`.
        mean_activism: per group, the party's mean activism (`group_activism`).
        faction, unit, targeted, mobilisation: as `attendance_chance`.

    Returns:
        Probabilities in [0, 1], one per member.
    """
    return attendance_chance(mean_activism[group], faction, unit, targeted, mobilisation)


def _came(
    weight: np.ndarray, chance: np.ndarray, typical: np.ndarray | None, rng: np.random.Generator
) -> np.ndarray:
    """Real attenders per simulated member: itself with its chance, the others with `typical`."""
    if typical is None:
        return rng.binomial(weight, chance)
    itself = (rng.random(weight.size) < chance) & (weight > 0)
    return itself + rng.binomial(np.maximum(weight - 1, 0), typical)


def attenders(
    member_ids: np.ndarray,
    chance: np.ndarray,
    scale: float,
    rng: np.random.Generator,
    typical: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The meeting at its real size: each simulated member's attending real members.

    Args:
        member_ids: simulated members entitled to attend.
        chance: each one's chance of attending.
        scale: the run's scale.
        rng: random generator.
        typical: below full scale, the chance of the other real members each
            stands for (`typical_chance`); None: its own chance.

    Returns:
        (attendee ids, each repeated once per real attender; real members
        each simulated member stands for).
    """
    weight = real_weights(member_ids.size, scale, rng)
    if weight.size and weight.min() == 1 == weight.max():
        # At full scale each stands for one: Bernoulli draws, numpy's own outcomes.
        came = arrays.binomial_one(chance, rng)
    else:
        came = _came(weight, chance, typical, rng)
    return np.repeat(member_ids, came), weight


@dataclass(frozen=True)
class RealAttenders:
    """Who attends meetings whose simulated members stand for part of their real members.

    Attributes:
        came: positions (into the meetings' simulated members) of those who
            came, once per real attender each stands for.
        weight: real members each simulated member stands for.
        others: per meeting, real members drawn from the party at large.
        borrowed_meeting: the meeting of each attender drawn from the party.
        borrowed: their positions in the pool.
    """

    came: np.ndarray
    weight: np.ndarray
    others: np.ndarray
    borrowed_meeting: np.ndarray
    borrowed: np.ndarray


def real_attenders(
    position: np.ndarray,
    chance: np.ndarray,
    *,
    own: np.ndarray,
    scale: float,
    party: PartyPool,
    targeted: np.ndarray,
    rng: np.random.Generator,
    typical: np.ndarray | None = None,
) -> RealAttenders:
    """Meetings at their real size, each meeting's simulated members standing for a share `own`.

    Each simulated member stands for own / scale real members (rounded at
    random), who attend with its chance; the meeting's other real members
    are random members of the party (`PartyPool.draw`), attending with their
    own chance there. AGMs (`hold_meetings`) and trigger ballots' branch
    meetings draw their attenders so.

    Args:
        position: each simulated member's meeting (0 .. n_meetings-1).
        chance: each one's chance of attending.
        own: per meeting, the share of its real members its simulated
            members stand for (`own_share`).
        scale: the run's scale.
        party: the party's members, grouped for drawing.
        targeted: (n_factions, n_meetings) True where a faction mobilises.
        rng: random generator.
        typical: the chance of the other real members each simulated member
            stands for (`typical_chance`); None: its own chance.
    """
    weight = stand_for((own / scale)[position], rng)
    came = np.repeat(np.arange(position.size), _came(weight, chance, typical, rng))
    simulated = np.bincount(position, minlength=own.size)
    others = stand_for((1.0 - own) * simulated / scale, rng)
    borrowed_meeting, borrowed = party.draw(others, targeted, rng)
    return RealAttenders(came, weight, others, borrowed_meeting, borrowed)


def attenders_with_others(
    member_ids: np.ndarray,
    chance: np.ndarray,
    scale: float,
    rng: np.random.Generator,
    *,
    own: float,
    pool: np.ndarray,
    party: PartyPool,
    targeted: np.ndarray,
    typical: np.ndarray | None = None,
) -> tuple[np.ndarray, int]:
    """One meeting at its real size, as `real_attenders` draws it.

    Args:
        member_ids: simulated members entitled to attend.
        chance: each one's chance of attending.
        scale: the run's scale.
        rng: random generator.
        own: the share of the meeting's real members its simulated members stand for.
        pool: ids of the party's members, from whom the others are drawn.
        party: the pool grouped for drawing (`PartyPool.of` its activism and
            faction and the factions' mobilisation).
        targeted: (n_factions,) True where a faction mobilises for this meeting.
        typical: the chance of the other real members each simulated member
            stands for (`typical_chance`); None: its own chance.

    Returns:
        (attendee ids, each once per real attender, the meeting's own first,
        then those drawn from the party; how many of them are the meeting's own).
    """
    drawn = real_attenders(
        np.zeros(member_ids.size, dtype=np.intp),
        chance,
        own=np.array([own]),
        scale=scale,
        party=party,
        targeted=targeted.reshape(-1, 1),
        rng=rng,
        typical=typical,
    )
    return np.concatenate([member_ids[drawn.came], pool[drawn.borrowed]]), drawn.came.size


def slate_probabilities(
    ideology: np.ndarray,
    faction: np.ndarray,
    unit: np.ndarray,
    *,
    faction_lines: np.ndarray,
    discipline: np.ndarray,
    affinity: float,
    organised: np.ndarray,
    independent_weight: float,
) -> np.ndarray:
    """Each attender's chance of voting each slate for a place.

    Args:
        ideology, faction, unit: the attenders' position, faction and meeting index.
        faction_lines: each faction's line.
        discipline: each faction's chance that a member votes its slate.
        affinity: distance scale of the pull of a slate.
        organised: (n_units, n_factions) how organised each faction is in
            each meeting (0: no slate there).
        independent_weight: the pull of the unaligned slate.

    Returns:
        (n_attenders, n_factions + 1) probabilities; the last column unaligned.
    """
    n_factions = faction_lines.size
    pull = np.empty((ideology.size, n_factions + 1))
    if n_factions:
        d = np.abs(ideology[:, None] - faction_lines[None, :])
        pull[:, :n_factions] = np.exp(-((d / affinity) ** 2)) * organised[unit]
    pull[:, n_factions] = independent_weight
    free = pull / pull.sum(axis=1, keepdims=True)
    aligned = faction >= 0
    if aligned.any():
        rows = np.flatnonzero(aligned)
        f = faction[aligned].astype(np.intp)
        loyal = discipline[f] * (organised[unit[aligned], f] > 0)
        free[rows] *= (1.0 - loyal)[:, None]
        free[rows, f] += loyal
    return free


def _categorical(p: np.ndarray, rng: np.random.Generator, draws: int = 1) -> np.ndarray:
    """`draws` rounds of one draw per row of a probability matrix: (draws, rows).

    Round k uses the k-th block of `rows` uniforms, as `draws` separate calls
    of one draw per row would.
    """
    cumulative = np.cumsum(p, axis=1)
    u = rng.random((draws, p.shape[0])) * cumulative[:, -1]
    return (cumulative < u[:, :, None]).sum(axis=2)


def elect_places(
    votes: np.ndarray,
    places: int,
    method: str,
    incumbent: np.ndarray,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Places won per slate in each meeting.

    Args:
        votes: (n_units, places, n_slates) votes per place per slate
            (`proportional` uses the first place's votes only).
        places: places on the executive.
        method: "slate" (plurality place by place) or "proportional".
        incumbent: the slate in control before, per unit (keeps a tied place).
        rng: random generator (lots).

    Returns:
        ((n_units, n_slates) places won, per unit: a lot was drawn).
    """
    n_units, _, n_slates = votes.shape
    won = np.zeros((n_units, n_slates), dtype=np.int64)
    lot = np.zeros(n_units, dtype=bool)
    if method == "proportional":
        first = votes[:, 0, :].astype(float)
        total = first.sum(axis=1)
        quota = np.floor(total / (places + 1)) + 1
        whole = np.where(total[:, None] > 0, np.floor(first / quota[:, None]), 0).astype(np.int64)
        whole = np.minimum(whole, places)
        for u in range(n_units):
            left = places - int(whole[u].sum())
            if total[u] == 0:
                won[u, incumbent[u]] = places
                continue
            remainder = first[u] - whole[u] * quota[u]
            order = np.lexsort((rng.random(n_slates), -remainder))
            extra = np.zeros(n_slates, dtype=np.int64)
            extra[order[: max(left, 0)]] = 1
            won[u] = whole[u] + extra
        return won, lot
    for k in range(places):
        v = votes[:, k, :]
        top = v.max(axis=1, keepdims=True)
        tied = (v == top) & (top > 0)
        n_tied = tied.sum(axis=1)
        choice = np.argmax(v, axis=1)
        keeps = tied[np.arange(n_units), incumbent]
        choice[keeps] = incumbent[keeps]
        contested = (n_tied > 1) & ~keeps
        for u in np.flatnonzero(contested):
            choice[u] = rng.choice(np.flatnonzero(tied[u]))
        lot |= contested
        choice[top[:, 0] == 0] = incumbent[top[:, 0] == 0]
        won[np.arange(n_units), choice] += 1
    return won, lot


def hold_meetings(
    units: np.ndarray,
    member_unit: np.ndarray,
    member_ids: np.ndarray,
    *,
    ideology: np.ndarray,
    activism: np.ndarray,
    faction: np.ndarray,
    clp: np.ndarray,
    targeted: np.ndarray,
    mobilisation: np.ndarray,
    faction_lines: np.ndarray,
    discipline: np.ndarray,
    affinity: float,
    unorganised_weight: float,
    independent_weight: float,
    places: int,
    method: str,
    incumbent: np.ndarray,
    scale: float,
    rng: np.random.Generator,
    own: np.ndarray | None = None,
    pool: np.ndarray | None = None,
    typical: np.ndarray | None = None,
) -> MeetingResult:
    """Hold one executive-electing meeting in each of `units` (CLPs) at once.

    Args:
        units: ids of the CLPs meeting, ascending.
        member_unit: the CLP of each member entitled to attend (`clp[member_ids]`,
            each one of `units`).
        member_ids: ids of members entitled to attend any of these meetings.
        ideology, activism, faction, clp: member columns (all rows).
        targeted: (n_factions, n_clps) where factions mobilise.
        mobilisation: attendance multiplier per faction.
        faction_lines: each faction's line.
        discipline: slate discipline per faction.
        affinity: distance scale of a slate's pull.
        unorganised_weight: a faction's organisation where present but not targeting.
        independent_weight: the unaligned slate's pull.
        places: executive places.
        method: "slate" or "proportional" (see `elect_places`).
        incumbent: the controlling faction before, per unit (-1 unaligned).
        scale: the run's scale (meetings are drawn at real size).
        rng: random generator.
        own: per unit, the share of its real members that its simulated
            members stand for (`own_share`); None: all of them.
        pool: ids of the party's members, from whom the rest are drawn
            (`PartyPool.draw`); needed where `own` is below 1.
        typical: below full scale, per member in `member_ids`, the chance of
            the other real members it stands for (`typical_chance`); None:
            its own chance.

    Returns:
        The MeetingResult.
    """
    n_factions = faction_lines.size
    width = n_factions + 1
    # Each member's meeting: a look-up table over the CLPs (units ascending).
    index_of = np.zeros(int(units[-1]) + 1 if units.size else 0, dtype=np.intp)
    index_of[units] = np.arange(units.size)
    position = index_of[member_unit]
    chance = attendance_chance(
        activism[member_ids], faction[member_ids], member_unit, targeted, mobilisation
    )
    if own is not None and pool is not None and (own < 1.0).any():
        # The CLP's simulated members stand for a share `own` of its real
        # members; the others are drawn from the party at large.
        drawn = real_attenders(
            position,
            chance,
            own=own,
            scale=scale,
            party=PartyPool.of(activism[pool], faction[pool], mobilisation),
            targeted=targeted[:, units],
            rng=rng,
            typical=typical,
        )
        eligible = np.bincount(position, weights=drawn.weight, minlength=units.size)
        eligible = eligible.astype(np.int64) + drawn.others
        ids = np.concatenate([member_ids[drawn.came], pool[drawn.borrowed]])
        unit = np.concatenate([position[drawn.came], drawn.borrowed_meeting])
    else:
        came, weight = attenders(np.arange(member_ids.size), chance, scale, rng, typical)
        eligible = np.bincount(position, weights=weight, minlength=units.size).astype(np.int64)
        ids = member_ids[came]
        unit = position[came]
    f = faction[ids].astype(np.intp)

    organised = np.zeros((units.size, max(n_factions, 1)))
    if n_factions:
        present = np.zeros((units.size, n_factions), dtype=bool)
        aligned = f >= 0
        present[unit[aligned], f[aligned]] = True
        organised = np.where(present, unorganised_weight, 0.0)
        organised = np.where(targeted[:, units].T & present, 1.0, organised)
    p = slate_probabilities(
        ideology[ids],
        f,
        unit,
        faction_lines=faction_lines,
        discipline=discipline,
        affinity=affinity,
        organised=organised,
        independent_weight=independent_weight,
    )
    n_places = 1 if method == "proportional" else places
    # Each place is voted afresh: one categorical draw per attender per place,
    # counted per (place, meeting, slate) in one pass.
    slate = _categorical(p, rng, draws=n_places)
    key = (np.arange(n_places)[:, None] * units.size + unit) * width + slate
    votes = np.ascontiguousarray(
        np.bincount(key.ravel(), minlength=n_places * units.size * width)
        .reshape(n_places, units.size, width)
        .transpose(1, 0, 2)
    )
    incumbent_slate = np.where(incumbent < 0, n_factions, incumbent)
    won, lot = elect_places(votes, places, method, incumbent_slate, rng)
    majority = won[:, :n_factions].max(axis=1, initial=0) * 2 > places
    winner = np.where(majority, np.argmax(won[:, :n_factions], axis=1) if n_factions else 0, -1)
    return MeetingResult(
        units=units,
        eligible=eligible,
        attendees=np.bincount(unit, minlength=units.size),
        votes=votes[:, 0, :],
        places=won,
        winner=winner,
        ties_broken=lot,
    )
