"""`dailyseg serve` as an operator runs it: the installed command in its own process, on loopback only.

A port in use is one clear line and exit 2; `--port 0` reports the port really bound; every request is
one line on standard error, never with its query string or its token; Ctrl-C and SIGTERM stop the server
with exit 0 and no traceback. Every wait has a timeout, and every process is killed in the end.
"""

from __future__ import annotations

import json
import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import pytest

pytestmark = pytest.mark.cli  # runs the installed command in subprocesses

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "examples" / "daily-seg-citigroup-2013-07-25.txt"
SECRET = "serve-cli-secret-token-0123456789"
START_S = 60.0  # a cold start imports FastAPI and the application; generous, yet a hang still fails
STOP_S = 20.0
SERVING = re.compile(r"dailyseg: serving on http://(?P<host>\[[0-9a-f:]+\]|[0-9.]+):(?P<port>\d+) \(")
UNREADABLE = 2


def dailyseg() -> str:
    found = shutil.which("dailyseg", path=str(Path(sys.executable).parent))
    assert found is not None, "the dailyseg command is not installed next to this Python"
    return found


def environment(tmp: Path, **extra: str) -> dict[str, str]:
    """The caller's environment without any DAILYSEG_ setting, with HOME and the data folder in `tmp`."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("DAILYSEG_")}
    env |= {"HOME": str(tmp), "XDG_DATA_HOME": str(tmp / "data"), "PYTHONUNBUFFERED": "1"}
    return env | extra


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def store_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite store holding the sample filing, made by `dailyseg ingest`."""
    tmp = tmp_path_factory.mktemp("serve-store")
    url = f"sqlite:///{tmp / 's.sqlite'}"
    done = subprocess.run(
        [dailyseg(), "ingest", str(SAMPLE), "--db", url], env=environment(tmp), capture_output=True, text=True, timeout=180, check=False
    )
    assert done.returncode == 0, done.stderr
    return url


class Serving:
    """A `dailyseg serve` process whose standard error is read line by line as it comes."""

    def __init__(self, args: list[str], env: dict[str, str], stdout: IO[bytes]) -> None:
        self.process = subprocess.Popen(
            [dailyseg(), "serve", *args],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            errors="replace",
        )
        self.lines: list[str] = []
        self._fresh: queue.Queue[str | None] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.lines.append(line)
            self._fresh.put(line)
        self._fresh.put(None)

    @property
    def stderr(self) -> str:
        return "".join(self.lines)

    def wait_for(self, pattern: re.Pattern[str], timeout: float) -> re.Match[str]:
        """The first new line of standard error matching `pattern`; fails when the process ends or time runs out."""
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self._fresh.get(timeout=left)
            except queue.Empty:
                break
            if line is None:
                pytest.fail(f"serve ended (exit {self.process.wait(STOP_S)}) before {pattern.pattern!r}:\n{self.stderr}")
            if found := pattern.search(line):
                return found
        pytest.fail(f"no {pattern.pattern!r} on standard error within {timeout} s:\n{self.stderr}")

    def stop(self, signum: signal.Signals) -> int:
        """Send the signal; the exit code, once the process and its standard error have ended."""
        self.process.send_signal(signum)
        code = self.process.wait(timeout=STOP_S)
        self._reader.join(timeout=STOP_S)
        return code

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=STOP_S)
        self._reader.join(timeout=STOP_S)


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Any]:
    """Start `dailyseg serve ARGS` (standard output to a file); every process started is killed at the end."""
    started: list[Serving] = []
    outputs: list[IO[bytes]] = []

    def start(*args: str, env: dict[str, str] | None = None) -> Serving:
        out = (tmp_path / f"stdout-{len(outputs)}.txt").open("wb")
        outputs.append(out)
        serving = Serving(list(args), env or environment(tmp_path), out)
        started.append(serving)
        return serving

    try:
        yield start
    finally:
        for serving in started:
            serving.kill()
        for out in outputs:
            out.close()


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, Any]:
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=10) as response:
        return response.status, json.loads(response.read())


def assert_no_traceback(text: str) -> None:
    assert "Traceback" not in text, text


def serve_until_it_exits(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`dailyseg serve ARGS` run to its end: for the cases where it must refuse to start."""
    return subprocess.run(
        [dailyseg(), "serve", *args],
        env=environment(tmp_path),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=START_S,
        check=False,
    )


def test_a_port_in_use_is_one_clear_line_and_exit_2(tmp_path: Path, store_url: str) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        done = serve_until_it_exits(tmp_path, "--port", str(port), "--db", store_url)
    assert done.returncode == UNREADABLE, done.stderr
    assert done.stderr.strip() == f"error: cannot listen on 127.0.0.1:{port}: address already in use"
    assert "serving on" not in done.stderr + done.stdout
    assert_no_traceback(done.stderr)
    assert done.stdout == ""


def test_port_0_reports_the_real_port_logs_each_request_and_stops_on_ctrl_c(tmp_path: Path, store_url: str, serve: Any) -> None:
    server: Serving = serve("--port", "0", "--db", store_url, env=environment(tmp_path, DAILYSEG_TOKEN=SECRET))
    serving = server.wait_for(SERVING, START_S)
    port = int(serving["port"])
    assert serving["host"] == "127.0.0.1"
    assert port != 0
    assert "writing with the token" in server.stderr

    status, body = get(f"http://127.0.0.1:{port}/api/health?token={SECRET}", {"Authorization": f"Bearer {SECRET}"})
    assert (status, body["status"]) == (200, "ok")
    server.wait_for(re.compile(r"\b127\.0\.0\.1 GET /api/health 200 \d+\.\d ms$"), 10)
    status, firms = get(f"http://127.0.0.1:{port}/api/firms")
    assert status == 200
    assert len(firms) == 1  # the store named by --db: the sample's firm
    server.wait_for(re.compile(r" GET /api/firms 200 \d+\.\d ms$"), 10)

    assert server.stop(signal.SIGINT) == 0, server.stderr
    text = server.stderr
    assert_no_traceback(text)
    assert SECRET not in text and "token=" not in text and "?" not in text, text
    assert len(SERVING.findall(text)) == 1
    assert (tmp_path / "stdout-0.txt").read_text() == ""


def test_the_store_comes_from_dailyseg_db_too_and_sigterm_stops_cleanly(tmp_path: Path, store_url: str, serve: Any) -> None:
    server: Serving = serve("--port", "0", env=environment(tmp_path, DAILYSEG_DB=store_url))
    port = int(server.wait_for(SERVING, START_S)["port"])
    assert "no writing (set DAILYSEG_TOKEN to allow it)" in server.stderr
    status, firms = get(f"http://127.0.0.1:{port}/api/firms")
    assert (status, len(firms)) == (200, 1)
    assert server.stop(signal.SIGTERM) == 0, server.stderr
    assert_no_traceback(server.stderr)
    assert not (tmp_path / "data").exists()  # the default store was never touched


def _ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as sock:
            sock.bind(("::1", 0))
        return True
    except OSError:
        return False


@pytest.mark.skipif(not _ipv6_loopback(), reason="no IPv6 loopback here")
def test_an_ipv6_host(tmp_path: Path, store_url: str, serve: Any) -> None:
    server: Serving = serve("--host", "::1", "--port", "0", "--db", store_url)
    serving = server.wait_for(SERVING, START_S)
    assert serving["host"] == "[::1]"
    status, body = get(f"http://[::1]:{serving['port']}/api/health")
    assert (status, body["status"]) == (200, "ok")
    server.wait_for(re.compile(r" ::1 GET /api/health 200 "), 10)
    assert server.stop(signal.SIGINT) == 0, server.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--books", "reports=/nonexistent/folder"], "error: --books reports: /nonexistent/folder is not a folder"),
        (["--books", "two words=."], "error: books name 'two words'"),
        (["--read-token-env", "DAILYSEG_READ_TOKEN"], "error: --read-token-env DAILYSEG_READ_TOKEN: the variable is unset or empty"),
        (["--host", "host.invalid"], "error: cannot listen on host.invalid:"),
    ],
)
def test_a_bad_option_is_exit_2_before_listening(tmp_path: Path, args: list[str], message: str) -> None:
    done = serve_until_it_exits(tmp_path, "--port", str(free_port()), "--db", f"sqlite:///{tmp_path / 's.sqlite'}", *args)
    assert done.returncode == UNREADABLE, done.stderr
    assert done.stderr.startswith(message), done.stderr
    assert "serving on" not in done.stderr
    assert_no_traceback(done.stderr)


def test_help_names_the_store_variable_and_ends_with_the_exit_codes(tmp_path: Path) -> None:
    done = subprocess.run(
        [dailyseg(), "serve", "--help"], env=environment(tmp_path), capture_output=True, text=True, timeout=START_S, check=False
    )
    assert done.returncode == 0, done.stderr
    description = done.stdout.split("Options:")[0]
    assert description.rstrip().splitlines()[-2:] == [
        "  Exit codes: 0 stopped normally (Ctrl-C or SIGTERM);",
        "  2 could not start (the port is in use or not allowed, an unknown address, a bad option).",
    ]
    assert "$DAILYSEG_DB" in done.stdout


def test_the_option_defaults_are_those_of_the_web_settings() -> None:
    from dailyseg.cli import web_commands
    from dailyseg.web.settings import READ_TOKEN_ENV, TOKEN_ENV, Settings

    assert (web_commands.TOKEN_ENV, web_commands.READ_TOKEN_ENV) == (TOKEN_ENV, READ_TOKEN_ENV)
    assert Settings.max_upload_bytes == web_commands.MAX_UPLOAD_BYTES
    assert (Settings.heavy_queue, Settings.heavy_deadline_s) == (web_commands.HEAVY_QUEUE, web_commands.HEAVY_DEADLINE_S)


def test_the_heavy_work_limits_are_options(tmp_path: Path, store_url: str, serve: Any) -> None:
    """`--deadline` reaches the server: 4 MB of filings, which take seconds to read, are stopped at 0.5 s (504)."""
    from tests.web.hostile import many_filings

    server: Serving = serve("--port", "0", "--db", store_url, "--workers", "1", "--queue", "0", "--deadline", "0.5")
    port = int(server.wait_for(SERVING, START_S)["port"])
    body, boundary = _multipart("many.txt", many_filings(4_000_000))
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/validate", data=body, headers={"Content-Type": f"multipart/form-data; boundary={boundary}"}
    )
    with pytest.raises(urllib.error.HTTPError) as answer:
        urllib.request.urlopen(request, timeout=30)
    assert answer.value.code == 504
    assert "more than 0.5 s" in json.loads(answer.value.read())["error"]["message"]
    assert server.stop(signal.SIGTERM) == 0, server.stderr
    done = serve_until_it_exits(tmp_path, "--port", "0", "--db", store_url, "--queue", "-1")
    assert done.returncode == UNREADABLE and "--queue" in done.stderr


def _multipart(name: str, content: bytes) -> tuple[bytes, str]:
    boundary = "dailyseg-test-boundary"
    head = f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n\r\n'.encode()
    return head + content + f"\r\n--{boundary}--\r\n".encode(), boundary
