"""Web load benchmark: firm pages, chart data and the overview over years of daily filings (by default 60 firms x 10 years).

Run by hand (not by the tests): `.venv/bin/python benchmarks/web_load.py [--requests 600] [--concurrency 1 4] [--firms 60 --years 10]
[--workers N] [--client wrk|httpx] [--only "firm page" ...]`.
Builds (once) a SQLite store under benchmarks/data/, copies it (the run stores filings), starts `dailyseg serve`
on a free port of 127.0.0.1, then sends a bounded number of requests at each concurrency and reports latency
percentiles and errors for each kind of request, next to /api/health as the plain baseline (the server's
floor), and the server's memory (summed over its processes).

The requests are sent by `wrk` (a load tool in C, `apt-get install wrk`) when it is on PATH, else by an async
Python client (`--client httpx`), which shares the cores with the server and itself takes a good part of them:
at 16 at once on two cores, its /api/health baseline was p95 120-170 ms. Each of wrk's connections has a thread
of its own that sends its share of the kind's paths (`web_load.lua`: every path once, so the uncached kinds
never ask one twice) and then stops; wrk reports the percentiles and the errors (status 400 or more, or no answer).

The server keeps answers until a filing is stored (those about one firm until that firm's filing is). So:

* "chart data, uncached" asks each firm's whole history with a different `to` date past the last filing
  every time: the same answer as the plain request, but never found in that cache;
* "overview, uncached" asks /api/overview as of a different business day every time: every firm's status
  and feed are judged again;
* "... after a filing" first stores an amendment of each firm's latest day (untimed, one after the other), then
  asks the pages at once: the case of a live store, where only what those filings change should be made again.
  "right away" asks as soon as the filings are stored (racing the server's judging of them in the background);
  "once judged" waits until the server has kept each firm's new answers in the store (at most a minute), what
  a visitor a little later meets.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from itertools import count
from pathlib import Path

import httpx
from sqlalchemy import select

import harness
from dailyseg.calendar import business_days
from dailyseg.store import Store
from dailyseg.store.answers import revision_text
from dailyseg.store.synthetic import daily_filing, series
from dailyseg.store.tables import firm_answers

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the server the web tests start
from tests.web.support import start_server, stop_server

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
END = date(2024, 12, 31)
JUDGED_WITHIN_S = 60.0


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

    def judged(self, firms: list[int]) -> bool:
        """Wait (at most JUDGED_WITHIN_S) until the server keeps each firm's status at its new revision; whether it did."""
        ids = {self._store.require(firm_name(firm)) for firm in firms}
        deadline = time.monotonic() + JUDGED_WITHIN_S
        c = firm_answers.c
        while time.monotonic() < deadline:
            with self._store.engine.connect() as conn:
                kept = {(str(f), str(r)) for f, r in conn.execute(select(c.firm_id, c.revision).where(c.kind == "status"))}
            if all((firm, revision_text(self._store.firm_revision(firm))) in kept for firm in ids):
                return True
            time.sleep(0.1)
        return False

    def close(self) -> None:
        self._store.close()


@dataclass(frozen=True)
class Kind:
    """The paths of one kind of request and, for the "after a filing" kinds, the firms whose filing is stored
    first (untimed), and whether to wait until the server has judged them."""

    paths: list[str]
    amend: list[int] = field(default_factory=list)
    once_judged: bool = False


@dataclass(frozen=True)
class Outcome:
    """Latency percentiles (p50, p95, p99, max) in milliseconds, the requests answered and how many failed."""

    cuts: tuple[float, float, float, float]
    answered: int
    errors: int


async def with_httpx(base: str, paths: list[str], concurrency: int) -> Outcome:
    """Each path once, `concurrency` at a time, from this process; failed: no answer, or not 200."""
    timings: list[float] = []
    errors = 0
    queue: asyncio.Queue[str] = asyncio.Queue()
    for path in paths:
        queue.put_nowait(path)
    async with httpx.AsyncClient(base_url=base, timeout=300) as client:

        async def worker() -> None:
            nonlocal errors
            while not queue.empty():
                path = queue.get_nowait()
                began = time.perf_counter()
                try:
                    failed = (await client.get(path)).status_code != 200
                except httpx.HTTPError:
                    failed = True
                timings.append((time.perf_counter() - began) * 1000)
                errors += failed

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    cuts = statistics.quantiles(timings, n=100, method="inclusive") if len(timings) > 1 else [timings[0]] * 99
    return Outcome((cuts[49], cuts[94], cuts[98], max(timings)), len(timings), errors)


def with_wrk(base: str, paths: list[str], concurrency: int) -> Outcome:
    """Each path once, by `wrk` with `concurrency` connections (a thread each, `web_load.lua`). wrk runs for its
    `-d` whatever its threads do, so it is interrupted (SIGINT: it then reports) once every thread said it is done."""
    connections = min(concurrency, len(paths))
    with tempfile.NamedTemporaryFile("w", suffix=".paths") as listed:
        listed.write("".join(f"{path}\n" for path in paths))
        listed.flush()
        command = ["wrk", "-t", str(connections), "-c", str(connections), "-d", "3600s", "--timeout", "300s"]
        command += ["-s", str(HERE / "web_load.lua"), base, "--", listed.name, str(connections)]
        with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as wrk:
            assert wrk.stdout is not None
            printed, done = [], 0
            for line in wrk.stdout:
                printed.append(line)
                done += line.startswith("THREAD DONE")
                if done == connections:
                    wrk.send_signal(signal.SIGINT)
                    done = -1  # said once
    found = re.search(r"^RESULT (.*)$", "".join(printed), re.MULTILINE)
    if found is None:
        raise RuntimeError(f"wrk printed no result: {''.join(printed)}")
    answered, p50, p95, p99, most, failed, refused = found.group(1).split()
    return Outcome((float(p50), float(p95), float(p99), float(most)), int(answered), int(failed) + int(refused))


def report(name: str, outcome: Outcome, seconds: float, cpu_s: float) -> float:
    """Print the latencies' spread, the errors and the server's CPU time (its processes'); return the median."""
    p50, p95, p99, most = outcome.cuts
    spread = f"p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  p99 {p99:7.1f} ms  max {most:7.1f} ms"
    rate = f"{outcome.answered / seconds:6.1f} req/s"
    print(f"{name:<37} n={outcome.answered:>4}  {spread}  {rate}  errors {outcome.errors}  server CPU {cpu_s:5.1f} s")
    return p50


def kinds(firms: list[str], requests: int, cold: int, run: int, rng: random.Random) -> dict[str, Kind]:
    """The requests of each kind for one concurrency (run: its place, so that no uncached answer is asked twice)."""
    past = END.toordinal() + 1 + run * requests
    # Business days from the last one back, a different stretch for each run; an overview as of each is new.
    days = business_days(date.fromordinal(END.toordinal() - 7 * cold * (run + 1)), END)[::-1][run * cold : (run + 1) * cold]
    amended = [rng.sample(range(len(firms)), min(cold, len(firms))) for _ in range(3)]
    return {
        "baseline /api/health": Kind(["/api/health"] * requests),
        "firm page": Kind([f"/firms/{rng.choice(firms)}" for _ in range(requests)]),
        "chart data, uncached": Kind(
            [f"/api/firms/{rng.choice(firms)}/chart?to={date.fromordinal(past + i).isoformat()}" for i in range(requests)]
        ),
        "chart data, cached": Kind([f"/api/firms/{rng.choice(firms)}/chart" for _ in range(requests)]),
        "overview page, cached": Kind(["/overview"] * requests),
        "/api/overview, cached": Kind(["/api/overview"] * requests),
        "overview, uncached": Kind([f"/api/overview?as_of={day.isoformat()}" for day in days]),
        "firm page after a filing, right away": Kind([f"/firms/{firms[i]}" for i in amended[0]], amended[0]),
        "firm page after a filing, once judged": Kind([f"/firms/{firms[i]}" for i in amended[1]], amended[1], once_judged=True),
        "overview after a filing": Kind(["/overview"] * len(amended[2]), amended[2]),
    }


# The untimed requests before a kind, so that what it measures is kept: every firm's chart, the overview.
WARM = {
    "chart data, cached": lambda firms: [f"/api/firms/{firm}/chart" for firm in firms],
    "overview page, cached": lambda firms: ["/overview"],
    "/api/overview, cached": lambda firms: ["/api/overview"],
}
Send = Callable[[str, list[str], int], Outcome]
CLIENTS: dict[str, Send] = {"wrk": with_wrk, "httpx": lambda base, paths, c: asyncio.run(with_httpx(base, paths, c))}


def prepare(kind: Kind, amend: Amender) -> None:
    """The kind's filings stored, and judged by the server if the kind asks it (untimed)."""
    for firm in kind.amend:
        amend(firm)
    if kind.once_judged and not amend.judged(kind.amend):
        print(f"  (the server had not judged the filings' firms {JUDGED_WITHIN_S:.0f} s later: asked all the same)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=600, help="requests per kind of page")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--firms", type=int, default=60, help="firms in the store")
    parser.add_argument("--years", type=int, default=10, help="years of daily filings for each firm")
    parser.add_argument("--cold-requests", type=int, default=32, help="requests per kind that makes every firm's status again")
    parser.add_argument("--workers", type=int, default=None, help="server processes (`dailyseg serve --workers`; default one per core)")
    parser.add_argument("--only", nargs="+", default=None, metavar="KIND", help="measure only the kinds whose name starts so")
    parser.add_argument(
        "--client", choices=sorted(CLIENTS), default="wrk" if shutil.which("wrk") else "httpx", help="what sends the requests"
    )
    args = harness.parse(
        parser,
        {
            "small": {"requests": 60, "firms": 5, "years": 2, "cold_requests": 16},
            "medium": {"requests": 200, "firms": 20, "years": 5, "cold_requests": 32},
            "large": {"requests": 600, "firms": 60, "years": 10, "cold_requests": 32},
        },
    )
    if args.client == "wrk" and shutil.which("wrk") is None:
        parser.error("--client wrk: wrk is not on PATH (apt-get install wrk), or use --client httpx")
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
        send = CLIENTS[args.client]
        for run, concurrency in enumerate(args.concurrency):
            print(f"concurrency {concurrency}, client {args.client}, load {' '.join(Path('/proc/loadavg').read_text().split()[:3])}")
            for name, kind in kinds(firms, args.requests, args.cold_requests, run, rng).items():
                if args.only and not name.startswith("baseline") and not any(name.startswith(only) for only in args.only):
                    continue
                if name in WARM:
                    send(base, WARM[name](firms), concurrency)
                prepare(kind, amend)
                started, used = time.perf_counter(), cpu_seconds(server.pid)
                outcome = send(base, kind.paths, concurrency)
                medians[concurrency, name] = report(name, outcome, time.perf_counter() - started, cpu_seconds(server.pid) - used)
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
