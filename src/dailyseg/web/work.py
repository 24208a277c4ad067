"""Heavy work off the event loop, a few at a time, each within a deadline and (in a worker process) a memory bound.

The event loop only moves bytes; everything that takes CPU in proportion to what a client sent (reading and
validating an uploaded document, rendering a PDF) or to what the operator configured (computing from books)
is a *job*, admitted by `HeavyWork.run`:

- At most `heavy_workers` jobs run at once (one per core by default), each in a thread of a pool of that
  size; `heavy_queue` more may wait. Past that, 503 with `Retry-After` at once: a burst of uploads gets a
  clear answer instead of a growing queue.
- A job's deadline (`heavy_deadline_s`, waiting included) is enforced: past it the client gets 504.
- Documents are read in **worker processes**, not in threads. A thread shares the interpreter lock with the
  event loop, and the reader spends long stretches in single calls into C (one regular-expression search,
  one `str.split` of a long line) that never give the lock back, so a thread would still stall every other
  request; it also cannot be stopped, and its memory is the server's. A worker process runs beside the
  event loop on another core, is killed at the deadline (the work is abandoned, a fresh worker replaces it),
  and may only grow by `worker_memory_bytes` (RLIMIT_DATA), so one document cannot take the server's memory.
  Workers are forked from a fork server that has already imported the readers, validation, templates and
  WeasyPrint, and filled the holiday calendar, so a new worker is ready in milliseconds.
- Computations from books stay in a thread (their cache lives in the server, DuckDB releases the lock while
  it works, and the books are the operator's, not a client's): past the deadline the client gets 504 and the
  computation finishes in the background, still counted as running, so the bound on concurrent work holds.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import resource
import signal
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from multiprocessing import util
from multiprocessing.connection import Connection
from multiprocessing.context import ForkServerContext
from multiprocessing.process import BaseProcess
from typing import Any, TypeVar

from fastapi import HTTPException, Request

from dailyseg.web.settings import Settings

T = TypeVar("T")

# What the fork server imports once, so that each worker forked from it starts warm (see dailyseg.web.warm).
PRELOAD = ["dailyseg.web.warm"]
# Workers run at a lower priority than the server: when the cores are busy, the event loop (and the pages it
# answers) gets the CPU first, and documents take the rest.
WORKER_NICENESS = 10
# A Unix socket's path holds at most 107 bytes (sockaddr_un.sun_path, less its NUL). The fork server listens on
# `<temp folder>/pymp-XXXXXXXX/listener-XXXXXXXX`, 32 bytes past the temp folder's own path.
_SOCKET_PATH_MAX = 107
_SOCKET_PATH_BEYOND_TEMP = len("/pymp-XXXXXXXX/listener-XXXXXXXX")
# Where the fork server's socket goes when the temp folder's path is too long for it (a private folder is made there).
_SHORT_TEMP_FOLDERS = ("/tmp", "/var/tmp", "/dev/shm")
# How long past a job's deadline the event loop waits for its thread to report, before answering 504 itself.
_GRACE_S = 1.0


def busy(settings: Settings) -> HTTPException:
    return HTTPException(
        503,
        f"the server is busy with other documents ({settings.heavy_workers} at a time, {settings.heavy_queue} waiting): "
        f"try again in {settings.busy_retry_after_s} s",
        headers={"Retry-After": str(settings.busy_retry_after_s)},
    )


def overdue(settings: Settings) -> HTTPException:
    return HTTPException(504, f"this request took more than {settings.heavy_deadline_s:g} s: the work was stopped")


def too_much_memory(settings: Settings) -> HTTPException:
    return HTTPException(413, f"this document needs more than {settings.worker_memory_bytes // (1024 * 1024):,} MiB to read")


class WorkerLost(Exception):
    """The worker process ended without an answer (killed from outside, or crashed in a library)."""


class Job:
    """An admitted request's work, as its thread sees it: the deadline, and a way to run a function in a worker."""

    def __init__(self, heavy: HeavyWork, deadline: float) -> None:
        self._heavy = heavy
        self.deadline = deadline

    def in_worker(self, function: Callable[..., T], *args: Any) -> T:
        """`function(*args)` in a worker process, by the job's deadline (a module-level function; picklable arguments)."""
        return self._heavy.pool.call(function, args, self.deadline, self._heavy.settings)


def _data_size() -> int | None:
    """This process's data segment (VmData) in bytes, what RLIMIT_DATA limits; None where /proc is missing."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmData:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def _serve(connection: Connection, memory_bytes: int) -> None:
    """A worker process: say it is ready, then answer `(function, args)` requests until the server goes away.

    The answer is `("ok", value)`, `("memory", None)` (and the worker ends: a process that ran out of memory
    is not trusted again), or `("error", traceback)` for anything else, which is a defect in dailyseg. When
    the pipe breaks (the server stopped, or gave up on this worker) the worker ends quietly.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole process group: the server stops workers itself
    os.nice(WORKER_NICENESS)
    current = _data_size()
    if current is not None:
        resource.setrlimit(resource.RLIMIT_DATA, (current + memory_bytes, resource.RLIM_INFINITY))
    try:
        connection.send(("ready", None))
        while _answer_one(connection):
            pass
    except (EOFError, OSError):
        return


def _answer_one(connection: Connection) -> bool:
    """Answer one request; whether to go on."""
    answer: tuple[str, Any]
    try:
        function, args = connection.recv()
    except MemoryError:  # the document alone is past the bound
        answer = ("memory", None)
    else:
        try:
            answer = ("ok", function(*args))
        except MemoryError:
            answer = ("memory", None)
        except Exception:
            answer = ("error", traceback.format_exc())
    try:
        connection.send(answer)
    except MemoryError:
        answer = ("memory", None)
        connection.send(answer)
    return answer[0] != "memory"


class _Worker:
    def __init__(self, context: ForkServerContext, memory_bytes: int) -> None:
        mine, theirs = context.Pipe()
        self.process: BaseProcess = context.Process(target=_serve, args=(theirs, memory_bytes), daemon=True, name="dailyseg-worker")
        self.process.start()
        theirs.close()
        self.connection = mine
        self.ready = False

    def wait_ready(self, timeout: float) -> bool:
        """Whether the worker has started (it says so once): until then, a document sent would block the sender."""
        if not self.ready and self.connection.poll(timeout):
            self.ready = self.connection.recv()[0] == "ready"
        return self.ready

    def stop(self) -> None:
        self.connection.close()
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)


def _room_for_socket(folder: str) -> bool:
    return len(os.fsencode(folder)) + _SOCKET_PATH_BEYOND_TEMP <= _SOCKET_PATH_MAX


def _fork_server_context() -> ForkServerContext:
    """The fork server's context, its socket's folder chosen so that the server starts whatever TMPDIR is.

    multiprocessing puts the socket in its own folder under the temp folder; under a deep TMPDIR that path is
    past what a Unix socket may have, and every worker would fail to start (`OSError: AF_UNIX path too long`).
    Then multiprocessing's folder (only its folder: everything else keeps TMPDIR) is made in a short one.
    """
    context = multiprocessing.get_context("forkserver")
    assert isinstance(context, ForkServerContext)
    context.set_forkserver_preload(PRELOAD)
    if not _room_for_socket(tempfile.gettempdir()):
        short = next((f for f in _SHORT_TEMP_FOLDERS if os.access(f, os.W_OK | os.X_OK) and _room_for_socket(f)), None)
        if short is None:
            raise RuntimeError(
                f"the temp folder {tempfile.gettempdir()} is too long a path for the worker processes' socket "
                f"(at most {_SOCKET_PATH_MAX - _SOCKET_PATH_BEYOND_TEMP} bytes) and none of "
                f"{', '.join(_SHORT_TEMP_FOLDERS)} is writable: set TMPDIR to a shorter folder"
            )
        _make_multiprocessing_folder_in(short)
    return context


_TEMP_LOCK = threading.Lock()


def _make_multiprocessing_folder_in(folder: str) -> None:
    """multiprocessing keeps one private folder per process, made on first use and removed at exit; make it in `folder`.

    `tempfile.tempdir` is the default folder of every temporary file, so it is changed only for that one call.
    A folder multiprocessing made earlier in this process (by an earlier pool) stays where it is.
    """
    with _TEMP_LOCK:
        saved = tempfile.tempdir
        tempfile.tempdir = folder
        try:
            util.get_temp_dir()
        finally:
            tempfile.tempdir = saved


class WorkerPool:
    """Worker processes, started on first use, `size` kept at most; a worker that fails is replaced."""

    def __init__(self, size: int, memory_bytes: int) -> None:
        self._size = size
        self._memory_bytes = memory_bytes
        self._idle: list[_Worker] = []
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        self._context = _fork_server_context()

    def _take(self) -> _Worker:
        with self._lock:
            if self._closed:
                raise WorkerLost("the server is stopping")
            if self._idle:
                return self._idle.pop()
        worker = _Worker(self._context, self._memory_bytes)
        with self._lock:
            closed = self._closed
            if not closed:
                self._all.add(worker)
        if closed:  # closed while this one started
            worker.stop()
            raise WorkerLost("the server is stopping")
        return worker

    def _give_back(self, worker: _Worker) -> None:
        with self._lock:
            if not self._closed and len(self._idle) < self._size:
                self._idle.append(worker)
                return
        self._drop(worker)

    def _drop(self, worker: _Worker) -> None:
        with self._lock:
            self._all.discard(worker)
        worker.stop()

    def warm(self, count: int) -> None:
        """Start `count` workers ahead of the first document (the fork server's imports take a few seconds once)."""
        workers = []
        try:
            for _ in range(count):
                workers.append(self._take())
        except WorkerLost:  # the server stopped first
            pass
        for worker in workers:
            self._give_back(worker)

    def call(self, function: Callable[..., T], args: tuple[Any, ...], deadline: float, settings: Settings) -> T:
        worker = self._take()
        try:
            if not worker.wait_ready(max(0.0, deadline - time.monotonic())):
                self._give_back(worker)  # still starting: the next job will find it ready
                raise overdue(settings)
            worker.connection.send((function, args))
            if not worker.connection.poll(max(0.0, deadline - time.monotonic())):
                self._drop(worker)  # the work is abandoned with its process
                raise overdue(settings)
            kind, value = worker.connection.recv()
        except (EOFError, OSError) as error:
            self._drop(worker)
            raise WorkerLost(f"the worker process ended without answering: {error}") from None
        if kind == "memory":
            self._drop(worker)
            raise too_much_memory(settings)
        self._give_back(worker)
        if kind == "error":
            raise RuntimeError(f"in a worker process:\n{value}")
        result: T = value
        return result

    def close(self) -> None:
        with self._lock:
            self._closed = True
            workers = list(self._all)
            self._all.clear()
            self._idle.clear()
        for worker in workers:
            worker.stop()


class HeavyWork:
    """Admits heavy jobs (`run`): a bounded number at once, a short queue, a deadline each."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.pool = WorkerPool(settings.heavy_workers, settings.worker_memory_bytes)
        self._threads = ThreadPoolExecutor(max_workers=settings.heavy_workers, thread_name_prefix="dailyseg-heavy")
        self._capacity = settings.heavy_workers + settings.heavy_queue
        self._admitted = 0
        self._lock = threading.Lock()

    @property
    def admitted(self) -> int:
        """Jobs running or waiting now."""
        return self._admitted

    def _release(self) -> None:
        with self._lock:
            self._admitted -= 1

    def _unstarted(self, future: Future[Any]) -> None:
        if future.cancelled():  # cancelled while it waited: `_start` never ran to release it
            self._release()

    def _start(self, work: Callable[[Job], T], deadline: float) -> T:
        # Released here, before the answer is handed over, so a client that has its answer sees the slot free.
        try:
            if time.monotonic() >= deadline:  # waited in the queue past the deadline: nobody awaits the answer any more
                raise overdue(self.settings)
            return work(Job(self, deadline))
        finally:
            self._release()

    async def run(self, work: Callable[[Job], T]) -> T:
        """`work(job)` in a heavy thread, when one is free; 503 when too many wait, 504 past the deadline."""
        with self._lock:
            if self._admitted >= self._capacity:
                raise busy(self.settings)
            self._admitted += 1
        deadline = time.monotonic() + self.settings.heavy_deadline_s
        try:
            future = self._threads.submit(self._start, work, deadline)
        except BaseException:
            self._release()
            raise
        future.add_done_callback(self._unstarted)
        try:
            # A job still queued at the timeout is cancelled here; a running one finishes, still counted as admitted.
            return await asyncio.wait_for(asyncio.wrap_future(future), self.settings.heavy_deadline_s + _GRACE_S)
        except TimeoutError:
            raise overdue(self.settings) from None
        except WorkerLost:
            raise HTTPException(503, "the worker reading this document stopped: try again", headers={"Retry-After": "1"}) from None

    def close(self) -> None:
        self._threads.shutdown(wait=False, cancel_futures=True)
        self.pool.close()


def heavy_work(request: Request) -> HeavyWork:
    heavy: HeavyWork = request.app.state.heavy
    return heavy
