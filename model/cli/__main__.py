"""`python -m model.cli ...` is the same as `factions ...`."""

import sys

from model.cli.main import main

sys.exit(main())
