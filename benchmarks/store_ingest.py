"""Benchmark: ingest 10 years of daily filings for 60 firms into the SQLite store; time a history query.

Run by hand: `.venv/bin/python benchmarks/store_ingest.py [--firms 60] [--years 10] [--batch 250]`.

Phases, each in its own process so that its peak memory (ru_maxrss) is its own:
  store-batch   Store.ingest_filings, one transaction per batch of filings (all-or-nothing per batch),
                with content hashing, duplicate detection, firm identity and version numbering.
  store-single  Store.ingest_filing, one transaction per filing (on the first firms only).
  baseline      plain sqlite3 executemany of the same filing and value rows, one transaction per batch,
                no hashing or checks: the floor a store on SQLite could reach.
Filings are generated (untimed) firm by firm; only the writing is timed. The history query asks one
firm's 7190 over the whole period (median of 7 runs), through the Store and as plain SQL.
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import harness
from dailyseg.money import to_cents
from dailyseg.store import Store
from dailyseg.store.identity import name_key
from dailyseg.store.synthetic import series

START = date(2014, 1, 1)


def _firms(count: int, years: int) -> list[tuple[str, date]]:
    return [(f"Benchmark Firm {i:02d} LLC", date(START.year + years - 1, 12, 31)) for i in range(count)]


def store_batch(url: str, firms: list[tuple[str, date]], batch: int) -> tuple[float, int]:
    store = Store.open(url)
    elapsed, count = 0.0, 0
    for seed, (firm, end) in enumerate(firms):
        filings = list(series(firm, START, end, seed=seed))
        began = time.perf_counter()
        for i in range(0, len(filings), batch):
            store.ingest_filings(filings[i : i + batch], source=firm)
        elapsed += time.perf_counter() - began
        count += len(filings)
    store.close()
    return elapsed, count


def store_single(url: str, firms: list[tuple[str, date]], batch: int) -> tuple[float, int]:
    store = Store.open(url)
    elapsed, count = 0.0, 0
    for seed, (firm, end) in enumerate(firms):
        filings = list(series(firm, START, end, seed=seed))
        began = time.perf_counter()
        for filing in filings:
            store.ingest_filing(filing, source=firm)
        elapsed += time.perf_counter() - began
        count += len(filings)
    store.close()
    return elapsed, count


def baseline(path: str, firms: list[tuple[str, date]], batch: int) -> tuple[float, int]:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("CREATE TABLE filings (id INTEGER PRIMARY KEY, name_key TEXT, form TEXT, end_date TEXT, status TEXT, submit_date TEXT)")
    conn.execute("CREATE INDEX ix_key_date ON filings (name_key, end_date)")
    conn.execute("CREATE TABLE filing_values (filing_id INTEGER, code TEXT, statement TEXT, cents INTEGER, PRIMARY KEY (filing_id, code))")
    elapsed, count, next_id = 0.0, 0, 1
    for seed, (firm, end) in enumerate(firms):
        filings = list(series(firm, START, end, seed=seed))
        began = time.perf_counter()
        for i in range(0, len(filings), batch):
            heads: list[tuple[object, ...]] = []
            values: list[tuple[object, ...]] = []
            for f in filings[i : i + batch]:
                h = f.header
                heads.append((next_id, name_key(h.firm_name), h.form, str(h.end_date), h.status, str(h.submit_date)))
                values.extend((next_id, e.ref, e.statement, to_cents(e.amount)) for e in f.entries)
                next_id += 1
            with conn:
                conn.executemany("INSERT INTO filings VALUES (?, ?, ?, ?, ?, ?)", heads)
                conn.executemany("INSERT INTO filing_values VALUES (?, ?, ?, ?)", values)
        elapsed += time.perf_counter() - began
        count += len(filings)
    conn.close()
    return elapsed, count


def _child(phase: Callable[..., tuple[float, int]], args: tuple[Any, ...], out: Any) -> None:
    elapsed, count = phase(*args)
    out.send((elapsed, count, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))


def run_phase(phase: Callable[..., tuple[float, int]], *args: Any) -> tuple[float, int, float]:
    receive, send = multiprocessing.Pipe(duplex=False)
    process = multiprocessing.get_context("fork").Process(target=_child, args=(phase, args, send))
    process.start()
    result: tuple[float, int, float] = receive.recv()
    process.join()
    return result


def median_ms(query: Callable[[], object], runs: int = 7) -> float:
    query()  # warm the page cache and the statement cache
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        query()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--firms", type=int, default=60)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--batch", type=int, default=250)
    parser.add_argument("--single-firms", type=int, default=2, help="firms ingested one transaction per filing")
    sizes = {"small": {"firms": 6, "years": 2}, "medium": {"firms": 20, "years": 5}, "large": {"firms": 60, "years": 10}}
    options = harness.parse(parser, sizes)
    firms = _firms(options.firms, options.years)
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        results = {
            "store-batch": run_phase(store_batch, f"sqlite:///{base / 'batch.sqlite'}", firms, options.batch),
            "store-single": run_phase(store_single, f"sqlite:///{base / 'single.sqlite'}", firms[: options.single_firms], options.batch),
            "baseline": run_phase(baseline, str(base / "baseline.sqlite"), firms, options.batch),
        }
        print(f"{options.firms} firms x {options.years} years, batch {options.batch}")
        print(f"{'phase':<14}{'filings':>10}{'seconds':>10}{'filings/s':>12}{'peak MB':>10}")
        for name, (elapsed, count, peak) in results.items():
            print(f"{name:<14}{count:>10,}{elapsed:>10.1f}{count / elapsed:>12,.0f}{peak:>10.0f}")
        store = Store.open(f"sqlite:///{base / 'batch.sqlite'}")
        firm = firms[options.firms // 2][0]
        points = store.history(firm, ["7190"])
        store_ms = median_ms(lambda: store.history(firm, ["7190"]))
        conn = sqlite3.connect(base / "baseline.sqlite")
        sql = (
            "SELECT f.end_date, v.cents FROM filings f JOIN filing_values v ON v.filing_id = f.id "
            "WHERE f.name_key = ? AND v.code = '7190' ORDER BY f.end_date"
        )
        plain_ms = median_ms(lambda: conn.execute(sql, (name_key(firm),)).fetchall())
        size = (base / "batch.sqlite").stat().st_size / 2**20
        print(f"history of one firm, one code ({len(points)} points): store {store_ms:.1f} ms, plain SQL {plain_ms:.1f} ms")
        print(f"store file: {size:.0f} MB")
        (ours, stored, our_peak), (plain, _, plain_peak) = results["store-batch"], results["baseline"]
        harness.record(
            harness.Figure(
                "ingest, batched", stored / ours, stored / plain, "filings/s", "sqlite3 executemany", False, our_peak, plain_peak
            ),
            harness.Figure("history of one firm, one code", store_ms, plain_ms, "ms", "plain SQL"),
        )
        store.close()
        conn.close()


if __name__ == "__main__":
    main()
