"""An ingest killed (SIGKILL) at random moments never leaves a partial filing in the database, whether it
writes one document per transaction or many documents per transaction (the `dailyseg ingest` batches)."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from dailyseg import read
from dailyseg.filing import Filing
from dailyseg.render import render_json
from dailyseg.store import Store
from dailyseg.store.content_hash import content_hash
from dailyseg.store.synthetic import series
from dailyseg.store.tables import filing_amounts, filings
from tests.store.fault_support import STORED_COUNT

pytestmark = pytest.mark.slow  # starts and kills ingests, many times

INGEST = """
import sys
from pathlib import Path
from dailyseg.store import Store
store = Store.open(sys.argv[1])
print("ready", flush=True)
for path in sys.argv[2:]:
    store.ingest_path(Path(path))
    print("stored", flush=True)
"""


BATCHED_INGEST = """
import sys
from pathlib import Path
from dailyseg.store import Store
store = Store.open(sys.argv[1])
print("ready", flush=True)
store.ingest_paths([Path(p) for p in sys.argv[2:]], batch=100, on_document=lambda _: print("read", flush=True))
"""


def _documents(tmp_path: Path) -> tuple[dict[str, Filing], list[list[str]]]:
    """Documents of 40 filings each in three groups of six firms' filings, and every filing by content hash."""
    expected: dict[str, Filing] = {}
    groups: list[list[str]] = [[], [], []]
    for firm in range(6):
        made = list(series(f"Firm {firm} LLC", date(2023, 1, 1), date(2023, 4, 30), seed=firm))
        for start in range(0, len(made), 40):
            chunk = made[start : start + 40]
            path = tmp_path / f"firm{firm}-{start}.json"
            path.write_text(render_json(chunk))
            groups[firm % 3].append(str(path))
            expected |= {content_hash(f): f for f in chunk}
    return expected, groups


def _kill(process: subprocess.Popen[str]) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait()
    if process.stdout is not None:
        process.stdout.close()
    assert process.returncode == -signal.SIGKILL  # killed mid-way, not finished


def _whole_filings(store: Store) -> list[int]:
    """The stored filing ids, after checking that each has exactly the values its head declares."""
    with store.engine.connect() as conn:
        counts = conn.execute(
            select(filings.c.id, filings.c.value_count, STORED_COUNT).outerjoin(filing_amounts, filing_amounts.c.filing_id == filings.c.id)
        ).all()
    assert all(declared == found for _, declared, found in counts)
    return [filing_id for filing_id, _, _ in counts]


def test_killed_ingest_never_leaves_a_partial_filing(store_url: str, tmp_path: Path) -> None:
    expected, groups = _documents(tmp_path)
    Store.open(store_url).close()
    rng = random.Random(4)
    for group in groups:  # each run has work of its own, so the kill lands in the middle of it
        process = subprocess.Popen([sys.executable, "-c", INGEST, store_url, *group], stdout=subprocess.PIPE, text=True)
        assert process.stdout is not None and process.stdout.readline() == "ready\n"
        for _ in range(rng.randrange(0, len(group) - 2)):  # documents stored before the kill; two or more remain
            assert process.stdout.readline() == "stored\n"
        time.sleep(rng.uniform(0, 0.02))
        _kill(process)
        with Store.open(store_url) as store:
            for filing_id in _whole_filings(store):
                version, filing = store.get(filing_id)
                assert expected[version.content_hash] == filing
    with Store.open(store_url) as store:
        outcomes = [o for group in groups for d in group for o in store.ingest_path(Path(d))]
        assert {o.status for o in outcomes} <= {"stored", "already-present"}
        with store.engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(filings)).scalar() == len(expected)


def test_killed_batched_ingest_leaves_whole_documents_only(store_url: str, tmp_path: Path) -> None:
    """Killed while writing batches of several documents: every document is stored whole or not at all."""
    expected, groups = _documents(tmp_path)
    hashes_of = {path: {content_hash(f) for f in read(Path(path)).filings} for group in groups for path in group}
    Store.open(store_url).close()
    rng = random.Random(5)
    for group in groups:
        process = subprocess.Popen([sys.executable, "-c", BATCHED_INGEST, store_url, *group], stdout=subprocess.PIPE, text=True)
        assert process.stdout is not None and process.stdout.readline() == "ready\n"
        for _ in range(rng.randrange(1, len(group))):  # documents read (and batches written) before the kill
            assert process.stdout.readline() == "read\n"
        time.sleep(rng.uniform(0, 0.02))
        _kill(process)
        with Store.open(store_url) as store:
            stored = {store.get(filing_id)[0].content_hash for filing_id in _whole_filings(store)}
        assert stored <= set(expected)
        for hashes in hashes_of.values():
            assert hashes <= stored or not hashes & stored
    with Store.open(store_url) as store:
        outcomes = store.ingest_paths([Path(d) for group in groups for d in group])
        assert {o.status for o in outcomes} <= {"stored", "already-present"}
        assert len(outcomes) == len(expected)
        with store.engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(filings)).scalar() == len(expected)
