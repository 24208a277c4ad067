"""The ledger of residual-interest withdrawals on a page and the API: the withdrawals and, per firm and class,
the estimated residual interest after them beside the target; recording, approving, executing and cancelling.

Every step calls the function `dailyseg withdrawal` calls (`dailyseg.store.withdrawals`: record, approve,
execute, cancel), so the rules are the ledger's own: no withdrawal not for customers before the prior business day's
computation is complete (17 CFR 1.23(b), refused with that citation), a signer other than the recorder
approves one past 25% (1.23(d)) before it is executed, and one executed cannot be cancelled. Cancelling is
allowed to whoever may record one (the same access rule). A step that works answers the page with a redirect (a
reload does not repeat it); one refused answers the page with the reason: 403 for who asks (a role, four eyes,
the 1.23(b) gate), 404 for no such withdrawal, 409 for one not in the state the step needs, 422 for a request
that is not one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Form, HTTPException, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from dailyseg.calendar import FILING_ZONE
from dailyseg.catalogue import CATALOGUE
from dailyseg.store import Store
from dailyseg.store import withdrawals as ledger
from dailyseg.store.withdrawals import Missing, Withdrawal
from dailyseg.store.workflow import Refused
from dailyseg.web.access import FILER, MEMBER, PREPARER, SIGNER, Caller
from dailyseg.web.close_steps import STATUS_OF, close_firm_id
from dailyseg.web.deps import MAX_FILING_ID, From, To, check_range, get_store
from dailyseg.web.respond import page
from dailyseg.web.routers.api import ERRORS
from dailyseg.web.security import csrf_checked
from dailyseg.web.typed import moment
from dailyseg.withdrawals.asked import request_of
from dailyseg.withdrawals.shapes import CancelIn, ExecuteIn, WithdrawalIn, WithdrawalListing, WithdrawalOut

router = APIRouter()
pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api", responses=ERRORS, tags=["withdrawals"])
StoreDep = Annotated[Store, Depends(get_store)]
Member = Annotated[Caller, Depends(MEMBER)]
WithdrawalId = Annotated[int, Path(ge=1, le=MAX_FILING_ID, description="a withdrawal's id")]
Checked = Depends(csrf_checked)
RECORDER = replace(PREPARER, doing="record withdrawals")
APPROVER = replace(SIGNER, doing="approve withdrawals")
EXECUTOR = replace(FILER, doing="execute withdrawals")
CANCELLER = replace(RECORDER, doing="cancel withdrawals")
Recorder = Annotated[Caller, Depends(RECORDER)]
Approver = Annotated[Caller, Depends(APPROVER)]
Executor = Annotated[Caller, Depends(EXECUTOR)]
Canceller = Annotated[Caller, Depends(CANCELLER)]
CLASSES = [(s.id, s.name) for s in CATALOGUE.statements]


def _found(store: Store, firm: str | None, start: date | None, end: date | None) -> list[Withdrawal]:
    check_range(start, end)
    return ledger.list_withdrawals(store, firm_id=close_firm_id(store, firm) if firm else None, start=start, end=end)


def _page(
    request: Request,
    store: Store,
    *,
    firm: str | None = None,
    start: date | None = None,
    end: date | None = None,
    message: str | None = None,
    status: int = 200,
    typed: Mapping[str, str] | None = None,
) -> HTMLResponse:
    """The ledger (of a firm, over a period), with why a step was refused and what was typed, when one was."""
    found = _found(store, firm, start, end)
    context = {
        "withdrawals": list(reversed(found)),
        "standings": ledger.standings_after(found),
        "classes": CLASSES,
        "firm": firm or "",
        "start": start,
        "end": end,
        "message": message,
        "typed": dict(typed or {}),
        "zone": FILING_ZONE,
    }
    return page(request, "withdrawals.html.j2", context, status)


def _status(refusal: Refused) -> int:
    return 404 if isinstance(refusal, Missing) else STATUS_OF[refusal.kind]


def _step(request: Request, store: Store, act: Callable[[], Withdrawal], typed: Mapping[str, str] | None = None) -> Response:
    """Run one step; done, the ledger at its row; refused, the ledger with the reason (and what was typed)."""
    try:
        done = act()
    except Refused as refusal:
        return _page(request, store, message=str(refusal), status=_status(refusal), typed=typed)
    return RedirectResponse(f"/withdrawals#withdrawal-{done.id}", status_code=303)


def _api_step(act: Callable[[], Withdrawal]) -> WithdrawalOut:
    try:
        return WithdrawalOut.of(act())
    except Refused as refusal:
        raise HTTPException(_status(refusal), str(refusal)) from None


@pages.get("/withdrawals", response_class=HTMLResponse)
def withdrawals_page(
    request: Request, store: StoreDep, _: Member, firm: str | None = None, start: From = None, end: To = None
) -> HTMLResponse:
    """Every withdrawal, latest first, with its state and the steps it may take; then each series' residual
    interest, what was withdrawn against it and the estimate after, beside the target (`withdrawal list`)."""
    return _page(request, store, firm=firm, start=start, end=end)


@pages.post("/withdrawals", response_class=HTMLResponse, dependencies=[Checked])
def record(
    request: Request,
    who: Recorder,
    store: StoreDep,
    firm: Annotated[str, Form(max_length=300)],
    statement: Annotated[str, Form(max_length=40)],
    amount: Annotated[str, Form(max_length=40)],
    recipient: Annotated[str, Form(max_length=300)],
    purpose: Annotated[str, Form(max_length=300)],
    currency: Annotated[str, Form(max_length=3)] = "USD",
    usd: Annotated[str, Form(max_length=40)] = "",
    for_customers: Annotated[bool, Form()] = False,
    at: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    """Record a withdrawal; refused before the prior day's computation (1.23(b)); past 25% it needs approval."""
    assert who.actor is not None
    actor = who.actor
    typed = {"firm": firm, "statement": statement, "amount": amount, "currency": currency, "usd": usd, "recipient": recipient}
    typed |= {"purpose": purpose, "at": at, "for_customers": "on" if for_customers else ""}

    def act() -> Withdrawal:
        asked = request_of(firm, statement, amount, currency, usd, recipient, purpose, for_customers, moment(at, "the time"))
        return ledger.record(store, actor, asked, firm_id=close_firm_id(store, firm)).withdrawal

    return _step(request, store, act, typed)


@pages.post("/withdrawals/{withdrawal_id}/approve", response_class=HTMLResponse, dependencies=[Checked])
def approve(request: Request, withdrawal_id: WithdrawalId, who: Approver, store: StoreDep) -> Response:
    """A signer's written pre-approval (never the person who recorded it)."""
    assert who.actor is not None
    actor = who.actor
    return _step(request, store, lambda: ledger.approve(store, actor, withdrawal_id))


@pages.post("/withdrawals/{withdrawal_id}/execute", response_class=HTMLResponse, dependencies=[Checked])
def execute(
    request: Request, withdrawal_id: WithdrawalId, who: Executor, store: StoreDep, at: Annotated[str, Form(max_length=40)] = ""
) -> Response:
    """Mark it made (New York time; empty: now); one that needs approval only once approved."""
    assert who.actor is not None
    actor = who.actor
    return _step(request, store, lambda: ledger.execute(store, actor, withdrawal_id, at=moment(at, "the execution time")))


@pages.post("/withdrawals/{withdrawal_id}/cancel", response_class=HTMLResponse, dependencies=[Checked])
def cancel(request: Request, withdrawal_id: WithdrawalId, who: Canceller, store: StoreDep, reason: Annotated[str, Form()] = "") -> Response:
    """Cancel one not executed, saying why: it stops counting toward its series' 25%; its notice is not to be sent."""
    assert who.actor is not None
    actor = who.actor
    return _step(request, store, lambda: ledger.cancel(store, actor, withdrawal_id, reason=reason))


@api.get("/withdrawals", response_model=WithdrawalListing)
def api_withdrawals(store: StoreDep, _: Member, firm: str | None = None, start: From = None, end: To = None) -> WithdrawalListing:
    """The ledger (of a firm; `from`/`to` are the prior-day computations), as `dailyseg withdrawal list --format json`."""
    found = _found(store, firm, start, end)
    return WithdrawalListing.of(found, ledger.standings_after(found))


@api.post("/withdrawals", response_model=WithdrawalOut, status_code=201)
def api_record(asked: WithdrawalIn, who: Recorder, store: StoreDep) -> WithdrawalOut:
    """Record a withdrawal (a preparer's token): 403 before the prior day's computation (17 CFR 1.23(b)); past 25%
    of residual interest it is recorded needing a signer's approval, with its 1.23(d) notice drafted."""
    assert who.actor is not None
    actor = who.actor

    def act() -> Withdrawal:
        made = request_of(
            asked.firm, asked.statement, asked.amount, asked.currency, asked.usd, asked.recipient, asked.purpose, asked.for_customers,
            moment(asked.at, "at"),
        )  # fmt: skip
        return ledger.record(store, actor, made, firm_id=close_firm_id(store, asked.firm)).withdrawal

    return _api_step(act)


@api.post("/withdrawals/{withdrawal_id}/approve", response_model=WithdrawalOut)
def api_approve(withdrawal_id: WithdrawalId, who: Approver, store: StoreDep) -> WithdrawalOut:
    """Approve (a signer's token; not the recorder's): 403 four eyes, 409 not recorded, 422 needs no approval."""
    assert who.actor is not None
    actor = who.actor
    return _api_step(lambda: ledger.approve(store, actor, withdrawal_id))


@api.post("/withdrawals/{withdrawal_id}/execute", response_model=WithdrawalOut)
def api_execute(
    withdrawal_id: WithdrawalId, who: Executor, store: StoreDep, done: Annotated[ExecuteIn | None, Body()] = None
) -> WithdrawalOut:
    """Mark it made (a preparer's or signer's token; `at` default now): 409 when it needs approval and has none."""
    assert who.actor is not None
    actor = who.actor
    return _api_step(lambda: ledger.execute(store, actor, withdrawal_id, at=moment(done.at if done else None, "at")))


@api.post("/withdrawals/{withdrawal_id}/cancel", response_model=WithdrawalOut)
def api_cancel(withdrawal_id: WithdrawalId, asked: CancelIn, who: Canceller, store: StoreDep) -> WithdrawalOut:
    """Cancel one not executed (a preparer's token, as recording): 404 no such withdrawal, 409 executed or cancelled
    already, 422 no reason. It no longer counts toward its series' 25%; its notice, unless sent, is withdrawn."""
    assert who.actor is not None
    actor = who.actor
    return _api_step(lambda: ledger.cancel(store, actor, withdrawal_id, reason=asked.reason))


router.include_router(pages)
router.include_router(api)
