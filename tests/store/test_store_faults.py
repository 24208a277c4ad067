"""A PostgreSQL server that goes away in the middle of an ingest: stopped, or its backend terminated with
pg_terminate_backend, between documents and inside one. Each failure is one line naming the store (never its
password) and how many documents were stored, exit code 2, and afterwards the store holds exactly those
documents, every filing whole. A connection terminated while idle between documents is replaced, and the
ingest carries on. The SQLite faults are in tests/test_cli_store_faults.py."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

from dailyseg.store import Store, StoreError
from tests.cli_support import EXECUTABLE, in_pipe
from tests.conftest import PG_BIN, _as_postgres, _free_port, _run
from tests.store.fault_support import (
    DOCUMENTS,
    PER_DOCUMENT,
    Document,
    assert_kept_exactly,
    documents,
    documents_said_kept,
    one_error_line,
    stored_hashes,
)

pytestmark = pytest.mark.slow  # servers started and stopped, ingests of hundreds of filings

UNREADABLE = 2
# The driver's own words follow in parentheses and vary with the moment the server closes the socket
# ("terminating connection due to administrator command", "consuming input failed: server closed ...").
LOST = "the connection to the database server was lost ("


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> list[Document]:
    return documents(tmp_path_factory.mktemp("documents"))


def _plain(url: str) -> str:
    """The URL psycopg takes (no SQLAlchemy driver name, no password: the servers trust local connections)."""
    return url.replace("postgresql+psycopg://", "postgresql://").replace(":secret@", "@")


def _filings(url: str) -> int:
    with psycopg.connect(_plain(url)) as conn:
        found = conn.execute("SELECT count(*) FROM filings").fetchone()
    return int(found[0]) if found else 0


@dataclass
class Server:
    """A PostgreSQL server of one test's own, which the test may stop and start again."""

    data: Path
    log: Path
    port: int

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres:secret@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        options = f"-p {self.port} -c unix_socket_directories= -c listen_addresses=127.0.0.1 -c fsync=off"
        _run([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-w", "-t", "30", "-o", options, "start"])

    def stop(self) -> None:
        _run([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"])


@pytest.fixture
def own_server() -> Iterator[Server]:
    """A throwaway server apart from the session's, so that stopping it leaves the other tests' server alone."""
    if not (PG_BIN / "initdb").exists():
        message = f"PostgreSQL binaries not found in {PG_BIN} (install the Debian package postgresql)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    base = Path(tempfile.mkdtemp(prefix="dailyseg-pg-stop-"))
    if os.geteuid() == 0:
        shutil.chown(base, "postgres", "postgres")
    server = Server(base / "data", base / "log", _free_port())
    _run([str(PG_BIN / "initdb"), "-D", str(server.data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8"])
    server.start()
    try:
        yield server
    finally:
        subprocess.run(_as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(server.data), "-m", "immediate", "-w", "stop"]), capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def database(postgres_server: str) -> str:
    """A new, migrated database on the session's server, with a password in its URL that no message may show."""
    name = f"faults{os.getpid()}_{time.monotonic_ns()}"
    with psycopg.connect(_plain(postgres_server), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = postgres_server.replace("postgres@", "postgres:secret@").rsplit("/", 1)[0] + f"/{name}"
    Store.open(url).close()
    return url


@pytest.mark.postgres
def test_server_stopped_mid_ingest(own_server: Server, written: list[Document]) -> None:
    """`pg_ctl stop` while `dailyseg ingest` writes (between documents or inside one, whichever it meets): the
    message's count is exactly what the restarted server holds."""
    url = own_server.url
    Store.open(url).close()
    process = subprocess.Popen(
        [EXECUTABLE, "ingest", *(str(d.path) for d in written), "--db", url, "--batch", str(PER_DOCUMENT)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while _filings(url) < 3 * PER_DOCUMENT:  # three documents committed, most still to come
        assert process.poll() is None and time.monotonic() < deadline, "the ingest ended before the server could be stopped"
        time.sleep(0.02)
    own_server.stop()
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == UNREADABLE
    line = one_error_line(stderr, "store postgresql+psycopg://postgres:***@127.0.0.1:")
    assert "secret" not in line
    kept = documents_said_kept(line, DOCUMENTS)
    assert 3 <= kept < DOCUMENTS
    listed = in_pipe("firms", "--db", url)
    assert listed.code == UNREADABLE
    one_error_line(listed.stderr, f"cannot open the store postgresql+psycopg://postgres:***@127.0.0.1:{own_server.port}/postgres:")
    own_server.start()
    assert_kept_exactly(url, written, kept)


@pytest.mark.postgres
def test_server_stopped_between_documents(own_server: Server, written: list[Document]) -> None:
    """Stopped right after the fifth document was committed: the StoreError says exactly five were stored."""

    def stop_after_five(path: Path) -> None:
        if path == written[4].path:
            own_server.stop()

    with Store.open(own_server.url) as store, pytest.raises(StoreError) as raised:
        store.ingest_paths([d.path for d in written], batch=PER_DOCUMENT, on_document=stop_after_five)
    message = str(raised.value)
    assert message.startswith("store postgresql+psycopg://postgres:***@") and "\n" not in message
    assert f"stored 5 of {DOCUMENTS} documents" in message
    own_server.start()
    assert_kept_exactly(own_server.url, written, 5)


# Terminates the backend that runs it once the batch being written has put its filings in, and is writing
# their values: a real pg_terminate_backend, at a moment a test could not catch from outside.
_TERMINATE_INSIDE = """
CREATE FUNCTION terminate_inside() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF (SELECT count(*) FROM filings) > {after} THEN
    PERFORM pg_terminate_backend(pg_backend_pid());
    PERFORM pg_sleep(10);
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER terminate_inside BEFORE INSERT ON filing_amounts FOR EACH ROW EXECUTE FUNCTION terminate_inside();
"""


def test_backend_terminated_inside_a_document(database: str, written: list[Document]) -> None:
    """Batches of two documents; the backend is terminated while the batch of documents 13 and 14 writes its
    values. Twelve documents were committed, and only they are stored; ingesting again stores the rest."""
    with psycopg.connect(_plain(database), autocommit=True) as conn:
        conn.execute(_TERMINATE_INSIDE.format(after=12 * PER_DOCUMENT + 5).encode())
    done = in_pipe("ingest", *(str(d.path) for d in written), "--db", database, "--batch", str(2 * PER_DOCUMENT))
    assert done.code == UNREADABLE
    line = one_error_line(done.stderr, f"store {database.replace(':secret@', ':***@')}: {LOST}")
    assert documents_said_kept(line, DOCUMENTS) == 12
    with psycopg.connect(_plain(database), autocommit=True) as conn:
        conn.execute("DROP TRIGGER terminate_inside ON filing_amounts")
    assert_kept_exactly(database, written, 12)
    again = in_pipe("ingest", *(str(d.path) for d in written), "--db", database)
    assert again.code == 0, again.stderr
    assert_kept_exactly(database, written, DOCUMENTS)


def test_backend_terminated_between_documents(database: str, written: list[Document]) -> None:
    """Each document's transaction committed, its connection idle in the pool, then terminated: the next
    document gets a new connection (the pool checks each one before use) and nothing is lost."""
    terminated = 0

    def terminate(_path: Path) -> None:
        nonlocal terminated
        with psycopg.connect(_plain(database), autocommit=True) as conn:
            rows = conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            ).fetchall()
        terminated += sum(bool(ok) for (ok,) in rows)

    with Store.open(database) as store:
        outcomes = store.ingest_paths([d.path for d in written], batch=PER_DOCUMENT, on_document=terminate)
    assert terminated >= DOCUMENTS - 1
    assert [o.status for o in outcomes] == ["stored"] * (DOCUMENTS * PER_DOCUMENT)
    assert stored_hashes(database) == set().union(*(d.hashes for d in written))
