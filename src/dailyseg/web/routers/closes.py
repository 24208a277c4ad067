"""The daily close on the pages: the list of closes, one close with its figures, its events' banners (with the
notices kept with the close, routers/notices.py) and comments, and its steps.

Each step calls the store function the command line calls (`dailyseg.store.workflow`: draft, review, approve,
file), so the web and `dailyseg close|review|approve|file|amend` do the same things with the same four-eyes
checks. A step that works answers with a redirect to the close (reloading the page does not repeat it); one
the workflow refuses answers with the close's page and the reason: 403 for who asks (a role, four eyes), 409
for a close no longer in the state the step needs (someone got there first), 422 for error findings not
overridden or a request that names nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from starlette.concurrency import run_in_threadpool

from dailyseg.checks import Finding, validate
from dailyseg.render.html import render_fragment
from dailyseg.store import Store, workflow
from dailyseg.store.workflow import Close, Refused
from dailyseg.web.access import FILER, MEMBER, PREPARER, SIGNER, Caller
from dailyseg.web.close_steps import STATUS_OF, close_firm_id, drafted
from dailyseg.web.deps import MAX_FILING_ID, From, To, check_range, get_store
from dailyseg.web.filing_view import close_banners
from dailyseg.web.respond import page
from dailyseg.web.security import csrf_checked, settings_of
from dailyseg.web.typed import moment
from dailyseg.web.work import HeavyWork, heavy_work

router = APIRouter(include_in_schema=False)
StoreDep = Annotated[Store, Depends(get_store)]
CloseId = Annotated[int, Path(ge=1, le=MAX_FILING_ID, description="a close's id")]
Checked = Depends(csrf_checked)


def comments_of(text: str) -> list[tuple[str | None, str]]:
    """A reviewer's comments, one a line: `CODE=TEXT` on line CODE (as `review --comment`), else on the whole filing."""
    found: list[tuple[str | None, str]] = []
    for line in text.splitlines():
        code, sep, rest = line.partition("=")
        if sep and code.strip().isdigit() and rest.strip():
            found.append((code.strip(), rest.strip()))
        elif line.strip():
            found.append((None, line.strip()))
    return found


def filed_at(text: str) -> datetime | None:
    """The filing time a user typed, on New York's clock (the due time's zone); empty means now (the workflow's)."""
    return moment(text, "the filing time") if text.strip() else None


def _close_page(request: Request, store: Store, close_id: int, message: str | None = None, status: int = 200) -> HTMLResponse:
    """The close's page (with why a step was refused, when one was), or 404 when there is no such close."""
    try:
        close = workflow.get_close(store, close_id)
        filing = workflow.close_filing(store, close_id)
    except Refused as missing:
        return page(request, "error.html.j2", {"status": 404, "message": str(missing)}, 404)
    findings: Sequence[Finding] = validate(filing)
    context: dict[str, Any] = {
        "close": close,
        "banners": close_banners(store, close_id, findings),
        "fragment": Markup(render_fragment(filing, findings)),
        "books": sorted(settings_of(request).books),
        "message": message,
    }
    return page(request, "close.html.j2", context, status)


def _done(close: Close) -> Response:
    return RedirectResponse(f"/closes/{close.id}", status_code=303)


def _step(request: Request, store: Store, close_id: int, act: Any) -> Response:
    """Run one step of the workflow; its refusal is the close's page with the reason."""
    try:
        return _done(act())
    except Refused as refusal:
        return _close_page(request, store, close_id, str(refusal), STATUS_OF[refusal.kind])


@router.get("/closes", response_class=HTMLResponse)
def closes_list(
    request: Request, store: StoreDep, _: Annotated[Caller, Depends(MEMBER)], firm: str | None = None, start: From = None, end: To = None
) -> HTMLResponse:
    """Every close (of a firm, over a period): state, who did each step, the due time and whether it is late."""
    check_range(start, end)
    return _closes_page(request, store, firm or "", start, end)


def _closes_page(
    request: Request, store: Store, firm: str, start: date | None, end: date | None, message: str | None = None, status: int = 200
) -> HTMLResponse:
    """The closes, latest first (of a firm, named as the command line's `closes FIRM` takes it, and a period)."""
    firm_id = close_firm_id(store, firm) if firm else None
    found = list(reversed(workflow.list_closes(store, firm_id, start, end)))
    context = {"closes": found, "firm": firm, "start": start, "end": end, "books": sorted(settings_of(request).books), "message": message}
    return page(request, "closes.html.j2", context, status)


@router.post("/closes", response_class=HTMLResponse, dependencies=[Checked])
async def make_draft(
    request: Request,
    who: Annotated[Caller, Depends(PREPARER)],
    store: StoreDep,
    heavy: Annotated[HeavyWork, Depends(heavy_work)],
    books: Annotated[str, Form()],
) -> Response:
    """The day's draft computed from a books folder the server knows (by name); earlier open drafts are superseded."""
    assert who.actor is not None
    made = await drafted(request, store, heavy, who.actor, books)
    if isinstance(made, Close):
        return _done(made)
    return await run_in_threadpool(_closes_page, request, store, "", None, None, str(made), STATUS_OF[made.kind])


@router.get("/closes/{close_id}", response_class=HTMLResponse)
def close_page(request: Request, close_id: CloseId, store: StoreDep, _: Annotated[Caller, Depends(MEMBER)]) -> Response:
    """One close: its state and steps, due time, comments, figures laid out like the form, and the next step."""
    return _close_page(request, store, close_id)


@router.post("/closes/{close_id}/review", response_class=HTMLResponse, dependencies=[Checked])
def review(
    request: Request, close_id: CloseId, who: Annotated[Caller, Depends(PREPARER)], store: StoreDep, comments: Annotated[str, Form()] = ""
) -> Response:
    assert who.actor is not None
    actor = who.actor
    return _step(request, store, close_id, lambda: workflow.review(store, actor, close_id, comments_of(comments)))


@router.post("/closes/{close_id}/approve", response_class=HTMLResponse, dependencies=[Checked])
def approve(
    request: Request, close_id: CloseId, who: Annotated[Caller, Depends(SIGNER)], store: StoreDep, override: Annotated[str, Form()] = ""
) -> Response:
    """Approve; with error findings, only with a written override reason (empty: no override)."""
    assert who.actor is not None
    actor = who.actor
    return _step(request, store, close_id, lambda: workflow.approve(store, actor, close_id, override.strip() or None))


@router.post("/closes/{close_id}/file", response_class=HTMLResponse, dependencies=[Checked])
def file(
    request: Request,
    close_id: CloseId,
    who: Annotated[Caller, Depends(FILER)],
    store: StoreDep,
    at: Annotated[str, Form()] = "",
    reference: Annotated[str, Form()] = "",
) -> Response:
    """Mark as submitted, at the time given (New York's clock; empty: now), with the filing system's reference."""
    assert who.actor is not None
    actor = who.actor
    return _step(
        request, store, close_id, lambda: workflow.file(store, actor, close_id, at=filed_at(at), reference=reference.strip() or None)
    )


@router.post("/closes/{close_id}/amend", response_class=HTMLResponse, dependencies=[Checked])
async def amend(
    request: Request,
    close_id: CloseId,
    who: Annotated[Caller, Depends(PREPARER)],
    store: StoreDep,
    heavy: Annotated[HeavyWork, Depends(heavy_work)],
    books: Annotated[str, Form()],
    reason: Annotated[str, Form()] = "",
) -> Response:
    """An AMENDED draft of this filed day, computed from books again, with the reason for the amendment."""
    assert who.actor is not None
    made = await drafted(request, store, heavy, who.actor, books, reason, amends=close_id)
    if isinstance(made, Close):
        return _done(made)
    return await run_in_threadpool(_close_page, request, store, close_id, str(made), STATUS_OF[made.kind])
