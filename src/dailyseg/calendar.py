"""US business days for filing deadlines: weekdays that are not exchange holidays.

17 CFR 1.3 defines a business day as any day other than a Sunday or holiday; in practice no statement is
filed for a Saturday, and the holidays that matter are those on which the US markets close. The NYSE
calendar of the `holidays` package is used: it carries the regular holidays (Good Friday included) and
the special closures (for example 29-30 October 2012, and national days of mourning).

The calendar costs more than the rest of dailyseg's start (`holidays` and its NYSE module about 60 ms; by
name, through `holidays.financial`, every exchange and country the package knows, 0.13 s), so only the NYSE
module is loaded, and only when an answer needs it:
not for a weekend day, nor to tell that a filing submitted by the next weekday is on time (`is_late`). The
closures of each year it is asked for are kept in a small JSON file in the user's cache folder
($XDG_CACHE_HOME or ~/.cache, under dailyseg/), named after the installed `holidays` package's file
stamp, so a new release of the package is asked again; the file is only ever a copy of the package's
answer, and a missing, unreadable or unwritable cache just means asking the package.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import tempfile
import zlib
from collections.abc import Callable, Mapping
from datetime import date, datetime, time, timedelta
from functools import lru_cache, partial
from typing import cast
from zoneinfo import ZoneInfo

_CACHE_FORMAT = 1


@lru_cache(maxsize=1)
def _cache_path() -> str | None:
    """The cache file for the installed `holidays` package, or None when there is no package to ask."""
    from importlib.util import find_spec

    spec = find_spec("holidays")
    if spec is None or spec.origin is None:
        return None
    stamp = os.stat(spec.origin)
    key = f"{_CACHE_FORMAT}-{zlib.crc32(spec.origin.encode()):08x}-{stamp.st_mtime_ns:x}-{stamp.st_size:x}"
    folder = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(folder, "dailyseg", f"nyse-closures-{key}.json")


@lru_cache(maxsize=1)
def _cached_years() -> dict[str, dict[str, str]]:
    path = _cache_path()
    try:
        with open(path or "", encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or not all(isinstance(days, dict) for days in data.values()):
        return {}
    return data


def _remember(year: int, closures: Mapping[date, str]) -> None:
    """Add a year to the cache file, atomically; a cache that cannot be written is no cache."""
    path = _cache_path()
    if path is None:
        return
    years = _cached_years()
    years[str(year)] = {day.isoformat(): name for day, name in closures.items()}
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".nyse-", suffix=".tmp")
    except OSError:
        return
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(years, out)
        os.replace(temporary, path)
    except OSError:
        os.unlink(temporary)


@lru_cache(maxsize=256)
def _closed(year: int) -> Mapping[date, str]:
    """The days the markets close in `year`, with the holiday's name."""
    known = _cached_years().get(str(year))
    if known is not None:
        return {date.fromisoformat(day): name for day, name in known.items()}
    closures = {day: str(name) for day, name in _nyse()(years=year).items()}
    _remember(year, closures)
    return closures


@lru_cache(maxsize=1)
def _nyse() -> Callable[..., Mapping[date, str]]:
    """The `holidays` package's NYSE calendar (what `holidays.financial_holidays("NYSE")` makes), loaded from its
    own module. Importing it by name would first run `holidays.financial`, which imports every exchange the
    package knows and through them every country (about 290 modules, 0.1 s); the module needs only the
    package's core. A release that moves the module is asked by name."""
    import holidays

    name = "holidays.financial.ny_stock_exchange"
    path = os.path.join(os.path.dirname(holidays.__file__), "financial", "ny_stock_exchange.py")
    spec = importlib.util.spec_from_file_location(name, path) if os.path.exists(path) else None
    if spec is None or spec.loader is None:
        return partial(holidays.financial_holidays, "NYSE")
    module = sys.modules.get(name)
    if module is None:
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    return cast(Callable[..., Mapping[date, str]], module.NewYorkStockExchange)


def holiday_name(day: date) -> str | None:
    """The holiday's name if the markets are closed that day for one, else None."""
    return _closed(day.year).get(day)


def is_business_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _closed(day.year)


def next_weekday(day: date) -> date:
    """The first Monday to Friday after `day`: no business day after `day` comes sooner, whatever the holidays."""
    following = day + timedelta(days=1)
    while following.weekday() >= 5:
        following += timedelta(days=1)
    return following


def next_business_day(day: date) -> date:
    following = day + timedelta(days=1)
    while not is_business_day(following):
        following += timedelta(days=1)
    return following


# 17 CFR 1.32(d), 22.2(g)(3) and 30.7(l)(3) (form-spec section 9): a business day's statements are due by noon
# of the following business day. The rules say "noon" without a zone; the CFTC sits in Washington, so noon is
# read in America/New_York (a firm whose DSRO counts in Chicago would be due an hour later: change FILING_ZONE).
FILING_ZONE = ZoneInfo("America/New_York")
DUE_TIME = time(12, 0)


def due_at(end: date) -> datetime:
    """The moment the statements for `end` are due, as an aware datetime in `FILING_ZONE`."""
    return datetime.combine(next_business_day(end), DUE_TIME, tzinfo=FILING_ZONE)


def is_late(end: date, submitted: date | datetime) -> bool:
    """Whether statements for `end` submitted at `submitted` missed their deadline: the one place lateness is decided.

    A moment (the daily close's filing time) is late past noon of the next business day. A day alone (a filing's
    Submit Date, which has no time) is late after that day; a submission by the next weekday is on time whatever
    the holidays, so the holiday calendar is consulted only for a later one (the late-initial rule asks this of
    every filing it sees, in validation and the monitor).
    """
    if isinstance(submitted, datetime):
        return submitted > due_at(end)
    return submitted > next_weekday(end) and submitted > next_business_day(end)


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
