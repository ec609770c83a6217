"""Who joins: finite pools of sympathisers outside the party, drawn in by the moment.

Outside the party stand sympathisers in a few *segments* (a left, a soft
left, a centre...), each a finite stock of people at a position on the
axis. Joining depletes a segment and lapsing refills it in part, so a
segment that has already joined en masse cannot surge twice: the 2015–16
surge drew the left's sympathisers in, and by 2020 the ones still outside
were mostly elsewhere on the axis.

Each month a segment joins at a rate that depends on the moment:

* **the leader**: its attraction to the leader, exp(−((m − leader)/w)²),
  strongest when the leader is new (joining comes in waves after events —
  labour_politics.json `membership_flows.events` — and a new leader's wave
  fades over `novelty_months` to `settled_share` of its height);
* **an open contest**: its *stake* — how much the outcome matters to it,
  the spread of its pull between the candidates — adds contest_surge ×
  stake to its joining: a contest between the left and the centre brings in
  both; a segment whose people have mostly joined already has little left
  to bring;
* **a general-election campaign**: joining × (1 + election_surge);
* **dated shocks** the scenario declares (a leadership crisis, a purge).

Sympathisers differ in how willing they are: the most willing join first,
so a segment's rate is scaled by the mean propensity of those still outside
(`deplete_propensity`), and a segment that has surged once draws fewer
afterwards even from a large stock.

Joiners who come for a contest can vote only if the rules let new members
vote (no freeze date in the way); otherwise — and where registered
supporters are allowed, and cheaper than joining — they sign up as
registered supporters. The choice between the two routes is a logit on
their costs (the supporters' fee against a member's first payment), and a
short sign-up window loses some of the willing.

Pure functions of arrays; the Membership and Electorate institutions apply them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.special import ndtr

IDEOLOGY_MIN, IDEOLOGY_MAX = -1.0, 1.0


def attraction(segment_means: np.ndarray, position: float, width: float) -> np.ndarray:
    """How strongly each segment is drawn to a figure at `position` (1 at the segment's mean).

    Args:
        segment_means: each segment's position.
        position: the leader's (or a candidate's) position.
        width: how fast attraction falls with distance.

    Returns:
        Attraction in (0, 1] per segment.
    """
    return np.exp(-(((np.asarray(segment_means) - position) / width) ** 2))


def contest_stake(
    segment_means: np.ndarray,
    candidates: Sequence[float],
    width: float,
    *,
    valences: Sequence[float] = (),
    electability_weight: float = 0.0,
    standing: Sequence[float] = (),
    viability: float = 0.0,
) -> np.ndarray:
    """Each segment's stake in an open contest: how much the outcome matters to it.

    The stake is the spread of the segment's pull between the candidates it
    likes best and least (counting perceived electability, exp(weight ×
    valence), as members do when they vote): a contest between a left and a
    centrist candidate matters to both sides; a contest between two
    candidates a segment is indifferent to (or equally far from) does not.
    The spread, not the gain over the current leader, is what counts: in a
    challenge the left's favourite *is* the leader, and the threat of losing
    him is what brought it in (2016).

    Args:
        segment_means: each segment's position.
        candidates: the candidates' positions.
        width: attraction width.
        valences: candidates' valence (electability); empty: none.
        electability_weight: weight of valence this contest (see `electability_weight`).
        standing: each candidate's share of the electorate's first
            preferences so far (`contest_standing`); empty: not used.
        viability: how much a segment's stake follows its favourite's
            standing: the stake is multiplied by (standing of the favourite /
            standing of the front-runner) ** viability (0: not at all).
            Sympathisers come in for a candidate who can win — the momentum
            of primaries (Bartels 1988) — so a fringe candidate draws few
            (Abbott's 7% in 2010) and a rising one draws more as they rise
            (the 2015 surge grew with Corbyn's poll leads: YouGov had him
            at 43% of the selectorate in July and 53% in August,
            labour_politics.json `electability_and_members_polls.contest_2015`).

    Returns:
        Stake in [0, 1] per segment.
    """
    if len(candidates) < 2:
        return np.zeros(len(segment_means))
    pulls = np.stack([attraction(segment_means, c, width) for c in candidates])
    if len(valences):
        boost = np.exp(electability_weight * (np.asarray(valences) - max(valences)))
        pulls = pulls * boost[:, None]
    stake = np.clip(pulls.max(axis=0) - pulls.min(axis=0), 0.0, 1.0)
    if viability > 0 and len(standing):
        shares = np.asarray(standing, dtype=float)
        front = shares.max()
        if front > 0:
            favourite = pulls.argmax(axis=0)
            stake = stake * (shares[favourite] / front) ** viability
    return stake


def contest_standing(
    voter_ideology: np.ndarray,
    candidates: Sequence[float],
    *,
    valences: Sequence[float] = (),
    electability_weight: float = 0.0,
    noise_sd: float = 0.0,
) -> tuple[float, ...]:
    """Each candidate's share of the electorate's first preferences, as a poll would find it.

    A voter's utility is that of `mechanisms.contests.utilities`: distance
    and perceived electability, plus the voter's own noise of sd
    `noise_sd`. The poll reports each candidate's *expected* share under
    that noise (`choice_shares`), so it draws nothing from the random
    streams and moves smoothly as the electorate and the candidates move. A
    poll that took every voter's noiseless favourite would not: where the
    electability weight nearly offsets the distance between two candidates,
    the same electorate polls 70% for one or 0% (the left's 2020 candidate
    in runs whose campaign shocks differ by a tenth of valence), and every
    stake that follows the poll (`contest_stake`'s viability) tips with it.

    Args:
        voter_ideology: the electorate so far (full members).
        candidates: the candidates' positions.
        valences: their valence; empty: none.
        electability_weight: the moment's weight on valence.
        noise_sd: sd of each voter's utility noise (the contests'
            `utility_noise`); 0: every voter's noiseless favourite.

    Returns:
        Shares summing to 1 (equal shares for an empty electorate).
    """
    n = len(candidates)
    x = np.asarray(voter_ideology, dtype=float)
    if n == 0:
        return ()
    if x.size == 0:
        return tuple([1.0 / n] * n)
    if noise_sd > 0:
        # Utility depends on the voter only through their position: poll the
        # electorate's histogram (bins of 0.005, far finer than the noise).
        counts, edges = np.histogram(
            np.clip(x, IDEOLOGY_MIN, IDEOLOGY_MAX),
            bins=_POLL_BINS,
            range=(IDEOLOGY_MIN, IDEOLOGY_MAX),
        )
        x = 0.5 * (edges[:-1] + edges[1:])
        keep = counts > 0
        x, weights = x[keep], counts[keep].astype(float)
    utility = -np.abs(x[:, None] - np.asarray(candidates, dtype=float)[None, :])
    if len(valences):
        utility = utility + electability_weight * np.asarray(valences, dtype=float)[None, :]
    if noise_sd > 0:
        shares = weights @ choice_shares(utility, noise_sd)
        return tuple((shares / shares.sum()).tolist())
    counts = np.bincount(utility.argmax(axis=1), minlength=n)
    return tuple((counts / counts.sum()).tolist())


_POLL_BINS = 400
_HERMITE = np.polynomial.hermite_e.hermegauss(40)


def choice_shares(utility: np.ndarray, noise_sd: float) -> np.ndarray:
    """Each voter's chance of putting each candidate first, under Gaussian utility noise.

    With independent N(0, sd²) noise on every utility, candidate c is first
    with probability E_z[Π_{k≠c} Φ(z + (u_c − u_k)/sd)], z ~ N(0, 1) (the
    multinomial probit with independent errors), computed by Gauss–Hermite
    quadrature.

    Args:
        utility: (n_voters, n_candidates) noiseless utilities.
        noise_sd: the noise's sd (> 0).

    Returns:
        (n_voters, n_candidates) probabilities; each row sums to 1 (up to
        the quadrature's error, about 1e-6 at the model's utilities).
    """
    nodes, weights = _HERMITE
    gap = (utility[:, :, None] - utility[:, None, :]) / noise_sd  # [v, c, k] = (u_c − u_k)/sd
    cdf = ndtr(nodes[None, None, None, :] + gap[..., None])  # [v, c, k, node]
    k = utility.shape[1]
    own = np.arange(k)
    cdf[:, own, own, :] = 1.0
    chance = (cdf.prod(axis=2) * weights[None, None, :]).sum(axis=2) / np.sqrt(2.0 * np.pi)
    return chance


def electability_weight(
    base: float,
    after_defeat: float,
    defeats: Sequence[tuple[float, float]],
    memory: float,
) -> float:
    """How much members weigh a candidate's electability this month.

    It rises with the party's distance from power: every general-election
    defeat adds its severity, fading as it recedes, so defeats in a row add
    up (in November 2015 most members would "say what you believe even if
    you lose"; by July 2021 more chose electability: labour_politics.json
    electability_and_members_polls.principles_vs_winning).

    Args:
        base: the weight with no defeat in memory.
        after_defeat: extra weight per unit of severity, just after a defeat.
        defeats: (months since, severity) of each election remembered
            (severity 0 for a win; see `defeat_severity`).
        memory: months over which a defeat's effect fades by a factor e.

    Returns:
        The weight (≥ base).
    """
    return base + after_defeat * sum(
        severity * _fading(months, memory) for months, severity in defeats
    )


def _fading(months: float, memory: float) -> float:
    """What is left of a defeat's effect `months` after it (1 at once, 1/e after `memory`)."""
    return float(np.exp(-max(months, 0.0) / memory))


def defeat_discredit(
    position: float,
    defeats: Sequence[tuple[float, float, float | None]],
    memory: float,
    width: float,
) -> float:
    """How far a defeat remembered discredits a candidate's line (0 = not at all).

    Budge's "past results" rule: a party that lost moves away from the
    policy it lost on (Budge 1994, British Journal of Political Science
    24(4); Somer-Topcu 2009, Journal of Politics 71(1): parties change more
    after losing votes). Members judging electability do the same: a
    candidate who stands where the leader who lost stood is seen as less
    likely to win, in proportion to the defeat's severity, fading as it
    recedes. Who led the defeat matters, not only that there was one: after
    2015 the line that had lost was Ed Miliband's; after 2019 it was
    Corbyn's (2020's candidates said so themselves: Long-Bailey promised
    continuity, Starmer "unity" and electability;
    labour_politics.json electability_and_members_polls.contest_2020).

    Args:
        position: the candidate's position.
        defeats: (months since, severity, position of the leader who led
            the party into it, None if not known) for each election remembered.
        memory: months over which a defeat's effect fades by a factor e.
        width: distance from the defeated leader's position over which the
            discredit falls (Gaussian, as `attraction`).

    Returns:
        The discredit (≥ 0): Σ severity × fading × closeness to the defeated line.
    """
    return sum(
        severity * _fading(months, memory) * float(attraction(np.array([line]), position, width)[0])
        for months, severity, line in defeats
        if line is not None and severity > 0.0
    )


def defeat_severity(seats: int, majority_seats: int) -> float:
    """How far short of a majority an election left the party (0 for a win, up to 1)."""
    if majority_seats <= 0:
        return 0.0
    return float(np.clip((majority_seats - seats) / majority_seats, 0.0, 1.0))


@dataclass(frozen=True)
class JoiningMoment:
    """What draws sympathisers in this month.

    Attributes:
        leader: the leader's position.
        leader_months: months since the leader took office (new leaders draw a wave).
        contest_candidates: positions of an open contest's candidates (empty: none).
        contest_valences: their valence.
        contest_standing: their share of the members' first preferences so
            far (empty: not polled; see `contest_standing`).
        electability_weight: members' weight on valence this month.
        surge_joins: the share of a contest's would-be voters who join as
            members (the rest sign up as supporters, or stay out when joining
            would not give a vote; see `surge_joining_share`).
        campaign: a general-election campaign is on (this month or next).
        shock_multiplier: joining multiplier from the scenario's dated shocks.
    """

    leader: float
    leader_months: float = 1e9
    contest_candidates: tuple[float, ...] = ()
    contest_valences: tuple[float, ...] = ()
    contest_standing: tuple[float, ...] = ()
    electability_weight: float = 0.0
    surge_joins: float = 1.0
    campaign: bool = False
    shock_multiplier: float = 1.0


def joining_rates(
    segment_means: np.ndarray,
    moment: JoiningMoment,
    *,
    join_rate: float,
    width: float,
    contest_surge: float,
    election_surge: float,
    settled_share: float = 1.0,
    novelty_months: float = 12.0,
    viability: float = 0.0,
) -> np.ndarray:
    """Each segment's monthly joining hazard (share of its stock that joins).

    Args:
        segment_means: each segment's position.
        moment: this month's leader, contest, campaign and shocks.
        join_rate: the hazard of a segment fully drawn to the leader in an ordinary month.
        width: attraction width.
        contest_surge: extra joining per unit of stake in an open contest.
        election_surge: extra joining in a campaign.
        settled_share: joining under a settled leader, as a share of that under
            a new one (joining comes in waves after events: a new leader's
            wave fades over `novelty_months`).
        novelty_months: how fast a new leader's wave fades.
        viability: how much a segment's stake follows its favourite's
            standing (`contest_stake`; 0: not at all).

    Returns:
        Hazard in [0, 1] per segment.
    """
    novelty = float(np.exp(-max(moment.leader_months, 0.0) / novelty_months))
    wave = settled_share + (1.0 - settled_share) * novelty
    rate = join_rate * wave * attraction(segment_means, moment.leader, width)
    if moment.contest_candidates:
        stake = contest_stake(
            segment_means,
            moment.contest_candidates,
            width,
            valences=moment.contest_valences,
            electability_weight=moment.electability_weight,
            standing=moment.contest_standing,
            viability=viability,
        )
        surge = contest_surge * stake * moment.surge_joins
        # The stake draws people to the contest, not to the leader: its
        # joiners come at the base hazard, whatever the leader's appeal.
        rate = rate + join_rate * surge
    if moment.campaign:
        rate = rate * (1.0 + election_surge)
    return np.clip(rate * moment.shock_multiplier, 0.0, 1.0)


def deplete_propensity(mean: np.ndarray, rates: np.ndarray, spread: float) -> np.ndarray:
    """Each segment's mean propensity to join after a month of joining at `rates`.

    Sympathisers differ in how willing they are to join: propensity is
    gamma-distributed within a segment with variance `spread` (mean 1 when
    the segment is fresh), and a member of the segment joins at the
    segment's rate times their propensity. The most willing join first, so
    the ones left behind are less willing — the "frailty" result of
    Vaupel, Manton & Stallard (1979, Demography 16(3)): after exposure to
    a hazard b per unit of propensity, the survivors are still gamma with
    the same shape and mean m / (1 + spread · b · m). A left that has come
    in en masse (2015–16) cannot surge again at the same rate, however many
    of its sympathisers are still outside: membership stopped growing after
    2016 under the same leader (564,443 at the end of 2017, 532,046 at the
    end of 2019: labour_history.json `membership.year_end_series`).

    Args:
        mean: each segment's mean propensity now.
        rates: each segment's joining hazard this month per unit of
            propensity (`joining_rates`).
        spread: the variance of propensity in a fresh segment (0: all alike,
            and the mean stays 1).

    Returns:
        The mean propensity of those still outside.
    """
    mean = np.asarray(mean, dtype=float)
    return mean / (1.0 + spread * np.asarray(rates, dtype=float) * mean)


def mix_propensity(mean: np.ndarray, stock: np.ndarray, added: np.ndarray) -> np.ndarray:
    """A segment's mean propensity after `added` fresh sympathisers (propensity 1) join its stock.

    A segment that grows (the left outside the party, 2010–2015) gains people
    nobody has asked yet; lapsed members who return to the pool are assumed
    to come back at the pool's own mean [assumption].
    """
    stock = np.maximum(np.asarray(stock, dtype=float), 0.0)
    added = np.maximum(np.asarray(added, dtype=float), 0.0)
    total = stock + added
    mixed = np.divide(mean * stock + added, total, out=np.ones_like(total), where=total > 0)
    return np.where(added > 0, mixed, mean)


def drawn_shares(
    segment_means: np.ndarray,
    moment: JoiningMoment,
    rates: np.ndarray,
    *,
    join_rate: float,
    width: float,
    election_surge: float,
    settled_share: float = 1.0,
) -> np.ndarray:
    """Of each segment's joiners this month, the share drawn by the moment, not the party.

    Settled joining — what a segment gives under a leader no longer new, in
    or out of a campaign — is joining for the party. The rest is drawn by
    a new leader's wave, an open contest or a dated shock: the 2015–16
    joiners came for Corbyn (labour_politics.json
    members_ideology_and_composition.cohort_differences_2015_16), and those
    who left from 2020 cited the leadership most often
    (membership_flows.reasons_for_leaving_2020_2024).

    Args:
        segment_means: each segment's position.
        moment: this month's leader, contest, campaign and shocks.
        rates: the segments' joining hazards this month (`joining_rates`).
        join_rate, width, election_surge, settled_share: as in `joining_rates`.

    Returns:
        Share in [0, 1] per segment (0 where nobody joins).
    """
    settled = join_rate * settled_share * attraction(segment_means, moment.leader, width)
    if moment.campaign:
        settled = settled * (1.0 + election_surge)
    rates = np.asarray(rates, dtype=float)
    # A vanishing rate can overflow the ratio; the clip below bounds it anyway.
    with np.errstate(over="ignore"):
        share = np.divide(rates - settled, rates, out=np.zeros_like(rates), where=rates > 0)
    return np.clip(share, 0.0, 1.0)


def draw_joiners(
    stock: np.ndarray,
    rates: np.ndarray,
    scale: float,
    rng: np.random.Generator,
) -> np.ndarray:
    """Joiners per segment this month, in simulated members.

    Args:
        stock: each segment's sympathisers outside the party (full scale).
        rates: each segment's hazard.
        scale: the run's scale.
        rng: random generator.

    Returns:
        Simulated joiners per segment (ints).
    """
    return rng.poisson(np.maximum(stock, 0.0) * rates * scale)


def segment_ideologies(
    counts: np.ndarray,
    means: np.ndarray,
    sds: np.ndarray,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Positions of joiners drawn from each segment (truncated to the axis).

    Returns:
        (ideology, segment) of each joiner, segments in order.
    """
    segment = np.repeat(np.arange(len(counts)), counts)
    x = rng.normal(np.asarray(means)[segment], np.asarray(sds)[segment])
    # Reflect the rare draws beyond the axis back inside rather than piling them at ±1.
    x = np.where(x > IDEOLOGY_MAX, 2 * IDEOLOGY_MAX - x, x)
    x = np.where(x < IDEOLOGY_MIN, 2 * IDEOLOGY_MIN - x, x)
    return np.clip(x, IDEOLOGY_MIN, IDEOLOGY_MAX), segment


def nearest_segment(ideology: np.ndarray, segment_means: np.ndarray) -> np.ndarray:
    """The segment each position belongs to (nearest mean): where a lapsed member returns."""
    return np.argmin(np.abs(np.asarray(ideology)[:, None] - np.asarray(segment_means)[None, :]), 1)


def supporter_route_share(fee: float, alternative: float, elasticity: float) -> float:
    """Share of would-be voters who pay the registered-supporter fee.

    A logit on price, price^-ε: at equal prices half take each way. The
    alternative is a member's first payment when joining gives a vote (so a
    £3 fee beats a £4 payment and a £25 fee loses to it), or the price a
    would-be voter would pay at most when it does not (a freeze date).

    Args:
        fee: the registered-supporter fee.
        alternative: the price of the alternative (see above).
        elasticity: ε.

    Returns:
        The registered-supporter share in [0, 1].
    """
    if fee <= 0:
        return 1.0
    a = alternative**elasticity
    return float(a / (a + fee**elasticity))


def surge_joining_share(
    members_can_vote: bool, supporters_allowed: bool, supporter_share: float, voteless_share: float
) -> float:
    """Share of a contest's would-be voters who join as full members.

    Args:
        members_can_vote: joiners now would vote (no freeze date in the way).
        supporters_allowed: the rules have registered supporters.
        supporter_share: of the would-be voters, those who prefer the fee
            (`supporter_route_share`).
        voteless_share: those who join even though they cannot vote.

    Returns:
        A share in [0, 1].
    """
    if not members_can_vote:
        return voteless_share
    return 1.0 - supporter_share if supporters_allowed else 1.0


def window_share(hours: float | None, scale_hours: float) -> float:
    """Share of the willing who manage to sign up within a window of `hours` (None: open)."""
    if hours is None:
        return 1.0
    return float(1.0 - np.exp(-hours / scale_hours))
