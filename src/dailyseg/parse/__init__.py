"""Readers of filings: published text/HTML, PDF text, and dailyseg's own JSON and CSV.

`read` looks at the document and picks the reader; every reader returns filings plus problems and never
raises for a malformed document.
"""

from __future__ import annotations

import logging
import os

from dailyseg.parse.source import MAX_DOCUMENT_BYTES, decode, load_bytes
from dailyseg.parse.structured import looks_like_csv, looks_like_json, read_csv, read_json
from dailyseg.parse.text import read_text
from dailyseg.problems import Problem, ReadResult


def read(
    document: str | os.PathLike[str] | bytes,
    *,
    text: bool | None = None,
    limit: int = MAX_DOCUMENT_BYTES,
) -> ReadResult:
    """Read every filing in a document: a path, "-" for standard input, bytes, or the text itself.

    A `str` holding a line break or a statement is taken as the document's text; any other `str` is a path.
    Pass `text=True` or `text=False` to say which.
    """
    extra: tuple[Problem, ...] = ()
    known: str | None = None  # the text `data` decodes to, where that is known without decoding it
    if isinstance(document, str) and (text or (text is None and ("\n" in document or "[" in document))):
        source = "<text>"
        try:
            data = document.encode("utf-8")
            known = document if document.isascii() else None  # ASCII decodes back to itself, with nothing to strip
        except UnicodeEncodeError as error:
            # A str may hold lone surrogates, which no file or database takes; they are kept as visible
            # escapes ("\\ud800"), which in JSON read back as the surrogate and are refused by field.
            data = document.encode("utf-8", errors="backslashreplace")
            line = document.count("\n", 0, error.start) + 1
            found = f"{error.end - error.start} lone surrogates, the first U+{ord(document[error.start]):04X}"
            extra = (
                Problem(
                    source, line, "text holds lone surrogates; kept as escapes", expected="Unicode text", found=found, severity="warning"
                ),
            )
    else:
        source, raw, failure = load_bytes(document, limit)
        if failure is not None or raw is None:
            return ReadResult(source, (), (failure,) if failure else ())
        data = raw
    try:
        decoded = decode(source, data, limit, known)
        if decoded.text is None:
            return ReadResult(source, (), extra + decoded.problems)
        body = decoded.text
        if looks_like_json(body):
            filings, problems = read_json(body, source)
        elif looks_like_csv(body):
            filings, problems = read_csv(body, source)
        else:
            filings, problems = read_text(body, source)
    except MemoryError:
        # Running out of memory is the process's condition, not a finding about the document: the caller decides
        # (the web answers 413 and replaces its worker; the command line says there was not enough memory).
        raise
    except Exception as error:
        # The last line of defence of the promise that reading never raises: each reader turns what it
        # knows of into a problem, and a failure none foresaw still must not stop a batch of documents.
        # It is a reader's bug all the same, so the traceback is logged for whoever can fix it.
        logging.getLogger(__name__).exception("reader failed on %s", source)
        message = f"cannot read the document: {type(error).__name__}: {error}"[:300]
        problem = Problem(source, None, message.encode("utf-8", "backslashreplace").decode("utf-8"), expected="a filing", severity="fatal")
        return ReadResult(source, (), (*extra, problem))
    return ReadResult(source, tuple(filings), extra + tuple(decoded.problems) + tuple(problems))


__all__ = ["MAX_DOCUMENT_BYTES", "Problem", "ReadResult", "read"]
