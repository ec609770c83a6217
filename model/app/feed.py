"""The page's event feed: typed event records turned into short entries, newest first.

Each event type has one small describer that reads its documented fields
(`model.records.events`): a leadership contest gives its kind, winner and
one line per round of the count; a trigger-ballot round is folded into one
entry per month with the tally of results, naming the deselected MPs; a
month's AGMs become one line with the changes of control; and so on. An
event type without a describer (one added to the model later) is shown by
listing its ``to_dict()`` fields, so it still appears.

Everything here is a plain function of event records: the panel in
`model.app.panels` only lays the entries out.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from fractions import Fraction
from typing import Any, NamedTuple

from model.records.events import (
    AffiliateConsultation,
    AffiliationChange,
    AgendaVote,
    Agm,
    ChallengeLaunched,
    ConferenceVote,
    ContestNotHeld,
    DeputyContest,
    Event,
    GeneralElection,
    LeaderResigns,
    LeadershipContest,
    NecElection,
    NecVote,
    PackageFormed,
    ProposalWithdrawn,
    Retirement,
    RuleChange,
    Selection,
    TriggerBallot,
    UnionGsElection,
    UnionLeadershipChange,
    UnionNomination,
)

log = logging.getLogger(__name__)

FEED_LENGTH = 12  # entries in the event feed
GROUP_ABOVE = 3  # more events than this of one type in a month are folded into one entry
MAX_DETAILS = 8  # detail lines per entry
NAMED = 5  # MPs, CLPs or events named one by one in a folded entry before "… and N more"


class FeedEntry(NamedTuple):
    """One entry of the feed: a heading ("2019-09 · …") and a few detail lines."""

    heading: str
    details: list[str]


# --- small formatting helpers ---------------------------------------------------------


def _number(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.1f}" if abs(value) >= 10 else f"{value:.3g}"
    return str(value)


def _short(value: Any, limit: int = 60) -> str:
    """A value on one line, cut to `limit` characters (nested values summarised)."""
    if isinstance(value, Mapping):
        text = ", ".join(f"{k} {_short(v, 20)}" for k, v in value.items())
    elif isinstance(value, list | tuple):
        text = ", ".join(_short(v, 20) for v in value)
    else:
        text = _number(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _place(rec: Any) -> str:
    """Where an event happened: its seat's name, or "CLP n" for records without one."""
    seat = getattr(rec, "seat", None)
    return seat if seat else f"CLP {rec.clp}"


def _pct(share: float | None) -> str:
    """A share (0..1) as a percentage, "?" when missing."""
    return "?" if share is None else f"{100 * share:.1f}%"


def _fraction_pct(text: str) -> str:
    """An exact fraction written as a string ("1/2", "2/3") as a percentage."""
    try:
        return f"{float(Fraction(text)) * 100:.4g}%"
    except (ValueError, ZeroDivisionError):
        return str(text)


def _position(value: float | None) -> str:
    """An ideological position, signed (left −1 … right +1)."""
    return "?" if value is None else f"{value:+.2f}"


def _label(kind: str) -> str:
    return kind.replace("_", " ")


def _more(lines: list[str], total: int, what: str = "more") -> list[str]:
    """`lines` (the first of `total` items) plus "… and N more" if some were left out."""
    return lines + ([f"… and {total - len(lines)} {what}"] if total > len(lines) else [])


def describe_round(rnd: Mapping[str, Any]) -> str:
    """One round of a count on one line: "R1: A 45.0% · B 30.0% · C 25.0% (C out)".

    Reads the round's `totals_pct` (each continuing candidate's total, in
    percentage points, as `counting.RoundRecord.to_dict` writes it), highest
    first; then who was eliminated (and how a tie was broken) or who won.
    """
    label = f"R{rnd.get('round', '?')}"
    totals = rnd.get("totals_pct")
    if not isinstance(totals, Mapping):
        return f"{label}: {_short({k: v for k, v in rnd.items() if k != 'round'}, 120)}"
    ranked = sorted(totals.items(), key=lambda kv: -float(kv[1]))
    text = f"{label}: " + " · ".join(f"{name} {float(v):.1f}%" for name, v in ranked)
    if rnd.get("eliminated"):
        reason = rnd.get("reason")
        tie = f", {reason}" if isinstance(reason, str) and reason.startswith("tie") else ""
        text += f" ({rnd['eliminated']} out{tie})"
    elif rnd.get("majority"):
        text += f" ({rnd['majority']} wins)"
    return text


def count_lines(count: Mapping[str, Any] | None) -> list[str]:
    """One line per round of a count (`CountResult.to_dict()`), none without a count."""
    if not count:
        return []
    return [describe_round(r) for r in count.get("rounds", []) if isinstance(r, Mapping)]


# --- one describer per event type -----------------------------------------------------


def describe_contest(rec: LeadershipContest) -> FeedEntry:
    """A leadership contest: its kind and result, then one line per round of the count."""
    electorate = "college" if rec.electorate_rule == "college" else "OMOV"
    head = f"{rec.month} · leadership contest ({rec.kind}, {electorate})"
    if rec.outcome == "elected unopposed":
        head += f": {rec.winner} elected unopposed"
    elif rec.outcome == "challenge failed at nominations":
        head += f": challenge failed at nominations, {rec.previous_leader} stays"
    elif rec.winner is not None:
        head += f": {rec.winner} wins"
    details = [describe_round(r) for r in rec.rounds]
    eliminated = [r["eliminated"] for r in rec.rounds if r.get("eliminated")]
    if eliminated:
        details.append("eliminated: " + ", ".join(eliminated))
    if not rec.balloted and rec.on_ballot:
        details.append("nominated: " + ", ".join(rec.on_ballot))
    if rec.winner is not None and rec.winner_faction is not None:
        details.append(
            f"new leader: {rec.winner} ({rec.winner_faction}, "
            f"{_position(rec.winner_ideology)}); before: {rec.previous_leader}"
        )
    return FeedEntry(head, details)


def describe_selection(rec: Selection) -> FeedEntry:
    """An open-seat selection: the seat, why it was open, who won and the count."""
    head = f"{rec.month} · selection in {_place(rec)} ({rec.reason})"
    if rec.winner is None:
        return FeedEntry(head + ": nobody stood", [])
    head += f": {rec.winner} ({rec.winner_faction})"
    details = count_lines(rec.count)
    if rec.count is None:
        details.append("one candidate stood")
    return FeedEntry(head, details)


def describe_general_election(rec: GeneralElection) -> FeedEntry:
    """A general election: seats won against those needed, the change, the vote share."""
    verdict = "won a majority" if rec.won else "no majority"
    head = (
        f"{rec.month} · general election: {rec.seats} of {rec.total_seats} seats, {verdict} "
        f"({rec.majority_seats} needed)"
    )
    details = [
        f"seats {rec.seats_before} → {rec.seats} "
        f"(+{rec.seats_gained} gained, −{rec.seats_lost} lost)",
        "vote share: "
        + (
            _pct(rec.vote_share)
            if rec.vote_share is not None
            else "not modelled (historical seats)"
        ),
        f"leader: {rec.leader} ({_position(rec.leader_ideology)})",
    ]
    if rec.seat_source:
        details.insert(1, f"seats from: {rec.seat_source}")
    for label, names in (("gained", rec.gained_seats), ("lost", rec.lost_seats)):
        if names:
            more = f" … and {len(names) - NAMED} more" if len(names) > NAMED else ""
            details.append(f"{label}: {'; '.join(names[:NAMED])}{more}")
    return FeedEntry(head, details)


def describe_conference_vote(rec: ConferenceVote) -> FeedEntry:
    """A card vote at conference: the proposal, its share for and whether it passed."""
    verdict = "passed" if rec.passes else "fell"
    head = f"{rec.month} · conference vote: {rec.title}: {verdict}, {_pct(rec.share_for)} for"
    details = [
        f"proposed by {rec.proposer}; needs more than {_fraction_pct(rec.majority_required)}"
    ]
    blocs = [
        f"{'CLPs' if name == 'clps' else name} {_pct(bloc.get('share_for'))}"
        for name, bloc in rec.blocs.items()
        if isinstance(bloc, Mapping)
    ]
    if blocs:
        details.append("for, by bloc: " + " · ".join(blocs))
    return FeedEntry(head, details)


def _rule_change_lines(changes: Any) -> list[str]:
    """ "path: before → after" (or "path: value") per changed rule."""
    if not isinstance(changes, Mapping):
        return [_short(changes, 90)] if changes else []
    lines = []
    for path, change in changes.items():
        if isinstance(change, Mapping) and {"before", "after"} <= set(change):
            lines.append(f"{path}: {_short(change['before'], 30)} → {_short(change['after'], 30)}")
        else:
            lines.append(f"{path}: {_short(change, 60)}")
    return lines


def describe_rule_change(rec: RuleChange) -> FeedEntry:
    """The rules in force change: what was adopted, and the rule set before and after."""
    n = len(rec.proposals)
    head = f"{rec.month} · rule change: {n} proposal{'s' if n != 1 else ''} adopted"
    details = [f"adopted: {title}" for title in rec.proposals]
    details += [f"rules before: {rec.rules_before}", f"rules now: {rec.rules_after}"]
    details += _rule_change_lines(rec.changes)
    return FeedEntry(head, details)


def describe_union_election(rec: UnionGsElection) -> FeedEntry:
    """A union's general-secretary election: who won and where the leadership moved."""
    who = "continuity candidate" if rec.continuity_won else "challenger"
    head = (
        f"{rec.month} · {rec.union} general secretary: {who} won "
        f"({_pct(rec.winner_share)} of votes)"
    )
    details = [
        f"leadership {_position(rec.previous)} → {_position(rec.winner)} "
        f"(moved {_position(rec.moved)})",
        f"members: mean {_position(rec.members_mean)}, sd {rec.members_sd:.2f}",
    ]
    return FeedEntry(head, details)


def describe_resignation(rec: LeaderResigns) -> FeedEntry:
    """The leader resigns; a contest for the vacancy follows."""
    return FeedEntry(f"{rec.month} · {rec.leader} resigns as leader ({rec.reason})", [])


def describe_challenge(rec: ChallengeLaunched) -> FeedEntry:
    """MPs launch a challenge to the leader after a shock."""
    return FeedEntry(
        f"{rec.month} · challenge to the leader launched after {rec.shock}",
        [f"MPs far from the leader: {_pct(rec.share_of_mps_far)}"],
    )


def describe_contest_not_held(rec: ContestNotHeld) -> FeedEntry:
    """A scheduled contest whose cause is gone (its leader does not lead)."""
    return FeedEntry(
        f"{rec.month} · no {rec.kind}: it was aimed at {' or '.join(rec.if_leader)}, "
        f"and {rec.leader} leads",
        [],
    )


def describe_retirement(rec: Retirement) -> FeedEntry:
    """An MP stands down."""
    return FeedEntry(f"{rec.month} · {rec.mp} stands down ({_place(rec)})", [])


def describe_trigger_ballot(rec: TriggerBallot) -> FeedEntry:
    """One MP's trigger ballot (the feed folds a month's ballots: see `summarise_trigger_ballots`)."""
    head = (
        f"{rec.month} · trigger ballot in {_place(rec)}: {rec.mp} ({rec.mp_faction}) {rec.result}"
    )
    reason = rec.outcome.get("reason")
    details = [str(reason)] if isinstance(reason, str) else []
    if rec.selection:
        details += count_lines(rec.selection.get("count"))
    return FeedEntry(head, details)


def describe_agm(rec: Agm) -> FeedEntry:
    """One CLP's AGM (the feed folds a month's AGMs: see `summarise_agms`)."""
    control = (
        f"{rec.control_before} → {rec.control_after}"
        if rec.changed_hands
        else f"{rec.control_after} keeps control"
    )
    return FeedEntry(
        f"{rec.month} · {_place(rec)} AGM: {control}",
        [f"attendance {rec.attendees} of {rec.eligible}"],
    )


def describe_union_leadership(rec: UnionLeadershipChange) -> FeedEntry:
    """A new general secretary takes office (the union's own election)."""
    head = f"{rec.month} · {rec.union}: {rec.general_secretary or 'a new leadership'} takes office"
    details = [f"leadership {_position(rec.previous_ideology)} → {_position(rec.ideology)}"]
    if rec.previous:
        details.append(f"after {rec.previous}")
    return FeedEntry(head, details)


def describe_affiliation(rec: AffiliationChange) -> FeedEntry:
    """An affiliate changes the levy payers it affiliates."""
    head = f"{rec.month} · {rec.union} affiliates {_number(rec.levy_payers_after)} levy payers"
    return FeedEntry(head, [f"before: {_number(rec.levy_payers_before)}"])


def describe_union_nomination(rec: UnionNomination) -> FeedEntry:
    """An affiliate's nomination in a leader's or deputy's contest."""
    who = rec.nominee or "nobody"
    head = f"{rec.month} · {rec.union} nominates {who} for {rec.office or 'leader'}"
    details = [f"decided by its {rec.procedure or 'executive'} ({rec.reason or 'nominated'})"]
    if rec.leadership_choice:
        details.append(f"its leadership's choice: {rec.leadership_choice}")
    if rec.consulted_shares:
        shares = " · ".join(f"{k} {_pct(v)}" for k, v in rec.consulted_shares.items())
        details.append(f"{rec.consulted} polled: {shares}")
    return FeedEntry(head, details)


def describe_consultation(rec: AffiliateConsultation) -> FeedEntry:
    """The proposer consults the affiliates, and proceeds, amends, defers or withdraws."""
    decision = rec.decision or {}
    head = f"{rec.month} · affiliates consulted on {rec.title}: {decision.get('action', '?')}"
    stances = Counter(str(s.get("stance")) for s in rec.stances if isinstance(s, Mapping))
    details = [
        f"{rec.notice_months} months' notice; stances: "
        + ", ".join(f"{k} {v}" for k, v in stances.most_common())
    ]
    if decision.get("dropped"):
        details.append("dropped: " + ", ".join(map(str, decision["dropped"])))
    return FeedEntry(head, details)


def describe_withdrawal(rec: ProposalWithdrawn) -> FeedEntry:
    """A proposal that does not reach the card vote."""
    head = f"{rec.month} · withdrawn: {rec.title} ({rec.stage})"
    return FeedEntry(head, [rec.reason] if rec.reason else [])


def describe_package(rec: PackageFormed) -> FeedEntry:
    """Proposals bundled into one card vote."""
    return FeedEntry(f"{rec.month} · package: {rec.title}", [", ".join(rec.members)])


def describe_nec_vote(rec: NecVote) -> FeedEntry:
    """The NEC votes on a proposal or a procedure."""
    result = rec.result or {}
    verdict = "carried" if result.get("passes") else "lost"
    head = f"{rec.month} · NEC ({rec.purpose or 'vote'}): {rec.title}: {verdict}"
    return FeedEntry(head, [f"{result.get('for', 0)} for, {result.get('against', 0)} against"])


def describe_agenda_vote(rec: AgendaVote) -> FeedEntry:
    """The conference arrangements committee's report: rival motions wait."""
    verdict = "carried" if rec.passes else "referred back"
    head = f"{rec.month} · CAC report ({rec.proposal} first): {verdict}, {_pct(rec.share_for)}"
    return FeedEntry(head, ["rivals: " + ", ".join(rec.rivals)] if rec.rivals else [])


def describe_nec_election(rec: NecElection) -> FeedEntry:
    """Members elect the NEC's CLP section."""
    kind = "by-election" if rec.by_election else "election"
    head = f"{rec.month} · NEC CLP-section {kind} ({rec.system}): {rec.seats} seats"
    seats = " · ".join(f"{k} {v}" for k, v in rec.seats_by_faction.items())
    return FeedEntry(head, [seats] if seats else [])


def describe_deputy_contest(rec: DeputyContest) -> FeedEntry:
    """A deputy-leadership contest."""
    head = f"{rec.month} · deputy leadership: {rec.winner or 'no winner'} ({rec.outcome})"
    return FeedEntry(head, ["on the ballot: " + ", ".join(rec.on_ballot)] if rec.on_ballot else [])


def describe_generic(rec: Event) -> FeedEntry:
    """An event of a type the page has no describer for: its `to_dict()` fields, one a line."""
    data = rec.to_dict()
    head = f"{rec.month} · {_label(rec.type or type(rec).__name__)}"
    if data.get("decided_by"):
        head += f" (by {data['decided_by']})"
    details = [
        f"{key}: {_short(value)}"
        for key, value in data.items()
        if key not in ("type", "month", "decided_by")
    ]
    return FeedEntry(head, details)


DESCRIBERS: dict[type[Event], Callable[[Any], FeedEntry]] = {
    Agm: describe_agm,
    LeadershipContest: describe_contest,
    TriggerBallot: describe_trigger_ballot,
    Selection: describe_selection,
    Retirement: describe_retirement,
    GeneralElection: describe_general_election,
    ConferenceVote: describe_conference_vote,
    RuleChange: describe_rule_change,
    UnionGsElection: describe_union_election,
    LeaderResigns: describe_resignation,
    ChallengeLaunched: describe_challenge,
    ContestNotHeld: describe_contest_not_held,
    UnionLeadershipChange: describe_union_leadership,
    AffiliationChange: describe_affiliation,
    UnionNomination: describe_union_nomination,
    AffiliateConsultation: describe_consultation,
    ProposalWithdrawn: describe_withdrawal,
    PackageFormed: describe_package,
    NecVote: describe_nec_vote,
    AgendaVote: describe_agenda_vote,
    NecElection: describe_nec_election,
    DeputyContest: describe_deputy_contest,
}
"""The describer of each event type the page knows (others: `describe_generic`)."""


def describe_event(rec: Event) -> FeedEntry:
    """The feed entry for one event, by its type's describer.

    A describer that fails on an odd record (a field of a nested payload
    missing, say) must not take the page down with it: the failure goes to the
    server's log and the event is listed field by field instead.
    """
    describer = DESCRIBERS.get(type(rec), describe_generic)
    try:
        heading, details = describer(rec)
    except Exception:  # the page shows the fields; the log has the traceback
        log.exception("could not describe a %s event; listing its fields", rec.type)
        heading, details = describe_generic(rec)
    return FeedEntry(heading, details[:MAX_DETAILS])


# --- folding many events of one type and month into one entry ------------------------------


def summarise_agms(month: str, records: Sequence[Agm]) -> FeedEntry:
    """One entry for a month's AGMs (dozens a month: one line each would drown the feed)."""
    changed = [r for r in records if r.changed_hands]
    heading = f"{month} · {len(records)} CLP AGMs, {len(changed)} changed control"
    details = [f"{_place(r)}: {r.control_before} → {r.control_after}" for r in changed[:3]]
    # The map shows every CLP; keep room in the feed for contests and ballots.
    return FeedEntry(heading, _more(details, len(changed)))


def summarise_trigger_ballots(month: str, records: Sequence[TriggerBallot]) -> FeedEntry:
    """One entry for a month's trigger ballots: the tally of results, naming the deselected."""
    full = sum(1 for r in records if r.full_selection)
    deselected = [r for r in records if r.deselected]
    heading = (
        f"{month} · trigger ballots: {len(records)} MP{'s' if len(records) != 1 else ''}, "
        f"{full} full selection{'s' if full != 1 else ''}, {len(deselected)} deselected"
    )
    tally = Counter(r.result for r in records)
    details = [" · ".join(f"{result} {n}" for result, n in tally.most_common())]
    rules = sorted({r.rule for r in records})
    details.append("rule: " + ", ".join(rules))
    named = [f"deselected: {r.mp} ({r.mp_faction}, {_place(r)})" for r in deselected[:NAMED]]
    return FeedEntry(heading, details + _more(named, len(deselected), "more deselected"))


def summarise_selections(month: str, records: Sequence[Selection]) -> FeedEntry:
    """One entry for a month's many selections: why the seats were open, who won them."""
    heading = f"{month} · {len(records)} selections"
    reasons = Counter(r.reason for r in records)
    winners = Counter(r.winner_faction or "nobody" for r in records)
    contested = sum(1 for r in records if r.count is not None)
    details = [
        "seats open after: " + " · ".join(f"{k} {n}" for k, n in reasons.most_common()),
        "won by: " + " · ".join(f"{k} {n}" for k, n in winners.most_common()),
        f"contested: {contested}; one candidate: {len(records) - contested}",
    ]
    return FeedEntry(heading, details)


def summarise_retirements(month: str, records: Sequence[Retirement]) -> FeedEntry:
    """One entry for a month's many retirements, naming the first few MPs."""
    line = ", ".join(f"{r.mp} ({_place(r)})" for r in records[:NAMED])
    if len(records) > NAMED:
        line += f" … and {len(records) - NAMED} more"
    return FeedEntry(f"{month} · {len(records)} MPs stand down", [line])


def summarise_generic(month: str, records: Sequence[Event]) -> FeedEntry:
    """One entry for many events of one type in a month: each one's heading, month left off."""
    kind = _label(records[0].type or type(records[0]).__name__)
    prefix = f"{month} · "
    lines = [describe_event(r).heading.removeprefix(prefix) for r in records[: MAX_DETAILS - 1]]
    return FeedEntry(f"{month} · {kind} ×{len(records)}", _more(lines, len(records)))


SUMMARISERS: dict[type[Event], Callable[[str, Sequence[Any]], FeedEntry]] = {
    TriggerBallot: summarise_trigger_ballots,
    Selection: summarise_selections,
    Retirement: summarise_retirements,
}
"""How a month's many events of one type are folded (others: `summarise_generic`)."""

ALWAYS_FOLDED = (Agm, TriggerBallot)
"""Types folded into one entry per month however few: a round of AGMs or trigger ballots."""


def summarise(month: str, records: Sequence[Event]) -> FeedEntry:
    """One entry for several events of one type in one month (see SUMMARISERS)."""
    kind = type(records[0])
    if kind is Agm:
        return summarise_agms(month, records)  # type: ignore[arg-type]
    summariser = SUMMARISERS.get(kind, summarise_generic)
    try:
        heading, details = summariser(month, records)
    except Exception:  # as in describe_event: log it, show something plainer
        log.exception("could not summarise %d %s events", len(records), records[0].type)
        heading, details = summarise_generic(month, records)
    return FeedEntry(heading, details[:MAX_DETAILS])


def feed_entries(events: Iterable[Event], limit: int = FEED_LENGTH) -> list[FeedEntry]:
    """The latest events, newest first: one entry per event, or per month and type when many.

    AGMs come every month and would push contests and trigger ballots out of
    sight, so only the latest month's AGMs are shown (the CLP map shows the
    rest). Trigger ballots are folded into one entry per month; other types
    when a month has more than GROUP_ABOVE of them.

    The log is read from its end (it is in month order) and only as far back
    as the feed needs, so a long run costs no more than a short one.

    Args:
        events: the event log, oldest first (`PartyModel.events`).
        limit: the most entries to return.

    Returns:
        The entries, newest first.
    """
    try:
        newest_first = reversed(events)  # a list or the EventLog: no copy
    except TypeError:
        newest_first = reversed(list(events))
    groups: dict[tuple[str, type[Event]], list[Event]] = {}  # newest group first
    latest_agms: str | None = None
    shown = 0  # groups that will give an entry
    for rec in newest_first:
        key = (rec.month, type(rec))
        group = groups.get(key)
        if group is None:
            if shown >= limit and rec.month != next(reversed(groups))[0]:
                break  # the feed is full and this is an earlier month
            if isinstance(rec, Agm):
                if latest_agms is not None:
                    continue  # an earlier month's AGMs: not shown
                latest_agms = rec.month
            groups[key] = group = []
            shown += 1
        group.append(rec)
    entries: list[FeedEntry] = []
    for (month, kind), records in groups.items():
        records.reverse()  # back to the order they happened in
        if kind in ALWAYS_FOLDED or len(records) > GROUP_ABOVE:
            entries.append(summarise(month, records))
        else:
            entries.extend(describe_event(r) for r in reversed(records))
    return entries[:limit]
