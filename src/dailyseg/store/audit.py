"""The audit log: every event appended to a chain of SHA-256 hashes, and the walk that checks it.

Each entry holds the hash of the entry before it (`prev_hash`; the first holds GENESIS, 64 zeros) and its
own hash, `entry_hash` = SHA-256 of the JSON array

    [prev_hash, at (UTC, ISO 8601 with microseconds), actor, action, firm_id, end_date, subject,
     content_hash, detail]

(compact, UTF-8; missing values as null; `detail` is the stored JSON text itself). The filing's content
hash is in it wherever a filing is involved, so a filing's rows changed afterwards no longer match the
log. The entry number `seq` is not hashed: entries are ordered by the links, and `seq` only lets the walk
tell a deleted entry from a moved one.

Appending goes through `Chain.lock`, whose first statement updates the one row of `audit_head`: on
PostgreSQL that row lock, on SQLite the database's write lock, makes every audited transaction wait for the
one before it, so the chain never forks and the event is committed with what it records, or neither is.
What a database administrator can still do, and what `verify` then reports, is in docs/audit.md.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import Row, insert, select, update
from sqlalchemy.engine import Connection

from dailyseg.store.amounts import read_amounts
from dailyseg.store.content import CLOSE_AMOUNTS, stored_hashes
from dailyseg.store.database import store_errors
from dailyseg.store.packed import Amount
from dailyseg.store.tables import aliases, audit_head, audit_log, closes, filings, users
from dailyseg.store.types import IngestOutcome

if TYPE_CHECKING:
    from dailyseg.store.store import Store

GENESIS = "0" * 64


@dataclass(frozen=True)
class Event:
    """What happened, by whom: an entry before it is chained."""

    actor: str
    action: str
    firm_id: str | None = None
    end_date: date | None = None
    subject: str | None = None
    content_hash: str | None = None
    detail: Mapping[str, Any] = field(default_factory=dict)


def utc(moment: datetime) -> datetime:
    """A stored time in UTC: SQLite gives times back without their zone, and they were written in UTC."""
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def canonical(detail: Mapping[str, Any]) -> str:
    return json.dumps(detail, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def entry_hash(
    prev_hash: str,
    at: datetime,
    actor: str,
    action: str,
    firm_id: str | None,
    end_date: date | None,
    subject: str | None,
    content_hash: str | None,
    detail: str,
) -> str:
    """The hash of an entry: see the module's description for the exact definition."""
    fields = [
        prev_hash,
        utc(at).isoformat(timespec="microseconds"),
        actor,
        action,
        firm_id,
        end_date.isoformat() if end_date else None,
        subject,
        content_hash,
        detail,
    ]
    return hashlib.sha256(json.dumps(fields, separators=(",", ":"), ensure_ascii=False).encode("utf-8")).hexdigest()


def _hash_of(row: Row[Any]) -> str:
    return entry_hash(row.prev_hash, row.at, row.actor, row.action, row.firm_id, row.end_date, row.subject, row.content_hash, row.detail)


class Chain:
    """The log's head, held for the rest of a transaction: append events to it."""

    def __init__(self, conn: Connection, seq: int, last_hash: str) -> None:
        self._conn, self.seq, self.last_hash = conn, seq, last_hash

    @classmethod
    def lock(cls, conn: Connection) -> Chain:
        """Wait for every other audited transaction to end, then read the head (call first in a transaction)."""
        conn.execute(update(audit_head).where(audit_head.c.id == 1).values(last_seq=audit_head.c.last_seq))
        head = conn.execute(select(audit_head.c.last_seq, audit_head.c.last_hash).where(audit_head.c.id == 1)).one()
        return cls(conn, int(head.last_seq), str(head.last_hash))

    def append(self, event: Event) -> int:
        """Chain `event` after the head; its number."""
        at = datetime.now(UTC)
        detail = canonical(event.detail)
        new = entry_hash(
            self.last_hash, at, event.actor, event.action, event.firm_id, event.end_date, event.subject, event.content_hash, detail
        )
        row = {
            "seq": self.seq + 1,
            "at": at,
            "actor": event.actor,
            "action": event.action,
            "firm_id": event.firm_id,
            "end_date": event.end_date,
            "subject": event.subject,
            "content_hash": event.content_hash,
            "detail": detail,
            "prev_hash": self.last_hash,
            "entry_hash": new,
        }
        self._conn.execute(insert(audit_log).values(row))
        self._conn.execute(update(audit_head).where(audit_head.c.id == 1).values(last_seq=self.seq + 1, last_hash=new))
        self.seq, self.last_hash = self.seq + 1, new
        return self.seq


def record_ingest(conn: Connection, chain: Chain, actor: str, outcomes: Sequence[IngestOutcome]) -> None:
    """One "ingest" entry for the filings a transaction stored: each filing's id, firm, End Date and content hash
    (none when everything offered was stored before)."""
    ids = sorted({o.filing_id for o in outcomes if o.status in ("stored", "amended") and o.filing_id is not None})
    if not ids:
        return
    query = (
        select(filings.c.id, aliases.c.firm_id, filings.c.end_date, filings.c.content_hash)
        .join(aliases, aliases.c.name_key == filings.c.name_key)
        .where(filings.c.id.in_(ids))
        .order_by(filings.c.id)
    )
    rows = conn.execute(query).all()
    stored = set(ids)
    sources = sorted({o.source for o in outcomes if o.filing_id in stored})
    detail = {"sources": sources, "filings": [[int(r.id), str(r.firm_id), r.end_date.isoformat(), str(r.content_hash)] for r in rows]}
    firms, days = {str(r.firm_id) for r in rows}, {r.end_date for r in rows}
    one = len(rows) == 1
    chain.append(
        Event(
            actor,
            "ingest",
            firms.pop() if len(firms) == 1 else None,
            days.pop() if len(days) == 1 else None,
            f"filing {rows[0].id}" if one else None,
            str(rows[0].content_hash) if one else None,
            detail,
        )
    )


@contextmanager
def audited(store: Store, *, kept: str) -> Iterator[tuple[Connection, Chain]]:
    """One audited transaction: the change and its entries are committed together or not at all."""
    with store_errors(store.engine.url, kept=kept), store.engine.begin() as conn:
        yield conn, Chain.lock(conn)


# -- reading and verifying ----------------------------------------------------------------------------------
BreakKind = Literal["changed", "deleted", "inserted", "reordered", "truncated", "rewritten"]


@dataclass(frozen=True)
class Break:
    """The first place where the chain does not hold."""

    seq: int | None
    kind: BreakKind
    message: str


@dataclass(frozen=True)
class Mismatch:
    """A stored filing (`close 3`, `filing 12`) whose rows no longer hold what its events recorded."""

    subject: str
    recorded: str
    found: str | None  # None: the rows are gone
    said: str = ""  # what differs, when it is not the content

    @property
    def message(self) -> str:
        if self.said:
            return self.said
        if self.found is None:
            return f"{self.subject} is gone from the store; its events recorded content {self.recorded[:12]}"
        if not self.recorded:
            return f"{self.subject} has no event in the audit log: it was written behind the application's back"
        return f"{self.subject} no longer matches its recorded content: recorded {self.recorded[:12]}, found {self.found[:12]}"


@dataclass(frozen=True)
class Verification:
    entries: int
    head: str
    broken: Break | None
    mismatches: list[Mismatch]

    @property
    def ok(self) -> bool:
        return self.broken is None and not self.mismatches


def _first_break(rows: Sequence[Row[Any]], head_seq: int, head_hash: str) -> Break | None:
    position = {str(row.entry_hash): index for index, row in enumerate(rows)}
    expected, expected_seq = GENESIS, 1
    for index, row in enumerate(rows):
        seq = int(row.seq)
        if _hash_of(row) != row.entry_hash:
            return Break(seq, "changed", f"entry {seq} was changed: its content no longer matches its hash")
        if row.prev_hash != expected:
            before = position.get(str(row.prev_hash))
            if before is not None and before > index:
                return Break(seq, "reordered", f"entry {seq} is out of order: in the chain it follows entry {rows[before].seq}")
            if before is not None:
                return Break(
                    int(rows[index - 1].seq),
                    "inserted",
                    f"entry {rows[index - 1].seq} was inserted: entry {seq} follows entry {rows[before].seq} in the chain",
                )
            return Break(seq, "deleted", f"an entry before entry {seq} was deleted: the entry it follows is not in the log")
        if seq != expected_seq:
            return Break(seq, "changed", f"entry {seq} was renumbered: the entry before it is {expected_seq - 1}")
        expected, expected_seq = str(row.entry_hash), seq + 1
    if head_hash != expected or head_seq != expected_seq - 1:
        last = expected_seq - 1
        return Break(last or None, "truncated", f"entries after entry {last} were deleted: the log's head records entry {head_seq}")
    return None


_STATE_AFTER = {"draft": "draft", "amend": "draft", "review": "reviewed", "approve": "approved", "file": "filed"}
_WHO = {"review": "reviewed_by", "approve": "approved_by", "file": "filed_by", "draft": "prepared_by", "amend": "prepared_by"}


@dataclass
class _Told:
    """What the log says of one close: its content, its state, who did each step."""

    content_hash: str
    state: str = "draft"
    by: dict[str, str] = field(default_factory=dict)


def _recorded(rows: Sequence[Row[Any]]) -> tuple[dict[int, _Told], dict[int, str]]:
    """What the log recorded of each close, and the content hash of each ingested filing (the first recorded)."""
    of_close: dict[int, _Told] = {}
    of_filing: dict[int, str] = {}
    for row in rows:
        subject = str(row.subject or "")
        if subject.startswith("close ") and row.content_hash and row.action in _STATE_AFTER:
            told = of_close.setdefault(int(subject.split()[1]), _Told(str(row.content_hash)))
            told.state = _STATE_AFTER[row.action]
            told.by[_WHO[row.action]] = str(row.actor)
            for earlier in json.loads(row.detail).get("superseded", []):
                if int(earlier) in of_close:
                    of_close[int(earlier)].state = "superseded"
        if row.action == "ingest":
            for filing_id, *_, digest in json.loads(row.detail).get("filings", []):
                of_filing.setdefault(int(filing_id), str(digest))
    return of_close, of_filing


def _close_mismatches(conn: Connection, of_close: dict[int, _Told]) -> list[Mismatch]:
    """Each close whose amounts, content hash, state or people differ from what its events recorded."""
    names = {int(i): str(n) for i, n in conn.execute(select(users.c.id, users.c.name))}
    rows = {int(r.id): r for r in conn.execute(select(closes))}
    ids = sorted(set(of_close) | set(rows))
    found = stored_hashes(conn, closes, CLOSE_AMOUNTS, ids)
    mismatches = []
    for close_id in ids:
        told, row = of_close.get(close_id), rows.get(close_id)
        subject = f"close {close_id}"
        if told is None or row is None or found.get(close_id) != told.content_hash or row.content_hash != told.content_hash:
            mismatches.append(Mismatch(subject, told.content_hash if told else "", found.get(close_id)))
            continue
        held = {column: names.get(row._mapping[column]) for column in told.by}
        if row.state != told.state or held != told.by:
            said = ", ".join(f"{column} {told.by[column]}" for column in sorted(told.by))
            stored = ", ".join(f"{column} {held[column]}" for column in sorted(held))
            message = f"{subject} is {row.state} ({stored}) but its events say {told.state} ({said})"
            mismatches.append(Mismatch(subject, told.content_hash, found.get(close_id), message))
    return mismatches


def _readable_amounts(conn: Connection, ids: Sequence[int]) -> dict[int, list[Amount]]:
    """Stored filings' amounts, a filing whose row does not read left out (it then matches no record)."""
    return read_amounts(conn, ids, skip_damaged=True)


def verify(store: Store, heads: Sequence[str] = ()) -> Verification:
    """Walk the chain for its first break; compare every stored close (amounts, state, who did each step) and
    every ingested filing (amounts) with what its events recorded, a close no event mentions included; and
    check that each of `heads`, hashes of the head kept outside the database earlier, is still in the chain."""
    with store_errors(store.engine.url), store.engine.connect() as conn:
        rows = conn.execute(select(audit_log).order_by(audit_log.c.seq)).all()
        head = conn.execute(select(audit_head.c.last_seq, audit_head.c.last_hash).where(audit_head.c.id == 1)).one()
        of_close, of_filing = _recorded(rows)
        mismatches = _close_mismatches(conn, of_close)
        filing_found = stored_hashes(conn, filings, _readable_amounts, sorted(of_filing))
    for filing_id, recorded in sorted(of_filing.items()):
        if filing_found.get(filing_id) != recorded:
            mismatches.append(Mismatch(f"filing {filing_id}", recorded, filing_found.get(filing_id)))
    broken = _first_break(rows, int(head.last_seq), str(head.last_hash))
    present = {str(row.entry_hash) for row in rows} | {GENESIS}
    lost = [kept for kept in heads if kept not in present]
    if broken is None and lost:
        broken = Break(None, "rewritten", f"the head {lost[0]} kept earlier is not in the log: the chain was rewritten")
    return Verification(len(rows), rows[-1].entry_hash if rows else GENESIS, broken, mismatches)


@dataclass(frozen=True)
class LogEntry:
    seq: int
    at: datetime
    actor: str
    action: str
    firm_id: str | None
    end_date: date | None
    subject: str | None
    content_hash: str | None
    detail: dict[str, Any]
    entry_hash: str


def entries(
    store: Store, *, firm_id: str | None = None, start: date | None = None, end: date | None = None, actor: str | None = None
) -> list[LogEntry]:
    """The log in order, optionally of one firm, one actor, and events from `start` to `end` (days in UTC)."""
    query = select(audit_log).order_by(audit_log.c.seq)
    if firm_id is not None:
        query = query.where(audit_log.c.firm_id == firm_id)
    if actor is not None:
        query = query.where(audit_log.c.actor == actor)
    with store_errors(store.engine.url), store.engine.connect() as conn:
        rows = conn.execute(query).all()
    found = []
    for row in rows:
        at = utc(row.at)
        if (start is not None and at.date() < start) or (end is not None and at.date() > end):
            continue
        detail = json.loads(row.detail)
        found.append(
            LogEntry(
                int(row.seq), at, row.actor, row.action, row.firm_id, row.end_date, row.subject, row.content_hash, detail, row.entry_hash
            )
        )
    return found
