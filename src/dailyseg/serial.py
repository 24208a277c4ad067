"""The filing as plain data (dicts of strings) and back: the shape of dailyseg's JSON and CSV.

Amounts travel as strings so that no JSON reader turns them into floats. `filing_from_dict` checks the
shape as it goes and raises `ShapeError` naming the field, which readers turn into a problem.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
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
    """Structured input that does not have the shape of a filing."""


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


def _checked_text(value: object, where: str) -> str:
    """Text that can be written back out: a JSON escape such as "\\ud800" decodes to a lone surrogate,
    which no UTF-8 renderer, file or database accepts, so it is refused here, where the field is known."""
    if not isinstance(value, str):
        raise ShapeError(f"{where}: expected text, found {_found(value)}")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ShapeError(f"{where}: expected text without lone surrogates, found {shown(value)}") from None
    return value


def _text(data: Mapping[str, Any], name: str, where: str) -> str:
    value = data.get(name, "")
    if value is None:
        return ""
    return _checked_text(value, f"{where}{name}")


def _mapping(value: object, where: str, expected: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ShapeError(f"{where}: expected {expected}, found {_found(value)}")
    return value


def _code(ref: object, where: str) -> str:
    code = _checked_text(ref, where).strip().upper()
    if not _CODE.fullmatch(code):
        raise ShapeError(f"{where}: expected a code of ASCII digits such as 7010 or 8715.A, found {shown(ref)}")
    return code


def _date(data: Mapping[str, Any], name: str, where: str) -> date | None:
    value = _text(data, name, where)
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ShapeError(f"{where}{name}: expected a date YYYY-MM-DD, found {shown(value)}") from None


def _amount(value: Any, where: str) -> Decimal:
    if not isinstance(value, str):
        raise ShapeError(f"{where}: expected an amount as a string, found {_found(value)}")
    try:
        return parse_amount(value)
    except AmountError as error:
        raise ShapeError(f"{where}: {str(error)[:200]}") from None  # the amount is quoted by repr, escaped


def _statement(name: object, where: str) -> str:
    if not isinstance(name, str) or name not in CATALOGUE.statement_by_id:
        raise ShapeError(f"{where}: expected a statement, one of {sorted(CATALOGUE.statement_by_id)}, found {shown(name)}")
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
            raise ShapeError(f"{where}.kind: expected one of {sorted(_TARGET_KINDS)}, found {shown(kind)}")
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


def filing_from_dict(data: Any) -> Filing:
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
    for ref, label in labels.items():
        _checked_text(ref, "labels")
        _checked_text(label, f"labels.{shown(ref)}")
    entries = []
    for statement, amounts in statements.items():
        _statement(statement, "statements")
        amounts = _mapping(amounts, f"statements.{statement}", "an object of code to amount")
        for ref, value in amounts.items():
            code = _code(ref, f"statements.{statement}")
            where = f"statements.{statement}.{code}"
            entries.append(Entry(statement, code, _amount(value, where), labels.get(ref, "")))
    if not layout:
        layout = CATALOGUE.detect_layout(frozenset(e.ref for e in entries), header.end_date)
    if layout not in CATALOGUE.layouts:
        raise ShapeError(f"layout: expected one of {sorted(CATALOGUE.layouts)}, found {shown(layout)}")
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


def filings_from_rows(rows: list[dict[str, str]]) -> list[Filing]:
    """Group consecutive rows with the same header into filings; raises `ShapeError` naming the row."""
    groups: list[tuple[tuple[str, ...], list[tuple[int, dict[str, str]]]]] = []
    for number, row in enumerate(rows, start=2):
        key = tuple(row.get(name) or "" for name in _HEADER_COLUMNS)
        if not groups or groups[-1][0] != key:
            groups.append((key, []))
        groups[-1][1].append((number, row))
    filings = []
    for key, members in groups:
        head = dict(zip(_HEADER_COLUMNS, key, strict=True))
        statements: dict[str, dict[str, str]] = {}
        labels: dict[str, str] = {}
        cover: dict[str, Any] = {}
        for number, row in members:
            code = (row.get("code") or "").strip()
            value = row.get("value") or ""
            if row.get("statement") == COVER:
                if code.startswith("target."):
                    _, statement, part = ([*code.split("."), "", ""])[:3]
                    cover.setdefault("targets", {}).setdefault(statement, {"high": None})[part] = value
                else:
                    cover[code] = value
                continue
            statement = row.get("statement") or ""
            if code in statements.get(statement, {}):
                raise ShapeError(f"row {number}: code {code} appears twice in one filing")
            statements.setdefault(statement, {})[code] = value
            if code not in CATALOGUE.refs and row.get("label"):
                labels[code] = row["label"]
        data: dict[str, Any] = {
            "firm": head["firm"],
            "end_date": head["end_date"],
            "status": head["status"],
            "form": head["form"],
            "submit_date": head["submit_date"],
            "layout": head["layout"],
            "statements": statements,
            "labels": labels,
            "cover": cover or None,
        }
        try:
            filings.append(filing_from_dict(data))
        except ShapeError as error:
            raise ShapeError(f"rows {members[0][0]}-{members[-1][0]}: {error}") from None
    return filings
