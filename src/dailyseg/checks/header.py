"""Rules about the filing's header: complete, dated sensibly, on time, for a business day."""

from __future__ import annotations

from collections.abc import Iterator

from dailyseg.calendar import holiday_name, is_business_day, is_late, next_business_day
from dailyseg.catalogue import CATALOGUE
from dailyseg.checks.registry import Context, Finding, rule
from dailyseg.filing import Filing


@rule("header-complete", "error", "form-spec 1.1", "The header names the status (INITIAL or AMENDED), End Date, Firm Name and Form.")
def check_header_complete(filing: Filing, context: Context) -> Iterator[Finding]:
    header = filing.header
    wanted = {
        "status": (header.status in CATALOGUE.statuses, " or ".join(CATALOGUE.statuses), header.status),
        "End Date": (header.end_date is not None, "a date", "nothing"),
        "Firm Name": (bool(header.firm_name), "the firm's name", "nothing"),
        "Form": (bool(header.form), " or ".join(CATALOGUE.form_names), "nothing"),
    }
    for name, (ok, expected, found) in wanted.items():
        if not ok:
            yield Finding(
                "header-complete",
                "error",
                None,
                (),
                f"header: {name} missing or unreadable",
                expected,
                found or "nothing",
                citation="form-spec 1.1",
            )


@rule("submit-date", "warning", "form-spec 9; V09", "The Submit Date is not before the End Date.")
def check_submit_date(filing: Filing, context: Context) -> Iterator[Finding]:
    end, submit = filing.header.end_date, filing.header.submit_date
    if end and submit and submit < end:
        yield Finding(
            "submit-date",
            "warning",
            None,
            (),
            f"submitted {submit.isoformat()}, before the End Date {end.isoformat()}",
            f"on or after {end.isoformat()}",
            submit.isoformat(),
            citation="form-spec 9",
        )


@rule(
    "late-initial",
    "warning",
    "17 CFR 1.32(d); 22.2(g)(3); 30.7(l)(3); CME Rule 971.B",
    "An INITIAL filing is submitted by the next US business day after its End Date (noon is not observable).",
)
def check_late_initial(filing: Filing, context: Context) -> Iterator[Finding]:
    end, submit = filing.header.end_date, filing.header.submit_date
    if filing.header.status != "INITIAL" or not end or not submit or not is_late(end, submit):
        return
    due = next_business_day(end)
    late = (submit - due).days
    yield Finding(
        "late-initial",
        "warning",
        None,
        (),
        f"INITIAL filing submitted {submit.isoformat()}, {late} day(s) after it was due on {due.isoformat()}",
        due.isoformat(),
        submit.isoformat(),
        citation="17 CFR 1.32(d)",
    )


@rule("business-day", "warning", "17 CFR 1.3", "The End Date is a US business day (not a weekend or market holiday, NYSE calendar).")
def check_business_day(filing: Filing, context: Context) -> Iterator[Finding]:
    end = filing.header.end_date
    if end and not is_business_day(end):
        why = holiday_name(end) or end.strftime("%A")
        yield Finding(
            "business-day",
            "warning",
            None,
            (),
            f"End Date {end.isoformat()} is not a business day ({why})",
            "a business day",
            end.isoformat(),
            citation="17 CFR 1.3",
        )
