"""When a business day's filing is due, and whether it was late: noon of the next business day.

17 CFR 1.32(d), 22.2(g)(3) and 30.7(l)(3) (form-spec section 9) require the three statements of a business day
by noon of the following business day, on the business-day calendar of `dailyseg.calendar`. The rules say
"noon" without a zone; the CFTC sits in Washington, so noon is read in America/New_York (a firm whose DSRO
counts in Chicago would be due an hour later: change `FILING_ZONE`). The zone's own rules decide EST or EDT.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from dailyseg.calendar import next_business_day

FILING_ZONE = ZoneInfo("America/New_York")
DUE_TIME = time(12, 0)


def due_at(end_date: date) -> datetime:
    """The moment the filing for `end_date` is due, as an aware datetime in `FILING_ZONE`."""
    return datetime.combine(next_business_day(end_date), DUE_TIME, tzinfo=FILING_ZONE)


def is_late(end_date: date, filed_at: datetime | None, now: datetime | None = None) -> bool:
    """Filed after the due time, or not filed and the due time has passed (`now`, default the present)."""
    moment = filed_at if filed_at is not None else (now or datetime.now(UTC))
    return moment > due_at(end_date)
