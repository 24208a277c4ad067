"""`dailyseg serve`: the web pages and HTTP API over the history store and the computation."""

from __future__ import annotations

import os
from pathlib import Path

import click

from dailyseg.cli.app import fail, main, stderr
from dailyseg.web.settings import READ_TOKEN_ENV, TOKEN_ENV, Settings


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


@main.command()
@click.option("--db", "db", metavar="URL", help="Database URL (default: $DAILYSEG_DB, else a SQLite file in your data folder).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@click.option("--books", "books", multiple=True, metavar="NAME=DIR", help="A books folder users may compute from, by NAME (repeatable).")
@click.option(
    "--token-env",
    default=TOKEN_ENV,
    show_default=True,
    metavar="VAR",
    help="Environment variable holding the write token; unset: no writing.",
)
@click.option(
    "--read-token-env",
    default=None,
    metavar="VAR",
    help=f"Environment variable holding a token every read needs (e.g. {READ_TOKEN_ENV}); default: reading is open.",
)
@click.option(
    "--max-upload",
    default=Settings.max_upload_bytes,
    show_default=True,
    type=click.IntRange(1),
    metavar="BYTES",
    help="Largest document accepted.",
)
def serve(
    db: str | None, host: str, port: int, books: tuple[str, ...], token_env: str, read_token_env: str | None, max_upload: int
) -> None:
    """Serve the web pages and the JSON API (OpenAPI schema at /api/openapi.json).

    Tokens are read from environment variables, never from the command line, so they stay out of process
    lists and shell history.
    """
    import uvicorn

    from dailyseg.web import create_app

    if read_token_env and not _token(read_token_env):
        fail(f"--read-token-env {read_token_env}: the variable is unset or empty")
    settings = Settings(
        db_url=db, write_token=_token(token_env), read_token=_token(read_token_env), books=_books(books), max_upload_bytes=max_upload
    )
    writing = "writing with the token" if settings.write_token else f"no writing (set {token_env} to allow it)"
    reading = "reading needs a token" if settings.read_token else "reading open"
    stderr.print(f"dailyseg: serving on http://{host}:{port} ({reading}; {writing})", highlight=False)
    uvicorn.run(create_app(settings), host=host, port=port, log_level="warning")
