"""The dead-man check: a firm's filing for a business day that has not arrived by its due time.

The monitor judges silence against the store (the latest End Date any firm filed); a watcher wants to hear
when the clock says a filing is overdue, before anyone else has filed the next day. A business day after a
firm's last filing whose statements were due (`calendar.due_at`: noon in New York of the next business day,
form-spec 9) before `now` is a day with no filing: the registry's `missing-day` rule, the same rule (and the
same event identity) the monitor gives the day once a later filing shows the gap. Only the first
`NOT_FILING_DAYS` such days are reported; a longer silence is a firm that stopped filing (`not-filing`), and
a firm last seen years ago is not expected at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, datetime

from dailyseg.calendar import due_at, next_business_day
from dailyseg.checks import Hit
from dailyseg.checks.history import MISSING_DAY, NOT_FILING_DAYS
from dailyseg.store.store import Store
from dailyseg.watch.monitor import Observation

RULE = MISSING_DAY.id


def overdue(firm_id: str, last_filed: date | None, now: datetime) -> Iterator[Observation]:
    """The overdue days after `last_filed` (a firm's latest End Date) as of the moment `now` (aware)."""
    if last_filed is None:
        return
    late, day = [], next_business_day(last_filed)
    while due_at(day) <= now:
        late.append(day)
        if len(late) > NOT_FILING_DAYS:
            return
        day = next_business_day(day)
    for day in late:
        due = due_at(day)
        message = f"{firm_id} {day}: no filing for this business day; it was due {due.isoformat(timespec='minutes')}"
        hit = Hit(message, expected=f"a filing by {due.isoformat(timespec='minutes')}", actual=f"last End Date {last_filed}")
        yield Observation(firm_id, day, MISSING_DAY.stamp(hit))


def overdue_filings(store: Store, firm_ids: Iterable[str], now: datetime) -> list[Observation]:
    """The dead-man findings of each firm, as of `now` (an aware moment)."""
    found: list[Observation] = []
    for firm_id in firm_ids:
        found.extend(overdue(firm_id, store.latest_end_date(firm_id), now))
    return found
