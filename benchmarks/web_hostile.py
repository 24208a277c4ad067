"""Hostile load: normal page and API requests while other clients post the slowest documents the reader knows.

Run by hand (not by the tests): `.venv/bin/python benchmarks/web_hostile.py [--seconds 30] [--clients 4] [--hostile 4]`.

Starts `dailyseg serve` on a free port of 127.0.0.1 over a small seeded store (the web tests' three firms),
then runs two phases of the same length in the same run:

1. baseline: `--clients` clients asking pages and API answers (firms, a firm, its chart data and filings, a
   filing, the upload form) one after the other, and one more connection asking `/api/health` every 50 ms;
2. hostile: the same, plus `--hostile` clients posting slow documents (tests/web/hostile.py: PDFs of 6 and
   40 filings rendered by dailyseg, about 2 s and 10 s to read; the sample 1,000 times over, 8 MB; a line
   per unreadable code, 2 MB; a 180 KB line of unread codes, once quadratic) to `POST /api/validate` and
   `POST /upload`, half of them with the write token (not rate-limited), half without (limited per
   address: 429).

Health calls go on a new connection each (see tests/web/test_heavy_requests.py: on a kept-alive connection
`dailyseg serve` answers about 40 ms late, for want of TCP_NODELAY); the other clients keep theirs.
It reports, per phase, the normal requests' and the health calls' p50 / p95 / max latency and errors, the
hostile requests' statuses, and the server's peak resident memory (VmHWM of the server process, and the
largest of its worker processes', sampled every 0.2 s). To measure another tree (before a change), run
with `PYTHONPATH=/path/to/that/tree/src`: the server process imports dailyseg from there.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import httpx

import harness

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the documents and the seeded store are the web tests'

from tests.web.hostile import distinct_bad_codes, many_filings, rendered_pdf, unread_codes  # noqa: E402
from tests.web.support import WRITE_TOKEN, seed, start_server, stop_server  # noqa: E402

from dailyseg.store import Store  # noqa: E402

HEALTH_EVERY_S = 0.05
DATA = ROOT / "benchmarks" / "data"


def pdf_of(copies: int) -> bytes:
    """A PDF of `copies` filings, rendered once and kept under benchmarks/data (rendering takes about 1 s a filing)."""
    path = DATA / f"hostile-{copies}.pdf"
    if not path.exists():
        DATA.mkdir(parents=True, exist_ok=True)
        path.write_bytes(rendered_pdf(copies))
    return path.read_bytes()


def _status(pid: int, field: str) -> int:
    """A field of /proc/PID/status in kB (0 when the process is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


class MemoryWatch:
    """Samples the server's descendants (fork server, workers) for the largest peak resident set of any of them."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.worker_peak_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            for child in _descendants(self.pid):
                self.worker_peak_kb = max(self.worker_peak_kb, _status(child, "VmHWM"))

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def spread(timings: list[float]) -> str:
    if len(timings) < 2:
        return f"n={len(timings)}"
    cuts = statistics.quantiles(timings, n=100, method="inclusive")
    return f"n={len(timings):>5}  p50 {cuts[49]:8.1f} ms  p95 {cuts[94]:8.1f} ms  max {max(timings):8.1f} ms"


async def health_once(host: str, port: int) -> int:
    """One `GET /api/health` on a new connection; its status."""
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(b"GET /api/health HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n")
        await writer.drain()
        answer = await reader.read()
    finally:
        writer.close()
    return int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/") else 0


async def health(base: str, until: float, timings: list[float], errors: Counter[str]) -> None:
    host, port = base.removeprefix("http://").rsplit(":", 1)
    while time.monotonic() < until:
        began = time.perf_counter()
        try:
            status = await asyncio.wait_for(health_once(host, int(port)), 120)
            if status != 200:
                errors[f"health {status}"] += 1
        except (OSError, TimeoutError) as error:
            errors[f"health {type(error).__name__}"] += 1
        timings.append((time.perf_counter() - began) * 1000)
        await asyncio.sleep(HEALTH_EVERY_S)


async def normal(base: str, paths: list[str], until: float, timings: list[float], errors: Counter[str], seed: int) -> None:
    rng = random.Random(seed)
    async with httpx.AsyncClient(base_url=base, timeout=120) as client:
        while time.monotonic() < until:
            path = rng.choice(paths)
            began = time.perf_counter()
            try:
                answer = await client.get(path)
                if answer.status_code != 200:
                    errors[f"{path} {answer.status_code}"] += 1
            except httpx.HTTPError as error:
                errors[f"{path} {type(error).__name__}"] += 1
            timings.append((time.perf_counter() - began) * 1000)


async def hostile(base: str, documents: dict[str, bytes], until: float, statuses: Counter[str], with_token: bool, seed: int) -> None:
    rng = random.Random(seed)
    headers = {"Authorization": f"Bearer {WRITE_TOKEN}"} if with_token else {}
    who = "token" if with_token else "anonymous"
    async with httpx.AsyncClient(base_url=base, timeout=120, headers=headers) as client:
        form = await client.get("/upload")
        match = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
        csrf = match.group(1) if match else ""
        while time.monotonic() < until:
            name = rng.choice(sorted(documents))
            try:
                if rng.random() < 0.5:
                    answer = await client.post("/api/validate", files={"file": (name, documents[name])})
                    where = "validate"
                else:
                    data = {"csrf_token": csrf, "token": WRITE_TOKEN if with_token else ""}
                    answer = await client.post("/upload", data=data, files={"file": (name, documents[name])})
                    where = "upload"
                statuses[f"{who} {where} {name}: {answer.status_code}"] += 1
                if answer.status_code in (429, 503):
                    await asyncio.sleep(min(5.0, float(answer.headers.get("retry-after", "1"))))
            except httpx.HTTPError as error:
                statuses[f"{who} {name}: {type(error).__name__}"] += 1


async def phase(base: str, paths: list[str], documents: dict[str, bytes] | None, seconds: float, clients: int, hostiles: int) -> float:
    """Run one phase and print what it saw; return the normal requests' median latency in ms."""
    until = time.monotonic() + seconds
    normal_t: list[float] = []
    health_t: list[float] = []
    errors: Counter[str] = Counter()
    statuses: Counter[str] = Counter()
    tasks = [health(base, until, health_t, errors)]
    tasks += [normal(base, paths, until, normal_t, errors, i) for i in range(clients)]
    if documents is not None:
        tasks += [hostile(base, documents, until, statuses, with_token=i % 2 == 0, seed=i) for i in range(hostiles)]
    began = time.perf_counter()
    await asyncio.gather(*tasks)
    took = time.perf_counter() - began
    print(f"  normal requests  {spread(normal_t)}  ({len(normal_t) / took:.1f} req/s)")
    print(f"  /api/health      {spread(health_t)}")
    print(f"  errors: {dict(errors) or 'none'}")
    for key, count in sorted(statuses.items()):
        print(f"  hostile {key} x{count}")
    print(f"  phase took {took:.1f} s (the last requests end after the phase's {seconds:.0f} s)")
    return statistics.median(normal_t) if normal_t else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=30, help="length of each phase")
    parser.add_argument("--clients", type=int, default=4, help="clients doing normal requests")
    parser.add_argument("--hostile", type=int, default=4, help="clients posting slow documents")
    args = harness.parse(parser, {"small": {"seconds": 5.0}, "medium": {"seconds": 15.0}, "large": {"seconds": 30.0}})
    tmp = Path(tempfile.mkdtemp(prefix="dailyseg-hostile-"))
    url = f"sqlite:///{tmp / 'store.sqlite'}"
    with Store.open(url) as store:
        seed(store)
        filing_id = store.filings("alpha-futures")[0].id
    paths = [
        "/",
        "/firms/alpha-futures",
        "/api/firms",
        "/api/firms/alpha-futures/chart",
        "/api/firms/alpha-futures/filings?record_only=true",
        f"/filings/{filing_id}",
        "/upload",
    ]
    documents = {
        "filings-6.pdf": pdf_of(6),
        "filings-40.pdf": pdf_of(40),
        "many-filings-8m.txt": many_filings(8_000_000),
        "distinct-bad-codes-2m.txt": distinct_bad_codes(2_000_000),
        "unread-codes-180k.txt": unread_codes(180_000),
    }
    running = start_server(tmp, url, max_upload=16 * 1024 * 1024)
    server, base = running.process, running.url
    try:
        time.sleep(5)  # the worker processes start in the background: let them, so that both phases see them
        memory = MemoryWatch(server.pid)
        sizes = ", ".join(f"{name} {len(content):,} B" for name, content in documents.items())
        print(f"load {Path('/proc/loadavg').read_text().split()[0]}, documents: {sizes}")
        print(f"baseline: {args.clients} clients, no slow documents, {args.seconds:.0f} s")
        calm = asyncio.run(phase(base, paths, None, args.seconds, args.clients, 0))
        calm_peak = _status(server.pid, "VmHWM") / 1024
        print(f"  server peak memory {calm_peak:.0f} MB, largest worker {memory.worker_peak_kb / 1024:.0f} MB")
        print(f"hostile: {args.clients} clients and {args.hostile} posting slow documents, {args.seconds:.0f} s")
        stormy = asyncio.run(phase(base, paths, documents, args.seconds, args.clients, args.hostile))
        memory.stop()
        peak = _status(server.pid, "VmHWM") / 1024
        print(f"  server peak memory {peak:.0f} MB, largest worker {memory.worker_peak_kb / 1024:.0f} MB")
        harness.record(
            harness.Figure("normal requests p50 under hostile uploads", stormy, calm, "ms", "the same without them", True, peak, calm_peak)
        )
        print(f"load {Path('/proc/loadavg').read_text().split()[0]}")
    finally:
        stop_server(running, timeout=30)


if __name__ == "__main__":
    main()
