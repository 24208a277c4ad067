"""Turning a filing into the rows the store writes, and the content hash that makes ingest idempotent.

The content hash (defined in content_hash.py, and re-exported here) is SHA-256 over the filing's canonical
JSON (dailyseg's own serial form with sorted keys): header, layout, cover page and every amount. The same
filing therefore hashes alike whether it arrived as posted text, a PDF, JSON or CSV, and a document ingested
twice is stored once; a filing that differs in anything (a status, a Submit Date, one amount) is a new
version. The hash of the document's bytes is kept beside it, for provenance only.

The per-amount work (cents, labels, the packed amounts, the statements' part of the canonical JSON) is most of `prepare`'s time;
the optional C extension `dailyseg.store._ingest` (`_ingest.c`) does it for the common filing and hands back
any other, which `_amount_rows` below, the definition, then reads. `DAILYSEG_PURE=1` selects the Python path
alone, as for the reader; tests/store/test_compiled_ingest.py holds the two to the same `Prepared` values.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Column, String

from dailyseg.catalogue import CATALOGUE
from dailyseg.filing import Filing
from dailyseg.money import AmountError, to_cents
from dailyseg.serial import cover_to_dict
from dailyseg.store.content_hash import Value, amount_text, content_hash, hash_of, labels_text, statements_text
from dailyseg.store.identity import name_key
from dailyseg.store.packed import CENT_BYTES, Amount, Lines, cents_bytes, lines_text
from dailyseg.store.tables import filings

__all__ = ["NotStorable", "Prepared", "content_hash", "document_hash", "filing_row", "prepare"]


class NotStorable(ValueError):
    """A filing the store cannot keep (no End Date, no firm name); the message says why."""


@dataclass(frozen=True)
class Prepared:
    """A filing ready to be written: its identity, its hashes and its amounts as stored (packed.py)."""

    filing: Filing
    source: str
    name_key: str
    end_date: date
    content_hash: str
    lines: str  # the stored lines text of its amounts
    cents: bytes  # their stored cents
    document_hash: str | None = None  # of the document it came in, for provenance

    @property
    def value_count(self) -> int:
        return len(self.cents) // CENT_BYTES

    @property
    def amounts(self) -> list[Amount]:
        """Its (statement, code, cents, label) in order, as a stored filing's are read back."""
        return Lines.read(self.lines).amounts(self.cents)


def document_hash(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _limit(column: Column[Any]) -> int:
    length = column.type.length if isinstance(column.type, String) else None
    if length is None:
        raise TypeError(f"{column} has no length")
    return length


# Text longer than its column is refused here, as PostgreSQL would refuse it in the middle of a batch (and
# SQLite would keep it), so both databases answer alike and a batch never fails on one filing's header.
_HEADER_LIMITS = {
    "firm name": _limit(filings.c.firm_name),
    "firm name key": _limit(filings.c.name_key),
    "form": _limit(filings.c.form),
    "status": _limit(filings.c.status),
    "layout": _limit(filings.c.layout),
    "list of statements": _limit(filings.c.statements),
}
# The longest code and statement name the store has taken since its first revision (VARCHAR columns then).
_CODE_LIMIT, _STATEMENT_LIMIT = 12, 20
_CENTS_RANGE = range(-(2**63), 2**63)  # BIGINT
# The catalogue's codes that fit their column: their label is the catalogue's, so none is stored.
_KNOWN_CODES = frozenset(ref for ref in CATALOGUE.refs if len(ref) <= _CODE_LIMIT)

try:
    from dailyseg.store import _ingest
except ImportError:  # not built: no compiler when the package was installed
    _ingest = None  # type: ignore[assignment]

BUILT = _ingest is not None
# The extension is used unless absent or `DAILYSEG_PURE=1` asks for the Python path alone.
COMPILED = BUILT and os.environ.get("DAILYSEG_PURE") != "1"


def prepare(filing: Filing, source: str, document_hash: str | None = None) -> Prepared:
    header = filing.header
    if header.end_date is None:
        raise NotStorable(f"{filing.label}: the filing has no End Date")
    key = name_key(header.firm_name)
    if not key:
        raise NotStorable(f"{filing.label}: the filing has no firm name")
    if not filing.entries:
        raise NotStorable(f"{filing.label}: the filing holds no amounts")
    header_texts = (header.firm_name, key, header.form, header.status, filing.layout, ",".join(filing.statements))
    for (what, limit), text in zip(_HEADER_LIMITS.items(), header_texts, strict=True):
        if len(text) > limit:
            raise NotStorable(f"{filing.label}: the {what} is longer than {limit} characters ({len(text)})")
    for statement in filing.statements:  # every entry's statement is among them (Filing sees to it)
        if len(statement) > _STATEMENT_LIMIT:
            raise NotStorable(f"{filing.label}: statement {statement[:40]!r} is too long to store")
    found = _ingest.packed(filing.entries, filing.statements, _KNOWN_CODES, _CODE_LIMIT) if COMPILED else None
    if found is None:
        values, texts = _amount_rows(filing)
        found = (lines_text(values), cents_bytes(values), statements_text(filing.statements, values, texts), labels_text(values))
    lines, cents, statements, labels = found
    content = hash_of(filing, statements, labels)
    return Prepared(filing, source, key, header.end_date, content, lines, cents, document_hash)


def _amount_rows(filing: Filing) -> tuple[list[Value], list[str]]:
    """Each amount's `Value` and its exact text (`amount_text`), which the content hash reads."""
    values: list[Value] = []
    texts: list[str] = []
    for entry in filing.entries:
        ref, amount = entry.ref, entry.amount
        # The cents are read off the text, which is cheaper than Decimal arithmetic for a filing's hundred
        # amounts; what this cannot read (an exponent, more than two decimals, NaN) goes through `to_cents`,
        # which refuses a fraction of a cent.
        text = str(amount)
        whole, _, fraction = text.partition(".")
        try:
            cents: int | None = int(whole + fraction.ljust(2, "0")) if len(fraction) <= 2 else None
        except ValueError:
            cents = None
        if cents is None:
            text = amount_text(amount)
            try:
                cents = to_cents(amount)
            except AmountError as error:
                raise NotStorable(f"{filing.label}: code {ref}: {error}") from None
        if cents not in _CENTS_RANGE:
            raise NotStorable(f"{filing.label}: code {ref}: {amount} is too large to store")
        if ref in _KNOWN_CODES:
            values.append((ref, entry.statement, cents, ""))
        elif len(ref) > _CODE_LIMIT:
            raise NotStorable(f"{filing.label}: code {ref[:40]!r} of statement {entry.statement[:40]!r} is too long to store")
        else:
            values.append((ref, entry.statement, cents, entry.label))
        texts.append(text)
    return values, texts


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
        "value_count": item.value_count,
        "content_hash": item.content_hash,
        "source": item.source,
    }
