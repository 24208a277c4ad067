"""Fuzzing `dailyseg.read` with real documents damaged the ways files are, and the caps on its problems.

The documents are the sample, the WinJammer PDF text and renders of generated filings in text, JSON and CSV;
the damage is byte flips, insertions of hostile fragments (unclosed markup, long runs of blanks, `1,` and `[`,
lone surrogates, NUL, CR-only line ends, huge fields, non-ASCII digits, BOMs), deletions, duplications and
truncations. Whatever comes of it, `read` returns a `ReadResult` in bounded time, and every problem says
where and what. `mutate` takes a `random.Random` so that benchmarks/fuzz_read.py runs the same damage on a
hundred thousand documents; here hypothesis draws the generator, so a failure shrinks and replays.
"""

from __future__ import annotations

import json
import random
import re
import time
from collections.abc import Callable
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import dailyseg
from dailyseg.filing import Filing
from dailyseg.problems import PROBLEMS_PER_KIND, ReadResult
from dailyseg.render import renderer
from dailyseg.serial import ShapeError, filing_from_dict
from tests.strategies import documents

ROOT = Path(__file__).resolve().parent.parent
SEEDS = (ROOT / "examples" / "daily-seg-citigroup-2013-07-25.txt", ROOT / "tests" / "data" / "winjammer-pdf-text.txt")
# Reading a filing takes milliseconds and a damaged one of up to a megabyte well under a second; a bound far
# above that still catches a super-linear blow-up, on a shared machine too.
TIME_BOUND = 5.0
CSV_HEADER = "firm,end_date,status,form,submit_date,layout,statement,line,code,label,value\n"

# What damaged and hostile documents hold; each is inserted whole at a random place.
FRAGMENTS: tuple[bytes, ...] = (
    b"<script",
    b"<script>",
    b"<style>",
    b"<head",
    b"<br",
    b"<br/>",
    b"<table><tr><td>",
    b"</td>",
    b"<" * 5_000,
    b" " * 50_000,
    b"\t" * 5_000,
    b"1," * 30_000,
    b"1 " * 20_000,
    b"1." * 20_000,
    b"0 " * 5_000 + b"[8715]",
    b"9" * 5_000,
    b"(" * 5_000,
    b"[" * 30_000,
    b"{" * 30_000,
    b'{"filings": [' * 2_000,
    b"[7010]" * 5_000,
    b"\x00",
    b"\x00" * 500,
    b"\r",
    b"\r\n",
    b"\n" * 10_000,
    b"\x0c",
    "\ud800".encode("utf-8", "surrogatepass"),  # a lone surrogate as UTF-8 would write it: invalid UTF-8
    b"\\ud800",
    b"\\u",
    b"\xff",
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"\xfe\xff",
    "٧٠١٠".encode(),
    "𝟳𝟬𝟭𝟬".encode(),
    "7０10".encode(),
    "\u00a0\u2028\u0085".encode(),
    b"&amp;" * 2_000,
    b"&#",
    b"&#x110000;",
    b'"',
    b'"' * 1_000,
    b"," * 20_000,
    b"x" * 200_000,
    b"W I N J A M M E R  F I L I N G  INITIAL\n",
    b"End Date:",
    b"Submit Date: 13/45/2013",
    b"INITIAL\n",
    b"Daily Segregation - Segregation Statement\n",
    b"Daily Segregation - Cover Page\n",
    b"%PDF-1.4\n",
    b"firm,end_date,",
)
_DIGITS = re.compile(rb"[0-9]")
_NON_ASCII_DIGITS = ("٧".encode(), "𝟳".encode(), "０".encode(), "७".encode())


def mutate(data: bytes, rng: random.Random, steps: int = 0) -> bytes:
    """`data` damaged by 1 to 6 (or `steps`) random edits: flips, insertions, deletions, duplications, cuts."""
    for _ in range(steps or rng.randint(1, 6)):
        at = rng.randint(0, len(data))
        kind = rng.randrange(10)
        if kind == 0 and data:  # a bit flipped
            at = min(at, len(data) - 1)
            data = data[:at] + bytes([data[at] ^ (1 << rng.randrange(8))]) + data[at + 1 :]
        elif kind in (1, 2, 3):  # a hostile fragment
            data = data[:at] + rng.choice(FRAGMENTS) + data[at:]
        elif kind == 4:  # a span deleted
            data = data[:at] + data[at + rng.randint(1, 2_000) :]
        elif kind == 5:  # a span repeated
            span = data[at : at + rng.randint(1, 2_000)]
            data = data[:at] + span * rng.randint(2, 50) + data[at:]
        elif kind == 6:  # cut short
            data = data[:at]
        elif kind == 7:  # line ends of another system
            data = data.replace(b"\r\n", b"\n").replace(b"\n", rng.choice((b"\r", b"\r\n", b"\n\n")))
        elif kind == 8:  # a byte-order mark, or a digit written in another script
            digit = _DIGITS.search(data, at)
            if rng.random() < 0.5 or digit is None:
                data = rng.choice((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")) + data
            else:
                data = data[: digit.start()] + rng.choice(_NON_ASCII_DIGITS) + data[digit.end() :]
        else:  # a random byte run
            data = data[:at] + rng.randbytes(rng.randint(1, 64)) + data[at:]
    return data


def rendered(filings: list[Filing] | tuple[Filing, ...], fmt: str) -> bytes:
    """A document as dailyseg writes it, in bytes."""
    output = renderer(fmt)(filings)
    return output.encode("utf-8") if isinstance(output, str) else output


def check_read(data: bytes | str) -> ReadResult:
    """Read a document, as bytes or as text, and check the promises: a result, in time, every problem complete."""
    start = time.perf_counter()
    result = dailyseg.read(data, text=True) if isinstance(data, str) else dailyseg.read(data)
    elapsed = time.perf_counter() - start
    assert isinstance(result, ReadResult)
    assert elapsed < TIME_BOUND, f"{len(data)} long document read in {elapsed:.2f} s"
    for problem in result.problems:
        assert problem.source and isinstance(problem.source, str)
        assert problem.message and isinstance(problem.message, str)
        str(problem).encode("utf-8")  # every problem can be written out
    return result


@cache
def _seeds() -> tuple[bytes, ...]:
    return tuple(path.read_bytes() for path in SEEDS)


def _as_text(data: bytes) -> str:
    """The document as a `str` a caller may hold: bytes that are not UTF-8 become lone surrogates."""
    return data.decode("utf-8", "surrogateescape")


_FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


# -- 1. the fuzz target: about 10 s of damaged documents -----------------------------------------------------
@pytest.mark.slow
@_FUZZ
@given(seed=st.integers(0, len(SEEDS) - 1), rng=st.randoms(use_true_random=False))
def test_damaged_real_documents_never_raise(seed: int, rng: random.Random) -> None:
    damaged = mutate(_seeds()[seed], rng)
    check_read(damaged)
    check_read(_as_text(damaged))


@pytest.mark.slow
@_FUZZ
@given(filings=documents(), fmt=st.sampled_from(["text", "json", "csv"]), rng=st.randoms(use_true_random=False))
def test_damaged_renders_never_raise(filings: list[Filing], fmt: str, rng: random.Random) -> None:
    damaged = mutate(rendered(filings, fmt), rng)
    check_read(damaged)
    check_read(_as_text(damaged))


# -- 2. problems are capped per kind in JSON and CSV ----------------------------------------------------------
def _read_quickly(data: bytes) -> ReadResult:
    start = time.process_time()
    result = dailyseg.read(data)
    # A million bad values cost a few CPU seconds (about 3-5 µs each); the bound allows a loaded machine.
    assert time.process_time() - start < 15
    return result


def _assert_capped(result: ReadResult, message: str, kind: str, total: int) -> None:
    """PROBLEMS_PER_KIND problems whose message holds `message`, then one that counts all `total` of the kind."""
    listed = [p for p in result.problems if message in p.message and "more problems like this" not in p.message]
    rest = [p for p in result.problems if p.message == f"{total - PROBLEMS_PER_KIND} more problems like this: {kind}"]
    assert len(listed) == PROBLEMS_PER_KIND, [str(p) for p in result.problems]
    assert len(rest) == 1, [str(p) for p in result.problems]
    assert rest[0].found.startswith(f"{total} in all")
    assert len(result.problems) <= 5 * (PROBLEMS_PER_KIND + 1)


@pytest.mark.slow
def test_a_million_bad_filings_in_json_give_capped_problems() -> None:
    count = 1_000_000
    data = b"[" + b"1," * (count - 1) + b"1]"  # 2 MB
    result = _read_quickly(data)
    _assert_capped(result, "filing: expected an object", "filing: expected an object", count)
    assert all(p.severity == "fatal" for p in result.problems)
    assert "the last in filing 1000000" in result.problems[-1].found


@pytest.mark.slow
def test_bad_values_of_one_json_filing_are_each_counted() -> None:
    count = 200_000
    statements = {"secured": {str(1000 + i): "x" for i in range(count)}}
    data = json.dumps({"format": "dailyseg-filing", "filings": [{"statements": statements}]}).encode("utf-8")
    assert 2_000_000 < len(data) < 3_000_000
    result = _read_quickly(data)
    _assert_capped(result, "not an amount", "statements.secured.<code>: expected an amount such as 1,234 or (1,234)", count)


def test_a_bad_json_filing_among_good_ones_is_an_error_and_the_good_ones_are_read() -> None:
    good = json.loads(rendered(dailyseg.read(SEEDS[0]).filings, "json"))["filings"][0]
    data = json.dumps({"filings": [good, *([{"firm": True}] * 100), good]}).encode("utf-8")
    result = dailyseg.read(data)
    assert len(result.filings) == 2
    _assert_capped(result, "firm: expected text, found bool True", "firm: expected text", 100)
    assert {p.severity for p in result.problems} == {"error"}


@pytest.mark.slow
def test_a_million_bad_rows_in_csv_give_capped_problems() -> None:
    count = 1_000_000
    data = (CSV_HEADER + "x\n" * count).encode("utf-8")  # 2 MB of rows with no statement nor code
    result = _read_quickly(data)
    _assert_capped(result, "code  appears twice in one filing", "a code appears twice in one filing", count - 1)
    assert result.problems[-1].line == count + 1  # the last row's line
    assert all(p.severity == "fatal" for p in result.problems)


@pytest.mark.slow
def test_bad_values_in_csv_rows_are_each_counted_at_their_line() -> None:
    count = 100_000
    data = (CSV_HEADER + "".join(f",,,,,,secured,,{i},,x\n" for i in range(count))).encode("utf-8")
    assert len(data) > 2_000_000
    result = _read_quickly(data)
    _assert_capped(result, "not an amount", "statements.secured.<code>: expected an amount such as 1,234 or (1,234)", count)
    first = result.problems[0]
    assert (first.line, first.code) == (2, "0")
    assert "the last at line 100001" in result.problems[-1].found


def test_a_bad_csv_filing_among_good_ones_is_an_error_and_the_good_ones_are_read() -> None:
    filings = dailyseg.read(SEEDS[0]).filings
    good = rendered(filings, "csv").decode("utf-8")
    rows = good.splitlines(keepends=True)
    bad = [row.replace("2013-07-25", "2013-07-26").replace(",7010,", ",70x,") for row in rows[1:]]
    result = dailyseg.read("".join([*rows, *bad]).encode("utf-8"))
    assert result.filings == filings
    (problem,) = result.problems
    assert problem.severity == "error" and problem.code == "70x"
    assert problem.line == len(rows) + next(i for i, row in enumerate(bad) if ",70x," in row) + 1


def test_huge_bad_field_gives_a_short_message() -> None:
    data = (CSV_HEADER + ",,,,,,secured,,7010,,(" + "1" * 1_000_000 + "\n").encode("utf-8")
    result = dailyseg.read(data)
    assert result.problems and all(len(str(p)) < 1_000 for p in result.problems)


def test_filing_from_dict_without_report_stops_at_the_first_bad_value() -> None:
    with pytest.raises(ShapeError, match=r"statements\.secured\.1000: not an amount") as error:
        filing_from_dict({"statements": {"secured": {"1000": "x", "1001": "y"}}})
    assert error.value.kind == "statements.secured.<code>: expected an amount such as 1,234 or (1,234)"


# -- 3. findings in the text reader (parse/text.py), kept here until fixed there -----------------------------
def _statement_lines(make: Callable[[int], str], count: int) -> bytes:
    head = "INITIAL\nEnd Date:7/25/2013\nFirm Name:X\nForm:Daily Seg - FOCUS II\nDaily Segregation - Segregation Statement\n"
    return (head + "".join(make(i) for i in range(count))).encode("utf-8")


# The defect: the text reader capped problems by message, and three messages hold what varies: the code
# ("cannot read the amount of [1000]"), the amount ("amount '1.00001' has more than 2 decimal places") or the
# line of the first value ("kept the first (line 6)"). Each distinct code, amount or line was then a kind of
# its own, and 2 MB of such lines gave about 100,000 problems. A problem's kind now leaves those out.
@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda i: f"x {i}x [{1000 + i}]\n", id="bad amounts of distinct codes"),
        pytest.param(lambda i: f"x 1.{i:04d}1 [7010]\n", id="distinct amounts with three decimals"),
        pytest.param(lambda i: f"x {i} [{10000 + i}]\nx {i + 1} [{10000 + i}]\n", id="distinct codes given twice"),
    ],
)
def test_text_problems_are_capped_when_what_varies_is_in_the_message(make: Callable[[int], str]) -> None:
    result = dailyseg.read(_statement_lines(make, 2_000))
    assert len(result.problems) <= 5 * (PROBLEMS_PER_KIND + 1), f"{len(result.problems)} problems"


# Found by benchmarks/fuzz_read.py (seed 0, document 1406: "[7010]" * 5000 inserted in a rendered filing, 61 KB
# read in 0.8-1.5 s): the cell before each unread code was found by copying and splitting all of the line
# before it, so a line of n such codes cost n^2 (90 KB of "x [7010] " took about 3 s, 180 KB about 12 s).
@pytest.mark.slow
def test_a_line_of_unread_codes_reads_in_linear_time() -> None:
    data = _statement_lines(lambda _: "x [7010] " * 6_000 + "\n", 1)  # one line of 54 KB: about 1 CPU second
    start = time.process_time()
    dailyseg.read(data)
    assert time.process_time() - start < 0.3  # linear, it would take some 30 ms
