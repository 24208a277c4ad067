"""Turning a path, bytes or text into decoded text (a PDF's text layer included), refusing binary data.

Documents are read with a size limit so that a huge or hostile input costs bounded time and memory; a
daily filing is about 8 KB, so the default limit leaves room for thousands of filings in one file.
"""

from __future__ import annotations

import codecs
import os
import sys
from dataclasses import dataclass

from dailyseg.problems import Problem

MAX_DOCUMENT_BYTES = 16 * 1024 * 1024
# Control bytes that do not occur in text (tab, line feed, form feed and carriage return do).
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13))


@dataclass(frozen=True)
class Decoded:
    source: str
    text: str | None
    problems: tuple[Problem, ...]


def load_bytes(target: str | os.PathLike[str] | bytes, limit: int) -> tuple[str, bytes | None, Problem | None]:
    """Read the raw bytes of a path (or "-" for standard input), at most `limit` + 1 of them."""
    if isinstance(target, bytes):
        return "<bytes>", target, None
    name = os.fspath(target)
    if name == "-":
        return _load_stdin(limit)
    # The name as messages show it: a path may hold bytes that are not UTF-8 (kept by Python as lone
    # surrogates), which would break every renderer that writes the source out.
    shown = name.encode("utf-8", "backslashreplace").decode("utf-8")
    try:
        with open(name, "rb") as handle:  # not pathlib, which would be the reader's costliest import
            return shown, handle.read(limit + 1), None
    except OSError as error:
        reason = error.strerror or str(error)
        return shown, None, Problem(shown, None, f"cannot open the file: {reason}", severity="fatal")
    except ValueError as error:  # a NUL in the name, or a lone surrogate the file system cannot encode
        found = "a NUL character" if "\0" in name else str(error)
        return shown, None, Problem(shown, None, "cannot open the file: not a valid path", expected="a path", found=found, severity="fatal")


def _load_stdin(limit: int) -> tuple[str, bytes | None, Problem | None]:
    """Standard input's bytes; a problem, as for a file that cannot be opened, when there are none to read.

    A process started with standard input closed has `sys.stdin` None; one may also have closed it, or
    replaced it with a stream of text only (an IDE's console).
    """
    source = "<stdin>"
    stdin = sys.stdin
    stream = getattr(stdin, "buffer", None)
    if stdin is None or stdin.closed or (stream is not None and stream.closed):
        return source, None, Problem(source, None, "standard input is closed", severity="fatal")
    if stream is None:
        return source, None, Problem(source, None, "standard input gives text, not bytes", expected="a byte stream", severity="fatal")
    try:
        return source, stream.read(limit + 1), None
    except (OSError, ValueError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        return source, None, Problem(source, None, f"cannot read standard input: {reason}", severity="fatal")


def decode(source: str, data: bytes, limit: int = MAX_DOCUMENT_BYTES, known: str | None = None) -> Decoded:
    """Decode a document: UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252 with a warning.

    `known` is the text `data` is the ASCII of, when the caller has it (`read` given a `str`): the same checks are
    made, and that text is the result instead of a copy decoded again."""
    if len(data) > limit:
        return Decoded(
            source,
            None,
            (
                Problem(
                    source,
                    None,
                    "document too large to be a daily segregation filing",
                    expected=f"at most {limit:,} bytes",
                    found=f"more than {limit:,} bytes",
                    severity="fatal",
                ),
            ),
        )
    if not data.strip():
        return Decoded(source, None, (Problem(source, None, "empty document", expected="a filing", found="no text", severity="fatal"),))
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return Decoded(source, data.decode("utf-16"), ())
        except UnicodeDecodeError:
            pass
    if data.startswith(b"%PDF"):
        from dailyseg.parse.pdf import pdf_text  # pypdf is loaded only for PDFs

        text, problems = pdf_text(source, data)
        return Decoded(source, text, problems)
    sample = data[:8192]
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    if b"\x00" in sample or controls > len(sample) // 20:
        return Decoded(
            source,
            None,
            (
                Problem(
                    source,
                    None,
                    "binary data, not a text document",
                    expected="text",
                    found=f"{controls} control bytes in the first {len(sample)}",
                    severity="fatal",
                ),
            ),
        )
    try:
        return Decoded(source, data.decode("utf-8-sig") if known is None else known, ())
    except UnicodeDecodeError as error:
        text = data.decode("cp1252", errors="replace")
        line = data[: error.start].count(b"\n") + 1
        return Decoded(
            source,
            text,
            (
                Problem(
                    source,
                    line,
                    "not valid UTF-8; read as Windows-1252",
                    expected="UTF-8",
                    found=f"byte 0x{data[error.start]:02x}",
                    severity="warning",
                ),
            ),
        )
