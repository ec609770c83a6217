"""Event records: one frozen dataclass per event type, declared once.

Every institution records what it decided as one of these. The event log
(`events.jsonl`) holds each as one JSON object: ``type``, ``month``, then
``decided_by`` for decisions (MODEL.md §4: a meeting, a ballot, a card vote,
an election or a rule), then the event's own fields in the order declared
here. Readers (measures, validation, figures, reports, the web page) turn the
JSON back into these classes with :func:`event_from_dict`, so a field that the
model does not emit is an error at once, never a silent ``None``.

Nested payloads that come from a mechanism's own result (a count, a branch
tally, the nominations) are kept as the JSON the mechanism wrote; their shape
is documented on the field, and the accessors on each class read them.

``SCHEMA`` is the version of this layout, written to every run's
``manifest.json``; it changes whenever a field is added, removed or renamed.

This module is the registry and the one place to import events from: the base
class is in `model.records.base`, the types in `model.records.party_events`
and `model.records.conference_events`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from model.records.base import DECIDED_BY, OPTIONAL, SCHEMA, Event, EventError, jsonable
from model.records.conference_events import (
    AffiliateConsultation,
    AffiliationChange,
    AgendaVote,
    ConferenceVote,
    DeputyContest,
    NecElection,
    NecVote,
    PackageFormed,
    ProposalWithdrawn,
    RuleChange,
    UnionGsElection,
    UnionLeadershipChange,
    UnionNomination,
)
from model.records.party_events import (
    Agm,
    ChallengeLaunched,
    ContestNotHeld,
    GeneralElection,
    LeaderResigns,
    LeadershipContest,
    Retirement,
    Selection,
    TriggerBallot,
)

__all__ = [
    "DECIDED_BY",
    "EVENT_TYPES",
    "OPTIONAL",
    "SCHEMA",
    "AffiliateConsultation",
    "AffiliationChange",
    "AgendaVote",
    "Agm",
    "ChallengeLaunched",
    "ConferenceVote",
    "ContestNotHeld",
    "DeputyContest",
    "Event",
    "EventError",
    "EventMark",
    "GeneralElection",
    "LeaderResigns",
    "LeadershipContest",
    "NecElection",
    "NecVote",
    "PackageFormed",
    "ProposalWithdrawn",
    "Retirement",
    "RuleChange",
    "Selection",
    "TriggerBallot",
    "UnionGsElection",
    "UnionLeadershipChange",
    "UnionNomination",
    "event_class",
    "event_from_dict",
    "jsonable",
]


class EventMark(NamedTuple):
    """An event reduced to where it is drawn: its type and month (e.g. common to many runs)."""

    type: str
    month: str


# --- the registry -----------------------------------------------------------------------

EVENT_TYPES: dict[str, type[Event]] = {
    cls.type: cls
    for cls in (
        Agm,
        LeadershipContest,
        LeaderResigns,
        ChallengeLaunched,
        ContestNotHeld,
        TriggerBallot,
        Selection,
        Retirement,
        GeneralElection,
        ConferenceVote,
        RuleChange,
        UnionGsElection,
        UnionLeadershipChange,
        AffiliationChange,
        UnionNomination,
        AffiliateConsultation,
        ProposalWithdrawn,
        PackageFormed,
        NecVote,
        AgendaVote,
        NecElection,
        DeputyContest,
    )
}
"""Every event type by its `type` name."""


def event_from_dict(data: Mapping[str, Any]) -> Event:
    """The typed event for one JSON object of `events.jsonl`.

    Raises:
        EventError: the type is unknown or the fields do not match it.
    """
    kind = data.get("type")
    cls = EVENT_TYPES.get(kind) if isinstance(kind, str) else None
    if cls is None:
        raise EventError(
            f"unknown event type {kind!r} (known: {', '.join(sorted(EVENT_TYPES))}); "
            f"the file may come from another version of party-factions (event schema {SCHEMA})"
        )
    return cls.from_dict(data)


def event_class(kind: str | type[Event]) -> type[Event]:
    """The class of an event type given by name or class."""
    if isinstance(kind, type):
        return kind
    try:
        return EVENT_TYPES[kind]
    except KeyError:
        raise EventError(
            f"unknown event type {kind!r} (known: {', '.join(sorted(EVENT_TYPES))})"
        ) from None
