"""The dead-man check: a firm's filing, or its own daily close, for a business day not there by its due time.

The monitor judges silence against the store (the latest End Date any firm filed); a watcher wants to hear
when the clock says a filing is overdue, before anyone else has filed the next day. A business day after a
firm's last filing whose statements were due (`calendar.due_at`: noon in New York of the next business day,
form-spec 9) before `now` is a day with no filing: the registry's `missing-day` rule, the same rule (and the
same event identity) the monitor gives the day once a later filing shows the gap. Only the first
`NOT_FILING_DAYS` such days are reported; a longer silence is a firm that stopped filing (`not-filing`), and
a firm last seen years ago is not expected at all.

A firm that prepares its statements here (the daily close, store/workflow.py) is watched the same way on its
closes (`close-overdue`): a day whose close is drafted, reviewed or approved but not filed by its due time,
and the first `NOT_FILING_DAYS` business days after its last close whose due time passed with no close at all.
A day with a filed close is done, whatever amendment of it is under way.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, datetime

from dailyseg.calendar import due_at, next_business_day
from dailyseg.checks import Hit
from dailyseg.checks.computation import CLOSE_OVERDUE
from dailyseg.checks.history import MISSING_DAY, NOT_FILING_DAYS
from dailyseg.store.store import Store
from dailyseg.store.workflow import OPEN, Close, list_closes
from dailyseg.watch.monitor import Observation

RULE = MISSING_DAY.id
CLOSE_RULE = CLOSE_OVERDUE.id


def _when(moment: datetime) -> str:
    return moment.isoformat(timespec="minutes")


def late_days(last: date, now: datetime) -> list[date]:
    """The business days after `last` whose due time has passed by `now`: none when there are more than
    `NOT_FILING_DAYS` (a silence that long is a firm that stopped, not a day overdue)."""
    late, day = [], next_business_day(last)
    while due_at(day) <= now:
        late.append(day)
        if len(late) > NOT_FILING_DAYS:
            return []
        day = next_business_day(day)
    return late


def overdue(firm_id: str, last_filed: date | None, now: datetime) -> Iterator[Observation]:
    """The overdue days after `last_filed` (a firm's latest End Date) as of the moment `now` (aware)."""
    if last_filed is None:
        return
    for day in late_days(last_filed, now):
        due = _when(due_at(day))
        message = f"{firm_id} {day}: no filing for this business day; it was due {due}"
        hit = Hit(message, expected=f"a filing by {due}", actual=f"last End Date {last_filed}")
        yield Observation(firm_id, day, MISSING_DAY.stamp(hit))


def overdue_filings(store: Store, firm_ids: Iterable[str], now: datetime) -> list[Observation]:
    """The dead-man findings of each firm, as of `now` (an aware moment)."""
    found: list[Observation] = []
    for firm_id in firm_ids:
        found.extend(overdue(firm_id, store.latest_end_date(firm_id), now))
    return found


def overdue_close_days(firm_id: str, closes: Iterable[Close], now: datetime) -> Iterator[Observation]:
    """One firm's closes (any states) judged at `now`: each day not filed by its due time."""
    days: dict[date, list[Close]] = {}
    for c in closes:
        days.setdefault(c.end_date, []).append(c)
    for day, held in sorted(days.items()):
        unfiled = [c for c in held if c.state in OPEN]
        if any(c.state == "filed" for c in held) or not unfiled or due_at(day) > now:
            continue
        close, due = unfiled[-1], _when(due_at(day))
        message = f"{firm_id} {day}: the daily close (close {close.id}) is {close.state}, not filed; it was due {due}"
        hit = Hit(message, expected=f"filed by {due}", actual=f"{close.state} (close {close.id})")
        yield Observation(firm_id, day, CLOSE_OVERDUE.stamp(hit))
    if days:
        last = max(days)
        for day in late_days(last, now):
            due = _when(due_at(day))
            hit = Hit(
                f"{firm_id} {day}: no daily close for this business day; it was due {due}",
                expected=f"filed by {due}",
                actual=f"last close {last}",
            )
            yield Observation(firm_id, day, CLOSE_OVERDUE.stamp(hit))


def overdue_closes(store: Store, firm_id: str | None, now: datetime) -> list[Observation]:
    """The close dead-man findings of one firm (None: every firm with a close), as of `now` (aware)."""
    by_firm: dict[str, list[Close]] = {}
    for c in list_closes(store, firm_id):
        by_firm.setdefault(c.firm_id, []).append(c)
    return [o for firm, held in sorted(by_firm.items()) for o in overdue_close_days(firm, held, now)]
