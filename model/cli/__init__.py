"""The `factions` command: one module per subcommand."""

from model.cli.main import main

__all__ = ["main"]
