"""The upload page: drop a filing to validate and view it; store it too when the write token is given.

The document is read, checked and (to view it) laid out in a worker process (`dailyseg.web.work`); only the
finished page comes back. Storing needs the filings themselves, so then the worker sends them back and the
page is laid out by the heavy thread that stored them (the write token's holder is trusted with that).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from dailyseg.render.html import render_fragment
from dailyseg.store import IngestOutcome
from dailyseg.web.deps import get_store
from dailyseg.web.documents import Examined, examine, examined, receive, store_examined, with_content
from dailyseg.web.ratelimit import limit_anonymous_upload
from dailyseg.web.respond import html_page, page, page_context
from dailyseg.web.security import CSRF_FIELD, check_write_token, require_read, settings_of
from dailyseg.web.templating import render_template
from dailyseg.web.work import HeavyWork, Job, heavy_work

router = APIRouter(dependencies=[Depends(require_read)], include_in_schema=False)
# Filings laid out like the form on one page: each is about 25 KB of HTML, so a document of a thousand filings
# would make a page of 25 MB; every filing's verdict is listed all the same.
LAID_OUT = 50


def _can_store(request: Request) -> bool:
    return settings_of(request).write_token is not None


def result_page(found: Examined, stored: Sequence[IngestOutcome] | None, base: Mapping[str, Any]) -> bytes:
    """The upload page with a document's verdicts, problems and (the first `LAID_OUT`) filings laid out like the form."""
    fragments = [Markup(render_fragment(c.filing, c.findings)) for c in found.filings[:LAID_OUT]]
    context = {**base, "examined": found, "fragments": fragments, "stored": stored}
    return render_template("upload.html.j2", context).encode("utf-8")


def viewed_page(name: str, content: bytes, limit: int, base: Mapping[str, Any]) -> bytes:
    """Read, check and lay out a document in one go (the function a worker process runs to view an upload).

    The page comes back encoded, so the server only passes its bytes on."""
    return result_page(examine(name, content, limit), None, base)


@router.get("/upload", response_class=HTMLResponse)
def upload_form(request: Request) -> HTMLResponse:
    return page(request, "upload.html.j2", {"examined": None, "fragments": [], "stored": None, "can_store": _can_store(request)})


@router.post("/upload", response_class=HTMLResponse)
async def upload(
    request: Request,
    file: Annotated[UploadFile, File(description="a filing in any format dailyseg reads")],
    heavy: Annotated[HeavyWork, Depends(heavy_work)],
    csrf_token: Annotated[str, Form(alias=CSRF_FIELD)] = "",
    action: Annotated[Literal["view", "store"], Form()] = "view",
    token: Annotated[str, Form()] = "",
) -> HTMLResponse:
    """Validate and view; with action "store" and the write token, store the filings too (all or none)."""
    request.app.state.csrf.verify(request, csrf_token)
    settings = settings_of(request)
    if action == "store":
        check_write_token(settings, token.strip() or None)
    limit_anonymous_upload(request, token.strip() or None)
    limit = settings.max_upload_bytes
    name, content = await receive(file, limit)
    context, fresh = page_context(request)
    base = {**context, "can_store": _can_store(request)}
    if action == "view":
        html = await heavy.run(lambda job: job.in_worker(viewed_page, name, content, limit, base))
    else:

        def read_and_store(job: Job) -> bytes:
            found = with_content(job.in_worker(examined, name, content, limit), content)
            return result_page(found, store_examined(get_store(request), found) if found.filings else None, base)

        html = await heavy.run(read_and_store)
    return html_page(request, html, fresh)
