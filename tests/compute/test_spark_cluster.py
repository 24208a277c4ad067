"""Spark on a real cluster: a standalone master and one worker started from the installed PySpark as
separate processes, the demo book computed on them by the `dailyseg` command, and the filing DuckDB gives.

The command runs in its own process because a process has one Spark session, and the other Spark tests'
session is local. The master and the worker are stopped by the PIDs started here, also when a test fails.
So is a Spark Connect server (`./install` installs PySpark's connect client). The message for a machine
without that client is checked by hiding its `grpc` package from the command. The checks of a wrong or
unreachable master need no JVM.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from dailyseg.cli import main
from dailyseg.compute.demo import generate
from dailyseg.filing import Filing
from tests.compute.bookkit import micro_example, write_book

COMMAND = shutil.which("dailyseg", path=str(Path(sys.executable).parent)) or "dailyseg"
LOCAL = {**os.environ, "SPARK_LOCAL_IP": "127.0.0.1"}
STARTUP_SECONDS = 180  # the master is up in about 8 s on a quiet machine; shared runners are slower


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Jvms:
    """Spark processes started from the installed PySpark, each logging to a file, stopped by their PIDs."""

    def __init__(self, home: Path) -> None:
        import pyspark

        self.home, self.bin = home, Path(pyspark.__file__).parent / "bin"
        self.env = {**LOCAL, "SPARK_HOME": str(self.bin.parent)}
        self.processes: list[subprocess.Popen[bytes]] = []
        self.logs: list[Path] = []

    def start(self, name: str, script: str, *arguments: str) -> None:
        self.logs.append(self.home / f"{name}.log")
        with self.logs[-1].open("wb") as log:  # the scripts exec the JVM: the PID started is the JVM's
            self.processes.append(
                subprocess.Popen([str(self.bin / script), *arguments], stdout=log, stderr=subprocess.STDOUT, env=self.env)
            )

    def tail(self) -> str:
        return "\n".join(f"--- {log}\n" + "\n".join(log.read_text(errors="replace").splitlines()[-15:]) for log in self.logs)

    def wait(self, what: str, ready: Callable[[], bool]) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if any(p.poll() is not None for p in self.processes):
                pytest.fail(f"a Spark process exited while waiting for the {what}:\n{self.tail()}")
            try:
                if ready():
                    return
            except OSError:  # not listening yet
                pass
            time.sleep(0.5)
        pytest.fail(f"no {what} after {STARTUP_SECONDS} s:\n{self.tail()}")

    def stop(self) -> None:
        for process in reversed(self.processes):  # a worker first: one started by hand does not stop with its master
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextmanager
def _jvms(home: Path) -> Iterator[Jvms]:
    jvms = Jvms(home)
    try:
        yield jvms
    finally:
        jvms.stop()


@dataclass(frozen=True)
class Cluster:
    url: str
    ui: int
    jvms: Jvms

    def state(self) -> dict[str, Any]:
        """The master's own account of its workers and applications (its web UI's JSON)."""
        with urllib.request.urlopen(f"http://127.0.0.1:{self.ui}/json/", timeout=5) as answer:
            return dict(json.load(answer))


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    home = tmp_path_factory.mktemp("spark-cluster")
    port, ui, worker_ui = _free_port(), _free_port(), _free_port()
    with _jvms(home) as jvms:
        cluster = Cluster(f"spark://127.0.0.1:{port}", ui, jvms)
        master = ("--host", "127.0.0.1", "--port", str(port), "--webui-port", str(ui))
        jvms.start("master", "spark-class", "org.apache.spark.deploy.master.Master", *master)
        jvms.wait("master", lambda: cluster.state()["status"] == "ALIVE")
        worker = ("--host", "127.0.0.1", "--cores", "1", "--memory", "1g", "--webui-port", str(worker_ui), "--work-dir", str(home / "work"))
        jvms.start("worker", "spark-class", "org.apache.spark.deploy.worker.Worker", cluster.url, *worker)
        jvms.wait("worker registered with the master", lambda: cluster.state()["aliveworkers"] == 1)
        yield cluster


def _listening(port: int) -> bool:
    with socket.create_connection(("127.0.0.1", port), timeout=2):
        return True


def _dailyseg(*arguments: str, env: dict[str, str] = LOCAL) -> subprocess.CompletedProcess[str]:
    return subprocess.run([COMMAND, *arguments], capture_output=True, text=True, env=env, timeout=900)


def _demo_book(folder: Path, sample: Filing) -> Path:
    generate(folder, target=sample, parquet=True)  # Parquet: the executors read the book's files themselves
    return folder


def _same_as_duckdb(run: subprocess.CompletedProcess[str], book: Path, sample: Filing) -> None:
    """The whole JSON report equals DuckDB's: every line of the filing, and the findings, whose messages give
    amounts to the cent; and the JVM's log stayed out of the terminal (standard error holds only findings)."""
    duckdb = CliRunner().invoke(main, ["compute", str(book), "--json"])
    assert duckdb.exit_code == 0, duckdb.output
    assert json.loads(run.stdout) == json.loads(duckdb.stdout)
    assert json.loads(run.stdout)["filing"]["statements"]["segregation"]["7190"] == str(sample[7190])
    assert all(line.startswith("warning ") for line in run.stderr.splitlines()), run.stderr


@pytest.mark.spark
@pytest.mark.slow
@pytest.mark.cli
def test_the_demo_book_on_a_cluster_gives_the_duckdb_filing(cluster: Cluster, tmp_path: Path, sample_filing: Filing) -> None:
    book = _demo_book(tmp_path / "book", sample_filing)
    on_cluster = ("--engine", "spark", "--spark-master", cluster.url, "--spark-conf", "spark.executor.memory=512m")
    run = _dailyseg("compute", str(book), *on_cluster, "--json")
    assert run.returncode == 0, run.stderr + cluster.jvms.tail()
    _same_as_duckdb(run, book, sample_filing)
    apps = cluster.state()["completedapps"]
    assert [(a["name"], a["state"]) for a in apps] == [("dailyseg", "FINISHED")], apps


@pytest.mark.spark
@pytest.mark.slow
@pytest.mark.cli
def test_the_demo_book_through_spark_connect_gives_the_duckdb_filing(tmp_path: Path, sample_filing: Filing) -> None:
    port = _free_port()
    with _jvms(tmp_path) as jvms:  # a Spark Connect server from the same wheel, its driver on local[1]
        server = ("--master", "local[1]", "--conf", f"spark.connect.grpc.binding.port={port}", "--conf", "spark.ui.enabled=false")
        jvms.start(
            "connect", "spark-submit", "--class", "org.apache.spark.sql.connect.service.SparkConnectServer", *server, "spark-internal"
        )
        jvms.wait("Spark Connect server", lambda: _listening(port))
        book = _demo_book(tmp_path / "book", sample_filing)
        run = _dailyseg("compute", str(book), "--engine", "spark", "--spark-master", f"sc://127.0.0.1:{port}", "--json")
        assert run.returncode == 0, run.stderr + jvms.tail()
        _same_as_duckdb(run, book, sample_filing)


@pytest.mark.cli
@pytest.mark.parametrize(
    ("master", "said"),
    [
        ("spark://127.0.0.1:1", "cannot reach the Spark master at spark://127.0.0.1:1"),
        ("spark:/127.0.0.1:7077", "is not a Spark master URL: expected local[N], spark://HOST:PORT"),
        ("spark://127.0.0.1:port", "expected spark://HOST:PORT, found the address '127.0.0.1:port'"),
    ],
)
def test_a_wrong_or_unreachable_master_is_one_sentence_and_exit_2(tmp_path: Path, master: str, said: str) -> None:
    run = _dailyseg("compute", str(write_book(tmp_path, micro_example())), "--engine", "spark", "--spark-master", master)
    assert run.returncode == 2 and said in run.stderr, run.stderr
    assert "Traceback" not in run.stderr and run.stdout == ""


def test_spark_settings_without_the_spark_engine_are_refused(tmp_path: Path) -> None:
    book = str(write_book(tmp_path, micro_example()))
    for given in (["--spark-master", "spark://127.0.0.1:7077"], ["--spark-conf", "spark.executor.memory=1g"]):
        run = CliRunner().invoke(main, ["compute", book, *given])
        assert run.exit_code == 2 and "add --engine spark" in run.output, run.output


@pytest.mark.cli
def test_spark_connect_without_its_client_says_what_to_install(tmp_path: Path) -> None:
    hidden = tmp_path / "hidden" / "grpc"  # a `grpc` package that fails to import, as on a machine without it
    hidden.mkdir(parents=True)
    (hidden / "__init__.py").write_text("raise ImportError(\"No module named 'grpc'\")\n")
    without_client = {**LOCAL, "PYTHONPATH": str(hidden.parent)}
    book = str(write_book(tmp_path, micro_example()))
    run = _dailyseg("compute", book, "--engine", "spark", "--spark-master", "sc://127.0.0.1:15002", env=without_client)
    assert run.returncode == 2, run.stderr
    assert "needs PySpark's connect client" in run.stderr and "grpcio" in run.stderr and "Traceback" not in run.stderr
