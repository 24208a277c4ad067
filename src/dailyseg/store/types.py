"""The values the store hands out (the Store API contract shared with the web app): plain frozen data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

OutcomeStatus = Literal["stored", "already-present", "amended", "unreadable"]
FLAGS = ("deficiency", "under-target", "late", "amended")


@dataclass(frozen=True)
class IngestOutcome:
    """What happened to one filing (or one unreadable document) offered to the store.

    "stored": the first version for its firm, form and End Date; "amended": a further version of a day
    already stored (whatever its status); "already-present": the same content was stored before.
    """

    status: OutcomeStatus
    source: str
    filing_id: int | None
    firm: str | None
    end_date: date | None
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "source": self.source,
            "filing_id": self.filing_id,
            "firm": self.firm,
            "end_date": self.end_date.isoformat() if self.end_date else None,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class FilingVersion:
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

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "firm_id": self.firm_id,
            "firm_name": self.firm_name,
            "end_date": self.end_date.isoformat(),
            "status": self.status,
            "form": self.form,
            "submit_date": self.submit_date.isoformat() if self.submit_date else None,
            "version": self.version,
            "is_record": self.is_record,
            "content_hash": self.content_hash,
            "stored_at": self.stored_at.isoformat(),
        }


@dataclass(frozen=True)
class StatementSummary:
    requirement: Decimal | None
    funds: Decimal | None
    excess: Decimal | None
    target: Decimal | None


@dataclass(frozen=True)
class FirmSummary:
    firm_id: str
    name: str
    latest_end_date: date | None
    statements: dict[str, StatementSummary]
    flags: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        def text(value: Decimal | None) -> str | None:
            return None if value is None else str(value)

        return {
            "firm_id": self.firm_id,
            "name": self.name,
            "latest_end_date": self.latest_end_date.isoformat() if self.latest_end_date else None,
            "statements": {
                sid: {"requirement": text(s.requirement), "funds": text(s.funds), "excess": text(s.excess), "target": text(s.target)}
                for sid, s in self.statements.items()
            },
            "flags": list(self.flags),
        }


@dataclass(frozen=True)
class HistoryColumns:
    """A firm's figures by day, in columns: one entry per End Date (its filing of record), and per code a
    list of exact integer cents (None where that day's filing lacks the code). Charts read this directly."""

    dates: list[date]
    filing_ids: list[int]
    amended: list[bool]
    cents: dict[str, list[int | None]]


@dataclass(frozen=True)
class HistoryPoint:
    end_date: date
    code: str
    value: Decimal
    filing_id: int
    amended: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "end_date": self.end_date.isoformat(),
            "code": self.code,
            "value": str(self.value),
            "filing_id": self.filing_id,
            "amended": self.amended,
        }
