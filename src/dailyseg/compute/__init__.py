"""Computing the three statements from an FCM's books (issue 3).

    >>> from dailyseg.compute import read_books, compute
    >>> result = compute(read_books("books/"), engine="duckdb")
    >>> result.filing[7190], result.findings

The books schema is in `schema` (docs/books-schema.md); the rules run once, as Ibis expressions, in
`engine`; `reference` is the plain-Python oracle; `assemble` places totals on lines through the
catalogue's sources, converts currencies and rounds.
"""

from __future__ import annotations

from dailyseg.compute.assemble import Computation, Totals, assemble
from dailyseg.compute.books import Books, read_books
from dailyseg.compute.config import BooksError, FirmConfig
from dailyseg.compute.engine import ENGINES, EngineName, connect, customer_totals, balance_totals
from dailyseg.compute.reference import rates


def engine_totals(books: Books, engine: EngineName = "duckdb") -> Totals:
    """Run the per-account work in an engine; only totals come back."""
    with connect(engine) as backend:
        frames = backend.frames(books)
        customers = backend.execute(customer_totals(frames))
        balances = backend.execute(balance_totals(frames))
    return Totals(tuple(customers), tuple(balances), rates(books))


def compute(books: Books, engine: EngineName = "duckdb") -> Computation:
    """The filing computed from the books, validated, with its supporting detail."""
    return assemble(engine_totals(books, engine), books.config)


__all__ = ["ENGINES", "Books", "BooksError", "Computation", "EngineName", "FirmConfig", "Totals", "compute", "engine_totals", "read_books"]
