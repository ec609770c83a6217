"""Typed event records for tests: every required field filled with a neutral value."""

from __future__ import annotations

import dataclasses
import typing
from typing import Any

from model.records.events import Event

_NEUTRAL = {str: "", int: 0, float: 0.0, bool: False}


def scheduled_vacancy(month: str = "2017-03") -> dict[str, Any]:
    """A scenario's `contests` section with one scheduled vacancy: a left and a centre candidate."""
    return {
        "scheduled": [
            {
                "month": month,
                "kind": "vacancy",
                "candidates": [
                    {"name": "Left", "ideology": -0.7, "valence": 0.3},
                    {"name": "Centre", "ideology": -0.1, "valence": 0.6},
                ],
            }
        ]
    }


def make_event[E: Event](cls: type[E], month: str = "2020-01", **fields: Any) -> E:
    """An event of `cls` in `month`: the given fields, neutral values for the rest."""
    hints = typing.get_type_hints(cls)
    values: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if f.name == "month" or f.name in fields:
            continue
        if f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING:
            continue
        kind = typing.get_origin(hints[f.name]) or hints[f.name]
        if kind in _NEUTRAL:
            values[f.name] = _NEUTRAL[kind]
        elif kind is dict:
            values[f.name] = {}
        elif kind is list:
            values[f.name] = []
        else:  # optional (X | None) and Any
            values[f.name] = None
    if "decided_by" not in fields and cls.decisions and "decided_by" in values:
        values["decided_by"] = cls.decisions[0]
    return cls(month=month, **values, **fields)
