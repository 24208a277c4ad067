"""What the filing page shows above the form: event banners, the filing of record, neighbouring days, a summary;
and the close page's event banners, the same but for the run of days a close's figures do not have.

Nothing here judges anything: the events are the filing's own findings (the registry's rules), each given
the `since` of its run as the monitor (`dailyseg.watch.monitor.watch`) finds it, and the notice and citation
its rule declares. The business day of a run is counted on the business-day calendar.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from dailyseg.calendar import business_days, next_business_day, previous_business_day
from dailyseg.catalogue import CATALOGUE
from dailyseg.checks import REGISTRY, Finding
from dailyseg.money import format_amount
from dailyseg.notices.draft import FILING_EVENTS
from dailyseg.store import FilingVersion, Store
from dailyseg.store.notices import Notice, list_notices
from dailyseg.watch.monitor import watch
from dailyseg.web.notice_view import NoticeLink, notice_link

# The monitor's look-back for a run's first day: widened until the run starts inside it (or this is reached).
FIRST_LOOK_BACK = timedelta(days=31)
MOST_LOOK_BACK = timedelta(days=366 * 5)


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def statement_name(statement: str | None) -> str:
    """A statement's short name ("Segregation", "Secured Amounts"); the filing as a whole when there is none."""
    if statement is None or statement not in CATALOGUE.statement_by_id:
        return "Filing"
    return CATALOGUE.statement_by_id[statement].name.removesuffix(" Statement")


def anchor(finding: Finding) -> str:
    """Where on the page a finding points: its first line, else its statement, else the form's top."""
    if finding.codes:
        return f"#line-{finding.codes[0]}"
    if finding.statement:
        return f"#statement-{finding.statement}"
    return "#form"


@dataclass(frozen=True)
class Banner:
    """One event of the filing, as the top of the page states it."""

    rule: str
    severity: str
    text: str
    notice: str
    href: str
    notice_link: NoticeLink | None  # the notice the event requires: kept (drafted or sent), or to be drafted


def _runs(store: Store, version: FilingVersion, events: Sequence[Finding]) -> dict[tuple[str, str | None], date]:
    """The monitor's `since` of each event on the version's End Date, by (rule, statement)."""
    wanted = {(f.rule, f.statement) for f in events}
    look_back = FIRST_LOOK_BACK
    while True:
        start = version.end_date - look_back
        found = {
            (o.finding.rule, o.finding.statement): o.finding.since
            for o in watch(store, version.firm_id, start, version.end_date, as_of=version.end_date)
            if o.end_date == version.end_date and (o.finding.rule, o.finding.statement) in wanted and o.finding.since is not None
        }
        first_filed = min((v.end_date for v in store.filings(version.firm_id, start, version.end_date, record_only=True)), default=None)
        if look_back >= MOST_LOOK_BACK or all(since != first_filed for since in found.values()):
            return found
        look_back = min(look_back * 2, MOST_LOOK_BACK)


def _amount(finding: Finding) -> Decimal | None:
    for value in (finding.difference, finding.actual):
        if isinstance(value, Decimal):
            return value
    return None


def _banner(f: Finding, run: str, kept: Mapping[tuple[str, str | None], Notice]) -> Banner:
    """The banner of event `f`, `run` saying since when it has lasted (or nothing)."""
    rule = REGISTRY[f.rule]
    value = _amount(f)
    shown = f" {format_amount(value, parentheses=True)}" if value is not None else ""
    citation = f.citation or rule.citation_for(f.statement)
    text = f"{statement_name(f.statement)} {rule.id.replace('-', ' ')}{shown}{run}; {citation} notice"
    return Banner(f.rule, f.severity, text, f.notice or rule.notice, anchor(f), notice_link(f.rule, f.statement, kept))


def _kept(events: Sequence[Finding], kept: Callable[[], list[Notice]]) -> dict[tuple[str, str | None], Notice]:
    """The notices kept for the events, by (rule, statement); read only when an event requires one."""
    if not any(f.rule in FILING_EVENTS for f in events):
        return {}
    return {(n.draft.kind, n.draft.statement): n for n in kept()}


def banners(store: Store, version: FilingVersion, findings: Sequence[Finding]) -> list[Banner]:
    """A banner for each event of the filing: the statement, the amount, the day of its run, the notice, and the
    link to the notice kept for the event (or to draft it) when its rule requires a written one."""
    events = [f for f in findings if f.is_event]
    if not events:
        return []
    runs = _runs(store, version, events)
    kept = _kept(events, lambda: list_notices(store, filing_id=version.id))
    found = []
    for f in events:
        since = runs.get((f.rule, f.statement), version.end_date)
        day = len(business_days(since, version.end_date)) or 1
        found.append(_banner(f, f", {ordinal(day)} business day, since {since.isoformat()}", kept))
    return found


def close_banners(store: Store, close_id: int, findings: Sequence[Finding]) -> list[Banner]:
    """A banner for each event of a close's figures, with the link to the notice kept with the close (or to draft
    it): the firm's own computation, before it files, has no run of filed days to count."""
    events = [f for f in findings if f.is_event]
    kept = _kept(events, lambda: list_notices(store, close_id=close_id))
    return [_banner(f, "", kept) for f in events]


@dataclass(frozen=True)
class Neighbour:
    """The firm's filing of record on a neighbouring business day, or None where that day is missing."""

    label: str
    end_date: date
    version: FilingVersion | None


def neighbours(store: Store, version: FilingVersion) -> list[Neighbour]:
    """The previous and the next business day's filings of record (same form), each found or missing."""
    found = []
    for label, day in (
        ("Previous business day", previous_business_day(version.end_date)),
        ("Next business day", next_business_day(version.end_date)),
    ):
        records = [v for v in store.filings(version.firm_id, day, day, record_only=True) if v.form == version.form]
        found.append(Neighbour(label, day, records[-1] if records else None))
    return found


def record_of(same_day: Sequence[FilingVersion], version: FilingVersion) -> FilingVersion | None:
    """The filing of record of the version's day, when the version is not it."""
    if version.is_record:
        return None
    return next((v for v in reversed(same_day) if v.is_record), None)


@dataclass(frozen=True)
class Summary:
    """The filing's findings counted by kind, each listed with a link to where it points."""

    events: list[tuple[Finding, str]]
    errors: list[tuple[Finding, str]]
    warnings: list[tuple[Finding, str]]
    others: list[tuple[Finding, str]]


def summary(findings: Sequence[Finding]) -> Summary:
    linked = [(f, anchor(f)) for f in findings]
    defects = [(f, a) for f, a in linked if not f.is_event]
    return Summary(
        events=[(f, a) for f, a in linked if f.is_event],
        errors=[(f, a) for f, a in defects if f.severity == "error"],
        warnings=[(f, a) for f, a in defects if f.severity == "warning"],
        others=[(f, a) for f, a in defects if f.severity not in ("error", "warning")],
    )
