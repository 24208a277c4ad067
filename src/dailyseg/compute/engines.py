"""The engines a computation can run on, by name, and where Spark runs: apart from `engine` so that naming
one costs no Ibis import.

A command line lists the choices before it knows whether it will compute anything at all, and it checks
where Spark is to run (a master URL, settings) before any JVM starts, so that a mistyped URL or a cluster
that is down costs a second and a sentence, not a minute and a traceback.

Spark allows one session per process, so where it runs is a setting of the process (`use_spark`), read when
the first Spark computation starts its session (`spark_session`), not an argument of every computation.
The JVM's own output goes to a log file unless `verbose` is set: a user's terminal shows dailyseg's lines
and, on failure, where that log is.
"""

from __future__ import annotations

import atexit
import hashlib
import os
import re
import shutil
import socket
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

EngineName = Literal["duckdb", "spark"]
ENGINES: tuple[EngineName, ...] = ("duckdb", "spark")

MASTER_ENV = "DAILYSEG_SPARK_MASTER"
CONF_ENV = "DAILYSEG_SPARK_CONF"
LOCAL_MASTER = "local[2]"
MASTER_FORMS = "local[N], spark://HOST:PORT, sc://HOST[:PORT], yarn or k8s://https://HOST:PORT"
_DEFAULT_PORT = {"spark": 7077, "sc": 15002}
_REACH_SECONDS = 5.0
_COMPLAINT = re.compile(r"error|exception|no such|not found|invalid|cannot|could not", re.IGNORECASE)

# Exactness depends on these (see engine.py); they are set on every session, after any cluster default.
EXACT_SQL = {
    "spark.sql.decimalOperations.allowPrecisionLoss": "false",
    "spark.sql.ansi.enabled": "true",
    "spark.sql.session.timeZone": "UTC",
}
# Tables made from the driver's memory travel as Arrow, so executors need no Python; no silent fallback
# to pickled rows, which would need one on every worker.
_CLASSIC = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.sql.execution.arrow.pyspark.fallback.enabled": "false",
}
_LOCAL = {"spark.sql.shuffle.partitions": "4"}  # two local cores: Spark's 200 default only adds tasks


class SparkUnavailable(Exception):
    """Spark could not start, reach its cluster or finish there: the set-up's fault, not the books' nor
    dailyseg's. The message says what was tried and where Spark's log is."""


@dataclass(frozen=True)
class Master:
    """A checked master URL: what kind of Spark it names and the endpoints to reach first."""

    url: str
    kind: Literal["local", "standalone", "connect", "resource-manager"]
    endpoints: tuple[tuple[str, int], ...] = ()


def _endpoint(url: str, text: str, scheme: str) -> tuple[str, int]:
    host, _, port = text.partition(":")
    if not re.fullmatch(r"[A-Za-z0-9._-]+", host) or not (port == "" or (port.isdigit() and 0 < int(port) < 65536)):
        raise ValueError(f"{url!r}: expected {scheme}://HOST:PORT, found the address {text!r}")
    return host, int(port) if port else _DEFAULT_PORT[scheme]


def parse_master(url: str) -> Master:
    """Check a master URL's form, without reaching it; ValueError names the forms accepted."""
    text = url.strip()
    if re.fullmatch(r"local(\[(\d+|\*)(,\d+)?\])?", text):
        return Master(text, "local")
    if text.startswith("spark://"):  # standalone, or several masters under ZooKeeper: spark://h1:7077,h2:7077
        return Master(text, "standalone", tuple(_endpoint(url, part, "spark") for part in text[8:].split(",")))
    if text.startswith("sc://"):  # Spark Connect: sc://host:port/;token=...;user_id=...
        return Master(text, "connect", (_endpoint(url, text[5:].split("/", 1)[0], "sc"),))
    if text == "yarn" or re.fullmatch(r"k8s://https?://\S+", text):
        return Master(text, "resource-manager")
    raise ValueError(f"{url!r} is not a Spark master URL: expected {MASTER_FORMS}")


def parse_conf(items: Iterable[str]) -> tuple[tuple[str, str], ...]:
    """Spark settings written KEY=VALUE, as `spark-submit --conf` takes them."""
    pairs = []
    for item in items:
        key, equals, value = item.partition("=")
        if not equals or not key.strip().startswith("spark."):
            raise ValueError(f"{item!r}: expected a Spark setting KEY=VALUE, such as spark.executor.memory=4g")
        pairs.append((key.strip(), value.strip()))
    return tuple(pairs)


@dataclass(frozen=True)
class SparkSettings:
    """Where Spark runs and with what: the master URL, settings given by the user, and whether the JVM may
    write to the terminal."""

    master: str = LOCAL_MASTER
    conf: tuple[tuple[str, str], ...] = ()
    verbose: bool = False


_settings = SparkSettings()
_session: Any = None
_log: Path | None = None
_keep_log = False


def use_spark(settings: SparkSettings) -> None:
    """Choose where this process's Spark session runs; ValueError for a malformed URL, or once a session
    runs elsewhere (Spark has one per process)."""
    global _settings
    parse_master(settings.master)
    if _session is not None and settings != _settings:
        raise ValueError(f"Spark already runs on {_settings.master} in this process; a process has one Spark session")
    _settings = settings


def spark_settings() -> SparkSettings:
    """The settings this process's Spark session starts (or started) with."""
    return _settings


def _reach(master: Master) -> None:
    """Fail in seconds when no endpoint answers, instead of Spark's minute of retries."""
    problems = []
    for host, port in master.endpoints:
        try:
            socket.create_connection((host, port), timeout=_REACH_SECONDS).close()
            return
        except OSError as problem:
            problems.append(f"{host}:{port}: {problem.strerror or problem}")
    if problems:
        what = "Spark Connect server" if master.kind == "connect" else "Spark master"
        raise SparkUnavailable(f"cannot reach the {what} at {master.url} ({'; '.join(problems)}): is it running, and is the address right?")


def _log_file() -> Path:
    """Spark's log for this process: kept if something went wrong (the message names it), else removed at exit."""
    global _log
    if _log is None:
        handle, name = tempfile.mkstemp(prefix="dailyseg-spark-", suffix=".log")
        os.close(handle)
        _log = Path(name)
        atexit.register(_remove_log)
    return _log


def _remove_log() -> None:
    if _log is not None and not _keep_log:
        _log.unlink(missing_ok=True)


def _where_logged() -> str:
    global _keep_log
    if _log is None or _settings.verbose:
        return ""
    _keep_log = True
    return f"; Spark's log: {_log}"


def _driver_java_options() -> str:
    """The driver JVM's options, for a quicker start. The JIT's quick tier: the driver plans and collects
    totals (measured: a small book's first computation 37 s -> 23 s on a loaded 2-core machine). And a
    class-data archive of Spark's classes in the user's cache, written by the first run as its JVM exits
    and mapped by the later ones (measured: JVM start 8 -> 4.3 CPU s, a small book 20 -> 12.5 CPU s). The
    JVM checks an archive against itself and ignores, with a line in Spark's log, one it cannot use."""
    import pyspark

    identity = "|".join((pyspark.__file__, os.environ.get("JAVA_HOME", ""), os.path.realpath(shutil.which("java") or "")))
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "dailyseg"
    archive = cache / f"spark-{pyspark.__version__}-{hashlib.sha256(identity.encode()).hexdigest()[:12]}.jsa"
    if not archive.exists():  # a dump is written under its writer's id, and taken once that writer has gone
        for dump in cache.glob(archive.name + ".*"):
            if dump.suffix[1:].isdigit() and not _alive(int(dump.suffix[1:])):
                dump.replace(archive)
    quick = "-XX:TieredStopAtLevel=1"
    if archive.exists():
        return f"{quick} -XX:SharedArchiveFile={archive}"
    cache.mkdir(parents=True, exist_ok=True)
    return f"{quick} -XX:ArchiveClassesAtExit={archive}.{os.getpid()}"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def _last_said() -> str:
    """Why a JVM would not start (no Java, a heap size it refuses), in its own words: the log's first line that
    reads as an error, else its last line."""
    lines = (
        [line.strip() for line in _log.read_text("utf-8", "replace").splitlines() if line.strip()] if _log and not _settings.verbose else []
    )
    said = next((line for line in lines if _COMPLAINT.search(line)), lines[-1] if lines else "")
    return f' (it said: "{said[:300]}")' if said else ""


def _classic(master: Master) -> Any:
    """A session whose driver is this process: local, standalone or a resource manager."""
    from py4j.protocol import Py4JError  # type: ignore[import-untyped]
    from pyspark import SparkConf, SparkContext
    from pyspark.errors import PySparkException
    from pyspark.java_gateway import launch_gateway
    from pyspark.sql import SparkSession

    conf = (
        SparkConf()
        .setMaster(master.url)
        .setAppName("dailyseg")
        .setAll([*_CLASSIC.items(), *(_LOCAL.items() if master.kind == "local" else ())])
        .set("spark.driver.extraJavaOptions", _driver_java_options())
    )
    conf.setAll([*_settings.conf, *EXACT_SQL.items()])
    _reach(master)
    # The JVM inherits no terminal: its output goes to the log, or with `verbose` to standard error, never to
    # standard output, which may carry the filing.
    log = None if _settings.verbose else _log_file().open("ab")
    streams = {"stdout": sys.stderr.fileno()} if log is None else {"stdout": log, "stderr": log}
    try:
        context = SparkContext(conf=conf, gateway=launch_gateway(conf, popen_kwargs=streams))  # type: ignore[no-untyped-call]
    except (PySparkException, Py4JError, OSError) as problem:
        raise SparkUnavailable(f"Spark could not start on {master.url}: {_first_line(problem)}{_last_said()}{_where_logged()}") from None
    finally:
        if log is not None:
            log.close()  # the JVM writes through its own copy
    if master.kind != "local":
        atexit.register(context.stop)  # gives the cluster its executors back at once
    return SparkSession(context)


def _connect(master: Master) -> Any:
    """A Spark Connect session: the driver runs on the server, this process is a client."""
    try:
        from pyspark.sql.connect.session import SparkSession as RemoteSession
    except ImportError as problem:
        raise SparkUnavailable(
            f"Spark Connect ({master.url}) needs PySpark's connect client, which is not installed here "
            f"({_first_line(problem)}): install pyspark[connect], or give a spark:// master URL"
        ) from None
    from pyspark.errors import PySparkException

    _reach(master)
    try:
        session = RemoteSession.builder.remote(master.url).config(map=dict(_settings.conf)).getOrCreate()
        for key, value in EXACT_SQL.items():
            session.conf.set(key, value)
    except PySparkException as problem:
        raise SparkUnavailable(f"Spark Connect at {master.url} refused the session: {_first_line(problem)}") from None
    return session


def spark_session() -> Any:
    """This process's Spark session, started on first use where `use_spark` said (local[2] by default),
    configured for exact decimals; SparkUnavailable when Spark cannot start or its cluster is out of reach."""
    global _session
    if _session is None:
        master = parse_master(_settings.master)
        _session = _connect(master) if master.kind == "connect" else _classic(master)
    return _session


def spark_activity() -> str:
    """What Spark is doing now, in a few words, for a progress line: starting, waiting for executors, or how
    many tasks of the running stages are done."""
    master = _settings.master
    if _session is None:
        return f"starting Spark ({master})"
    context = getattr(_session, "_sc", None)
    if context is None:  # Spark Connect: the server runs the jobs and reports no stages to its clients
        return f"computing on Spark Connect ({master})"
    tracker = context.statusTracker()
    stages = [info for info in map(tracker.getStageInfo, tracker.getActiveStageIds()) if info is not None]
    if not stages:
        return f"computing on Spark ({master})"
    done, total = sum(s.numCompletedTasks for s in stages), sum(s.numTasks for s in stages)
    if not master.startswith("local") and context._jsc.sc().getExecutorMemoryStatus().size() <= 1:
        return f"waiting for {master} to grant executors (the driver alone is registered)"
    return f"Spark ({master}): {len(stages)} stage{'s' * (len(stages) > 1)} running, {done}/{total} tasks done"


def spark_failure(problem: BaseException) -> str | None:
    """A message for a Spark error met while computing (an executor lost, a file an executor cannot read), or
    None when `problem` does not come from Spark, or is Spark refusing a query dailyseg wrote (a defect, to be
    reported as one). Only Spark's first line is shown: its log has the rest."""
    errors = sys.modules.get("pyspark.errors")
    spark_errors = tuple(
        getattr(sys.modules[module], name)
        for module, name in (("py4j.protocol", "Py4JError"), ("pyspark.errors", "PySparkException"))
        if module in sys.modules
    )
    if not isinstance(problem, spark_errors) or (errors is not None and isinstance(problem, errors.AnalysisException)):
        return None
    return f"Spark failed on {_settings.master}: {_first_line(problem)}{_where_logged()}"


def _first_line(problem: BaseException) -> str:
    text = str(problem).strip()
    java = re.search(r"^\S*(Exception|Error)\S*: .*$", text, re.MULTILINE)  # a Java error's own line, not py4j's preamble
    return (java.group(0) if java else text.splitlines()[0] if text else type(problem).__name__)[:500]
