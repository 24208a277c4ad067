"""Benchmark: compute a large book from Parquet with dailyseg (DuckDB engine, and Spark local) and with plain pandas.

    python benchmarks/compute_books.py --accounts 1000000 --positions 10 --folder benchmarks/data/book-1m
    python benchmarks/compute_books.py --size small --only spark      # a small book on Spark, JVM start included

Writes the book once (the demo generator, Parquet), then runs each implementation in its own process and
reports wall time and peak memory (the peak resident sets, VmHWM, of the child and its children, Spark's
JVM among them; a child past --limit-gib is stopped and reported as out of memory). The pandas version is what a
user would write: read the Parquet files with exact (pyarrow-backed) decimals, merge and group by. Both
must give the same customer totals; the script checks that they do. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path
from typing import Any

import harness
from dailyseg.compute.engines import EngineName

IMPLEMENTATIONS = ("dailyseg", "pandas", "spark")  # dailyseg on DuckDB, plain pandas, dailyseg on Spark local[2]


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


def measure(impl: str, folder: Path, limit_gib: float) -> dict[str, Any]:
    """Run one implementation in its own process; stop it if its resident memory passes `limit_gib`."""
    start = time.perf_counter()
    command = [sys.executable, __file__, "--run", impl, "--folder", str(folder)]
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
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
    peak_mib = round(peak_kib / 1024)
    if stopped:
        return {"impl": impl, "error": f"stopped: over the {limit_gib} GiB memory limit", "wall_s": round(wall, 2), "peak_mib": peak_mib}
    if child.returncode != 0:
        return {"impl": impl, "error": stderr[-2000:], "wall_s": round(wall, 2), "peak_mib": peak_mib}
    phases = json.loads(stderr.strip().splitlines()[-1]) if impl != "pandas" else {}
    return {"impl": impl, "wall_s": round(wall, 2), "peak_mib": peak_mib, **phases, "totals": json.loads(stdout)}


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
    parser.add_argument("--only", choices=IMPLEMENTATIONS)
    parser.add_argument("--limit-gib", type=float, default=16.0, help="stop a run whose memory passes this")
    parser.add_argument("--run", choices=IMPLEMENTATIONS, help=argparse.SUPPRESS)
    sizes = {
        size: {"accounts": accounts, "positions": positions, "folder": Path(f"/tmp/dailyseg-bench-{size}")}
        for size, accounts, positions in (("small", 3000, 3), ("medium", 100_000, 10), ("large", 1_000_000, 10))
    }
    args = harness.parse(parser, sizes)
    if args.run:
        result = (
            run_pandas(args.folder) if args.run == "pandas" else run_dailyseg(args.folder, "spark" if args.run == "spark" else "duckdb")
        )
        print(json.dumps(result))
        return
    if not args.skip_generate:
        import dailyseg
        from dailyseg.compute.demo import generate

        sample = dailyseg.read(Path(__file__).resolve().parents[1] / "examples" / "daily-seg-citigroup-2013-07-25.txt").filings[0]
        start = time.perf_counter()
        generate(args.folder, accounts=args.accounts, positions_per_account=args.positions, target=sample, parquet=True)
        print(f"generated {args.accounts:,} accounts x {args.positions} positions in {time.perf_counter() - start:.1f} s", flush=True)
    results = {impl: measure(impl, args.folder, args.limit_gib) for impl in IMPLEMENTATIONS if args.only in (None, impl)}
    for r in results.values():
        print(json.dumps({k: v for k, v in r.items() if k != "totals"}), flush=True)
    totals = [r["totals"] for r in results.values() if "totals" in r]
    if len(totals) > 1:
        print("same totals:", all(t == totals[0] for t in totals))
    pairs = (
        ("dailyseg", "pandas", "compute, whole process", "plain pandas"),
        ("spark", "dailyseg", "compute on Spark local[2], JVM start included", "DuckDB"),
    )
    harness.record(
        *(
            harness.Figure(
                name,
                results[ours]["wall_s"],
                results[base]["wall_s"],
                "s",
                base_name,
                True,
                results[ours]["peak_mib"],
                results[base]["peak_mib"],
            )
            for ours, base, name, base_name in pairs
            if "totals" in results.get(ours, {}) and "totals" in results.get(base, {})
        )
    )


if __name__ == "__main__":
    main()
