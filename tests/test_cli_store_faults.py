"""Every way a SQLite store can fail is one line naming the store and what was kept, exit code 2, no traceback,
and a store still consistent afterwards: a full disk (a small tmpfs, when the tests may mount one) or a full
database file (SQLite's max_page_count, always), a read-only file or folder, a path under /proc, a text file
or a folder given as --db. The PostgreSQL faults are in tests/store/test_store_faults.py."""

from __future__ import annotations

import os
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import event
from sqlalchemy.pool import Pool

from dailyseg.cli import main
from dailyseg.store import Store
from tests.cli_support import in_pipe
from tests.conftest import SAMPLE
from tests.store.fault_support import (
    DOCUMENTS,
    Document,
    assert_kept_exactly,
    documents,
    documents_said_kept,
    one_error_line,
    stored_hashes,
)

UNREADABLE = 2


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> list[Document]:
    return documents(tmp_path_factory.mktemp("documents"))


def _invoke(*args: str) -> tuple[int, str]:
    """The command run in this process (so a test can set SQLite limits): its exit code and standard error."""
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stderr


@contextmanager
def _mounted(target: Path, *options: str) -> Iterator[None]:
    """`mount OPTIONS target` for the block, or skip: only root may mount, and a container may forbid it."""
    if os.geteuid() != 0:
        pytest.skip("mounting needs root")
    done = subprocess.run(["mount", *options, str(target)], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"mount not permitted here: {done.stderr.strip()}")
    try:
        yield
    finally:
        subprocess.run(["umount", "-l", str(target)], check=True)


@contextmanager
def _read_only_view(folder: Path, view: Path) -> Iterator[None]:
    """`view` shows `folder` read-only (a read-only bind mount), since chmod does not stop root from writing."""
    view.mkdir()
    with _mounted(view, "--bind", str(folder)):
        done = subprocess.run(["mount", "-o", "remount,bind,ro", str(view)], capture_output=True, text=True, check=False)
        if done.returncode != 0:
            pytest.skip(f"read-only remount not permitted here: {done.stderr.strip()}")
        yield


@pytest.mark.slow
def test_a_full_database_file_keeps_the_documents_it_says(tmp_path: Path, written: list[Document]) -> None:
    """Full, emulated with SQLite's max_page_count (set on every connection, as it is not kept in the file): ingest
    stops with the count of documents committed before the batch that did not fit, and exactly those are stored."""
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    with Store.open(url) as store, store.engine.connect() as conn:
        empty = int(conn.exec_driver_sql("PRAGMA page_count").scalar() or 0)

    def limit(connection: Any, _record: Any) -> None:
        if isinstance(connection, sqlite3.Connection):
            connection.execute(f"PRAGMA max_page_count={empty + 60}")

    event.listen(Pool, "connect", limit)
    try:
        code, stderr = _invoke("ingest", *(str(d.path) for d in written), "--db", url, "--batch", "10")
    finally:
        event.remove(Pool, "connect", limit)
    assert code == UNREADABLE
    line = one_error_line(stderr, f"store {url}:", "is full (database or disk is full)")
    kept = documents_said_kept(line, DOCUMENTS)
    assert 0 < kept < DOCUMENTS
    assert_kept_exactly(url, written, kept)


@pytest.mark.slow
@pytest.mark.cli
def test_a_full_disk_keeps_the_documents_it_says(tmp_path: Path, written: list[Document]) -> None:
    """Full for real: the store on a 512 KiB tmpfs (skipped where the tests may not mount one). The store is
    then copied off the full disk, with its write-ahead log, to be checked."""
    disk = tmp_path / "disk"
    disk.mkdir()
    with _mounted(disk, "-t", "tmpfs", "-o", "size=512k", "tmpfs"):
        url = f"sqlite:///{disk / 'store.sqlite'}"
        done = in_pipe("ingest", *(str(d.path) for d in written), "--db", url, "--batch", "10")
        assert done.code == UNREADABLE
        line = one_error_line(done.stderr, f"store {url}:", "is full (database or disk is full)")
        kept = documents_said_kept(line, DOCUMENTS)
        assert 0 < kept < DOCUMENTS
        copy = tmp_path / "copy"
        copy.mkdir()
        for part in disk.iterdir():
            (copy / part.name).write_bytes(part.read_bytes())
    assert_kept_exactly(f"sqlite:///{copy / 'store.sqlite'}", written, kept)


@pytest.fixture
def one_document_store(tmp_path: Path, written: list[Document]) -> Path:
    """A store holding the first document, closed (so it has no journal files beside it)."""
    path = tmp_path / "store" / "store.sqlite"
    assert in_pipe("ingest", str(written[0].path), "--db", str(path)).code == 0
    return path


@pytest.mark.cli
def test_a_read_only_file_by_permission(one_document_store: Path, written: list[Document]) -> None:
    """chmod 0444: SQLite opens the file for reading, so listing works and writing is refused."""
    if os.geteuid() == 0:
        pytest.skip("root writes to a file whatever its mode: see the read-only mount and mode=ro tests")
    one_document_store.chmod(0o444)
    done = in_pipe("ingest", str(written[1].path), "--db", str(one_document_store))
    assert done.code == UNREADABLE
    one_error_line(done.stderr, f"{one_document_store} is read-only", "none of the 1 documents was stored")
    assert in_pipe("firms", "--db", str(one_document_store)).code == 0
    assert stored_hashes(str(one_document_store)) == written[0].hashes


@pytest.mark.cli
def test_a_read_only_file_by_uri(one_document_store: Path, written: list[Document]) -> None:
    """`sqlite:///file:PATH?mode=ro&uri=true` opens the file read-only, whoever runs the test: reading works,
    ingest and alias are refused, and nothing changes."""
    url = f"sqlite:///file:{one_document_store}?mode=ro&uri=true"
    done = in_pipe("ingest", str(written[1].path), "--db", url)
    assert done.code == UNREADABLE
    one_error_line(done.stderr, f"store {url}:", f"{one_document_store} is read-only", "none of the 1 documents was stored")
    joined = in_pipe("alias", "Other Name Inc", "faulty-futures", "--db", url)
    assert joined.code == UNREADABLE
    one_error_line(joined.stderr, "is read-only", "'Other Name Inc' was not joined to faulty-futures")
    listed = in_pipe("filings", "faulty-futures", "--db", url, "--format", "csv")
    assert listed.code == 0 and len(listed.stdout.splitlines()) == 1 + len(written[0].hashes)
    assert stored_hashes(str(one_document_store)) == written[0].hashes


@pytest.mark.cli
def test_a_read_only_file_system(one_document_store: Path, written: list[Document], tmp_path: Path) -> None:
    """On a read-only mount SQLite cannot keep its write-ahead log beside the file, so even reading is refused,
    in one line that says why."""
    view = tmp_path / "read-only"
    with _read_only_view(one_document_store.parent, view):
        path = view / one_document_store.name
        for args in (["ingest", str(written[1].path)], ["firms"]):
            done = in_pipe(*args, "--db", str(path))
            assert done.code == UNREADABLE
            one_error_line(done.stderr, f"cannot open the store sqlite:///{path}:", f"{path} or its folder is read-only")
    assert stored_hashes(str(one_document_store)) == written[0].hashes


@pytest.mark.cli
def test_a_new_store_in_a_read_only_folder(tmp_path: Path) -> None:
    """A new store cannot be created in a folder that cannot be written (chmod 0555, or a read-only mount for root)."""
    folder = tmp_path / "folder"
    folder.mkdir()
    if os.geteuid() == 0:
        view = tmp_path / "read-only"
        with _read_only_view(folder, view):
            path = view / "new.sqlite"
            done = in_pipe("ingest", str(SAMPLE), "--db", str(path))
    else:
        folder.chmod(0o555)
        path = folder / "new.sqlite"
        done = in_pipe("ingest", str(SAMPLE), "--db", str(path))
    assert done.code == UNREADABLE
    one_error_line(done.stderr, f"cannot create {path}: its folder is read-only")
    assert list(folder.iterdir()) == []


@pytest.mark.cli
@pytest.mark.parametrize(
    ("path", "says"),
    [
        ("/proc/self/status", "cannot open the store sqlite:////proc/self/status:"),
        ("/proc/dailyseg-test.sqlite", "cannot create /proc/dailyseg-test.sqlite"),
        ("/proc/dailyseg-test/store.sqlite", "cannot make the folder /proc/dailyseg-test"),
    ],
)
def test_a_store_under_proc(path: str, says: str) -> None:
    """/proc holds no database and takes no new file or folder; a reading command does not try to create one."""
    done = in_pipe("ingest", str(SAMPLE), "--db", path)
    assert done.code == UNREADABLE
    one_error_line(done.stderr, says)
    listed = in_pipe("firms", "--db", path)
    assert listed.code == UNREADABLE
    one_error_line(listed.stderr, path)


# Every command that reads or writes the store, with arguments that would be fine for a real store.
STORE_COMMANDS = [
    ["ingest", str(SAMPLE)],
    ["firms"],
    ["filings", "citigroup-global-markets"],
    ["history", "citigroup-global-markets", "--code", "7190"],
    ["diff", "1", "2"],
    ["alias", "Citi", "citigroup-global-markets"],
    ["monitor"],
    ["import-cftc", str(SAMPLE)],
    ["month-end", "citigroup-global-markets"],
    ["publish", "citigroup-global-markets"],
    ["import-nfa", str(SAMPLE)],
    ["observations", "citigroup-global-markets"],
]


@pytest.mark.parametrize("args", STORE_COMMANDS, ids=lambda args: args[0])
def test_a_text_file_or_a_folder_is_not_a_store(tmp_path: Path, args: list[str]) -> None:
    """Every store command says, in one line and exit code 2, that the file is not a database and the folder
    is not a database file, and changes neither."""
    text = tmp_path / "notes.txt"
    text.write_text("not a database\n", "utf-8")
    folder = tmp_path / "folder"
    folder.mkdir()
    code, stderr = _invoke(*args, "--db", str(text))
    assert code == UNREADABLE
    one_error_line(stderr, f"cannot open the store sqlite:///{text}: {text} is not a SQLite database (file is not a database)")
    code, stderr = _invoke(*args, "--db", str(folder))
    assert code == UNREADABLE
    one_error_line(stderr, f"cannot open the store sqlite:///{folder}: {folder} is a folder, not a database file")
    assert text.read_text("utf-8") == "not a database\n" and list(folder.iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder", "notes.txt"]


@pytest.mark.cli
def test_a_text_file_as_store_in_a_pipe_with_json(tmp_path: Path) -> None:
    """The installed command, as a script runs it: one line on standard error, the failure as JSON on standard output."""
    text = tmp_path / "notes.txt"
    text.write_text("not a database\n", "utf-8")
    done = in_pipe("ingest", str(SAMPLE), "--db", str(text), "--json")
    assert done.code == UNREADABLE
    one_error_line(done.stderr, "is not a SQLite database")
    assert '"exit_code": 2' in done.stdout and "Traceback" not in done.stdout
