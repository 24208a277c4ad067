"""The CSV long form: one row per amount (and per cover-page field), header columns repeated.

Text cells are written so that a spreadsheet shows them as text (`dailyseg.cells`): a firm name or label
from a document may begin with `=` or `@`.
"""

from __future__ import annotations

import io
from collections.abc import Iterable

from dailyseg.cells import write_csv
from dailyseg.filing import Filing
from dailyseg.serial import CSV_COLUMNS, filing_to_rows


def render_csv(filings: Filing | Iterable[Filing]) -> str:
    items = [filings] if isinstance(filings, Filing) else list(filings)
    out = io.StringIO()
    write_csv(out, CSV_COLUMNS, ([row[name] for name in CSV_COLUMNS] for filing in items for row in filing_to_rows(filing)))
    return out.getvalue()
