"""Errors as the client wants them: JSON under /api, a page elsewhere; never a traceback.

Every error carries a status and a plain message. The request-size guard lives here too, because a body
that is too large must be refused before it is read into memory.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dailyseg.shapes import ErrorBody
from dailyseg.web.templating import render_template

log = logging.getLogger("dailyseg.web")

API_PREFIX = "/api"
# Room for the multipart envelope around a document of the largest allowed size.
FORM_OVERHEAD_BYTES = 64 * 1024


def wants_json(path: str) -> bool:
    return path == API_PREFIX or path.startswith(API_PREFIX + "/")


def error_response(path: str, status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    if wants_json(path):
        return JSONResponse(ErrorBody.of(status, message).model_dump(mode="json"), status_code=status, headers=headers)
    html = render_template("error.html.j2", {"status": status, "message": message, "csrf_token": "", "path": path})
    return HTMLResponse(html, status_code=status, headers=headers)


def _validation_message(error: RequestValidationError) -> str:
    parts = []
    for item in error.errors():
        where = ".".join(str(p) for p in item.get("loc", ()) if p not in ("body", "query", "path"))
        parts.append(f"{where}: {item.get('msg', 'invalid')}" if where else str(item.get("msg", "invalid")))
    return "invalid request: " + "; ".join(parts)


def slash_twin(request: Request) -> str | None:
    """Where a path that matches no route but would with or without its trailing slash lives, as a relative URL.

    Starlette's own redirect (turned off in app.py) writes an absolute URL from the Host header, which a client
    chooses: a redirect to any host. This one is a path: the same host, whatever the header says. Leading
    slashes and backslashes are folded to one slash, so the answer can never read as `//other-host`.
    """
    path = request.url.path
    if path == "/":
        return None
    twin = path[:-1] if path.endswith("/") else path + "/"
    scope = {**request.scope, "path": twin}
    if not any(route.matches(scope)[0] != Match.NONE for route in request.app.router.routes):
        return None
    raw = request.scope.get("raw_path")
    written = raw.decode("latin-1") if isinstance(raw, bytes) else path
    written = written[:-1] if written.endswith("/") else written + "/"
    location = "/" + written.lstrip("/\\")
    query = request.scope.get("query_string", b"")
    return location + ("?" + query.decode("latin-1") if query else "")


def install_handlers(app: FastAPI) -> None:
    async def http_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, StarletteHTTPException)
        headers: dict[str, Any] | None = getattr(error, "headers", None)
        message = str(error.detail)
        if error.status_code == 404 and message == "Not Found":
            twin = slash_twin(request)
            if twin is not None:
                return RedirectResponse(twin, status_code=307)
            message = f"nothing here: {request.url.path}"
        elif error.status_code == 405:
            message = f"{request.method} is not allowed on {request.url.path}"
        return error_response(request.url.path, error.status_code, message, headers)

    async def invalid(request: Request, error: Exception) -> Response:
        assert isinstance(error, RequestValidationError)
        return error_response(request.url.path, 422, _validation_message(error))

    async def unexpected(request: Request, error: Exception) -> Response:
        log.exception("unexpected error on %s", request.url.path)
        return error_response(request.url.path, 500, "internal error: the server could not answer this request")

    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, invalid)
    app.add_exception_handler(Exception, unexpected)


def too_large_message(limit: int) -> str:
    return f"upload too large: a document may hold at most {limit:,} bytes"


class BodyLimit:
    """ASGI middleware: refuse a request body past the limit with 413, by its header or while it arrives."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.document_limit = limit
        self.limit = limit + FORM_OVERHEAD_BYTES

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", ())).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            response = error_response(scope["path"], 413, too_large_message(self.document_limit))
            await response(scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise HTTPException(413, too_large_message(self.document_limit))
            return message

        await self.app(scope, counted, send)
