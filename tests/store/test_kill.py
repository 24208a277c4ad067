"""An ingest killed (SIGKILL) at random moments never leaves a partial filing in the database."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from sqlalchemy import func, select

from dailyseg.filing import Filing
from dailyseg.render import render_json
from dailyseg.store import Store
from dailyseg.store.ingest import content_hash
from dailyseg.store.synthetic import series
from dailyseg.store.tables import filing_values, filings

INGEST = """
import sys
from pathlib import Path
from dailyseg.store import Store
store = Store.open(sys.argv[1])
print("ready", flush=True)
for path in sys.argv[2:]:
    store.ingest_path(Path(path))
"""


def test_killed_ingest_never_leaves_a_partial_filing(store_url: str, tmp_path: Path) -> None:
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
    Store.open(store_url).close()
    rng = random.Random(4)
    for group in groups:  # each run has work of its own, so the kill lands in the middle of it
        process = subprocess.Popen([sys.executable, "-c", INGEST, store_url, *group], stdout=subprocess.PIPE, text=True)
        assert process.stdout is not None and process.stdout.readline() == "ready\n"
        time.sleep(rng.uniform(0.02, 0.3))
        process.send_signal(signal.SIGKILL)
        process.wait()
        assert process.returncode == -signal.SIGKILL
        with Store.open(store_url) as store:
            with store.engine.connect() as conn:
                counts = conn.execute(
                    select(filings.c.id, filings.c.value_count, func.count(filing_values.c.code))
                    .outerjoin(filing_values, filing_values.c.filing_id == filings.c.id)
                    .group_by(filings.c.id, filings.c.value_count)
                ).all()
            assert all(declared == found for _, declared, found in counts)
            for filing_id, _, _ in counts:
                version, filing = store.get(filing_id)
                assert expected[version.content_hash] == filing
    with Store.open(store_url) as store:
        outcomes = [o for group in groups for d in group for o in store.ingest_path(Path(d))]
        assert {o.status for o in outcomes} <= {"stored", "already-present"}
        with store.engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(filings)).scalar() == len(expected)
