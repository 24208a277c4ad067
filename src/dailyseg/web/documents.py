"""An uploaded document, read and checked in memory: what the upload page and the validate endpoint show.

Nothing is written anywhere until `store_examined`, which the callers guard by role (web/access.py). Reading
and checking run in a worker process (`dailyseg.web.work`): `examined` and `validation_json` are the
functions sent there, and they answer what is cheap to send back: the document's bytes stay with the
server (`with_content` puts them back), and the validation answer comes back as its JSON.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from fastapi import HTTPException, UploadFile

from dailyseg.checks import Context, Finding, Selection, validate
from dailyseg.filing import Filing
from dailyseg.parse import read
from dailyseg.problems import Problem
from dailyseg.shapes import Validation
from dailyseg.store import IngestOutcome, Store
from dailyseg.verdict import document_ok
from dailyseg.web.errors import too_large_message

_UNSAFE = re.compile(r"[^A-Za-z0-9 ._()+-]")


@dataclass(frozen=True)
class Checked:
    filing: Filing
    findings: list[Finding]


@dataclass(frozen=True)
class Examined:
    """A document's name (for messages only), its raw bytes, the filings it held and the problems met."""

    name: str
    content: bytes
    filings: list[Checked]
    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        return document_ok(self.problems, (c.findings for c in self.filings))


def display_name(filename: str | None) -> str:
    """The uploaded file's base name, reduced to harmless characters: it names the document in messages only."""
    base = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = _UNSAFE.sub("_", base).strip()[:120]
    return cleaned or "upload"


async def receive(file: UploadFile, limit: int) -> tuple[str, bytes]:
    """The upload's name and bytes, refusing (413) a document past the limit."""
    data = await file.read(limit + 1)
    if len(data) > limit:
        raise HTTPException(413, too_large_message(limit))
    return display_name(file.filename), data


def examine(name: str, content: bytes, limit: int, choice: Selection | None = None) -> Examined:
    result = read(content, limit=limit)  # MemoryError, under a worker's memory bound, is answered 413 (web.work)
    problems = tuple(replace(p, source=name) for p in result.problems)
    ids, tier = (choice.ids, choice.tier) if choice is not None else (None, "basic")
    return Examined(name, content, [Checked(f, validate(f, ids, tier=tier)) for f in result.filings], problems)


def examined(name: str, content: bytes, limit: int) -> Examined:
    """`examine` with the basic rules, without the document's bytes (run in a worker; see `with_content`)."""
    return replace(examine(name, content, limit), content=b"")


def with_content(found: Examined, content: bytes) -> Examined:
    return replace(found, content=content)


def validation_json(name: str, content: bytes, limit: int, choice: Selection) -> bytes:
    """POST /api/validate's answer as JSON: what `dailyseg validate --json` writes for the same document."""
    found = examine(name, content, limit, choice)
    checked = [(c.filing, c.findings) for c in found.filings]
    return Validation.of(found.name, found.ok, found.problems, checked, choice, Context()).model_dump_json().encode("utf-8")


def store_examined(store: Store, examined: Examined, actor: str) -> list[IngestOutcome]:
    """Store every filing the document held, in one transaction (all or none), each once by content; the audit
    log records `actor` (the preparer or the service account who sent it) as the one who stored them."""
    return store.ingest_filings([c.filing for c in examined.filings], source=examined.name, content=examined.content, actor=actor)
