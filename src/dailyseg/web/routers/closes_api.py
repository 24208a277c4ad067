"""The daily close on the JSON API: list and read closes, make a draft, review, approve, file and amend.

Each step calls the store function the pages and the command line call (`dailyseg.store.workflow`, with the
drafts of web/close_steps.py), so `/api/closes`, `/closes` and `dailyseg close|review|approve|file|amend` do
the same things with the same four-eyes checks, and the answers are the shapes `--format json` writes
(dailyseg.close_shapes). Writes take a personal bearer token (`dst_...`): the service account holds no role of
the close. Refusals: 401 nobody identified, 403 a role or four eyes, 404 no such close, 409 the close is no
longer in the state the step needs (someone got there first), 422 error findings not overridden or a request
that names nothing the step can act on.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, HTTPException, Query, Request, UploadFile

from dailyseg.close_shapes import AmendIn, ApproveIn, CloseDetail, CloseOut, FileIn, ReviewIn
from dailyseg.shapes import ErrorBody
from dailyseg.store import Store, workflow
from dailyseg.store.audit import entries
from dailyseg.store.people import Actor
from dailyseg.store.workflow import Close, Refused, State
from dailyseg.web.access import FILER, MEMBER, PREPARER, SIGNER, Caller
from dailyseg.web.close_steps import STATUS_OF, close_firm_id, draft_examined, drafted
from dailyseg.web.deps import From, To, check_range, get_store
from dailyseg.web.documents import examined, receive
from dailyseg.web.routers.api import ERRORS
from dailyseg.web.routers.closes import CloseId, filed_at
from dailyseg.web.security import settings_of
from dailyseg.web.work import HeavyWork, heavy_work

RESPONSES: dict[int | str, dict[str, Any]] = ERRORS | {
    409: {"model": ErrorBody, "description": "the close is not in the state the step needs: someone got there first"}
}
router = APIRouter(prefix="/api/closes", tags=["closes"], responses=RESPONSES)
StoreDep = Annotated[Store, Depends(get_store)]
HeavyDep = Annotated[HeavyWork, Depends(heavy_work)]


def _actor(who: Caller) -> Actor:
    """The user a rule let through (every rule here needs one)."""
    assert who.actor is not None
    return who.actor


def _refused(refusal: Refused) -> HTTPException:
    """A refusal of the workflow as the API's error, with the status the pages give it (close_steps.STATUS_OF)."""
    return HTTPException(STATUS_OF[refusal.kind], str(refusal))


@contextmanager
def _answered() -> Iterator[None]:
    try:
        yield
    except Refused as refusal:
        raise _refused(refusal) from None


def _made(made: Close | Refused) -> CloseOut:
    if isinstance(made, Refused):
        raise _refused(made)
    return CloseOut.of(made)


def _existing(store: Store, close_id: int) -> Close:
    try:
        return workflow.get_close(store, close_id)
    except Refused as missing:
        raise HTTPException(404, str(missing)) from None


def existing_close(close_id: CloseId, store: StoreDep) -> int:
    """The close a step names, or 404 (the workflow would call a missing close an invalid request, 422)."""
    return _existing(store, close_id).id


ExistingClose = Annotated[int, Depends(existing_close)]


@router.get("", response_model=list[CloseOut])
def closes(
    store: StoreDep,
    _: Annotated[Caller, Depends(MEMBER)],
    firm: Annotated[str | None, Query(description="a firm id or any name it filed under, as `dailyseg closes FIRM`")] = None,
    start: From = None,
    end: To = None,
    state: Annotated[State | None, Query(description="only closes in this state")] = None,
) -> list[CloseOut]:
    """Every close (of a firm, over a period, in a state) by End Date, then id: what `dailyseg closes --format json` writes."""
    check_range(start, end)
    found = workflow.list_closes(store, close_firm_id(store, firm) if firm else None, start, end)
    return [CloseOut.of(c) for c in found if state is None or c.state == state]


@router.get("/{close_id}", response_model=CloseDetail)
def close(close_id: CloseId, store: StoreDep, _: Annotated[Caller, Depends(MEMBER)]) -> CloseDetail:
    """One close: who did each step and when (from the audit log), its due time, error findings, comments and figures."""
    found = _existing(store, close_id)
    steps = [e for e in entries(store, firm_id=found.firm_id) if e.subject == f"close {close_id}"]
    return CloseDetail.with_filing(found, steps, workflow.close_filing(store, close_id))


@router.post("", response_model=CloseOut, status_code=201)
async def make_draft(
    request: Request,
    who: Annotated[Caller, Depends(PREPARER)],
    store: StoreDep,
    heavy: HeavyDep,
    books: Annotated[str | None, Form(description="the name of books the server knows (`serve --books NAME=DIR`)")] = None,
    file: Annotated[UploadFile | None, File(description="or a filing document the firm files as it is (one filing)")] = None,
) -> CloseOut:
    """The day's draft (multipart form): computed from books the server knows, or a document's one filing, as
    `dailyseg close BOOKS|FILE`. Its error findings are recorded for the signer; earlier open drafts of the day
    are superseded; a filed day is changed only by an amendment (409)."""
    actor = _actor(who)
    if (books is None) == (file is None):
        raise HTTPException(422, "invalid request: send a multipart form with either `books` (a name) or `file` (a document)")
    if file is None:
        assert books is not None
        return _made(await drafted(request, store, heavy, actor, books))
    limit = settings_of(request).max_upload_bytes
    name, content = await receive(file, limit)
    with _answered():
        return CloseOut.of(await heavy.run(lambda job: draft_examined(store, actor, job.in_worker(examined, name, content, limit))))


@router.post("/{close_id}/review", response_model=CloseOut)
def review(who: Annotated[Caller, Depends(PREPARER)], close_id: ExistingClose, store: StoreDep, body: ReviewIn | None = None) -> CloseOut:
    """Mark a draft reviewed (a preparer other than the one who made it), with comments on lines or the whole filing."""
    comments = [(c.code, c.text) for c in body.comments] if body is not None else []
    with _answered():
        return CloseOut.of(workflow.review(store, _actor(who), close_id, comments))


@router.post("/{close_id}/approve", response_model=CloseOut)
def approve(who: Annotated[Caller, Depends(SIGNER)], close_id: ExistingClose, store: StoreDep, body: ApproveIn | None = None) -> CloseOut:
    """Approve a reviewed close (a signer who did not make it); error findings need `override`, a written reason (else 422)."""
    with _answered():
        return CloseOut.of(workflow.approve(store, _actor(who), close_id, body.override if body is not None else None))


@router.post("/{close_id}/file", response_model=CloseOut)
def mark_filed(who: Annotated[Caller, Depends(FILER)], close_id: ExistingClose, store: StoreDep, body: FileIn | None = None) -> CloseOut:
    """Mark an approved close as submitted to the CFTC and the DSRO (a preparer or signer), at `at` (default now)."""
    at, reference = (body.at, body.reference) if body is not None else (None, None)
    with _answered():
        return CloseOut.of(workflow.file(store, _actor(who), close_id, at=filed_at(at or ""), reference=reference))


@router.post("/{close_id}/amend", response_model=CloseOut, status_code=201)
async def amend(
    request: Request, who: Annotated[Caller, Depends(PREPARER)], close_id: ExistingClose, store: StoreDep, heavy: HeavyDep, body: AmendIn
) -> CloseOut:
    """An AMENDED draft of this filed close, computed from books of its day, with the reason; it goes through
    review, approval and filing again (409 when the close is not filed)."""
    return _made(await drafted(request, store, heavy, _actor(who), body.books, body.reason, amends=close_id))
