"""The reselection methods: the parameters each uses, their published defaults and sources.

`ReselectionRules` fills a method's missing parameters from here, and a rule
change that switches method resets the old method's parameters
(`model.rules.edits`), so a scenario or a conference motion can switch method
with a single field.
"""

from fractions import Fraction
from typing import Any

from model.rules.sources import (
    SRC_SUPERMAJORITY,
    SRC_TRIGGER_2018,
    SRC_TRIGGER_2021,
    SRC_TRIGGER_PRE_2018,
)

__all__ = ["METHOD_DEFAULTS", "METHOD_DEFAULT_SOURCES", "METHOD_PARAMS"]

METHOD_PARAMS: tuple[str, ...] = (
    "combined_threshold",
    "branch_threshold",
    "affiliate_threshold",
    "college_weights",
    "college_threshold",
    "supermajority_share",
)
"""Parameters a reselection method may use (each method uses some of them)."""

METHOD_DEFAULTS: dict[str, dict[str, Any]] = {
    "pre_2018": {"combined_threshold": Fraction(1, 2), "trigger_decided_by": "branch_meetings"},
    "either_third": {
        "branch_threshold": Fraction(1, 3),
        "affiliate_threshold": Fraction(1, 3),
        "trigger_decided_by": "branch_meetings",
    },
    "weighted_college": {
        "college_weights": {"branches": Fraction(1, 2), "affiliates": Fraction(1, 2)},
        "college_threshold": Fraction(1, 2),
        "trigger_decided_by": "branch_meetings",
    },
    "open_selection": {"trigger_decided_by": "none"},
    "members_supermajority": {
        "supermajority_share": Fraction(3, 4),
        "trigger_decided_by": "members_ballot",
    },
}
"""Each method's published parameters, filled in where a rule set leaves them out."""


METHOD_DEFAULT_SOURCES: dict[tuple[str, str], str] = {
    ("pre_2018", "combined_threshold"): "default for pre_2018: " + SRC_TRIGGER_PRE_2018,
    ("either_third", "branch_threshold"): "default for either_third: " + SRC_TRIGGER_2018,
    ("either_third", "affiliate_threshold"): "default for either_third: " + SRC_TRIGGER_2018,
    ("weighted_college", "college_weights"): "default for weighted_college: " + SRC_TRIGGER_2021,
    ("weighted_college", "college_threshold"): "default for weighted_college: " + SRC_TRIGGER_2021,
    ("members_supermajority", "supermajority_share"): "default: " + SRC_SUPERMAJORITY,
}
"""Citation of each method default, by (method, parameter)."""
