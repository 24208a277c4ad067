"""dailyseg reads back whole what it writes as HTML and PDF: every amount, the swaps line 12 A/B/C, the cover page.

Regressions. The HTML page printed a row's line marker, label and amount cells on separate lines of its
source, so the text reader met "A." alone on a line (no marker: one must be followed by a blank) and the
uncoded amounts of 8715.A/B/C with no sub-line to land on ("amount without a code"); the PDF kept them only
because its text layer puts a row on one line. Both printed the cover page as a summary ("Target
(segregation): minimum dollars: 12000000") with none of the form's labels, so the cover reader found no
field and no target: an empty cover page. An absent Submit Date was printed as a dash, which reads back as
an unreadable date. And the page's styles were HTML-escaped inside <style>, so WeasyPrint dropped rules.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

import dailyseg
from dailyseg.catalogue import CATALOGUE
from dailyseg.filing import CoverPage, Entry, Filing, Header, Target
from dailyseg.render import render_html, render_pdf, render_text
from dailyseg.store import Store

COMPONENTS = ("8715.A", "8715.B", "8715.C")


def _every_line(layout: str, seed: int) -> tuple[Entry, ...]:
    """Every coded line and component of the three statements, each with its own amount (some negative, some with cents)."""
    entries = []
    for number, (statement, ref) in enumerate(
        ((s.id, r.ref) for s in CATALOGUE.statements for r in s.rows(layout) if r.ref is not None), start=1
    ):
        amount = Decimal(number * 1_000_003 + seed)
        if number % 5 == 0:
            amount = -amount
        if number % 3 == 0:
            amount += Decimal("0.25")
        entries.append(Entry(statement, ref, amount))
    return tuple(entries)


# Two filings in one document, so that the four kinds of target, a class without one and both layouts appear.
FILINGS = [
    Filing(
        Header("INITIAL", date(2024, 3, 4), "Acme Futures LLC", CATALOGUE.form_names[0], date(2024, 3, 5)),
        "full",
        _every_line("full", 7),
        CoverPage(
            company="Acme Futures LLC",
            contact_name="Jane Doe",
            contact_phone="212-555-0100",
            contact_email="jane@acme.com",
            targets=(
                ("segregation", Target("minimum_dollars", Decimal(12_000_000))),
                ("secured", Target("minimum_percent", Decimal("7.5"))),
                ("swaps", Target("dollar_range", Decimal("1000000.25"), Decimal(2_000_000))),
            ),
        ),
    ),
    Filing(
        Header("AMENDED", date(2013, 7, 25), "Beta & Co. Futures", CATALOGUE.form_names[-1], None),
        "2013",
        _every_line("2013", 11),
        CoverPage(
            company="Beta & Co.",
            contact_name="",
            contact_phone="312-555-0199",
            contact_email="ops@beta.com",
            targets=(
                ("segregation", Target("percent_range", Decimal(5), Decimal("10.5"))),
                ("secured", Target("dollar_range", Decimal(0), Decimal(250_000))),
            ),
        ),
    ),
]


def test_the_documents_hold_what_the_tests_claim() -> None:
    assert all(ref in FILINGS[0].amounts for ref in COMPONENTS)
    assert {s for f in FILINGS for s in f.statements} == {s.id for s in CATALOGUE.statements}
    kinds = {target.kind for f in FILINGS if f.cover for _, target in f.cover.targets}
    assert kinds == {k.id for k in CATALOGUE.cover.target_kinds}


@pytest.fixture(scope="module")
def from_html() -> dailyseg.ReadResult:
    return dailyseg.read(render_html(FILINGS), text=True)


@pytest.fixture(scope="module")
def from_pdf() -> dailyseg.ReadResult:
    return dailyseg.read(render_pdf(FILINGS))


def test_html_keeps_the_swaps_line_12_components(from_html: dailyseg.ReadResult) -> None:
    assert from_html.problems == ()
    assert [from_html.filings[0].get(ref) for ref in COMPONENTS] == [FILINGS[0][ref] for ref in COMPONENTS]


def test_html_keeps_the_cover_page(from_html: dailyseg.ReadResult) -> None:
    assert [f.cover for f in from_html.filings] == [f.cover for f in FILINGS]
    assert list(from_html.filings) == FILINGS


@pytest.mark.slow  # renders a PDF
def test_pdf_keeps_the_cover_page(from_pdf: dailyseg.ReadResult) -> None:
    assert from_pdf.problems == ()
    assert [f.cover for f in from_pdf.filings] == [f.cover for f in FILINGS]
    assert list(from_pdf.filings) == FILINGS


def test_the_cover_page_is_printed_like_the_form() -> None:
    """The firm, then per class its heading and the four options, the chosen one with its amount or range."""
    page = render_html(FILINGS[0])
    assert "Name of Company" in page and "Acme Futures LLC" in page
    for label in CATALOGUE.cover.target_labels.values():
        assert label.replace("'", "&#39;") in page
    assert page.count('class="option chosen"') == 3
    assert "12,000,000" in page and "7.5" in page and "1,000,000.25" in page and "2,000,000" in page


def test_the_page_styles_are_not_escaped() -> None:
    """`<style>` is raw text: an escaped quote (`&#34;DejaVu Sans&#34;`) is CSS that browsers and WeasyPrint drop."""
    page = render_html(FILINGS[0])
    style = page[page.index("<style>") : page.index("</style>")]
    assert '"DejaVu Sans"' in style and "&#34;" not in style


@pytest.mark.slow  # renders a PDF
def test_a_downloaded_pdf_is_the_filing_already_stored(tmp_path: Path) -> None:
    """The issue's symptom: the PDF of a stored filing, ingested, was another filing of record, without targets."""
    source = tmp_path / "acme.txt"
    source.write_text(render_text(FILINGS[0]), "utf-8")
    pdf = tmp_path / "acme.pdf"
    pdf.write_bytes(render_pdf(FILINGS[0]))
    with Store.open(f"sqlite:///{tmp_path / 's.sqlite'}") as store:
        stored = store.ingest_path(pdf)
        assert [o.status for o in stored] == ["stored"] and stored[0].filing_id is not None
        # The store keeps the cover page as JSON with sorted keys; the targets come back in the cover's order.
        assert store.get(stored[0].filing_id)[1].cover == FILINGS[0].cover
        assert [o.status for o in store.ingest_path(source)] == ["already-present"]
