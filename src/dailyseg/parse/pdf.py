"""The text layer of a PDF filing (as FCMs post them), read with pypdf.

The text comes out as the text reader expects of PDF text: header fields, headings and `amount [code]`
pairs, sometimes with whole pages flattened into long lines. A PDF with no text layer (a scan) or one
pypdf cannot open becomes a fatal problem, never an exception.
"""

from __future__ import annotations

import io
import logging

from dailyseg.problems import Problem

# What pypdf raises on a damaged file: its own errors (`PyPdfError`, added in `pdf_text` so that pypdf is
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


def pdf_text(source: str, data: bytes) -> tuple[str | None, tuple[Problem, ...]]:
    """The text of every page, pages separated by form feeds; or None with the reason."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    damage: tuple[type[Exception], ...] = (PyPdfError, *_DAMAGE)
    log = logging.getLogger("pypdf")
    level = log.level
    log.setLevel(logging.ERROR)  # pypdf logs repairs it makes; damage that matters becomes a Problem below
    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages]
    except damage as error:
        reason = f"{error}"[:200].encode("utf-8", "backslashreplace").decode("utf-8")
        return None, (
            Problem(source, None, f"cannot read the PDF: {reason}", expected="a readable PDF", found="a damaged PDF", severity="fatal"),
        )
    finally:
        log.setLevel(level)
    # A broken ToUnicode map can give lone surrogates, which no renderer or store can write out.
    text = "\n\f".join(pages).encode("utf-8", "backslashreplace").decode("utf-8")
    if not text.strip():
        found = f"{len(pages)} pages without text (a scanned image?)"
        return None, (Problem(source, None, "the PDF has no text layer", expected="a PDF with text", found=found, severity="fatal"),)
    return text, ()
