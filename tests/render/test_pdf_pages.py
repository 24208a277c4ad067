"""The printed filing's pages, as the form prints them: the first statement under the header on page 1, the
header block (status, End Date, Firm Name, Form, Submit Date) on every later page, "Page k of n" on each, the
table's column headings on every page of a statement, DejaVu Sans embedded; and the PDF reads back the same.

The defects: page 1 held only the header, statement pages had no header block, pages had no numbers.
"""

from __future__ import annotations

import shutil
import subprocess
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader

import dailyseg
from dailyseg.render.pdf import render_pdf
from dailyseg.render.text import render_text
from dailyseg.store.synthetic import daily_filing

pytestmark = pytest.mark.slow  # renders PDFs

SAMPLE = Path(__file__).parents[2] / "examples" / "daily-seg-citigroup-2013-07-25.txt"
HEADER_BLOCK = [
    "INITIAL",
    "End Date: 2013-07-25",
    "Firm Name: Citigroup Global Markets Inc.",
    "Form: Daily Seg - FOCUS II",
    "Submit Date: 2013-07-26",
]


@pytest.fixture(scope="module")
def pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("pages") / "sample.pdf"
    out.write_bytes(render_pdf(dailyseg.read(str(SAMPLE)).filing))
    return out


def pages_of(pdf: Path) -> list[list[str]]:
    return [page.extract_text().splitlines() for page in PdfReader(pdf).pages]


def test_page_one_holds_the_header_and_the_first_statement(pdf: Path) -> None:
    first = pages_of(pdf)[0]
    assert first[1:6] == HEADER_BLOCK
    assert "Daily Segregation - Secured Amounts" in first and "Line Description Amount Total" in first


def test_every_later_page_repeats_the_header_block_and_every_page_is_numbered(pdf: Path) -> None:
    pages = pages_of(pdf)
    assert len(pages) >= 3
    for number, lines in enumerate(pages, start=1):
        assert lines[-1] == f"Page {number} of {len(pages)}"
        assert "Line Description Amount Total" in lines  # the table's headings on every page
        if number > 1:
            at = lines.index(HEADER_BLOCK[0])
            assert lines[at : at + 5] == HEADER_BLOCK, (number, lines)


def test_the_pdf_reads_back_the_same_filing_without_a_problem(pdf: Path) -> None:
    back = dailyseg.read(str(pdf))
    assert back.filing == dailyseg.read(str(SAMPLE)).filing
    assert back.problems == ()


def test_a_filing_without_a_submit_date_prints_no_label_for_it(tmp_path: Path) -> None:
    filing = daily_filing("Acme Futures LLC", date(2024, 3, 4), requirement=Decimal(100), funds=Decimal(250))
    source = tmp_path / "acme.txt"
    source.write_text(render_text(filing).replace("Submit Date:", "Submitted:"), encoding="utf-8")
    read = dailyseg.read(str(source)).filing
    assert read.header.submit_date is None
    out = tmp_path / "acme.pdf"
    out.write_bytes(render_pdf(read))
    text = "\n".join(line for lines in pages_of(out) for line in lines)
    assert "Submit Date" not in text and text.count("End Date: 2024-03-04") == len(pages_of(out))
    assert dailyseg.read(str(out)).filing == read


def test_pdffonts_lists_dejavu_sans_embedded(pdf: Path) -> None:
    if shutil.which("pdffonts") is None:
        pytest.skip("pdffonts (Debian's poppler-utils, installed by ./install) is missing")
    rows = [
        line.split() for line in subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    ]
    assert sorted(row[0].split("+", 1)[1] for row in rows) == ["DejaVu-Sans", "DejaVu-Sans-Bold"]
    assert all(row[-5] == "yes" for row in rows)
