"""The values the store hands out (the Store API contract shared with the web app): plain frozen data."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Literal, NamedTuple, Protocol, TypeVar

OutcomeStatus = Literal["stored", "already-present", "amended", "unreadable"]


@dataclass(frozen=True)
class IngestOutcome:
    """What happened to one filing (or one unreadable document) offered to the store.

    "amended": an AMENDED filing, or any version that the order of versions (versions.py) places after
    one already stored for its firm, form and End Date; "stored": the first version of its day in that
    order, either the first to arrive or one arriving after versions that come later in the order (an
    INITIAL after its amendment; the reason then says so, as the amendment stays the filing of record);
    "already-present": the same content was stored before. The reason of a further version says its
    place ("version 1 of 2 of 2024-03-04"), so a late original is told apart from a new amendment.
    """

    status: OutcomeStatus
    source: str
    filing_id: int | None
    firm: str | None
    end_date: date | None
    reason: str = ""


class VersionRow(Protocol):
    """A `filings` row joined to its firm, as the store reads it (the `version` column is the arrival number)."""

    @property
    def id(self) -> int: ...
    @property
    def firm_id(self) -> str: ...
    @property
    def firm_name(self) -> str: ...
    @property
    def end_date(self) -> date: ...
    @property
    def status(self) -> str: ...
    @property
    def form(self) -> str: ...
    @property
    def submit_date(self) -> date | None: ...
    @property
    def version(self) -> int: ...
    @property
    def content_hash(self) -> str: ...
    @property
    def stored_at(self) -> datetime: ...


@dataclass(frozen=True)
class FilingVersion:
    """One stored version of a firm's filing for a form and End Date (without its amounts).

    `version` is its position in the order of the day's versions, 1 for the first, and `is_record` marks
    the last in that order (versions.py); `arrival` is the stored arrival number, which never changes.
    """

    id: int
    firm_id: str
    firm_name: str
    end_date: date
    status: str
    form: str
    submit_date: date | None
    version: int
    is_record: bool
    content_hash: str
    stored_at: datetime
    arrival: int

    @classmethod
    def from_row(cls, row: VersionRow, *, version: int, is_record: bool) -> FilingVersion:
        """The version a row holds, at the place in its day's order that the caller found for it.

        The place is not in the row: it depends on the day's other versions, so the caller orders them
        (versions.py) and passes it. SQLite gives times back without their zone; they were stored in UTC.
        """
        stored = row.stored_at if row.stored_at.tzinfo else row.stored_at.replace(tzinfo=UTC)
        return cls(
            id=row.id,
            firm_id=row.firm_id,
            firm_name=row.firm_name,
            end_date=row.end_date,
            status=row.status,
            form=row.form,
            submit_date=row.submit_date,
            version=version,
            is_record=is_record,
            content_hash=row.content_hash,
            stored_at=stored,
            arrival=row.version,
        )


T = TypeVar("T")


@dataclass(frozen=True)
class HistoryColumns:
    """A firm's figures by day, in columns: one entry per End Date (its filing of record), and per code a
    list of exact integer cents (None where that day's filing lacks the code). Charts read this directly."""

    dates: list[date]
    filing_ids: list[int]
    amended: list[bool]
    cents: dict[str, list[int | None]]

    def only(self, codes: Sequence[str]) -> HistoryColumns:
        """The same days with the columns of `codes` only (each read into this table; KeyError if not): what
        reading with `codes` gives, without reading again."""
        return HistoryColumns(self.dates, self.filing_ids, self.amended, {code: self.cents[code] for code in codes})

    def spliced(self, newer: HistoryColumns, start: date, end: date) -> HistoryColumns:
        """This table with its days from `start` to `end` replaced by `newer`, a read of those days with the same
        codes: what reading every day again gives when only those days can have changed (`Store.history_columns_since`)."""
        first, after = bisect_left(self.dates, start), bisect_right(self.dates, end)

        def joined(mine: list[T], theirs: list[T]) -> list[T]:
            return mine[:first] + theirs + mine[after:]

        return HistoryColumns(
            joined(self.dates, newer.dates),
            joined(self.filing_ids, newer.filing_ids),
            joined(self.amended, newer.amended),
            {code: joined(column, newer.cents[code]) for code, column in self.cents.items()},
        )


class HistoryPoint(NamedTuple):
    """One code's value on one End Date's filing of record. A named tuple, immutable like the frozen
    dataclass it was, because ten years of history are thousands of points and a named tuple is built in
    a third of the time (issue 16)."""

    end_date: date
    code: str
    value: Decimal
    filing_id: int
    amended: bool
