"""Decisions taken by meetings: who turns up, and how they vote.

This is the half of MODEL.md §4's asymmetry that ballots do not have. A
meeting is decided by the few who attend (each member attends with their
activism, so about 5–15%), and a faction that targets a CLP multiplies its
own members' attendance. Attendees vote slates: faction members vote their
faction's slate with its discipline; unaligned attendees vote the slate of a
faction whose line is near them, or the unaligned slate. The slate with the
most votes takes the executive (block voting gives every place to the top
slate), which is how a faction can control a CLP without a majority of its
members.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class MeetingResult:
    """Outcome of a set of simultaneous meetings (one per CLP or branch).

    Attributes:
        units: the CLP (or branch) id of each meeting.
        eligible: members entitled to attend, per meeting.
        attendees: members who attended, per meeting.
        votes: slate votes (n_meetings, n_factions + 1); the last column is
            the unaligned slate.
        winner: winning slate per meeting (faction index, or -1 unaligned).
        ties_broken: meetings whose winner was decided by the tie rule.
    """

    units: np.ndarray
    eligible: np.ndarray
    attendees: np.ndarray
    votes: np.ndarray
    winner: np.ndarray
    ties_broken: np.ndarray


def attendance_chance(
    activism: np.ndarray,
    faction: np.ndarray,
    unit: np.ndarray,
    targeted: np.ndarray,
    mobilisation: np.ndarray,
) -> np.ndarray:
    """Each member's chance of attending their meeting.

    Args:
        activism: the members' activism.
        faction: the members' faction (-1 none).
        unit: each member's CLP, for looking up targeting.
        targeted: (n_factions, n_clps) True where a faction mobilises.
        mobilisation: attendance multiplier per faction.

    Returns:
        Probabilities in [0, 1].
    """
    p = activism.astype(np.float64)
    if targeted.size:
        aligned = faction >= 0
        f = faction[aligned]
        boosted = targeted[f, unit[aligned]]
        p_aligned = p[aligned]
        p_aligned[boosted] *= mobilisation[f[boosted]]
        p[aligned] = p_aligned
    return np.minimum(p, 1.0)


def slate_choice(
    ideology: np.ndarray,
    faction: np.ndarray,
    *,
    faction_lines: np.ndarray,
    discipline: np.ndarray,
    affinity: float,
    rng: np.random.Generator,
) -> np.ndarray:
    """The slate each attendee votes for.

    Args:
        ideology: attendees' ideology.
        faction: attendees' faction (-1 none).
        faction_lines: each faction's line.
        discipline: chance a faction member votes the faction's slate.
        affinity: an undisciplined or unaligned attendee votes the nearest
            faction's slate when within this distance of its line.
        rng: random generator.

    Returns:
        Slate per attendee: a faction index, or n_factions for unaligned.
    """
    n_factions = faction_lines.size
    if n_factions == 0:
        return np.zeros(ideology.size, dtype=np.int64)
    distance = np.abs(ideology[:, None] - faction_lines[None, :])
    nearest = np.argmin(distance, axis=1)
    free_choice = np.where(
        distance[np.arange(ideology.size), nearest] <= affinity, nearest, n_factions
    )
    aligned = faction >= 0
    loyal = np.zeros(ideology.size, dtype=bool)
    loyal[aligned] = rng.random(int(aligned.sum())) < discipline[faction[aligned]]
    return np.where(loyal, faction, free_choice).astype(np.int64)


def hold_meetings(
    units: np.ndarray,
    member_unit: np.ndarray,
    member_ids: np.ndarray,
    *,
    ideology: np.ndarray,
    activism: np.ndarray,
    faction: np.ndarray,
    clp: np.ndarray,
    targeted: np.ndarray,
    mobilisation: np.ndarray,
    faction_lines: np.ndarray,
    discipline: np.ndarray,
    affinity: float,
    incumbent: np.ndarray,
    rng: np.random.Generator,
) -> MeetingResult:
    """Hold one meeting in each of `units` at once and count the slates.

    Args:
        units: ids of the units (CLPs or branches) meeting.
        member_unit: the unit of each candidate attendee (same length as
            member_ids).
        member_ids: ids of members entitled to attend any of these meetings.
        ideology: members' ideology (all rows).
        activism: members' activism (all rows).
        faction: members' faction (all rows).
        clp: members' CLP (all rows), for faction targeting.
        targeted: (n_factions, n_clps) where factions mobilise.
        mobilisation: attendance multiplier per faction.
        faction_lines: each faction's line.
        discipline: slate discipline per faction.
        affinity: see `slate_choice`.
        incumbent: the slate in control before the meeting, per unit (-1
            unaligned); it keeps control on a tie for first place.
        rng: random generator.

    Returns:
        The MeetingResult.
    """
    n_factions = faction_lines.size
    width = n_factions + 1
    position = np.searchsorted(units, member_unit)
    eligible = np.bincount(position, minlength=units.size)

    p = attendance_chance(
        activism[member_ids], faction[member_ids], clp[member_ids], targeted, mobilisation
    )
    came = rng.random(member_ids.size) < p
    attendees = member_ids[came]
    slate = slate_choice(
        ideology[attendees],
        faction[attendees],
        faction_lines=faction_lines,
        discipline=discipline,
        affinity=affinity,
        rng=rng,
    )
    key = position[came] * width + slate
    votes = np.bincount(key, minlength=units.size * width).reshape(units.size, width)

    incumbent_slate = np.where(incumbent < 0, n_factions, incumbent)
    top = votes.max(axis=1, keepdims=True)
    tied = votes == top
    n_tied = tied.sum(axis=1)
    keeps = tied[np.arange(units.size), incumbent_slate]
    # A tie the incumbent is part of leaves control where it was; any other
    # tie for first place is settled by lot.
    lot = np.array([rng.choice(np.flatnonzero(row)) for row in tied[(n_tied > 1) & ~keeps]])
    winner = np.argmax(votes, axis=1)
    winner[keeps] = incumbent_slate[keeps]
    if lot.size:
        winner[(n_tied > 1) & ~keeps] = lot
    no_one = votes.sum(axis=1) == 0
    winner[no_one] = incumbent_slate[no_one]
    return MeetingResult(
        units=units,
        eligible=eligible,
        attendees=votes.sum(axis=1),
        votes=votes,
        winner=np.where(winner == n_factions, -1, winner),
        ties_broken=(n_tied > 1) & ~no_one,
    )
