"""US business days for filing deadlines: weekdays that are not exchange holidays.

17 CFR 1.3 defines a business day as any day other than a Sunday or holiday; in practice no statement is
filed for a Saturday, and the holidays that matter are those on which the US markets close. The NYSE
calendar of the `holidays` package is used: it carries the regular holidays (Good Friday included) and
the special closures (for example 29-30 October 2012, and national days of mourning).
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=256)
def _closed(year: int) -> frozenset[date]:
    return frozenset(holidays.financial_holidays("NYSE", years=year).keys())


def holiday_name(day: date) -> str | None:
    """The holiday's name if the markets are closed that day for one, else None."""
    if day not in _closed(day.year):
        return None
    return str(holidays.financial_holidays("NYSE", years=day.year).get(day))


def is_business_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _closed(day.year)


def next_business_day(day: date) -> date:
    following = day + timedelta(days=1)
    while not is_business_day(following):
        following += timedelta(days=1)
    return following


def previous_business_day(day: date) -> date:
    earlier = day - timedelta(days=1)
    while not is_business_day(earlier):
        earlier -= timedelta(days=1)
    return earlier


def business_days(start: date, end: date) -> list[date]:
    """Every business day from `start` to `end`, both included."""
    days, day = [], start
    while day <= end:
        if is_business_day(day):
            days.append(day)
        day += timedelta(days=1)
    return days
