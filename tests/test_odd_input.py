"""Odd input to the library gives a clear answer, never a traceback from deep inside.

Standard input that is closed or unreadable, a demo book too small or with a negative number of
positions, an explanation asked for fewer than one contributor.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import dailyseg
from dailyseg.compute import Books, Computation, compute
from dailyseg.compute.demo import MAX_POSITIONS, MIN_ACCOUNTS, MIN_POSITIONS, generate
from dailyseg.compute.lineage import explain
from dailyseg.filing import Filing
from tests.conftest import SAMPLE

READ_STDIN = "import dailyseg; r = dailyseg.read('-'); print(r.readable, [str(p) for p in r.problems])"


def read_stdin(prelude: str = "", redirect: str = "") -> str:
    """What reading "-" prints in a fresh interpreter, standard input redirected by the shell as given."""
    shell = f'exec "$0" -c "$1" {redirect}'
    run = subprocess.run(
        ["sh", "-c", shell, sys.executable, prelude + READ_STDIN], stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 0 and "Traceback" not in run.stderr, run.stderr
    return run.stdout.strip()


def test_stdin_empty() -> None:
    assert read_stdin() == "False ['<stdin>: empty document; expected a filing; found no text']"


@pytest.mark.parametrize(
    ("prelude", "redirect"),
    [("", "0<&-"), ("import sys; sys.stdin.close()\n", ""), ("import sys; sys.stdin = None\n", "")],
    ids=["closed-at-start", "closed-by-the-program", "none"],
)
def test_stdin_closed(prelude: str, redirect: str) -> None:
    assert read_stdin(prelude, redirect) == "False ['<stdin>: standard input is closed']"


def test_stdin_unreadable(tmp_path: Path) -> None:
    """Standard input open for writing only: the read fails with EBADF."""
    output = read_stdin(redirect=f"0>{tmp_path / 'out'}")
    assert output == "False ['<stdin>: cannot read standard input: Bad file descriptor']"


def test_stdin_of_text_only(monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    monkeypatch.setattr(sys, "stdin", io.StringIO("text"))
    result = dailyseg.read("-")
    assert not result.readable and [p.message for p in result.problems] == ["standard input gives text, not bytes"]


@pytest.fixture(scope="module")
def sample() -> Filing:
    return dailyseg.read(SAMPLE).filing


@pytest.fixture(scope="module")
def smallest_book(tmp_path_factory: pytest.TempPathFactory, sample: Filing) -> Iterator[tuple[Path, Books]]:
    """The smallest demo book, written under a umask that leaves group read only and others nothing."""
    folder = tmp_path_factory.mktemp("smallest")
    previous = os.umask(0o027)
    try:
        books = generate(folder, accounts=MIN_ACCOUNTS, positions_per_account=1, target=sample)
    finally:
        os.umask(previous)
    yield folder, books


def test_smallest_demo_book_equals_the_sample(smallest_book: tuple[Path, Books], sample: Filing) -> None:
    _, books = smallest_book
    assert compute(books).filing.amounts == sample.amounts


def test_demo_files_honour_the_umask(smallest_book: tuple[Path, Books]) -> None:
    folder, _ = smallest_book
    modes = {path.name: oct(path.stat().st_mode & 0o777) for path in folder.iterdir()}
    assert {"firm.toml", "confirmations.csv", "positions.csv"} <= modes.keys()
    assert set(modes.values()) == {oct(0o640)}, modes


def test_demo_parquet_files_honour_the_umask(tmp_path: Path, sample: Filing) -> None:
    previous = os.umask(0o077)
    try:
        generate(tmp_path, accounts=MIN_ACCOUNTS, positions_per_account=0, target=sample, parquet=True)
    finally:
        os.umask(previous)
    modes = {path.name: oct(path.stat().st_mode & 0o777) for path in tmp_path.iterdir()}
    assert "positions.parquet" in modes and set(modes.values()) == {oct(0o600)}, modes


@pytest.mark.parametrize(
    ("accounts", "positions", "message"),
    [
        (MIN_ACCOUNTS - 1, 3, f"accounts must be at least {MIN_ACCOUNTS} (10 in each customer class), not {MIN_ACCOUNTS - 1}"),
        (0, 3, f"accounts must be at least {MIN_ACCOUNTS} (10 in each customer class), not 0"),
        (-5, 3, f"accounts must be at least {MIN_ACCOUNTS} (10 in each customer class), not -5"),
        (3000, MIN_POSITIONS - 1, f"positions_per_account must be from {MIN_POSITIONS} to {MAX_POSITIONS}, not -1"),
        (3000, MAX_POSITIONS + 1, f"positions_per_account must be from {MIN_POSITIONS} to {MAX_POSITIONS}, not {MAX_POSITIONS + 1}"),
    ],
)
def test_demo_refuses_sizes_out_of_range(tmp_path: Path, sample: Filing, accounts: int, positions: int, message: str) -> None:
    folder = tmp_path / "book"
    with pytest.raises(ValueError) as raised:
        generate(folder, accounts=accounts, positions_per_account=positions, target=sample)
    assert str(raised.value) == message
    assert not folder.exists()  # refused before anything was written


@pytest.fixture(scope="module")
def computed(smallest_book: tuple[Path, Books]) -> tuple[Books, Computation]:
    _, books = smallest_book
    return books, compute(books)


@pytest.mark.parametrize("limit", [0, -1])
@pytest.mark.parametrize("code", ["7010", "7070"])  # a line summed over accounts, one summed over depositories
def test_explain_refuses_a_limit_below_one(computed: tuple[Books, Computation], code: str, limit: int) -> None:
    books, computation = computed
    with pytest.raises(ValueError, match=f"at least 1, not {limit}"):
        explain(books, computation, code, limit=limit)


def test_explain_with_a_limit_of_one(computed: tuple[Books, Computation]) -> None:
    books, computation = computed
    assert len(explain(books, computation, "7010", limit=1).contributors) == 1
