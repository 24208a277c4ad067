"""Fixtures for the web tests: a seeded store, an in-process client, a real server and real Chromium.

The browser is Debian's Chromium driven by Playwright (no browser download), with HOME in a temporary
folder; the server is `dailyseg serve` in its own process on a free port of 127.0.0.1.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Page

import dailyseg
from dailyseg.compute.demo import generate
from dailyseg.store import Store
from dailyseg.web import Settings, create_app
from tests.web.ledger_support import Office, office
from tests.web.support import SAMPLE, WRITE_TOKEN, Console, Server, seed, start_server, stop_server


@pytest.fixture
def team(store_url: str) -> Iterator[Office]:
    """The office's people (tests/web/ledger_support.py) on the store under test, the application started once."""
    with office(store_url) as made:
        yield made


@pytest.fixture(scope="session")
def seeded_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite store seeded once for the read-only tests."""
    url = f"sqlite:///{tmp_path_factory.mktemp('seeded') / 'store.sqlite'}"
    with Store.open(url) as store:
        seed(store)
    return url


@pytest.fixture
def seeded_store_url(tmp_path: Path) -> str:
    """A SQLite store seeded for one test alone, which may write to it."""
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    with Store.open(url) as store:
        seed(store)
    return url


@pytest.fixture(scope="session")
def sample() -> bytes:
    return SAMPLE.read_bytes()


@pytest.fixture
def client(seeded_url: str) -> Iterator[TestClient]:
    """The application in process over the seeded store (read-only use)."""
    with TestClient(create_app(Settings(db_url=seeded_url, write_token=WRITE_TOKEN, max_upload_bytes=200_000))) as test_client:
        yield test_client


@pytest.fixture
def fresh_client(tmp_path: Path) -> Iterator[TestClient]:
    """The application over an empty store of its own, for tests that write."""
    settings = Settings(db_url=f"sqlite:///{tmp_path / 'store.sqlite'}", write_token=WRITE_TOKEN, max_upload_bytes=200_000)
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture
def console(page: Page) -> Console:
    return Console(page)


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory, seeded_url: str) -> Iterator[Server]:
    """`dailyseg serve` over a copy of the seeded store (the browser tests store uploads into it)."""
    tmp = tmp_path_factory.mktemp("server")
    target = tmp / "store.sqlite"
    with Store.open(f"sqlite:///{target}") as store:
        seed(store)
    books = tmp / "books"
    generate(books, accounts=60, positions_per_account=2, target=dailyseg.read(SAMPLE).filing)
    running = start_server(tmp, f"sqlite:///{target}", books={"demo": books})
    yield running
    stop_server(running)
