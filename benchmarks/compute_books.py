"""Benchmark: compute a book from Parquet with dailyseg (DuckDB, and Spark local), hand-written DuckDB SQL and pandas.

    python benchmarks/compute_books.py --accounts 1000000 --positions 10 --folder benchmarks/data/book-1m
    python benchmarks/compute_books.py --size medium --only dailyseg sql --repeat 5 --cache-bytecode
    python benchmarks/compute_books.py --size small --only spark      # a small book on Spark, JVM start included

Writes the book once (the demo generator, Parquet), then runs each implementation in its own process and
reports wall time, CPU time (user + system of the child and what it waited for, from the kernel's
accounting) and peak memory (the peak resident sets, VmHWM, of the child and its children, Spark's JVM
among them; a child past --limit-gib is stopped and reported as out of memory). The baselines: the same
rules written by hand as DuckDB SQL over the Parquet files (no checks, no Python values until the totals),
the floor for a whole process; and what a pandas user would write, with exact (pyarrow-backed) decimals.
All must give the same customer totals; the script checks that they do. `--repeat N` runs the chosen
implementations N times in turn and reports medians. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path
from typing import Any

import harness
from dailyseg.compute.engines import EngineName

# dailyseg on DuckDB, the same rules as hand-written DuckDB SQL, plain pandas, dailyseg on Spark local[2]
IMPLEMENTATIONS = ("dailyseg", "sql", "pandas", "spark")

# The rules of form-spec 8.2 as a user would write them for DuckDB: value the positions, haircut the
# securities (an override, else the first band of the type whose days reach the maturity, else 100%), sum to
# (account, currency), then the deficit, its offset and the undermargined amount, and sum by class and
# currency. {basis} is the deficit's base: nle, or nle less securities.
HAND_SQL = """
WITH
positions AS (
  SELECT account, currency, CAST(CAST(quantity AS DECIMAL(18, 0)) * multiplier AS DECIMAL(18, 4)) AS size,
         CAST(settlement_price AS DECIMAL(19, 6)) AS settle, CAST(trade_price AS DECIMAL(19, 6)) AS trade, option, quantity
  FROM read_parquet('{folder}/positions.parquet')),
held AS (
  SELECT account, currency,
         SUM(CASE WHEN option THEN 0 ELSE size * settle - size * trade END) AS unrealized,
         SUM(CASE WHEN option AND quantity > 0 THEN size * settle ELSE 0 END) AS long_option_value,
         SUM(CASE WHEN option AND quantity < 0 THEN -(size * settle) ELSE 0 END) AS short_option_value
  FROM positions GROUP BY ALL),
haircuts(type, max_days, haircut) AS (VALUES {haircuts}),
securities AS (
  SELECT s.account, s.currency, s.market_value,
         COALESCE(s.haircut, (SELECT h.haircut FROM haircuts h WHERE h.type = s.type AND (h.max_days IS NULL
                  OR COALESCE(s.maturity, DATE '9999-12-31') - DATE '{day}' <= h.max_days)
                  ORDER BY h.max_days NULLS LAST LIMIT 1), 100) AS pct
  FROM read_parquet('{folder}/securities.parquet') s),
units AS (
  SELECT account, currency, SUM(cash) AS cash, SUM(securities) AS securities, SUM(unrealized) AS unrealized,
         SUM(long_option_value) AS long_option_value, SUM(short_option_value) AS short_option_value,
         SUM(haircut_value) AS haircut_value, SUM(margin_requirement) AS margin_requirement
  FROM (
    SELECT account, currency, cash, 0 AS securities, COALESCE(unrealized, 0) AS unrealized,
           COALESCE(long_option_value, 0) AS long_option_value, COALESCE(short_option_value, 0) AS short_option_value,
           0 AS haircut_value, margin_requirement
    FROM read_parquet('{folder}/ledger.parquet')
    UNION ALL BY NAME SELECT account, currency, unrealized, long_option_value, short_option_value FROM held
    UNION ALL BY NAME
    SELECT account, currency, market_value AS securities,
           CAST(market_value * CAST((100 - pct) * 0.01 AS DECIMAL(19, 6)) AS DECIMAL(38, 10)) AS haircut_value
    FROM securities)
  GROUP BY ALL),
measured AS (
  SELECT a.class AS customer_class, u.*, u.cash + u.securities + u.unrealized + u.long_option_value - u.short_option_value AS nle,
         GREATEST(-(nle {basis}), 0) AS deficit
  FROM units u JOIN read_parquet('{folder}/accounts.parquet') a USING (account))
SELECT customer_class, currency, COUNT(*) AS accounts, SUM(cash) AS cash, SUM(securities) AS securities,
       SUM(unrealized) AS unrealized, SUM(long_option_value) AS long_option_value,
       SUM(short_option_value) AS short_option_value, SUM(deficit) AS deficit,
       SUM(LEAST(deficit, haircut_value, nle + deficit)) AS "offset",
       SUM(GREATEST(margin_requirement - GREATEST(nle, 0), 0)) AS undermargined
FROM measured GROUP BY ALL
"""
HAND_BALANCES = """
SELECT b.depository, d.name, d.kind, d.acknowledgment, b.class, b.asset, b.currency, SUM(b.amount) AS amount, COUNT(*) AS "rows"
FROM read_parquet('{folder}/balances.parquet') b JOIN read_parquet('{folder}/depositories.parquet') d USING (depository)
GROUP BY ALL
"""


def run_dailyseg(folder: Path, engine: EngineName = "duckdb") -> dict[str, str]:
    start = time.perf_counter()
    from dailyseg.compute import engine_totals, read_books
    from dailyseg.compute.engines import spark_session

    imported = time.perf_counter()
    books = read_books(folder)
    read = time.perf_counter()
    if engine == "spark":
        spark_session()
    started = time.perf_counter()
    totals = engine_totals(books, engine)
    done = time.perf_counter()
    phases = {
        "import_s": imported - start,
        "read_and_check_s": read - imported,
        "engine_start_s": started - read,
        "query_s": done - started,
        "cpu_s": _cpu_s(os.getpid()),
    }
    print(json.dumps({k: round(v, 2) for k, v in phases.items()}), file=sys.stderr)
    return _flatten(totals.customers)


def run_spark(folder: Path) -> dict[str, str]:
    return run_dailyseg(folder, "spark")


def run_sql(folder: Path) -> dict[str, str]:
    """The baseline: the rules written by hand as DuckDB SQL over the book's Parquet files, nothing checked."""
    import tomllib

    import duckdb

    from dailyseg.compute.schema import DEFAULT_HAIRCUTS

    firm = tomllib.loads((folder / "firm.toml").read_text("utf-8"))["firm"]
    basis = "- u.securities" if firm.get("deficit_basis", "ex_securities") == "ex_securities" else ""
    haircuts = ", ".join(f"('{t}', {'NULL' if d is None else d}, CAST('{h}' AS DECIMAL(9, 4)))" for t, d, h in DEFAULT_HAIRCUTS)
    if (folder / "haircuts.parquet").exists():
        haircuts = f"SELECT type, max_days, haircut FROM read_parquet('{folder}/haircuts.parquet')"
    connection = duckdb.connect(config={"preserve_insertion_order": False})
    query = HAND_SQL.format(folder=folder, day=firm["business_date"], basis=basis, haircuts=haircuts)
    result = connection.execute(query)
    names = [column[0] for column in result.description]
    rows = [dict(zip(names, row, strict=True)) for row in result.fetchall()]
    connection.execute(HAND_BALANCES.format(folder=folder)).fetchall()
    return _flatten(rows)


def run_pandas(folder: Path) -> dict[str, str]:
    import pandas as pd

    from dailyseg.compute.books import read_books
    from dailyseg.compute.engine import haircut_bands

    books = read_books(folder)

    def table(name: str) -> pd.DataFrame:
        return pd.read_parquet(folder / f"{name}.parquet", dtype_backend="pyarrow")

    ledger, positions, securities, accounts = table("ledger"), table("positions"), table("securities"), table("accounts")
    zero = pd.Series([Decimal(0)], dtype=ledger["cash"].dtype).iloc[0]
    for column in ("unrealized", "long_option_value", "short_option_value"):
        ledger[column] = ledger[column].fillna(zero)
    import pyarrow as pa

    # pyarrow refuses decimal products wider than 38 digits: narrow the operands first.
    size = (positions["quantity"] * positions["multiplier"]).astype(pd.ArrowDtype(pa.decimal128(18, 4)))
    option = positions["option"]
    long = option & (positions["quantity"] > 0)
    short = option & (positions["quantity"] < 0)
    valued = pd.DataFrame(
        {
            "account": positions["account"],
            "currency": positions["currency"],
            "unrealized": (size * (positions["settlement_price"] - positions["trade_price"])).where(~option, 0),
            "long_option_value": (size * positions["settlement_price"]).where(long, 0),
            "short_option_value": (-(size * positions["settlement_price"])).where(short, 0),
        }
    )
    bands = haircut_bands(books.arrow("haircuts"), books.config.business_date).to_pandas(types_mapper=pd.ArrowDtype)
    securities["row"] = range(len(securities))
    maturity = securities["maturity"].fillna(pd.Timestamp("9999-12-31").date())
    merged = securities.assign(m=maturity).merge(bands, on="type", how="left")
    merged = merged[(merged["m"] > merged["after"]) & (merged["m"] <= merged["until"])]
    haircut = securities.merge(merged[["row", "band_haircut"]], on="row", how="left")
    pct = haircut["haircut"].fillna(haircut["band_haircut"]).fillna(100)
    held = pd.DataFrame(
        {
            "account": securities["account"],
            "currency": securities["currency"],
            "securities": securities["market_value"],
            "haircut_value": securities["market_value"] * (100 - pct).astype(pd.ArrowDtype(pa.decimal128(9, 4))) * Decimal("0.01"),  # type: ignore[type-var]  # pandas-stubs types decimal scaling too narrowly
        }
    )
    units = pd.concat([ledger.drop(columns=["margin_requirement"]), valued, held], ignore_index=True)
    units = units.groupby(["account", "currency"], as_index=False).sum(min_count=1)
    units = units.fillna(0).merge(accounts, on="account")
    for column in ("cash", "securities", "unrealized", "long_option_value", "short_option_value", "haircut_value"):
        units[column] = units[column].astype(pd.ArrowDtype(pa.decimal128(28, 10)))  # room for the sums below
    nle = units["cash"] + units["securities"] + units["unrealized"] + units["long_option_value"] - units["short_option_value"]
    base = nle - units["securities"]
    deficit = (-base).clip(lower=0)
    offset = pd.concat([deficit, units["haircut_value"], nle + deficit], axis=1).min(axis=1)
    units = units.assign(deficit=deficit, offset=offset)
    grouped = units.groupby(["class", "currency"], as_index=False)[
        ["cash", "securities", "unrealized", "long_option_value", "short_option_value", "deficit", "offset"]
    ].sum()
    rows = grouped.rename(columns={"class": "customer_class"}).to_dict("records")
    return _flatten(rows)


def _flatten(rows: Any) -> dict[str, str]:
    measures = ("cash", "securities", "unrealized", "long_option_value", "short_option_value", "deficit", "offset")
    return {f"{r['customer_class']}/{r['currency']}/{m}": str(Decimal(str(r[m])).normalize()) for r in rows for m in measures}


def measure(impl: str, folder: Path, limit_gib: float, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run one implementation in its own process; stop it if its resident memory passes `limit_gib`."""
    start, used = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
    command = [sys.executable, __file__, "--run", impl, "--folder", str(folder)]
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    peak_kib, stopped = 0, False
    with ThreadPoolExecutor(1) as pool:
        output = pool.submit(child.communicate)
        while child.poll() is None:
            peak_kib = max(peak_kib, _rss_kib(child.pid))
            if peak_kib > limit_gib * 2**20:
                child.kill()
                stopped = True
            time.sleep(0.1)
        stdout, stderr = output.result()
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)  # the children run one at a time: the difference is this one's
    cpu = round(after.ru_utime + after.ru_stime - used.ru_utime - used.ru_stime, 2)
    peak_mib = round(peak_kib / 1024)
    if stopped:
        return {"impl": impl, "error": f"stopped: over the {limit_gib} GiB memory limit", "wall_s": round(wall, 2), "peak_mib": peak_mib}
    if child.returncode != 0:
        return {"impl": impl, "error": stderr[-2000:], "wall_s": round(wall, 2), "peak_mib": peak_mib}
    phases = json.loads(stderr.strip().splitlines()[-1]) if impl in ("dailyseg", "spark") else {}
    return {"impl": impl, "wall_s": round(wall, 2), "process_cpu_s": cpu, "peak_mib": peak_mib, **phases, "totals": json.loads(stdout)}


def _median(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """One run standing for several: the figures' medians, the largest peak, the first error if any failed."""
    if any("error" in r for r in runs):
        return next(r for r in runs if "error" in r)
    numbers = {k for k, v in runs[0].items() if isinstance(v, float | int)}
    middle = {k: statistics.median(r[k] for r in runs) for k in numbers}
    return {**runs[0], **middle, "peak_mib": max(r["peak_mib"] for r in runs), "runs": len(runs)}


def _children(pid: int) -> list[int]:
    return [int(c) for task in Path(f"/proc/{pid}/task").iterdir() for c in (task / "children").read_text().split()]


def _cpu_s(pid: int) -> float:
    """CPU seconds (user + system) of a live process and its descendants, Spark's JVM included: on a shared
    machine a steadier figure than wall time."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK") + sum(map(_cpu_s, _children(pid)))


def _rss_kib(pid: int) -> int:
    """The peak resident sets (VmHWM) of the process and its descendants, such as Spark's JVM, in KiB; 0 once
    it has gone. A sum of peaks: at most a little over the peak of the sum."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
        children = _children(pid)
    except OSError:
        return 0
    own = next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:")), 0)
    return own + sum(map(_rss_kib, children))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=1_000_000)
    parser.add_argument("--positions", type=int, default=10, help="positions per account")
    parser.add_argument("--folder", type=Path, default=Path("/tmp/dailyseg-bench"))
    parser.add_argument("--skip-generate", action="store_true")
    parser.add_argument("--only", choices=IMPLEMENTATIONS, nargs="+", help="run only these implementations")
    parser.add_argument("--repeat", type=int, default=1, help="run each implementation N times, in turn; report the medians")
    parser.add_argument(
        "--cache-bytecode",
        action="store_true",
        help="children start from bytecode cached under a temporary PYTHONPYCACHEPREFIX (one unmeasured run each), as installed",
    )
    parser.add_argument("--limit-gib", type=float, default=16.0, help="stop a run whose memory passes this")
    parser.add_argument("--run", choices=IMPLEMENTATIONS, help=argparse.SUPPRESS)
    sizes = {
        size: {"accounts": accounts, "positions": positions, "folder": Path(f"/tmp/dailyseg-bench-{size}")}
        for size, accounts, positions in (("small", 3000, 3), ("medium", 100_000, 10), ("large", 1_000_000, 10))
    }
    args = harness.parse(parser, sizes)
    if args.run:
        run: Callable[[Path], dict[str, str]] = {"pandas": run_pandas, "sql": run_sql, "spark": run_spark}.get(args.run, run_dailyseg)
        result = run(args.folder)
        print(json.dumps(result))
        return
    if not args.skip_generate:
        import dailyseg
        from dailyseg.compute.demo import generate

        sample = dailyseg.read(Path(__file__).resolve().parents[1] / "examples" / "daily-seg-citigroup-2013-07-25.txt").filings[0]
        start = time.perf_counter()
        generate(args.folder, accounts=args.accounts, positions_per_account=args.positions, target=sample, parquet=True)
        print(f"generated {args.accounts:,} accounts x {args.positions} positions in {time.perf_counter() - start:.1f} s", flush=True)
    chosen = [impl for impl in IMPLEMENTATIONS if args.only is None or impl in args.only]
    runs: dict[str, list[dict[str, Any]]] = {impl: [] for impl in chosen}
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ)
        if args.cache_bytecode:
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            env["PYTHONPYCACHEPREFIX"] = cache
            for impl in chosen:
                measure(impl, args.folder, args.limit_gib, env)
        for _ in range(args.repeat):  # in turn, so that the machine's load falls on every implementation alike
            for impl in chosen:
                runs[impl].append(measure(impl, args.folder, args.limit_gib, env))
    results = {impl: _median(measured) for impl, measured in runs.items()}
    for r in results.values():
        print(json.dumps({k: v for k, v in r.items() if k != "totals"}), flush=True)
    totals = [r["totals"] for r in results.values() if "totals" in r]
    if len(totals) > 1:
        print("same totals:", all(t == totals[0] for t in totals))
    pairs = (
        ("dailyseg", "sql", "compute, whole process, CPU", "hand-written DuckDB SQL", "process_cpu_s", "CPU s"),
        ("dailyseg", "sql", "compute, whole process", "hand-written DuckDB SQL", "wall_s", "s"),
        ("dailyseg", "pandas", "compute, whole process", "plain pandas", "wall_s", "s"),
        ("spark", "dailyseg", "compute on Spark local[2], JVM start included", "DuckDB", "wall_s", "s"),
    )
    harness.record(
        *(
            harness.Figure(
                name,
                results[ours][key],
                results[base][key],
                unit,
                base_name,
                True,
                results[ours]["peak_mib"],
                results[base]["peak_mib"],
            )
            for ours, base, name, base_name, key, unit in pairs
            if "totals" in results.get(ours, {}) and "totals" in results.get(base, {})
        )
    )


if __name__ == "__main__":
    main()
