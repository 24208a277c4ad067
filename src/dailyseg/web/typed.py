"""A time a person types into a page's form (a `datetime-local` field) or sends the API, read one way for the
withdrawals, the notices and the filing time of a close: ISO 8601; without a zone, on New York's clock (the filing zone, in which the
business day of a withdrawal and the due time of a filing are counted); empty, now."""

from __future__ import annotations

from datetime import UTC, datetime

from dailyseg.calendar import FILING_ZONE
from dailyseg.store.workflow import Refused
from dailyseg.web.deps import FIRST_DAY, LAST_DAY


def moment(text: str | None, what: str) -> datetime:
    """The time typed (what it is: "the sending time"), or now when nothing was typed; refused (invalid) otherwise."""
    if text is None or not text.strip():
        return datetime.now(UTC)
    try:
        found = datetime.fromisoformat(text.strip())
    except ValueError:
        raise Refused("invalid", f"{what} {text.strip()[:40]!r} is not a date and time (YYYY-MM-DDTHH:MM)") from None
    if not FIRST_DAY <= found.date() <= LAST_DAY:  # converting a time at the calendar's ends between zones overflows
        raise Refused("invalid", f"{what}: dates must be from {FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()}")
    return found if found.tzinfo else found.replace(tzinfo=FILING_ZONE)
