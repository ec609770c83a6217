"""What a run records: typed events, the event log, the monthly series, and writers."""

from model.records.events import EVENT_TYPES, SCHEMA, Event, EventError, event_from_dict
from model.records.log import EventLog

__all__ = ["EVENT_TYPES", "SCHEMA", "Event", "EventError", "EventLog", "event_from_dict"]
