"""Benchmark: the firms list with status (what `dailyseg firms` and the firms page compute), against a plain
baseline in the same run.

Run by hand: `.venv/bin/python benchmarks/firm_status.py [--firms 20] [--years 2]`.

A SQLite store of generated filings (clean, but for a deficiency, a drawdown and an amendment injected in a
few firms) is built untimed. Then, each in its own process so that its peak memory (ru_maxrss) is its own,
median of 5 runs:
  status    watch.status.firm_statuses: for every firm, its filings of record over the look-back, every
            rule over each of them and the rules over time, worst first.
  baseline  plain sqlite3: each firm's latest filing row and its excess values, no rules: the floor a firms
            list that only shows figures could reach.
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import sqlite3
import statistics
import struct
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import harness
from dailyseg.calendar import business_days
from dailyseg.store import Store
from dailyseg.store.packed import CENT_BYTES, Lines
from dailyseg.store.synthetic import Faults, series

RUNS = 5


def build(path: Path, firms: int, years: int) -> None:
    end = date(2024, 12, 31)
    days = business_days(date(end.year - years + 1, 1, 1), end)
    with Store.open(f"sqlite:///{path}") as store:
        for i in range(firms):
            faults = {
                0: Faults(deficiency=((days[-1], "segregation"),)),
                1: Faults(drawdown=((days[-2], "swaps"),)),
                2: Faults(amended=((days[-3]),)),
            }.get(i, Faults())
            store.ingest_filings(list(series(f"Status Firm {i:02d} LLC", days[0], days[-1], seed=i, faults=faults)), source=str(i))


def status(path: Path) -> int:
    from dailyseg.watch.status import firm_statuses

    with Store.open(f"sqlite:///{path}") as store:
        return len(firm_statuses(store))


def baseline(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        rows = conn.execute(
            "SELECT f.id FROM filings f JOIN (SELECT name_key, MAX(end_date) AS d FROM filings GROUP BY name_key) l "
            "ON f.name_key = l.name_key AND f.end_date = l.d"
        ).fetchall()
        places: dict[int, list[int]] = {}  # lines id -> byte offsets of the three codes (store/packed.py)
        for (filing_id,) in rows:
            lines_id, cents = conn.execute("SELECT lines_id, cents FROM filing_amounts WHERE filing_id = ?", (filing_id,)).fetchone()
            if lines_id not in places:
                lines = Lines.read(conn.execute("SELECT lines FROM value_lines WHERE id = ?", (lines_id,)).fetchone()[0])
                places[lines_id] = [CENT_BYTES * lines.place[code] for code in ("7190", "7380", "8730") if code in lines.place]
            [struct.unpack_from("<q", cents, at)[0] for at in places[lines_id]]
        return len(rows)


def _timed(work: Callable[[Path], int], path: Path, queue: multiprocessing.Queue[tuple[float, int, int]]) -> None:
    times = []
    for _ in range(RUNS):
        began = time.perf_counter()
        count = work(path)
        times.append(time.perf_counter() - began)
    queue.put((statistics.median(times), count, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))


def run(work: Callable[[Path], int], path: Path) -> tuple[float, int, int]:
    queue: multiprocessing.Queue[tuple[float, int, int]] = multiprocessing.Queue()
    process = multiprocessing.Process(target=_timed, args=(work, path, queue))
    process.start()
    result = queue.get()
    process.join()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--firms", type=int, default=20)
    parser.add_argument("--years", type=int, default=2)
    options = harness.parse(
        parser, {"small": {"firms": 5, "years": 1}, "medium": {"firms": 20, "years": 2}, "large": {"firms": 60, "years": 3}}
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "store.sqlite"
        build(path, options.firms, options.years)
        print(f"{options.firms} firms x {options.years} years of generated filings; median of {RUNS} runs")
        measured = {}
        for name, work in (("status", status), ("baseline", baseline)):
            seconds, count, peak = measured[name] = run(work, path)
            print(f"{name:<9} {seconds * 1000:8.1f} ms  {count} firms  peak {peak / 1024:.0f} MiB")
    (ours, _, our_peak), (plain, _, plain_peak) = measured["status"], measured["baseline"]
    harness.record(
        harness.Figure(
            "firms list with status",
            ours * 1000,
            plain * 1000,
            "ms",
            "latest figures by plain SQL",
            True,
            our_peak / 1024,
            plain_peak / 1024,
        )
    )


if __name__ == "__main__":
    main()
