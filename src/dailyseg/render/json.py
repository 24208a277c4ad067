"""dailyseg's JSON: amounts as strings, one document holding a list of filings."""

from __future__ import annotations

import json
from collections.abc import Iterable

from dailyseg.filing import Filing
from dailyseg.serial import FORMAT, VERSION, filing_to_dict


def render_json(filings: Filing | Iterable[Filing], *, indent: int | None = 2) -> str:
    items = [filings] if isinstance(filings, Filing) else list(filings)
    document = {"format": FORMAT, "version": VERSION, "filings": [filing_to_dict(f) for f in items]}
    return json.dumps(document, indent=indent, ensure_ascii=False) + "\n"
