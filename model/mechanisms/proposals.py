"""Rule-change proposals and who supports them (the one-dimensional rule).

The rules are an outcome of the simulation as well as an input (MODEL.md §5,
issue 6). Each September the leader (through the NEC), the factions and the
scenario put rule changes to conference (``mechanisms.conference`` holds the
card vote that decides them). This module holds what a proposal is, the
catalogue of changes the leader and the factions may propose, and the older
one-dimensional rule of who supports one.

**Who supports a proposal.** Every proposal has a ``direction`` on the
left (-1) .. right (+1) axis: the side whose power it increases. In the
Labour party of the 2010s the membership stood to the left of the PLP, so
changes that give the PLP more say (an electoral college with an MPs'
section, higher nomination thresholds, no registered supporters, harder
reselection) favour the right, and changes that give members more say
(OMOV, lower thresholds, cheap registered supporters, open selection)
favour the left. A proposal moves the *balance point* ``b`` of party power
by ``s = shift_scale × direction``; a voter at ``x`` supports it when the
balance after is strictly closer to it than before::

    supports  ⇔  |x − (b + s)| < |x − b|  ⇔  s·(2(x − b) − s) > 0

that is, when ``x`` is on the side the proposal favours and further from the
balance than half the shift. Voters right at the balance oppose (status-quo
bias: no change is better than a change that overshoots them). The model
takes ``b`` as the midpoint of the members' and the PLP's median (a voter
nearer the members wants power moved to the members), unless the scenario
fixes it. The same rule says what a proposer proposes: only changes it would
itself vote for.

Everything here is pure: rule sets and positions in, proposals out.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Literal

import numpy as np

from model.rules.schema import (
    RulesError,
    RuleSet,
    get_preset,
    rule_changes_between,
)
from model.scenario.schema import ScheduledProposal

__all__ = [
    "CATALOGUE",
    "DEFAULT_SHIFT_SCALE",
    "RESELECTION_OPENNESS",
    "changes_something",
    "CatalogueEntry",
    "Proposal",
    "propose",
    "scheduled_proposal",
    "support_mask",
    "supports",
]

DEFAULT_SHIFT_SCALE = 0.2
"""How far a proposal of direction ±1 moves the balance point (ConferenceSpec.shift_scale)."""


# --------------------------------------------------------------------------
# Who supports what
# --------------------------------------------------------------------------


def support_mask(
    positions: np.ndarray,
    direction: float,
    *,
    balance: float = 0.0,
    shift_scale: float = DEFAULT_SHIFT_SCALE,
) -> np.ndarray:
    """Which voters support a proposal (vectorised form of :func:`supports`).

    A proposal of ``direction`` moves the balance point ``balance`` by
    ``s = shift_scale × direction``; a voter supports it iff the balance
    after is strictly closer to the voter than before, i.e. iff
    ``s × (2 (x − balance) − s) > 0``. A proposal of direction 0 moves
    nothing and is supported by no one.

    Args:
        positions: voters' positions on the left (-1) .. right (+1) axis.
        direction: the side the proposal favours, in [-1, 1].
        balance: the balance point of party power before the change.
        shift_scale: shift of the balance for a direction of ±1.

    Returns:
        Boolean array, True where the voter supports the proposal.
    """
    shift = shift_scale * direction
    relative = np.asarray(positions, dtype=float) - balance
    return shift * (2.0 * relative - shift) > 0.0


def supports(
    position: float,
    direction: float,
    *,
    balance: float = 0.0,
    shift_scale: float = DEFAULT_SHIFT_SCALE,
) -> bool:
    """Whether a voter at ``position`` supports a proposal (see :func:`support_mask`).

    Args:
        position: the voter's (or union leadership's, or faction line's) position.
        direction: the side the proposal favours, in [-1, 1].
        balance: the balance point of party power before the change.
        shift_scale: shift of the balance for a direction of ±1.

    Returns:
        True if the voter supports the proposal.
    """
    return bool(
        support_mask(np.array([position]), direction, balance=balance, shift_scale=shift_scale)[0]
    )


# --------------------------------------------------------------------------
# Proposals
# --------------------------------------------------------------------------


def _json_value(value: Any) -> Any:
    """Rule values as JSON-ready data (Fractions as "p/q" strings)."""
    if isinstance(value, Fraction):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): _json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_value(v) for v in value]
    return value


@dataclass(frozen=True)
class Proposal:
    """A rule change put to conference.

    Attributes:
        title: readable title for the event log.
        proposer: "leader", a faction's name, or "scenario".
        changes: dotted RuleSet field path -> new value, as accepted by
            :meth:`RuleSet.with_changes` (e.g. ``{"leadership.electorate":
            "college", "leadership.college_sections": {...}}``).
        direction: the side the change favours, left (-1) .. right (+1);
            delegates and union leaderships vote by it (see :func:`supports`).
        key: the catalogue key it came from ("" for a scenario proposal).
    """

    title: str
    proposer: str
    changes: dict[str, Any]
    direction: float
    key: str = ""

    def __post_init__(self) -> None:
        if not -1.0 <= self.direction <= 1.0:
            raise ValueError(f"direction must be in [-1, 1] (got {self.direction})")
        if not self.changes:
            raise ValueError(f"proposal {self.title!r} changes nothing")

    def apply(self, rules: RuleSet, *, reason: str | None = None) -> RuleSet:
        """The rules with this proposal's changes (re-validated).

        Args:
            rules: the rules in force.
            reason: why, recorded in the changed fields' sources.

        Returns:
            The new rule set; ``rules`` itself is unchanged.

        Raises:
            RulesError: the changes do not fit these rules.
        """
        return rules.with_changes(self.changes, reason=reason or f"conference: {self.title}")

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict for the event log."""
        return {
            "title": self.title,
            "proposer": self.proposer,
            "key": self.key,
            "direction": self.direction,
            "changes": _json_value(self.changes),
        }


# How easily members can replace a sitting MP under each reselection method:
# the pre-2018 majority of combined branch nominations (affiliates could add
# branches without limit: an effective union veto) is the hardest; the 2021
# college (more than half of a college that is half affiliates) next; the 2018
# "a third of branches or of affiliates" easier; a 75% members' bar easier
# still; open selection (every MP faces a full selection) the easiest.
RESELECTION_OPENNESS: dict[str, int] = {
    "pre_2018": 0,
    "weighted_college": 1,
    "either_third": 2,
    "members_supermajority": 3,
    "open_selection": 4,
}


def _openness(rules: RuleSet) -> int:
    return RESELECTION_OPENNESS[rules.reselection.method]


@dataclass(frozen=True)
class CatalogueEntry:
    """A standard rule-change proposal, as data.

    Its changes are either taken from a preset (the fields under ``paths``
    that differ from the rules in force) or given as fixed ``changes``; the
    entry applies only where ``when`` holds and the result differs from the
    rules in force (a proposal is never a no-op).

    Attributes:
        key: short identifier.
        title: readable title.
        direction: the side it favours, left (-1) .. right (+1).
        favours: whose power it increases, "plp" or "members" (the reason
            for the direction's sign, see the module docstring).
        why: one line on why the direction is what it is.
        preset: target preset whose values are taken, or None.
        paths: with ``preset``: field paths (or their prefixes) taken from it.
        changes: without ``preset``: the fixed changes.
        when: extra condition on the rules in force (e.g. "a raise, not a cut").
    """

    key: str
    title: str
    direction: float
    favours: Literal["plp", "members"]
    why: str
    preset: str | None = None
    paths: tuple[str, ...] = ()
    changes: Mapping[str, Any] = field(default_factory=dict)
    when: Callable[[RuleSet], bool] = lambda rules: True

    def changes_for(self, current: RuleSet) -> dict[str, Any]:
        """The changes this entry proposes against ``current`` ({} if it does not apply).

        Args:
            current: the rules in force.

        Returns:
            Dotted path -> value; empty when the entry does not apply, would
            change nothing, or would give an invalid rule set.
        """
        if not self.when(current):
            return {}
        if self.preset is not None:
            target = rule_changes_between(current, get_preset(self.preset))
            changes = {
                path: value
                for path, value in target.items()
                if any(path == p or path.startswith(p + ".") for p in self.paths)
            }
        else:
            changes = dict(self.changes)
        return _effective_changes(current, changes)

    def proposal(self, current: RuleSet, proposer: str) -> Proposal | None:
        """This entry as a proposal against ``current``, or None if it does not apply."""
        changes = self.changes_for(current)
        if not changes:
            return None
        return Proposal(self.title, proposer, changes, self.direction, key=self.key)


def _effective_changes(current: RuleSet, changes: Mapping[str, Any]) -> dict[str, Any]:
    """The changes that actually differ from ``current`` ({} if none, or invalid).

    Recomputing the difference drops fields already at their new value (a
    "£3 supporters" motion where supporters exist at £25 only cuts the fee)
    and spells out the fields a switch resets (a new reselection method's
    parameters), so the recorded motion says exactly what changes.
    """
    if not changes:
        return {}
    try:
        changed = current.with_changes(changes)
    except RulesError:
        return {}
    return rule_changes_between(current, changed)


def changes_something(current: RuleSet, changes: Mapping[str, Any]) -> bool:
    """True if the changes are valid and give different rules."""
    return bool(_effective_changes(current, changes))


def _threshold_below(share: Fraction) -> Callable[[RuleSet], bool]:
    return lambda rules: rules.leadership.plp_threshold_vacancy < share


def _threshold_above(share: Fraction) -> Callable[[RuleSet], bool]:
    return lambda rules: rules.leadership.plp_threshold_vacancy > share


_COLLEGE_PATHS = (
    "leadership.electorate",
    "leadership.college_sections",
    "leadership.multiple_voting",
)

CATALOGUE: tuple[CatalogueEntry, ...] = (
    # --- towards the PLP: the right of the party in the 2010s -------------------
    CatalogueEntry(
        key="college_thirds",
        title="Return to an electoral college of thirds (MPs, members, affiliates)",
        direction=0.6,
        favours="plp",
        why="a few hundred MPs get a third of the say that OMOV spreads over all members "
        "(the 2021 proposal dropped before conference)",
        preset="college_thirds_2021",
        paths=_COLLEGE_PATHS,
    ),
    CatalogueEntry(
        key="raise_plp_threshold",
        title="Raise the PLP nomination threshold to 20%",
        direction=0.5,
        favours="plp",
        why="fewer candidates reach the members' ballot without wide PLP backing (2021)",
        changes={"leadership.plp_threshold_vacancy": Fraction(1, 5)},
        when=_threshold_below(Fraction(1, 5)),
    ),
    CatalogueEntry(
        key="abolish_registered_supporters",
        title="Abolish registered supporters",
        direction=0.3,
        favours="plp",
        why="the £3 supporters of 2015 voted 83.8% for the left candidate (2021 abolition)",
        changes={"leadership.registered_supporters": False},
        when=lambda rules: rules.leadership.registered_supporters,
    ),
    CatalogueEntry(
        key="harder_reselection_college",
        title="Harder reselection: a trigger college of half branches, half affiliates",
        direction=0.4,
        favours="plp",
        why="more than half of a college that is half affiliates is harder to reach than "
        "a third of either (2021)",
        preset="labour_2021",
        paths=("reselection",),
        when=lambda rules: _openness(rules) > RESELECTION_OPENNESS["weighted_college"],
    ),
    CatalogueEntry(
        key="harder_reselection_pre_2018",
        title="Harder reselection: back to a majority of combined branch nominations",
        direction=0.3,
        favours="plp",
        why="affiliates could add branches without limit: an effective union veto (pre-2018)",
        preset="pre_2018",
        paths=("reselection",),
        when=lambda rules: _openness(rules) == RESELECTION_OPENNESS["weighted_college"],
    ),
    # --- towards the members: the left of the party in the 2010s ----------------
    CatalogueEntry(
        key="one_member_one_vote",
        title="One member, one vote for the leadership",
        direction=-0.6,
        favours="members",
        why="ends the MPs' and affiliates' weighted sections (the 2014 Collins reform)",
        changes={"leadership.electorate": "omov"},
        when=lambda rules: rules.leadership.electorate == "college",
    ),
    CatalogueEntry(
        key="lower_plp_threshold",
        title="Lower the PLP nomination threshold to 10%",
        direction=-0.5,
        favours="members",
        why="more candidates reach the members' ballot (the 2017 McDonnell amendment)",
        changes={"leadership.plp_threshold_vacancy": Fraction(1, 10)},
        when=_threshold_above(Fraction(1, 10)),
    ),
    CatalogueEntry(
        key="registered_supporters_3",
        title="Registered supporters with a £3 fee",
        direction=-0.3,
        favours="members",
        why="cheap sign-up brings in sympathisers beyond the membership (2014/2015)",
        changes={
            "leadership.registered_supporters": True,
            "leadership.registered_supporter_fee_gbp": 3.0,
        },
        when=lambda rules: (
            not rules.leadership.registered_supporters
            or (rules.leadership.registered_supporter_fee_gbp or 0.0) > 3.0
        ),
    ),
    CatalogueEntry(
        key="one_third_trigger",
        title="Easier reselection: a third of branches or of affiliates triggers",
        direction=-0.3,
        favours="members",
        why="a third of either section is easier to reach than the older rules (2018)",
        preset="labour_2018",
        paths=("reselection",),
        when=lambda rules: _openness(rules) < RESELECTION_OPENNESS["either_third"],
    ),
    CatalogueEntry(
        key="members_supermajority",
        title="The MP needs 75% of members' votes to be reselected",
        direction=-0.5,
        favours="members",
        why="members decide by ballot and the MP needs a supermajority (the 77% delegate poll)",
        preset="members_supermajority",
        paths=("reselection",),
        when=lambda rules: _openness(rules) < RESELECTION_OPENNESS["members_supermajority"],
    ),
    CatalogueEntry(
        key="open_selection",
        title="Mandatory open selection before every election",
        direction=-0.7,
        favours="members",
        why="every sitting MP faces a full members' selection (Momentum, 2018)",
        preset="open_selection",
        paths=("reselection",),
        when=lambda rules: rules.reselection.method != "open_selection",
    ),
)
"""The standard proposals, in a fixed order (right-favouring first)."""


def propose(
    current_rules: RuleSet,
    proposer: str,
    proposer_ideology: float,
    rng: np.random.Generator,
    *,
    balance: float = 0.0,
    shift_scale: float = DEFAULT_SHIFT_SCALE,
    max_proposals: int = 1,
    catalogue: Sequence[CatalogueEntry] = CATALOGUE,
) -> list[Proposal]:
    """The proposals a proposer moves at conference.

    The proposer considers the catalogue entries that would change the rules
    in force and that it would itself vote for (:func:`supports` at its
    position): a leader or faction on the right of the balance point moves
    towards the PLP, one on the left towards the members. It moves up to
    ``max_proposals`` of them, drawn without replacement.

    Args:
        current_rules: the rules in force.
        proposer: "leader" or the faction's name (recorded on the proposal).
        proposer_ideology: the leader's position or the faction's line.
        rng: random generator; one draw when there is anything to propose.
        balance: the balance point of the support rule.
        shift_scale: shift of the balance for a direction of ±1.
        max_proposals: most proposals moved.
        catalogue: the entries to choose from.

    Returns:
        The proposals in catalogue order; never a no-op, each valid against
        ``current_rules``. Empty if nothing fits.
    """
    options = [
        proposal
        for entry in catalogue
        if supports(proposer_ideology, entry.direction, balance=balance, shift_scale=shift_scale)
        and (proposal := entry.proposal(current_rules, proposer)) is not None
    ]
    if not options or max_proposals <= 0:
        return []
    count = min(max_proposals, len(options))
    chosen = np.sort(rng.choice(len(options), size=count, replace=False))
    return [options[int(i)] for i in chosen]


def scheduled_proposal(spec: ScheduledProposal, current_rules: RuleSet) -> Proposal | None:
    """A scenario's scheduled proposal against the rules in force.

    Args:
        spec: the scenario's entry (a target preset with paths, or changes).
        current_rules: the rules in force at that conference.

    Returns:
        The proposal, or None when it would change nothing (or not fit) under
        the rules in force — e.g. the change passed already.
    """
    if spec.preset is not None:
        entry = CatalogueEntry(
            key="",
            title=spec.title,
            direction=spec.direction,
            favours="plp" if spec.direction > 0 else "members",
            why="scenario",
            preset=spec.preset,
            paths=tuple(spec.paths),
        )
        changes = entry.changes_for(current_rules)
    else:
        changes = _effective_changes(current_rules, spec.changes)
    if not changes:
        return None
    return Proposal(spec.title, spec.proposer, changes, spec.direction)
