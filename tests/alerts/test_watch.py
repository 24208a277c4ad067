"""`dailyseg watch`: the monitor's notify pass and the retries, once (`--once`, for cron) or in a loop that
SIGTERM stops with exit code 0; no event delivered twice across passes or restarts."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from dailyseg.cli.app import main
from dailyseg.store import Store
from tests.alerts.conftest import Receiver

PASS_LINE = "watch: pass 1 at "


def _url(store: Store) -> str:
    return store.engine.url.render_as_string(hide_password=False)


def _watch(*args: str) -> tuple[int, str]:
    run = CliRunner().invoke(main, ["watch", *args])
    return run.exit_code, run.stderr


def test_watch_once_sends_each_event_once_and_retries_what_failed(deficient: Store, receiver: Receiver) -> None:
    db = _url(deficient)
    assert CliRunner().invoke(main, ["alerts", "subscribe", "--webhook", receiver.url, "--from", "2024-01-01", "--db", db]).exit_code == 0
    code, err = _watch("--once", "--db", db)
    (line,) = err.splitlines()
    assert code == 1 and line.startswith(PASS_LINE)
    assert "alerts: 3 new deliveries queued; 0 delivered, 3 to be tried again, 0 failed; delivery 1 pending: cannot reach" in line
    receiver.start()
    code, err = _watch("--once", "--db", db)  # not due again yet: a minute's wait after the first failure
    assert code == 0 and "0 new deliveries queued; 0 delivered, 0 to be tried again" in err and receiver.received == []
    CliRunner().invoke(main, ["alerts", "send", "--retry-now", "--db", db])
    assert len(receiver.received) == 3
    code, err = _watch("--once", "--db", db)
    assert code == 0 and "0 new deliveries queued; 0 delivered" in err and len(receiver.received) == 3


def test_watch_refuses_a_store_it_cannot_open_and_an_unknown_rule(tmp_path: Path) -> None:
    code, err = _watch("--once", "--db", f"sqlite:///{tmp_path / 'none.sqlite'}")
    assert code == 2 and "none.sqlite" in err and "Traceback" not in err
    code, err = _watch("--once", "--rules", "no-such-rule", "--db", f"sqlite:///{tmp_path / 'none.sqlite'}")
    assert code == 2 and "no-such-rule" in err
    run = CliRunner().invoke(main, ["watch", "--help"])
    assert run.exit_code == 0 and "Exit codes: 0 stopped by Ctrl-C or SIGTERM" in run.stdout and "--every SECONDS" in run.stdout


def _start(db: str) -> subprocess.Popen[str]:
    command = shutil.which("dailyseg", path=str(Path(sys.executable).parent))
    assert command is not None, "the dailyseg command is not installed next to this Python"
    env = {k: v for k, v in os.environ.items() if not k.startswith("DAILYSEG_")} | {"PYTHONUNBUFFERED": "1"}
    return subprocess.Popen([command, "watch", "--every", "0.2", "--db", db], env=env, stderr=subprocess.PIPE, text=True)


def _line(process: subprocess.Popen[str]) -> str:
    assert process.stderr is not None
    return process.stderr.readline()


@pytest.mark.slow  # starts the installed command, which takes a second or two
@pytest.mark.cli
def test_a_watch_loop_stops_on_sigterm_or_ctrl_c_with_exit_0_and_resumes_without_duplicates(deficient: Store, listening: Receiver) -> None:
    db = _url(deficient)
    assert CliRunner().invoke(main, ["alerts", "subscribe", "--webhook", listening.url, "--from", "2024-01-01", "--db", db]).exit_code == 0
    for run, stop in enumerate((signal.SIGTERM, signal.SIGINT)):  # a restart finds the same events and sends none again
        process = _start(db)
        first, second = _line(process), _line(process)  # a second pass: the loop goes on
        process.send_signal(stop)
        rest = process.communicate(timeout=60)[1]
        assert process.returncode == 0, first + second + rest
        assert first.startswith(PASS_LINE) and second.startswith("watch: pass 2 at ")
        queued = "3 new deliveries queued; 3 delivered" if run == 0 else "0 new deliveries queued; 0 delivered"
        assert queued in first and "0 new deliveries queued" in second
        assert rest.strip().splitlines()[-1].startswith("watch: stopped after ")
    assert len({r.headers["x-dailyseg-event"] for r in listening.received}) == len(listening.received) == 3


@pytest.mark.slow  # starts the installed command, which takes a second or two
@pytest.mark.cli
def test_a_store_gone_at_a_later_pass_is_reported_and_the_loop_goes_on(tmp_path: Path, deficient: Store) -> None:
    if deficient.engine.url.get_backend_name() != "sqlite":
        pytest.skip("the store is taken away by moving its file")
    path = Path(str(deficient.engine.url.database))
    process = _start(_url(deficient))
    try:
        assert _line(process).startswith(PASS_LINE)
        path.rename(tmp_path / "away.sqlite")
        lines = [_line(process) for _ in range(3)]
        assert any(": pass " in line and " failed: " in line for line in lines), lines
        (tmp_path / "away.sqlite").rename(path)
        lines = [_line(process) for _ in range(3)]
        assert any(line.startswith("watch: pass ") and "alerts: " in line for line in lines), lines
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=60)
    assert process.returncode == 0
