"""Benchmark: ingest 10 years of daily filings for 60 firms into the SQLite store; time a history query.

Run by hand: `.venv/bin/python benchmarks/store_ingest.py [--firms 60] [--years 10] [--batch 250]`.

Run by hand with PostgreSQL beside SQLite: `... --postgresql postgresql+psycopg://postgres@127.0.0.1:PORT/postgres`
(a throwaway server: /work/shared/docs/RECIPES.md; the benchmark creates and drops its own databases there).

Phases, each in its own process so that its peak memory (ru_maxrss) is its own:
  store-batch   Store.ingest_filings, one transaction per batch of filings (all-or-nothing per batch),
                with content hashing, duplicate detection, firm identity and version numbering.
  store-single  Store.ingest_filing, one transaction per filing (on the first firms only).
  baseline      plain sqlite3 executemany of the same rows (a head and one row of packed cents per filing,
                store/packed.py), one transaction per batch, no hashing or checks: the floor a store on SQLite
                could reach.
  baseline-long the same with one row per value, as the store kept them before migration 0013.
  pg-store, pg-baseline   the same two on PostgreSQL (psycopg executemany), with --postgresql.
Filings are generated (untimed) firm by firm; only the writing is timed, as wall seconds and as the
process's CPU seconds (steadier when other work shares the machine; on PostgreSQL the server's CPU is not
in it). The history query asks one firm's 7190 over the whole period (median of 15 runs, each timed as
CPU time of this process), through the Store and as plain SQL on the store's own file (the code's cents
read at its place in each row's packed cents) and on the one-row-per-value file.
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import resource
import sqlite3
import statistics
import struct
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy.engine import make_url

import harness
from dailyseg.money import to_cents
from dailyseg.store import Store
from dailyseg.store.identity import name_key
from dailyseg.store.packed import CENT_BYTES, Lines
from dailyseg.store.synthetic import series

START = date(2014, 1, 1)


def _firms(count: int, years: int) -> list[tuple[str, date]]:
    return [(f"Benchmark Firm {i:02d} LLC", date(START.year + years - 1, 12, 31)) for i in range(count)]


Timed = tuple[float, float, int]  # wall seconds, CPU seconds, filings


def _timed(firms: list[tuple[str, date]], write: Callable[[str, list[Any]], None]) -> Timed:
    """Generate each firm's filings (untimed), then time `write(firm, filings)`."""
    elapsed = cpu = 0.0
    count = 0
    for seed, (firm, end) in enumerate(firms):
        filings = list(series(firm, START, end, seed=seed))
        began, began_cpu = time.perf_counter(), time.process_time()
        write(firm, filings)
        elapsed += time.perf_counter() - began
        cpu += time.process_time() - began_cpu
        count += len(filings)
    return elapsed, cpu, count


def store_batch(url: str, firms: list[tuple[str, date]], batch: int) -> Timed:
    store = Store.open(url)

    def write(firm: str, filings: list[Any]) -> None:
        for i in range(0, len(filings), batch):
            store.ingest_filings(filings[i : i + batch], source=firm)

    timed = _timed(firms, write)
    store.close()
    return timed


def store_single(url: str, firms: list[tuple[str, date]], batch: int) -> Timed:
    store = Store.open(url)

    def write(firm: str, filings: list[Any]) -> None:
        for filing in filings:
            store.ingest_filing(filing, source=firm)

    timed = _timed(firms, write)
    store.close()
    return timed


def _plain_rows(filings: list[Any], first_id: int, packed: bool) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    """Head rows, and packed cents rows (filing id, lines id, cents; every generated filing has the same
    lines) or one row per value (filing id, code, statement, cents)."""
    heads: list[tuple[object, ...]] = []
    values: list[tuple[object, ...]] = []
    for filing_id, f in enumerate(filings, start=first_id):
        h = f.header
        heads.append((filing_id, name_key(h.firm_name), h.form, str(h.end_date), h.status, str(h.submit_date)))
        if packed:
            cents = [to_cents(e.amount) for e in f.entries]
            values.append((filing_id, 1, struct.pack(f"<{len(cents)}q", *cents)))
        else:
            values.extend((filing_id, e.ref, e.statement, to_cents(e.amount)) for e in f.entries)
    return heads, values


_PLAIN_HEADS = (
    "CREATE TABLE filings (id INTEGER PRIMARY KEY, name_key TEXT, form TEXT, end_date TEXT, status TEXT, submit_date TEXT)",
    "CREATE INDEX ix_key_date ON filings (name_key, end_date)",
)
_PLAIN_VALUES = {
    True: "CREATE TABLE filing_amounts (filing_id INTEGER PRIMARY KEY, lines_id BIGINT, cents BLOB)",
    False: "CREATE TABLE filing_values (filing_id INTEGER, code TEXT, statement TEXT, cents BIGINT, PRIMARY KEY (filing_id, code))",
}
_PLAIN_INSERT = {True: "INSERT INTO filing_amounts VALUES (?, ?, ?)", False: "INSERT INTO filing_values VALUES (?, ?, ?, ?)"}


def baseline(path: str, firms: list[tuple[str, date]], batch: int, packed: bool = True) -> Timed:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    for statement in (*_PLAIN_HEADS, _PLAIN_VALUES[packed]):
        conn.execute(statement)
    next_id = 1

    def write(firm: str, filings: list[Any]) -> None:
        nonlocal next_id
        for i in range(0, len(filings), batch):
            heads, values = _plain_rows(filings[i : i + batch], next_id, packed)
            next_id += len(heads)
            with conn:
                conn.executemany("INSERT INTO filings VALUES (?, ?, ?, ?, ?, ?)", heads)
                conn.executemany(_PLAIN_INSERT[packed], values)

    timed = _timed(firms, write)
    conn.close()
    return timed


def baseline_long(path: str, firms: list[tuple[str, date]], batch: int) -> Timed:
    return baseline(path, firms, batch, packed=False)


def pg_baseline(url: str, firms: list[tuple[str, date]], batch: int) -> Timed:
    """The plain floor on PostgreSQL: psycopg executemany (pipelined) of the same rows, one transaction a batch."""
    conn = psycopg.connect(_psycopg_dsn(url))
    with conn.transaction():
        for statement in (*_PLAIN_HEADS, _PLAIN_VALUES[True].replace("BLOB", "BYTEA")):
            conn.execute(statement)
    next_id = 1

    def write(firm: str, filings: list[Any]) -> None:
        nonlocal next_id
        for i in range(0, len(filings), batch):
            heads, values = _plain_rows(filings[i : i + batch], next_id, True)
            next_id += len(heads)
            with conn.transaction(), conn.cursor() as cursor:
                cursor.executemany("INSERT INTO filings VALUES (%s, %s, %s, %s, %s, %s)", heads)
                cursor.executemany("INSERT INTO filing_amounts VALUES (%s, %s, %s)", values)

    timed = _timed(firms, write)
    conn.close()
    return timed


def _psycopg_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@contextlib.contextmanager
def pg_database(server: str, name: str) -> Iterator[str]:
    """A fresh database `name` on the server of `server` (a SQLAlchemy URL), dropped afterwards."""
    with psycopg.connect(_psycopg_dsn(server), autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name}")
        admin.execute(f"CREATE DATABASE {name}")
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(_psycopg_dsn(server), autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


Result = tuple[float, float, int, float]  # wall seconds, CPU seconds, filings, peak MiB


def _child(phase: Callable[..., Timed], args: tuple[Any, ...], out: Any) -> None:
    elapsed, cpu, count = phase(*args)
    out.send((elapsed, cpu, count, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))


def run_phase(phase: Callable[..., Timed], *args: Any) -> Result:
    receive, send = multiprocessing.Pipe(duplex=False)
    process = multiprocessing.get_context("fork").Process(target=_child, args=(phase, args, send))
    process.start()
    result: Result = receive.recv()
    process.join()
    return result


def median_ms(queries: dict[str, Callable[[], object]], runs: int = 15) -> dict[str, float]:
    """Each query's median CPU milliseconds, the queries taking turns so that they meet the same load."""
    times: dict[str, list[float]] = {name: [] for name in queries}
    for query in queries.values():
        query()  # warm the page cache and the statement cache
    for _ in range(runs):
        for name, query in queries.items():
            began = time.process_time()
            query()
            times[name].append((time.process_time() - began) * 1000)
    return {name: statistics.median(values) for name, values in times.items()}


_PLAIN_HISTORY = (
    "SELECT f.end_date, v.cents FROM filings f JOIN filing_values v ON v.filing_id = f.id "
    "WHERE f.name_key = ? AND v.code = '7190' ORDER BY f.end_date"
)
_PLAIN_PACKED_HISTORY = (
    "SELECT f.end_date, a.cents FROM filings f JOIN filing_amounts a ON a.filing_id = f.id WHERE f.name_key = ? ORDER BY f.end_date"
)


def plain_packed_history(conn: sqlite3.Connection, key: str, offset: int) -> list[tuple[str, int]]:
    """One code's history from packed cents by hand: the rows, and the code's cents at its place in each."""
    at = struct.Struct("<q").unpack_from
    return [(day, at(cents, offset)[0]) for day, cents in conn.execute(_PLAIN_PACKED_HISTORY, (key,))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--firms", type=int, default=60)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--batch", type=int, default=250)
    parser.add_argument("--single-firms", type=int, default=2, help="firms ingested one transaction per filing")
    parser.add_argument("--postgresql", metavar="URL", help="also ingest into a PostgreSQL server (creates and drops databases)")
    sizes = {"small": {"firms": 6, "years": 2}, "medium": {"firms": 20, "years": 5}, "large": {"firms": 60, "years": 10}}
    options = harness.parse(parser, sizes)
    firms = _firms(options.firms, options.years)
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        results = {
            "store-batch": run_phase(store_batch, f"sqlite:///{base / 'batch.sqlite'}", firms, options.batch),
            "store-single": run_phase(store_single, f"sqlite:///{base / 'single.sqlite'}", firms[: options.single_firms], options.batch),
            "baseline": run_phase(baseline, str(base / "baseline.sqlite"), firms, options.batch),
            "baseline-long": run_phase(baseline_long, str(base / "long.sqlite"), firms, options.batch),
        }
        if options.postgresql:
            with pg_database(options.postgresql, "bench_store") as url:
                results["pg-store"] = run_phase(store_batch, url, firms, options.batch)
            with pg_database(options.postgresql, "bench_plain") as url:
                results["pg-baseline"] = run_phase(pg_baseline, url, firms, options.batch)
        print(f"{options.firms} firms x {options.years} years, batch {options.batch}")
        print(f"{'phase':<15}{'filings':>10}{'seconds':>10}{'filings/s':>12}{'CPU s':>8}{'per CPU s':>11}{'peak MB':>10}")
        for name, (elapsed, cpu, count, peak) in results.items():
            if count:
                print(f"{name:<15}{count:>10,}{elapsed:>10.1f}{count / elapsed:>12,.0f}{cpu:>8.1f}{count / cpu:>11,.0f}{peak:>10.0f}")
        store = Store.open(f"sqlite:///{base / 'batch.sqlite'}")
        firm = firms[options.firms // 2][0]
        points = store.history(firm, ["7190"])
        same_file = sqlite3.connect(base / "batch.sqlite")
        long_file = sqlite3.connect(base / "long.sqlite")
        key = name_key(firm)
        lines = Lines.read(same_file.execute("SELECT lines FROM value_lines LIMIT 1").fetchone()[0])
        offset = CENT_BYTES * lines.place["7190"]  # every generated filing has the same lines
        ms = median_ms(
            {
                "history": lambda: store.history(firm, ["7190"]),
                "history_columns": lambda: store.history_columns(firm, ["7190"]),
                "plain SQL, store's file": lambda: plain_packed_history(same_file, key, offset),
                "plain SQL, one row per value": lambda: long_file.execute(_PLAIN_HISTORY, (key,)).fetchall(),
            }
        )
        print(f"history of one firm, one code ({len(points)} points), median CPU ms: " + ", ".join(f"{k} {v:.1f}" for k, v in ms.items()))
        size = (base / "batch.sqlite").stat().st_size / 2**20
        print(f"store file: {size:.0f} MB")
        (_, ours, stored, our_peak), (_, plain, _, plain_peak) = results["store-batch"], results["baseline"]
        figures = [
            harness.Figure(
                "ingest, batched (per CPU s)",
                stored / ours,
                stored / plain,
                "filings/s",
                "sqlite3 executemany",
                False,
                our_peak,
                plain_peak,
            ),
            harness.Figure("history of one firm, one code", ms["history"], ms["plain SQL, store's file"], "ms", "plain SQL, same file"),
        ]
        if options.postgresql:
            (pg_wall, _, pg_count, pg_peak), (pg_plain, _, _, pg_plain_peak) = results["pg-store"], results["pg-baseline"]
            figures.append(
                harness.Figure(
                    "ingest into PostgreSQL, batched (wall)",
                    pg_count / pg_wall,
                    pg_count / pg_plain,
                    "filings/s",
                    "psycopg executemany",
                    False,
                    pg_peak,
                    pg_plain_peak,
                )
            )
        harness.record(*figures)
        store.close()
        same_file.close()
        long_file.close()


if __name__ == "__main__":
    main()
