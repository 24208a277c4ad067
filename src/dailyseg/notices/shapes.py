"""A notice's JSON shape, written by `dailyseg notice ... --format json` and by the API (`/api/notices`), so the
same notice is the same JSON wherever it is asked for (the rule of `dailyseg.shapes`: amounts as strings)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import Field

from dailyseg.shapes import EXACT, Shape, _iso, _text

if TYPE_CHECKING:
    from dailyseg.store.notices import AnyNotice


class FigureOut(Shape):
    label: str
    code: str | None = Field(description="the form's code, when the figure is a line of the statement")
    amount: str | None = Field(description=EXACT)


class FactOut(Shape):
    label: str
    value: str


class NoticeOut(Shape):
    """A stored notice: its draft's fields as frozen when drafted, and whether (when, by whom) it was sent."""

    id: int | None = Field(description="null: drafted from books with no close in the store, and kept nowhere")
    kind: str = Field(description="the rule id of the event (deficiency, below-target, below-undermargined, withdrawal-25)")
    title: str
    status: Literal["draft", "sent", "withdrawn"] = Field(
        description="draft until a person records the sending; withdrawn (not to be sent) when its withdrawal was cancelled first"
    )
    filing_id: int | None
    withdrawal_id: int | None
    close_id: int | None = Field(description="the daily close it is kept with, when drafted from a firm's own computation")
    firm_id: str
    firm: str
    statement: str
    end_date: str
    event_at: str | None
    citation: str
    obligation: str
    addressees: list[str]
    event: str
    figures: list[FigureOut]
    facts: list[FactOut]
    to_state: list[str] = Field(description="what the firm must state (17 CFR 1.12(n)), left blank by dailyseg")
    to_sign: str | None
    drafted_by: str | None = Field(description="null when not stored")
    drafted_at: str
    sent_by: str | None
    sent_at: str | None
    reference: str | None
    cancelled_at: str | None = Field(description="when its withdrawal was cancelled (null: it was not)")
    cancelled_by: str | None
    cancel_reason: str | None

    @classmethod
    def of(cls, n: AnyNotice) -> NoticeOut:
        d = n.draft
        return cls(
            id=n.id,
            kind=d.kind,
            title=d.title,
            status=n.status,
            filing_id=n.filing_id,
            withdrawal_id=n.withdrawal_id,
            close_id=n.close_id,
            firm_id=d.firm_id,
            firm=d.firm_name,
            statement=d.statement,
            end_date=d.end_date.isoformat(),
            event_at=_iso(d.event_at),
            citation=d.citation,
            obligation=d.obligation,
            addressees=list(d.addressees),
            event=d.event,
            figures=[FigureOut(label=f.label, code=f.code or None, amount=_text(f.amount)) for f in d.figures],
            facts=[FactOut(label=label, value=value) for label, value in d.facts],
            to_state=list(d.to_state),
            to_sign=d.to_sign or None,
            drafted_by=n.drafted_by,
            drafted_at=n.drafted_at.isoformat(),
            sent_by=n.sent_by,
            sent_at=_iso(n.sent_at),
            reference=n.reference,
            cancelled_at=_iso(n.withdrawn.at) if n.withdrawn else None,
            cancelled_by=n.withdrawn.by if n.withdrawn else None,
            cancel_reason=n.withdrawn.reason if n.withdrawn else None,
        )
