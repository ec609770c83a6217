"""The seat table moved to `model.data.seats` (it is reference data, and the scenario
layer checks seat names against it); this module keeps the old import path."""

from model.data.seats import *  # noqa: F403
from model.data.seats import __all__  # noqa: F401
