"""Readers of dailyseg's own JSON and CSV, the inverses of `render.json` and `render.csv`.

Every bad value is a problem, but only the first `PROBLEMS_PER_KIND` of each kind are listed and the rest
are counted in one more, as the text reader does: a 2 MB document of bad values says what is wrong in a
page, not in a million problems (and the memory and time they would take).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from dataclasses import replace

from dailyseg.cells import from_cell
from dailyseg.filing import Filing
from dailyseg.problems import Problem, ProblemTally
from dailyseg.serial import CSV_COLUMNS, FORMAT, BadValues, ShapeError, filing_from_dict, filings_from_rows, shown


def looks_like_json(text: str) -> bool:
    return text.lstrip()[:1] in ("{", "[")


def looks_like_csv(text: str) -> bool:
    stripped = text.lstrip()
    end = stripped.find("\n")  # the first line alone: splitting the text would copy the rest of it too
    first = stripped if end < 0 else stripped[:end]
    return first.replace('"', "").startswith("firm,end_date,")


def read_json(text: str, source: str) -> tuple[list[Filing], list[Problem]]:
    try:
        data = json.loads(text, parse_float=str, parse_int=str)
    except RecursionError:
        # The JSON decoder recurses once per "[" or "{"; a filing nests four deep, so this is never one.
        return [], [
            Problem(source, None, "JSON nested too deeply", expected="a dailyseg JSON document", found="deep nesting", severity="fatal")
        ]
    except json.JSONDecodeError as error:
        return [], [
            Problem(
                source,
                error.lineno,
                f"not valid JSON: {error.msg}",
                expected="a dailyseg JSON document",
                found=f"column {error.colno}",
                severity="fatal",
            )
        ]
    items = data.get("filings") if isinstance(data, dict) and "filings" in data else data
    if isinstance(data, dict) and data.get("format") not in (None, FORMAT):
        return [], [Problem(source, None, "unknown JSON format", expected=FORMAT, found=shown(data.get("format")), severity="fatal")]
    if isinstance(items, dict):
        items = [items]
    if not isinstance(items, list):
        return [], [
            Problem(
                source,
                None,
                "JSON without filings",
                expected="an object with a list 'filings'",
                found=type(items).__name__,
                severity="fatal",
            )
        ]
    filings: list[Filing] = []
    tally = ProblemTally(source)
    index = 0

    def report(error: ShapeError) -> None:
        if tally.listed(error.kind, None, f"in filing {index}"):
            tally.problems.append(Problem(source, None, f"filing {index}: {error}", severity="error"))

    for index, item in enumerate(items, start=1):  # noqa: B007 - `report` reads the index
        try:
            filings.append(filing_from_dict(item, report))
        except BadValues:
            pass  # each bad value was reported
        except ShapeError as error:
            report(error)
    problems = tally.result()
    if not filings and not problems:
        problems.append(Problem(source, None, "no filing in the JSON document", severity="fatal"))
    if not filings:
        # A bad filing among good ones is an error; when none could be read the document is unreadable.
        problems = [replace(p, severity="fatal") for p in problems]
    return filings, problems


def read_csv(text: str, source: str) -> tuple[list[Filing], list[Problem]]:
    """The CSV long form; every `csv.Error` (a field over `csv.field_size_limit`, a stray quote) is a problem.

    A text with carriage returns and no line feed is an old Mac export: its line ends are read as such,
    where the csv module would otherwise take it for one huge row with new-lines in unquoted fields.
    """
    if "\r" in text and "\n" not in text:
        text = text.replace("\r", "\n")
    # `csv.reader`, not `DictReader`, whose Python-level rows cost more than the rest of reading a bad row.
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader, [])
        # Each row with the line it ends on (a quoted field may hold line breaks), for its problems; a short
        # row lacks the last columns, as `DictReader` would give None for them.
        rows = ((reader.line_num, dict(zip(header, map(from_cell, row), strict=False))) for row in reader if row)
        return _read_rows(header, rows, source)
    except csv.Error as error:
        return [], [Problem(source, reader.line_num or None, f"malformed CSV: {error}", expected="the CSV long form", severity="fatal")]


def _read_rows(header: list[str], rows: Iterable[tuple[int, dict[str, str]]], source: str) -> tuple[list[Filing], list[Problem]]:
    missing = [c for c in CSV_COLUMNS if c not in header]
    if missing:
        return [], [
            Problem(
                source,
                1,
                "CSV without the long-form columns",
                expected=", ".join(CSV_COLUMNS),
                found=f"missing {', '.join(missing)}",
                severity="fatal",
            )
        ]
    tally = ProblemTally(source)

    def report(line: int, error: ShapeError) -> None:
        if tally.listed(error.kind, line, f"at line {line}"):
            code = error.entry[1][:20] if error.entry else None
            tally.problems.append(Problem(source, line, str(error), code=code, severity="error"))

    filings = filings_from_rows(rows, report)
    problems = tally.result()
    if not filings and not problems:
        problems.append(Problem(source, None, "no filing in the CSV document", expected="rows of the CSV long form", severity="fatal"))
    if not filings:
        # As for JSON: a bad filing among good ones is an error; when none could be read the document is unreadable.
        problems = [replace(p, severity="fatal") for p in problems]
    return filings, problems
