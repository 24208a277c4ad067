"""Fixtures for the web tests: the sample filing, an in-process client, a real server and real Chromium.

The browser is Debian's Chromium driven by Playwright (no browser download), with HOME in a temporary
folder; the server is `dailyseg serve` in its own process on a free port of 127.0.0.1.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import ConsoleMessage, Error, Page, ViewportSize

from dailyseg.web import Settings, create_app

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "examples" / "daily-seg-citigroup-2013-07-25.txt"
SCREENSHOTS = ROOT / "tests" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
WRITE_TOKEN = "test-write-token-0123456789"
DESKTOP: ViewportSize = {"width": 1280, "height": 900}
PHONE: ViewportSize = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def sample() -> bytes:
    return SAMPLE.read_bytes()


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(create_app(Settings(write_token=WRITE_TOKEN, max_upload_bytes=200_000))) as test_client:
        yield test_client


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


def start_server(tmp: Path, db_url: str, books: dict[str, Path] | None = None, extra_env: dict[str, str] | None = None) -> Server:
    """`dailyseg serve` on a free port; returns once /api/health answers."""
    port = free_port()
    command = [str(Path(sys.executable).parent / "dailyseg"), "serve", "--db", db_url, "--port", str(port), "--max-upload", "200000"]
    for name, folder in (books or {}).items():
        command += ["--books", f"{name}={folder}"]
    env = os.environ | {"DAILYSEG_TOKEN": WRITE_TOKEN, "HOME": str(tmp)} | (extra_env or {})
    log = (tmp / "server.log").open("wb")
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


def stop_server(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()


@pytest.fixture(scope="session")
def browser_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("browser-home")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any], browser_home: Path) -> dict[str, Any]:
    """Launch Debian's Chromium headless, with HOME in a temporary folder."""
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": CHROMIUM_ARGS,
        "env": {**os.environ, "HOME": str(browser_home)},
    }


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


@pytest.fixture
def console(page: Page) -> Console:
    return Console(page)


def screenshot(page: Page, name: str) -> None:
    """Save the page at desktop and phone widths for review (tests/screenshots, not committed)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size(DESKTOP)


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One server for the browser tests."""
    tmp = tmp_path_factory.mktemp("server")
    running = start_server(tmp, f"sqlite:///{tmp / 'store.sqlite'}")
    yield running
    stop_server(running)
