"""Notices on the pages and the API: the list, one notice as the firm would send it, its downloads, drafting the
notice of a filing's or a close's event, and recording its sending.

Every step calls the function `dailyseg notice` calls (`dailyseg.store.notices`: draft_for_filing, draft_for_close,
mark_sent),
so the figures are the ones drafted from the rules' own findings, never computed again here, and a notice says
it was sent only once a person has recorded it (audited: `notice-draft`, `notice-sent`). The undermargined
amount is not on a filing: the filing page's form gives it (`undermargined`, with its class in `statement`),
read as `dailyseg notice --undermargined CLASS=AMOUNT` reads it (notices.asked). Notices are the
reporting team's working record: any user may read them (`member`), a preparer drafts, a preparer or a signer
records the sending.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from dailyseg.catalogue import CATALOGUE
from dailyseg.checks import Context
from dailyseg.notices import render
from dailyseg.notices.asked import undermargined_amount
from dailyseg.notices.draft import BLANK, FILING_EVENTS
from dailyseg.notices.shapes import NoticeOut
from dailyseg.store import Store
from dailyseg.store.notices import Notice, draft_for_close, draft_for_filing, get_notice, list_notices, mark_sent
from dailyseg.store.workflow import Refused
from dailyseg.web.access import FILER, MEMBER, PREPARER, Caller
from dailyseg.web.close_steps import STATUS_OF
from dailyseg.web.deps import MAX_FILING_ID, FilingId, firm_or_404, get_store
from dailyseg.web.notice_view import sent_at
from dailyseg.web.respond import page
from dailyseg.web.routers.api import ERRORS
from dailyseg.web.security import csrf_checked
from dailyseg.web.typed import moment
from dailyseg.web.work import HeavyWork, Job, heavy_work

router = APIRouter()
pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api", responses=ERRORS, tags=["notices"])
StoreDep = Annotated[Store, Depends(get_store)]
Member = Annotated[Caller, Depends(MEMBER)]
NoticeId = Annotated[int, Path(ge=1, le=MAX_FILING_ID, description="a notice's id")]
OfFiling = Annotated[int | None, Query(alias="filing_id", ge=1, le=MAX_FILING_ID, description="only the notices of this stored filing")]
CloseId = Annotated[int, Path(ge=1, le=MAX_FILING_ID, description="a close's id")]
OfClose = Annotated[int | None, Query(alias="close_id", ge=1, le=MAX_FILING_ID, description="only the notices of this daily close")]
Checked = Depends(csrf_checked)
DRAFTER = replace(PREPARER, doing="draft notices")
SENDER = replace(FILER, doing="record that notices were sent")

# A notice as a file: the text and the standalone HTML are quick; a PDF is laid out in a worker process.
DOWNLOADS: dict[str, tuple[str, str]] = {
    "text": ("txt", "text/plain; charset=utf-8"),
    "html": ("html", "text/html"),
    "pdf": ("pdf", "application/pdf"),
}


def _stored(store: Store, notice_id: int) -> Notice:
    try:
        return get_notice(store, notice_id)
    except Refused as missing:
        raise HTTPException(404, str(missing)) from None


def _listed(store: Store, firm: str | None, filing_id: int | None, close_id: int | None) -> list[Notice]:
    return list_notices(store, firm_id=firm_or_404(store, firm) if firm else None, filing_id=filing_id, close_id=close_id)


def _notice_page(request: Request, notice: Notice, message: str | None = None, status: int = 200) -> HTMLResponse:
    context = {"notice": notice, "sections": render.sections(notice), "sent_at": sent_at(notice), "blank": BLANK, "message": message}
    return page(request, "notice.html.j2", context, status)


@pages.get("/notices", response_class=HTMLResponse)
def notices_page(
    request: Request, store: StoreDep, _: Member, firm: str | None = None, filing_id: OfFiling = None, close_id: OfClose = None
) -> HTMLResponse:
    """Every notice (of a firm, of a filing, of a close), by End Date: its event, class, what it belongs to, and its sending."""
    found = _listed(store, firm, filing_id, close_id)
    context = {"notices": found, "sent_at": sent_at, "firm": firm or "", "filing_id": filing_id, "close_id": close_id}
    return page(request, "notices.html.j2", context)


@pages.get("/notices/{notice_id}", response_class=HTMLResponse)
def notice_page(request: Request, notice_id: NoticeId, store: StoreDep, _: Member) -> HTMLResponse:
    """One notice laid out as it is sent: the status first, every field, the blanks the firm completes."""
    return _notice_page(request, _stored(store, notice_id))


@pages.get("/notices/{notice_id}/download/{fmt}")
async def download(notice_id: NoticeId, fmt: str, store: StoreDep, _: Member, heavy: Annotated[HeavyWork, Depends(heavy_work)]) -> Response:
    """The notice as a file (text, HTML or PDF), with its status as every rendering has it."""
    if fmt not in DOWNLOADS:
        raise HTTPException(404, f"no download format {fmt!r}; choose one of {', '.join(DOWNLOADS)}")
    suffix, media_type = DOWNLOADS[fmt]

    def made(job: Job | None) -> Response:
        notice = _stored(store, notice_id)
        if job is not None:
            body: bytes = job.in_worker(render.render_pdf, [notice])
        else:
            body = (render.render_text if fmt == "text" else render.render_html)([notice]).encode("utf-8")
        name = f"notice-{notice.id}-{notice.draft.kind}-{notice.draft.firm_id}-{notice.draft.end_date.isoformat()}.{suffix}"
        return Response(body, media_type=media_type, headers={"content-disposition": f'attachment; filename="{name}"'})

    return await heavy.run(made) if fmt == "pdf" else await run_in_threadpool(made, None)


def _context(event: str, statement: str, undermargined: str) -> Context | None:
    """The undermargined amount typed for a class, as the rules take it; None when none was typed."""
    if not undermargined.strip():
        if event == "below-undermargined":
            raise Refused("invalid", "the below-undermargined notice needs the class's undermargined amount: it is not on the filing")
        return None
    if statement not in CATALOGUE.statement_by_id:
        raise Refused(
            "invalid",
            f"the undermargined amount is of a class: expected one of {', '.join(CATALOGUE.statement_by_id)}, found {statement!r}",
        )
    return Context(undermargined={statement: undermargined_amount(undermargined, "the undermargined amount")})


def _drafted(request: Request, what: str, statement: str, drafting: Callable[[], Sequence[Notice]]) -> Response:
    """The notice of `statement` among those `drafting` drafts (or finds, when drafted before) of `what`'s event;
    the refusal's page, or that there is no event needing one."""
    try:
        found = drafting()
    except Refused as refusal:
        return page(request, "error.html.j2", {"status": STATUS_OF[refusal.kind], "message": str(refusal)}, STATUS_OF[refusal.kind])
    if not found:
        message = f"{what} has no event that requires a notice ({', '.join(FILING_EVENTS)})"
        return page(request, "error.html.j2", {"status": 422, "message": message}, 422)
    shown = next((n for n in found if n.draft.statement == statement), found[0])
    return RedirectResponse(f"/notices/{shown.id}", status_code=303)


@pages.post("/filings/{filing_id}/notices", response_class=HTMLResponse, dependencies=[Checked])
def draft(
    request: Request,
    filing_id: FilingId,
    who: Annotated[Caller, Depends(DRAFTER)],
    store: StoreDep,
    event: Annotated[str, Form()] = "",
    statement: Annotated[str, Form()] = "",
    undermargined: Annotated[str, Form()] = "",
) -> Response:
    """Draft (or find, when drafted before) the notices of the filing's event, and show the one of its statement;
    below the undermargined amount, with the amount typed for the class."""
    actor = who.actor
    assert actor is not None
    kinds = [event] if event else []
    return _drafted(
        request,
        f"filing {filing_id}",
        statement,
        lambda: draft_for_filing(store, actor, filing_id, kinds=kinds, context=_context(event, statement, undermargined)),
    )


@pages.post("/closes/{close_id}/notices", response_class=HTMLResponse, dependencies=[Checked])
def draft_of_close(
    request: Request,
    close_id: CloseId,
    who: Annotated[Caller, Depends(DRAFTER)],
    store: StoreDep,
    event: Annotated[str, Form()] = "",
    statement: Annotated[str, Form()] = "",
) -> Response:
    """Draft (or find) the notices of the close's event, kept with the close, and show the one of its statement:
    the firm's own computation, before it files."""
    actor = who.actor
    assert actor is not None
    kinds = [event] if event else []
    return _drafted(request, f"close {close_id}", statement, lambda: draft_for_close(store, actor, close_id, kinds=kinds))


@pages.post("/notices/{notice_id}/sent", response_class=HTMLResponse, dependencies=[Checked])
def sent(
    request: Request,
    notice_id: NoticeId,
    who: Annotated[Caller, Depends(SENDER)],
    store: StoreDep,
    at: Annotated[str, Form()] = "",
    reference: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Record that the notice was sent, at the time given (New York's clock; empty: now), once."""
    assert who.actor is not None
    try:
        done = mark_sent(store, who.actor, notice_id, at=moment(at, "the sending time"), reference=reference.strip() or None)
    except Refused as refusal:
        return _notice_page(request, _stored(store, notice_id), str(refusal), STATUS_OF[refusal.kind])
    return RedirectResponse(f"/notices/{done.id}", status_code=303)


@api.get("/notices", response_model=list[NoticeOut])
def api_notices(
    store: StoreDep, _: Member, firm: str | None = None, filing_id: OfFiling = None, close_id: OfClose = None
) -> list[NoticeOut]:
    """Every notice (of a firm, of a filing, of a close), as `dailyseg notice list --format json` writes them."""
    return [NoticeOut.of(n) for n in _listed(store, firm, filing_id, close_id)]


@api.get("/notices/{notice_id}", response_model=NoticeOut)
def api_notice(notice_id: NoticeId, store: StoreDep, _: Member) -> NoticeOut:
    """One notice, with its figures (amounts as strings), the blanks the firm completes, and its sending."""
    return NoticeOut.of(_stored(store, notice_id))


router.include_router(pages)
router.include_router(api)
