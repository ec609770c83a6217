"""Run an experiment against the checkout it sits in.

A script run as a file (``python experiments/fit_point.py``) has its own
folder first on ``sys.path``, not the checkout's root; with the package
installed in editable mode from another checkout (a git worktree sharing the
main checkout's ``.venv``), ``import model`` would then load *that*
checkout's code and scenarios, silently. Each experiment imports this module
before ``model``, which puts the root of its own checkout first.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path[:1]:
    sys.path.insert(0, str(ROOT))
