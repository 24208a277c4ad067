"""The filing as plain data (dicts of strings) and back: the shape of dailyseg's JSON and CSV.

Amounts travel as strings so that no JSON reader turns them into floats. `filing_from_dict` checks the
shape as it goes and raises `ShapeError` naming the field, which readers turn into a problem.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any, cast

from dailyseg.catalogue import CATALOGUE
from dailyseg.filing import CoverPage, Entry, Filing, Header, Target, TargetKindId
from dailyseg.money import AmountError, parse_amount

FORMAT = "dailyseg-filing"
VERSION = 1
_TARGET_KINDS = {k.id for k in CATALOGUE.cover.target_kinds}
# A code is ASCII digits, with a component letter after a point ("8715.A"). Written out rather than `\d`
# or `str.isdigit`, which also take Arabic-Indic or mathematical digits and would file them as code 7010.
_CODE = re.compile(r"[0-9]+(?:\.[A-Z0-9]+)?", re.ASCII)


class ShapeError(ValueError):
    """Structured input that does not have the shape of a filing.

    `kind` is the message without the value found or the code it sits at ("statements.secured.<code>:
    expected an amount"): readers list a few problems of each kind and count the rest, so a value must not
    make a kind of its own. `entry` is the (statement, code) of a bad amount, code or label, by which the
    CSV reader finds the row it came from.
    """

    def __init__(self, message: str, kind: str | None = None, entry: tuple[str, str] | None = None) -> None:
        super().__init__(message)
        self.kind = kind or message
        self.entry = entry


class BadValues(ShapeError):
    """A filing refused for bad values that were each given to `report` already: nothing more to say."""


# Receives each bad amount, code or label of a filing, so that one pass names all of them (a reader caps them).
Report = Callable[[ShapeError], None]
# The same for CSV rows, with the line of the row (or of a filing's first row, for a wrong header field).
RowReport = Callable[[int, ShapeError], None]


def amount_text(amount: Decimal) -> str:
    return format(amount, "f")


def cover_to_dict(cover: CoverPage) -> dict[str, Any]:
    return {
        "company": cover.company,
        "contact_name": cover.contact_name,
        "contact_phone": cover.contact_phone,
        "contact_email": cover.contact_email,
        "targets": {
            statement: {
                "kind": target.kind,
                "low": amount_text(target.low),
                "high": amount_text(target.high) if target.high is not None else None,
            }
            for statement, target in cover.targets
        },
    }


def filing_to_dict(filing: Filing) -> dict[str, Any]:
    header = filing.header
    statements: dict[str, dict[str, str]] = {s: {} for s in filing.statements}
    labels: dict[str, str] = {}
    for entry in filing.entries:
        statements.setdefault(entry.statement, {})[entry.ref] = amount_text(entry.amount)
        if not entry.known and entry.label:
            labels[entry.ref] = entry.label
    data: dict[str, Any] = {
        "status": header.status,
        "end_date": header.end_date.isoformat() if header.end_date else None,
        "firm": header.firm_name,
        "form": header.form,
        "submit_date": header.submit_date.isoformat() if header.submit_date else None,
        "layout": filing.layout,
        "cover": cover_to_dict(filing.cover) if filing.cover else None,
        "statements": statements,
    }
    if labels:
        data["labels"] = labels
    return data


def shown(value: object, limit: int = 60) -> str:
    """A value as a message may quote it: repr escapes lone surrogates and control characters, which
    would otherwise break every renderer and store that encodes the message as UTF-8 later."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[: limit - 3]}..."


def _found(value: object) -> str:
    return f"{type(value).__name__} {shown(value)}"


def _checked_text(value: object, where: str, kind: str = "") -> str:
    """Text that can be written back out: a JSON escape such as "\\ud800" decodes to a lone surrogate,
    which no UTF-8 renderer, file or database accepts, so it is refused here, where the field is known.
    `kind` names the field without the code in `where` ("labels.<code>")."""
    kind = kind or where
    if not isinstance(value, str):
        raise ShapeError(f"{where}: expected text, found {_found(value)}", f"{kind}: expected text")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ShapeError(
            f"{where}: expected text without lone surrogates, found {shown(value)}", f"{kind}: expected text without lone surrogates"
        ) from None
    return value


def _text(data: Mapping[str, Any], name: str, where: str) -> str:
    value = data.get(name)
    if value is None or value == "":  # most often: tested first, as readers go through a million filings
        return ""
    return _checked_text(value, f"{where}{name}")


def _mapping(value: object, where: str, expected: str) -> Mapping[str, Any]:
    if type(value) is not dict and not isinstance(value, Mapping):  # the ABC's check is slow; JSON gives dicts
        raise ShapeError(f"{where}: expected {expected}, found {_found(value)}", f"{where}: expected {expected}")
    return value


def _code(ref: object, where: str) -> str:
    code = _checked_text(ref, where).strip().upper()
    if not _CODE.fullmatch(code):
        expected = "expected a code of ASCII digits such as 7010 or 8715.A"
        raise ShapeError(f"{where}: {expected}, found {shown(ref)}", f"{where}: {expected}")
    return code


def _date(data: Mapping[str, Any], name: str, where: str) -> date | None:
    value = _text(data, name, where)
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ShapeError(f"{where}{name}: expected a date YYYY-MM-DD, found {shown(value)}", f"{where}{name}: expected a date") from None


def _amount(value: Any, where: str, kind: str = "") -> Decimal:
    """An amount given as a string; `kind` names the field without the code in `where`."""
    kind = kind or where
    if not isinstance(value, str):
        raise ShapeError(f"{where}: expected an amount as a string, found {_found(value)}", f"{kind}: expected an amount as a string")
    try:
        return parse_amount(value)
    except AmountError as error:
        # The amount is quoted by repr (escaped) and cut short: a 1 MB field must not make a 1 MB message.
        raise ShapeError(f"{where}: {str(error)[:200]}", f"{kind}: expected an amount such as 1,234 or (1,234)") from None


def _statement(name: object, where: str) -> str:
    if not isinstance(name, str) or name not in CATALOGUE.statement_by_id:
        expected = f"expected a statement, one of {sorted(CATALOGUE.statement_by_id)}"
        raise ShapeError(f"{where}: {expected}, found {shown(name)}", f"{where}: {expected}")
    return name


def cover_from_dict(data: Any) -> CoverPage:
    data = _mapping(data, "cover", "an object")
    targets = []
    raw_targets = data.get("targets")
    raw_targets = {} if raw_targets is None else _mapping(raw_targets, "cover.targets", "an object of statement to target")
    for statement, raw in raw_targets.items():
        _statement(statement, "cover.targets")
        where = f"cover.targets.{statement}"
        raw = _mapping(raw, where, "an object with kind, low and high")
        kind = raw.get("kind")
        if not isinstance(kind, str) or kind not in _TARGET_KINDS:
            expected = f"expected one of {sorted(_TARGET_KINDS)}"
            raise ShapeError(f"{where}.kind: {expected}, found {shown(kind)}", f"{where}.kind: {expected}")
        high = raw.get("high")
        targets.append(
            (
                statement,
                Target(
                    cast(TargetKindId, kind),
                    _amount(raw.get("low"), f"{where}.low"),
                    _amount(high, f"{where}.high") if high is not None else None,
                ),
            )
        )
    return CoverPage(
        company=_text(data, "company", "cover."),
        contact_name=_text(data, "contact_name", "cover."),
        contact_phone=_text(data, "contact_phone", "cover."),
        contact_email=_text(data, "contact_email", "cover."),
        targets=tuple(targets),
    )


def filing_from_dict(data: Any, report: Report | None = None) -> Filing:
    """The filing a dict describes; raises `ShapeError` naming the field at the first that is wrong.

    With `report`, each bad amount, code or label is given to it and the next is read, so that one pass
    names all of them; the filing is refused all the same, by a `BadValues` once every entry was seen. A
    wrong structure (a header field, a statement that is not an object) still stops at once.
    """
    data = _mapping(data, "filing", "an object")
    header = Header(
        status=_text(data, "status", ""),
        end_date=_date(data, "end_date", ""),
        firm_name=_text(data, "firm", ""),
        form=_text(data, "form", ""),
        submit_date=_date(data, "submit_date", ""),
    )
    layout = _text(data, "layout", "")
    statements = _mapping(data.get("statements"), "statements", "an object of statements")
    raw_labels = data.get("labels")
    labels = {} if raw_labels is None else _mapping(raw_labels, "labels", "an object of code to label")
    bad = 0

    def refuse(error: ShapeError, statement: str, ref: object) -> None:
        nonlocal bad
        if report is None:
            raise error
        error.entry = (statement, str(ref))
        report(error)
        bad += 1

    for ref, label in labels.items():
        try:
            _checked_text(ref, "labels")
            _checked_text(label, f"labels.{shown(ref)}", "labels.<code>")
        except ShapeError as error:
            refuse(error, "", ref)
    entries = []
    for statement, amounts in statements.items():
        _statement(statement, "statements")
        amounts = _mapping(amounts, f"statements.{statement}", "an object of code to amount")
        for ref, value in amounts.items():
            try:
                code = _code(ref, f"statements.{statement}")
                amount = _amount(value, f"statements.{statement}.{code}", f"statements.{statement}.<code>")
            except ShapeError as error:
                refuse(error, statement, ref)
                continue
            entries.append(Entry(statement, code, amount, labels.get(ref, "")))
    if bad:
        raise BadValues(f"{bad} bad values")
    if not layout:
        layout = CATALOGUE.detect_layout(frozenset(e.ref for e in entries), header.end_date)
    if layout not in CATALOGUE.layouts:
        expected = f"expected one of {sorted(CATALOGUE.layouts)}"
        raise ShapeError(f"layout: {expected}, found {shown(layout)}", f"layout: {expected}")
    raw_cover = data.get("cover")
    cover = None if raw_cover is None or raw_cover == {} else cover_from_dict(raw_cover)
    try:
        return Filing(header, layout, tuple(entries), cover, tuple(statements))
    except ValueError as error:
        raise ShapeError(str(error)) from None


# -- CSV long form ------------------------------------------------------------------------------------------
CSV_COLUMNS = ("firm", "end_date", "status", "form", "submit_date", "layout", "statement", "line", "code", "label", "value")
_HEADER_COLUMNS = ("firm", "end_date", "status", "form", "submit_date", "layout")
COVER = "cover"


def filing_to_rows(filing: Filing) -> list[dict[str, str]]:
    """One row per amount, then one per cover-page field (statement "cover"): the CSV long form."""
    rows = []
    for record in filing.records():
        rows.append({name: _cell(record[name]) for name in CSV_COLUMNS})
    if filing.cover is not None:
        head = (
            {name: rows[0][name] for name in _HEADER_COLUMNS}
            if rows
            else {name: _cell(record) for name, record in zip(_HEADER_COLUMNS, _header_cells(filing), strict=True)}
        )
        cover = cover_to_dict(filing.cover)
        labels = {f.id: f.label for f in CATALOGUE.cover.fields}
        for name in ("company", "contact_name", "contact_phone", "contact_email"):
            rows.append(head | {"statement": COVER, "line": "", "code": name, "label": labels[name], "value": cover[name]})
        for statement, target in cover["targets"].items():
            for part in ("kind", "low", "high"):
                if target[part] is not None:
                    label = CATALOGUE.cover.target_labels[statement]
                    rows.append(
                        head | {"statement": COVER, "line": "", "code": f"target.{statement}.{part}", "label": label, "value": target[part]}
                    )
    return rows


def _header_cells(filing: Filing) -> tuple[object, ...]:
    h = filing.header
    return (h.firm_name, h.end_date, h.status, h.form, h.submit_date, filing.layout)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return amount_text(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def filings_from_rows(rows: Iterable[tuple[int, dict[str, str]]], report: RowReport) -> list[Filing]:
    """Group consecutive rows (each with its line number) with the same header into filings, and read each.

    A filing with a bad row is refused and the others are read: each bad amount, code or label and each
    code given twice goes to `report` with its row's line, and a wrong header field (or structure) with the
    line of the filing's first row and a message naming its lines. Rows are read as they come and not kept,
    so a long document holds one filing's values at a time.
    """
    filings: list[Filing] = []
    group: _RowGroup | None = None
    for number, row in rows:
        get = row.get  # spelled out, not a generator over _HEADER_COLUMNS: this runs for every row
        key = (
            get("firm") or "",
            get("end_date") or "",
            get("status") or "",
            get("form") or "",
            get("submit_date") or "",
            get("layout") or "",
        )
        if group is None or group.key != key:
            if group is not None:
                group.read(filings, report)
            group = _RowGroup(key, number)
        group.add(number, row, report)
    if group is not None:
        group.read(filings, report)
    return filings


class _RowGroup:
    """The rows of one filing in the CSV long form, gathered into the dict `filing_from_dict` reads."""

    def __init__(self, key: tuple[str, ...], first: int) -> None:
        self.key = key
        self.first = self.last = first
        self.statements: dict[str, dict[str, str]] = {}
        self.labels: dict[str, str] = {}
        self.cover: dict[str, Any] = {}
        self.row_of: dict[tuple[str, str], int] = {}  # (statement, code), and ("", code) for its label
        self.twice = 0

    def add(self, number: int, row: dict[str, str], report: RowReport) -> None:
        self.last = number
        code = (row.get("code") or "").strip()
        value = row.get("value") or ""
        if row.get("statement") == COVER:
            if code.startswith("target."):
                _, statement, part = ([*code.split("."), "", ""])[:3]
                self.cover.setdefault("targets", {}).setdefault(statement, {"high": None})[part] = value
            else:
                self.cover[code] = value
            return
        statement = row.get("statement") or ""
        if code in self.statements.get(statement, {}):
            report(number, ShapeError(f"code {code} appears twice in one filing", "a code appears twice in one filing", (statement, code)))
            self.twice += 1
            return
        self.statements.setdefault(statement, {})[code] = value
        self.row_of[statement, code] = self.row_of["", code] = number
        if code not in CATALOGUE.refs and row.get("label"):
            self.labels[code] = row["label"]

    def read(self, filings: list[Filing], report: RowReport) -> None:
        """Append the filing to `filings`, or report why it cannot be read."""
        data: dict[str, Any] = dict(zip(_HEADER_COLUMNS, self.key, strict=True))
        data |= {"statements": self.statements, "labels": self.labels, "cover": self.cover or None}

        def at_row(error: ShapeError) -> None:
            report(self.row_of.get(error.entry or ("", ""), self.first), error)

        try:
            filing = filing_from_dict(data, at_row)
        except BadValues:
            return
        except ShapeError as error:
            report(self.first, ShapeError(f"the filing of lines {self.first}-{self.last}: {error}", error.kind))
            return
        if not self.twice:
            filings.append(filing)
