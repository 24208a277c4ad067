"""The `dailyseg` command-line tool. Each module adds its commands to the one group, `main`."""

from dailyseg.cli import (  # noqa: F401  (importing a module registers its commands)
    catalogue_commands,
    compute_commands,
    filing_commands,
    store_commands,
    watch_commands,
    web_commands,
)
from dailyseg.cli.app import main

__all__ = ["main"]
