"""The filing as plain data (dicts of strings) and back: the shape of dailyseg's JSON and CSV.

Amounts travel as strings so that no JSON reader turns them into floats. `filing_from_dict` checks the
shape as it goes and raises `ShapeError` naming the field, which readers turn into a problem.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from dailyseg.catalogue import CATALOGUE
from dailyseg.filing import CoverPage, Entry, Filing, Header, Target
from dailyseg.money import AmountError, parse_amount

FORMAT = "dailyseg-filing"
VERSION = 1
_TARGET_KINDS = {k.id for k in CATALOGUE.cover.target_kinds}


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


def _text(data: Mapping[str, Any], name: str, where: str) -> str:
    value = data.get(name, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ShapeError(f"{where}{name}: expected text, found {type(value).__name__}")
    return value


def _date(data: Mapping[str, Any], name: str, where: str) -> date | None:
    value = _text(data, name, where)
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ShapeError(f"{where}{name}: expected a date YYYY-MM-DD, found {value!r}") from None


def _amount(value: Any, where: str) -> Decimal:
    if not isinstance(value, str):
        raise ShapeError(f"{where}: expected an amount as a string, found {type(value).__name__} {value!r}"[:200])
    try:
        return parse_amount(value)
    except AmountError as error:
        raise ShapeError(f"{where}: {error}") from None


def cover_from_dict(data: Any) -> CoverPage:
    if not isinstance(data, Mapping):
        raise ShapeError("cover: expected an object")
    targets = []
    raw_targets = data.get("targets") or {}
    if not isinstance(raw_targets, Mapping):
        raise ShapeError("cover.targets: expected an object")
    for statement, raw in raw_targets.items():
        where = f"cover.targets.{statement}"
        if statement not in CATALOGUE.statement_by_id or not isinstance(raw, Mapping):
            raise ShapeError(f"{where}: expected one of {sorted(CATALOGUE.statement_by_id)} with an object")
        kind = raw.get("kind")
        if kind not in _TARGET_KINDS:
            raise ShapeError(f"{where}.kind: expected one of {sorted(_TARGET_KINDS)}, found {kind!r}")
        high = raw.get("high")
        targets.append(
            (statement, Target(kind, _amount(raw.get("low"), f"{where}.low"), _amount(high, f"{where}.high") if high is not None else None))
        )
    return CoverPage(
        company=_text(data, "company", "cover."),
        contact_name=_text(data, "contact_name", "cover."),
        contact_phone=_text(data, "contact_phone", "cover."),
        contact_email=_text(data, "contact_email", "cover."),
        targets=tuple(targets),
    )


def filing_from_dict(data: Any) -> Filing:
    if not isinstance(data, Mapping):
        raise ShapeError("filing: expected an object")
    header = Header(
        status=_text(data, "status", ""),
        end_date=_date(data, "end_date", ""),
        firm_name=_text(data, "firm", ""),
        form=_text(data, "form", ""),
        submit_date=_date(data, "submit_date", ""),
    )
    layout = _text(data, "layout", "")
    statements = data.get("statements")
    if not isinstance(statements, Mapping):
        raise ShapeError("statements: expected an object of statements")
    labels = data.get("labels") or {}
    entries = []
    for statement, amounts in statements.items():
        if not isinstance(amounts, Mapping):
            raise ShapeError(f"statements.{statement}: expected an object of code to amount")
        for ref, value in amounts.items():
            entries.append(Entry(statement, str(ref).upper(), _amount(value, f"statements.{statement}.{ref}"), str(labels.get(ref, ""))))
    if not layout:
        layout = CATALOGUE.detect_layout(frozenset(e.ref for e in entries), header.end_date)
    if layout not in CATALOGUE.layouts:
        raise ShapeError(f"layout: expected one of {sorted(CATALOGUE.layouts)}, found {layout!r}")
    cover = cover_from_dict(data["cover"]) if data.get("cover") else None
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
