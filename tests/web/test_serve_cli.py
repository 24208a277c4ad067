"""`dailyseg serve` as an operator runs it: the installed command in its own process, on loopback only.

A port in use is one clear line and exit 2; `--port 0` reports the port really bound; every request is
one line on standard error, never with its query string or its token; Ctrl-C and SIGTERM stop the server
with exit 0 and no traceback. Every wait has a timeout, and every process is killed in the end.
"""

from __future__ import annotations

import http.client
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
import urllib.parse
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


# -- several server processes (--workers) ------------------------------------------------------------------------

# Rounds of simultaneous connections opened before giving up on reaching every process: each round the
# kernel gives the connections to whichever process accepts first, and about half the rounds reach both.
ROUNDS = 60
FIRM = "citigroup-global-markets"


class Pinned:
    """A kept-alive connection: every request on it is answered by the process that accepted it (until the
    server closes it after 5 s idle, so a test takes fresh ones from `by_process` after a slow step)."""

    def __init__(self, port: int, cookies: dict[str, str]) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.connection.connect()
        self.cookies = cookies

    def ask(self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None) -> tuple[int, str]:
        sent = dict(headers or {})
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        self.connection.request(method, path, body=body, headers=sent)
        answer = self.connection.getresponse()
        text = answer.read().decode("utf-8")
        for cookie in answer.headers.get_all("set-cookie") or []:
            name, _, rest = cookie.partition("=")
            self.cookies[name] = rest.partition(";")[0]
        return answer.status, text

    def process(self) -> int:
        status, text = self.ask("GET", "/api/health")
        assert status == 200, text
        pid: int = json.loads(text)["process"]
        return pid


def by_process(port: int, cookies: dict[str, str] | None = None) -> dict[int, Pinned]:
    """A fresh connection to each of the two server processes, by process id (sharing one jar of cookies)."""
    jar = {} if cookies is None else cookies
    for _ in range(ROUNDS):
        opened = [Pinned(port, jar) for _ in range(8)]
        found = {connection.process(): connection for connection in opened}
        for connection in opened:
            if connection not in found.values() or len(found) < 2:
                connection.connection.close()
        if len(found) == 2:
            return found
    pytest.fail(f"every connection of {ROUNDS} rounds was answered by one process")


def close(connections: dict[int, Pinned]) -> None:
    for connection in connections.values():
        connection.connection.close()


def children(pid: int) -> set[int]:
    """The direct children of a process (from /proc)."""
    found = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found |= {int(child) for child in (task / "children").read_text().split()}
    return found


def alive(pid: int) -> bool:
    status = Path(f"/proc/{pid}/status")
    return status.exists() and "State:\tZ" not in status.read_text()


def multipart_headers(boundary: str, token: str | None = None) -> dict[str, str]:
    return {"Content-Type": f"multipart/form-data; boundary={boundary}"} | ({"Authorization": f"Bearer {token}"} if token else {})


def own_store(tmp_path: Path, store_url: str) -> str:
    """A copy of the module's store, for a test that writes."""
    shutil.copy(store_url.removeprefix("sqlite:///"), tmp_path / "own.sqlite")
    return f"sqlite:///{tmp_path / 'own.sqlite'}"


def test_workers_are_server_processes_that_all_answer_and_ctrl_c_stops_them_all(tmp_path: Path, store_url: str, serve: Any) -> None:
    server: Serving = serve("--port", "0", "--db", store_url, "--workers", "2")
    port = int(server.wait_for(SERVING, START_S)["port"])
    connections = by_process(port)
    assert set(connections) == children(server.process.pid)  # both forked by the one command, neither is the command itself
    for connection in connections.values():
        status, firms = connection.ask("GET", "/api/firms")
        assert status == 200 and [f["firm_id"] for f in json.loads(firms)] == [FIRM]
    close(connections)
    assert server.stop(signal.SIGINT) == 0, server.stderr
    assert not any(alive(pid) for pid in connections)
    assert_no_traceback(server.stderr)


def test_a_filing_stored_through_one_process_is_seen_by_the_other(tmp_path: Path, store_url: str, serve: Any) -> None:
    server: Serving = serve(
        "--port", "0", "--db", own_store(tmp_path, store_url), "--workers", "2", env=environment(tmp_path, DAILYSEG_TOKEN=SECRET)
    )
    port = int(server.wait_for(SERVING, START_S)["port"])
    connections = by_process(port)
    storing, reading = list(connections)
    for connection in connections.values():  # each process now keeps the firm's versions against its revision
        assert len(json.loads(connection.ask("GET", f"/api/firms/{FIRM}/filings")[1])) == 1
    body, boundary = _multipart("amended.txt", SAMPLE.read_bytes().replace(b"INITIAL", b"AMENDED", 1))
    status, text = connections[storing].ask("POST", "/api/filings", body, multipart_headers(boundary, SECRET))
    assert status in (200, 201), text
    close(connections)
    again = by_process(port)
    seen = {pid: json.loads(connection.ask("GET", f"/api/firms/{FIRM}/filings")[1]) for pid, connection in again.items()}
    assert len(seen[reading]) > 1 and seen[reading] == seen[storing]
    close(again)
    assert server.stop(signal.SIGTERM) == 0, server.stderr


def test_the_upload_limit_per_address_holds_across_processes(tmp_path: Path, store_url: str, serve: Any) -> None:
    """Uploads without a token, alternating between the processes: ten in a burst, then refused (Settings'
    defaults: a burst of 10, then one every 5 s); with a bucket per process, all fourteen would pass."""
    server: Serving = serve("--port", "0", "--db", store_url, "--workers", "2", env=environment(tmp_path, DAILYSEG_TOKEN=SECRET))
    port = int(server.wait_for(SERVING, START_S)["port"])
    body, boundary = _multipart("sample.txt", SAMPLE.read_bytes())
    first = by_process(port)
    close(first)
    for pid in sorted(first):  # each process's worker started (it takes seconds), with the token: not counted
        warming = by_process(port)
        assert warming[pid].ask("POST", "/api/validate", body, multipart_headers(boundary, SECRET))[0] == 200
        close(warming)
    connections = list(by_process(port).values())
    began = time.monotonic()
    statuses = [connections[i % 2].ask("POST", "/api/validate", body, multipart_headers(boundary))[0] for i in range(14)]
    refilled = int((time.monotonic() - began) / 5) + 1
    close(dict(enumerate(connections)))
    assert statuses[:10] == [200] * 10 and 429 in statuses[10:], statuses
    assert statuses.count(200) <= 10 + refilled
    assert server.stop(signal.SIGTERM) == 0, server.stderr


def test_sign_in_lock_out_and_form_tokens_hold_across_processes(tmp_path: Path, store_url: str, serve: Any) -> None:
    """A form token one process gave is good at the other (one secret); five failed sign-ins for a name, spread
    over both processes, lock it on both (Settings' default limit per name)."""
    from dailyseg.store import Store
    from dailyseg.store.people import add_user
    from tests.web.signing import PASSWORD, form_token

    url = own_store(tmp_path, store_url)
    with Store.open(url) as store:
        add_user(store, None, "alice", PASSWORD, ["admin"])
    server: Serving = serve("--port", "0", "--db", url, "--workers", "2")
    port = int(server.wait_for(SERVING, START_S)["port"])
    jar: dict[str, str] = {}  # one browser
    connections = by_process(port, jar)
    first, second = sorted(connections)
    token = form_token(connections[first].ask("GET", "/login")[1])

    def sign_in(pid: int, password: str) -> int:
        form = urllib.parse.urlencode({"csrf_token": token, "name": "alice", "password": password, "next": "/"}).encode()
        connections = by_process(port, jar)
        status = connections[pid].ask("POST", "/login", form, {"Content-Type": "application/x-www-form-urlencoded"})[0]
        close(connections)
        return status

    close(connections)
    assert [sign_in((first, second)[i % 2], "wrong password") for i in range(5)] == [401] * 5
    assert (sign_in(first, PASSWORD), sign_in(second, PASSWORD)) == (429, 429)
    assert server.stop(signal.SIGTERM) == 0, server.stderr
