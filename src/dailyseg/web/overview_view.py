"""The industry at a glance: the day's board, totals across firms over time, shares and ranks, the events feed.

Nothing is judged here. The board sorts each firm by its status (`watch.status.firm_status`, through the
pages' cache `firms_now`): a firm filed the board's day when its latest filing of record is for that day,
and is deficient, under target or late when its status holds that rule's finding for that day. The feed is
the monitor's events (`watch.monitor.watch_firm`, every rule, with the same look-back as the status) of the
last days, newest first. Totals and shares add up the filed figures exactly (integer cents, then Decimal).

The board's day is the as-of day of the firms' status: the latest End Date in the store, or `?as_of=`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import partial

from dailyseg.calendar import due_at, is_late
from dailyseg.catalogue import CATALOGUE
from dailyseg.checks import REGISTRY
from dailyseg.money import from_cents
from dailyseg.store import HistoryColumns, Store
from dailyseg.store.totals import RecordTotals
from dailyseg.watch.monitor import Observation, WatchLatest, watch_latest
from dailyseg.watch.status import FEED_DAYS, LOOK_BACK, FirmStatus, observation_data, observation_of
from dailyseg.web.views import StatementColumn, firms_statement_columns

DEFAULT_DAYS = FEED_DAYS
MAX_DAYS = 366
# The parts totalled over firms, the catalogue's first three key lines (requirement, funds, excess): what the
# industry holds for customers and against what. The target is left out: many filings, the 2013 layout's among
# them, carry none, so its total would mix firms with and without.
TOTAL_PARTS = tuple(k.id for k in CATALOGUE.key_lines)[:3]
# Per statement, the code of each part totalled; and all of them, as the store reads them.
TOTAL_CODES = {s.id: {part: s.key_refs[part] for part in TOTAL_PARTS} for s in CATALOGUE.statements}
TOTALLED = [code for parts in TOTAL_CODES.values() for code in parts.values()]
# The board's groups, in the order shown, with the rule whose finding (on the board's day) puts a firm in it.
GROUP_RULES = {"deficient": "deficiency", "under_target": "below-target", "late": "late-initial"}
GROUP_TITLES = {
    "filed": "Filed",
    "not_filed": "Not filed",
    "late": "Late",
    "deficient": "Deficient",
    "under_target": "Under target",
}
# A firm's monitor findings, and its filings of record by End Date; by firm, as the feed reads them.
WatchedFirm = tuple[list[Observation], dict[date, int]]
Watched = dict[str, WatchedFirm]
# How the overview gets a firm's part of the feed from `first` to the board's day: `watched_firm`, or the
# pages' cache of it (`web.cache.firm_watch_now`), which keeps it per firm.
WatchFirm = Callable[[str, date, date], WatchedFirm]


@dataclass(frozen=True)
class BoardFirm:
    """A firm on the board: its status, and the filing the board links to (the day's, else its latest)."""

    firm: FirmStatus
    filing_id: int | None


@dataclass(frozen=True)
class Board:
    day: date
    groups: dict[str, list[BoardFirm]]

    @property
    def counts(self) -> dict[str, int]:
        return {group: len(firms) for group, firms in self.groups.items()}

    @property
    def due(self) -> datetime:
        return due_at(self.day)

    def overdue(self, now: datetime) -> bool:
        """Whether the day's statements were due before `now` (asked at each answer: the board itself is kept)."""
        return is_late(self.day, now)


@dataclass(frozen=True)
class FeedEvent:
    """One event of the feed, with the filing of record of its day when there is one (a missing day has none)."""

    observation: Observation
    firm_name: str
    filing_id: int | None


@dataclass(frozen=True)
class Share:
    """A firm's part of the industry's requirement in one statement, from its latest filing of record."""

    rank: int
    firm: FirmStatus
    requirement: Decimal
    funds: Decimal | None
    excess: Decimal | None
    percent: Decimal


@dataclass(frozen=True)
class Totals:
    """Per statement and part, the sum over firms of each End Date's filings of record, and how many firms filed."""

    dates: list[date]
    firms: list[int]
    sums: dict[str, dict[str, list[Decimal | None]]]
    codes: dict[str, dict[str, str]]


@dataclass(frozen=True)
class Overview:
    board: Board | None
    shares: dict[str, list[Share]]
    share_totals: dict[str, Decimal]
    feed: list[FeedEvent]
    days: int
    columns: list[StatementColumn]


def _on(firm: FirmStatus, rule: str, day: date) -> bool:
    return any(o.finding.rule == rule and o.end_date == day for o in firm.findings)


def board(firms: Iterable[FirmStatus], day: date, records: dict[tuple[str, date], int]) -> Board:
    """Each firm in `filed` or `not_filed`, and in every group whose rule its status holds for `day`."""
    groups: dict[str, list[BoardFirm]] = {group: [] for group in GROUP_TITLES}
    for firm in firms:
        latest = firm.latest_end_date
        entry = BoardFirm(firm, records.get((firm.firm_id, latest)) if latest is not None else None)
        groups["filed" if latest == day else "not_filed"].append(entry)
        for group, rule in GROUP_RULES.items():
            if _on(firm, rule, day):
                groups[group].append(entry)
    return Board(day, groups)


def feed(firms: Iterable[FirmStatus], watched: Watched, first: date) -> list[FeedEvent]:
    """Every event from `first` on, newest first; on a day, worst first (the registry's rank), then by firm."""
    names = {f.firm_id: f.name for f in firms}
    found = [
        FeedEvent(o, names.get(firm_id, firm_id), records.get(o.end_date))
        for firm_id, (observations, records) in watched.items()
        for o in observations
        if o.finding.is_event and o.end_date >= first
    ]
    return sorted(
        found, key=lambda e: (-e.observation.end_date.toordinal(), REGISTRY.rank(e.observation.finding), e.firm_name.lower(), e.firm_name)
    )


def watched_firm(store: Store, firm_id: str, first: date, day: date, watch: WatchLatest = watch_latest) -> WatchedFirm:
    """The firm's monitor findings from `first` (less the look-back the rules over time read, as a firm's status
    does: a drawdown compares with the prior filed day, an unusual move with the trailing 20 filed days) to
    `day`, and its filings of record by End Date. The feed shows events only, so the defects of its earlier
    filings are not judged (`defects="latest"`)."""
    watched = watch(store, firm_id, first - LOOK_BACK, day, day)
    return watched.observations, {v.end_date: v.id for v, _ in watched.records}


def watched_to_json(watched: WatchedFirm) -> str:
    """A firm's part of the feed as the store keeps it (`store.answers`): its observations, and its filings of record by day."""
    observations, records = watched
    return json.dumps(
        {"observations": [observation_data(o) for o in observations], "records": [[d.isoformat(), i] for d, i in records.items()]}
    )


def watched_from_json(text: str) -> WatchedFirm:
    data = json.loads(text)
    return [observation_of(o) for o in data["observations"]], {date.fromisoformat(d): int(i) for d, i in data["records"]}


def columns_to_json(columns: HistoryColumns) -> str:
    """A firm's figures the totals add up, as the store keeps them (`store.answers`): integer cents, dates ISO 8601."""
    return json.dumps(
        {
            "dates": [d.isoformat() for d in columns.dates],
            "filing_ids": columns.filing_ids,
            "amended": columns.amended,
            "cents": columns.cents,
        }
    )


def columns_from_json(text: str) -> HistoryColumns:
    data = json.loads(text)
    return HistoryColumns([date.fromisoformat(d) for d in data["dates"]], data["filing_ids"], data["amended"], data["cents"])


def shares(firms: Iterable[FirmStatus]) -> tuple[dict[str, list[Share]], dict[str, Decimal]]:
    """Per statement, each firm with a requirement ranked by it (largest first, then by name), and the total.

    A share is the firm's requirement as a percentage of the total, to two places, so shares may add up to a
    hundredth more or less than 100."""
    ranked: dict[str, list[Share]] = {}
    totals: dict[str, Decimal] = {}
    for column in firms_statement_columns():
        held = [(f, f.statements[column.id].standing) for f in firms if column.id in f.statements]
        held = [(f, s) for f, s in held if s.requirement is not None and s.requirement > 0]
        if not held:
            continue
        total = sum((s.requirement for _, s in held if s.requirement is not None), Decimal(0))
        held.sort(key=lambda fs: (-(fs[1].requirement or 0), fs[0].name.lower(), fs[0].firm_id))
        ranked[column.id] = [
            Share(i, f, s.requirement, s.funds, s.excess, (s.requirement * 100 / total).quantize(Decimal("0.01")))
            for i, (f, s) in enumerate(held, start=1)
            if s.requirement is not None
        ]
        totals[column.id] = total
    return ranked, totals


def totals(found: RecordTotals) -> Totals:
    """Requirement, funds and excess of each statement summed over firms, per End Date, from the sums of
    `TOTAL_CODES` (`store.totals`): a firm counts on a day when its filing of record carries any of those lines."""
    sums = {
        c.id: {part: [_dollars(cents) for cents in found.cents[TOTAL_CODES[c.id][part]]] for part in TOTAL_PARTS}
        for c in firms_statement_columns()
        if any(cents is not None for part in TOTAL_PARTS for cents in found.cents[TOTAL_CODES[c.id][part]])
    }
    return Totals(found.dates, found.firms, sums, {sid: TOTAL_CODES[sid] for sid in sums})


def _dollars(cents: int | None) -> Decimal | None:
    return None if cents is None else from_cents(cents)


def within(found: Totals, start: date | None, end: date | None) -> Totals:
    """The totals of the End Dates from `start` to `end` (either open)."""
    kept = [i for i, day in enumerate(found.dates) if (start is None or day >= start) and (end is None or day <= end)]
    return Totals(
        [found.dates[i] for i in kept],
        [found.firms[i] for i in kept],
        {sid: {part: [values[i] for i in kept] for part, values in parts.items()} for sid, parts in found.sums.items()},
        found.codes,
    )


def overview(store: Store, firms: list[FirmStatus], days: int, watched_of: WatchFirm | None = None) -> Overview:
    """The board, shares and feed as of the firms' status day (the feed's first day `days` - 1 before it);
    each firm's part of the feed from `watched_of` (default: `watched_firm` on `store`)."""
    listed, share_totals = shares(firms)
    day = next((f.as_of for f in firms if f.as_of is not None), None)
    if day is None:
        return Overview(None, listed, share_totals, [], days, firms_statement_columns())
    first = day - timedelta(days=days - 1)
    watch = watched_of or partial(watched_firm, store)
    watched = {firm.firm_id: watch(firm.firm_id, first, day) for firm in firms}
    records = {(firm_id, end): filing_id for firm_id, (_, by_day) in watched.items() for end, filing_id in by_day.items()}
    return Overview(board(firms, day, records), listed, share_totals, feed(firms, watched, first), days, firms_statement_columns())
