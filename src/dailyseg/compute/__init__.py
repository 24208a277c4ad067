"""Computing the three statements from an FCM's books (issue 3).

    >>> from dailyseg.compute import read_books, compute
    >>> result = compute(read_books("books/"), engine="duckdb")
    >>> result.filing[7190], result.findings

The books schema is in `schema` (docs/books-schema.md); the rules are written once, as Ibis expressions,
in `engine`, which DuckDB runs as the SQL `compiled` keeps (no Ibis in the process) and Spark through Ibis;
`reference` is the plain-Python oracle; `assemble` places totals on lines through the catalogue's sources,
converts currencies and rounds.

Everything but the engines' names needs PyArrow, DuckDB or Ibis, so it is imported when first asked for:
naming an engine (`engines`) costs nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dailyseg.compute.engines import ENGINES, EngineName
from dailyseg.lazy import lazy_names

if TYPE_CHECKING:
    from dailyseg.checks import Selection
    from dailyseg.compute.assemble import Computation
    from dailyseg.compute.books import Books, read_books
    from dailyseg.compute.config import BooksError, FirmConfig
    from dailyseg.compute.totals import Totals
else:
    __getattr__ = lazy_names(
        __name__,
        {
            "Computation": "dailyseg.compute.assemble",
            "Totals": "dailyseg.compute.totals",
            "Books": "dailyseg.compute.books",
            "read_books": "dailyseg.compute.books",
            "BooksError": "dailyseg.compute.config",
            "FirmConfig": "dailyseg.compute.config",
        },
    )


def engine_totals(books: Books, engine: EngineName = "duckdb") -> Totals:
    """Run the per-account work in an engine; only totals come back. DuckDB runs the SQL Ibis compiled
    (`compiled`), so that a small book pays for neither Ibis nor its imports; Spark runs the expressions."""
    from dailyseg.compute.reference import rates
    from dailyseg.compute.totals import Totals

    if engine == "duckdb":
        from dailyseg.compute.compiled import run

        customers, balances = run(books)
        return Totals(tuple(customers), tuple(balances), rates(books))
    from dailyseg.compute.engine import balance_totals, connect, customer_totals

    with connect(engine) as backend:
        frames = backend.frames(books)
        customers = backend.execute(customer_totals(frames))
        balances = backend.execute(balance_totals(frames))
    return Totals(tuple(customers), tuple(balances), rates(books))


def compute(books: Books, engine: EngineName = "duckdb", *, selection: Selection | None = None) -> Computation:
    """The filing computed from the books, validated by the rules selected (default: the basic tier), with its
    supporting detail."""
    from dailyseg.compute.assemble import assemble
    from dailyseg.compute.scale import check_scale

    computation = assemble(engine_totals(books, engine), books.config, selection=selection)
    check_scale(computation.filing, books)
    return computation


__all__ = ["ENGINES", "Books", "BooksError", "Computation", "EngineName", "FirmConfig", "Totals", "compute", "engine_totals", "read_books"]
