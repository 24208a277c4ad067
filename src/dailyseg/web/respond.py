"""Answering with a page: the template rendered with the form token, and the token's cookie when new."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from dailyseg.web.security import CSRF_COOKIE, Csrf
from dailyseg.web.templating import render_template


def page(request: Request, name: str, context: Mapping[str, Any], status: int = 200) -> HTMLResponse:
    csrf: Csrf = request.app.state.csrf
    token, fresh = csrf.issue(request)
    html = render_template(name, {**context, "csrf_token": token, "path": request.url.path})
    response = HTMLResponse(html, status_code=status)
    if fresh is not None:
        response.set_cookie(CSRF_COOKIE, fresh, httponly=True, samesite="strict", secure=request.url.scheme == "https", path="/")
    return response
