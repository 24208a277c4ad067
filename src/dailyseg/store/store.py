"""The history store: every version of every filing, on a SQLite file or a PostgreSQL server.

Writes go through `ingest_filings`, one transaction per call: either every filing offered is stored with
all its values, or nothing is. Reads rebuild `Filing` values exactly (integer cents back to `Decimal`).
The order of a day's versions, and with it the filing of record and the version numbers shown, is
decided when reading (versions.py), so nothing stored is ever updated. This module and the others in
`dailyseg.store` are the only code that runs SQL on the store's tables.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from types import TracebackType
from typing import Any, NamedTuple, cast

from sqlalchemy import Select, and_, bindparam, func, insert, select
from sqlalchemy.engine import Connection, Dialect, Engine, Row
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from dailyseg.catalogue import key_of
from dailyseg.filing import Entry, Filing, Header
from dailyseg.money import from_cents
from dailyseg.parse import read
from dailyseg.parse.source import MAX_DOCUMENT_BYTES, load_bytes
from dailyseg.serial import cover_from_dict
from dailyseg.store import cftc_rows, nfa_rows
from dailyseg.store.amounts import DamagedAmounts, lines_ids, read_amounts, read_lines
from dailyseg.store.audit import Chain, record_ingest
from dailyseg.store.bulk import fetch_rows, fetch_sql, insert_rows
from dailyseg.store.cftc_rows import MonthEndRow, StoredRow
from dailyseg.store.database import failure, is_fault, make_engine, shown, store_errors
from dailyseg.store.filing_memo import RebuiltFilings
from dailyseg.store.firms import ensure_aliases
from dailyseg.store.identity import name_key
from dailyseg.store.ingest import NotStorable, Prepared, document_hash, filing_row, prepare
from dailyseg.store.location import StoreError, default_url
from dailyseg.store.migrate import upgrade
from dailyseg.store.nfa_rows import StoredSummary, Summary
from dailyseg.store.packed import CENT_BYTES, Lines, cents_columns
from dailyseg.store.tables import aliases, filing_amounts, filings
from dailyseg.store.types import (
    FilingVersion,
    HistoryColumns,
    HistoryPoint,
    IngestOutcome,
    OutcomeStatus,
)
from dailyseg.store.versions import grouped, in_order, is_amendment, records_by

SYSTEM = "system"  # who an ingest is recorded as when the caller names no one

# Content hashes sent in one IN list: well under SQLite's limit on bound parameters.
_HASHES_PER_QUERY = 5000
_AMOUNT_COLUMNS = ("filing_id", "lines_id", "cents")
# The columns of a new filing's row: its id first, then what `filing_row` gives and the store adds.
_HEAD_COLUMNS = (
    "id",
    "name_key",
    "firm_name",
    "form",
    "end_date",
    "status",
    "submit_date",
    "layout",
    "statements",
    "cover",
    "value_count",
    "content_hash",
    "source",
    "version",
    "document_hash",
    "stored_at",
)

_HEAD_VALUES = itemgetter(*_HEAD_COLUMNS[1:])

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


def _digest(lines: Iterable[str]) -> int:
    return int.from_bytes(hashlib.blake2b("\n".join(lines).encode("utf-8"), digest_size=8).digest(), "big")


def _numbered(rows: Iterable[Row[Any]]) -> list[FilingVersion]:
    """Every version at its place in its day's order (versions.py), days by End Date, then form."""
    days = grouped(rows, lambda r: (r.end_date, r.form))
    return [
        FilingVersion.from_row(row, version=place, is_record=place == len(days[day]))
        for day in sorted(days)
        for place, row in enumerate(days[day], start=1)
    ]


class _Placed(NamedTuple):
    """A stored version as far as its place in its day's order goes."""

    id: int
    status: str
    submit_date: date | None


@dataclass(frozen=True)
class _Days:
    """What is stored of the days a batch writes to, read once for the whole batch."""

    firm_of: dict[str, str]  # name key -> firm id
    versions: dict[tuple[str, str, date], list[_Placed]]  # (firm id, form, End Date) -> every version
    arrivals: dict[tuple[str, str, date], int]  # (name key, form, End Date) -> the highest arrival number


def _arrived(item: Prepared, new: _Placed, earlier: Sequence[_Placed]) -> IngestOutcome:
    """What storing `new` beside the versions of its day stored before it amounts to (see IngestOutcome).

    The outcome follows the order of versions, not the order of arrival, so an original that arrives after
    its amendment is reported as the original it is, and the reason says it came late.
    """
    firm, day = item.filing.header.firm_name, item.end_date
    if not earlier and not is_amendment(new.status):
        return IngestOutcome("stored", item.source, new.id, firm, day)
    ordered = in_order([*earlier, new])
    place = ordered.index(new) + 1
    reason = f"version {place} of {len(ordered)} of {day.isoformat()}"
    after = ordered[place:]
    if after:
        kind = "amendment" if all(is_amendment(v.status) for v in after) else "version"
        if kind == "amendment" and not is_amendment(new.status):
            what = "its amendment" if len(after) == 1 else f"its {len(after)} amendments"
        else:
            what = f"a later {kind}" if len(after) == 1 else f"{len(after)} later {kind}s"
        reason += f": arrived after {what}; filing {after[-1].id} stays the filing of record"
    status: OutcomeStatus = "amended" if is_amendment(new.status) or place > 1 else "stored"
    return IngestOutcome(status, item.source, new.id, firm, day, reason)


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
    problems = [p for p in result.problems if p.stops_reading]
    reason = "; ".join(str(p).replace("<bytes>", source, 1) for p in problems[:3])
    if not result.filings:
        return [IngestOutcome("unreadable", source, None, None, None, reason or "no filing found")]
    slots = _offer(result.filings, source, document_hash(raw))
    if problems:
        slots.append(IngestOutcome("unreadable", source, None, None, None, f"part of the document could not be read: {reason}"))
    return slots


def _rebuilt(version: FilingVersion, head: Any, entries: Sequence[Entry]) -> Filing:
    """A stored filing from its version, its row (layout, statements, cover page) and its values."""
    header = Header(version.status, version.end_date, version.firm_name, version.form, version.submit_date)
    cover = cover_from_dict(json.loads(head.cover)) if head.cover else None
    statements = tuple(s for s in str(head.statements).split(",") if s)
    # Every amount comes from `from_cents`, which builds it canonical (tests/test_money.py holds it so).
    return Filing(header, head.layout, tuple(entries), cover, statements, canonical=True)


def _days(values: Sequence[Any]) -> list[date]:
    """Date column values as the driver gives them (dates from psycopg, ISO text from sqlite3) as dates."""
    if values and set(map(type, values)) == {str}:  # SQLite's, the usual case: one C call a value
        return list(map(date.fromisoformat, values))
    return [v if isinstance(v, date) else date.fromisoformat(str(v)) for v in values]


def _records(
    heads: Sequence[tuple[Any, ...]], versions: Callable[[list[int]], Sequence[tuple[Any, ...]]]
) -> tuple[dict[int, date], list[bool]]:
    """Each End Date's filing of record, {id: End Date} in date order, and whether each was amended (an AMENDED
    status, or a day and form with more than one version), from a firm's heads in End Date order: (id, End
    Date, status, and any further columns) as the driver gives them. A day with one version, the usual case, needs no ranking; only
    for days with several does `versions` read (id, form, Submit Date) of their ids to rank them (versions.py)."""
    amends = {status: is_amendment(str(status)) for status in set(map(itemgetter(2), heads))}
    if len(set(raw := list(map(itemgetter(1), heads)))) == len(heads):  # (map and itemgetter: no Python step a head)
        ids = map(itemgetter(0), heads)  # integers from either driver
        return dict(zip(ids, _days(raw), strict=True)), list(map(amends.__getitem__, map(itemgetter(2), heads)))
    count = Counter(head[1] for head in heads)
    more = {int(i): (form, submit) for i, form, submit in versions([int(h[0]) for h in heads if count[h[1]] > 1])}
    chosen: list[tuple[int, Any, bool]] = []
    for raw, group in groupby(heads, key=itemgetter(1)):
        day = list(group)
        if len(day) == 1:
            chosen.append((int(day[0][0]), raw, amends[day[0][2]]))
            continue
        placed = [
            _Placed(int(i), str(status), _days([more[int(i)][1]])[0] if more[int(i)][1] is not None else None) for i, _, status, *_ in day
        ]
        record = in_order(placed)[-1]
        forms = sum(more[p.id][0] == more[record.id][0] for p in placed)
        chosen.append((record.id, raw, amends[record.status] or forms > 1))
    days = _days([day for _, day, _ in chosen])
    return {filing_id: day for (filing_id, _, _), day in zip(chosen, days, strict=True)}, [amended for _, _, amended in chosen]


def _cents_columns(records: Sequence[tuple[Any, ...]], lines: dict[int, Lines], codes: Sequence[str]) -> dict[str, list[int | None]]:
    """Each code's cents in each record ((id, End Date, status, lines id, packed cents) rows; None where a
    record lacks the code or has no amounts). A firm's records mostly share one lines row: their cents are
    then one array of 64-bit integers, a row of `width` a record, and each code's column one slice of it (no
    Python step per record and code); otherwise each record is read at its own lines' places.
    DamagedAmounts names a record whose cents are not one integer per line."""
    shared = set(map(itemgetter(3), records))
    if len(shared) == 1 and (only := next(iter(shared))) is not None:  # a lines id comes with its cents
        blobs = list(map(itemgetter(4), records))
        _check_sizes(records, lines, {(only, size) for size in set(map(len, blobs))})
        place = lines[only].place
        found = cents_columns(b"".join(blobs), len(lines[only].lines), {code: place[code] for code in codes if code in place})
        absent: list[int | None] = [None] * len(records)
        return {code: cast(list[int | None], found[code]) if code in found else absent.copy() for code in codes}
    _check_sizes(records, lines, {(head[3], len(head[4]) if head[4] is not None else 0) for head in records})
    columns: dict[str, list[int | None]] = {code: [None] * len(records) for code in codes}
    for at, (_, _, _, lines_id, amounts) in enumerate(records):
        if lines_id is not None:
            for code in codes:
                columns[code][at] = lines[lines_id].cents_of(amounts, code)
    return columns


def _check_sizes(records: Sequence[tuple[Any, ...]], lines: dict[int, Lines], kinds: set[tuple[int | None, int]]) -> None:
    """DamagedAmounts unless each (lines id, size of cents) met holds one integer per line of its lines."""
    for lines_id, size in kinds:
        if lines_id is not None and size != CENT_BYTES * len(lines[lines_id].lines):
            bad = next(h for h in records if h[3] == lines_id and len(h[4]) == size)
            found = f"{size} bytes of cents for {len(lines[lines_id].lines)} lines"
            raise DamagedAmounts(f"the stored amounts of filing {bad[0]} do not read: {found}")


@functools.lru_cache(maxsize=16)
def _history_sql(dialect: Dialect, bounded_below: bool, bounded_above: bool) -> tuple[str, tuple[str, ...] | None]:
    """`Store.history_columns`'s query compiled once per dialect and shape (which bounds): it is asked on every
    chart and history request, and compiling it costs as much as a tenth of answering it. Gives the SQL and,
    for a positional driver, the order of its parameters' names."""
    names = select(aliases.c.name_key).where(aliases.c.firm_id == bindparam("firm_id"))
    query = (
        select(filings.c.id, filings.c.end_date, filings.c.status, filing_amounts.c.lines_id, filing_amounts.c.cents)
        .select_from(filings.outerjoin(filing_amounts, filing_amounts.c.filing_id == filings.c.id))
        .where(filings.c.name_key.in_(names.scalar_subquery()))
    )
    if bounded_below:
        query = query.where(filings.c.end_date >= bindparam("start"))
    if bounded_above:
        query = query.where(filings.c.end_date <= bindparam("end"))
    compiled = query.compile(dialect=dialect)
    return compiled.string, tuple(compiled.positiontup) if compiled.positiontup is not None else None


@functools.lru_cache(maxsize=16)
def _resolve_sql(dialect: Dialect) -> tuple[str, tuple[str, ...] | None]:
    """`Store.resolve`'s one query, compiled once per dialect: every chart, history and firm request resolves
    a firm, and building and compiling two queries each time took as long as a year's history read."""
    by_id = select(func.min(aliases.c.firm_id)).where(aliases.c.firm_id == bindparam("firm_id")).scalar_subquery()  # NULL if none
    by_name = select(aliases.c.firm_id).where(aliases.c.name_key == bindparam("name_key")).scalar_subquery()
    compiled = select(func.coalesce(by_id, by_name)).compile(dialect=dialect)
    return compiled.string, tuple(compiled.positiontup) if compiled.positiontup is not None else None


class Store:
    """A handle on one store database. Open with `Store.open(url)`; close (or use as a context manager)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._recent_filings = RebuiltFilings()
        self._lines: dict[int, Lines] = {}  # value lines read, by id (an id names one text for ever)

    @classmethod
    def open(cls, url: str | None = None, *, create: bool = True) -> Store:
        """Open (and when `create`, create) the store at `url` (default: `default_url()`), migrating it."""
        engine = make_engine(url or default_url(), create=create)
        try:
            upgrade(engine)
        except SQLAlchemyError as error:
            engine.dispose()
            raise failure(error, engine.url, opening=True) from error
        except Exception as error:  # Alembic's own errors, such as a revision newer than this dailyseg knows
            engine.dispose()
            raise StoreError(f"cannot open the store {shown(engine.url)}: {' '.join(str(error).split())}") from error
        return cls(engine)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        self.close()

    # -- firms -------------------------------------------------------------------------------------------------
    def resolve(self, firm: str) -> str | None:
        """The firm id of `firm`, given as a firm id or as any name the firm filed under (an id first)."""
        sql, names = _resolve_sql(self.engine.dialect)
        given = {"firm_id": firm.strip().lower(), "name_key": name_key(firm)}
        with self.engine.connect() as conn:
            (found,) = fetch_sql(conn, sql, tuple(given[n] for n in names) if names is not None else given)[0]
        return str(found) if found is not None else None

    def alias(self, name: str, firm: str) -> str:
        """Join the name `name` (and every spelling with its key) to the firm `firm`; returns the firm id."""
        target = self.resolve(firm)
        if target is None:
            raise KeyError(f"no firm {firm!r} in the store")
        key = name_key(name)
        if not key:
            raise ValueError("an alias needs a name")
        with store_errors(self.engine.url, kept=f"{name!r} was not joined to {target}"), self.engine.begin() as conn:
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

    def _rows(self, query: Select[Any]) -> list[Row[Any]]:
        with self.engine.connect() as conn:
            return list(conn.execute(query).all())

    def _versions_query(self, firm_id: str) -> Select[Any]:
        return select(*_VERSION_COLUMNS).join(aliases, aliases.c.name_key == filings.c.name_key).where(aliases.c.firm_id == firm_id)

    # -- writing -----------------------------------------------------------------------------------------------
    # Every ingest transaction appends an "ingest" entry to the audit log naming the filings it stored and
    # their content hashes, in the same transaction (audit.py); `actor` is who it is recorded as.
    def ingest_filing(self, filing: Filing, *, source: str, content: bytes | None = None, actor: str = SYSTEM) -> IngestOutcome:
        return self.ingest_filings([filing], source=source, content=content, actor=actor)[0]

    def ingest_filings(
        self, batch: Sequence[Filing], *, source: str, content: bytes | None = None, actor: str = SYSTEM
    ) -> list[IngestOutcome]:
        """Store a batch of filings in one transaction (all or none), each filing once by content hash."""
        with store_errors(self.engine.url, kept=f"nothing of {source} was stored"):
            return self._settle(_offer(batch, source, document_hash(content) if content is not None else None), actor)

    def ingest_path(self, path: Path, *, actor: str = SYSTEM) -> list[IngestOutcome]:
        """Read one document and store every filing in it (one transaction); unreadable documents are reported."""
        with store_errors(self.engine.url, kept=f"nothing of {path} was stored"):
            return self._settle(_document(path), actor)

    def ingest_paths(
        self, paths: Iterable[Path], *, batch: int = 500, on_document: Callable[[Path], None] | None = None, actor: str = SYSTEM
    ) -> list[IngestOutcome]:
        """Read documents and store their filings, one transaction per batch of about `batch` filings.

        A batch always holds whole documents, so a document is stored entirely or not at all, as with
        `ingest_path`; writing many documents' filings together spares a commit and a round of lookups per
        document. Outcomes come in document order. `on_document` is called after each document is read.

        When the database fails part-way (a full disk, a server gone), the StoreError says how many of the
        documents were committed before the failing batch; that batch and the documents after it stored nothing.
        """
        documents = list(paths)
        outcomes: list[IngestOutcome] = []
        pending: list[_Slot] = []
        waiting = committed = 0  # committed: documents whose batch has been written
        try:
            for read_so_far, path in enumerate(documents, start=1):
                slots = _document(path)
                pending.extend(slots)
                waiting += sum(isinstance(slot, Prepared) for slot in slots)
                if waiting >= batch:
                    outcomes.extend(self._settle(pending, actor))
                    pending, waiting, committed = [], 0, read_so_far
                if on_document is not None:
                    on_document(path)
            outcomes.extend(self._settle(pending, actor))
        except SQLAlchemyError as error:
            if not is_fault(error):
                raise
            total = len(documents)
            kept = f"stored {committed} of {total} documents" if committed else f"none of the {total} documents was stored"
            if committed:
                kept += f" (committed whole, in batches of {batch} filings or more); the rest were not stored"
            raise failure(error, self.engine.url, kept=f"{kept} (ingest again: what is stored already is skipped)") from error
        return outcomes

    def _settle(self, slots: list[_Slot], actor: str) -> list[IngestOutcome]:
        """Write the prepared filings among `slots` in one transaction; every slot's outcome, in order."""
        ready = [(index, slot) for index, slot in enumerate(slots) if isinstance(slot, Prepared)]
        written = self._write_retrying(ready, actor) if ready else {}
        return [written[index] if isinstance(slot, Prepared) else slot for index, slot in enumerate(slots)]

    def _write_retrying(self, ready: list[tuple[int, Prepared]], actor: str) -> dict[int, IngestOutcome]:
        attempts = 3
        for attempt in range(attempts):
            try:
                with self.engine.begin() as conn:
                    chain = Chain.lock(conn)
                    written = self._write(conn, ready)
                    record_ingest(conn, chain, actor, list(written.values()))
                return written
            except IntegrityError:
                # Another writer stored the same content or version number at the same moment: read again.
                if attempt == attempts - 1:
                    raise
        raise AssertionError("unreachable")

    def _write(self, conn: Connection, ready: list[tuple[int, Prepared]]) -> dict[int, IngestOutcome]:
        """Write the new filings of a batch with a fixed number of statements (not one per filing).

        Each filing's outcome is decided against the versions of its day stored before it, in the store
        or earlier in the batch, so a batch reports what the same filings offered one by one would.
        """
        result: dict[int, IngestOutcome] = {}
        present = self._present(conn, [item.content_hash for _, item in ready])
        seen = set(present)
        fresh: list[tuple[int, Prepared]] = []
        for index, item in ready:
            if item.content_hash not in seen:  # a filing repeated inside the batch is stored once too
                seen.add(item.content_hash)
                fresh.append((index, item))
        ensure_aliases(conn, {item.name_key for _, item in fresh})
        days = self._stored_days(conn, [item for _, item in fresh])
        now = datetime.now(UTC)
        rows = []
        for _, item in fresh:
            row = filing_row(item)
            named = (item.name_key, row["form"], item.end_date)
            days.arrivals[named] = days.arrivals.get(named, 0) + 1
            rows.append(row | {"version": days.arrivals[named], "document_hash": item.document_hash, "stored_at": now})
        ids = self._new_ids(conn, len(rows)) if rows else []
        if rows:
            head_rows = [(filing_id, *_HEAD_VALUES(row)) for filing_id, row in zip(ids, rows, strict=True)]
            insert_rows(conn, filings, _HEAD_COLUMNS, head_rows)
            lines = lines_ids(conn, {item.lines for _, item in fresh})
            amount_rows = [(filing_id, lines[item.lines], item.cents) for filing_id, (_, item) in zip(ids, fresh, strict=True)]
            insert_rows(conn, filing_amounts, _AMOUNT_COLUMNS, amount_rows)
        for filing_id, row, (index, item) in zip(ids, rows, fresh, strict=True):
            present[item.content_hash] = filing_id
            day = days.versions.setdefault((days.firm_of[item.name_key], row["form"], item.end_date), [])
            new = _Placed(filing_id, row["status"], row["submit_date"])
            result[index] = _arrived(item, new, day)
            day.append(new)
        for index, item in ready:
            if index not in result:
                firm = item.filing.header.firm_name
                reason = "same content stored before"
                result[index] = IngestOutcome("already-present", item.source, present[item.content_hash], firm, item.end_date, reason)
        return result

    @staticmethod
    def _new_ids(conn: Connection, count: int) -> list[int]:
        """Ids for `count` new filings, increasing, so that a batch's rows go in one `executemany` (with
        RETURNING, SQLite takes one statement per row). Every ingest holds the audit chain's lock from its
        first statement (Chain.lock), which keeps other writers out until it commits: on SQLite the ids
        after the largest are free, as SQLite itself would choose them; PostgreSQL draws them from the
        column's own sequence, as its default does."""
        if conn.dialect.name == "postgresql":
            sequence = func.nextval(func.pg_get_serial_sequence(filings.name, filings.c.id.name))
            return sorted(int(i) for i in conn.execute(select(sequence).select_from(func.generate_series(1, count))).scalars())
        largest = int(conn.execute(select(func.max(filings.c.id))).scalar() or 0)
        return list(range(largest + 1, largest + 1 + count))

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
    def _stored_days(conn: Connection, items: list[Prepared]) -> _Days:
        """Every stored version of the firm, form and End Date of each item (one query for the batch).

        Versions are gathered by firm, across every name joined to it, as the order of a day's versions
        is; arrival numbers are counted by name, as the table's unique key is. The items' aliases exist.
        """
        if not items:
            return _Days({}, {}, {})
        keys = sorted({item.name_key for item in items})
        firms = select(aliases.c.name_key, aliases.c.firm_id).where(aliases.c.name_key.in_(keys))
        firm_of = {str(k): str(f) for k, f in conn.execute(firms)}
        wanted = {(firm_of[item.name_key], item.filing.header.form, item.end_date) for item in items}
        query = (
            select(
                filings.c.id,
                filings.c.name_key,
                aliases.c.firm_id,
                filings.c.form,
                filings.c.end_date,
                filings.c.status,
                filings.c.submit_date,
                filings.c.version,
            )
            .join(aliases, aliases.c.name_key == filings.c.name_key)
            .where(
                aliases.c.firm_id.in_(sorted(set(firm_of.values()))),
                filings.c.end_date >= min(item.end_date for item in items),
                filings.c.end_date <= max(item.end_date for item in items),
            )
        )
        versions: dict[tuple[str, str, date], list[_Placed]] = {}
        arrivals: dict[tuple[str, str, date], int] = {}
        for row in conn.execute(query):
            day = (str(row.firm_id), str(row.form), row.end_date)
            if day in wanted:
                versions.setdefault(day, []).append(_Placed(int(row.id), str(row.status), row.submit_date))
                named = (str(row.name_key), str(row.form), row.end_date)
                arrivals[named] = max(arrivals.get(named, 0), int(row.version))
        return _Days(firm_of, versions, arrivals)

    # -- reading -----------------------------------------------------------------------------------------------
    def filings(self, firm: str, start: date | None = None, end: date | None = None, *, record_only: bool = False) -> list[FilingVersion]:
        query = self._versions_query(self.require(firm))
        if start is not None:
            query = query.where(filings.c.end_date >= start)
        if end is not None:
            query = query.where(filings.c.end_date <= end)
        listed = _numbered(self._rows(query))
        return [v for v in listed if v.is_record] if record_only else listed

    def versions(self, firm: str, end_date: date) -> list[FilingVersion]:
        return self.filings(firm, end_date, end_date)

    def day_versions(self, firm: str, start: date | None = None, end: date | None = None) -> dict[tuple[date, str], list[FilingVersion]]:
        """Each day's versions by (End Date, form), days in that order, each day's versions in their order.

        What compares a version with the one it replaces (the monitor's amendment findings, `diff`) should
        read this: consecutive versions of a day here are before and after, whatever order they arrived in.
        """
        days: dict[tuple[date, str], list[FilingVersion]] = {}
        for version in self.filings(firm, start, end):
            days.setdefault((version.end_date, version.form), []).append(version)
        return days

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
            values = read_amounts(conn, [filing_id], kept=self._lines).get(filing_id, [])
            siblings = conn.execute(
                self._versions_query(str(head.firm_id)).where(and_(filings.c.end_date == head.end_date, filings.c.form == head.form))
            ).all()
        version = next(v for v in _numbered(siblings) if v.id == filing_id)
        return version, _rebuilt(
            version, head, [Entry(statement, code, from_cents(cents), label) for statement, code, cents, label in values]
        )

    def history_columns(self, firm: str, codes: Sequence[str], start: date | None = None, end: date | None = None) -> HistoryColumns:
        """The values of `codes` on each End Date's filing of record, as columns of integer cents.

        One query (`_history_sql`) reads the firm's filing heads (id, End Date, status) from the index
        ix_filings_key_date_status (migration 0009), each with its packed amounts (one row by its key,
        packed.py), as plain tuples with no result objects; each day's record is chosen from those heads,
        and each code's cents are read at its place in the record's lines (the same place for every filing
        of one lines row, worked out once). It asks for no order, so no sort in the database: each name
        key's heads come in index order, and Python's sort, stable and quick over runs already in order,
        puts a firm with several names in date order. Dates are turned into dates only for the records.
        """
        wanted = [key_of(c) for c in codes]
        firm_id = self.require(firm)
        sql, names = _history_sql(self.engine.dialect, start is not None, end is not None)
        given: dict[str, Any] = {"firm_id": firm_id, "start": start, "end": end}
        if (as_day := filings.c.end_date.type.bind_processor(self.engine.dialect)) is not None:  # ISO text on SQLite
            given |= {"start": as_day(start), "end": as_day(end)}
        with self.engine.connect() as conn:
            heads = fetch_sql(conn, sql, tuple(given[n] for n in names) if names is not None else given)
            heads.sort(key=itemgetter(1))

            def versions(ids: list[int]) -> list[tuple[Any, ...]]:
                query = select(filings.c.id, filings.c.form, filings.c.submit_date)
                return [
                    row
                    for at in range(0, len(ids), _HASHES_PER_QUERY)
                    for row in fetch_rows(conn, query.where(filings.c.id.in_(ids[at : at + _HASHES_PER_QUERY])))
                ]

            records, amended = _records(heads, versions)
            if len(records) == len(heads):  # one version a day: every head, in order, is its day's record
                chosen = heads
            else:
                by_id = {head[0]: head for head in heads}
                chosen = [by_id[filing_id] for filing_id in records]
            lines = read_lines(conn, {head[3] for head in chosen if head[3] is not None}, self._lines)
        cents = _cents_columns(chosen, lines, wanted)
        return HistoryColumns(dates=list(records.values()), filing_ids=list(records), amended=amended, cents=cents)

    def history_columns_since(self, firm: str, codes: Sequence[str], held: HistoryColumns, largest: int) -> HistoryColumns:
        """`history_columns(firm, codes)` again, from `held`: that read as made when `largest` was the firm's largest
        filing id (the first of its `firm_revision`) and its names were the names it has now. A day's filing of
        record is chosen from that day's versions alone, and a stored version never changes, so only the days
        filed on since can differ: those (from the first to the last) are read and put in their place. After a
        filing, the overview's totals read its day instead of the firm's ten years (28 ms at 60 firms x 10 years)."""
        days = self.days_filed_since(firm, largest)
        if not days:
            return held.only(codes)
        return held.only(codes).spliced(self.history_columns(firm, codes, days[0], days[-1]), days[0], days[-1])

    def days_filed_since(self, firm: str, largest: int) -> list[date]:
        """The End Dates, in order, of the firm's filings stored after filing id `largest` (ids only grow, and
        every ingest takes them holding the writers' lock, so a smaller one is never committed later). From the
        primary key's range: as quick as those filings are few."""
        query = (
            select(filings.c.end_date)
            .distinct()
            .join(aliases, aliases.c.name_key == filings.c.name_key)
            .where(and_(filings.c.id > largest, aliases.c.firm_id == self.require(firm)))
        )
        with self.engine.connect() as conn:
            return sorted(conn.execute(query).scalars())

    def history(self, firm: str, codes: Sequence[str], start: date | None = None, end: date | None = None) -> list[HistoryPoint]:
        """The values of `codes` on each End Date's filing of record, in date order (then in `codes` order)."""
        table = self.history_columns(firm, codes, start, end)
        point = tuple.__new__  # a named tuple built without its Python-level __new__: thousands a request
        days = table.dates, table.filing_ids, table.amended
        # Each code's points in one pass down its column (None where the day lacks it), then the days' in
        # `codes` order: a loop over codes within each day costs twice as much as building the points.
        by_code = [
            [
                None if c is None else point(HistoryPoint, (day, code, from_cents(c), filing_id, amended))
                for day, filing_id, amended, c in zip(*days, column, strict=True)
            ]
            for code, column in table.cents.items()
        ]
        return [p for points in zip(*by_code, strict=True) for p in points if p is not None]

    def record_filings(self, firm: str, start: date | None = None, end: date | None = None) -> list[tuple[FilingVersion, Filing]]:
        """Each End Date's filing of record with its content, in date order (for monitoring and publishing)."""
        by_day = records_by((v for v in self.filings(firm, start, end, record_only=True)), lambda v: v.end_date)
        records = [v for _, v in sorted(by_day.items())]
        return list(zip(records, self.contents(records), strict=True))

    def contents(self, versions: Sequence[FilingVersion], codes: Sequence[str] | None = None) -> list[Filing]:
        """The filings of these versions, rebuilt exactly, in the same order: two queries per few thousand
        versions rather than three per version (what `get` costs), and none for a version this store rebuilt
        lately (`filing_memo`). Given `codes`, each filing holds only the values of those codes (with its
        layout, statements and cover page): enough for what reads only those lines, such as a statement's
        standing, at a fraction of the reading."""
        only = tuple(key_of(c) for c in codes) if codes is not None else None
        return self._recent_filings.contents(versions, only, lambda missing: self._read_contents(missing, only))

    def _read_contents(self, versions: Sequence[FilingVersion], only: Sequence[str] | None) -> list[Filing]:
        ids = [v.id for v in versions]
        heads: dict[int, Any] = {}
        values: dict[int, list[Entry]] = {i: [] for i in ids}
        with self.engine.connect() as conn:
            for start in range(0, len(ids), _HASHES_PER_QUERY):
                chunk = ids[start : start + _HASHES_PER_QUERY]
                query = select(filings.c.id, filings.c.layout, filings.c.statements, filings.c.cover).where(filings.c.id.in_(chunk))
                heads |= {int(row.id): row for row in conn.execute(query)}
                for filing_id, amounts in read_amounts(conn, chunk, only, self._lines).items():
                    values[filing_id] = [Entry(statement, code, from_cents(cents), label) for statement, code, cents, label in amounts]
        return [_rebuilt(v, heads[v.id], values[v.id]) for v in versions]

    def revision(self) -> tuple[int, int]:
        """What a cache of answers can key on: it changes exactly when something is stored or two names are
        joined, by this process or any other. Filings are only inserted (a new version is a new row), so the
        largest filing id tells a new filing; an alias rewrites a row of the small aliases table, so a digest
        of that table tells a join."""
        with self.engine.connect() as conn:
            largest = int(conn.execute(select(func.max(filings.c.id))).scalar() or 0)
            names = conn.execute(select(aliases.c.name_key, aliases.c.firm_id).order_by(aliases.c.name_key)).all()
        return largest, _digest(f"{key}={firm}" for key, firm in names)

    def firm_revision(self, firm_id: str) -> tuple[int, int]:
        """`revision` for one firm's answers: it changes when a filing is stored under one of its names or a
        name joins or leaves it, and not when another firm files (its largest filing id and a digest of its names)."""
        with self.engine.connect() as conn:
            keys = sorted(str(k) for k in conn.execute(select(aliases.c.name_key).where(aliases.c.firm_id == firm_id)).scalars())
            largest = int(conn.execute(select(func.max(filings.c.id)).where(filings.c.name_key.in_(keys))).scalar() or 0) if keys else 0
        return largest, _digest(keys)

    def firm_revisions(self) -> dict[str, tuple[int, int]]:
        """`firm_revision` of every firm the aliases name, in one query: what a server watching for changed firms
        reads when `revision` has moved, instead of one query per firm."""
        largest = select(func.max(filings.c.id)).where(filings.c.name_key == aliases.c.name_key).scalar_subquery()
        names: dict[str, list[tuple[str, int]]] = {}
        with self.engine.connect() as conn:
            for firm_id, key, filed in conn.execute(select(aliases.c.firm_id, aliases.c.name_key, largest)):
                names.setdefault(str(firm_id), []).append((str(key), int(filed or 0)))
        # Sorted here, as `firm_revision` sorts: the database's collation need not be Python's order.
        return {firm_id: (max(filed for _, filed in keys), _digest(sorted(key for key, _ in keys))) for firm_id, keys in names.items()}

    # -- the CFTC's month-end table ----------------------------------------------------------------------------
    def import_cftc_rows(self, rows: Sequence[MonthEndRow], *, source: str) -> tuple[int, int]:
        """Store the rows of one CFTC table in one transaction, each once: (rows stored, rows already present).

        A firm first met here is recorded as filings would record it, so its daily filings join it later.
        """
        with store_errors(self.engine.url, kept=f"nothing of {source} was stored"), self.engine.begin() as conn:
            ensure_aliases(conn, {name_key(row.firm) for row in rows})
            return cftc_rows.insert_new(conn, rows, source, datetime.now(UTC))

    def cftc_month_ends(self, firm: str) -> list[tuple[date, dict[str, Decimal]]]:
        """A firm's month-end values from the CFTC table, by date (firm by id or any name; KeyError if unknown)."""
        firm_id = self.require(firm)
        with self.engine.connect() as conn:
            return cftc_rows.month_ends(conn, firm_id)

    def stored_cftc_rows(self, firm: str) -> list[StoredRow]:
        """Every CFTC row of a firm with its words, flags and source file, oldest first (KeyError if unknown)."""
        firm_id = self.require(firm)
        with self.engine.connect() as conn:
            return cftc_rows.stored_rows(conn, firm_id)

    # -- NFA's public FCM summaries ----------------------------------------------------------------------------
    def import_nfa_summaries(self, summaries: Sequence[Summary], *, source: str) -> tuple[int, int]:
        """Store the summaries of one file in one transaction, each once: (summaries stored, already present).

        A firm first met here is recorded as filings would record it, so its daily filings join it later.
        """
        with store_errors(self.engine.url, kept=f"nothing of {source} was stored"), self.engine.begin() as conn:
            ensure_aliases(conn, {name_key(s.firm) for s in summaries})
            return nfa_rows.insert_new(conn, summaries, source, datetime.now(UTC))

    def nfa_summaries(self, firm: str) -> list[StoredSummary]:
        """Every NFA summary of a firm, oldest as-of date first (firm by id or any name; KeyError if unknown)."""
        firm_id = self.require(firm)
        with self.engine.connect() as conn:
            return nfa_rows.stored_summaries(conn, firm_id)

    def firm_ids(self) -> list[str]:
        # EXISTS: one index lookup a name; a join would read every filing's entry (7 ms at 60 firms x 10 years).
        filed = select(filings.c.id).where(filings.c.name_key == aliases.c.name_key).exists()
        query = select(aliases.c.firm_id).where(filed).distinct().order_by(aliases.c.firm_id)
        with self.engine.connect() as conn:
            return [str(f) for f in conn.execute(query).scalars()]

    def latest_end_date(self, firm: str | None = None, *, before: date | None = None) -> date | None:
        """The latest End Date stored (earlier than `before`, if given), of one firm or of any: the day a firm's
        silence is counted to, the filed day a day's change is counted from."""
        return self._end_date_bound(func.max, firm, before)

    def first_end_date(self, firm: str) -> date | None:
        """The firm's earliest End Date stored: where a table of its days begins."""
        return self._end_date_bound(func.min, firm, None)

    def _end_date_bound(self, bound: Callable[[Any], Any], firm: str | None, before: date | None) -> date | None:
        # Each name's bound from the heads' index (one lookup a name), then the bound of those: over the whole
        # table it would read every entry of that index, which leads with the name (7 ms at 60 firms x 10 years).
        per_name = select(bound(filings.c.end_date)).where(filings.c.name_key == aliases.c.name_key)
        if before is not None:
            per_name = per_name.where(filings.c.end_date < before)
        query = select(bound(per_name.correlate(aliases).scalar_subquery())).select_from(aliases)
        if firm is not None:
            query = query.where(aliases.c.firm_id == self.require(firm))
        with self.engine.connect() as conn:
            found = conn.execute(query).scalar()
        return found if isinstance(found, date) or found is None else date.fromisoformat(str(found))
