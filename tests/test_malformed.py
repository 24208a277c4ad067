"""Malformed input ends in a clear problem report (where, what was expected, what was found), never a traceback."""

from __future__ import annotations

import html
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path

import pytest

import dailyseg
from dailyseg.catalogue import CATALOGUE
from dailyseg.filing import Filing
from dailyseg.parse import MAX_DOCUMENT_BYTES
from dailyseg.problems import Problem, ReadResult
from tests.conftest import SAMPLE

SAMPLE_BYTES = SAMPLE.read_bytes()


def only(problems: tuple[Problem, ...]) -> Problem:
    assert len(problems) == 1, problems
    return problems[0]


def line_of(text: str, fragment: str) -> int:
    """The 1-based line number of the first line holding `fragment`."""
    return next(number for number, line in enumerate(text.splitlines(), start=1) if fragment in line)


@pytest.mark.parametrize("document", [b"", b"  \n\t\r\n  \n"], ids=["empty", "whitespace"])
def test_empty_documents_are_fatal(document: bytes) -> None:
    for result in (dailyseg.read(document), dailyseg.read(document.decode(), text=True)):
        problem = only(result.problems)
        assert (problem.severity, problem.message, problem.expected, problem.found) == ("fatal", "empty document", "a filing", "no text")
        assert result.filings == ()


def test_a_missing_file_is_fatal(tmp_path: Path) -> None:
    path = tmp_path / "absent.txt"
    problem = only(dailyseg.read(path).problems)
    assert problem.severity == "fatal"
    assert problem.source == str(path)
    assert problem.message == "cannot open the file: No such file or directory"


def test_binary_bytes_are_fatal() -> None:
    result = dailyseg.read(bytes(range(256)) * 40)
    problem = only(result.problems)
    assert (problem.severity, problem.message, problem.expected) == ("fatal", "binary data, not a text document", "text")
    assert problem.found.endswith("control bytes in the first 8192")
    assert result.filings == ()


def assert_truncated_prefix(result: ReadResult, sample: Filing) -> None:
    """What was read is right, and what is missing is reported (as a problem or as missing lines)."""
    complete_codes: set[str] = set()
    for filing in result.filings:
        for ref, amount in filing.amounts.items():
            assert sample.amounts[ref] == amount, ref
        findings = dailyseg.validate(filing)
        complete_codes |= {code for f in findings if f.rule == "complete" for code in f.codes}
        for statement in filing.statements:
            coded = {r.ref for r in CATALOGUE.statement_by_id[statement].rows(filing.layout) if r.code is not None}
            assert coded <= filing.amounts.keys() | complete_codes, statement
    assert result.problems or complete_codes


@pytest.mark.parametrize("cut", range(250, len(SAMPLE_BYTES), 250))
def test_truncated_document_reads_what_it_can(cut: int, sample_filing: Filing) -> None:
    result = dailyseg.read(SAMPLE_BYTES[:cut])
    assert_truncated_prefix(result, sample_filing)
    if not result.filings:
        assert any(p.severity == "fatal" for p in result.problems)


def test_a_document_cut_inside_a_header_says_so(sample_text: str) -> None:
    cut = sample_text.index("**Daily Segregation - Swaps Statement**")
    result = dailyseg.read(sample_text[:cut], text=True)
    problem = only(result.problems)
    assert problem.message == "a header with no statement after it: the document may be truncated"
    assert problem.found == "end of document"
    assert problem.line == line_of(sample_text[:cut], "**INITIAL**  ")
    assert result.filing.statements == ("secured", "segregation")


def test_utf16_with_bom_reads_fine(sample_text: str, sample_filing: Filing) -> None:
    data = sample_text.encode("utf-16")
    assert data[:2] in (b"\xff\xfe", b"\xfe\xff")
    result = dailyseg.read(data)
    assert result.problems == ()
    assert result.filing == sample_filing


def test_windows_1252_reads_with_a_warning(sample_text: str, sample_filing: Filing) -> None:
    text = sample_text.replace("Citigroup Global Markets Inc.", "Société Générale Inc.")
    result = dailyseg.read(text.encode("cp1252"))
    problem = only(result.problems)
    assert problem.severity == "warning"
    assert problem.message == "not valid UTF-8; read as Windows-1252"
    assert (problem.expected, problem.found) == ("UTF-8", "byte 0xe9")
    assert problem.line == line_of(text, "Société")
    assert result.filing.header.firm_name == "Société Générale Inc."
    assert result.filing.amounts == sample_filing.amounts


def test_a_50_megabyte_file_is_refused_in_bounded_time_and_memory(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    size = 50 * 1024 * 1024
    with path.open("wb") as out:
        for _ in range(size // len(SAMPLE_BYTES) + 1):
            out.write(SAMPLE_BYTES)
    assert path.stat().st_size >= size
    tracemalloc.start()
    started = time.perf_counter()
    try:
        result = dailyseg.read(path)
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    problem = only(result.problems)
    assert problem.severity == "fatal"
    assert problem.message == "document too large to be a daily segregation filing"
    assert problem.expected == f"at most {MAX_DOCUMENT_BYTES:,} bytes"
    assert problem.found == f"more than {MAX_DOCUMENT_BYTES:,} bytes"
    assert result.filings == ()
    assert elapsed < 3.0
    assert peak < size // 2


def test_a_value_of_40_digits_is_reported_and_not_stored(sample_text: str) -> None:
    digits = "9" * 40
    text = sample_text.replace("<u>5,778,968,167</u> [7010]", f"<u>{digits}</u> [7010]")
    result = dailyseg.read(text, text=True)
    problem = only(result.problems)
    assert problem.code == "7010"
    assert problem.line == line_of(text, "[7010]")
    assert problem.message == "cannot read the amount: amount of 40 digits exceeds the 15-digit limit"
    assert problem.found == repr(digits)
    assert problem.severity == "error"
    assert "7010" not in result.filing
    assert [f.codes for f in dailyseg.validate(result.filing, ["complete"])] == [("7010",)]


def test_a_code_twice_with_two_values_names_both_lines(sample_text: str) -> None:
    first = line_of(sample_text, "[7010]")
    lines = sample_text.splitlines()
    second = line_of(sample_text, "[7190]") + 1
    lines.insert(second - 1, "\tA. Cash\t<u>1</u> [7010]")
    result = dailyseg.read("\n".join(lines), text=True)
    problem = only(result.problems)
    assert problem.code == "7010"
    assert problem.line == second
    assert problem.message == f"code appears twice with two values; kept the first (line {first})"
    assert (problem.expected, problem.found) == ("one value (5778968167)", "1")
    assert result.filing[7010] == Decimal("5778968167")


def test_an_unknown_code_is_kept_and_flagged(sample_text: str) -> None:
    text = sample_text.replace("<u>0</u> [7170]", "<u>0</u> [7170]\n\tOther deposits\t<u>1,234</u> [7175]")
    result = dailyseg.read(text, text=True)
    assert result.problems == ()
    (unknown,) = result.filing.unknown
    assert (unknown.statement, unknown.ref, unknown.amount, unknown.label) == ("segregation", "7175", Decimal(1234), "Other deposits")
    (finding,) = dailyseg.validate(result.filing)
    assert (finding.rule, finding.severity, finding.codes, finding.actual) == ("unknown-codes", "warning", ("7175",), Decimal(1234))


def test_amounts_in_parentheses_are_negative(sample_text: str, sample_filing: Filing) -> None:
    text = sample_text.replace("-6,984,471", "(6,984,471)").replace("-96,406", "(96,406)")
    assert "(6,984,471)" in text and "(96,406)" in text
    result = dailyseg.read(text, text=True)
    assert result.problems == ()
    assert result.filing == sample_filing
    assert result.filing[7735] == Decimal(-6984471)


def html_page(text: str) -> str:
    """The sample as an HTML page: headers in paragraphs, statement rows in table rows and cells."""
    parts = ["<!DOCTYPE html><html><head><title>Daily Seg</title></head><body>"]
    table = False
    for line in text.splitlines():
        if "\t" in line:
            if not table:
                parts.append("<table>")
                table = True
            cells = [cell if "<u>" in cell else html.escape(cell) for cell in line.split("\t")]
            parts.append("<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>")
            continue
        if table:
            parts.append("</table>")
            table = False
        if line.strip():
            stripped = line.strip().strip("*")
            parts.append(f"<p><b>{html.escape(stripped)}</b></p>" if line.startswith("**") else f"<p>{html.escape(stripped)}</p>")
    parts.append("</table></body></html>" if table else "</body></html>")
    return "".join(parts)


def test_an_html_table_page_reads_like_the_text(sample_text: str, sample_filing: Filing) -> None:
    page = html_page(sample_text)
    assert page.count("<tr>") > 70 and "&#x27;" in page and "\n" not in page
    result = dailyseg.read(page, text=True)
    assert result.problems == ()
    assert result.filing == sample_filing


def test_an_amount_that_lost_its_code_is_reported_but_a_number_ending_a_label_is_not(sample_text: str) -> None:
    lost = sample_text.replace("<u>0</u> [7170]", "<u>0</u>")
    result = dailyseg.read(lost)
    [problem] = result.problems
    assert (problem.message, problem.found, problem.line) == ("amount without a code", "0", 91)
    wrapped = sample_text.replace("(add lines 7 through 12)\t", "(add lines 7\n")
    assert dailyseg.read(wrapped).problems == ()
