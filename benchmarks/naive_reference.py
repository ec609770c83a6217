"""The monthly member rules written the textbook Mesa way: one agent, one step.

This is the yardstick for the vectorised dynamics (model/dynamics.py). It
applies, member by member, exactly the rules `PartyModel.step` applies to
whole columns:

1. influence — a Deffuant meeting with a random partner from the same CLP
   who is also meeting this month (each member meets with probability
   `interaction_rate`; the meeters of a CLP are paired at random, an odd one
   out sits the month out), then the pull of the member's faction line, the
   leader's cue for members who trust the leader, and a little normal drift,
   clipped to [-1, 1];
2. lapsing — with `lapse_probability` (churn, higher for new members and
   fading with tenure, plus dissatisfaction with the leader's distance); a
   lapsed member leaves the model;
3. recruitment — an unaligned member within a faction's radius joins the
   nearest such faction at its rate; a member beyond twice its faction's
   radius drifts out at the same rate;

and the party (a `mesa.Model`) adds joiners from the pools of sympathisers between
the members' steps and their recruitment, as `PartyModel` does. Members are
`NaiveMember(mesa.Agent)` objects stepped by `model.agents.shuffle_do("step")`
and draw their chances from the model's `random.Random`, as a competent Mesa
user would write it: plain attributes, locals for hot parameters, a dict of
members per CLP instead of scanning all agents, no deliberate waste.

`VectorisedParty` runs the same rules through `model.mechanisms.dynamics` on a copy of
the same `MemberTable`, in the order and with the calls `PartyModel.step`
makes (minus the targeting of meetings, which has no per-member rule). Both
start from a `ReferenceState` built by `model.agents.population`, so benchmarks and
the equivalence test (tests/test_naive_reference.py) compare like with like.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from itertools import accumulate

import mesa
import numpy as np

from model.agents import population
from model.agents.clps import ClpTable
from model.agents.members import FULL_MEMBER, NO_FACTION, NO_UNION, MemberTable
from model.mechanisms import dynamics, sympathisers
from model.scenario.schema import Scenario

# Rules a deliberately broken reference can leave out (for the equivalence test).
RULES = ("deffuant", "faction_pull", "leader_cue", "noise", "lapsing", "joining", "recruitment")


@dataclass
class ReferenceState:
    """A starting state both implementations are built from.

    Attributes:
        scenario: the scenario (parameters of every rule).
        clps: the CLP layout.
        members: the initial member table (never modified; each run copies it).
        leader_ideology: the leader's position (fixed: no contests here).
    """

    scenario: Scenario
    clps: ClpTable
    members: MemberTable
    leader_ideology: float


def reference_scenario(
    base: Scenario, *, members: int, clps: int | None = None, months: int = 12
) -> Scenario:
    """The base scenario resized to about `members` members.

    Args:
        base: the scenario whose parameters to keep.
        members: the wanted number of members (sets `party.scale`).
        clps: the number of CLPs (default: the base's); the PLP shrinks to fit.
        months: the calendar length.

    Returns:
        The resized scenario.
    """
    n_clps = base.party.clps if clps is None else clps
    return base.with_changes(
        party={
            "scale": members / base.party.members,
            "clps": n_clps,
        },
        calendar={"months": months},
    )


def build_state(scenario: Scenario, seed: int) -> ReferenceState:
    """Draw the CLPs and members of a scenario, as `PartyModel` does at set-up.

    Args:
        scenario: the scenario.
        seed: seed of the set-up draws.

    Returns:
        The ReferenceState.
    """
    rng = np.random.default_rng(seed)
    clps = population.build_clps(scenario, len(scenario.unions), rng)
    members = population.build_members(scenario, clps, rng)
    return ReferenceState(scenario, clps, members, scenario.leader.ideology)


# --- the textbook Mesa way ---------------------------------------------------


class NaiveMember(mesa.Agent):
    """One member as a Mesa agent, with the monthly rules in `step`."""

    def __init__(
        self,
        model: NaiveParty,
        *,
        ideology: float,
        clp: int,
        branch: int,
        faction: int,
        trusts_leader: bool,
        activism: float,
        turnout: float,
        union: int,
        joined: int,
    ):
        """Create a member and enrol it in its CLP.

        Args:
            model: the party.
            ideology: left (-1) .. right (+1).
            clp: constituency party.
            branch: branch (ward), numbered across all CLPs.
            faction: faction index, or -1.
            trusts_leader: takes the leader's cue.
            activism: chance of attending a meeting.
            turnout: chance of voting in a ballot.
            union: union whose levy the member pays, or -1.
            joined: month joined.
        """
        super().__init__(model)
        self.ideology = ideology
        self.clp = clp
        self.branch = branch
        self.faction = faction
        self.trusts_leader = trusts_leader
        self.activism = activism
        self.turnout = turnout
        self.union = union
        self.joined = joined
        self.partner: NaiveMember | None = None
        model.clp_members[clp][self] = None

    def step(self) -> None:
        """One month for this member: influence, then lapsing, then recruitment."""
        self.influence()
        if self.lapses():
            self.leave()
        else:
            self.organise()

    def influence(self) -> None:
        """Meet the partner (if any), then faction pull, leader cue and drift."""
        model = self.model
        partner = self.partner
        if partner is not None:
            # The pair meets once, in the step of whichever of the two goes
            # first; both still hold their start-of-month positions then.
            self.partner = partner.partner = None
            gap = partner.ideology - self.ideology
            if abs(gap) < model.confidence_bound:
                step = model.convergence * gap
                self.ideology += step
                partner.ideology -= step
        x = self.ideology
        if self.faction >= 0 and model.faction_pull > 0:
            x += model.faction_pull * (model.faction_lines[self.faction] - x)
        if self.trusts_leader and model.leader_cue > 0:
            x += model.leader_cue * (model.leader_ideology - x)
        if model.noise_sd > 0:
            x += model.random.gauss(0.0, model.noise_sd)
        self.ideology = min(max(x, -1.0), 1.0)

    def lapses(self) -> bool:
        """Whether the member lets its membership lapse this month."""
        model = self.model
        excess = max(0.0, abs(self.ideology - model.leader_ideology) - model.tolerance)
        tenure = max(model.month - self.joined, 0)
        churn = model.churn * (
            1.0 + model.new_member_churn * math.exp(-tenure / model.tenure_scale)
        )
        return model.random.random() < min(1.0, churn + model.dissatisfaction * excess)

    def leave(self) -> None:
        """Lapse: leave the CLP and the model."""
        model = self.model
        del model.clp_members[self.clp][self]
        model.lapsed += 1
        self.remove()

    def organise(self) -> None:
        """Be recruited by the nearest faction in reach, or drift out of one's own."""
        model = self.model
        lines, radii, rates = model.faction_lines, model.recruit_radii, model.recruit_rates
        x = self.ideology
        if self.faction < 0:
            best, best_distance = -1, math.inf
            for f, line in enumerate(lines):
                distance = abs(x - line)
                if distance <= radii[f] and distance < best_distance:
                    best, best_distance = f, distance
            if best >= 0 and model.random.random() < rates[best]:
                self.faction = best
        else:
            f = self.faction
            if abs(x - lines[f]) > 2 * radii[f] and model.random.random() < rates[f]:
                self.faction = NO_FACTION


class NaiveParty(mesa.Model):
    """The party holding one `NaiveMember` per member; it pairs meeters and adds joiners."""

    def __init__(self, state: ReferenceState, seed: int, *, omit: str | None = None):
        """Create one agent per member of the reference state.

        Args:
            state: the starting state.
            seed: seed of this run (Mesa's `random` and `rng`).
            omit: a rule to leave out (one of RULES), to check that the
                equivalence test notices; None for the faithful reference.
        """
        if omit is not None and omit not in RULES:
            raise ValueError(f"omit must be one of {RULES}, not {omit!r}")
        super().__init__(rng=seed)
        self.omit = omit
        sc = state.scenario
        # Parameters as plain attributes (the members read them every step).
        # Omitting a rule zeroes the parameter that drives it.
        inf, flows = sc.influence, sc.flows
        self.interaction_rate = 0.0 if omit == "deffuant" else inf.interaction_rate
        self.confidence_bound = inf.confidence_bound
        self.convergence = inf.convergence
        self.faction_pull = 0.0 if omit == "faction_pull" else inf.faction_pull
        self.leader_cue = 0.0 if omit == "leader_cue" else inf.leader_cue
        self.noise_sd = 0.0 if omit == "noise" else inf.noise_sd
        self.churn = 0.0 if omit == "lapsing" else flows.churn
        self.dissatisfaction = 0.0 if omit == "lapsing" else flows.dissatisfaction
        self.tolerance = flows.tolerance
        self.new_member_churn = flows.new_member_churn
        self.tenure_scale = flows.tenure_scale_months
        # The reference's leader is settled (no new-leader wave): joining at
        # the settled share of a new leader's.
        self.join_rate = 0.0 if omit == "joining" else flows.join_rate * flows.settled_share
        self.pool = [(seg.mean, seg.sd) for seg in flows.pool]
        self.stock = [seg.size for seg in flows.pool]
        self.attraction_width = flows.attraction_width
        self.member_spec = sc.members
        self.scale = sc.party.scale
        self.leader_ideology = state.leader_ideology
        self.faction_lines = [f.line for f in sc.factions]
        self.recruit_radii = [f.recruit_radius for f in sc.factions]
        self.recruit_rates = [
            0.0 if omit == "recruitment" else f.recruitment_rate for f in sc.factions
        ]
        self.union_weights = [max(u.levy_payers, 1) for u in sc.unions]
        self.branch_start = state.clps.branch_start.tolist()
        self.n_branches = state.clps.n_branches.tolist()
        n_clps = len(state.clps)
        # Joiners settle in CLPs in proportion to their size at the start.
        clp_weight = np.bincount(state.members.clp, minlength=n_clps) + 1.0
        self.clp_cum_weights = list(accumulate(clp_weight.tolist()))
        self.clp_members: list[dict[NaiveMember, None]] = [{} for _ in range(n_clps)]
        self.month = 0
        self.lapsed = 0
        self.joined = 0

        m = state.members
        active = np.flatnonzero(m.active)
        for row in zip(
            *(
                getattr(m, name)[active].tolist()
                for name in (
                    "ideology",
                    "clp",
                    "branch",
                    "faction",
                    "trusts_leader",
                    "activism",
                    "turnout",
                    "union",
                    "joined",
                )
            ),
            strict=True,
        ):
            NaiveMember(
                self,
                ideology=row[0],
                clp=row[1],
                branch=row[2],
                faction=row[3],
                trusts_leader=row[4],
                activism=row[5],
                turnout=row[6],
                union=row[7],
                joined=row[8],
            )

    def step(self) -> None:
        """One month: pair the meeters, step every member, then add joiners."""
        self.month += 1
        self.pair_meeters()
        self.agents.shuffle_do("step")
        self.join()

    def pair_meeters(self) -> None:
        """Decide who meets this month and pair them at random within each CLP."""
        rate = self.interaction_rate
        chance = self.random.random
        for members in self.clp_members:
            meeters = [m for m in members if chance() < rate]
            self.random.shuffle(meeters)
            for a, b in zip(meeters[0::2], meeters[1::2], strict=False):
                a.partner, b.partner = b, a

    def join(self) -> None:
        """Add this month's joiners from the pools of sympathisers; they may be recruited at once."""
        spec = self.member_spec
        width = self.attraction_width
        rand = self.random
        segments = []
        for s, (mean, _sd) in enumerate(self.pool):
            pull = math.exp(-(((mean - self.leader_ideology) / width) ** 2))
            k = int(self.rng.poisson(max(self.stock[s], 0.0) * self.join_rate * pull * self.scale))
            self.stock[s] = max(self.stock[s] - k / self.scale, 0.0)
            segments += [s] * k
        count = len(segments)
        clps = rand.choices(range(len(self.clp_members)), cum_weights=self.clp_cum_weights, k=count)
        newcomers = []
        for clp, s in zip(clps, segments, strict=True):
            mean, sd = self.pool[s]
            x = rand.gauss(mean, sd)
            x = 2.0 - x if x > 1.0 else (-2.0 - x if x < -1.0 else x)  # reflected into the axis
            x = min(max(x, -1.0), 1.0)
            union = NO_UNION
            if rand.random() < spec.levy_payer_share:
                union = rand.choices(range(len(self.union_weights)), self.union_weights)[0]
            newcomers.append(
                NaiveMember(
                    self,
                    ideology=x,
                    clp=clp,
                    branch=self.branch_start[clp] + rand.randrange(self.n_branches[clp]),
                    faction=NO_FACTION,
                    trusts_leader=rand.random() < spec.trusts_leader,
                    activism=rand.betavariate(
                        (spec.joiner_activism or spec.activism).alpha,
                        (spec.joiner_activism or spec.activism).beta,
                    ),
                    turnout=rand.betavariate(spec.turnout.alpha, spec.turnout.beta),
                    union=union,
                    joined=self.month,
                )
            )
        self.joined += count
        for member in newcomers:
            member.organise()

    # --- outcomes ---

    def ideologies(self) -> np.ndarray:
        """Ideology of every current member."""
        return np.array([a.ideology for a in self.agents])

    def factions(self) -> np.ndarray:
        """Faction of every current member (-1 none), in the order of `ideologies`."""
        return np.array([a.faction for a in self.agents], dtype=int)

    def faction_sizes(self) -> np.ndarray:
        """Members per faction."""
        factions = self.factions()
        return np.bincount(factions[factions >= 0], minlength=len(self.faction_lines))


# --- the vectorised way ------------------------------------------------------


class VectorisedParty:
    """The same rules through `model.mechanisms.dynamics`, as `PartyModel.step` calls them."""

    def __init__(self, state: ReferenceState, seed: int):
        """Copy the reference state's member table.

        Args:
            state: the starting state.
            seed: seed of this run (independent streams per process, as in PartyModel).
        """
        sc = state.scenario
        self.config = sc
        self.clps = state.clps
        self.members: MemberTable = copy.deepcopy(state.members)
        self.leader_ideology = state.leader_ideology
        self.streams = {
            name: np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(key,)))
            for key, name in enumerate(("influence", "flows", "organising"), start=1)
        }
        self.faction_lines = np.array([f.line for f in sc.factions], dtype=float)
        self.radii = np.array([f.recruit_radius for f in sc.factions])
        self.rates = np.array([f.recruitment_rate for f in sc.factions])
        self.union_weights = np.array([max(u.levy_payers, 1) for u in sc.unions], dtype=float)
        self._clp_weight = np.bincount(self.members.clp, minlength=len(self.clps)) + 1.0
        self.segment_means = np.array([seg.mean for seg in sc.flows.pool])
        self.segment_sds = np.array([seg.sd for seg in sc.flows.pool])
        self.stock = np.array([seg.size for seg in sc.flows.pool], dtype=float)
        self.month = 0
        self.lapsed = 0
        self.joined = 0

    def step(self) -> None:
        """One month: influence, lapsing and joining, recruitment."""
        self.month += 1
        m = self.members
        ideology = m.ideology_for_update()
        ideology[:] = dynamics.influence(
            ideology,
            m.clp,
            m.faction,
            m.trusts_leader,
            m.active,
            faction_lines=self.faction_lines,
            leader_ideology=self.leader_ideology,
            params=self.config.influence,
            rng=self.streams["influence"],
        )
        rng = self.streams["flows"]
        flows = self.config.flows
        leaving = dynamics.lapsers(
            m.ideology,
            m.joined,
            np.flatnonzero(m.full_members()),
            self.month,
            self.leader_ideology,
            flows,
            rng,
        )
        m.lapse(leaving, self.month)
        self.lapsed += leaving.size
        rates = sympathisers.joining_rates(
            self.segment_means,
            sympathisers.JoiningMoment(leader=self.leader_ideology),
            join_rate=flows.join_rate,
            width=flows.attraction_width,
            contest_surge=flows.contest_surge,
            election_surge=flows.election_surge,
            settled_share=flows.settled_share,
            novelty_months=flows.novelty_months,
        )
        counts = sympathisers.draw_joiners(self.stock, rates, self.config.party.scale, rng)
        count = int(counts.sum())
        if count:
            self.stock = np.maximum(self.stock - counts / self.config.party.scale, 0.0)
            ideology, _ = sympathisers.segment_ideologies(
                counts, self.segment_means, self.segment_sds, rng
            )
            self._add_members(ideology, rng)
        self.joined += count
        m.faction[:] = dynamics.recruit(
            m.ideology,
            m.faction,
            m.full_members(),
            faction_lines=self.faction_lines,
            radii=self.radii,
            rates=self.rates,
            rng=self.streams["organising"],
        )

    def _add_members(self, ideology: np.ndarray, rng: np.random.Generator) -> None:
        spec = self.config.members
        count = ideology.size
        clp = rng.choice(len(self.clps), size=count, p=self._clp_weight / self._clp_weight.sum())
        union = np.full(count, NO_UNION, dtype=np.int16)
        payers = rng.random(count) < spec.levy_payer_share
        if payers.any():
            w = self.union_weights
            union[payers] = rng.choice(w.size, size=int(payers.sum()), p=w / w.sum())
        self.members.append(
            ideology=ideology,
            activism=population.draw_beta(spec.joiner_activism or spec.activism, count, rng),
            turnout=population.draw_beta(spec.turnout, count, rng),
            clp=clp,
            branch=self.clps.branch_start[clp] + rng.integers(0, self.clps.n_branches[clp]),
            kind=np.full(count, FULL_MEMBER, dtype=np.int8),
            union=union,
            trusts_leader=rng.random(count) < spec.trusts_leader,
            joined=np.full(count, self.month, dtype=np.int32),
        )

    # --- outcomes ---

    def ideologies(self) -> np.ndarray:
        """Ideology of every current member."""
        m = self.members
        return m.ideology[m.active].copy()

    def factions(self) -> np.ndarray:
        """Faction of every current member (-1 none), in the order of `ideologies`."""
        m = self.members
        return m.faction[m.active].astype(int)

    def faction_sizes(self) -> np.ndarray:
        """Members per faction."""
        f = self.factions()
        return np.bincount(f[f >= 0], minlength=self.faction_lines.size)


def outcomes(party: NaiveParty | VectorisedParty) -> dict[str, float]:
    """Summary statistics of a run, for comparing the two implementations.

    Args:
        party: a run of either implementation.

    Returns:
        Mean, sd and quantiles of members' ideology, members, lapsed and
        joined totals, and each faction's size and mean ideology.
    """
    x = party.ideologies()
    out = {
        "ideology_mean": float(x.mean()),
        "ideology_sd": float(x.std()),
        **{f"ideology_q{q:02d}": float(np.quantile(x, q / 100)) for q in (10, 25, 50, 75, 90)},
        "members": float(x.size),
        "lapsed": float(party.lapsed),
        "joined": float(party.joined),
    }
    factions = party.factions()
    for i, size in enumerate(party.faction_sizes()):
        out[f"faction_{i}"] = float(size)
        out[f"ideology_faction_{i}"] = float(x[factions == i].mean()) if size else math.nan
    return out
