"""Turning a filing into the rows the store writes, and the content hash that makes ingest idempotent.

The content hash is SHA-256 over the filing's canonical JSON (dailyseg's own serial form with sorted
keys): header, layout, cover page and every amount. The same filing therefore hashes alike whether it
arrived as posted text, a PDF, JSON or CSV, and a document ingested twice is stored once; a filing that
differs in anything (a status, a Submit Date, one amount) is a new version. The hash of the document's
bytes is kept beside it, for provenance only.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from dailyseg.filing import Filing
from dailyseg.money import AmountError, to_cents
from dailyseg.serial import cover_to_dict, filing_to_dict
from dailyseg.store.identity import name_key


class NotStorable(ValueError):
    """A filing the store cannot keep (no End Date, no firm name); the message says why."""


@dataclass(frozen=True)
class Prepared:
    """A filing ready to be written: its identity, its hash and its value rows."""

    filing: Filing
    source: str
    name_key: str
    end_date: date
    content_hash: str
    values: tuple[tuple[str, str, int, str], ...]  # (code, statement, cents, label)


def content_hash(filing: Filing) -> str:
    canonical = json.dumps(filing_to_dict(filing), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def document_hash(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def prepare(filing: Filing, source: str) -> Prepared:
    header = filing.header
    if header.end_date is None:
        raise NotStorable(f"{filing.label}: the filing has no End Date")
    key = name_key(header.firm_name)
    if not key:
        raise NotStorable(f"{filing.label}: the filing has no firm name")
    if not filing.entries:
        raise NotStorable(f"{filing.label}: the filing holds no amounts")
    values = []
    for entry in filing.entries:
        try:
            cents = to_cents(entry.amount)
        except AmountError as error:
            raise NotStorable(f"{filing.label}: code {entry.ref}: {error}") from None
        values.append((entry.ref, entry.statement, cents, "" if entry.known else entry.label))
    return Prepared(filing, source, key, header.end_date, content_hash(filing), tuple(values))


def filing_row(item: Prepared) -> dict[str, Any]:
    """The `filings` columns that come from the filing itself (version, times and ids are added by the store)."""
    header = item.filing.header
    cover = item.filing.cover
    return {
        "name_key": item.name_key,
        "firm_name": header.firm_name,
        "form": header.form,
        "end_date": item.end_date,
        "status": header.status,
        "submit_date": header.submit_date,
        "layout": item.filing.layout,
        "statements": ",".join(item.filing.statements),
        "cover": json.dumps(cover_to_dict(cover), sort_keys=True) if cover is not None else None,
        "value_count": len(item.values),
        "content_hash": item.content_hash,
        "source": item.source,
    }
