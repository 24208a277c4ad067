"""Readers of filings: published text/HTML, PDF text, and dailyseg's own JSON and CSV.

`read` looks at the document and picks the reader; every reader returns filings plus problems and never
raises for a malformed document.
"""

from __future__ import annotations

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
    if isinstance(document, str) and (text or (text is None and ("\n" in document or "[" in document))):
        source, data = "<text>", document.encode("utf-8")
    else:
        source, raw, failure = load_bytes(document, limit)
        if failure is not None or raw is None:
            return ReadResult(source, (), (failure,) if failure else ())
        data = raw
    decoded = decode(source, data, limit)
    if decoded.text is None:
        return ReadResult(source, (), decoded.problems)
    body = decoded.text
    if looks_like_json(body):
        filings, problems = read_json(body, source)
    elif looks_like_csv(body):
        filings, problems = read_csv(body, source)
    else:
        filings, problems = read_text(body, source)
    return ReadResult(source, tuple(filings), tuple(decoded.problems) + tuple(problems))


__all__ = ["MAX_DOCUMENT_BYTES", "Problem", "ReadResult", "read"]
