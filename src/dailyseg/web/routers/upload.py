"""The upload page: drop a filing to validate and view it; store it too when a preparer (or the write token) sends
it, or make it the day's draft of the close (a preparer: the firm files this document as it is).

The document is read, checked and (to view it) laid out in a worker process (`dailyseg.web.work`); only the
finished page comes back. Storing needs the filings themselves, so then the worker sends them back and the
page is laid out by the heavy thread that stored them (a preparer or the write token's holder is trusted
with that). Someone who may not store still gets the document's validation, with the reason it was not
stored (401 when nobody is signed in, 403 for a role that does not store): the upload is never lost.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup

from dailyseg.render.html import render_fragment
from dailyseg.store import IngestOutcome, Store
from dailyseg.store.people import TOKEN_PREFIX, Actor
from dailyseg.store.workflow import Close, Refused
from dailyseg.web.access import PREPARER, READER, STORER, Rule, by_token, caller
from dailyseg.web.close_steps import STATUS_OF, draft_examined
from dailyseg.web.deps import get_store
from dailyseg.web.documents import Examined, examine, examined, receive, store_examined, with_content
from dailyseg.web.ratelimit import limit_anonymous_upload
from dailyseg.web.respond import html_page, page, page_context
from dailyseg.web.security import csrf_checked, settings_of
from dailyseg.web.templating import render_template
from dailyseg.web.warming import rejudge_soon
from dailyseg.web.work import HeavyWork, Job, heavy_work

router = APIRouter(dependencies=[Depends(READER)], include_in_schema=False)
# Filings laid out like the form on one page: each is about 25 KB of HTML, so a document of a thousand filings
# would make a page of 25 MB; every filing's verdict is listed all the same.
LAID_OUT = 50


def _storing(request: Request, user: Actor | None) -> dict[str, Any]:
    """What the page says about storing and drafting: whether this user may, whether the server takes the write token."""
    return {
        "may_store": STORER.allows(user),
        "may_draft": PREPARER.allows(user),
        "takes_token": settings_of(request).write_token is not None,
        "refusal": None,
    }


def result_page(found: Examined, stored: Sequence[IngestOutcome] | None, base: Mapping[str, Any]) -> bytes:
    """The upload page with a document's verdicts, problems and (the first `LAID_OUT`) filings laid out like the form."""
    fragments = [Markup(render_fragment(c.filing, c.findings)) for c in found.filings[:LAID_OUT]]
    context = {**base, "examined": found, "fragments": fragments, "stored": stored}
    return render_template("upload.html.j2", context).encode("utf-8")


def viewed_page(name: str, content: bytes, limit: int, base: Mapping[str, Any]) -> bytes:
    """Read, check and lay out a document in one go (the function a worker process runs to view an upload).

    The page comes back encoded, so the server only passes its bytes on."""
    return result_page(examine(name, content, limit), None, base)


# What each step of the page needs, and how its refusal ends: the step's rule, its goal, what was not done.
STEPS: dict[str, tuple[Rule, str, str]] = {
    "store": (STORER, "store", "the document was validated below but not stored"),
    "draft": (PREPARER, "make the day's draft", "the document was validated below; no draft was made"),
}


def acting(request: Request, token: str | None, step: str) -> tuple[Actor | None, str | None, int]:
    """Who takes this upload's step (the token typed in the form, else the signed-in user), or why no one does
    and the status."""
    rule, goal, not_done = STEPS[step]
    who = by_token(request, token) if token else caller(request)
    if who.actor is not None and rule.allows(who.actor):
        return who.actor, None, 200
    if who.bad_token:
        personal = token is not None and token.startswith(TOKEN_PREFIX)
        return (
            None,
            "the token is not valid: unknown, revoked, or its user is disabled" if personal else "the write token is not valid",
            401,
        )
    if who.actor is None:
        return None, f"sign in as a preparer to {goal}: {not_done}", 401
    return None, f"{who.actor.name} may not {rule.doing}: sign in as a preparer to {goal}; {not_done}", 403


@router.get("/upload", response_class=HTMLResponse)
def upload_form(request: Request) -> HTMLResponse:
    context = {"examined": None, "fragments": [], "stored": None, **_storing(request, caller(request).actor)}
    return page(request, "upload.html.j2", context)


@router.post("/upload", response_class=HTMLResponse, dependencies=[Depends(csrf_checked)])
async def upload(
    request: Request,
    file: Annotated[UploadFile, File(description="a filing in any format dailyseg reads")],
    heavy: Annotated[HeavyWork, Depends(heavy_work)],
    action: Annotated[Literal["view", "store", "draft"], Form()] = "view",
    token: Annotated[str, Form()] = "",
) -> Response:
    """Validate and view; with action "store", by a preparer or with the write token, store the filings too (all or
    none); with action "draft", by a preparer, make the document's one filing the day's draft of the close."""
    typed = token.strip() or None
    await limit_anonymous_upload(request, typed)
    who, refusal, status = acting(request, typed, action) if action != "view" else (None, None, 200)
    limit = settings_of(request).max_upload_bytes
    name, content = await receive(file, limit)
    context, fresh = page_context(request)
    base = {**context, **_storing(request, caller(request).actor), "refusal": refusal}
    if who is None:
        html = await heavy.run(lambda job: job.in_worker(viewed_page, name, content, limit, base))
    elif action == "store":
        actor = who.name

        def read_and_store(job: Job) -> bytes:
            found = with_content(job.in_worker(examined, name, content, limit), content)
            return result_page(found, store_examined(get_store(request), found, actor) if found.filings else None, base)

        html = await heavy.run(read_and_store)
        rejudge_soon(request)
    else:
        drafted = await heavy.run(lambda job: _read_and_draft(job, get_store(request), who, name, content, limit, base))
        if isinstance(drafted, Close):
            return RedirectResponse(f"/closes/{drafted.id}", status_code=303)
        html, status = drafted
    return html_page(request, html, fresh, status)


def _read_and_draft(
    job: Job, store: Store, actor: Actor, name: str, content: bytes, limit: int, base: Mapping[str, Any]
) -> Close | tuple[bytes, int]:
    """The document's one filing as the day's draft (with its error findings), or its page with why not."""
    found = job.in_worker(examined, name, content, limit)
    try:
        return draft_examined(store, actor, found)
    except Refused as refused:
        return result_page(found, None, {**base, "refusal": str(refused)}), STATUS_OF[refused.kind]
