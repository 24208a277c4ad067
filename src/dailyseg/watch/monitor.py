"""Watching firms over time: the registry's rules run on each filing of record, and its rules over time.

Nothing here judges anything itself. Each End Date's filing of record goes through the same rules as
`dailyseg validate` (so a deficiency is rated the same everywhere); the rules that need a firm's history
(`dailyseg.checks.history`) get the records and the versions of each day in their proper order. An event that
holds on consecutive filed days carries the first of them as `since`. What reports only the latest filing's
defects (a firm's status, the overview's feed) asks for `defects="latest"`: the earlier records then go
through the events alone, read with only the lines those and the rules over time look at.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from itertools import pairwise
from typing import Any, Literal

from dailyseg.catalogue import CATALOGUE
from dailyseg.checks import REGISTRY, Context, Finding, Selection
from dailyseg.checks.header import check_late_initial
from dailyseg.checks.history import Revision, UnusualMoveRule, amendments, drawdowns, missing_days, moves, not_filing, watched_lines
from dailyseg.filing import Filing
from dailyseg.store.diff import diff_filings
from dailyseg.store.store import Store
from dailyseg.store.types import FilingVersion
from dailyseg.store.versions import records_by

__all__ = ["Observation", "UnusualMoveRule", "as_of_date", "watch"]

# Which filings of record the rules about the filing itself (question "filing": formulas, signs, header...) run
# on: every day, or only the latest (what a firm's status reports of them); the events run on every day.
Defects = Literal["every day", "latest"]
# The lines the events of one filing read (each statement's standing: deficiency, below target; its excess:
# below the undermargined total) and the rules over time read (the excess: drawdowns; the watched lines:
# unusual moves). A filing of record that only those rules judge is read with these lines alone.
EVENT_CODES = tuple(
    sorted(
        {str(ref) for s in CATALOGUE.statements for ref in s.key_refs.values()}
        | {ref for s in CATALOGUE.statements for layout in CATALOGUE.layouts for ref in watched_lines(s, layout)}
    )
)


@dataclass(frozen=True)
class Observation:
    """A finding with the firm and End Date it concerns."""

    firm_id: str
    end_date: date
    finding: Finding


def as_of_date(store: Store, end: date | None = None) -> date | None:
    """The day a firm's status is judged at: the latest End Date in the store (capped at `end`)."""
    latest = store.latest_end_date()
    if latest is None:
        return end
    return min(latest, end) if end is not None else latest


def _with_since(found: Iterable[Observation], days: Sequence[date]) -> Iterator[Observation]:
    """Give each event the first End Date of its unbroken run over consecutive filed days."""
    position = {day: i for i, day in enumerate(days)}
    runs: dict[tuple[str, str | None], tuple[int, date]] = {}
    for o in sorted(found, key=lambda o: o.end_date):
        key, at = (o.finding.rule, o.finding.statement), position.get(o.end_date)
        held = runs.get(key)
        start = held[1] if held is not None and at is not None and held[0] == at - 1 else o.end_date
        if at is not None:
            runs[key] = (at, start)
        yield replace(o, finding=replace(o.finding, since=start)) if o.finding.is_event and o.finding.since is None else o


def _record_findings(
    firm_id: str, records: Sequence[tuple[FilingVersion, Filing]], selection: Selection, defects: Defects
) -> Iterator[Observation]:
    chosen = REGISTRY.chosen(selection, scope="filing")
    every = [r.id for r in chosen]
    events = every if defects == "every day" else [r.id for r in chosen if r.question == "firm"]
    for i, (version, filing) in enumerate(records, start=1):
        for finding in REGISTRY.validate(filing, every if i == len(records) else events):
            yield Observation(firm_id, version.end_date, replace(finding, message=f"{firm_id} {version.end_date}: {finding.message}"))


def _version_findings(
    firm_id: str, days: Mapping[tuple[date, str], Sequence[FilingVersion]], content: Mapping[int, Filing], selection: Selection
) -> Iterator[Observation]:
    """Amendments, each against the version it replaces in their proper order (not the order of arrival)."""
    late_wanted = check_late_initial in REGISTRY.chosen(selection)
    for (day, _), group in days.items():
        revisions = [Revision(group[0].status, group[0].id)]
        revisions += [
            Revision(after.status, after.id, diff_filings(content[before.id], content[after.id])) for before, after in pairwise(group)
        ]
        for end_date, finding in amendments(firm_id, day, revisions):
            yield Observation(firm_id, end_date, finding)
        # The record already went through every filing rule; an INITIAL that an amendment replaced is still late.
        for v in group:
            if late_wanted and not v.is_record and v.status.upper() == "INITIAL":
                for finding in check_late_initial.run(content[v.id], Context()):
                    yield Observation(firm_id, day, replace(finding, message=f"{firm_id} {day}: {finding.message}"))


@dataclass(frozen=True)
class FirmWatch:
    """What watching one firm read (its filings of record, in date order) and found."""

    records: list[tuple[FilingVersion, Filing]]
    observations: list[Observation]


def _contents(store: Store, records: Sequence[FilingVersion], amended: Sequence[FilingVersion], defects: Defects) -> dict[int, Filing]:
    """Each version's filing by id, whole where a rule may read any line (every version of an amended day:
    amendments are compared line by line), else with only `EVENT_CODES` (records only events judge)."""
    whole = {v.id: v for v in (records if defects == "every day" else records[-1:])} | {v.id: v for v in amended}
    content = dict(zip(whole, store.contents(list(whole.values())), strict=True))
    narrow = [v for v in records if v.id not in whole]
    if narrow:
        content.update(zip((v.id for v in narrow), store.contents(narrow, codes=EVENT_CODES), strict=True))
    return content


def watch_firm(
    store: Store,
    firm_id: str,
    start: date | None,
    end: date | None,
    *,
    selection: Selection,
    unusual: UnusualMoveRule,
    as_of: date | None,
    defects: Defects = "every day",
) -> FirmWatch:
    """One firm's findings, reading each version it needs once (two queries for all their contents, four when
    the rules about the filing itself judge only the latest record, so the others are read in part)."""
    wanted = {r.id for r in REGISTRY.chosen(selection)}
    day_versions = store.day_versions(firm_id, start, end)
    by_day = records_by((group[-1] for group in day_versions.values()), lambda v: v.end_date)
    record_versions = [v for _, v in sorted(by_day.items())]
    content = _contents(store, record_versions, [v for group in day_versions.values() if len(group) > 1 for v in group], defects)
    records = [(v, content[v.id]) for v in record_versions]
    dated = [(v.end_date, f) for v, f in records]
    found = [
        *_record_findings(firm_id, records, selection, defects),
        *_version_findings(firm_id, {day: group for day, group in day_versions.items() if len(group) > 1}, content, selection),
        *(Observation(firm_id, d, f) for d, f in drawdowns(firm_id, dated)),
        *(Observation(firm_id, d, f) for d, f in moves(firm_id, dated, unusual)),
        *(Observation(firm_id, d, f) for d, f in missing_days(firm_id, (day for day, _ in day_versions), start, end)),
    ]
    last = store.latest_end_date(firm_id)
    if last is not None and as_of is not None and last <= as_of:
        found.extend(Observation(firm_id, d, f) for d, f in not_filing(firm_id, last, as_of))
    kept = [o for o in _with_since(found, [d for d, _ in dated]) if o.finding.rule in wanted]
    return FirmWatch(records, sorted(kept, key=_order))


def watch_latest(store: Store, firm_id: str, start: date, end: date, as_of: date | None) -> FirmWatch:
    """`watch_firm` with every rule, judging the defects of the latest filing only: what a firm's status and
    its part of the overview's feed watch (the same days, so the pages' cache watches once for both)."""
    return watch_firm(store, firm_id, start, end, selection=Selection(), unusual=UnusualMoveRule(), as_of=as_of, defects="latest")


# `watch_latest`, or what gives what it gives (the pages' cache of it).
WatchLatest = Callable[[Store, str, date, date, date | None], FirmWatch]


def _order(o: Observation) -> tuple[Any, ...]:
    return (o.firm_id, o.end_date, *REGISTRY.rank(o.finding), o.finding.statement or "", o.finding.codes)


def watch(
    store: Store,
    firm: str | None = None,
    start: date | None = None,
    end: date | None = None,
    *,
    unusual: UnusualMoveRule | None = None,
    selection: Selection | None = None,
    as_of: date | None = None,
) -> list[Observation]:
    """Every finding for `firm` (or every firm) between `start` and `end`, by firm, then date, then as every
    surface orders findings (events first). `as_of` (default: `as_of_date`) is the day silence is counted to."""
    judged_at = as_of or as_of_date(store, end)
    firm_ids = [store.require(firm)] if firm is not None else store.firm_ids()
    chosen, moves_rule = selection or Selection(), unusual or UnusualMoveRule()
    return [
        o
        for firm_id in firm_ids
        for o in watch_firm(store, firm_id, start, end, selection=chosen, unusual=moves_rule, as_of=judged_at).observations
    ]


def monitor(store: Store, firm: str | None = None, start: date | None = None, end: date | None = None) -> list[Finding]:
    """The findings of `watch`, as plain `Finding` values (the Store API contract)."""
    return [o.finding for o in watch(store, firm, start, end)]
