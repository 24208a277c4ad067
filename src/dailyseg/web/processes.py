"""Several server processes on one listening socket, so that pages are answered on every core.

One Python process runs one request's Python at a time (the interpreter lock), so one server process uses
one core however many requests wait. `serve_processes` forks `count` children after the socket is bound;
each runs its own application and event loop over that socket, and the kernel gives each new connection to
a process waiting in `accept`. Forking (not spawning) keeps what the parent made before: the socket, and the
settings with their anti-forgery secret, so a form served by one process is accepted by another.

What must agree across the processes lives outside them: the store (the firms' revisions the answers cache
keys on, sign-in sessions and lock-outs) is the database; the anonymous-upload buckets are a file the
parent names (`web.ratelimit`). What each keeps for itself is only a copy of what the store says (the
answers cache, checked against the store's revision on every use) or its own work (the worker processes for
documents, the computations from books).
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from collections.abc import Callable
from types import FrameType

# What the parent answers when a child ended on its own, without saying why in an exit code.
_CHILD_FAILED = 2
# A child's code for a defect in dailyseg (the command line's exit code 3).
DEFECT = 3
# The signals that stop the server.
_STOPS = (signal.SIGINT, signal.SIGTERM)


def serve_processes(count: int, run: Callable[[], int]) -> int:
    """Run `run` in `count` forked children and wait for all; its result is each child's exit code.

    SIGINT and SIGTERM sent to the parent are passed on to every child as SIGTERM (a graceful stop; Ctrl-C
    at a terminal reaches the children as well). A child that ends on its own (it could not start, or it
    failed) stops the others: the server is whole or not at all. Returns 0 when every child stopped on a
    signal, else the exit code of the first child that ended on its own.
    """
    children: set[int] = set()
    stopping = False

    def stop_all(_signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True
        for pid in children:
            _signal(pid)

    previous = {signum: signal.signal(signum, stop_all) for signum in _STOPS}
    try:
        for _ in range(count):
            if stopping:  # stopped while starting: no more children
                break
            sys.stderr.flush()
            # Held while forking: the child starts from the default handlers (its server installs its own), and
            # a stop signal that comes meanwhile reaches it only then, or reaches the parent with the child counted.
            signal.pthread_sigmask(signal.SIG_BLOCK, _STOPS)
            pid = os.fork()
            if pid == 0:
                signal.signal(signal.SIGINT, signal.default_int_handler)
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOPS)
                os._exit(_child(run))  # never returns into the parent's code
            children.add(pid)
            signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOPS)
        first_failure = 0
        while children:
            pid, status = os.wait()
            children.discard(pid)
            if not stopping:
                first_failure = os.waitstatus_to_exitcode(status) or _CHILD_FAILED
                stop_all(signal.SIGTERM, None)
        return first_failure
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _child(run: Callable[[], int]) -> int:
    """A child's exit code: `run`'s, or the code of the `SystemExit` it raised (a failure message is already written)."""
    try:
        return run()
    except KeyboardInterrupt:  # Ctrl-C before its server had its own handlers: a normal stop
        return 0
    except SystemExit as done:
        return done.code if isinstance(done.code, int) else _CHILD_FAILED
    except BaseException as error:  # a defect: the child must still end here, never run on as a second parent
        print(f"error: dailyseg failed in a server process: {type(error).__name__}: {error}", file=sys.stderr)
        return DEFECT
    finally:
        sys.stdout.flush()
        sys.stderr.flush()


def _signal(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # it has just ended
        os.kill(pid, signal.SIGTERM)
