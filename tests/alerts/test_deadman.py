"""The dead-man check: a business day's filing that has not arrived by noon (New York) of the next business
day is the registry's missing-day event, with the identity the monitor gives the same day later."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from dailyseg.alerts.deadman import RULE, overdue, overdue_filings
from dailyseg.alerts.events import event_id, events_of
from dailyseg.calendar import FILING_ZONE
from dailyseg.checks import REGISTRY
from dailyseg.checks.history import NOT_FILING_DAYS
from dailyseg.store import Store
from dailyseg.store.synthetic import daily_filing
from dailyseg.watch.monitor import watch

FRIDAY = date(2024, 3, 1)


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2024, 3, day, hour, minute, tzinfo=FILING_ZONE)


def test_a_filing_is_overdue_only_after_its_due_time() -> None:
    assert list(overdue("acme", FRIDAY, _at(5, 11, 59))) == []  # Monday's statements are due Tuesday at noon
    (late,) = overdue("acme", FRIDAY, _at(5, 12, 0))
    assert late.end_date == date(2024, 3, 4) and late.finding.rule == RULE == "missing-day"
    assert REGISTRY[RULE].question == "firm" and late.finding.is_event
    assert "due 2024-03-05T12:00-05:00" in late.finding.message
    assert [o.end_date for o in overdue("acme", FRIDAY, _at(7, 12, 0))] == [date(2024, 3, 4), date(2024, 3, 5), date(2024, 3, 6)]


def test_a_longer_silence_is_not_a_filing_overdue() -> None:
    assert list(overdue("acme", FRIDAY, _at(8, 12, 0))) == []  # four days: the firm stopped filing (not-filing)
    assert NOT_FILING_DAYS == 3
    assert list(overdue("acme", None, _at(8, 12, 0))) == []


def test_the_dead_man_event_is_the_monitors_missing_day_once_a_later_filing_arrives(store_url: str) -> None:
    with Store.open(store_url) as store:
        store.ingest_filing(daily_filing("Acme Futures LLC", FRIDAY, requirement=Decimal(1000), funds=Decimal(2000)), source="a")
        (early,) = events_of(overdue_filings(store, ["acme-futures"], _at(5, 13)))
        store.ingest_filing(daily_filing("Acme Futures LLC", date(2024, 3, 5), requirement=Decimal(1000), funds=Decimal(2000)), source="b")
        later = [e for e in events_of(watch(store)) if e.rule == RULE]
    assert [e.observation.end_date for e in later] == [date(2024, 3, 4)]
    assert later[0].id == early.id == event_id(early.observation)
