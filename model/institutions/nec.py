"""The National Executive Committee as a body: its members, its elections, its votes.

The NEC's seats are the rules' (``RuleSet.nec``); who holds them and where
they stand is in ``mechanisms.nec``. Members elect the CLP section by ballot
on the scenario's dates (block vote before 2020, STV after, as the rules in
force say). The NEC votes on the leader's rule changes before they go to
conference, recommends on others' motions, decides contest procedures
itself between conferences, and — for the selections institution — can
shortlist hopefuls and endorse candidates (:meth:`Nec.shortlist`,
:meth:`Nec.endorses`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from model.calendar import Month
from model.institutions.base import Institution, Stage
from model.institutions.stakes import Stakes
from model.institutions.unions import UnionPolitics
from model.mechanisms import contests, rule_power, union_decisions
from model.mechanisms import nec as necmech
from model.records.events import NecElection, NecVote
from model.records.series import slug
from model.rules.schema import RulesError
from model.state import PartyState


class _Held:
    """A scheduled NEC event held for Mesa's scheduler (callbacks are held weakly)."""

    def __init__(self, nec: Nec, kind: str, spec: Any):
        self.nec, self.kind, self.spec = nec, kind, spec

    def run(self) -> None:
        if self.kind == "election":
            self.nec.election(self.spec.seats)
        else:
            self.nec.decide(self.spec)


class Nec(Institution):
    """The NEC: CLP-section elections, votes on rule changes, procedures, shortlists."""

    name = "nec"
    RANK = 45  # before conference: an NEC elected in September sits at that conference
    ELECTION, DECISION = 0, 1

    def __init__(self, state: PartyState, unions: UnionPolitics, stakes: Stakes):
        """Attach to the state; the CLP section is filled by a first election at the start.

        Args:
            state: the party's state.
            unions: the affiliates (their leaderships sit in the union section).
            stakes: what rule changes do to each side.
        """
        super().__init__(state)
        self.unions = unions
        self.stakes = stakes
        self._held: list[_Held] = []
        self.clp_section: list[tuple[str, float, str]] = []

    def stages(self) -> list[Stage]:
        """CLP-section elections (ballots) and procedural decisions (NEC meetings)."""
        return [
            Stage(
                self.RANK,
                "nec",
                None,
                "scenario months",
                "NEC: members elect its CLP section; it decides contest procedures",
                decided_by="ballot",
            )
        ]

    def schedule(self) -> None:
        """The CLP section at the start; the scenario's elections and decisions."""
        s = self.state
        initial = s.config.nec.initial
        if initial:
            position = {sl.name: sl.ideology for sl in s.config.nec.slates}
            self.clp_section = [
                (f"{name} {k + 1}", position[name], name)
                for name, seats in initial.items()
                for k in range(seats)
            ]
        else:
            self.election(None, initial=True)
        last = s.start.plus(s.config.calendar.months - 1)
        for kind, specs in (
            ("election", s.config.nec.elections),
            ("decision", s.config.nec.decisions),
        ):
            for spec in specs:
                month = Month.parse(spec.month)
                if month > last:
                    continue
                held = _Held(self, kind, spec)
                self._held.append(held)
                s.schedule(
                    held.run,
                    at=s.time_of(month),
                    rank=self.RANK,
                    sub=self.ELECTION if kind == "election" else self.DECISION,
                )

    # --- who sits on it ------------------------------------------------------------------

    def seats(self) -> list[necmech.NecSeat]:
        """The NEC's seats now, with their holders' positions."""
        s = self.state
        plp = np.array([mp.ideology for mp in s.sitting_mps])
        plp_median = float(np.median(plp)) if plp.size else 0.0
        full = s.members.full_member_ids()
        members_median = s.members.full_member_median() if full.size else 0.0
        meps = s.mep_ideology
        deputy = s.deputy
        return necmech.composition(
            s.rules.nec,
            leader=(s.leader.name, s.leader.ideology),
            deputy=None if deputy is None else (deputy.name, deputy.ideology),
            plp_median=plp_median,
            mep_median=float(np.median(meps)) if meps.size else plp_median,
            members_median=members_median,
            unions=[(u.name, u.levy_payers, u.leadership_ideology, u.is_union) for u in s.unions],
            clp_section=[(name, pos) for name, pos, _ in self.clp_section],
        )

    def positions(self) -> np.ndarray:
        """Each seat holder's position."""
        return np.array([seat.position for seat in self.seats()])

    def median(self) -> float:
        """The NEC's median member."""
        return float(np.median(self.positions()))

    # --- votes ---------------------------------------------------------------------------

    def vote(
        self,
        title: str,
        proposer: str,
        purpose: str,
        changes: dict[str, Any],
        effect: rule_power.ChangeEffect,
        proposer_position: float | None,
        union_votes: dict[int, str] | None = None,
    ) -> necmech.NecVoteResult:
        """The NEC votes on a change; recorded as an NecVote.

        Each seat's utility is its ideological gain, its side's stake in its
        own say (members' and elected representatives' seats at
        ``conference.members_weight``, affiliates' at the unions'
        ``institutional_weight``) and loyalty to the proposer; union seats
        vote as their union decided (``union_votes``), when given.
        """
        s = self.state
        c, d = s.config.conference, s.config.union_decisions
        seats = self.seats()
        x = np.array([seat.position for seat in seats])
        stake = {
            "members": c.members_weight * effect.say_change("members"),
            "plp": c.members_weight * effect.say_change("plp"),
            "affiliates": d.institutional_weight * effect.say_change("affiliates"),
        }
        utility = (
            np.asarray(rule_power.ideological_gain(x, effect), dtype=float)
            + np.array([stake[rule_power.NEC_GROUP[seat.section]] for seat in seats])
            + np.asarray(
                union_decisions.loyalty(
                    x, proposer_position, weight=c.loyalty, radius=c.loyalty_radius
                ),
                dtype=float,
            )
        )
        result = necmech.nec_vote(
            seats,
            utility.tolist(),
            abstain_band=d.abstain_band,
            union_votes=union_votes,
            leaders_proposal=proposer == "leader",
        )
        s.events.record(
            NecVote,
            s.now,
            decided_by="meeting",
            title=title,
            proposer=proposer,
            purpose=purpose,
            result=result.to_dict(),
            changes=changes,
        )
        return result

    def decide(self, spec: Any) -> None:
        """A procedural decision between conferences: the NEC votes; carried, the rules change."""
        s = self.state
        with s.timed("nec"):
            before = s.rules
            try:
                after = before.with_changes(spec.changes, reason=f"NEC {s.now}: {spec.title}")
            except RulesError:
                return
            changes = before.rule_changes_to(after)
            if not changes:
                return
            effect = self.stakes.effect(before, after)
            result = self.vote(
                spec.title,
                spec.proposer,
                "decide",
                changes,
                effect,
                self.stakes.proposer_position(spec.proposer, self.median()),
            )
            if result.passes:
                s.change_rules(after, decided_by="meeting", proposals=[spec.title])

    # --- CLP-section elections -------------------------------------------------------------

    def _camps(self, voter_ideology: np.ndarray, slates: list[necmech.Slate]) -> np.ndarray | None:
        """Slate utilities as the camps of the open leadership contest (None: by position).

        With ``nec.contest_camps`` and a leadership ballot open this month,
        members judge the slates by the candidates they back, as they judge
        those candidates on the contest's ballot (no noise here: the slate
        ranking adds its own). No draws are made, so the stream is the same
        either way.
        """
        s = self.state
        contest = s.contest
        if not s.config.nec.contest_camps or contest is None or not contest.on_ballot:
            return None
        params = s.config.contests.model_copy(update={"utility_noise": 0.0})
        utility = contests.utilities(
            voter_ideology,
            contest.on_ballot,
            params=params,
            rng=s.streams["nec"],
            electability=s.electability_weight(),
        )
        return necmech.camp_utilities(utility, [c.ideology for c in contest.on_ballot], slates)

    def slates(self, seats: int) -> list[necmech.Slate]:
        """The slates standing now (the scenario's, or one per faction at its line)."""
        s = self.state
        names = [f.name for f in s.factions]
        specs = s.config.nec.slates
        out = []
        if not specs:
            for i, f in enumerate(s.factions):
                out.append(
                    necmech.Slate(
                        f.name, f.line, i, tuple(f"{f.name} {k + 1}" for k in range(seats))
                    )
                )
            return out
        for spec in specs:
            if spec.start and s.now < Month.parse(spec.start):
                continue
            if spec.end and s.now > Month.parse(spec.end):
                continue
            n = min(spec.candidates or seats, seats)
            faction = names.index(spec.faction) if spec.faction else -1
            out.append(
                necmech.Slate(
                    spec.name,
                    spec.ideology,
                    faction,
                    tuple(f"{spec.name} {k + 1}" for k in range(n)),
                )
            )
        return out

    def election(self, seats: int | None, *, initial: bool = False) -> None:
        """Members elect the CLP section (all of it, or `seats` vacancies in a by-election)."""
        s = self.state
        with s.timed("nec"):
            rng = s.streams["nec"]
            full_size = s.rules.nec.seats.get("clp", 0)
            by_election = seats is not None and seats < full_size
            n = full_size if seats is None else min(seats, full_size)
            slates = self.slates(n)
            if not slates:
                return
            m = s.members
            ids = m.full_member_ids()
            turnout = m.turnout[ids].astype(float)
            scale = (
                s.config.nec.turnout / turnout.mean() if turnout.size and turnout.mean() else 0.0
            )
            voters = ids[rng.random(ids.size) < np.clip(turnout * scale, 0.0, 1.0)]
            orders = necmech.slate_orders(
                m.ideology[voters],
                m.faction[voters],
                slates,
                discipline=[f.spec.slate_discipline for f in s.factions],
                noise_sd=s.config.contests.utility_noise,
                rng=rng,
                base_utility=self._camps(m.ideology[voters], slates),
            )
            result = necmech.elect_clp_section(
                orders, slates, n, s.rules.nec.clp_section_system, seed=int(rng.integers(2**31))
            )
            position = {sl.name: sl.position for sl in slates}
            elected = [(c, position[sl], sl) for c, sl in result.elected]
            if by_election and len(self.clp_section) >= n:
                leaving = set(rng.choice(len(self.clp_section), size=n, replace=False).tolist())
                kept = [h for i, h in enumerate(self.clp_section) if i not in leaving]
                self.clp_section = kept + elected
            else:
                self.clp_section = elected
            faction_of = {
                sl.name: (s.factions[sl.faction].name if sl.faction >= 0 else sl.name)
                for sl in slates
            }
            by_faction: dict[str, int] = {}
            for _, _, sl in self.clp_section:
                key = faction_of.get(sl, sl)
                by_faction[key] = by_faction.get(key, 0) + 1
            if initial:
                return  # the section the run starts with: not an event of the run
            record = result.to_dict()
            s.events.record(
                NecElection,
                s.now,
                decided_by="ballot",
                system=record["system"],
                seats=n,
                by_election=by_election,
                eligible=int(ids.size),
                voters=int(voters.size),
                slates=[
                    {
                        "name": sl.name,
                        "position": round(sl.position, 6),
                        "faction": faction_of[sl.name],
                        "candidates": len(sl.candidates),
                    }
                    for sl in slates
                ],
                slate_first=record["slate_first"],
                elected=record["elected"],
                seats_by_slate=record["seats_by_slate"],
                seats_by_faction=by_faction,
                candidate_votes=record["candidate_votes"],
                count=record["count"],
            )

    # --- selections: shortlists and endorsement (for the selections institution) -----------

    def shortlist(
        self, hopefuls: list[contests.Candidate], size: int, *, electability: float = 0.0
    ) -> list[contests.Candidate]:
        """The hopefuls the NEC shortlists for an open-seat selection (best first).

        The NEC's median member keeps hopefuls within ``nec.shortlist_radius``
        and ranks them by closeness and ``electability`` × valence.
        """
        picks = necmech.shortlist(
            self.positions(),
            [h.ideology for h in hopefuls],
            [h.valence for h in hopefuls],
            size,
            radius=self.state.config.nec.shortlist_radius,
            electability=electability,
        )
        return [hopefuls[i] for i in picks]

    def endorses(self, candidate: contests.Candidate) -> bool:
        """Whether the NEC endorses a selected candidate (within ``nec.shortlist_radius``)."""
        return necmech.endorses(
            self.positions(), candidate.ideology, radius=self.state.config.nec.shortlist_radius
        )

    def measure(self, row: dict[str, Any]) -> None:
        """The NEC's median member and its CLP section by faction (or slate)."""
        s = self.state
        row["nec_median"] = self.median()
        counts: dict[str, int] = {}
        names = {sl.name: sl.faction for sl in s.config.nec.slates}
        for _, _, sl in self.clp_section:
            key = names.get(sl) or sl
            counts[key] = counts.get(key, 0) + 1
        for f in s.factions:
            row[f"nec_clp_{slug(f.name)}"] = counts.get(f.name, 0)
