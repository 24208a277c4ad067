"""PDF out and back in: convert --to pdf, then read (and ingest) the PDF's text layer to the same filing."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader, PdfWriter

import dailyseg
from dailyseg.cli import main
from dailyseg.render import render_text
from dailyseg.store import Store
from dailyseg.store.synthetic import daily_filing

pytestmark = pytest.mark.slow  # renders PDFs

SAMPLE = Path(__file__).parents[2] / "examples" / "daily-seg-citigroup-2013-07-25.txt"


def test_convert_to_pdf_reads_back_the_same_values(tmp_path: Path) -> None:
    out = tmp_path / "sample.pdf"
    result = CliRunner().invoke(main, ["convert", str(SAMPLE), "--format", "pdf", "-o", str(out)])
    assert result.exit_code == 0, result.output
    text = "\n".join(page.extract_text() for page in PdfReader(out).pages)
    assert "End Date: 2013-07-25" in text and "Firm Name: Citigroup Global Markets Inc." in text
    assert "928,007,886 [7360]" in text and "371,003,045 [7190]" in text
    original = dailyseg.read(str(SAMPLE)).filing
    back = dailyseg.read(str(out))
    assert back.filing == original
    assert [p for p in back.problems if p.severity != "warning"] == []


def test_full_layout_with_cents_survives_pdf_and_ingest(tmp_path: Path) -> None:
    filing = daily_filing("Acme Futures LLC", date(2024, 3, 4), requirement=Decimal("100.5"), funds=Decimal(250), status="AMENDED")
    source = tmp_path / "acme.txt"
    source.write_text(render_text([filing]))
    pdf = tmp_path / "acme.pdf"
    assert CliRunner().invoke(main, ["convert", str(source), "--format", "pdf", "-o", str(pdf)]).exit_code == 0
    with Store.open(f"sqlite:///{tmp_path / 's.sqlite'}") as store:
        stored = store.ingest_path(pdf)
        assert [o.status for o in stored] == ["amended"]  # an AMENDED filing, the first of its day to arrive
        assert stored[0].filing_id is not None and store.get(stored[0].filing_id)[1] == filing
        assert [o.status for o in store.ingest_path(source)] == ["already-present"]


def test_unreadable_pdfs_are_problems_not_exceptions(tmp_path: Path) -> None:
    damaged = dailyseg.read(b"%PDF-1.4 not really")
    assert not damaged.filings and "cannot read the PDF" in damaged.problems[0].message
    blank = io.BytesIO()
    writer = PdfWriter()
    writer.add_blank_page(612, 792)
    writer.write(blank)
    scanned = dailyseg.read(blank.getvalue())
    assert not scanned.filings and scanned.problems[0].message == "the PDF has no text layer"
