"""Calibrate the historical scenarios (the script form of `factions calibrate`), and apply.

Usage::

    python experiments/calibrate.py                       # = factions calibrate (ABC-SMC, pyabc)
    python experiments/calibrate.py --quick --out /tmp/cal   # a smoke test
    python experiments/calibrate.py --apply results/calibration   # best particle -> scenarios

The calibration is in model/validation/calibrate.py and the apply step in
model/validation/apply.py (docs/calibration.md): ABC-SMC with pyabc on every
fit target (2010-2016), on labour_2010_2024 cut at the split, priors from
model/validation/priors.toml. ``--apply DIR`` writes one point of a finished
calibration (``--point best``, the default: the last generation's particle
with the smallest distance; or ``--point median``) into the
``[calibrated: NAME]`` lines of scenarios/*.toml. The validation does not
need it: it uses the whole posterior.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def main(argv: Sequence[str] | None = None) -> int:
    """Run `factions calibrate` with these arguments (``--write-back`` is ``--apply``)."""
    from model.cli.main import main as factions

    args = [
        "--apply" if a == "--write-back" else a for a in (sys.argv[1:] if argv is None else argv)
    ]
    return factions(["calibrate", *args])


if __name__ == "__main__":
    sys.exit(main())
