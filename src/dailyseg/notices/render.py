"""A notice as text, HTML or PDF: one list of sections, which every format lays out, so none can omit a field.

Every rendering opens with the notice's status: "DRAFT — NOT SENT" until a person records that it was sent
(`dailyseg notice mark-sent`), then when and by whom. The fields a person must complete are printed as blank
lines to write on, never filled in by dailyseg. The notice of a withdrawal then cancelled says so in its status,
"WITHDRAWN — NOT TO BE SENT" when it was not sent (and, when it was, that the withdrawal was cancelled after).
A notice drafted from books and kept nowhere (`store.notices.unstored`) says NOT STORED beside DRAFT — NOT SENT:
no sending of it can be recorded until it is drafted with the day's close.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import lru_cache

import jinja2

from dailyseg.calendar import FILING_ZONE
from dailyseg.money import format_amount
from dailyseg.notices.draft import BLANK
from dailyseg.store.notices import AnyNotice

DRAFT_STATUS = "DRAFT — NOT SENT"
WITHDRAWN_STATUS = "WITHDRAWN — NOT TO BE SENT"
NOT_STORED = (
    "NOT STORED — drafted from the firm's books and kept nowhere; draft it with the day's close "
    "(dailyseg close BOOKS, then dailyseg notice BOOKS --db or --close-id) to keep it and record its sending"
)
SIGNATURE_FIELDS = ("Signature", "Name", "Title", "Date")


@dataclass(frozen=True)
class Section:
    """A heading with its rows (label, value), the blanks a person completes, and a paragraph of text."""

    heading: str
    rows: tuple[tuple[str, str], ...] = ()
    blanks: tuple[str, ...] = ()
    text: str = ""


def status(notice: AnyNotice) -> str:
    """What the notice says of its sending: the draft status, or the recorded sending; and its withdrawal's
    cancellation, when it was cancelled."""
    if not notice.stored:
        return f"{DRAFT_STATUS}; {NOT_STORED}"
    w = notice.withdrawn
    cancelled = f"withdrawal {w.withdrawal_id} was cancelled {_moment(w.at)} by {w.by}: {w.reason}" if w is not None else ""
    if notice.sent_at is None:
        return f"{WITHDRAWN_STATUS}: {cancelled}" if cancelled else DRAFT_STATUS
    reference = f" (reference {notice.reference})" if notice.reference else ""
    sent = f"SENT {_moment(notice.sent_at)} by {notice.sent_by}{reference}"
    return f"{sent}; afterwards {cancelled}" if cancelled else sent


def heading(notice: AnyNotice) -> str:
    """The title's first words: "Notice 7", or "Notice (not stored)" for one kept nowhere."""
    return f"Notice {notice.id}" if notice.stored else "Notice (not stored)"


def _moment(at: datetime) -> str:
    return at.astimezone(FILING_ZONE).isoformat(timespec="minutes")


def _amount(value: Decimal | None) -> str:
    return format_amount(value) if value is not None else "not stated in the computation"


def sections(notice: AnyNotice) -> list[Section]:
    d = notice.draft
    when = [("End Date", d.end_date.isoformat())]
    if d.event_at is not None:
        when.append(("Time of the event", _moment(d.event_at)))
    by = f" by {notice.drafted_by}" if notice.drafted_by is not None else ", not stored"
    when.append(("Drafted", f"{_moment(notice.drafted_at)}{by}"))
    found = [
        Section("Status", text=status(notice)),
        Section("To", rows=tuple(("", a) for a in d.addressees)),
        Section("From", rows=(("Firm", d.firm_name), ("Firm id", d.firm_id))),
        Section("Date and time", rows=tuple(when)),
        Section("Class", rows=(("Statement", d.statement_name),)),
        Section("Rule", rows=(("Citation", d.citation), ("Obligation", d.obligation))),
        Section("Event", text=d.event),
        Section(
            "Figures (US dollars)", rows=tuple((f"{f.label}" + (f" ({f.code})" if f.code else ""), _amount(f.amount)) for f in d.figures)
        ),
    ]
    if d.facts:
        found.append(Section("Particulars", rows=d.facts))
    found.append(Section("To be completed by the firm (17 CFR 1.12(n))", blanks=d.to_state))
    if d.to_sign:
        found.append(Section("Statement to be signed", blanks=SIGNATURE_FIELDS, text=d.to_sign))
    return found


def render_text(notices: Sequence[AnyNotice]) -> str:
    parts = []
    for notice in notices:
        lines = [f"{heading(notice)}: {notice.draft.title}", ""]
        for s in sections(notice):
            lines.append(s.heading)
            if s.text:
                lines.append(f"  {s.text}")
            lines.extend(f"  {label}: {value}" if label else f"  {value}" for label, value in s.rows)
            lines.extend(f"  {blank}: {BLANK}" for blank in s.blanks)
            lines.append("")
        parts.append("\n".join(lines))
    return "\f\n".join(parts)


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("dailyseg.notices", "templates"),
        autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )


def render_html(notices: Sequence[AnyNotice]) -> str:
    """A standalone page (styles inline, nothing fetched), one notice after another, each on its own printed page."""
    env = _environment()
    css = env.loader.get_source(env, "notice.css")[0] if env.loader is not None else ""
    items = [(n, sections(n)) for n in notices]
    return env.get_template("notice.html.j2").render(items=items, css=css, blank=BLANK, heading=heading)


def render_pdf(notices: Sequence[AnyNotice]) -> bytes:
    from dailyseg.render.pdf import html_to_pdf

    return html_to_pdf(render_html(notices))
