"""Reselection: trigger ballots, full and open-seat selections, retirements, MPs who react.

A trigger-ballot round asks, for every sitting MP, whether the CLP wants a
full selection: branch meetings (those who attend) and affiliated branches
vote under the rules in force (or a members' ballot, or the rules select
automatically). A full selection is a members' ballot between the MP and
challengers; an open seat (retirement, seat gained) is selected the same
way. MPs facing a round with a hostile CLP move towards their members.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from model.agents.mps import MP
from model.calendar import Month
from model.institutions.base import Institution, Stage
from model.institutions.leadership import Leadership
from model.institutions.nec import Nec
from model.mechanisms import contests, meetings, reselection
from model.records.events import LeaderResigns, Retirement, Selection, TriggerBallot
from model.rules.decisions import trigger_ballot_outcome
from model.state import PartyState


class Selections(Institution):
    """Trigger-ballot rounds, selections, retirements and MPs' focus under threat."""

    name = "selections"
    ROUND_RANK = 30  # trigger rounds, after an election's seats are settled
    RETIREMENT_RANK = 40

    def __init__(self, state: PartyState, leadership: Leadership, nec: Nec | None = None):
        """Attach to the state.

        Args:
            state: the party's state.
            leadership: a deselected leader opens a contest for the vacancy.
            nec: the NEC, which shortlists open-seat selections where the
                scenario switches central control on (None: no NEC).
        """
        super().__init__(state)
        self.leadership = leadership
        self.nec = nec
        self._pool: tuple[int, np.ndarray, meetings.PartyPool] | None = None

    def stages(self) -> list[Stage]:
        """MPs' focus every month; trigger rounds and retirements as events."""
        return [
            Stage(
                40,
                "mp_focus",
                self.focus_minds,
                "every month",
                "MPs facing a round with a hostile CLP move towards their members",
            ),
            Stage(
                self.ROUND_RANK,
                "trigger_ballots",
                None,
                "scenario months, and a set time before each general election",
                "trigger-ballot rounds (branch and affiliate meetings) and full selections",
                decided_by="meeting",
            ),
            Stage(
                self.RETIREMENT_RANK,
                "retirements",
                None,
                "once a year",
                "retirements and open-seat selections",
                decided_by="ballot",
            ),
        ]

    def schedule(self) -> None:
        """The scenario's rounds; retirements once a year (elections add their own rounds)."""
        self.schedule_rounds()
        self.schedule_retirements()

    def schedule_rounds(self) -> None:
        """The trigger-ballot rounds the scenario dates."""
        s = self.state
        for month in s.config.reselection.rounds:
            self.schedule_trigger_round(s.time_of(Month.parse(month)))

    def schedule_retirements(self) -> None:
        """Retirements once a year, from the twelfth month."""
        self.state.schedule_every(
            self.retirements, interval=12, start=12, rank=self.RETIREMENT_RANK
        )

    def schedule_trigger_round(self, at: int) -> None:
        """Hold a trigger-ballot round for every sitting MP at model time `at`."""
        if at < max(self.state.time, 1) or at in self.state.round_times:
            return
        self.state.round_times.append(at)
        self.state.round_times.sort()
        self.state.schedule(self.trigger_round, at=at, rank=self.ROUND_RANK)

    def _faction_arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        specs = [f.spec for f in self.state.factions]
        return (
            self.state.faction_lines,
            np.array([s.trigger_distance for s in specs]),
            np.array([s.slate_discipline for s in specs]),
            np.array([s.mobilisation for s in specs]),
        )

    def trigger_round(self) -> None:
        """A trigger-ballot round: every sitting MP's CLP decides."""
        with self.state.timed("trigger_ballots"):
            ids, bounds = self.state.clp_members()
            sitting = list(self.state.sitting_mps)
            completion = self.state.config.reselection.completion.get(str(self.state.now), 1.0)
            if completion < 1.0:
                # The round was stopped part-way: only some CLPs had held their ballots.
                rng = self.state.streams["reselection"]
                held = rng.random(len(sitting)) < completion
                sitting = [mp for mp, h in zip(sitting, held, strict=True) if h]
            for mp in sitting:
                members_here = ids[bounds[mp.clp] : bounds[mp.clp + 1]]
                if mp is self.state.leader:
                    self._leader_exempt(mp)
                else:
                    self._trigger_ballot(mp, members_here)

    def _leader_exempt(self, mp: MP) -> None:
        """The leader's CLP does not hold a trigger ballot (the leader is never triggered)."""
        self.state.events.record(
            TriggerBallot,
            self.state.now,
            decided_by="rule",
            mp=mp.name,
            clp=mp.clp,
            mp_ideology=round(mp.ideology, 6),
            mp_faction=self.state.faction_name(mp.faction),
            rule=self.state.rules.reselection.method,
            outcome={
                "full_selection": False,
                "reason": "the leader is not subject to a trigger ballot",
            },
            result="reselected automatically",
        )

    def _trigger_ballot(self, mp: MP, members_here: np.ndarray) -> None:
        rules = self.state.rules.reselection
        params = self.state.config.reselection
        rng = self.state.streams["reselection"]
        m = self.state.members
        lines, trigger_distance, discipline, mobilisation = self._faction_arrays()
        clp = mp.clp

        def wants(who: np.ndarray) -> np.ndarray:
            return reselection.wants_selection(
                m.ideology[who],
                m.faction[who],
                mp_ideology=mp.ideology,
                mp_faction=mp.faction,
                faction_lines=lines,
                trigger_distance=trigger_distance,
                discipline=discipline,
                params=params,
                rng=rng,
            )

        fields: dict[str, Any] = {"mp": mp.name, "clp": clp, "mp_ideology": round(mp.ideology, 6)}
        fields["mp_faction"] = self.state.faction_name(mp.faction)
        fields["rule"] = rules.method
        decided_by = "meeting"
        if rules.method == "open_selection":
            outcome = trigger_ballot_outcome(
                rules,
                branches_for_selection=0,
                branches_total=0,
                affiliates_for_selection=0,
                affiliates_total=0,
            )
            decided_by = "rule"
        elif rules.method == "members_supermajority":
            keep, against = reselection.member_support(
                wants(members_here), m.turnout[members_here].astype(float), rng
            )
            share = keep / (keep + against) if keep + against else 1.0
            fields["members_ballot"] = {"keep": keep, "against": against}
            outcome = trigger_ballot_outcome(
                rules,
                branches_for_selection=0,
                branches_total=0,
                affiliates_for_selection=0,
                affiliates_total=0,
                member_support_share=share,
            )
            decided_by = "ballot"
        else:
            chance = meetings.attendance_chance(
                m.activism[members_here],
                m.faction[members_here],
                m.clp[members_here],
                self.state.targeted,
                mobilisation,
            )
            # Branch meetings at their real size (see mechanisms.meetings).
            scale = self.state.meeting_scale
            first_branch = self.state.clps.branch_start[clp]
            typical = self.state.typical_attendance(members_here, self.state.targeted, mobilisation)
            if scale < 1.0 and members_here.size:
                # As at AGMs, the CLP's simulated members stand for a share
                # of its real members and the others are the party's; each
                # of those sits in the branch of a random one of the CLP's.
                pool, party = self._party_pool(mobilisation)
                came, own_count = meetings.attenders_with_others(
                    members_here,
                    chance,
                    scale,
                    rng,
                    own=float(self.state.clp_own_share()[clp]),
                    pool=pool,
                    party=party,
                    targeted=self.state.targeted[:, clp],
                    typical=typical,
                )
                hosts = members_here[rng.integers(0, members_here.size, came.size - own_count)]
                branch = m.branch[np.concatenate([came[:own_count], hosts])]
            else:
                came, _ = meetings.attenders(members_here, chance, scale, rng, typical)
                branch = m.branch[came]
            tally = reselection.branch_votes(
                wants(came), branch - first_branch, int(self.state.clps.n_branches[clp])
            )
            aff_for, aff_total, stance = reselection.affiliate_votes(
                self.state.clps.affiliated_branches[clp],
                np.array([u.leadership_ideology for u in self.state.unions]),
                mp_ideology=mp.ideology,
                tolerance=params.union_tolerance + params.affiliate_incumbency,
            )
            fields["branches"] = tally.to_dict()
            fields["affiliates"] = {
                "for_selection": aff_for,
                "total": aff_total,
                "by_union": {self.state.unions[u].name: w for u, w in stance.items()},
            }
            outcome = trigger_ballot_outcome(
                rules,
                branches_for_selection=tally.branches_for,
                branches_total=tally.branches_voting,
                affiliates_for_selection=aff_for,
                affiliates_total=aff_total,
            )
        fields["outcome"] = outcome.to_dict()
        result = "reselected automatically"
        if outcome.full_selection:
            self.state.tally["trigger_ballots_lost"] += 1
            sitting = contests.Candidate(
                name=mp.name,
                mp=self.state.mps.index(mp),
                ideology=mp.ideology,
                valence=mp.valence,
                faction=mp.faction,
                incumbent=True,
            )
            winner, count, field_, refused = self._selection(
                clp, members_here, [sitting], mp.faction
            )
            fields["selection"] = {
                "candidates": [c.to_dict() for c in field_],
                "count": None if count is None else count.to_dict(),
            }
            if refused:
                fields["selection"]["refused"] = refused
            if winner is None or winner.name == mp.name:
                result = "reselected unopposed" if count is None else "reselected in full selection"
            else:
                result = "deselected"
                self.state.tally["deselections"] += 1
                self._replace_mp(mp, winner)
        fields["result"] = result
        self.state.events.record(TriggerBallot, self.state.now, decided_by=decided_by, **fields)

    def _party_pool(self, mobilisation: np.ndarray) -> tuple[np.ndarray, meetings.PartyPool]:
        """The party's full members, grouped for drawing meetings' other real members.

        Made once a month: a trigger round holds every MP's branch meetings
        in one month, and nothing in it changes the members.
        """
        s = self.state
        if self._pool is None or self._pool[0] != s.time:
            m = s.members
            pool = m.full_member_ids()
            self._pool = (
                s.time,
                pool,
                meetings.PartyPool.of(m.activism[pool], m.faction[pool], mobilisation),
            )
        return self._pool[1], self._pool[2]

    def _selection(
        self,
        clp: int,
        members_here: np.ndarray,
        standing: list[contests.Candidate],
        exclude_faction: int,
    ) -> tuple[contests.Candidate | None, Any, list[contests.Candidate], list[str]]:
        """A members' ballot in a CLP among those standing and the factions' hopefuls.

        Returns the winner (None if nobody stood, or the NEC refused everyone
        who did), the count, the field and the names of those the members
        chose whom the NEC refused to endorse (`nec_endorses`).
        """
        s = self.state
        m = s.members
        rng = s.streams["reselection"]
        params = s.config.reselection
        hopefuls = reselection.field_challengers(
            m.faction[members_here],
            m.ideology[members_here],
            m.activism[members_here],
            control=int(s.clps.control[clp]),
            exclude_faction=exclude_faction,
            faction_names=[f.name for f in s.factions],
            founded=self.founded(),
            params=params,
            rng=rng,
            label=self.state.seat_name(clp),
        )
        if not standing and self.nec_shortlists():
            # Central control: a longlist the NEC approves. Beside the CLP's
            # own hopefuls stand applicants from the party's national pool;
            # the NEC keeps those its median member accepts (best first), and
            # nobody left means the NEC imposes one.
            hopefuls = hopefuls + self._national_applicants(clp)
            hopefuls = self.nec.shortlist(
                hopefuls, len(hopefuls), electability=s.electability_weight()
            )
        field_ = standing + hopefuls
        winner, count = self._ballot(members_here, field_)
        refused: list[str] = []
        if self.nec_endorses():
            # Central control by veto: a newly selected candidate the NEC will
            # not endorse is dropped and the members choose among the rest (a
            # sitting MP who keeps the seat needs no endorsement).
            left = list(field_)
            while winner is not None and winner not in standing and not self.nec.endorses(winner):
                refused.append(winner.name)
                left = [c for c in left if c is not winner]
                winner, count = self._ballot(members_here, left)
        return winner, count, field_, refused

    def _ballot(
        self, members_here: np.ndarray, field_: list[contests.Candidate]
    ) -> tuple[contests.Candidate | None, Any]:
        """The members' ballot among `field_` (no count for one candidate or none)."""
        s = self.state
        m = s.members
        if len(field_) == 1:
            return field_[0], None
        if not field_:
            return None, None
        count = reselection.selection_ballot(
            m.ideology[members_here],
            m.turnout[members_here].astype(float),
            field_,
            params=s.config.contests,
            rng=s.streams["reselection"],
            electability=s.electability_weight(),
            incumbency=s.config.reselection.incumbency_bonus,
        )
        if count is None:
            return field_[0], None
        return next(c for c in field_ if c.name == count.winner), count

    def founded(self) -> np.ndarray:
        """Per faction: it exists this month (a faction not yet founded stands nobody)."""
        s = self.state
        return np.array(
            [
                f.spec.founded is None or s.time_of(Month.parse(f.spec.founded)) <= s.time
                for f in s.factions
            ],
            dtype=bool,
        )

    def nec_shortlists(self) -> bool:
        """Central control is on this month: the NEC shortlists in open-seat selections."""
        params = self.state.config.reselection
        return self._in_force(params.nec_shortlisting, params.nec_shortlisting_from)

    def nec_endorses(self) -> bool:
        """Central control by veto is on this month: the NEC vets selected candidates."""
        params = self.state.config.reselection
        return self._in_force(params.nec_endorsement, params.nec_endorsement_from)

    def _in_force(self, switch: bool, start: str | None) -> bool:
        """A central-control switch that is on, with an NEC, from its start month."""
        if not switch or self.nec is None:
            return False
        return start is None or self.state.time >= self.state.time_of(Month.parse(start))

    def _replace_mp(self, old: MP | None, winner: contests.Candidate, clp: int | None = None) -> MP:
        """A newly selected candidate takes the seat (the old MP, if any, leaves)."""
        rng = self.state.streams["reselection"]
        plp = self.state.config.plp
        clp = old.clp if old is not None else int(clp)
        if old is not None:
            old.sitting = False
        self.state.tally[f"mp_seat_{clp}"] += 1
        new = self.state.new_mp(
            name=self.state.mp_name(clp, self.state.tally[f"mp_seat_{clp}"] + 1),
            ideology=winner.ideology,
            clp=clp,
            faction=winner.faction,
            ambition=bool(rng.random() < plp.ambition),
            valence=winner.valence,
            responsiveness=float(np.clip(rng.normal(plp.responsiveness, 0.1), 0.0, 1.0)),
        )
        self.state.mps.append(new)
        if old is not None and old is self.state.leader:
            # A leader who loses the seat loses the leadership; they stay on
            # as caretaker until the contest for the vacancy is decided.
            self.state.events.record(
                LeaderResigns, self.state.now, leader=old.name, reason="deselected"
            )
            self.leadership.open_contest("vacancy")
        return new

    def open_seat_selection(
        self, clp: int, reason: str, by_clp: tuple[np.ndarray, np.ndarray] | None = None
    ) -> MP | None:
        """Select a candidate for a seat without a sitting MP; they take the seat.

        Args:
            clp: the seat's CLP.
            reason: why the seat is open ("retirement", "seat gained", ...).
            by_clp: members sorted by CLP with bounds (from `PartyState.clp_members`),
                when the caller selects in many CLPs at once.

        Returns:
            The new MP (imposed by the NEC if nobody stood).
        """
        ids, bounds = by_clp if by_clp is not None else self.state.clp_members()
        members_here = ids[bounds[clp] : bounds[clp + 1]]
        winner, count, field_, refused = self._selection(clp, members_here, [], -1)
        decided_by = "ballot"
        if winner is None:
            # Nobody stood (a CLP too small to field anyone), or the NEC
            # refused everyone the members chose: the NEC imposes a candidate
            # of the leadership's choosing, as it does for a seat a CLP cannot
            # select for (e.g. at a snap election).
            winner = self._imposed_candidate(clp)
            field_ = [*field_, winner] if refused else [winner]
            decided_by = "rule"
        new = self._replace_mp(None, winner, clp=clp)
        self.state.events.record(
            Selection,
            self.state.now,
            decided_by=decided_by,
            clp=clp,
            reason=reason,
            candidates=[c.to_dict() for c in field_],
            count=None if count is None else count.to_dict(),
            winner=new.name,
            winner_faction=self.state.faction_name(new.faction),
            refused=refused or None,
        )
        return new

    def _national_applicants(self, clp: int) -> list[contests.Candidate]:
        """Applicants from the party's national candidate pool for an open seat.

        Those who apply to seats they do not live in (councillors, staff,
        former MPs, the candidates' programme) are drawn from the party's
        parliamentary class, so each sits where a randomly chosen sitting MP
        sits; their standing is drawn as a local hopeful's is.
        """
        s = self.state
        n = s.config.reselection.nec_applicants
        sitting = s.sitting_mps
        if n == 0 or not sitting:
            return []
        rng = s.streams["reselection"]
        low, high = s.config.reselection.hopeful_valence
        label = s.clps.label(clp)
        picks = rng.integers(0, len(sitting), size=n)
        return [
            contests.Candidate(
                name=f"{label} national applicant {k + 1}",
                mp=-1,
                ideology=float(sitting[int(i)].ideology),
                valence=float(rng.uniform(low, high)),
                faction=-1,
            )
            for k, i in enumerate(picks)
        ]

    def _imposed_candidate(self, clp: int) -> contests.Candidate:
        """A candidate the NEC imposes: near its median member (or the leader), of ordinary standing."""
        s = self.state
        rng = s.streams["reselection"]
        low, high = s.config.reselection.hopeful_valence
        centre = self.nec.median() if self.nec is not None else s.leader.ideology
        x = float(np.clip(centre + rng.normal(0.0, 0.05), -1.0, 1.0))
        return contests.Candidate(
            name=f"{s.clps.label(clp)} NEC candidate",
            mp=-1,
            ideology=x,
            valence=float(rng.uniform(low, high)),
            faction=-1,
        )

    def retirements(self) -> None:
        """Once a year some MPs stand down; their CLPs select successors."""
        with self.state.timed("selections"):
            rng = self.state.streams["reselection"]
            rate = self.state.config.plp.retirement_rate
            by_clp = self.state.clp_members()
            # Nobody stands down from Parliament while standing for its leader
            # or deputy leader (the draw is made all the same, so the stream
            # is unchanged).
            standing = {
                c.mp
                for contest in (self.state.contest, self.state.deputy_contest)
                if contest is not None
                for c in contest.on_ballot
            }
            for mp in list(self.state.sitting_mps):
                if mp is self.state.leader or rng.random() >= rate:
                    continue
                if self.state.mps.index(mp) in standing:
                    continue
                mp.sitting = False
                self.state.tally["retirements"] += 1
                self.state.events.record(Retirement, self.state.now, mp=mp.name, clp=mp.clp)
                self.open_seat_selection(mp.clp, reason="retirement", by_clp=by_clp)

    def focus_minds(self) -> None:
        """MPs facing a round soon, with hostile CLPs, move towards their members."""
        params = self.state.config.reselection
        ahead = [t for t in self.state.round_times if t >= self.state.time]
        if not ahead or ahead[0] - self.state.time > params.threat_horizon_months:
            return
        sitting = self.state.sitting_mps
        m = self.state.members
        n_clps = len(self.state.clps)
        totals = np.bincount(
            m.full_member_clps(), weights=m.full_member_ideology(), minlength=n_clps
        )
        means = totals / np.maximum(m.full_member_counts(n_clps), 1)
        lines, trigger_distance, _, _ = self._faction_arrays()
        method = self.state.rules.reselection.method
        mp_clp = np.array([mp.clp for mp in sitting], dtype=np.intp)
        mp_x = np.array([mp.ideology for mp in sitting], dtype=float)
        mp_faction = np.array([mp.faction for mp in sitting], dtype=np.intp)
        control = self.state.clps.control[mp_clp].astype(np.intp)
        hostile = np.zeros(len(sitting), dtype=bool)
        if lines.size:
            line = np.maximum(control, 0)
            hostile = (
                (control >= 0)
                & (control != mp_faction)
                & (np.abs(lines[line] - mp_x) > trigger_distance[line])
            )
        exposed = np.zeros(len(sitting), dtype=bool)
        if method in ("open_selection", "members_supermajority"):
            exposed = np.abs(means[mp_clp] - mp_x) > params.tolerance
        threatened = hostile | exposed
        moved = reselection.focus_the_mind(
            mp_x,
            means[mp_clp],
            np.array([mp.responsiveness for mp in sitting]),
            threatened,
            params.focus_rate,
        )
        for mp, x in zip(sitting, moved, strict=True):
            if mp is not self.state.leader:
                mp.ideology = float(x)

    def measure(self, row: dict[str, Any]) -> None:
        """Running totals of trigger ballots lost, deselections and retirements."""
        for key in ("trigger_ballots_lost", "deselections", "retirements"):
            row[key] = int(self.state.tally[key])
