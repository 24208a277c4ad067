"""No traceback for any option value or odd input, files that others can read, and a command line that starts
without the heavy libraries. One test per defect the command line was seen to have."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli_support import EXECUTABLE, in_pipe
from tests.conftest import SAMPLE

pytestmark = pytest.mark.cli  # runs the installed command in subprocesses

OK, FOUND_ERRORS, UNREADABLE = 0, 1, 2
HEAVY = ("sqlalchemy", "fastapi", "pydantic", "starlette", "uvicorn", "ibis", "numpy", "pandas", "sqlglot", "pyarrow", "duckdb")


def _no_traceback(done: object) -> None:
    text = getattr(done, "stdout", "") + getattr(done, "stderr", "")
    assert "Traceback" not in text, text


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("book") / "demo"
    assert in_pipe("demo", "--accounts", "400", "-o", str(folder)).code == OK
    return folder


def test_explain_top_below_one_is_a_usage_error(book: Path) -> None:
    """The defect: `explain demo 7010 --top -1` ended in a DuckDB BinderException."""
    for top in ("-1", "0"):
        done = in_pipe("explain", str(book), "7010", "--top", top)
        assert done.code == UNREADABLE
        assert "--top" in done.stderr and "x>=1" in done.stderr
        _no_traceback(done)


@pytest.mark.parametrize("accounts", ["0", "-5"])
def test_demo_with_no_accounts_is_a_usage_error(tmp_path: Path, accounts: str) -> None:
    """The defect: `demo --accounts 0` and `-5` ended in a ValueError traceback."""
    done = in_pipe("demo", "--accounts", accounts, "-o", str(tmp_path / "book"))
    assert done.code == UNREADABLE and "--accounts" in done.stderr
    _no_traceback(done)


def test_demo_with_few_accounts_says_why_or_succeeds(tmp_path: Path) -> None:
    """The defect: `demo --accounts 10` ended in a ValueError traceback."""
    done = in_pipe("demo", "--accounts", "10", "-o", str(tmp_path / "book"))
    _no_traceback(done)
    assert done.code in (OK, UNREADABLE)
    if done.code == UNREADABLE:
        assert "accounts" in done.stderr


def test_demo_with_negative_positions_is_a_usage_error(tmp_path: Path) -> None:
    """The defect: `demo --positions -1` ended in a numpy error."""
    done = in_pipe("demo", "--positions", "-1", "-o", str(tmp_path / "book"))
    assert done.code == UNREADABLE and "--positions" in done.stderr
    _no_traceback(done)


def test_demo_refuses_a_folder_that_holds_other_files(tmp_path: Path) -> None:
    """The demo replaces a book's tables; it must never delete a user's CSV files in a folder that is not a book."""
    (tmp_path / "mine.csv").write_text("precious\n", "utf-8")
    done = in_pipe("demo", "-o", str(tmp_path))
    assert done.code == UNREADABLE and "no firm.toml" in done.stderr
    assert (tmp_path / "mine.csv").read_text("utf-8") == "precious\n"


def test_validate_with_standard_input_closed() -> None:
    """The defect: `validate -` with standard input closed ended in an AttributeError."""
    done = subprocess.run(f"'{EXECUTABLE}' validate - <&-", shell=True, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == UNREADABLE
    assert "<stdin>" in done.stderr
    _no_traceback(done)


def test_a_defect_is_a_short_message_with_a_documented_code(tmp_path: Path) -> None:
    """Whatever fails inside dailyseg is exit 3 with one line saying how to see the traceback, not a traceback."""
    script = (
        "import sys, dailyseg.cli.filing_commands as f\n"
        "def broken(*a, **k): raise RuntimeError('boom')\n"
        "f._findings = broken\n"
        "from dailyseg.cli import main\n"
        f"sys.argv = ['dailyseg', 'validate', {str(SAMPLE)!r}]\n"
        "main()\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 3
    assert "dailyseg failed: RuntimeError: boom" in done.stderr and "DAILYSEG_DEBUG=1" in done.stderr
    _no_traceback(done)


@pytest.fixture
def umask_022() -> Iterator[None]:
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.usefixtures("umask_022")
def test_files_written_with_output_honour_the_umask(tmp_path: Path, book: Path) -> None:
    """The defect: convert, compute, publish and demo wrote their files with mode 0600."""
    converted, computed = tmp_path / "filing.json", tmp_path / "computed.txt"
    assert in_pipe("convert", str(SAMPLE), "--format", "json", "-o", str(converted)).code == OK
    assert in_pipe("compute", str(book), "-o", str(computed)).code == OK
    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    assert in_pipe("ingest", str(SAMPLE), "--db", url).code == OK
    published = tmp_path / "published.html"
    assert in_pipe("publish", "citigroup-global-markets", "--db", url, "-o", str(published)).code == OK
    for path in (converted, computed, published, *book.iterdir()):
        assert _mode(path) == 0o644, path
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


@pytest.mark.usefixtures("umask_022")
def test_a_replaced_file_keeps_its_mode(tmp_path: Path) -> None:
    target = tmp_path / "filing.csv"
    target.write_text("old\n", "utf-8")
    target.chmod(0o640)
    assert in_pipe("convert", str(SAMPLE), "--format", "csv", "-o", str(target)).code == OK
    assert _mode(target) == 0o640 and target.read_text("utf-8").startswith("firm,")


def test_the_command_line_starts_without_the_heavy_libraries() -> None:
    """`import dailyseg.cli` (what `dailyseg --help` and `validate` pay for) loads none of the heavy libraries."""
    done = subprocess.run(
        [sys.executable, "-c", "import sys, dailyseg.cli; print(' '.join(sorted(sys.modules)))"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    loaded = {name.split(".")[0] for name in done.stdout.split()}
    assert loaded.isdisjoint(HEAVY), sorted(loaded & set(HEAVY))


def test_validate_loads_only_what_it_uses(tmp_path: Path) -> None:
    """Once the holiday calendar's answers are cached (the first run), validating loads no heavy library."""
    script = (
        "import sys, runpy\n"
        f"sys.argv = ['dailyseg', 'validate', {str(SAMPLE)!r}]\n"
        "import atexit\n"
        "atexit.register(lambda: sys.stderr.write(' '.join(sorted(sys.modules))))\n"
        "from dailyseg.cli import main\n"
        "main()\n"
    )
    env = os.environ | {"XDG_CACHE_HOME": str(tmp_path)}
    for _ in range(2):
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False, env=env)
    assert done.returncode == OK, done.stderr
    loaded = {name.split(".")[0] for name in done.stderr.split()}
    assert loaded.isdisjoint((*HEAVY, "rich", "holidays")), sorted(loaded & {*HEAVY, "rich", "holidays"})
