"""The application factory: `create_app(settings)` wires the routers, the error handlers and the guards."""

from __future__ import annotations

import os
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dailyseg import __version__
from dailyseg.store.answers import Keeper
from dailyseg.store.totals import RunningTotals
from dailyseg.web.assets import STATIC_PREFIX, assets
from dailyseg.web.cache import RevisionCache
from dailyseg.web.computing import Computations
from dailyseg.web.deps import StoreHolder
from dailyseg.web.errors import BodyLimit, install_handlers
from dailyseg.web.overview_view import TOTALLED
from dailyseg.web.ratelimit import anonymous_uploads
from dailyseg.web.respond import page
from dailyseg.web.routers import account, api, closes_api, compute, exports, notices, overview, pages, upload, withdrawals
from dailyseg.web.security import Csrf
from dailyseg.web.settings import Settings
from dailyseg.web.warming import Rejudging
from dailyseg.web.work import HeavyWork

OPENAPI_URL = "/api/openapi.json"
API_DOCS_URL = "/api/docs"

# Everything a page loads comes from this server; no inline script, no frames, forms post only here.
SECURITY_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
]


class SecurityHeaders:
    """ASGI middleware adding the headers above to every response (see `App`: outside everything else)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
            await send(message)

        await self.app(scope, receive, with_headers if scope["type"] == "http" else send)


class App(FastAPI):
    """FastAPI with the security headers outermost.

    `add_middleware` puts a middleware inside Starlette's ServerErrorMiddleware, which writes the 500 answer:
    that answer, and any other a middleware gives, would go out without the headers. Wrapping the whole
    stack instead gives them to every response: errors, redirects, static files.
    """

    def build_middleware_stack(self) -> ASGIApp:
        return SecurityHeaders(super().build_middleware_stack())


def _meta_router() -> APIRouter:
    router = APIRouter()

    @router.get("/api/health", tags=["meta"])
    def health() -> dict[str, str | int]:
        """Whether the server answers (for load balancers and the tests), and which of its processes did; needs no token."""
        return {"status": "ok", "version": __version__, "process": os.getpid()}

    @router.get(API_DOCS_URL, include_in_schema=False, response_class=HTMLResponse)
    def api_docs(request: Request) -> HTMLResponse:
        """The interactive API reference (Swagger UI from this server's own files), open like the schema."""
        return page(request, "api_docs.html.j2", {"schema_url": OPENAPI_URL})

    @router.get(STATIC_PREFIX + "/{name}", include_in_schema=False)
    def static(name: str) -> Response:
        asset = assets().get(name)
        if asset is None:
            raise HTTPException(404, f"no static file {name!r}")
        return Response(
            asset.body, media_type=asset.media_type, headers={"cache-control": "public, max-age=31536000, immutable", "etag": asset.digest}
        )

    return router


def create_app(settings: Settings | None = None) -> FastAPI:
    """A new application over the given settings (defaults: the default store, open reading, no writing)."""
    settings = settings or Settings()
    holder = StoreHolder(settings.db_url)
    heavy = HeavyWork(settings)
    cache = RevisionCache()
    keeper = Keeper()
    rejudging = Rejudging(cache, holder.get, settings.rejudge_every_s)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # The worker processes start in the background: the fork server's imports take seconds, once.
        threading.Thread(target=heavy.pool.warm, args=(settings.heavy_workers,), name="dailyseg-warm", daemon=True).start()
        if settings.warm_answers:
            rejudging.start()
        yield
        rejudging.stop()
        keeper.close()
        heavy.close()
        holder.close()

    app = App(
        lifespan=lifespan,
        title="dailyseg",
        version=__version__,
        description="The CFTC Daily Segregation filings of futures commission merchants: firms, filings, versions, "
        "values over time, findings, and validation of uploaded documents. Amounts are exact, written as strings.",
        openapi_url=OPENAPI_URL,
        docs_url=None,
        redoc_url=None,
        redirect_slashes=False,  # Starlette's redirect names the Host header's host; errors.py redirects relatively
    )
    app.state.settings = settings
    app.state.store = holder
    app.state.computations = Computations(settings)
    app.state.answers = cache
    app.state.totals = RunningTotals[tuple[int, int]](TOTALLED)
    app.state.keeper = keeper
    app.state.rejudging = rejudging
    app.state.csrf = Csrf(settings.secret, settings.csrf_max_age_s)
    app.state.heavy = heavy
    app.state.anonymous_uploads = anonymous_uploads(settings)
    install_handlers(app)
    app.add_middleware(BodyLimit, limit=settings.max_upload_bytes)
    app.include_router(_meta_router())
    app.include_router(api.router)
    app.include_router(closes_api.router)
    app.include_router(pages.router)
    app.include_router(upload.router)
    app.include_router(compute.router)
    app.include_router(overview.router)
    app.include_router(exports.router)
    app.include_router(account.router)
    app.include_router(notices.router)
    app.include_router(withdrawals.router)
    return app
