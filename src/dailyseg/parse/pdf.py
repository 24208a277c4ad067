"""The text layer of a PDF filing (as FCMs post them), read with pypdf within bounds.

The text comes out as the text reader expects of PDF text: header fields, headings and `amount [code]`
pairs, sometimes with whole pages flattened into long lines. A PDF with no text layer (a scan) or one
pypdf cannot open becomes a fatal problem, never an exception.

A PDF is a program more than a document: a few kilobytes can claim 100,000 pages, decompress to gigabytes
or keep pypdf busy for minutes. So reading is bounded in pages, bytes and time. A bound that runs out
before any text was read is fatal; one that runs out later keeps the pages read and says which were not.
"""

from __future__ import annotations

import io
import logging
import time
from typing import TYPE_CHECKING

from dailyseg.problems import Problem

if TYPE_CHECKING:
    from pypdf.generic import DictionaryObject

# A daily filing is 3 to 12 pages; a file of a month's filings of one firm is about 100-250. Pages beyond
# this are not read (and said so).
MAX_PAGES = 200
# A page tree holds its pages and the nodes above them; pypdf refuses a larger tree before building its
# pages, so that a tree claiming 100,000 pages costs no more than one of a filing's size.
MAX_PAGE_TREE_ENTRIES = 10 * MAX_PAGES
# Wall time for the whole extraction, beyond which the pages left are not read. A filing's page reads in
# about 60 ms, so a month of one firm's filings (about 90 pages) takes about 6 s; the other bounds keep any
# one page under a second.
MAX_SECONDS = 10.0
# Decompressed bytes of one stream. A rendered filing page's content stream is about 45 KB.
MAX_STREAM_BYTES = 4 * 1024 * 1024
# Operands and operators of one content stream (pypdf's parsing budget). A rendered filing page has about
# 5,500; parsing and extracting 50,000 takes about half a second.
MAX_STREAM_TOKENS = 50_000
# Compressed bytes pypdf retries one byte at a time when a flate stream is damaged (a Python loop, about
# 2.5 µs a byte, so 0.16 s for these). A filing page's compressed stream is about 10 KB.
MAX_RECOVERY_BYTES = 64 * 1024
# Form and image XObjects drawn on one page, nested ones included. Each drawing re-parses the form, so a
# form that draws itself (or another) a thousand times multiplies the work; filings draw none or a few.
MAX_FORMS_PER_PAGE = 100
# Characters of text over the whole document: a filing page holds about 2,500, so this is four times what
# MAX_PAGES pages of filings hold. Counted as pypdf gives out text, so a page is stopped as it passes it.
MAX_TEXT_CHARS = 2_000_000

# pypdf's limits (pypdf.Configuration) for the duration of one extraction.
_LIMITS: dict[str, int] = {
    "zlib_maximum_output_length": MAX_STREAM_BYTES,
    "lzw_maximum_output_length": MAX_STREAM_BYTES,
    "run_length_maximum_output_length": MAX_STREAM_BYTES,
    "brotli_maximum_output_length": MAX_STREAM_BYTES,
    "array_based_stream_maximum_output_length": MAX_STREAM_BYTES,
    "zlib_maximum_recovery_input_length": MAX_RECOVERY_BYTES,
    "stream_parsing_work_maximum_count": MAX_STREAM_TOKENS,
    "page_tree_maximum_entries": MAX_PAGE_TREE_ENTRIES,
}

# What pypdf raises on a damaged file: its own errors (`PyPdfError`, added in `_read_pages` so that pypdf is
# imported only for PDFs), plus the generic exceptions its parsers let escape on malformed objects, streams
# and cross-reference tables, and OSError from a decompressor. Any of them means "cannot read this PDF".
_DAMAGE: tuple[type[Exception], ...] = (
    ValueError,
    KeyError,
    TypeError,
    AssertionError,
    IndexError,
    RecursionError,
    ZeroDivisionError,
    OverflowError,
    AttributeError,
    OSError,
)

# What a page's text depends on (`_drawing`), and how many resources are compared at most to know it.
_Drawing = tuple[int, frozenset[tuple[str, str, int]]]
_MAX_DRAWING_ENTRIES = 1_000

# Why reading stopped: the message, what was expected and what was found.
_Stop = tuple[str, str, str]


class _Exceeded(Exception):
    """A bound of `_Budget` ran out while a page was read."""

    def __init__(self, stop: _Stop) -> None:
        super().__init__(stop[0])
        self.stop = stop


class _Budget:
    """The bounds pypdf cannot keep itself, checked in the visitors it calls for each operator and text run.

    pypdf catches what a visitor raises inside a form XObject and goes on with the page, so once a bound has
    run out every later call raises again: the page's own next operator then ends the extraction.
    """

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline
        self.page = 0
        self.forms = 0
        self.chars = 0
        self.stop: _Stop | None = None

    def start(self, page: int) -> None:
        """Begin a page (numbered from 1): its own count of forms, and the time checked even if it draws nothing."""
        self.page, self.forms = page, 0
        self.check()

    def operator(self, operator: bytes, *_: object) -> None:
        """pypdf's `visitor_operand_before`: called before each operator of the page and of the forms it draws."""
        if operator == b"Do":
            self.forms += 1
        self.check()

    def text(self, text: str, *_: object) -> None:
        """pypdf's `visitor_text`, also given the text of a page read before (whose text is already known)."""
        self.chars += len(text)
        self.check()

    def check(self) -> None:
        """Raise `_Exceeded` once a bound has run out, and at every call after (see the class)."""
        if self.stop is None:
            if self.chars > MAX_TEXT_CHARS:
                found = f"more than {MAX_TEXT_CHARS:,} characters by page {self.page}"
                self.stop = ("the PDF holds more text than a filing", f"at most {MAX_TEXT_CHARS:,} characters", found)
            elif self.forms > MAX_FORMS_PER_PAGE:
                found = f"more than {MAX_FORMS_PER_PAGE} on page {self.page}"
                self.stop = ("the PDF draws too many forms or images on a page", f"at most {MAX_FORMS_PER_PAGE} a page", found)
            elif time.monotonic() > self.deadline:
                found = f"more than {MAX_SECONDS:g} s by page {self.page}"
                self.stop = ("the PDF takes too long to read", f"at most {MAX_SECONDS:g} s", found)
        if self.stop is not None:
            raise _Exceeded(self.stop)


def pdf_text(source: str, data: bytes) -> tuple[str | None, tuple[Problem, ...]]:
    """The text of the pages, separated by form feeds, and the problems met: None and the reason when no page
    gave text; the text read and an error naming the pages not read when a bound or damage stopped part way."""
    log = logging.getLogger("pypdf")
    level = log.level
    log.setLevel(logging.ERROR)  # pypdf logs repairs it makes; damage that matters becomes a Problem below
    try:
        pages, count, stop = _read_pages(data)
    finally:
        log.setLevel(level)
    # A broken ToUnicode map can give lone surrogates, which no renderer or store can write out.
    text = "\n\f".join(pages).encode("utf-8", "backslashreplace").decode("utf-8")
    if stop is None and count > MAX_PAGES:
        stop = ("the PDF has more pages than a filing", f"at most {MAX_PAGES} pages", f"{count:,} pages")
    if stop is not None:
        message, expected, found = stop
        if pages:
            first = len(pages) + 1
            message += f"; page {first} not read" if first == count else f"; pages {first} to {count} not read"
        if not text.strip():
            return None, (Problem(source, None, message, expected, found, severity="fatal"),)
        return text, (Problem(source, None, message, expected, found, severity="error"),)
    if not text.strip():
        found = f"{len(pages)} pages without text (a scanned image?)"
        return None, (Problem(source, None, "the PDF has no text layer", expected="a PDF with text", found=found, severity="fatal"),)
    return text, ()


def _read_pages(data: bytes) -> tuple[list[str], int, _Stop | None]:
    """The text of the pages read, how many pages the PDF has, and why reading stopped before the last."""
    from pypdf import PdfReader, apply_configuration
    from pypdf.errors import LimitReachedError, PyPdfError

    damage: tuple[type[Exception], ...] = (PyPdfError, *_DAMAGE)
    budget = _Budget(time.monotonic() + MAX_SECONDS)
    pages: list[str] = []
    with apply_configuration(None, **_LIMITS):
        try:
            reader = PdfReader(io.BytesIO(data))
            count = len(reader.pages)
        except LimitReachedError as error:
            return pages, 0, _beyond(error, "the document")
        except damage as error:
            return pages, 0, (f"cannot read the PDF: {_reason(error)}", "a readable PDF", "a damaged PDF")
        # Pages that draw the same content stream with the same resources have the same text: a stream
        # drawn on every page is read once, not once per page. `drawn` keeps alive every object whose id is
        # in a key, so that no id is reused by another object while the keys are compared.
        known: dict[_Drawing, str] = {}
        drawn: list[object] = []
        for index in range(min(count, MAX_PAGES)):
            try:
                budget.start(index + 1)
                page = reader.pages[index]
                key = _drawing(page, drawn)
                text = known.get(key) if key is not None else None
                if text is None:
                    text = page.extract_text(visitor_operand_before=budget.operator, visitor_text=budget.text) or ""
                    if key is not None:
                        known[key] = text
                else:
                    budget.text(text)
            except _Exceeded as exceeded:
                return pages, count, exceeded.stop
            except LimitReachedError as error:
                return pages, count, _beyond(error, f"page {index + 1}")
            except damage as error:
                return pages, count, (f"cannot read the PDF: {_reason(error)}", "a readable PDF", f"a damaged page {index + 1}")
            pages.append(text)
    return pages, count, None


def _beyond(error: Exception, where: str) -> _Stop:
    """Why reading stopped at one of pypdf's limits (`_LIMITS`), told apart by pypdf's message."""
    reason = _reason(error)
    if "page tree" in reason:
        found = f"a page tree of more than {MAX_PAGE_TREE_ENTRIES:,} pages and nodes ({reason})"
        return "the PDF has too many pages", f"at most {MAX_PAGES} pages", found
    expected = f"streams of at most {MAX_STREAM_BYTES:,} bytes decompressed and {MAX_STREAM_TOKENS:,} tokens"
    return "part of the PDF is too large for a filing", expected, f"{where}: {reason}"


def _drawing(page: DictionaryObject, drawn: list[object]) -> _Drawing | None:
    """What a page's text depends on, as identities: its content stream and each font, form or other resource
    it may name. pypdf resolves each indirect object once per reader (and keeps it), so a stream or a font
    drawn on two pages is one Python object for both, even where each page has its own resources dictionary.
    The objects are added to `drawn`. None, not to be compared, for resources too many to list cheaply."""
    # Indexing resolves an indirect object; pypdf's `get` gives the reference itself.
    contents = page["/Contents"] if "/Contents" in page else None  # noqa: SIM401
    resources = page["/Resources"] if "/Resources" in page else None  # noqa: SIM401
    named: list[tuple[str, str, int]] = []
    if isinstance(resources, dict):
        for category in resources:
            entries = resources[category]
            if isinstance(entries, dict):  # /ProcSet and other arrays name nothing a page draws
                if len(named) + len(entries) > _MAX_DRAWING_ENTRIES:
                    return None
                objects = [entries[name] for name in entries]
                drawn.extend(objects)
                named.extend((category, name, id(value)) for name, value in zip(entries, objects, strict=True))
    drawn.append(contents)
    return id(contents), frozenset(named)


def _reason(error: Exception) -> str:
    """pypdf's message, short and writable as UTF-8 (it may quote the file's bytes)."""
    return f"{error}"[:200].encode("utf-8", "backslashreplace").decode("utf-8")
