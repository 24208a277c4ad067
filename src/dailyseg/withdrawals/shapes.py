"""The withdrawal ledger's JSON shapes, written by `dailyseg withdrawal ... --format json` and by the API
(`/api/withdrawals`), so the same ledger is the same JSON wherever it is asked for (amounts as strings)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, Field

from dailyseg.shapes import EXACT, Shape, _iso, _text

if TYPE_CHECKING:
    from dailyseg.store.withdrawals import Standings, Withdrawal


class WithdrawalOut(Shape):
    """One withdrawal as the ledger holds it, with the prior-day computation it was measured against."""

    id: int
    firm_id: str
    firm: str
    statement: str
    amount: str = Field(description=EXACT + ", in `currency`")
    currency: str
    usd: str = Field(description=EXACT + ", in US dollars")
    recipient: str
    purpose: str
    for_customers: bool
    at: str
    basis_date: str = Field(description="the prior business day whose computation it was measured against")
    basis: str | None = Field(description='where that computation is kept ("close 3", "filing 12"); null: none')
    residual_interest: str | None = Field(description=EXACT)
    target: str | None = Field(description=EXACT)
    series: str = Field(description=EXACT + ": the series' withdrawals not for customers, this one included")
    needs_approval: bool
    state: Literal["recorded", "approved", "executed", "cancelled"]
    recorded_by: str
    approved_by: str | None
    approved_at: str | None
    executed_by: str | None
    executed_at: str | None
    notice_id: int | None
    cancelled_by: str | None
    cancelled_at: str | None
    cancel_reason: str | None

    @classmethod
    def of(cls, w: Withdrawal) -> WithdrawalOut:
        return cls(
            id=w.id,
            firm_id=w.firm_id,
            firm=w.firm_name,
            statement=w.statement,
            amount=str(w.amount),
            currency=w.currency,
            usd=str(w.usd),
            recipient=w.recipient,
            purpose=w.purpose,
            for_customers=w.for_customers,
            at=w.at.isoformat(),
            basis_date=w.basis_date.isoformat(),
            basis=w.basis,
            residual_interest=_text(w.residual_interest),
            target=_text(w.target),
            series=str(w.series),
            needs_approval=w.needs_approval,
            state=w.state,
            recorded_by=w.recorded_by,
            approved_by=w.approved_by,
            approved_at=_iso(w.approved_at),
            executed_by=w.executed_by,
            executed_at=_iso(w.executed_at),
            notice_id=w.notice_id,
            cancelled_by=w.cancelled_by,
            cancelled_at=_iso(w.cancelled_at),
            cancel_reason=w.cancel_reason,
        )


class StandingsOut(Shape):
    """A class's residual interest on a prior day, what was withdrawn against it and the estimate after, beside the target."""

    firm_id: str
    statement: str
    basis_date: str
    basis: str | None
    residual_interest: str | None = Field(description=EXACT)
    withdrawn: str = Field(description=EXACT + ": cancelled withdrawals left out")
    estimated_after: str | None = Field(description=EXACT)
    target: str | None = Field(description=EXACT)
    below_target: bool = Field(description="the estimate after is below the target: restore it by the next business day (1.23(e))")

    @classmethod
    def of(cls, s: Standings) -> StandingsOut:
        return cls(
            firm_id=s.firm_id,
            statement=s.statement,
            basis_date=s.basis_date.isoformat(),
            basis=s.basis,
            residual_interest=_text(s.residual_interest),
            withdrawn=str(s.withdrawn),
            estimated_after=_text(s.estimated_after),
            target=_text(s.target),
            below_target=s.below_target,
        )


class WithdrawalListing(Shape):
    """`dailyseg withdrawal list --json` and `GET /api/withdrawals`: the withdrawals, then each series' standing."""

    withdrawals: list[WithdrawalOut]
    standings: list[StandingsOut]

    @classmethod
    def of(cls, found: Sequence[Withdrawal], after: Sequence[Standings]) -> WithdrawalListing:
        return cls(withdrawals=[WithdrawalOut.of(w) for w in found], standings=[StandingsOut.of(s) for s in after])


class WithdrawalIn(BaseModel):
    """A withdrawal to record, as `dailyseg withdrawal record` takes it: amounts as strings (exact)."""

    firm: str = Field(min_length=1, max_length=300, description="the firm, by id or any name it filed under")
    statement: Literal["segregation", "secured", "swaps"] = Field(description="the class the funds leave (`--class`)")
    amount: str = Field(max_length=40, description="the amount in `currency`, e.g. 2500000 or 2,500,000.50")
    currency: str = Field("USD", max_length=3, description="ISO 4217 code of the amount")
    usd: str | None = Field(None, max_length=40, description="the amount in US dollars, needed when `currency` is not USD")
    recipient: str = Field(min_length=1, max_length=300)
    purpose: str = Field(min_length=1, max_length=300)
    for_customers: bool = Field(False, description="to or for customers: not gated, not counted toward 25%")
    at: str | None = Field(None, description="when it is (to be) made, ISO 8601 with its zone (default now)")


class ExecuteIn(BaseModel):
    at: str | None = Field(None, description="when it was made, ISO 8601 with its zone (default now)")


class CancelIn(BaseModel):
    """Why a withdrawal not executed is cancelled, as `dailyseg withdrawal cancel --reason` takes it."""

    reason: str = Field(description="why it is cancelled, 1 to 300 characters (kept with it and in the audit log)")
