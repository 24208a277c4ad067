"""Web load benchmark: firm pages, chart data and the overview over years of daily filings (by default 60 firms x 10 years).

Run by hand (not by the tests): `.venv/bin/python benchmarks/web_load.py [--requests 600] [--concurrency 1 4] [--firms 60 --years 10]
[--workers N] [--only "firm page" ...]`.
Builds (once) a SQLite store under benchmarks/data/, copies it (the run stores filings), starts `dailyseg serve`
on a free port of 127.0.0.1, then sends a bounded number of requests with an async HTTP client at each
concurrency and reports latency percentiles and errors for each kind of request, next to /api/health as the
plain baseline (the server's floor), and the server's memory (summed over its processes).

The server keeps answers until a filing is stored (those about one firm until that firm's filing is). So:

* "chart data, uncached" asks each firm's whole history with a different `to` date past the last filing
  every time: the same answer as the plain request, but never found in that cache;
* "overview, uncached" asks /api/overview as of a different business day every time: every firm's status
  and feed are judged again;
* "... after a filing" first stores an amendment of a firm's latest day (untimed), then asks the page:
  the case of a live store, where only what that filing changes should be made again.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import count
from pathlib import Path

import httpx

import harness
from dailyseg.calendar import business_days
from dailyseg.store import Store
from dailyseg.store.synthetic import daily_filing, series

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the server the web tests start
from tests.web.support import start_server, stop_server

DATA = Path(__file__).resolve().parent / "data"
END = date(2024, 12, 31)


def firm_name(i: int) -> str:
    return f"Benchmark Futures {i:02d} LLC"


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
            filings = list(series(firm_name(i), date(END.year - years + 1, 1, 1), END, seed=i))
            for chunk in range(0, len(filings), 1000):
                store.ingest_filings(filings[chunk : chunk + 1000], source=f"bench-{i}")
            count += len(filings)
            print(f"  firm {i + 1}/{firms}: {count} filings, {count / (time.perf_counter() - began):.0f}/s", file=sys.stderr)
        return store.firm_ids()


def descendants(pid: int) -> list[int]:
    """The process and every process under it: the server processes (`--workers`), their document workers."""
    found, waiting = [], [pid]
    while waiting:
        current = waiting.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            waiting += [int(child) for child in task.read_text().split()]
    return found


def memory_mb(pid: int, field: str) -> float:
    """The server's resident memory now (VmRSS) or at its peak (VmHWM), in MiB: the sum over its processes
    (a peak summed over processes is at most the peak of the sum)."""
    total = 0
    for each in descendants(pid):
        try:
            lines = Path(f"/proc/{each}/status").read_text().splitlines()
        except FileNotFoundError:  # ended meanwhile
            continue
        total += next((int(line.split()[1]) for line in lines if line.startswith(f"{field}:")), 0)
    return total / 1024


def cpu_seconds(pid: int) -> float:
    """CPU time (user and system) used so far by the server's processes, summed."""
    ticks = 0
    for each in descendants(pid):
        try:
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:  # ended meanwhile
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime: the stat line's 14th and 15th fields
    return ticks / os.sysconf("SC_CLK_TCK")


def settle(pid: int, busy: float = 0.05, within: float = 60.0) -> None:
    """Wait (at most `within` seconds) until the server's processes use less than `busy` of a core over half a
    second: a server just started still forks its processes and warms their document workers, and the first
    kind measured (the /api/health baseline) would pay for it."""
    deadline = time.monotonic() + within
    used = cpu_seconds(pid)
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = cpu_seconds(pid)
        if now - used < busy * 0.5:
            return
        used = now


def copied(built: Path) -> Path:
    """A copy of the built store to run on, so the filings the run stores never reach the next run's store."""
    run = built.with_name("web-load-run.sqlite")
    for leftover in (run, run.with_name(run.name + "-wal"), run.with_name(run.name + "-shm")):
        leftover.unlink(missing_ok=True)
    with sqlite3.connect(built) as source, sqlite3.connect(run) as target:
        source.backup(target)
    return run


class Amender:
    """Stores an amendment of a firm's latest day (END), each with new figures, as a live feed would."""

    def __init__(self, url: str) -> None:
        self._store = Store.open(url)
        self._next = count(1)

    def __call__(self, firm: int) -> None:
        cents = Decimal(next(self._next)) / 100
        amended = daily_filing(firm_name(firm), END, requirement=Decimal(50_000_000), funds=Decimal(60_000_000) + cents, status="AMENDED")
        self._store.ingest_filing(amended, source="bench-amendment")

    def close(self) -> None:
        self._store.close()


@dataclass(frozen=True)
class Request:
    """A path to ask and, for the "after a filing" kinds, the firm whose filing is stored first (untimed)."""

    path: str
    amend: int | None = None


@dataclass(frozen=True)
class Outcome:
    timings: list[float]
    errors: int


async def load(base: str, requests: list[Request], concurrency: int, amend: Callable[[int], None]) -> Outcome:
    """Each request once, `concurrency` at a time; latencies in milliseconds, and how many failed (not 200)."""
    timings: list[float] = []
    errors = 0
    queue: asyncio.Queue[Request] = asyncio.Queue()
    for request in requests:
        queue.put_nowait(request)
    async with httpx.AsyncClient(base_url=base, timeout=300) as client:

        async def worker() -> None:
            nonlocal errors
            while not queue.empty():
                request = queue.get_nowait()
                if request.amend is not None:
                    await asyncio.to_thread(amend, request.amend)
                began = time.perf_counter()
                try:
                    answer = await client.get(request.path)
                    failed = answer.status_code != 200
                except httpx.HTTPError:
                    failed = True
                timings.append((time.perf_counter() - began) * 1000)
                errors += failed

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return Outcome(timings, errors)


def report(name: str, outcome: Outcome, seconds: float) -> float:
    """Print the latencies' spread and the errors; return the median."""
    timings = outcome.timings
    cuts = statistics.quantiles(timings, n=100) if len(timings) > 1 else [timings[0]] * 99
    spread = f"p50 {cuts[49]:7.1f} ms  p95 {cuts[94]:7.1f} ms  p99 {cuts[98]:7.1f} ms  max {max(timings):7.1f} ms"
    print(f"{name:<26} n={len(timings):>4}  {spread}  {len(timings) / seconds:6.1f} req/s  errors {outcome.errors}")
    return cuts[49]


def kinds(firms: list[str], requests: int, cold: int, run: int, rng: random.Random) -> dict[str, list[Request]]:
    """The requests of each kind for one concurrency (run: its place, so that no uncached answer is asked twice)."""
    past = END.toordinal() + 1 + run * requests
    # Business days from the last one back, a different stretch for each run; an overview as of each is new.
    days = business_days(date.fromordinal(END.toordinal() - 7 * cold * (run + 1)), END)[::-1][run * cold : (run + 1) * cold]
    return {
        "baseline /api/health": [Request("/api/health")] * requests,
        "firm page": [Request(f"/firms/{rng.choice(firms)}") for _ in range(requests)],
        "chart data, uncached": [
            Request(f"/api/firms/{rng.choice(firms)}/chart?to={date.fromordinal(past + i).isoformat()}") for i in range(requests)
        ],
        "chart data, cached": [Request(f"/api/firms/{rng.choice(firms)}/chart") for _ in range(requests)],
        "overview page, cached": [Request("/overview")] * requests,
        "/api/overview, cached": [Request("/api/overview")] * requests,
        "overview, uncached": [Request(f"/api/overview?as_of={day.isoformat()}") for day in days],
        "firm page after a filing": [Request(f"/firms/{firms[i]}", i) for i in (rng.randrange(len(firms)) for _ in range(cold))],
        "overview after a filing": [Request("/overview", rng.randrange(len(firms))) for _ in range(cold)],
    }


# The untimed requests before a kind, so that what it measures is kept: every firm's chart, the overview.
WARM = {
    "chart data, cached": lambda firms: [Request(f"/api/firms/{firm}/chart") for firm in firms],
    "overview page, cached": lambda firms: [Request("/overview")],
    "/api/overview, cached": lambda firms: [Request("/api/overview")],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=600, help="requests per kind of page")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--firms", type=int, default=60, help="firms in the store")
    parser.add_argument("--years", type=int, default=10, help="years of daily filings for each firm")
    parser.add_argument("--cold-requests", type=int, default=32, help="requests per kind that makes every firm's status again")
    parser.add_argument("--workers", type=int, default=None, help="server processes (`dailyseg serve --workers`; default one per core)")
    parser.add_argument("--only", nargs="+", default=None, metavar="KIND", help="measure only the kinds whose name starts so")
    args = harness.parse(
        parser,
        {
            "small": {"requests": 60, "firms": 5, "years": 2, "cold_requests": 16},
            "medium": {"requests": 200, "firms": 20, "years": 5, "cold_requests": 32},
            "large": {"requests": 600, "firms": 60, "years": 10, "cold_requests": 32},
        },
    )
    DATA.mkdir(parents=True, exist_ok=True)
    built = DATA / f"web-load-{args.firms}x{args.years}.sqlite"
    began = time.perf_counter()
    firms = build(built, args.firms, args.years)
    db = copied(built)
    print(f"store: {len(firms)} firms in {db} ({db.stat().st_size / 1e6:.0f} MB), ready in {time.perf_counter() - began:.1f} s")
    running = start_server(DATA, f"sqlite:///{db}", extra_env={"DAILYSEG_TOKEN": ""}, workers=args.workers)
    server, base = running.process, running.url
    settle(server.pid)
    amend = Amender(f"sqlite:///{db}")
    medians: dict[tuple[int, str], float] = {}
    try:
        rng = random.Random(1)
        for run, concurrency in enumerate(args.concurrency):
            print(f"concurrency {concurrency}, load {Path('/proc/loadavg').read_text().split()[0]}")
            for name, requests in kinds(firms, args.requests, args.cold_requests, run, rng).items():
                if args.only and not name.startswith("baseline") and not any(name.startswith(kind) for kind in args.only):
                    continue
                if name in WARM:
                    asyncio.run(load(base, WARM[name](firms), concurrency, amend))
                started = time.perf_counter()
                outcome = asyncio.run(load(base, requests, concurrency, amend))
                medians[concurrency, name] = report(name, outcome, time.perf_counter() - started)
            print(f"server memory: {memory_mb(server.pid, 'VmRSS'):.0f} MB now, {memory_mb(server.pid, 'VmHWM'):.0f} MB at peak")
        peak = memory_mb(server.pid, "VmHWM")
        harness.record(
            *(
                harness.Figure(f"{name} p50, {c} at a time", ms, medians[c, "baseline /api/health"], "ms", "/api/health p50", peak_mib=peak)
                for (c, name), ms in medians.items()
                if name != "baseline /api/health"
            )
        )
    finally:
        amend.close()
        stop_server(running)


if __name__ == "__main__":
    main()
