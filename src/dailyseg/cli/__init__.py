"""The `dailyseg` command-line tool. Each command lives in a module of its own kind (filings, the catalogue,
books, the store, watching firms, the web) and is loaded when it is run: `app.COMMAND_MODULES` says where."""

from dailyseg.cli.app import main

__all__ = ["main"]
