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
    rule: str = Field(description="the rule's id (GET /api/rules lists them)")
    question: str = Field(description='"firm": an event (is the firm in trouble?); "filing": a defect (is the filing right?)')
    severity: str
    statement: str | None
    codes: list[str]
    message: str
    expected: str | None = Field(description="exact amount or text, as a string")
    actual: str | None
    difference: str | None
    citation: str
    notice: str = Field(description="what the rule requires the firm to do when the event happens (empty for defects)")
    since: str | None = Field(description="for an event over time, the first End Date of its unbroken run")


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


class StatementFigures(BaseModel):
    requirement: str | None
    funds: str | None
    excess: str | None
    target: str | None
    target_source: str | None = Field(description='where the target was read: "line 7194" or "cover page"')
    over_target: str | None = Field(description="excess minus target (negative: under the target)")
    excess_percent: str | None = Field(description="excess as a percentage of the requirement")
    excess_change: str | None = Field(description="change in excess from the prior filed day")


class ObservationOut(FindingOut):
    firm_id: str
    end_date: str


class FirmOut(BaseModel):
    firm_id: str
    name: str = Field(description="the name on the firm's latest filing")
    latest_end_date: str | None
    as_of: str | None = Field(description="the day the status is judged at: the latest End Date in the store, or ?as_of=")
    status: list[str] = Field(description="rule ids of the firm's current findings, worst first (empty: nothing to report)")
    statements: dict[str, StatementFigures] = Field(description='by statement: "segregation", "secured", "swaps"')
    findings: list[ObservationOut] = Field(description="the findings behind the status, worst first")


class VersionOut(BaseModel):
    id: int
    firm_id: str
    firm_name: str
    end_date: str
    status: str
    form: str
    submit_date: str | None
    version: int = Field(description="1 for the first received for (firm, form, End Date), 2 for the next ...")
    is_record: bool = Field(description="the filing of record: the latest accepted version")
    content_hash: str
    stored_at: str


class StoredFiling(BaseModel):
    version: VersionOut
    versions: list[VersionOut] = Field(description="every version of the same firm, form and End Date")
    filing: dict[str, Any] = Field(description="the filing in dailyseg's JSON shape: amounts as strings keyed by code")
    findings: list[FindingOut]


class PointOut(BaseModel):
    end_date: str
    code: str
    value: str
    filing_id: int
    amended: bool


class HistoryOut(BaseModel):
    firm_id: str
    codes: list[str]
    points: list[PointOut] = Field(description="the value of each code on each End Date's filing of record, in date order")


class ChartStatement(BaseModel):
    title: str
    codes: dict[str, str] = Field(description="requirement, funds, excess and target: the code of each")
    series: dict[str, list[str | None]] = Field(description="by part, one amount (or null) per date")


class ChartPart(BaseModel):
    id: str = Field(description='a key line of the catalogue: "requirement", "funds", "excess", "target"')
    label: str


class ChartOut(BaseModel):
    firm_id: str
    parts: list[ChartPart] = Field(description="the lines drawn, in order, with their labels")
    dates: list[str]
    filing_ids: list[int]
    amended: list[bool]
    statements: dict[str, ChartStatement]


class OutcomeOut(BaseModel):
    status: str = Field(description='"stored", "already-present", "amended" or "unreadable"')
    source: str
    filing_id: int | None
    firm: str | None
    end_date: str | None
    reason: str


class StoreResult(BaseModel):
    source: str
    outcomes: list[OutcomeOut]
    problems: list[ProblemOut]
