"""What the store fault tests share: documents to ingest, the one-line error they expect, and the checks that
the store is consistent after a failure (reopened, every filing whole, exactly the documents it says it kept)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import func, select

from dailyseg import read
from dailyseg.render import render_json
from dailyseg.store import Store
from dailyseg.store.content_hash import content_hash
from dailyseg.store.packed import CENT_BYTES
from dailyseg.store.synthetic import series
from dailyseg.store.tables import filing_amounts, filings

DOCUMENTS, PER_DOCUMENT = 40, 10
_KEPT = re.compile(r"stored (\d+) of (\d+) documents|none of the (\d+) documents was stored")

# How many amounts each filing's packed cents hold (0 when the filing has none).
STORED_COUNT = func.coalesce(func.length(filing_amounts.c.cents), 0) / CENT_BYTES


@dataclass(frozen=True)
class Document:
    path: Path
    hashes: frozenset[str]  # the content hash of each filing in it


def documents(folder: Path, count: int = DOCUMENTS) -> list[Document]:
    """`count` JSON documents of one firm's filings, PER_DOCUMENT business days each, in date order."""
    folder.mkdir(parents=True, exist_ok=True)
    made = list(series("Faulty Futures LLC", date(2020, 1, 1), date(2021, 12, 31), seed=7))
    assert len(made) >= count * PER_DOCUMENT
    written = []
    for number in range(count):
        path = folder / f"doc{number:02}.json"
        path.write_text(render_json(made[number * PER_DOCUMENT : (number + 1) * PER_DOCUMENT]), "utf-8")
        written.append(Document(path, frozenset(content_hash(f) for f in read(path).filings)))
    return written


def one_error_line(stderr: str, *fragments: str) -> str:
    """The single line on standard error, after checking it is an error naming each fragment, and no traceback."""
    assert "Traceback" not in stderr, stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("error: "), stderr
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    return lines[0]


def documents_said_kept(message: str, total: int) -> int:
    """The number of documents the message says were stored ("stored 12 of 40 documents ...; the rest ...")."""
    found = _KEPT.search(message)
    assert found is not None, message
    if found.group(3) is not None:
        assert int(found.group(3)) == total, message
        return 0
    assert int(found.group(2)) == total and "the rest were not stored" in message, message
    return int(found.group(1))


def stored_hashes(url: str) -> set[str]:
    """Reopen the store; check that every filing has every value its head declares (no half-written filing);
    the content hashes of the filings stored."""
    with Store.open(url, create=False) as store, store.engine.connect() as conn:
        counts = conn.execute(
            select(filings.c.content_hash, filings.c.value_count, STORED_COUNT).outerjoin(
                filing_amounts, filing_amounts.c.filing_id == filings.c.id
            )
        ).all()
    assert all(declared == found > 0 for _, declared, found in counts), counts
    return {str(h) for h, _, _ in counts}


def assert_kept_exactly(url: str, written: list[Document], kept: int) -> None:
    """The store holds the filings of the first `kept` documents, whole, and nothing else."""
    expected = set().union(*(d.hashes for d in written[:kept]))
    assert stored_hashes(url) == expected
