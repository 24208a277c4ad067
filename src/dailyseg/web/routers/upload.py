"""The upload page: drop a filing to validate and view it; store it too when the write token is given."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from dailyseg.render.html import render_fragment
from dailyseg.web.deps import get_store
from dailyseg.web.documents import examine, receive, store_examined
from dailyseg.web.respond import page
from dailyseg.web.security import CSRF_FIELD, check_write_token, require_read, settings_of

router = APIRouter(dependencies=[Depends(require_read)], include_in_schema=False)


def _can_store(request: Request) -> bool:
    return settings_of(request).write_token is not None


@router.get("/upload", response_class=HTMLResponse)
def upload_form(request: Request) -> HTMLResponse:
    return page(request, "upload.html.j2", {"examined": None, "fragments": [], "stored": None, "can_store": _can_store(request)})


@router.post("/upload", response_class=HTMLResponse)
async def upload(
    request: Request,
    file: Annotated[UploadFile, File(description="a filing in any format dailyseg reads")],
    csrf_token: Annotated[str, Form(alias=CSRF_FIELD)] = "",
    action: Annotated[Literal["view", "store"], Form()] = "view",
    token: Annotated[str, Form()] = "",
) -> HTMLResponse:
    """Validate and view; with action "store" and the write token, store the filings too (all or none)."""
    request.app.state.csrf.verify(request, csrf_token)
    settings = settings_of(request)
    if action == "store":
        check_write_token(settings, token.strip() or None)
    name, content = await receive(file, settings.max_upload_bytes)
    examined = examine(name, content, settings.max_upload_bytes)
    stored = store_examined(get_store(request), examined) if action == "store" and examined.filings else None
    fragments = [Markup(render_fragment(c.filing, c.findings)) for c in examined.filings]
    return page(
        request, "upload.html.j2", {"examined": examined, "fragments": fragments, "stored": stored, "can_store": _can_store(request)}
    )
