"""Organisers judge CLPs by another estimate than the AGMs' (a probe; docs/calibration.md, twenty-first round).

    ORGVIEW=posterior python experiments/probes/organisers_view.py --seeds 30
    ORGVIEW=party python experiments/probes/organisers_view.py --seeds 30
    ORGVIEW=decorrelated python experiments/probes/organisers_view.py --seeds 30

`scale_by_year.py` with the organisers' view of each CLP changed below full
scale: the posterior-mean share of its own simulated members, s + (1 - s)R
("posterior"), or only s ("party"); or a view decorrelated from the sample
("decorrelated": the party plus A times the CLP's deviation plus
sqrt(A(1 - A)) times another CLP's, A the posterior-mean share). The AGMs
keep the model's estimate. The first two do not close the gap (targeting
ranks CLPs, and a ranking by any view that contains a CLP's own sample
still selects on its chance); the third closes it at the end of 2024 and
opens one in 2016-2017.
"""

import os
import sys
from pathlib import Path

import numpy as np

MODE = os.environ.get("ORGVIEW", "posterior")
NAMES = tuple(os.environ.get("ORGVIEW_PARTS", "members,slates").split(","))
sys.path.insert(0, str(Path(__file__).resolve().parent))
import scale_by_year as sby  # noqa: E402

from model.institutions import organising  # noqa: E402
from model.mechanisms import dynamics, meetings  # noqa: E402


def decorrelated(expected, share, rng):
    """party + A d + sqrt(A (1 - A)) d', d' another CLP's deviation (shares of members and slates)."""
    out = {"members": expected.members, "slates": expected.slates}
    perm = rng.permutation(share.size)
    for name in NAMES:
        x = getattr(expected, name)
        total = np.maximum(x.sum(axis=1, keepdims=True), 1e-12)
        shares = x / total
        party = x.sum(axis=0) / max(x.sum(), 1e-12)
        dev = shares - party
        a = share[:, None]
        view = party + a * dev + np.sqrt(a * (1 - a)) * dev[perm]
        view = np.clip(view, 0.0, None)
        view = view / np.maximum(view.sum(axis=1, keepdims=True), 1e-12)
        out[name] = view * total
    return dynamics.ExpectedMeeting(
        out["members"], out["slates"], expected.slates_noise, expected.size
    )


def organise(self) -> None:
    """`Organising.organise` with the organisers' view changed (see the module docstring)."""
    s = self.state
    self._seat_founding_mps()
    rng = s.streams["organising"]
    m = s.members
    specs = [f.spec for f in s.factions]
    founded = self.founded()
    dynamics.recruit(
        m.ideology,
        m.faction,
        m.full_members(),
        faction_lines=s.faction_lines,
        radii=np.array([sp.recruit_radius for sp in specs]),
        rates=np.where(founded, [sp.recruitment_rate for sp in specs], 0.0),
        rng=rng,
        out=m.faction,
        churn=np.where(founded, [sp.churn for sp in specs], 0.0),
    )
    expected = s.expected_meetings()
    s.clp_own_share(expected)  # the AGMs' estimate, cached as before
    scale = s.meeting_scale
    if scale < 1.0:
        r = meetings.composition_reliability(expected.slates, expected.slates_noise)
        own = scale + (1 - scale) * r if MODE == "posterior" else np.full(r.size, scale)
        if MODE == "decorrelated":
            raw = expected.as_real(np.ones(len(s.clps)))
            view = decorrelated(
                raw, scale + (1 - scale) * r, np.random.default_rng([s.seed, s.time])
            )
            targets = dynamics.choose_targets(
                view, s.clps.control, capacity=self.capacity(),
                strategies=[sp.targeting for sp in specs],
                mobilisation=np.array([sp.mobilisation for sp in specs]), rng=rng,
            )  # fmt: skip
            for faction, row in zip(s.factions, targets, strict=True):
                faction.targets = row
            return
    else:
        own = np.ones(len(s.clps))
    view = expected.as_real(own)
    targets = dynamics.choose_targets(
        view,
        s.clps.control,
        capacity=self.capacity(),
        strategies=[sp.targeting for sp in specs],
        mobilisation=np.array([sp.mobilisation for sp in specs]),
        rng=rng,
    )
    for faction, row in zip(s.factions, targets, strict=True):
        faction.targets = row


organising.Organising.organise = organise

if __name__ == "__main__":
    sby.main()
