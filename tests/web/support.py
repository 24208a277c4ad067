"""Helpers of the web tests: the seeded firms, a `dailyseg serve` process on a free port, console capture, screenshots."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from playwright.sync_api import ConsoleMessage, Error, Page, ViewportSize

import dailyseg
from dailyseg.store import Store
from dailyseg.store.synthetic import daily_filing, series

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "examples" / "daily-seg-citigroup-2013-07-25.txt"
SCREENSHOTS = ROOT / "tests" / "screenshots"
WRITE_TOKEN = "test-write-token-0123456789"
DESKTOP: ViewportSize = {"width": 1280, "height": 900}
PHONE: ViewportSize = {"width": 390, "height": 844}
MARKUP_FIRM = 'Beta <b>Clearing</b> & <script>alert("x")</script> Inc'
ALPHA = "Alpha Futures LLC"
AMENDED_DAY = date(2024, 3, 14)


def seed(store: Store) -> None:
    """Three firms: a quarter of daily filings with one amended day, a firm in deficiency, the real sample."""
    store.ingest_filings(list(series(ALPHA, date(2024, 1, 2), date(2024, 3, 28), seed=1)), source="alpha")
    initial = next(f for f in series(ALPHA, date(2024, 1, 2), date(2024, 3, 28), seed=1) if f.header.end_date == AMENDED_DAY)
    requirement, funds = initial[7060], initial[7180] + 1_000_000
    amended = daily_filing(ALPHA, AMENDED_DAY, requirement=requirement, funds=funds, target=initial[7194], status="AMENDED")
    store.ingest_filing(amended, source="alpha-amended")
    for day, funds in ((date(2024, 3, 27), Decimal(900)), (date(2024, 3, 28), Decimal(800))):
        store.ingest_filing(daily_filing(MARKUP_FIRM, day, requirement=Decimal(1000), funds=funds, target=Decimal(50)), source="beta")
    store.ingest_filing(dailyseg.read(SAMPLE).filing, source="citi")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass(frozen=True)
class Server:
    url: str
    db_url: str
    process: subprocess.Popen[bytes]


def start_server(
    tmp: Path,
    db_url: str,
    books: dict[str, Path] | None = None,
    extra_env: dict[str, str] | None = None,
    max_upload: int = 200_000,
    workers: int | None = None,
) -> Server:
    """`dailyseg serve` on a free port (`--workers` server processes, default one per core); returns once
    /api/health answers (the tests' and the benchmarks' server)."""
    port = free_port()
    command = [str(Path(sys.executable).parent / "dailyseg"), "serve", "--db", db_url, "--port", str(port), "--max-upload", str(max_upload)]
    command += ["--workers", str(workers)] if workers is not None else []
    for name, folder in (books or {}).items():
        command += ["--books", f"{name}={folder}"]
    env = os.environ | {"DAILYSEG_TOKEN": WRITE_TOKEN, "HOME": str(tmp)} | (extra_env or {})
    with (tmp / "server.log").open("wb") as log:  # the server holds its own copy of the descriptor
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {(tmp / 'server.log').read_text()}")
        try:
            with urllib.request.urlopen(url + "/api/health", timeout=1):
                return Server(url, db_url, process)
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("server did not start in 30 s")


def stop_server(server: Server, timeout: float = 10) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        server.process.kill()


class Console:
    """Console errors and uncaught exceptions of a page: every page test expects none."""

    def __init__(self, page: Page) -> None:
        self.errors: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", self._error)

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(message.text)

    def _error(self, error: Error) -> None:
        self.errors.append(str(error))


def screenshot(page: Page, name: str) -> None:
    """Save the page at desktop and phone widths for review (tests/screenshots, not committed)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size(DESKTOP)
