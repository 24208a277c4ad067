"""One request cannot stop the others: heavy work off the event loop, bounded in number, time and memory.

The first test runs `dailyseg serve` for real on 127.0.0.1 and posts the slowest documents the reader knows
(tests/web/hostile.py), several at once, while another connection asks `/api/health` every 20 ms: every
health call must answer within 100 ms. The others check each limit in process: the deadline (504, and the
worker is replaced), the queue (503 with Retry-After), anonymous uploads per address (429 with
Retry-After), a worker's memory (413).
"""

from __future__ import annotations

import asyncio
import http.client
import multiprocessing
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Coroutine, Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from fastapi import HTTPException
from fastapi.testclient import TestClient

from dailyseg.web import Settings, create_app
from dailyseg.web.work import HeavyWork, Job
from tests.web.hostile import many_filings, post_all, rendered_pdf, slow_documents
from tests.web.support import WRITE_TOKEN, start_server, stop_server

pytestmark = pytest.mark.slow  # worker processes started and stopped: runs in the full suite, not in the fast tier

T = TypeVar("T")

AUTH = {"Authorization": f"Bearer {WRITE_TOKEN}"}
HEALTH_BOUND_MS = 100.0


def health(base: str) -> float:
    """One `GET /api/health` on a connection of its own, in milliseconds (it must answer 200).

    A new connection each time: on a kept-alive one, a server whose sockets lack TCP_NODELAY answers every
    request about 40 ms late (its headers and body go out as two segments, the second held until the client's
    delayed ACK of the first), which would measure TCP, not the server. See the report on `dailyseg serve`.
    """
    host, port = base.removeprefix("http://").rsplit(":", 1)
    began = time.perf_counter()
    connection = http.client.HTTPConnection(host, int(port), timeout=60)
    try:
        connection.request("GET", "/api/health")
        answer = connection.getresponse()
        answer.read()
        assert answer.status == 200
    finally:
        connection.close()
    return (time.perf_counter() - began) * 1000


@pytest.fixture
def own_server(tmp_path: Path) -> Iterator[str]:
    """A server of this test's own (its rate limits and workers are not shared with the browser tests)."""
    running = start_server(tmp_path, f"sqlite:///{tmp_path / 'store.sqlite'}")
    try:
        yield running.url
    finally:
        stop_server(running)


@pytest.mark.slow
def test_health_answers_within_100_ms_while_slow_documents_are_read(own_server: str, sample: bytes) -> None:
    documents = slow_documents(190_000)  # the test server takes documents of at most 200,000 bytes
    with httpx.Client(base_url=own_server, timeout=60) as browser:
        form = browser.get("/upload").text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', form)
        assert csrf is not None
        cookies = dict(browser.cookies)
        # The first upload imports the form parser and the templates: a one-time cost, not this test's subject.
        assert browser.post("/upload", data={"csrf_token": csrf.group(1)}, files={"file": ("citi.txt", sample)}).status_code == 200
        assert browser.post("/api/validate", files={"file": ("citi.txt", sample)}).status_code == 200
    timings: list[float] = []
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as senders:
        health(own_server)
        began = time.monotonic()
        sent = senders.submit(post_all, own_server, documents, "many-filings.txt", csrf.group(1), cookies)
        while not sent.done():
            timings.append(health(own_server))
            time.sleep(0.02)
        took = time.monotonic() - began
        statuses = sent.result()
    assert statuses == {key: 200 for key in statuses} and len(statuses) == len(documents) + 1
    assert took > 1, "the documents were read too fast to tell anything"
    slowest = [round(t, 1) for t in sorted(timings)[-5:]]
    assert max(timings) < HEALTH_BOUND_MS, f"{len(timings)} health calls over {took:.1f} s, slowest {slowest} ms"


def heavy_client(tmp_path: Path, **limits: object) -> TestClient:
    settings = Settings(db_url=f"sqlite:///{tmp_path / 'store.sqlite'}", write_token=WRITE_TOKEN, max_upload_bytes=4_000_000, **limits)  # type: ignore[arg-type]
    return TestClient(create_app(settings))


def test_past_the_deadline_the_client_gets_504_and_the_work_is_stopped(tmp_path: Path, sample: bytes) -> None:
    with heavy_client(tmp_path, heavy_deadline_s=0.5) as client:
        heavy: HeavyWork = client.app.state.heavy  # type: ignore[attr-defined]
        heavy.pool.warm(1)  # the fork server's first start takes seconds, once: not this test's subject
        began = time.monotonic()
        answer = client.post("/api/validate", files={"file": ("slow.pdf", rendered_pdf(6))}, headers=AUTH)  # about 2 s to read
        took = time.monotonic() - began
        assert answer.status_code == 504 and took < 1.5
        assert answer.json()["error"]["message"] == "this request took more than 0.5 s: the work was stopped"
        assert heavy.admitted == 0
        assert client.post("/api/validate", files={"file": ("citi.txt", sample)}, headers=AUTH).json()["ok"] is True


def _run(scenario: Coroutine[Any, Any, T]) -> T:
    """Run a scenario on an event loop of its own, in a thread: in the full suite the browser tests' sync API
    leaves a loop running in the main thread, where `asyncio.run` refuses to start another."""
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, scenario).result()


def test_past_the_queue_the_client_gets_503_with_retry_after() -> None:
    heavy = HeavyWork(Settings(heavy_workers=1, heavy_queue=1, heavy_deadline_s=5, busy_retry_after_s=7))
    release = threading.Event()

    def wait(_: Job) -> str:
        release.wait(5)
        return "done"

    async def scenario() -> list[object]:
        running = [asyncio.ensure_future(heavy.run(wait)) for _ in range(2)]  # one runs, one waits
        await asyncio.sleep(0.1)
        with pytest.raises(HTTPException) as refused:
            await heavy.run(wait)
        assert refused.value.status_code == 503 and refused.value.headers == {"Retry-After": "7"}
        assert heavy.admitted == 2
        release.set()
        return list(await asyncio.gather(*running))

    try:
        assert _run(scenario()) == ["done", "done"]
        time.sleep(0.05)
        assert heavy.admitted == 0
    finally:
        heavy.close()


def test_a_job_that_waited_past_its_deadline_never_runs() -> None:
    heavy = HeavyWork(Settings(heavy_workers=1, heavy_queue=1, heavy_deadline_s=0.3))
    ran: list[str] = []

    def slow(_: Job) -> None:
        time.sleep(1.6)  # past the deadline and the second the event loop grants a thread to report
        ran.append("slow")

    def quick(_: Job) -> None:
        ran.append("quick")

    async def scenario() -> list[object]:
        return list(await asyncio.gather(heavy.run(slow), heavy.run(quick), return_exceptions=True))

    try:
        answers = _run(scenario())
        assert [a.status_code for a in answers if isinstance(a, HTTPException)] == [504, 504]
        assert heavy.admitted == 1  # the running one is still counted until it ends
        time.sleep(0.5)
        assert ran == ["slow"] and heavy.admitted == 0
    finally:
        heavy.close()


def test_anonymous_uploads_are_limited_per_address(tmp_path: Path, sample: bytes) -> None:
    with heavy_client(tmp_path, anonymous_uploads_burst=2, anonymous_uploads_per_minute=1) as client:
        for _ in range(2):
            assert client.post("/api/validate", files={"file": ("citi.txt", sample)}).status_code == 200
        refused = client.post("/api/validate", files={"file": ("citi.txt", sample)})
        assert refused.status_code == 429 and 50 <= int(refused.headers["retry-after"]) <= 60
        assert refused.json()["error"]["message"].startswith("too many uploads from this address without a token")
        assert client.post("/api/validate", files={"file": ("citi.txt", sample)}, headers=AUTH).status_code == 200


def test_a_document_past_a_workers_memory_gets_413(tmp_path: Path, sample: bytes) -> None:
    with heavy_client(tmp_path, worker_memory_bytes=16 * 1024 * 1024) as client:
        answer = client.post("/api/validate", files={"file": ("many.txt", many_filings(3_900_000))}, headers=AUTH)
        assert answer.status_code == 413
        assert answer.json()["error"]["message"] == "this document needs more than 16 MiB to read"
        assert client.post("/api/validate", files={"file": ("citi.txt", sample)}, headers=AUTH).json()["ok"] is True


def test_workers_start_under_a_temp_folder_too_deep_for_a_unix_socket(tmp_path: Path, sample: bytes) -> None:
    """Regression: under a TMPDIR of more than 75 characters every upload failed (`AF_UNIX path too long`).

    A process of its own, since multiprocessing decides its folder once per process.
    """
    deep = tmp_path / "/".join(f"a-temp-folder-name-that-is-long-{n:02d}" for n in range(4))
    deep.mkdir(parents=True)
    document = tmp_path / "citi.txt"
    document.write_bytes(sample)
    script = (
        "import sys, tempfile; from fastapi.testclient import TestClient; from dailyseg.web import Settings, create_app\n"
        "assert len(tempfile.gettempdir()) > 150, tempfile.gettempdir()\n"
        f"app = create_app(Settings(db_url={f'sqlite:///{tmp_path}/store.sqlite'!r}))\n"
        "with TestClient(app) as client:\n"
        f"    answer = client.post('/api/validate', files={{'file': ('citi.txt', open({str(document)!r}, 'rb').read())}})\n"
        "    print(answer.status_code, answer.json()['ok'])\n"
    )
    environment = {**os.environ, "TMPDIR": str(deep)}
    done = subprocess.run([sys.executable, "-c", script], env=environment, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["200", "True"]
    assert not list(deep.iterdir())  # the worker's socket folder was made elsewhere and is gone
