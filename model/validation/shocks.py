"""Uncertainty that is not a model parameter: named candidates' attributes and campaign shocks.

The historical scenarios name the candidates of each contest with an assumed
ideology and valence. Two kinds of uncertainty are added around them (their
spreads are in the priors table, ``[candidates]`` and ``[campaign]``):

* **attributes** — each named person's ideology and valence are drawn once per
  posterior draw (the same person gets the same shift in every contest), from
  a stream seeded by the draw;
* **campaign shocks** — each named candidate's valence gets a shock drawn once
  per contest and run, from a stream seeded by (draw, run seed).

Both are deterministic functions of (scenario, draw, seed), so every run can be
repeated exactly. When the model has its own campaign shock
(``contests.campaign_shock_sd``, issue #14), the shock's sd is passed to the
model instead and only the attributes are drawn here.

Candidates drawn from the PLP by the model, and the incumbent in a challenge
(who is not in the scheduled list), get neither.
"""

from __future__ import annotations

import copy
import zlib
from collections.abc import Mapping
from typing import Any

import numpy as np

from model.scenario.schema import ContestSpec

ATTRIBUTE_STREAM = 0xA77
CAMPAIGN_STREAM = 0xCA3
IDEOLOGY_RANGE = (-1.0, 1.0)
VALENCE_RANGE = (-2.0, 2.0)


def model_has_campaign_shock() -> bool:
    """Whether the model draws campaign shocks itself (``contests.campaign_shock_sd``)."""
    return "campaign_shock_sd" in ContestSpec.model_fields


def shock_mode() -> str:
    """How campaign shocks are drawn, for the settings and the report."""
    if model_has_campaign_shock():
        return "model (contests.campaign_shock_sd)"
    return "validation runner (named candidates' valence perturbed per contest and run)"


def _name_stream(name: str) -> int:
    return zlib.crc32(name.encode("utf-8"))


def perturb_candidates(
    data: Mapping[str, Any],
    *,
    ideology_sd: float,
    valence_sd: float,
    shock_sd: float,
    draw: int,
    seed: int,
) -> dict[str, Any]:
    """A copy of a scenario (as a dict) with the named candidates' attributes and shocks drawn.

    Args:
        data: the scenario as ``model_dump(mode="json")``.
        ideology_sd: sd of each named person's ideology around the assumed value.
        valence_sd: sd of each named person's valence around the assumed value.
        shock_sd: sd of the per-contest campaign shock to valence.
        draw: the posterior draw (seeds the attributes).
        seed: the run's seed (with the draw, seeds the campaign shocks).

    Returns:
        The changed copy (values clipped to the scenario's allowed ranges).
    """
    out = copy.deepcopy(dict(data))
    contests = out.get("contests", {})
    scheduled = contests.get("scheduled", [])
    own_shock = model_has_campaign_shock()
    if own_shock:
        contests["campaign_shock_sd"] = float(shock_sd)
    campaign = np.random.default_rng([CAMPAIGN_STREAM, int(draw), int(seed)])
    for contest in scheduled:
        for candidate in contest.get("candidates", []):
            person = np.random.default_rng(
                [ATTRIBUTE_STREAM, int(draw), _name_stream(candidate["name"])]
            )
            d_ideology, d_valence = person.normal(0.0, 1.0, size=2)
            shock = 0.0 if own_shock else float(campaign.normal(0.0, 1.0)) * shock_sd
            candidate["ideology"] = float(
                np.clip(candidate["ideology"] + ideology_sd * d_ideology, *IDEOLOGY_RANGE)
            )
            candidate["valence"] = float(
                np.clip(candidate["valence"] + valence_sd * d_valence + shock, *VALENCE_RANGE)
            )
    return out
