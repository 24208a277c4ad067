"""The history store: every version of every filing, on a SQLite file or a PostgreSQL server.

Writes go through `ingest_filings`, one transaction per call: either every filing offered is stored with
all its values, or nothing is. Reads rebuild `Filing` values exactly (integer cents back to `Decimal`).
Which version is the filing of record is decided when reading (versions.py), so nothing stored is
ever updated.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from sqlalchemy import Select, and_, func, insert, select
from sqlalchemy.engine import Connection, Engine, Row
from sqlalchemy.exc import IntegrityError

from dailyseg.calendar import is_late as submitted_late
from dailyseg.catalogue import CATALOGUE, key_of
from dailyseg.filing import Entry, Filing, Header
from dailyseg.money import from_cents
from dailyseg.parse import read
from dailyseg.parse.source import MAX_DOCUMENT_BYTES, load_bytes
from dailyseg.serial import cover_from_dict
from dailyseg.store.bulk import fetch_rows, insert_rows
from dailyseg.store.database import make_engine
from dailyseg.store.identity import firm_id_of, name_key
from dailyseg.store.ingest import NotStorable, Prepared, document_hash, filing_row, prepare
from dailyseg.store.location import StoreError, default_url
from dailyseg.store.migrate import upgrade
from dailyseg.store.tables import aliases, filing_values, filings
from dailyseg.store.types import FLAGS, FilingVersion, FirmSummary, HistoryColumns, HistoryPoint, IngestOutcome, StatementSummary
from dailyseg.store.versions import rank, records_by

# Content hashes sent in one IN list: well under SQLite's limit on bound parameters.
_HASHES_PER_QUERY = 5000
_VALUE_COLUMNS = ("filing_id", "code", "statement", "cents", "label")

_VERSION_COLUMNS = (
    filings.c.id,
    aliases.c.firm_id,
    filings.c.firm_name,
    filings.c.end_date,
    filings.c.status,
    filings.c.form,
    filings.c.submit_date,
    filings.c.version,
    filings.c.content_hash,
    filings.c.stored_at,
)


@dataclass(frozen=True)
class _Head:
    """A filing row as read for deciding records (without its values)."""

    id: int
    firm_id: str
    firm_name: str
    end_date: date
    status: str
    form: str
    submit_date: date | None
    version: int
    content_hash: str
    stored_at: datetime

    @classmethod
    def of(cls, row: Row[Any] | Any) -> _Head:
        stored = row.stored_at if row.stored_at.tzinfo else row.stored_at.replace(tzinfo=UTC)
        return cls(
            row.id, row.firm_id, row.firm_name, row.end_date, row.status, row.form, row.submit_date, row.version, row.content_hash, stored
        )

    def version_of(self, is_record: bool) -> FilingVersion:
        return FilingVersion(
            self.id,
            self.firm_id,
            self.firm_name,
            self.end_date,
            self.status,
            self.form,
            self.submit_date,
            self.version,
            is_record,
            self.content_hash,
            self.stored_at,
        )


def _with_records(heads: Iterable[_Head]) -> list[FilingVersion]:
    listed = sorted(heads, key=lambda h: (h.end_date, h.form, h.version))
    chosen = {h.id for h in records_by(listed, lambda h: (h.form, h.end_date)).values()}
    return [h.version_of(h.id in chosen) for h in listed]


# A filing waiting to be written, or the outcome of one that cannot be (unreadable).
_Slot = Prepared | IngestOutcome


def _offer(batch: Iterable[Filing], source: str, doc_hash: str | None) -> list[_Slot]:
    slots: list[_Slot] = []
    for filing in batch:
        try:
            slots.append(prepare(filing, source, doc_hash))
        except NotStorable as error:
            slots.append(IngestOutcome("unreadable", source, None, filing.header.firm_name or None, filing.header.end_date, str(error)))
    return slots


def _document(path: Path) -> list[_Slot]:
    """Read one document into its filings ready to write, with an unreadable outcome for what failed."""
    source, raw, failure = load_bytes(path, MAX_DOCUMENT_BYTES)
    if failure is not None or raw is None:
        return [IngestOutcome("unreadable", str(path), None, None, None, failure.message if failure else "cannot open")]
    result = read(raw)
    problems = [p for p in result.problems if p.severity in ("fatal", "error")]
    reason = "; ".join(str(p).replace("<bytes>", source, 1) for p in problems[:3])
    if not result.filings:
        return [IngestOutcome("unreadable", source, None, None, None, reason or "no filing found")]
    slots = _offer(result.filings, source, document_hash(raw))
    if problems:
        slots.append(IngestOutcome("unreadable", source, None, None, None, f"part of the document could not be read: {reason}"))
    return slots


class Store:
    """A handle on one store database. Open with `Store.open(url)`; close (or use as a context manager)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def open(cls, url: str | None = None, *, create: bool = True) -> Store:
        """Open (and when `create`, create) the store at `url` (default: `default_url()`), migrating it."""
        engine = make_engine(url or default_url(), create=create)
        try:
            upgrade(engine)
        except Exception as error:
            engine.dispose()
            raise StoreError(f"cannot open the store at {engine.url.render_as_string(hide_password=True)}: {error}") from error
        return cls(engine)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        self.close()

    # -- firms -------------------------------------------------------------------------------------------------
    def resolve(self, firm: str) -> str | None:
        """The firm id of `firm`, given as a firm id or as any name the firm filed under."""
        with self.engine.connect() as conn:
            by_id = conn.execute(select(aliases.c.firm_id).where(aliases.c.firm_id == firm.strip().lower()).limit(1)).scalar()
            if by_id is not None:
                return str(by_id)
            by_name = conn.execute(select(aliases.c.firm_id).where(aliases.c.name_key == name_key(firm))).scalar()
            return str(by_name) if by_name is not None else None

    def alias(self, name: str, firm: str) -> str:
        """Join the name `name` (and every spelling with its key) to the firm `firm`; returns the firm id."""
        target = self.resolve(firm)
        if target is None:
            raise KeyError(f"no firm {firm!r} in the store")
        key = name_key(name)
        if not key:
            raise ValueError("an alias needs a name")
        with self.engine.begin() as conn:
            if conn.execute(select(aliases.c.firm_id).where(aliases.c.name_key == key)).first() is None:
                conn.execute(insert(aliases).values(name_key=key, firm_id=target))
            else:
                conn.execute(aliases.update().where(aliases.c.name_key == key).values(firm_id=target))
        return target

    def require(self, firm: str) -> str:
        """The firm id of `firm`; KeyError naming it when the store does not know it."""
        firm_id = self.resolve(firm)
        if firm_id is None:
            raise KeyError(f"no firm {firm!r} in the store")
        return firm_id

    def _heads(self, query: Select[Any]) -> list[_Head]:
        with self.engine.connect() as conn:
            return [_Head.of(row) for row in conn.execute(query)]

    def _versions_query(self, firm_id: str) -> Select[Any]:
        return select(*_VERSION_COLUMNS).join(aliases, aliases.c.name_key == filings.c.name_key).where(aliases.c.firm_id == firm_id)

    # -- writing -----------------------------------------------------------------------------------------------
    def ingest_filing(self, filing: Filing, *, source: str, content: bytes | None = None) -> IngestOutcome:
        return self.ingest_filings([filing], source=source, content=content)[0]

    def ingest_filings(self, batch: Sequence[Filing], *, source: str, content: bytes | None = None) -> list[IngestOutcome]:
        """Store a batch of filings in one transaction (all or none), each filing once by content hash."""
        return self._settle(_offer(batch, source, document_hash(content) if content is not None else None))

    def ingest_path(self, path: Path) -> list[IngestOutcome]:
        """Read one document and store every filing in it (one transaction); unreadable documents are reported."""
        return self._settle(_document(path))

    def ingest_paths(
        self, paths: Iterable[Path], *, batch: int = 500, on_document: Callable[[Path], None] | None = None
    ) -> list[IngestOutcome]:
        """Read documents and store their filings, one transaction per batch of about `batch` filings.

        A batch always holds whole documents, so a document is stored entirely or not at all, as with
        `ingest_path`; writing many documents' filings together spares a commit and a round of lookups per
        document. Outcomes come in document order. `on_document` is called after each document is read.
        """
        outcomes: list[IngestOutcome] = []
        pending: list[_Slot] = []
        waiting = 0
        for path in paths:
            slots = _document(path)
            pending.extend(slots)
            waiting += sum(isinstance(slot, Prepared) for slot in slots)
            if waiting >= batch:
                outcomes.extend(self._settle(pending))
                pending, waiting = [], 0
            if on_document is not None:
                on_document(path)
        outcomes.extend(self._settle(pending))
        return outcomes

    def _settle(self, slots: list[_Slot]) -> list[IngestOutcome]:
        """Write the prepared filings among `slots` in one transaction; every slot's outcome, in order."""
        ready = [(index, slot) for index, slot in enumerate(slots) if isinstance(slot, Prepared)]
        written = self._write_retrying(ready) if ready else {}
        return [written[index] if isinstance(slot, Prepared) else slot for index, slot in enumerate(slots)]

    def _write_retrying(self, ready: list[tuple[int, Prepared]]) -> dict[int, IngestOutcome]:
        attempts = 3
        for attempt in range(attempts):
            try:
                with self.engine.begin() as conn:
                    return self._write(conn, ready)
            except IntegrityError:
                # Another writer stored the same content or version number at the same moment: read again.
                if attempt == attempts - 1:
                    raise
        raise AssertionError("unreachable")

    def _write(self, conn: Connection, ready: list[tuple[int, Prepared]]) -> dict[int, IngestOutcome]:
        """Write the new filings of a batch with a fixed number of statements (not one per filing)."""
        result: dict[int, IngestOutcome] = {}
        present = self._present(conn, [item.content_hash for _, item in ready])
        seen = set(present)
        fresh: list[tuple[int, Prepared]] = []
        for index, item in ready:
            if item.content_hash not in seen:  # a filing repeated inside the batch is stored once too
                seen.add(item.content_hash)
                fresh.append((index, item))
        self._ensure_aliases(conn, {item.name_key for _, item in fresh})
        latest = self._latest_versions(conn, [item for _, item in fresh])
        now = datetime.now(UTC)
        rows = []
        for _, item in fresh:
            row = filing_row(item)
            day = (item.name_key, row["form"], item.end_date)
            latest[day] = latest.get(day, 0) + 1
            rows.append(row | {"version": latest[day], "document_hash": item.document_hash, "stored_at": now})
        ids: list[int] = []
        if rows:
            ids = [int(i) for i in conn.execute(insert(filings).returning(filings.c.id, sort_by_parameter_order=True), rows).scalars()]
            value_rows = [(filing_id, *value) for filing_id, (_, item) in zip(ids, fresh, strict=True) for value in item.values]
            insert_rows(conn, filing_values, _VALUE_COLUMNS, value_rows)
        for filing_id, row, (index, item) in zip(ids, rows, fresh, strict=True):
            present[item.content_hash] = filing_id
            firm, version = item.filing.header.firm_name, row["version"]
            if version == 1:
                result[index] = IngestOutcome("stored", item.source, filing_id, firm, item.end_date)
            else:
                reason = f"version {version} of {item.end_date.isoformat()}"
                result[index] = IngestOutcome("amended", item.source, filing_id, firm, item.end_date, reason)
        for index, item in ready:
            if index not in result:
                firm = item.filing.header.firm_name
                reason = "same content stored before"
                result[index] = IngestOutcome("already-present", item.source, present[item.content_hash], firm, item.end_date, reason)
        return result

    @staticmethod
    def _present(conn: Connection, hashes: list[str]) -> dict[str, int]:
        """The ids of the filings already stored with these content hashes."""
        present: dict[str, int] = {}
        unique = sorted(set(hashes))
        for start in range(0, len(unique), _HASHES_PER_QUERY):
            chunk = unique[start : start + _HASHES_PER_QUERY]
            query = select(filings.c.content_hash, filings.c.id).where(filings.c.content_hash.in_(chunk))
            present |= {str(h): int(i) for h, i in conn.execute(query)}
        return present

    @staticmethod
    def _latest_versions(conn: Connection, items: list[Prepared]) -> dict[tuple[str, str, date], int]:
        """The highest version stored for each firm key, form and End Date that the batch touches (one query)."""
        found: dict[tuple[str, str, date], int] = {}
        if not items:
            return found
        days = {(item.name_key, item.filing.header.form, item.end_date) for item in items}
        query = (
            select(filings.c.name_key, filings.c.form, filings.c.end_date, func.max(filings.c.version))
            .where(
                filings.c.name_key.in_(sorted({d[0] for d in days})),
                filings.c.end_date >= min(d[2] for d in days),
                filings.c.end_date <= max(d[2] for d in days),
            )
            .group_by(filings.c.name_key, filings.c.form, filings.c.end_date)
        )
        for key, form, end_date, version in conn.execute(query):
            if (key, form, end_date) in days:
                found[(key, form, end_date)] = int(version)
        return found

    @staticmethod
    def _ensure_aliases(conn: Connection, keys: set[str]) -> None:
        """Record a new firm (id from the key) for each name key the store has not seen (one query)."""
        if not keys:
            return
        known = set(conn.execute(select(aliases.c.name_key).where(aliases.c.name_key.in_(sorted(keys)))).scalars())
        new = sorted(keys - known)
        if new:
            conn.execute(insert(aliases), [{"name_key": key, "firm_id": firm_id_of(key)} for key in new])

    @staticmethod
    def ensure_alias(conn: Connection, key: str) -> str:
        """The firm id of a name key, recording a new firm (id from the key) when the key is new."""
        found = conn.execute(select(aliases.c.firm_id).where(aliases.c.name_key == key)).scalar()
        if found is not None:
            return str(found)
        firm_id = firm_id_of(key)
        conn.execute(insert(aliases).values(name_key=key, firm_id=firm_id))
        return firm_id

    # -- reading -----------------------------------------------------------------------------------------------
    def filings(self, firm: str, start: date | None = None, end: date | None = None, *, record_only: bool = False) -> list[FilingVersion]:
        query = self._versions_query(self.require(firm))
        if start is not None:
            query = query.where(filings.c.end_date >= start)
        if end is not None:
            query = query.where(filings.c.end_date <= end)
        listed = _with_records(self._heads(query))
        return [v for v in listed if v.is_record] if record_only else listed

    def versions(self, firm: str, end_date: date) -> list[FilingVersion]:
        return self.filings(firm, end_date, end_date)

    def get(self, filing_id: int) -> tuple[FilingVersion, Filing]:
        """A stored version and its filing, rebuilt exactly. KeyError if there is no such id."""
        with self.engine.connect() as conn:
            head = conn.execute(
                select(*_VERSION_COLUMNS, filings.c.layout, filings.c.statements, filings.c.cover, filings.c.name_key)
                .join(aliases, aliases.c.name_key == filings.c.name_key)
                .where(filings.c.id == filing_id)
            ).first()
            if head is None:
                raise KeyError(f"no filing {filing_id} in the store")
            values = conn.execute(
                select(filing_values.c.statement, filing_values.c.code, filing_values.c.cents, filing_values.c.label).where(
                    filing_values.c.filing_id == filing_id
                )
            ).all()
            siblings = conn.execute(
                self._versions_query(str(head.firm_id)).where(and_(filings.c.end_date == head.end_date, filings.c.form == head.form))
            ).all()
        header = Header(head.status, head.end_date, head.firm_name, head.form, head.submit_date)
        entries = tuple(Entry(v.statement, v.code, from_cents(int(v.cents)), v.label) for v in values)
        cover = cover_from_dict(json.loads(head.cover)) if head.cover else None
        statements = tuple(s for s in str(head.statements).split(",") if s)
        filing = Filing(header, head.layout, entries, cover, statements)
        record = max((_Head.of(s) for s in siblings), key=rank)
        return _Head.of(head).version_of(record.id == filing_id), filing

    def history_columns(self, firm: str, codes: Sequence[str], start: date | None = None, end: date | None = None) -> HistoryColumns:
        """The values of `codes` on each End Date's filing of record, as columns of integer cents.

        The filings of record are chosen from the filing heads alone (one row a version), and only their
        values are fetched, so ten years of a dozen codes stay one indexed query and a pass over the rows.
        """
        wanted = [key_of(c) for c in codes]
        firm_id = self.require(firm)

        def of_firm(query: Select[Any]) -> Select[Any]:
            query = query.join(aliases, aliases.c.name_key == filings.c.name_key).where(aliases.c.firm_id == firm_id)
            if start is not None:
                query = query.where(filings.c.end_date >= start)
            return query if end is None else query.where(filings.c.end_date <= end)

        heads = of_firm(select(filings.c.id, filings.c.end_date, filings.c.status, filings.c.submit_date, filings.c.version))
        values = of_firm(
            select(filing_values.c.filing_id, filing_values.c.code, filing_values.c.cents)
            .join(filings, filings.c.id == filing_values.c.filing_id)
            .where(filing_values.c.code.in_(wanted))
        )
        with self.engine.connect() as conn:
            records = sorted(records_by(conn.execute(heads).all(), lambda r: r.end_date).values(), key=lambda r: r.end_date)
            position = {r.id: i for i, r in enumerate(records)}
            cents: dict[str, list[int | None]] = {code: [None] * len(records) for code in wanted}
            # Every version's values of the firm in one indexed join (no list of ids sent), as plain tuples;
            # those of versions that are not the record are skipped here.
            for filing_id, code, amount in fetch_rows(conn, values) if wanted else ():
                at = position.get(filing_id)
                if at is not None:
                    cents[code][at] = int(amount)
        return HistoryColumns(
            dates=[r.end_date for r in records],
            filing_ids=[r.id for r in records],
            amended=[r.status.upper() == "AMENDED" or r.version > 1 for r in records],
            cents=cents,
        )

    def history(self, firm: str, codes: Sequence[str], start: date | None = None, end: date | None = None) -> list[HistoryPoint]:
        """The values of `codes` on each End Date's filing of record, in date order (then in `codes` order)."""
        table = self.history_columns(firm, codes, start, end)
        return [
            HistoryPoint(day, code, from_cents(amount), table.filing_ids[i], table.amended[i])
            for i, day in enumerate(table.dates)
            for code, column in table.cents.items()
            if (amount := column[i]) is not None
        ]

    def record_filings(self, firm: str, start: date | None = None, end: date | None = None) -> list[tuple[FilingVersion, Filing]]:
        """Each End Date's filing of record with its content, in date order (for monitoring and publishing)."""
        by_day = records_by((v for v in self.filings(firm, start, end, record_only=True)), lambda v: v.end_date)
        return [self.get(v.id) for _, v in sorted(by_day.items())]

    def firm_ids(self) -> list[str]:
        query = select(aliases.c.firm_id).join(filings, filings.c.name_key == aliases.c.name_key).distinct().order_by(aliases.c.firm_id)
        with self.engine.connect() as conn:
            return [str(f) for f in conn.execute(query).scalars()]

    def firms(self) -> list[FirmSummary]:
        summaries = (self.firm(firm_id) for firm_id in self.firm_ids())
        return [s for s in summaries if s is not None]

    def firm(self, firm: str) -> FirmSummary | None:
        """The firm's latest filing of record, summed up by statement, with flags; None if unknown."""
        firm_id = self.resolve(firm)
        if firm_id is None:
            return None
        with self.engine.connect() as conn:
            latest = conn.execute(self._versions_query(firm_id).order_by(filings.c.end_date.desc()).limit(1)).first()
        if latest is None:
            return None
        day = self.versions(firm_id, latest.end_date)
        record = max((v for v in day if v.is_record), key=rank)
        _, filing = self.get(record.id)
        statements = {}
        flags: set[str] = set()
        for statement in CATALOGUE.statements:
            if statement.id not in filing.statements:
                continue
            summary = StatementSummary(
                filing.get(statement.requirement), filing.get(statement.funds), filing.get(statement.excess), filing.get(statement.target)
            )
            statements[statement.id] = summary
            if summary.excess is not None and summary.excess < 0:
                flags.add("deficiency")
            if summary.excess is not None and summary.target is not None and summary.excess < summary.target:
                flags.add("under-target")
        if record.status.upper() == "AMENDED" or len(day) > 1:
            flags.add("amended")
        if any(v.status.upper() == "INITIAL" and is_late(v) for v in day):
            flags.add("late")
        return FirmSummary(firm_id, record.firm_name, record.end_date, statements, tuple(f for f in FLAGS if f in flags))


def is_late(version: FilingVersion) -> bool:
    """Submitted after the next business day after its End Date (the filing is due by noon that day)."""
    return version.submit_date is not None and submitted_late(version.end_date, version.submit_date)
