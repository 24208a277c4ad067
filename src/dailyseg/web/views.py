"""What the store pages show, shaped for the templates: firm rows, days of filings, comparisons."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from dailyseg.calendar import previous_business_day
from dailyseg.catalogue import CATALOGUE
from dailyseg.checks import REGISTRY
from dailyseg.filing import Filing
from dailyseg.store import FilingVersion, Store
from dailyseg.store.diff import LineChange, diff_filings
from dailyseg.watch.status import FirmStatus

# Status marks: a tag and a word, so a mark reads the same without colour and without an emoji or symbol
# font (plain ASCII capitals). The tag says what kind of finding it is (an event by its severity, or a defect
# of the filing; LATE for a late filing); the word is the rule's id.
_TAGS = {("firm", "error"): "ALERT", ("firm", "warning"): "WARN", ("firm", "notice"): "NOTE"}
_RULE_TAGS = {"late-initial": "LATE"}
MARKS = {
    r.id: (_RULE_TAGS.get(r.id) or _TAGS.get((r.question, r.severity), "DEFECT"), r.id.replace("-", " "), f"{r.question}-{r.severity}")
    for r in REGISTRY.values()
}


@dataclass(frozen=True)
class Part:
    """A figure a page shows per statement: a key line of the catalogue or one derived from them."""

    id: str
    label: str
    percent: bool = False


_KEY = CATALOGUE.key_line_by_id
# The firms list: how each firm stands, compactly; the firm page: the whole latest filing's key lines.
FIRMS_PARTS = (
    Part("excess", _KEY["excess"].label),
    Part("excess_percent", "% of requirement", percent=True),
    Part("over_target", _KEY["excess_over_target"].label),
    Part("excess_change", "Day change"),
)
FIRM_PARTS = (
    *(Part(k.id if k.id != "excess_over_target" else "over_target", k.label) for k in CATALOGUE.key_lines),
    Part("excess_percent", "% of requirement", percent=True),
    Part("excess_change", "Day change"),
)
# The firms list's full grid (?grid=full): every key line, as on the firm page.
FIRMS_FULL_PARTS = FIRM_PARTS
DEFAULT_WINDOW = timedelta(days=365)
# How far back the filing page looks for the previous filing of record (long holiday weekends included).
LOOK_BACK = timedelta(days=14)


@dataclass(frozen=True)
class StatementColumn:
    id: str
    title: str


def statement_columns() -> list[StatementColumn]:
    return [StatementColumn(s.id, s.name) for s in CATALOGUE.statements]


# The firms list's order of statements: segregation first (a deficiency there matters most), then secured
# amounts, then swaps; any other statement of the catalogue after them.
FIRMS_STATEMENT_ORDER = ("segregation", "secured", "swaps")


def firms_statement_columns() -> list[StatementColumn]:
    """The statement columns of the firms list, in `FIRMS_STATEMENT_ORDER`."""
    known = {c.id: c for c in statement_columns()}
    first = [known.pop(sid) for sid in FIRMS_STATEMENT_ORDER if sid in known]
    return first + list(known.values())


# A numeric sort key of a firm's status: its worst finding's registry rank folded into one number (events
# before defects, then severity, then the registry's order); a firm with nothing to report sorts last.
_RANK_BASE = 1000
CLEAN_RANK = _RANK_BASE**3


def status_rank(firm: FirmStatus) -> int:
    if firm.worst is None:
        return CLEAN_RANK
    question, severity, position = firm.worst
    return (question * _RANK_BASE + severity) * _RANK_BASE + position


def lowest_excess_percent(firm: FirmStatus) -> Decimal | None:
    """The lowest excess as % of requirement over the firm's statements, segregation's first on ties."""
    found = (firm.statements[c.id].value("excess_percent") for c in firms_statement_columns() if c.id in firm.statements)
    known = [v for v in found if v is not None]
    return min(known) if known else None


@dataclass(frozen=True)
class FirmRow:
    """A firm as the firms list shows it: its status and its numeric sort keys."""

    firm: FirmStatus
    rank: int
    excess_percent: Decimal | None


def worst_first(firms: Iterable[FirmStatus]) -> list[FirmRow]:
    """The firms list's default order: by the rank of the worst event or defect, then the excess as % of
    requirement ascending (the thinnest cushion first; none known last), then by name."""
    rows = [FirmRow(f, status_rank(f), lowest_excess_percent(f)) for f in firms]
    return sorted(
        rows,
        key=lambda r: (r.rank, r.excess_percent is None, r.excess_percent or Decimal(0), r.firm.name.lower(), r.firm.firm_id),
    )


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


@dataclass(frozen=True)
class Comparison:
    """The filing set beside another one: which, why, and the lines that differ."""

    title: str
    other: FilingVersion
    changes: list[LineChange]


def comparisons(store: Store, version: FilingVersion, filing: Filing, same_day: list[FilingVersion]) -> list[Comparison]:
    """Against the firm's previous filing of record (normally the previous business day) and earlier versions."""
    found = []
    expected = previous_business_day(version.end_date)
    earlier_days = store.filings(version.firm_id, version.end_date - LOOK_BACK, version.end_date - timedelta(days=1), record_only=True)
    earlier_days = [v for v in earlier_days if v.form == version.form]
    if earlier_days:
        before = earlier_days[-1]
        gap = "" if before.end_date == expected else f" (no filing for {expected.isoformat()})"
        title = f"Change from the previous business day's filing, {before.end_date.isoformat()}{gap}"
        found.append(Comparison(title, before, diff_filings(store.get(before.id)[1], filing)))
    for other in same_day:
        if other.version < version.version:
            title = f"Change from version {other.version} ({other.status.lower()}) of the same day"
            found.append(Comparison(title, other, diff_filings(store.get(other.id)[1], filing)))
    return found
