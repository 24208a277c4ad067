"""Rules about the filing's header: complete, dated sensibly, on time, for a business day."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from dailyseg.calendar import holiday_name, is_business_day, is_late, next_business_day
from dailyseg.catalogue import CATALOGUE
from dailyseg.checks.registry import Context, Hit, rule
from dailyseg.filing import Filing

# What a complete header names, as its findings say it: joined once.
_STATUSES = " or ".join(CATALOGUE.statuses)
_FORMS = " or ".join(CATALOGUE.form_names)


@rule(
    "header-complete",
    question="filing",
    severity="error",
    citation="form-spec 1.1",
    description="The header names the status (INITIAL or AMENDED), End Date, Firm Name and Form.",
)
def check_header_complete(filing: Filing, context: Context) -> Iterator[Hit]:
    header = filing.header
    wanted = {
        "status": (header.status in CATALOGUE.statuses, _STATUSES, header.status),
        "End Date": (header.end_date is not None, "a date", "nothing"),
        "Firm Name": (bool(header.firm_name), "the firm's name", "nothing"),
        "Form": (bool(header.form), _FORMS, "nothing"),
    }
    for name, (ok, expected, found) in wanted.items():
        if not ok:
            yield Hit(f"header: {name} missing or unreadable", expected=expected, actual=found or "nothing")


@rule(
    "submit-date",
    question="filing",
    severity="warning",
    citation="form-spec 9; V09",
    description="The Submit Date is not before the End Date.",
)
def check_submit_date(filing: Filing, context: Context) -> Iterator[Hit]:
    end, submit = filing.header.end_date, filing.header.submit_date
    if end and submit and submit < end:
        yield Hit(
            f"submitted {submit.isoformat()}, before the End Date {end.isoformat()}",
            expected=f"on or after {end.isoformat()}",
            actual=submit.isoformat(),
        )


def late_initial(status: str | None, end: date | None, submit: date | None) -> bool:
    """The late-initial rule's test, also asked of a stored version's header (the firm page marks LATE by it)."""
    return status == "INITIAL" and end is not None and submit is not None and is_late(end, submit)


@rule(
    "late-initial",
    question="firm",
    severity="warning",
    citation="17 CFR 1.32(d); 22.2(g)(3); 30.7(l)(3); CME Rule 971.B",
    description="An INITIAL filing is submitted by the next US business day after its End Date (noon is not observable).",
    notice="NFA: a late filing carries a $1,000 fee for each business day it is late (Notice I-12-23)",
)
def check_late_initial(filing: Filing, context: Context) -> Iterator[Hit]:
    end, submit = filing.header.end_date, filing.header.submit_date
    if not late_initial(filing.header.status, end, submit):
        return
    assert end is not None and submit is not None
    due = next_business_day(end)
    late = (submit - due).days
    yield Hit(
        f"INITIAL filing submitted {submit.isoformat()}, {late} day(s) after it was due on {due.isoformat()}",
        expected=due.isoformat(),
        actual=submit.isoformat(),
    )


@rule(
    "business-day",
    question="filing",
    severity="warning",
    citation="17 CFR 1.3; V10",
    description="The End Date is a US business day (not a weekend or market holiday, NYSE calendar).",
)
def check_business_day(filing: Filing, context: Context) -> Iterator[Hit]:
    end = filing.header.end_date
    if end and not is_business_day(end):
        why = holiday_name(end) or end.strftime("%A")
        yield Hit(f"End Date {end.isoformat()} is not a business day ({why})", expected="a business day", actual=end.isoformat())


RULES = (check_header_complete, check_submit_date, check_business_day, check_late_initial)
