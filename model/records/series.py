"""The monthly series: column names shared by the model and everything that reads it."""

from __future__ import annotations

import re


def slug(name: str) -> str:
    """A column-safe version of a name ("Labour to Win" -> "labour_to_win")."""
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
