"""Readers of dailyseg's own JSON and CSV, the inverses of `render.json` and `render.csv`."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace

from dailyseg.filing import Filing
from dailyseg.problems import Problem
from dailyseg.serial import CSV_COLUMNS, FORMAT, ShapeError, filing_from_dict, filings_from_rows, shown


def looks_like_json(text: str) -> bool:
    return text.lstrip()[:1] in ("{", "[")


def looks_like_csv(text: str) -> bool:
    first = text.lstrip().split("\n", 1)[0]
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
    filings, problems = [], []
    for index, item in enumerate(items):
        try:
            filings.append(filing_from_dict(item))
        except ShapeError as error:
            problems.append(Problem(source, None, f"filing {index + 1}: {error}", severity="error"))
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
    reader = csv.DictReader(io.StringIO(text))
    try:
        return _read_rows(reader, source)
    except csv.Error as error:
        return [], [Problem(source, reader.line_num or None, f"malformed CSV: {error}", expected="the CSV long form", severity="fatal")]


def _read_rows(reader: csv.DictReader[str], source: str) -> tuple[list[Filing], list[Problem]]:
    missing = [c for c in CSV_COLUMNS if c not in (reader.fieldnames or [])]
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
    try:
        return filings_from_rows(list(reader)), []
    except ShapeError as error:
        return [], [Problem(source, None, f"cannot read the CSV: {error}", severity="fatal")]
