"""`dailyseg serve`: the web pages and HTTP API over the history store and the computation.

The command binds the listening socket itself, so that a port already in use is one clear message and
exit 2 (not uvicorn's exit 3), and so that `--port 0` reports the port the system chose. uvicorn, FastAPI
and the web application are imported only when the command runs: the rest of the CLI starts without them.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import tempfile
import time
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

import click

from dailyseg.cli.app import UNREADABLE, fail, main
from dailyseg.cli.output import say
from dailyseg.cli.store_options import db_option

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

    from dailyseg.web.settings import Settings

# The same values as dailyseg.web.settings and dailyseg.parse (a test checks it): importing those here
# would import FastAPI and the readers with every command.
TOKEN_ENV = "DAILYSEG_TOKEN"
READ_TOKEN_ENV = "DAILYSEG_READ_TOKEN"
MAX_UPLOAD_BYTES = 16 * 1024 * 1024
HEAVY_QUEUE = 4
HEAVY_DEADLINE_S = 20.0
SESSION_IDLE_S = 30 * 60
SESSION_LIFETIME_S = 12 * 3600
REQUEST_LOGGER = "dailyseg.web.requests"
BACKLOG = 2048  # uvicorn's default


def _books(values: tuple[str, ...]) -> dict[str, Path]:
    books: dict[str, Path] = {}
    for value in values:
        name, sep, folder = value.partition("=")
        if not sep or not name or not folder:
            fail(f"--books expects NAME=DIR, found {value!r}")
        path = Path(folder).expanduser().resolve()
        if not path.is_dir():
            fail(f"--books {name}: {folder} is not a folder")
        if name in books:
            fail(f"--books {name} given twice")
        books[name] = path
    return books


def _token(variable: str | None) -> str | None:
    if not variable:
        return None
    token = os.environ.get(variable, "").strip()
    return token or None


def _address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _reason(error: OSError) -> str:
    text = error.strerror or str(error) or type(error).__name__
    return text[:1].lower() + text[1:]


def _listen(host: str, port: int) -> socket.socket:
    """A socket listening on host:port (IPv6 when the host is an IPv6 address), or exit 2 saying why not."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        # IPPROTO_TCP said outright: asyncio sets TCP_NODELAY only on sockets whose protocol says TCP, and without
        # it each answer on a kept-alive connection waits some 40 ms for the client's delayed ACK.
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    except OSError as error:
        fail(f"cannot listen on {_address(host, port)}: {_reason(error)}", UNREADABLE)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(BACKLOG)
    except OSError as error:  # in use, no such address, not allowed, unknown host (socket.gaierror)
        sock.close()
        fail(f"cannot listen on {_address(host, port)}: {_reason(error)}", UNREADABLE)
    return sock


def _path(scope: Scope) -> str:
    """The request's path as it came (percent-escapes kept), without the query string, control characters escaped."""
    from dailyseg.render.printable import printable

    raw = scope.get("raw_path")
    path = raw.decode("latin-1") if isinstance(raw, bytes) else str(scope.get("path", ""))
    return printable(path.partition("?")[0])


class RequestLog:
    """ASGI middleware: one line per HTTP request with the client, method, path, status and duration.

    The query string and the headers (the Authorization header among them) are never logged, so no
    token reaches the log; the path is written with its control characters escaped.
    """

    def __init__(self, app: ASGIApp, logger: logging.Logger) -> None:
        self.app = app
        self.logger = logger

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the server answers when the application fails before answering

        async def recorded(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, recorded)
        finally:
            elapsed = (time.perf_counter() - started) * 1000
            client = scope.get("client")
            self.logger.info("%s %s %s %d %.1f ms", client[0] if client else "-", scope.get("method", "-"), _path(scope), status, elapsed)


def _log_config(uvicorn_defaults: dict[str, Any]) -> dict[str, Any]:
    """uvicorn's logging (its warnings and errors on standard error) plus the request log, also on standard error."""
    config: dict[str, Any] = {
        **uvicorn_defaults,
        "formatters": {**uvicorn_defaults["formatters"], "requests": {"format": "%(asctime)s %(message)s", "datefmt": "%Y-%m-%d %H:%M:%S"}},
        "handlers": {
            **uvicorn_defaults["handlers"],
            "requests": {"class": "logging.StreamHandler", "formatter": "requests", "stream": "ext://sys.stderr"},
        },
        "loggers": {**uvicorn_defaults["loggers"], REQUEST_LOGGER: {"handlers": ["requests"], "level": "INFO", "propagate": False}},
    }
    return config


@main.command()
@db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (an IPv6 address such as ::1 works too).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on (0: any free port).")
@click.option("--books", "books", multiple=True, metavar="NAME=DIR", help="A books folder users may compute from, by NAME (repeatable).")
@click.option(
    "--token-env",
    default=TOKEN_ENV,
    show_default=True,
    metavar="VAR",
    help="Environment variable holding the write token (the service account, which stores uploads); unset: only preparers store.",
)
@click.option(
    "--read-token-env",
    default=None,
    metavar="VAR",
    help=f"Environment variable holding a token every read needs (e.g. {READ_TOKEN_ENV}); default: reading is open.",
)
@click.option(
    "--max-upload",
    default=MAX_UPLOAD_BYTES,
    show_default=True,
    type=click.IntRange(1),
    metavar="BYTES",
    help="Largest document accepted.",
)
@click.option(
    "--workers",
    type=click.IntRange(1),
    default=None,
    help="Server processes, each answering pages and reading or rendering one document at a time (default: one per core).",
)
@click.option(
    "--queue",
    type=click.IntRange(0),
    default=HEAVY_QUEUE,
    show_default=True,
    help="Heavy requests that may wait in each server process; past it: 503.",
)
@click.option(
    "--deadline",
    type=click.FloatRange(min=0, min_open=True),
    default=HEAVY_DEADLINE_S,
    show_default=True,
    metavar="SECONDS",
    help="Past it: 504.",
)
@click.option(
    "--read-needs-sign-in",
    is_flag=True,
    help="Reading (pages and API) needs a signed-in user, a personal API token or the read token; default: open.",
)
@click.option(
    "--session-idle",
    type=click.IntRange(1),
    default=SESSION_IDLE_S,
    show_default=True,
    metavar="SECONDS",
    help="A sign-in session ends after this long without a request.",
)
@click.option(
    "--session-lifetime",
    type=click.IntRange(1),
    default=SESSION_LIFETIME_S,
    show_default=True,
    metavar="SECONDS",
    help="A sign-in session ends this long after signing in, whatever happens.",
)
def serve(
    db: str | None,
    host: str,
    port: int,
    books: tuple[str, ...],
    token_env: str,
    read_token_env: str | None,
    max_upload: int,
    workers: int | None,
    queue: int,
    deadline: float,
    read_needs_sign_in: bool,
    session_idle: int,
    session_lifetime: int,
) -> None:
    """Serve the web pages and the JSON API (OpenAPI schema at /api/openapi.json).

    Tokens are read from environment variables, never from the command line, so they stay out of process
    lists and shell history. People sign in at /login (users are added with `dailyseg user add`); the write
    token is the service account `service`, which stores uploaded filings (docs/web-sign-in.md).

    Once listening, the address is printed on standard error ("serving on
    http://HOST:PORT", the real port when --port is 0), then one line per request: client, method, path
    (never the query string or any header), status and duration. --workers server processes share the
    socket (one per core by default, so pages are answered on every core). Ctrl-C or SIGTERM stops them all.

    \b
    Exit codes: 0 stopped normally (Ctrl-C or SIGTERM);
    2 could not start (the port is in use or not allowed, an unknown address, a bad option).
    """
    # Imported before the server processes are forked, so each starts with them (once, pages shared), and the
    # first request a process answers does not import what the request log needs.
    import uvicorn  # noqa: F401

    import dailyseg.render.printable  # noqa: F401
    from dailyseg.web import Settings, create_app  # noqa: F401
    from dailyseg.web.processes import serve_processes
    from dailyseg.web.settings import cores

    host = host.removeprefix("[").removesuffix("]")
    if read_token_env and not _token(read_token_env):
        fail(f"--read-token-env {read_token_env}: the variable is unset or empty")
    processes = workers or cores()
    with tempfile.TemporaryDirectory(prefix="dailyseg-serve-") as shared:
        try:
            settings = Settings(
                db_url=db,
                write_token=_token(token_env),
                read_token=_token(read_token_env),
                books=_books(books),
                max_upload_bytes=max_upload,
                # Each server process reads one document at a time: `processes` at once in all.
                heavy_workers=1,
                heavy_queue=queue,
                heavy_deadline_s=deadline,
                read_needs_sign_in=read_needs_sign_in,
                session_idle_s=session_idle,
                session_lifetime_s=session_lifetime,
                limits_path=Path(shared) / "limits.sqlite" if processes > 1 else None,
                warm_answers=True,
            )
        except ValueError as error:
            fail(str(error))
        sock = _listen(host, port)
        try:
            writing = "writing with the token" if settings.write_token else f"no writing (set {token_env} to allow it)"
            reading = "reading needs a sign-in or a token" if not settings.reading_open else "reading open"
            bound = sock.getsockname()[1]
            say(f"dailyseg: serving on http://{_address(host, bound)} ({reading}; {writing})", err=True)
            if processes == 1:
                started = _serve_one(settings, host, port, sock)
            else:
                started = serve_processes(processes, lambda: _child(settings, host, port, sock)) == 0
        finally:
            sock.close()
    if not started:
        fail("the server could not start (see the messages above)")


def _child(settings: Settings, host: str, port: int, sock: socket.socket) -> int:
    """One of several server processes: its exit code (0 when it served and was stopped)."""
    return 0 if _serve_one(settings, host, port, sock) else UNREADABLE


def _serve_one(settings: Settings, host: str, port: int, sock: socket.socket) -> bool:
    """Serve on `sock` in this process until SIGINT or SIGTERM; whether it started (or was stopped before it could)."""
    import uvicorn
    import uvicorn.config

    from dailyseg.web import create_app

    app = RequestLog(create_app(settings), logging.getLogger(REQUEST_LOGGER))
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level="warning",
        access_log=False,  # uvicorn's line carries the query string; RequestLog writes one without it
        log_config=_log_config(uvicorn.config.LOGGING_CONFIG),
    )
    server = uvicorn.Server(config)
    # uvicorn shuts down gracefully on SIGINT and SIGTERM, then raises the signal again with the handler
    # it found: SIGINT then ends as KeyboardInterrupt, SIGTERM in this no-op. Both are a normal stop.
    stopped: list[int] = []

    def terminated(signum: int, _frame: FrameType | None) -> None:
        stopped.append(signum)

    previous = signal.signal(signal.SIGTERM, terminated)
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        stopped.append(signal.SIGINT)
    finally:
        signal.signal(signal.SIGTERM, previous if previous is not None else signal.SIG_DFL)
    return bool(server.started or stopped)
