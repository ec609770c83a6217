"""Conference: rule changes on the road from the proposer to the card vote.

A rule change by the leader (through the NEC) is first put to the affiliated
unions (TULO), who state their stances — or ask for time to consult; the
leader then proceeds, amends (drops parts), defers to a special conference or
withdraws (``mechanisms.agenda``); what goes on must be tabled by an NEC vote.
Factions' motions go straight to the agenda with the NEC's recommendation.
At conference the Conference Arrangements Committee puts the NEC's proposal
before rival motions on the same rules (conference can refer its report
back), and each item is decided by card vote: every affiliate and CLP
delegation judges it by what it does to the balance of power and to its own
side's say (``mechanisms.rule_power``, ``mechanisms.union_decisions``).
Passed changes apply from the next contest or round. Annual conference is in
the scenario's month; special conferences when a proposal is scheduled for
one or deferred to one.

With ``conference.stances = "direction"`` the older one-dimensional rule
(``mechanisms.proposals.supports``) decides instead.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from model.calendar import Month
from model.institutions.base import Institution, Stage
from model.institutions.direction_conference import hold_by_direction
from model.institutions.motions import Delegations, Item
from model.institutions.motions import delegations as delegations_of
from model.institutions.nec import Nec
from model.institutions.stakes import Stakes
from model.institutions.unions import UnionPolitics
from model.mechanisms import agenda, conference, proposals, rule_power, union_decisions
from model.records.events import (
    AffiliateConsultation,
    AgendaVote,
    ConferenceVote,
    PackageFormed,
    ProposalWithdrawn,
)
from model.rules.schema import RulesError, RuleSet
from model.state import PartyState

PLATFORM = ("leader", "nec")
"""Proposers whose changes go through the affiliates and the NEC before conference."""


class _Run:
    """A scheduled conference callback held for Mesa (callbacks are held weakly)."""

    def __init__(self, conference: Conference, kind: str, items: list[Item] | None = None):
        self.conference, self.kind, self.items = conference, kind, items or []

    def run(self) -> None:
        if self.kind == "table":
            self.conference.table(self.items)
        else:
            self.conference.hold("special")


class Conference(Institution):
    """Rule changes: the affiliates' consultation, the NEC, the agenda and the card vote."""

    name = "conference"
    RANK = 50
    TABLE, VOTE = 0, 1

    def __init__(self, state: PartyState, unions: UnionPolitics, nec: Nec, stakes: Stakes):
        """Attach to the state.

        Args:
            state: the party's state.
            unions: the affiliates (stances, block votes).
            nec: the NEC (tables the leader's changes, recommends on motions).
            stakes: what a change does to each side.
        """
        super().__init__(state)
        self.unions = unions
        self.nec = nec
        self.stakes = stakes
        self.pending: list[Item] = []
        self._runs: list[_Run] = []
        self._specials: set[int] = set()

    def stages(self) -> list[Stage]:
        """The road (consultation, NEC) and conference itself (events)."""
        return [
            Stage(
                self.RANK,
                "conference",
                None,
                "once a year in the conference month; special conferences; tabling months",
                "conference: rule changes put to the affiliates and the NEC, then card votes",
                decided_by="card vote",
            )
        ]

    @property
    def interests(self) -> bool:
        """Stances come from interests (not the one-dimensional direction rule)."""
        return self.state.config.conference.stances == "interests"

    def schedule(self) -> None:
        """Annual conference; the scenario's proposals on their tabling and special dates."""
        s = self.state
        spec = s.config.conference
        first = (spec.month - s.start.month) % 12 + 1
        s.schedule_every(self.hold_annual, interval=12, start=first, rank=self.RANK, sub=self.VOTE)
        if not self.interests:
            return
        last = s.config.calendar.months
        tabling: dict[int, list[Item]] = {}
        for proposal in spec.scheduled:
            if proposal.special_conference:
                target_month, kind = Month.parse(proposal.special_conference), "special"
            else:
                target_month, kind = Month(proposal.year, spec.month), "annual"
            target = s.time_of(target_month)
            if target < 1 or target > last:
                continue
            tabled = s.time_of(Month.parse(proposal.tabled)) if proposal.tabled else target
            item = Item(
                title=proposal.title,
                proposer=proposal.proposer,
                spec=proposal,
                tabled=max(tabled, 1),
                target=target,
                kind=kind,
                allow_defer=proposal.allow_defer,
                forced=proposal.forced,
                direction=proposal.direction or 0.0,
            )
            tabling.setdefault(item.tabled, []).append(item)
            if kind == "special":
                self._schedule_special(target)
        for at, items in sorted(tabling.items()):
            run = _Run(self, "table", items)
            self._runs.append(run)
            s.schedule(run.run, at=at, rank=self.RANK, sub=self.TABLE)

    def _schedule_special(self, at: int) -> None:
        if at in self._specials:
            return
        self._specials.add(at)
        run = _Run(self, "special")
        self._runs.append(run)
        self.state.schedule(run.run, at=at, rank=self.RANK, sub=self.VOTE)

    # --- judging a change ----------------------------------------------------------------

    def _judge(
        self,
        changes: dict[str, Any],
        proposer: str,
        *,
        rules: RuleSet,
        delegations: Delegations,
        recommendation: int,
        notice: int,
        assume_consulted: bool = False,
        references: tuple[np.ndarray, np.ndarray] | None = None,
        key: str = "",
    ) -> dict[str, Any]:
        """Every affiliate's stance and every CLP delegation's vote on some changes.

        `key` names the proposal (its title): each unaligned delegation's own
        lean on it (`conference.delegate_sd`) is drawn once per conference
        and proposal.
        """
        s = self.state
        c, d = s.config.conference, s.config.union_decisions
        after = rules.with_changes(changes)
        effect = self.stakes.effect(rules, after)
        # Loyalty: to the proposer of the leader's (or NEC's) own changes; on others'
        # motions, to the leadership's line, as the NEC recommends (for or against).
        if proposer in PLATFORM:
            proposer_position = self.stakes.proposer_position(proposer, self.nec.median())
            sign = 1.0
        else:
            proposer_position = self.stakes.proposer_position("leader")
            sign = float(recommendation)
        urules = self.unions.rules()
        consult = (
            union_decisions.needs_consultation(
                effect.arena_say_change("leadership", "affiliates"), d.minor_change
            )
            and not assume_consulted
        )
        union_ref, clp_ref = references if references is not None else (None, None)
        stances = []
        union_utility = []
        for u, (ideo, say_change, loyal, x) in enumerate(
            self.unions.evaluate(effect, proposer_position)
        ):
            union = s.unions[u]
            st = union_decisions.stance(
                ideological=ideo,
                say_change=say_change,
                loyalty_bonus=sign * loyal,
                position=x,
                rules=urules,
                reference=0.0 if union_ref is None else float(union_ref[u]),
                consultation_required=consult,
                notice_months=notice,
                procedure=union.decided_by,
            )
            stances.append(st)
            union_utility.append(st.utility)
        unaligned = delegations.unaligned
        clp_utility = (
            np.asarray(rule_power.ideological_gain(delegations.position, effect), dtype=float)
            + c.members_weight * effect.say_change("members")
            # Delegations come mandated by their CLPs (2018: they defied their own
            # leader's NEC); the leadership's pull is its recommendation, followed
            # a little by the unaligned.
            + c.deference * recommendation * unaligned
        )
        if c.delegate_sd > 0:
            clp_utility = clp_utility + c.delegate_sd * delegations.mandate(key) * unaligned
        reference = np.zeros_like(clp_utility) if clp_ref is None else np.maximum(clp_ref, 0.0)
        clp_for = clp_utility > reference
        return {
            "changes": dict(changes),
            "after": after,
            "effect": effect,
            "stances": stances,
            "union_utility": np.array(union_utility),
            "clp_utility": clp_utility,
            "clp_for": clp_for,
            "needs_consultation": consult,
        }

    def _union_votes(self, stances: list[union_decisions.Stance]) -> list[conference.UnionVote]:
        out = []
        for union, st in zip(self.state.unions, stances, strict=True):
            if not union.affiliated:
                continue
            vote = union_decisions.vote_of(st.kind)
            out.append(
                conference.UnionVote(
                    union.name, int(union.levy_payers), vote == "for", abstains=vote == "abstain"
                )
            )
        return out

    def _tally(
        self, title: str, proposer: str, judged: dict[str, Any], delegations: Delegations
    ) -> Any:
        proposal = proposals.Proposal(title, proposer, judged["changes"], 0.0)
        return conference.tally_card_vote(
            proposal,
            union_votes=self._union_votes(judged["stances"]),
            clp_votes=delegations.votes,
            clp_for=judged["clp_for"],
            unaligned=delegations.unaligned,
            rules=self.state.rules,
        )

    def _forecast(self, item: Item, rules: RuleSet, delegations) -> agenda.ForecastFn:
        def forecast(parts: Any, assume_consulted: bool) -> agenda.Forecast:
            changes = agenda.merged(parts)
            try:
                judged = self._judge(
                    changes,
                    item.proposer,
                    rules=rules,
                    delegations=delegations,
                    recommendation=1,
                    notice=self._notice(item),
                    key=item.title,
                    assume_consulted=assume_consulted,
                )
            except RulesError:
                return agenda.Forecast(0.0, False)
            result = self._tally(item.title, item.proposer, judged, delegations)
            return agenda.Forecast(
                share_for=float(result.share_for),
                passes=bool(result.passes),
                affiliates_for=float(result.affiliates_for),
                clps_for=float(result.clps_for),
                needs_time=tuple(
                    u.name
                    for u, st in zip(self.state.unions, judged["stances"], strict=True)
                    if st.kind == "needs time" and u.affiliated
                ),
            )

        return forecast

    def _proposer_gain(self, item: Item, rules: RuleSet) -> Any:
        position = self.stakes.proposer_position(item.proposer, self.nec.median())

        def gain(parts: Any) -> float:
            changes = agenda.merged(parts)
            if not changes:
                return 0.0
            if position is None:
                return 1.0
            try:
                effect = self.stakes.effect(rules, rules.with_changes(changes))
            except RulesError:
                return 0.0
            return float(rule_power.ideological_gain(position, effect))

        return gain

    def _notice(self, item: Item) -> int:
        return max(0, item.target - item.tabled)

    # --- the road: tabling, consultation, the NEC -----------------------------------------

    def _prepare(self, item: Item, rules: RuleSet) -> bool:
        """Compute the item's parts against the rules in force (False: it changes nothing)."""
        if item.parts:
            return True
        if item.spec is None:
            return False
        proposal = proposals.scheduled_proposal(
            item.spec.model_copy(update={"direction": item.spec.direction or 0.0}), rules
        )
        if proposal is None:
            return False
        item.parts = agenda.split_parts(proposal.changes, item.spec.parts, rest=item.title)
        return True

    def table(self, items: list[Item]) -> None:
        """The proposers put their items to the affiliates and the NEC (the leader's) or on the agenda."""
        s = self.state
        with s.timed("conference"):
            rules = s.rules
            delegations = delegations_of(self.state, noise=False)
            platform: list[list[Any]] = []  # [item, decision, judged]
            for item in items:
                if not self._prepare(item, rules):
                    continue
                if item.proposer not in PLATFORM:
                    item.ready = True
                    self.pending.append(item)
                    continue
                forecast = self._forecast(item, rules, delegations)
                if item.forced:
                    # A counterfactual's premise: it goes on whole, whatever the forecast.
                    first = forecast(item.parts, False)
                    decision = agenda.RoadDecision("proceed", item.parts, (), first, first)
                else:
                    decision = agenda.decide(
                        item.parts,
                        forecast,
                        self._proposer_gain(item, rules),
                        allow_defer=item.allow_defer,
                    )
                judged = self._judge(
                    item.changes,
                    item.proposer,
                    rules=rules,
                    delegations=delegations,
                    recommendation=1,
                    notice=self._notice(item),
                    key=item.title,
                )
                platform.append([item, decision, judged])
            self._bundle(platform, rules, delegations)
            for item, decision, judged in platform:
                s.events.record(
                    AffiliateConsultation,
                    s.now,
                    decided_by="meeting",
                    title=item.title,
                    proposer=item.proposer,
                    notice_months=self._notice(item),
                    needs_consultation=judged["needs_consultation"],
                    stances=self._stance_records(judged["stances"]),
                    decision=decision.to_dict(),
                )
            for item, decision, _ in platform:
                if decision.action == "bundled":
                    continue
                if decision.action == "withdraw":
                    s.events.record(
                        ProposalWithdrawn,
                        s.now,
                        title=item.title,
                        proposer=item.proposer,
                        stage="consultation",
                        reason="the forecast card vote failed and no amendment would pass",
                        forecast_share=round(decision.final.share_for, 6),
                    )
                    continue
                if decision.action == "defer":
                    item.target = s.time + s.config.conference.defer_months
                    item.kind = "special"
                    self._schedule_special(item.target)
                    run = _Run(self, "table", [item])
                    self._runs.append(run)
                    s.schedule(run.run, at=item.target, rank=self.RANK, sub=self.TABLE)
                    continue
                item.parts = tuple(decision.kept)
                if self._nec_tables(item, rules, delegations):
                    item.ready = True
                    item.recommendation = 1
                    self.pending.append(item)

    def _bundle(self, platform: list[list[Any]], rules: RuleSet, delegations: Any) -> None:
        """Items that would fail alone ride with a passing one of the same proposer, as one package."""
        s = self.state
        for proposer in sorted({row[0].proposer for row in platform}):
            mine = [row for row in platform if row[0].proposer == proposer]
            failing = [row for row in mine if row[1].action == "withdraw"]
            passing = [row for row in mine if row[1].action in ("proceed", "amend")]
            if not failing or not passing:
                continue
            forecast = self._forecast(passing[0][0], rules, delegations)
            bundles = agenda.bundle(
                [row[0].parts for row in failing], [row[1].kept for row in passing], forecast
            )
            for fi, pj, f in bundles:
                rider, carrier = failing[fi], passing[pj]
                title = f"{carrier[0].title} + {rider[0].title}"
                s.events.record(
                    PackageFormed,
                    s.now,
                    title=title,
                    proposer=proposer,
                    members=[carrier[0].title, rider[0].title],
                    forecast=f.to_dict(),
                )
                carrier[0].title = title
                carrier[1] = dataclasses.replace(
                    carrier[1], kept=(*carrier[1].kept, *rider[0].parts), final=f
                )
                rider[1] = dataclasses.replace(rider[1], action="bundled", final=f)

    def _nec_tables(self, item: Item, rules: RuleSet, delegations) -> bool:
        judged = self._judge(
            item.changes,
            item.proposer,
            rules=rules,
            delegations=delegations,
            recommendation=1,
            notice=self._notice(item),
            key=item.title,
        )
        union_votes = {
            u: union_decisions.vote_of(st.kind) for u, st in enumerate(judged["stances"])
        }
        result = self.nec.vote(
            item.title,
            item.proposer,
            "table",
            item.changes,
            judged["effect"],
            self.stakes.proposer_position(item.proposer, self.nec.median()),
            union_votes=union_votes,
        )
        if item.forced:
            return True  # a counterfactual's premise: tabled whatever the NEC's vote
        if not result.passes:
            self.state.events.record(
                ProposalWithdrawn,
                self.state.now,
                title=item.title,
                proposer=item.proposer,
                stage="nec",
                reason="the NEC would not table it",
            )
        return result.passes

    @staticmethod
    def _stance_records(stances: list[union_decisions.Stance]) -> list[dict[str, Any]]:
        return [st.to_dict() for st in stances]

    # --- conference --------------------------------------------------------------------

    def hold_annual(self) -> None:
        """Annual conference."""
        if self.interests:
            self.hold("annual")
        else:
            hold_by_direction(self.state)

    def hold(self, kind: str) -> None:
        """A conference (annual or special): the agenda and the card votes."""
        s = self.state
        if kind == "annual":
            self._catalogue()
        due = [i for i in self.pending if i.target == s.time and i.ready and i.parts]
        self.pending = [i for i in self.pending if i.target != s.time]
        if not due:
            return
        with s.timed("conference"):
            rules_before = s.rules
            delegations = delegations_of(self.state, noise=True)
            motions = [i for i in due if i.proposer not in PLATFORM]
            platform = [i for i in due if i.proposer in PLATFORM]
            forecast_delegations = delegations_of(self.state, noise=False)
            platform_sections = set().union(*(i.sections for i in platform)) if platform else set()
            for motion in motions:
                if motion.sections & platform_sections:
                    # The NEC asks conference to reject motions its own changes answer.
                    motion.recommendation = -1
                    continue
                judged = self._judge(
                    motion.changes,
                    "nec",
                    rules=rules_before,
                    delegations=forecast_delegations,
                    recommendation=0,
                    notice=self._notice(motion),
                    key=motion.title,
                )
                union_votes = {
                    u: union_decisions.vote_of(st.kind) for u, st in enumerate(judged["stances"])
                }
                result = self.nec.vote(
                    motion.title,
                    motion.proposer,
                    "recommend",
                    motion.changes,
                    judged["effect"],
                    self.stakes.proposer_position(motion.proposer, self.nec.median()),
                    union_votes=union_votes,
                )
                motion.recommendation = 1 if result.passes else -1
            order: list[tuple[Item, list[Item]]] = []
            waiting = list(motions)
            for item in platform:
                rivals = [m for m in waiting if m.sections & item.sections]
                order.append((item, rivals))
            voted: list[tuple[Item, Any]] = []
            fallen: set[int] = set()
            for item, rivals in order:
                alive = [r for r in rivals if id(r) not in fallen]
                references = self._references(alive, rules_before, delegations)
                if alive:
                    report = self._agenda_vote(item, alive, rules_before, delegations, references)
                    if not report:
                        # Referred back: the rivals are heard first. If one passes, the
                        # NEC's change on the same rules is superseded and withdrawn.
                        carried = []
                        for rival in alive:
                            outcome = self._vote(rival, rules_before, delegations, kind)
                            voted.append(outcome)
                            fallen.add(id(rival))
                            if outcome[1].passes:
                                carried.append(rival.title)
                        if carried and not item.forced:
                            s.events.record(
                                ProposalWithdrawn,
                                s.now,
                                title=item.title,
                                proposer=item.proposer,
                                stage="agenda",
                                reason=f"superseded when {', '.join(map(repr, carried))} passed",
                            )
                            continue
                        references = None
                result = self._vote(item, rules_before, delegations, kind, references=references)
                voted.append(result)
                if result[1].passes or item.forced:
                    for rival in alive:
                        if id(rival) not in fallen:
                            fallen.add(id(rival))
                            s.events.record(
                                ProposalWithdrawn,
                                s.now,
                                title=rival.title,
                                proposer=rival.proposer,
                                stage="agenda",
                                reason=f"fell when {item.title!r} passed",
                            )
            for motion in motions:
                if id(motion) not in fallen:
                    voted.append(self._vote(motion, rules_before, delegations, kind))
            self._adopt(rules_before, voted)

    def _references(self, rivals: list[Item], rules: RuleSet, delegations: Any) -> Any:
        """What each actor compares the NEC's proposal with, while rivals are alive.

        CLP delegations come mandated by their motions: each compares it with
        the rival it likes best (the 2018 "protest" votes). Union delegations,
        whose leaderships bargain over the agenda, compare it with what would
        happen if it fell: a rival that would then pass, else the rules as they are.

        Returns:
            (union references, CLP references), or None without rivals.
        """
        if not rivals:
            return None
        # If the NEC's proposal fell, a rival that would pass is what happens
        # instead: it, not the rules as they are, is the unions' reference (a
        # union that dislikes both still backs the lesser change, as Usdaw did
        # in 2018). Only without such a rival do the rules as they are count.
        passing = []
        clps = []
        for rival in rivals:
            try:
                judged = self._judge(
                    rival.changes,
                    rival.proposer,
                    rules=rules,
                    delegations=delegations,
                    recommendation=rival.recommendation,
                    notice=self._notice(rival),
                    key=rival.title,
                )
            except RulesError:
                continue
            clps.append(judged["clp_utility"])
            if self._tally(rival.title, rival.proposer, judged, delegations).passes:
                passing.append(judged["union_utility"])
        if not clps:
            return None
        unions = np.max(passing, axis=0) if passing else np.zeros(len(self.state.unions))
        return unions, np.max(clps, axis=0)

    def _agenda_vote(self, item: Item, rivals: list[Item], rules, delegations, references) -> bool:
        """The CAC report: put the NEC's proposal first (rivals fall if it passes)."""
        s = self.state
        judged = self._judge(
            item.changes,
            item.proposer,
            rules=rules,
            delegations=delegations,
            recommendation=1,
            notice=self._notice(item),
            key=item.title,
        )
        union_ref, clp_ref = references
        keep_first = judged["union_utility"] >= union_ref
        clp_for = np.maximum(judged["clp_utility"], 0.0) >= clp_ref
        union_votes = [
            conference.UnionVote(u.name, int(u.levy_payers), bool(k))
            for u, k in zip(s.unions, keep_first, strict=True)
            if u.affiliated
        ]
        proposal = proposals.Proposal(f"CAC report: {item.title} first", "nec", item.changes, 0.0)
        result = conference.tally_card_vote(
            proposal,
            union_votes=union_votes,
            clp_votes=delegations.votes,
            clp_for=clp_for,
            unaligned=delegations.unaligned,
            rules=s.rules,
        )
        data = result.to_dict()
        s.events.record(
            AgendaVote,
            s.now,
            decided_by="card vote",
            proposal=item.title,
            rivals=[r.title for r in rivals],
            passes=bool(result.passes),
            share_for=float(result.share_for),
            blocs=data["blocs"],
            unions=data["unions"],
        )
        return bool(result.passes)

    def _vote(
        self, item: Item, rules: RuleSet, delegations, kind: str, *, references=None
    ) -> tuple[Item, Any]:
        """One card vote, recorded."""
        s = self.state
        judged = self._judge(
            item.changes,
            item.proposer,
            rules=rules,
            delegations=delegations,
            recommendation=item.recommendation,
            notice=self._notice(item),
            key=item.title,
            references=references,
        )
        effect = judged["effect"]
        scale = s.config.conference.shift_scale
        direction = float(np.clip(effect.shift / scale, -1.0, 1.0)) if scale else 0.0
        proposal = proposals.Proposal(
            item.title, item.proposer, item.changes, round(direction, 6), key=item.key
        )
        result = conference.tally_card_vote(
            proposal,
            union_votes=self._union_votes(judged["stances"]),
            clp_votes=delegations.votes,
            clp_for=judged["clp_for"],
            unaligned=delegations.unaligned,
            rules=s.rules,
        )
        data = result.to_dict()
        by_name = {
            u.name: st.to_dict()
            for u, st in zip(s.unions, judged["stances"], strict=True)
            if u.affiliated
        }
        data["unions"] = [{**v, **by_name.get(v["name"], {})} for v in data["unions"]]
        s.events.record(
            ConferenceVote,
            s.now,
            decided_by="card vote",
            balance=round(effect.balance_before["leadership"], 6),
            **data,
            conference=kind,
            parts=[p.name for p in item.parts],
            effect=effect.to_dict(),
            forced=True if item.forced else None,
        )
        return item, result

    def _adopt(self, rules_before: RuleSet, voted: list[tuple[Item, Any]]) -> None:
        s = self.state
        rules, applied = rules_before, []
        for item, result in voted:
            if not (result.passes or item.forced):
                continue
            try:
                after = rules.with_changes(
                    item.changes,
                    reason=f"conference {s.now}: {item.title}, card vote {float(result.share_for):.2%}",
                )
            except RulesError:
                continue
            if not rules.rule_changes_to(after):
                continue
            rules = after
            applied.append(item.title)
        if applied:
            s.change_rules(rules, decided_by="card vote", proposals=applied)

    def _catalogue(self) -> None:
        """The leader's and factions' own proposals from the catalogue (where enabled)."""
        s = self.state
        spec = s.config.conference
        rng = s.streams["conference"]
        movers: list[tuple[str, float]] = []
        if spec.leader_proposes:
            movers.append(("leader", s.leader.ideology))
        if spec.faction_proposes:
            movers += [(f.name, f.line) for f in s.factions]
        items = []
        for name, position in movers:
            if rng.random() >= spec.proposal_chance:
                continue
            options = []
            for entry in proposals.CATALOGUE:
                proposal = entry.proposal(s.rules, name)
                if proposal is None:
                    continue
                effect = self.stakes.effect(s.rules, proposal.apply(s.rules))
                if rule_power.ideological_gain(position, effect) > 0:
                    options.append(proposal)
            if not options or spec.proposals_per_year <= 0:
                continue
            count = min(spec.proposals_per_year, len(options))
            for i in np.sort(rng.choice(len(options), size=count, replace=False)):
                proposal = options[int(i)]
                items.append(
                    Item(
                        title=proposal.title,
                        proposer=name,
                        key=proposal.key,
                        parts=(agenda.Part(proposal.title, proposal.changes),),
                        tabled=s.time,
                        target=s.time,
                    )
                )
        if items:
            self.table(items)

    def measure(self, row: dict[str, Any]) -> None:
        """The rules in force."""
        row["rules"] = self.state.rules.label()
