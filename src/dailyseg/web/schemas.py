"""The API's JSON shapes, for the OpenAPI schema. Amounts are strings (exact), dates ISO 8601."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from dailyseg.serial import filing_to_dict
from dailyseg.web.documents import Checked, Examined


class ErrorDetail(BaseModel):
    status: int
    message: str


class ErrorBody(BaseModel):
    error: ErrorDetail


class ProblemOut(BaseModel):
    source: str
    line: int | None
    severity: str
    message: str
    code: str | None
    expected: str
    found: str


class FindingOut(BaseModel):
    rule: str
    severity: str
    statement: str | None
    codes: list[str]
    message: str
    expected: str | None = Field(description="exact amount or text, as a string")
    actual: str | None
    difference: str | None
    citation: str


class CheckedFiling(BaseModel):
    firm: str
    end_date: str | None
    status: str
    layout: str
    filing: dict[str, Any] = Field(description="the filing in dailyseg's JSON shape: amounts as strings keyed by code")
    findings: list[FindingOut]


class Validation(BaseModel):
    source: str
    ok: bool = Field(description="at least one filing was read, with no error finding and no read error")
    problems: list[ProblemOut]
    filings: list[CheckedFiling]


ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": text}
    for status, text in {
        401: "a token is needed",
        403: "refused",
        404: "not found",
        413: "upload too large",
        422: "invalid request",
    }.items()
}


def checked_out(checked: Checked) -> dict[str, Any]:
    header = checked.filing.header
    return {
        "firm": header.firm_name,
        "end_date": header.end_date.isoformat() if header.end_date else None,
        "status": header.status,
        "layout": checked.filing.layout,
        "filing": filing_to_dict(checked.filing),
        "findings": [f.to_dict() for f in checked.findings],
    }


def validation_out(examined: Examined) -> dict[str, Any]:
    return {
        "source": examined.name,
        "ok": examined.ok,
        "problems": [p.to_dict() for p in examined.problems],
        "filings": [checked_out(c) for c in examined.filings],
    }
