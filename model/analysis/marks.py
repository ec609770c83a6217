"""Which events to mark on figures of many runs.

Kept apart from the figures so that the sweep's tables can find the events
common to their runs without loading matplotlib.
"""

from __future__ import annotations

import pandas as pd

from model.records.events import EventMark

__all__ = ["common_events"]


def common_events(events: pd.DataFrame, n_runs: int, *, min_share: float = 0.5) -> list[EventMark]:
    """Events (by type and month) that occur in at least `min_share` of the runs.

    Scheduled events (conferences, fixed-date elections) then show as
    markers on sweep figures; the scattered events of single runs do not.

    Args:
        events: the long events table (run_id, type, month).
        n_runs: the number of runs the table covers.
        min_share: the share of runs an event must occur in.

    Returns:
        EventMarks (type, month) in month order.
    """
    if events.empty or n_runs <= 0:
        return []
    seen = events.drop_duplicates(["run_id", "type", "month"])
    counts = seen.groupby(["type", "month"]).size()
    common = counts[counts >= min_share * n_runs].reset_index()
    return [
        EventMark(t, m)
        for t, m in sorted(zip(common["type"], common["month"], strict=True), key=lambda x: x[1])
    ]
