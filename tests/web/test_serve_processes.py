"""`web.processes.serve_processes`: the server is whole or not at all (the command's tests cover signals)."""

from __future__ import annotations

import os
import signal
from pathlib import Path

from dailyseg.web.processes import DEFECT, serve_processes


def _first_fails_the_rest_wait(marks: Path) -> int:
    """The first child to start ends with 7 at once; the others would wait for ever but for a signal."""
    try:
        fd = os.open(marks / "first", os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        signal.pause()
        return 0
    os.close(fd)
    return 7


def test_a_child_that_ends_on_its_own_stops_the_others_and_gives_its_code(tmp_path: Path) -> None:
    """`serve_processes` returns only once every child has ended: the two waiting ones were stopped.

    Regression: the children kept the caller's SIGTERM handler (here one that ignores it, as a test runner's
    may), so the waiting ones never ended and the caller waited for ever. They start from the defaults now."""
    ignoring = signal.signal(signal.SIGTERM, lambda *_: None)
    try:
        assert serve_processes(3, lambda: _first_fails_the_rest_wait(tmp_path)) == 7
    finally:
        signal.signal(signal.SIGTERM, ignoring)


def test_a_defect_in_a_child_ends_that_child_not_the_test(tmp_path: Path) -> None:
    def broken() -> int:
        raise RuntimeError("a defect")

    assert serve_processes(1, broken) == DEFECT
