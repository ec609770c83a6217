"""The NEC in the rules: its published compositions, and the rules it sets itself.

`RuleSet.nec` defaults to the 2010 composition; the presets take the one of
their period (`model.rules.presets`), each with its sources
(`model.rules.sources`, ``SRC_NEC_*``).
"""

from typing import Any

__all__ = ["NEC_2010", "NEC_2018", "NEC_2021", "NEC_OTHER_2010", "NEC_PROCEDURAL_FIELDS"]

NEC_OTHER_2010: dict[str, int] = {
    "leader": 1,
    "deputy_leader": 1,
    "treasurer": 1,
    "frontbench": 3,
    "plp": 3,
    "eplp": 1,
    "socialist_societies": 1,
    "local_government": 2,
    "youth": 1,
    "bame": 1,
}
NEC_2010: dict[str, Any] = {
    "seats": {**NEC_OTHER_2010, "clp": 6, "unions": 12},
    "clp_section_system": "block_vote",
}
NEC_2018: dict[str, Any] = {
    "seats": {**NEC_OTHER_2010, "clp": 9, "unions": 13, "scotland": 1, "wales": 1},
    "clp_section_system": "block_vote",
}
NEC_2021: dict[str, Any] = {
    "seats": {**NEC_2018["seats"], "eplp": 0, "disabled": 1},
    "clp_section_system": "stv",
}

NEC_PROCEDURAL_FIELDS: tuple[str, ...] = (
    "leadership.freeze_months",
    "leadership.join_cutoff_months",
    "leadership.nominating_meeting_months",
    "leadership.registered_supporter_fee_gbp",
    "leadership.registered_supporter_window_hours",
    "leadership.incumbent_automatic",
    "nec.clp_section_system",
)
"""Rules the NEC sets itself between conferences: a contest's freeze date or joining
cut-off, who may attend CLP nominating meetings, the supporters' fee and window, whether an incumbent is on the ballot
automatically (the NEC's 2016 ruling), and how its own CLP section is elected (the
NEC's 2020 switch to STV) (labour_history.json: rule_changes.2016_nec_decisions,
rule_changes.2020_nec; membership.intra_year_points, 2020)."""
