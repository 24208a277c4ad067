"""Shared fixtures: the sample filing, and a throwaway PostgreSQL server for the store tests.

The sample is offered as a path, as text and as the Filing it reads to.

The server runs from Debian's binaries under /usr/lib/postgresql/15/bin (as the postgres user when the
tests run as root, since initdb refuses root), on a free port on 127.0.0.1 with fsync off. When the
binaries are missing the PostgreSQL tests are skipped locally but FAIL under CI=true, so CI can never
pass without having tested PostgreSQL.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

import dailyseg
from dailyseg.filing import Filing

# Under CI the property tests draw the same examples every run, so a submission's result does not depend on
# the luck of the draw; locally they explore new examples each run.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


# Tiers: `-m fast` runs in seconds; the others need a real component started for them.
_TIERS = {"postgres_server": "postgres", "spark": "spark", "page": "browser", "server": "server"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark each test with the tiers of the real components its fixtures start, and `fast` when it needs none
    (a PostgreSQL-parametrised store counts as postgres; a test that runs the installed command as `cli`)."""
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        tiers = {tier for fixture, tier in _TIERS.items() if fixture in names}
        callspec = getattr(item, "callspec", None)
        if callspec is not None and callspec.params.get("store_url") == "postgresql":
            tiers.add("postgres")
        tiers |= {mark.name for mark in item.iter_markers() if mark.name in ("slow", "cli")}
        for tier in tiers or {"fast"}:
            item.add_marker(tier)


@pytest.fixture(scope="session", autouse=True)
def _own_cache_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The tests, and the commands they start, keep their caches (the holiday calendar's) to themselves."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))
        yield


ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "examples" / "daily-seg-citigroup-2013-07-25.txt"
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def sample_path() -> Path:
    return SAMPLE


@pytest.fixture(scope="session")
def sample_text() -> str:
    return SAMPLE.read_text("utf-8")


@pytest.fixture(scope="session")
def sample_filing() -> Filing:
    result = dailyseg.read(SAMPLE)
    assert result.problems == ()
    return result.filing


PG_BIN = Path(os.environ.get("DAILYSEG_PG_BIN", "/usr/lib/postgresql/15/bin"))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _as_postgres(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def _run(command: list[str]) -> None:
    done = subprocess.run(_as_postgres(command), capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{command[0]} failed ({done.returncode}): {done.stderr or done.stdout}")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """The URL of a fresh PostgreSQL server's `postgres` database."""
    if not (PG_BIN / "initdb").exists():
        message = f"PostgreSQL binaries not found in {PG_BIN} (install the Debian package postgresql)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    base = Path(tempfile.mkdtemp(prefix="dailyseg-pg-"))
    if os.geteuid() == 0:
        shutil.chown(base, "postgres", "postgres")
    data, port = base / "data", _free_port()
    _run([str(PG_BIN / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8"])
    # No Unix socket: its path would lie under the temporary folder, which may be longer than a socket path may be.
    options = f"-p {port} -c unix_socket_directories= -c listen_addresses=127.0.0.1"
    options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    _run([str(PG_BIN / "pg_ctl"), "-D", str(data), "-l", str(base / "log"), "-w", "-t", "30", "-o", options, "start"])
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(_as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"]), capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


_DATABASE_COUNTER = iter(range(1_000_000))


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A URL for an empty store: a SQLite file, or a new database on the session's PostgreSQL server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.sqlite'}"
    server: str = request.getfixturevalue("postgres_server")
    import psycopg

    name = f"t{os.getpid()}_{next(_DATABASE_COUNTER)}"
    with psycopg.connect(server.replace("postgresql+psycopg", "postgresql"), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return server.rsplit("/", 1)[0] + f"/{name}"


# The browser the page tests drive: Debian's Chromium (system-packages.txt), headless, with HOME and a temporary
# folder of its own.
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


@pytest.fixture(scope="session")
def browser_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("browser-home")


@pytest.fixture(scope="session")
def browser_temp() -> Iterator[Path]:
    """A temporary folder with a short path for Chromium, which puts a Unix socket there and aborts when the
    socket's path is longer than the 107 bytes a socket path may have (a deep TMPDIR)."""
    folder = Path(tempfile.mkdtemp(prefix="dailyseg-chromium-", dir="/tmp"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any], browser_home: Path, browser_temp: Path) -> dict[str, Any]:
    """Launch Debian's Chromium headless, with HOME and its temporary folder of its own."""
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": CHROMIUM_ARGS,
        "env": {**os.environ, "HOME": str(browser_home), "TMPDIR": str(browser_temp)},
    }
