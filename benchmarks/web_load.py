"""Web load benchmark: firm pages and chart data over years of daily filings (by default 60 firms x 10 years).

Run by hand (not by the tests): `.venv/bin/python benchmarks/web_load.py [--requests 600] [--concurrency 1 4] [--firms 60 --years 10]`.
Builds (once) a SQLite store under benchmarks/data/, starts `dailyseg serve` on a free port of 127.0.0.1,
then sends a bounded number of requests with an async HTTP client at each concurrency and reports latency
percentiles for the firm page and its chart data, next to /api/health as the plain baseline (the server's
floor), and the server's peak memory.

The server keeps chart data per firm and date range until a filing is stored. "chart data, uncached"
asks each firm's whole history with a different `to` date past the last filing every time: the same
answer as the plain request, but never found in that cache, so it measures the store's work each time.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import time
from datetime import date
from pathlib import Path

import httpx

import harness
from dailyseg.store import Store
from dailyseg.store.synthetic import series

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the server the web tests start
from tests.web.support import start_server, stop_server

DATA = Path(__file__).resolve().parent / "data"
END = date(2024, 12, 31)


def build(path: Path, firms: int, years: int) -> list[str]:
    """The store with `firms` x `years` of business days to END; reused when already built."""
    url = f"sqlite:///{path}"
    with Store.open(url) as store:
        existing = store.firm_ids()
        if len(existing) >= firms:
            return existing
        began = time.perf_counter()
        count = 0
        for i in range(firms):
            filings = list(series(f"Benchmark Futures {i:02d} LLC", date(END.year - years + 1, 1, 1), END, seed=i))
            for chunk in range(0, len(filings), 1000):
                store.ingest_filings(filings[chunk : chunk + 1000], source=f"bench-{i}")
            count += len(filings)
            print(f"  firm {i + 1}/{firms}: {count} filings, {count / (time.perf_counter() - began):.0f}/s", file=sys.stderr)
        return store.firm_ids()


def peak_memory_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def load(base: str, paths: list[str], concurrency: int) -> list[float]:
    """Each path once, `concurrency` at a time; latencies in milliseconds."""
    timings: list[float] = []
    queue: asyncio.Queue[str] = asyncio.Queue()
    for path in paths:
        queue.put_nowait(path)
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:

        async def worker() -> None:
            while not queue.empty():
                path = queue.get_nowait()
                began = time.perf_counter()
                answer = await client.get(path)
                timings.append((time.perf_counter() - began) * 1000)
                if answer.status_code != 200:
                    raise RuntimeError(f"{path}: HTTP {answer.status_code}")

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return timings


def report(name: str, timings: list[float], seconds: float) -> float:
    """Print the latencies' spread; return the median."""
    cuts = statistics.quantiles(timings, n=100)
    spread = f"p50 {cuts[49]:7.1f} ms  p95 {cuts[94]:7.1f} ms  p99 {cuts[98]:7.1f} ms  max {max(timings):7.1f} ms"
    print(f"{name:<22} n={len(timings):>4}  {spread}  {len(timings) / seconds:6.1f} req/s")
    return cuts[49]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=600, help="requests per kind of page")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--firms", type=int, default=60, help="firms in the store")
    parser.add_argument("--years", type=int, default=10, help="years of daily filings for each firm")
    args = harness.parse(
        parser,
        {
            "small": {"requests": 60, "firms": 5, "years": 2},
            "medium": {"requests": 200, "firms": 20, "years": 5},
            "large": {"requests": 600, "firms": 60, "years": 10},
        },
    )
    DATA.mkdir(parents=True, exist_ok=True)
    db = DATA / f"web-load-{args.firms}x{args.years}.sqlite"
    began = time.perf_counter()
    firms = build(db, args.firms, args.years)
    print(f"store: {len(firms)} firms in {db} ({db.stat().st_size / 1e6:.0f} MB), ready in {time.perf_counter() - began:.1f} s")
    running = start_server(DATA, f"sqlite:///{db}", extra_env={"DAILYSEG_TOKEN": ""})
    server, base = running.process, running.url
    medians: dict[tuple[int, str], float] = {}
    try:
        rng = random.Random(1)
        for run, concurrency in enumerate(args.concurrency):
            past = END.toordinal() + 1 + run * args.requests
            kinds = {
                "baseline /api/health": ["/api/health"] * args.requests,
                "firm page": [f"/firms/{rng.choice(firms)}" for _ in range(args.requests)],
                "chart data, uncached": [
                    f"/api/firms/{rng.choice(firms)}/chart?to={date.fromordinal(past + i).isoformat()}" for i in range(args.requests)
                ],
                "chart data, cached": [f"/api/firms/{rng.choice(firms)}/chart" for _ in range(args.requests)],
            }
            print(f"concurrency {concurrency}, load {Path('/proc/loadavg').read_text().split()[0]}")
            for name, paths in kinds.items():
                if name == "chart data, cached":  # every firm asked once first (untimed), so all are kept
                    asyncio.run(load(base, [f"/api/firms/{firm}/chart" for firm in firms], concurrency))
                started = time.perf_counter()
                timings = asyncio.run(load(base, paths, concurrency))
                medians[concurrency, name] = report(name, timings, time.perf_counter() - started)
        peak = peak_memory_mb(server.pid)
        print(f"server peak memory: {peak:.0f} MB")
        harness.record(
            *(
                harness.Figure(f"{name} p50, {c} at a time", ms, medians[c, "baseline /api/health"], "ms", "/api/health p50", peak_mib=peak)
                for (c, name), ms in medians.items()
                if name != "baseline /api/health"
            )
        )
    finally:
        stop_server(running)


if __name__ == "__main__":
    main()
