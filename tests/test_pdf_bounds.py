"""Reading a PDF is bounded in pages, bytes and time: hostile PDFs, built here byte by byte, are refused in
well under a second with a problem naming the bound, and a filing's PDF still reads as before.

Each hostile PDF is a few kilobytes that cost pypdf unbounded work before the bounds: a content stream drawn
on many pages, a page tree claiming 100,000 pages, a flate bomb of 300 MiB, nested and self-referencing
objects, a page of half a million text operators.
"""

from __future__ import annotations

import html
import io
import time
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

import dailyseg
from dailyseg.filing import Filing
from dailyseg.parse import pdf
from dailyseg.parse.pdf import MAX_FORMS_PER_PAGE, MAX_PAGES, MAX_STREAM_BYTES, MAX_STREAM_TOKENS, pdf_text
from dailyseg.problems import Problem, ReadResult

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "daily-seg-citigroup-2013-07-25.txt"
# Each hostile PDF reads in well under a second; the margin is for a loaded machine.
TIME_BOUND = 3.0
_FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
_PAGE = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources %s /Contents %s >>"


# -- building PDFs ----------------------------------------------------------------------------------------
def _pdf(objects: Sequence[bytes]) -> bytes:
    """A PDF of the given objects, numbered from 1 (the catalog), with a correct cross-reference table."""
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _stream(data: bytes, *, deflated: bytes | None = None, entries: bytes = b"") -> bytes:
    """A flate-compressed stream of `data` (or of the given compressed bytes)."""
    body = zlib.compress(data, 9) if deflated is None else deflated
    return b"<< %s /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (entries, len(body), body)


def _document(contents: Sequence[bytes], pages: Sequence[int]) -> bytes:
    """Pages (catalog 1, page tree 2, font 3) each drawing content stream `pages[i]` of `contents`."""
    first_page = 4 + len(contents)
    kids = b" ".join(b"%d 0 R" % (first_page + i) for i in range(len(pages)))
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Count %d /Kids [%s] >>" % (len(pages), kids), _FONT]
    objects += [_stream(content) for content in contents]
    objects += [_PAGE % (b"<< /Font << /F1 3 0 R >> >>", b"%d 0 R" % (4 + index)) for index in pages]
    return _pdf(objects)


def _text_page(text: bytes) -> bytes:
    return b"BT /F1 12 Tf 72 720 Td (%s) Tj ET" % text


def _operators(count: int) -> bytes:
    """A content stream of `count` text operators (two tokens each)."""
    return b"BT /F1 12 Tf " + b"(a) Tj " * count + b"ET"


def _page_tree(levels: int, fanout: int) -> bytes:
    """A page tree whose every node lists the one node below it `fanout` times: fanout**levels pages in 9 objects."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>"]
    for level in range(levels):
        kids = b" ".join([b"%d 0 R" % (3 + level)] * fanout)
        objects.append(b"<< /Type /Pages /Count %d /Kids [%s] >>" % (fanout ** (levels - level), kids))
    leaf = 2 + levels
    objects.append(
        b"<< /Type /Page /MediaBox [0 0 612 792] /Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>" % (leaf + 1, leaf + 2)
    )
    objects += [_FONT, _stream(_text_page(b"x"))]
    return _pdf(objects)


def _flate_bomb(mebibytes: int) -> bytes:
    """A zlib stream of `mebibytes` MiB of spaces, built without compressing them: after a full flush the
    compressor forgets what it saw, so each MiB compresses to the same block, which is repeated."""
    chunk = b" " * (1 << 20)
    compressor = zlib.compressobj(9)
    head = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    block = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    checksum = 1
    for _ in range(mebibytes):
        checksum = zlib.adler32(chunk, checksum)
    return head[:2] + block * mebibytes + b"\x03\x00" + checksum.to_bytes(4, "big")  # \x03\x00: an empty final block


def _self_drawing_form() -> bytes:
    """A page drawing a form 1,000 times that draws itself 1,000 times (pypdf skips the cycle, not the repeats)."""
    resources = b"<< /Font << /F1 3 0 R >> /XObject << /X1 7 0 R >> >>"
    form = _stream(_text_page(b"x") + b" /X1 Do" * 1_000, entries=b"/Type /XObject /Subtype /Form /BBox [0 0 612 792] /Resources 6 0 R")
    return _pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Count 1 /Kids [5 0 R] >>",
            _FONT,
            _stream(b"/X1 Do " * 1_000),
            _PAGE % (b"6 0 R", b"4 0 R"),
            resources,
            form,
        ]
    )


def _self_referencing_objects() -> bytes:
    """Resources and contents that contain themselves: an array holding itself, a font dictionary that is its parent."""
    return _pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Count 1 /Kids [3 0 R] /Parent 2 0 R >>",
            _PAGE % (b"4 0 R", b"5 0 R"),
            b"<< /Font 4 0 R /XObject 4 0 R /Self [4 0 R] >>",
            b"[5 0 R 5 0 R]",
        ]
    )


# -- helpers ----------------------------------------------------------------------------------------------
def _timed_read(data: bytes) -> ReadResult:
    start = time.perf_counter()
    result = dailyseg.read(data)
    elapsed = time.perf_counter() - start
    assert elapsed < TIME_BOUND, f"read took {elapsed:.2f} s"
    for problem in result.problems:
        str(problem).encode("utf-8")
    return result


def _fatal(result: ReadResult, *words: str) -> Problem:
    assert not result.filings
    assert len(result.problems) == 1, result.problems
    problem = result.problems[0]
    assert problem.severity == "fatal" and problem.source == "<bytes>"
    text = str(problem)
    for word in words:
        assert word in text, text
    return problem


# -- hostile PDFs -----------------------------------------------------------------------------------------
def test_a_content_stream_shared_by_every_page_is_read_once() -> None:
    # 200 pages drawing one stream of 8,000 operators, within every bound: about 0.15 s a page for pypdf,
    # so half a minute if each page were read (the time bound would stop it). The text reader then finds
    # no statement in the pages.
    data = _document([_operators(8_000)], [0] * MAX_PAGES)
    assert len(data) < 40_000
    result = _timed_read(data)
    assert not result.filings and [p.message for p in result.problems] == ["no Daily Segregation statement found"]
    text, problems = pdf_text("<bytes>", data)
    assert problems == () and text is not None
    assert text.split("\n\f") == ["a" * 8_000] * MAX_PAGES


def test_pages_sharing_a_stream_but_not_its_fonts_are_read_each() -> None:
    from pypdf import PdfReader

    # Pages 1 and 2 draw stream 4 with font 3 (each page naming it in its own dictionary), page 3 with font 6.
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Count 3 /Kids [7 0 R 8 0 R 9 0 R] >>",
        _FONT,
        _stream(_text_page(b"x")),
        b"null",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Courier >>",
    ]
    objects += [_PAGE % (b"<< /Font << /F1 %d 0 R >> >>" % font, b"4 0 R") for font in (3, 3, 6)]
    reader = PdfReader(io.BytesIO(_pdf(objects)))
    drawn: list[object] = []
    first, second, third = (pdf._drawing(page, drawn) for page in reader.pages)
    assert first == second != third


def test_a_shared_stream_of_too_many_operators_is_refused_at_once() -> None:
    # The 10 KB PDF: 5 pages sharing a stream of 300,000 operators took 33 s.
    problem = _fatal(_timed_read(_document([_operators(300_000)], [0] * 5)), "too large", f"{MAX_STREAM_TOKENS:,} tokens", "page 1")
    assert "tokens" in problem.found


def test_a_page_of_half_a_million_text_operators_is_refused() -> None:
    _fatal(_timed_read(_document([_operators(500_000)], [0])), "part of the PDF is too large", "page 1", "maximum number of tokens")


def test_a_page_tree_claiming_100000_pages_is_refused() -> None:
    data = _page_tree(levels=5, fanout=10)
    assert len(data) < 2_000
    problem = _fatal(_timed_read(data), "the PDF has too many pages", f"at most {MAX_PAGES} pages")
    assert "page tree of more than 2,000" in problem.found


def test_pages_beyond_the_bound_are_reported_not_dropped() -> None:
    count = MAX_PAGES + 50
    data = _document([_text_page(b"page %d" % (n + 1)) for n in range(count)], list(range(count)))
    text, problems = pdf_text("<bytes>", data)
    assert text is not None and text.split("\n\f") == [f"page {n + 1}" for n in range(MAX_PAGES)]
    assert [(p.message, p.expected, p.found, p.severity) for p in problems] == [
        (
            f"the PDF has more pages than a filing; pages {MAX_PAGES + 1} to {count} not read",
            f"at most {MAX_PAGES} pages",
            f"{count} pages",
            "error",
        )
    ]
    result = _timed_read(data)
    assert problems[0] in result.problems


def test_a_flate_bomb_is_refused() -> None:
    bomb = _flate_bomb(300)
    assert len(bomb) < 400_000
    data = _pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Count 1 /Kids [5 0 R] >>",
            _FONT,
            _stream(b"", deflated=bomb),
            _PAGE % (b"<< /Font << /F1 3 0 R >> >>", b"4 0 R"),
        ]
    )
    problem = _fatal(_timed_read(data), "part of the PDF is too large", f"{MAX_STREAM_BYTES:,} bytes decompressed")
    assert problem.found.startswith("page 1: Limit reached while decompressing")


def test_a_large_damaged_flate_stream_is_not_retried_byte_by_byte() -> None:
    # pypdf retries a damaged flate stream one byte at a time: 10-13 s for these 4 MB before the bound.
    damaged = b"\xff" + bytes(range(256)) * (4_000_000 // 256)
    data = _pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Count 1 /Kids [5 0 R] >>",
            _FONT,
            _stream(b"", deflated=damaged),
            _PAGE % (b"<< /Font << /F1 3 0 R >> >>", b"4 0 R"),
        ]
    )
    problem = _fatal(_timed_read(data), "part of the PDF is too large")
    assert problem.found.startswith("page 1: Recovery limit reached while decompressing")


def test_deeply_nested_arrays_are_refused() -> None:
    for content in (b"BT /F1 12 Tf " + b"[" * 100_000 + b"(x)" + b"]" * 100_000 + b" TJ ET", b"[" * 100_000):
        _fatal(_timed_read(_document([content], [0])), "cannot read the PDF")
    nested_page_tree = b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [" + b"[" * 50_000 + b"]" * 50_000 + b"] >>"
    _fatal(_timed_read(_pdf(nested_page_tree)), "cannot read the PDF")


def test_a_form_drawing_itself_is_refused() -> None:
    problem = _fatal(_timed_read(_self_drawing_form()), "too many forms or images", f"at most {MAX_FORMS_PER_PAGE} a page")
    assert problem.found == f"more than {MAX_FORMS_PER_PAGE} on page 1"


def test_objects_that_contain_themselves_read_as_no_text() -> None:
    _fatal(_timed_read(_self_referencing_objects()), "no text layer")


# -- bounds that stop later pages -------------------------------------------------------------------------
def test_running_out_of_time_keeps_the_pages_read_and_names_the_others(monkeypatch: pytest.MonkeyPatch) -> None:
    pages = [_operators(5_000) + b" " * n for n in range(40)]  # distinct streams, about 0.1 s each
    started = time.perf_counter()
    pdf_text("<bytes>", _document(pages[:1], [0]))
    one_page = time.perf_counter() - started
    # A budget of about four pages on this machine now, so that reading stops well inside the 40 however busy it is.
    budget = round(max(0.5, 4 * one_page), 1)
    monkeypatch.setattr(pdf, "MAX_SECONDS", budget)
    start = time.perf_counter()
    text, problems = pdf_text("<bytes>", _document(pages, list(range(40))))
    assert time.perf_counter() - start < TIME_BOUND + budget + 3 * one_page
    assert text is not None and len(problems) == 1
    read = text.count("\f") + 1
    assert 0 < read < 40
    problem = problems[0]
    assert (problem.severity, problem.expected) == ("error", f"at most {budget:g} s")
    assert problem.message == f"the PDF takes too long to read; pages {read + 1} to 40 not read"
    assert problem.found == f"more than {budget:g} s by page {read + 1}"


def test_running_out_of_time_on_the_first_page_is_fatal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf, "MAX_SECONDS", 0.0)
    _fatal(_timed_read(_document([_text_page(b"x")], [0])), "the PDF takes too long to read", "at most 0 s", "by page 1")


def test_more_text_than_a_filing_stops_at_the_page_passing_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf, "MAX_TEXT_CHARS", 100)
    data = _document([_text_page(b"x" * 60)], [0, 0, 0])  # the second page is known text, counted all the same
    text, problems = pdf_text("<bytes>", data)
    assert text == "x" * 60
    assert [(p.message, p.found, p.severity) for p in problems] == [
        ("the PDF holds more text than a filing; pages 2 to 3 not read", "more than 100 characters by page 2", "error")
    ]


def test_a_damaged_later_page_keeps_the_pages_before(monkeypatch: pytest.MonkeyPatch) -> None:
    from pypdf import PageObject

    extract: Callable[..., str] = PageObject.extract_text

    def damaged_second(page: PageObject, **options: object) -> str:
        if b"second" in page.get_contents().get_data():  # type: ignore[union-attr]
            raise ValueError("broken font")
        return extract(page, **options)

    monkeypatch.setattr(PageObject, "extract_text", damaged_second)
    data = _document([_text_page(b"first"), _text_page(b"second"), _text_page(b"third")], [0, 1, 2])
    text, problems = pdf_text("<bytes>", data)
    assert text == "first"
    assert [(p.message, p.found, p.severity) for p in problems] == [
        ("cannot read the PDF: broken font; pages 2 to 3 not read", "a damaged page 2", "error")
    ]


# -- filings still read -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def filing() -> Filing:
    return dailyseg.read(EXAMPLE).filing


@pytest.fixture(scope="module")
def rendered(filing: Filing) -> bytes:
    from dailyseg.render import render_pdf

    return render_pdf(filing)


@pytest.mark.slow
def test_a_rendered_filing_reads_as_before(rendered: bytes, filing: Filing) -> None:
    from pypdf import PdfReader

    unbounded = "\n\f".join(page.extract_text() for page in PdfReader(io.BytesIO(rendered)).pages)
    assert pdf_text("<bytes>", rendered) == (unbounded, ())
    result = _timed_read(rendered)
    assert result.filing == filing
    assert [p for p in result.problems if p.severity != "warning"] == []


def _paged_html(filing: Filing, *, repeat_header: bool) -> str:
    """The filing as text in pages of 12 lines, each statement's heading at the top of each of its pages (and
    the header fields too, if `repeat_header`), each page ended by a CSS page break."""
    from dailyseg.render import render_text

    text = render_text(filing)
    for markup in ("<b>", "</b>", "<u>", "</u>", "**"):
        text = text.replace(markup, "")
    # Tabs are drawn as gaps no text extraction reads as spaces.
    lines = [line.replace("\t", "    ") for line in text.splitlines() if line.strip()]
    header_names = ("INITIAL", "End Date", "Firm Name", "Form:", "Submit Date")
    header: list[str] = []
    statements: list[tuple[list[str], str, list[str]]] = []
    for line in lines:
        if line.startswith("Daily Segregation - "):
            statements.append((header, line, []))
            header = []
        elif line.startswith(header_names) or not statements:
            header.append(line)
        else:
            statements[-1][2].append(line)
    pages = []
    for fields, heading, body in statements:
        for start in range(0, len(body), 12):
            pages.append([*(fields if start == 0 or repeat_header else []), heading, *body[start : start + 12]])
    style = "@page { size: letter landscape; margin: 0.5in } section { break-after: page; white-space: pre; font: 7pt sans-serif }"
    sections = "".join(f"<section>{html.escape(chr(10).join(page))}</section>" for page in pages)
    return f"<!DOCTYPE html><html><head><meta charset='utf-8'><style>{style}</style></head><body>{sections}</body></html>"


@pytest.fixture(scope="module", params=[False, True], ids=["heading-repeated", "header-and-heading-repeated"])
def paged(request: pytest.FixtureRequest, filing: Filing) -> bytes:
    from dailyseg.render.pdf import html_to_pdf

    return html_to_pdf(_paged_html(filing, repeat_header=request.param))


@pytest.mark.slow
def test_a_statement_over_several_pages_reads_as_one_filing(paged: bytes, filing: Filing) -> None:
    text, problems = pdf_text("<bytes>", paged)
    assert problems == () and text is not None
    pages = text.split("\n\f")
    assert len(pages) == 10
    for heading in (
        "Daily Segregation - Secured Amounts",
        "Daily Segregation - Segregation Statement",
        "Daily Segregation - Swaps Statement",
    ):
        assert sum(page.lstrip().startswith(heading) or f"\n{heading}" in page for page in pages) >= 3, heading
    result = _timed_read(paged)
    assert result.filings == (filing,)
    assert dict(result.filing.amounts) == dict(filing.amounts) and len(filing.amounts) > 80
    assert [p for p in result.problems if p.severity != "warning"] == []
