"""The CSV long form: one row per amount (and per cover-page field), header columns repeated."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from dailyseg.filing import Filing
from dailyseg.serial import CSV_COLUMNS, filing_to_rows


def render_csv(filings: Filing | Iterable[Filing]) -> str:
    items = [filings] if isinstance(filings, Filing) else list(filings)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for filing in items:
        writer.writerows(filing_to_rows(filing))
    return out.getvalue()
