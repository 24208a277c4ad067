"""What the store pages show, shaped for the templates: firm rows, days of filings with their versions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from dailyseg.catalogue import CATALOGUE
from dailyseg.store import FilingVersion
from dailyseg.web.charts import short_title

# Status marks: a symbol and a word, so a mark reads the same without colour.
MARKS = {
    "deficiency": ("✖", "deficiency"),
    "under-target": ("▼", "under target"),
    "late": ("⏱", "late"),
    "amended": ("✎", "amended"),
}
DEFAULT_WINDOW = timedelta(days=365)


@dataclass(frozen=True)
class StatementColumn:
    id: str
    title: str


def statement_columns() -> list[StatementColumn]:
    return [StatementColumn(s.id, short_title(s.heading)) for s in CATALOGUE.statements]


@dataclass(frozen=True)
class Day:
    """One End Date of a firm: its versions in order received, and the one of record."""

    end_date: date
    versions: list[FilingVersion]

    @property
    def record(self) -> FilingVersion:
        return next((v for v in reversed(self.versions) if v.is_record), self.versions[-1])


def days_of(versions: list[FilingVersion]) -> list[Day]:
    """Versions grouped by End Date, latest day first."""
    grouped: dict[date, list[FilingVersion]] = {}
    for version in versions:
        grouped.setdefault(version.end_date, []).append(version)
    return [Day(day, sorted(found, key=lambda v: v.version)) for day, found in sorted(grouped.items(), reverse=True)]


def default_window(latest: date | None, start: date | None, end: date | None) -> tuple[date | None, date | None]:
    """The listed range: as asked, else the year up to the latest filing (a firm may have thousands)."""
    if start is None and end is None and latest is not None:
        return latest - DEFAULT_WINDOW, latest
    return start, end

