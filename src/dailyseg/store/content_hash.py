"""The content hash of a filing, which decides that a filing offered to the store is "already present".

Definition (the same bytes since the store's first revision, so every stored hash and every hash the audit
log recorded stays valid, and nothing needs migrating): the SHA-256, in hex, of the UTF-8 bytes of the
compact JSON object (no spaces, keys sorted at every level, non-ASCII characters written as themselves)

    {"cover": <the cover page as serial.cover_to_dict writes it, or null>,
     "end_date": "YYYY-MM-DD" or null, "firm": <firm name>, "form": <form>,
     "labels": {<code>: <label>}     only when a code the catalogue does not know carries a label,
     "layout": <layout>,
     "statements": {<statement>: {<code>: "<amount>"}}   every statement of the filing, even one without amounts,
     "status": <status>, "submit_date": "YYYY-MM-DD" or null}

where an amount is its exact decimal text without exponent (`format(amount, "f")`; a filing holds its amounts
in canonical form, so equal amounts have one text). That is what
`json.dumps(serial.filing_to_dict(filing), sort_keys=True, separators=(",", ":"), ensure_ascii=False)` writes;
it is written out here piece by piece instead, because building those dictionaries and sorting them through
the JSON encoder was a fifth of the store's ingest time. A test checks the two agree on generated filings.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from json.encoder import encode_basestring

from dailyseg.catalogue import CATALOGUE
from dailyseg.filing import Filing
from dailyseg.serial import cover_to_dict

# One amount as the store keeps it: (code, statement, integer cents, label), the label "" for a known code.
Value = tuple[str, str, int, str]


def amount_text(amount: Decimal) -> str:
    """`format(amount, "f")`, by the faster `str` where they agree (whenever `str` writes no exponent)."""
    text = str(amount)
    return format(amount, "f") if "E" in text else text


def _day(value: date | None) -> str:
    return f'"{value.isoformat()}"' if value is not None else "null"


def statements_text(statements: Iterable[str], values: Iterable[Value], texts: Iterable[str]) -> str:
    """The members of the "statements" object: every statement, sorted, with its amounts' texts by code."""
    by_statement: dict[str, list[tuple[str, str]]] = {statement: [] for statement in statements}
    for (code, statement, _, _), text in zip(values, texts, strict=True):
        by_statement.setdefault(statement, []).append((code, text))
    return ",".join(
        encode_basestring(statement) + ":{" + ",".join(f'{encode_basestring(c)}:"{t}"' for c, t in sorted(pairs)) + "}"
        for statement, pairs in sorted(by_statement.items())
    )


def labels_text(values: Iterable[Value]) -> str:
    """The members of the "labels" object ("" when no value carries a label; a filing holds each code once,
    so sorting the pairs sorts by code)."""
    labels = sorted((code, label) for code, _, _, label in values if label)
    return ",".join(f"{encode_basestring(c)}:{encode_basestring(t)}" for c, t in labels)


def canonical_bytes(filing: Filing, statements: str, labels: str) -> bytes:
    """The bytes hashed (see the module's docstring), given the members of its "statements" and "labels"
    objects as `statements_text` and `labels_text` write them."""
    header = filing.header
    cover = json.dumps(cover_to_dict(filing.cover), sort_keys=True, separators=(",", ":"), ensure_ascii=False) if filing.cover else "null"
    parts = [f'{{"cover":{cover},"end_date":{_day(header.end_date)}', f',"firm":{encode_basestring(header.firm_name)}']
    parts.append(f',"form":{encode_basestring(header.form)}')
    if labels:
        parts.append(f',"labels":{{{labels}}}')
    parts.append(f',"layout":{encode_basestring(filing.layout)},"statements":{{{statements}}}')
    parts.append(f',"status":{encode_basestring(header.status)},"submit_date":{_day(header.submit_date)}}}')
    return "".join(parts).encode("utf-8")


def hash_of(filing: Filing, statements: str, labels: str) -> str:
    """The content hash of `filing` whose "statements" and "labels" members the caller has written already (ingest has)."""
    return hashlib.sha256(canonical_bytes(filing, statements, labels)).hexdigest()


def content_hash(filing: Filing) -> str:
    """The content hash of `filing` (see the module's docstring)."""
    refs = CATALOGUE.refs
    values = [(e.ref, e.statement, 0, "" if e.ref in refs else e.label) for e in filing.entries]
    texts = [amount_text(e.amount) for e in filing.entries]
    return hash_of(filing, statements_text(filing.statements, values, texts), labels_text(values))
