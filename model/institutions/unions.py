"""The affiliates: their leaderships, their affiliation, their nominations and their stances.

An affiliate's leadership changes through its own elections: in historical
scenarios the general secretaries who led it when (the scenario's
``general_secretaries``, from labour_politics.json:
unions.general_secretaries) take office in their month; otherwise its
members elect a general secretary on a staggered cycle
(``mechanisms.union_politics``). Its affiliated levy payers change on the
scenario's dates (GMB and Unite cut theirs in 2014; the FBU re-affiliated in
2015). It nominates in contests and takes a stance on rule changes by the
rule in ``mechanisms.union_decisions``: its leadership, its politically
active levy payers and its levy payers at large, weighted by how it decides.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from model.agents import population
from model.calendar import Month
from model.institutions.base import Institution, Stage
from model.mechanisms import contests, rule_power, union_decisions, union_politics
from model.records.events import (
    AffiliationChange,
    UnionGsElection,
    UnionLeadershipChange,
    UnionNomination,
)
from model.state import PartyState

MIN_ACTIVISTS = 10
"""Fewer levy-paying members than this and a committee polls the levy payers instead."""


class _UnionCycle:
    """Holds one union's recurring general-secretary election for Mesa's scheduler.

    Mesa keeps scheduled callbacks only weakly, so each union's callback is
    a bound method of an object the institution keeps.
    """

    def __init__(self, unions: UnionPolitics, index: int):
        self.unions = unions
        self.index = index

    def run(self) -> None:
        self.unions.general_secretary_election(self.index)


class _Dated:
    """A dated change to one union (a general secretary or an affiliation), held for Mesa."""

    def __init__(self, unions: UnionPolitics, index: int, kind: str, entry: Any):
        self.unions, self.index, self.kind, self.entry = unions, index, kind, entry

    def run(self) -> None:
        if self.kind == "general_secretary":
            self.unions.install_general_secretary(self.index, self.entry)
        else:
            self.unions.change_affiliation(self.index, self.entry.levy_payers)


LEFT_LED = -0.5
"""A union leadership at or left of this is left-led [assumption: on the scenarios' axis the
left's general secretaries sit at −0.6 (McCluskey, Ward) and the others at −0.2 to −0.3
(Prentis; Kenny, not recorded); between the two]."""


class UnionPolitics(Institution):
    """The affiliates: leaderships, affiliation, nominations, stances on rule changes."""

    name = "unions"
    RANK = 60
    TIMELINE_RANK = 5  # a new general secretary is in office for everything else that month

    def __init__(self, state: PartyState):
        """Attach to the state; leaderships in office at the start take their places."""
        super().__init__(state)
        self._cycles: list[_UnionCycle] = []
        self._dated: list[_Dated] = []
        self._decided: dict[tuple[int, str], tuple[tuple[str, ...], np.ndarray]] = {}
        start = state.start
        for union, spec in zip(state.unions, state.config.unions, strict=True):
            in_office = [g for g in spec.general_secretaries if Month.parse(g.month) <= start]
            if in_office:
                union.general_secretary = in_office[-1].name
                union.leadership_ideology = in_office[-1].ideology
            past = [a for a in spec.affiliation if Month.parse(a.month) <= start]
            if past:
                union.levy_payers = round(past[-1].levy_payers * state.config.party.scale)

    def stages(self) -> list[Stage]:
        """General-secretary elections and the historical timeline (events)."""
        return [
            Stage(
                self.TIMELINE_RANK,
                "union_timeline",
                None,
                "scenario months",
                "affiliates: historical general secretaries take office; affiliations change",
                decided_by="ballot",
            ),
            Stage(
                self.RANK,
                "union_elections",
                None,
                "each union every `gs_cycle_months`, staggered",
                "unions' general-secretary elections",
                decided_by="ballot",
            ),
        ]

    def schedule(self) -> None:
        """The scenario's dated changes; each union's elections on its own staggered cycle."""
        s = self.state
        for union, spec in zip(s.unions, s.config.unions, strict=True):
            for kind, entries in (
                ("general_secretary", spec.general_secretaries),
                ("affiliation", spec.affiliation),
            ):
                for entry in entries:
                    month = Month.parse(entry.month)
                    if month <= s.start or month > s.start.plus(s.config.calendar.months - 1):
                        continue
                    dated = _Dated(self, union.index, kind, entry)
                    self._dated.append(dated)
                    s.schedule(
                        dated.run,
                        at=s.time_of(month),
                        rank=self.TIMELINE_RANK,
                        sub=2 * union.index + (kind == "affiliation"),
                    )
        if not (s.config.union_politics.enabled and s.unions):
            return
        offsets = union_politics.staggered_schedule(
            len(s.unions), [u.gs_cycle_months for u in s.unions], s.streams["unions"]
        )
        for union, spec, offset in zip(s.unions, s.config.unions, offsets, strict=True):
            if spec.general_secretaries:
                continue  # its leaders are the historical ones
            cycle = _UnionCycle(self, union.index)
            self._cycles.append(cycle)
            # Unions due in the same month elect in the order of their index.
            s.schedule_every(
                cycle.run,
                interval=union.gs_cycle_months,
                start=offset + 1,
                rank=self.RANK,
                sub=union.index,
            )

    # --- leaderships and affiliation ------------------------------------------------

    def install_general_secretary(self, union_index: int, entry: Any) -> None:
        """A historical general secretary takes office (the union's own election)."""
        union = self.state.unions[union_index]
        previous, before = union.general_secretary, union.leadership_ideology
        union.general_secretary = entry.name
        union.leadership_ideology = float(entry.ideology)
        self.state.events.record(
            UnionLeadershipChange,
            self.state.now,
            decided_by="ballot",
            union=union.name,
            general_secretary=entry.name,
            previous=previous,
            ideology=round(union.leadership_ideology, 6),
            previous_ideology=round(before, 6),
            source="scenario",
        )

    def change_affiliation(self, union_index: int, levy_payers: int) -> None:
        """The union affiliates a new number of levy payers (full scale; 0 disaffiliates)."""
        union = self.state.unions[union_index]
        before = union.levy_payers
        union.levy_payers = round(levy_payers * self.state.config.party.scale)
        self.state.events.record(
            AffiliationChange,
            self.state.now,
            union=union.name,
            levy_payers_before=before,
            levy_payers_after=union.levy_payers,
        )

    def general_secretary_election(self, union_index: int) -> None:
        """A union's own members elect its general secretary (a ballot)."""
        with self.state.timed("union_elections"):
            union = self.state.unions[union_index]
            spec = self.state.config.unions[union_index]
            members = spec.members_ideology or self.state.config.contests.levy_payer_ideology
            p = self.state.config.union_politics
            result = union_politics.general_secretary_election(
                union.leadership_ideology,
                members.mean,
                members.sd,
                candidates=p.candidates,
                continuity_sd=p.continuity_sd,
                incumbent_advantage=p.incumbent_advantage,
                noise_sd=p.noise_sd,
                voter_noise_sd=p.voter_noise_sd,
                voters=p.voters,
                rng=self.state.streams["unions"],
            )
            union.leadership_ideology = float(result.winner)
            self.state.events.record(
                UnionGsElection,
                self.state.now,
                decided_by="ballot",
                union=union.name,
                **result.to_dict(),
            )

    # --- who stands where -------------------------------------------------------------

    def rules(self) -> union_decisions.UnionRules:
        """The decision rule's parameters, from the scenario."""
        d = self.state.config.union_decisions
        c = self.state.config.conference
        return union_decisions.UnionRules(
            leadership_weight=dict(d.leadership_weight),
            consulted=dict(d.consulted),
            electability=d.electability,
            nomination_radius=self.state.config.contests.union_nomination_radius,
            consensus=d.consensus,
            institutional_weight=d.institutional_weight,
            loyalty=c.loyalty,
            loyalty_radius=c.loyalty_radius,
            abstain_band=d.abstain_band,
            minor_change=d.minor_change,
            consultation_months=dict(d.consultation_months),
        )

    def activists(self, union_index: int) -> np.ndarray:
        """Ideology of the union's levy payers who are full party members (its activists)."""
        m = self.state.members
        return m.ideology[m.full_members_of_union(union_index)]

    def _activist_sample(self, union_index: int, size: int, rng: np.random.Generator) -> np.ndarray:
        """Levy-paying party members, drawn in proportion to their activism (who turns up)."""
        m = self.state.members
        ids = m.full_members_of_union(union_index)
        if ids.size <= size:
            return m.ideology[ids]
        weight = m.activism[ids].astype(float)
        if weight.sum() <= 0:
            weight = np.ones(ids.size)
        chosen = rng.choice(ids, size=size, replace=False, p=weight / weight.sum())
        return m.ideology[chosen]

    def positions(self, union_index: int) -> tuple[float, float, float]:
        """(leadership, activists' median, levy payers' mean) of one affiliate."""
        union = self.state.unions[union_index]
        active = self.activists(union_index)
        activists = float(np.median(active)) if active.size >= MIN_ACTIVISTS else None
        payers = union.levy_payers_mean
        return union.leadership_ideology, payers if activists is None else activists, payers

    def body_position(self, union_index: int) -> float:
        """Where the body that decides this affiliate's card vote stands."""
        union = self.state.unions[union_index]
        return union_decisions.body_position(union.decided_by, *self.positions(union_index))

    # --- nominations -------------------------------------------------------------------

    def nominations(self, field: list[contests.Candidate], office: str = "leader") -> np.ndarray:
        """Each affiliate's nominee in a contest (index into `field`, -1 none).

        An affiliate decides once per contest: asked again in the same month
        about some of the same candidates (those who made the ballot), it
        keeps its nominee if they are still standing.

        Args:
            field: the candidates still in contention.
            office: "leader" or "deputy".

        Returns:
            Nominee index per affiliate.
        """
        s = self.state
        names = tuple(c.name for c in field)
        key = (s.time, office)
        if key in self._decided:
            earlier, nominee = self._decided[key]
            if set(names) <= set(earlier):
                mapped = [
                    names.index(earlier[j]) if j >= 0 and earlier[j] in names else -1
                    for j in nominee
                ]
                return np.array(mapped, dtype=int)
        with s.timed("union_nominations"):
            chosen = np.array([self._nominate(u, field, office) for u in range(len(s.unions))])
        self._decided[key] = (names, chosen)
        return chosen

    def _poll(
        self, union_index: int, consulted: str, field: list[contests.Candidate]
    ) -> np.ndarray:
        """First-preference shares of the consulted group.

        Levy payers polled in a consultation or ballot answer as voters in a
        party ballot do. Activists — levy-paying party members, drawn in
        proportion to their activism — deciding on the union's behalf (a
        political committee, a union conference) also weigh, as the union's
        leadership does, who could win a general election
        (``union_decisions.electability``).
        """
        s = self.state
        rng = s.streams["union_decisions"]
        size = s.config.union_decisions.poll_size
        voters = (
            self._activist_sample(union_index, size, rng)
            if consulted == "activists"
            else np.zeros(0)
        )
        if voters.size < MIN_ACTIVISTS:
            spec = s.config.unions[union_index]
            component = spec.members_ideology or s.config.contests.levy_payer_ideology
            voters = population.draw_mixture([component], size, rng)
        # Levy payers answer as the party's voters do this month (the same
        # weight on the candidates' perceived electability).
        utility = contests.utilities(
            voters,
            field,
            params=s.config.contests,
            rng=rng,
            electability=s.electability_weight(),
        )
        if consulted == "activists":
            valence = np.array([c.valence for c in field])
            utility = utility + s.config.union_decisions.electability * valence[None, :]
        return union_decisions.first_preference_shares(utility)

    def _nominate(self, u: int, field: list[contests.Candidate], office: str) -> int:
        s = self.state
        union = s.unions[u]
        if not union.affiliated:
            return -1
        rules = self.rules()
        procedure = union.decided_by
        consulted = rules.consulted[procedure]
        choice = union_decisions.leadership_favourite(
            union.leadership_ideology,
            [c.ideology for c in field],
            [c.valence for c in field],
            electability=rules.electability,
            radius=rules.nomination_radius,
        )
        weight = rules.leadership_weight[procedure]
        shares = self._poll(u, consulted, field) if weight < 1.0 else np.zeros(len(field))
        decision = union_decisions.nominate(
            choice,
            shares,
            leadership_weight=weight,
            consensus=rules.consensus,
            consulted=consulted if weight < 1.0 else "none",
            nominates=union.nominates,
        )
        names = [c.name for c in field]
        record = decision.to_dict(names)
        s.events.record(
            UnionNomination,
            s.now,
            decided_by="ballot" if procedure in ("ballot", "consultation") else "meeting",
            office=office,
            union=union.name,
            procedure=procedure,
            candidates=names,
            **record,
        )
        return decision.nominee

    # --- stances on rule changes -----------------------------------------------------

    def evaluate(
        self, effect: rule_power.ChangeEffect, proposer_position: float | None
    ) -> list[tuple[float, float, float, float]]:
        """Each affiliate's (ideological gain, own-say change, loyalty, position) for a change."""
        rules = self.rules()
        out = []
        say_change = effect.say_change("affiliates")
        for u in range(len(self.state.unions)):
            x = self.body_position(u)
            loyal = union_decisions.loyalty(
                x, proposer_position, weight=rules.loyalty, radius=rules.loyalty_radius
            )
            out.append((float(rule_power.ideological_gain(x, effect)), say_change, loyal, x))
        return out

    def measure(self, row: dict[str, Any]) -> None:
        """The union leaderships' mean position (weighted by levy payers) and how many are left-led.

        Left-led: an affiliated trade union (not a socialist society, not one
        that has disaffiliated) whose leadership stands at or left of
        `LEFT_LED`. Every leadership is left of 0 on the party's axis, so
        "left of the centre" would count them all.
        """
        s = self.state
        payers = np.array([u.levy_payers for u in s.unions], dtype=float)
        leaderships = np.array([u.leadership_ideology for u in s.unions])
        row["union_leadership_mean"] = (
            float(np.average(leaderships, weights=payers)) if payers.sum() else float("nan")
        )
        affiliated = np.array([u.is_union and u.levy_payers > 0 for u in s.unions], dtype=bool)
        row["unions_left_led"] = int(np.count_nonzero(affiliated & (leaderships <= LEFT_LED)))
