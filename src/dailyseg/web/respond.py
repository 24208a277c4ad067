"""Answering with a page: the template rendered with the form token, and the token's cookie when new."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from dailyseg.web.access import signed_in
from dailyseg.web.security import CSRF_COOKIE, Csrf
from dailyseg.web.templating import render_template


def page_context(request: Request) -> tuple[dict[str, Any], str | None]:
    """What every page's template gets (the form token, the path, who is signed in), and the token's new cookie
    value if any.

    Apart from `page` so that a page can be rendered elsewhere (in a worker process) and finished by `html_page`.
    """
    csrf: Csrf = request.app.state.csrf
    token, fresh = csrf.issue(request)
    return {"csrf_token": token, "path": request.url.path, "user": signed_in(request)}, fresh


def html_page(request: Request, html: str | bytes, fresh: str | None, status: int = 200) -> HTMLResponse:
    response = HTMLResponse(html, status_code=status)
    if fresh is not None:
        response.set_cookie(CSRF_COOKIE, fresh, httponly=True, samesite="strict", secure=request.url.scheme == "https", path="/")
    return response


def page(request: Request, name: str, context: Mapping[str, Any], status: int = 200) -> HTMLResponse:
    base, fresh = page_context(request)
    return html_page(request, render_template(name, {**context, **base}), fresh, status)
