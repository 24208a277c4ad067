"""The JSON API. Reading is open unless the server was given a read token or needs a sign-in; storing needs
the write token (the service account) or a preparer's personal token (web/access.py).

Amounts are strings (exact); dates are ISO 8601; every error is `{"error": {"status", "message"}}`. Every
answer is a model of `dailyseg.shapes`, the one the command line's `--json` writes for the same data.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, HTTPException, Query, Request, UploadFile
from fastapi.responses import JSONResponse, Response

from dailyseg.catalogue import CATALOGUE, key_of
from dailyseg.checks import REGISTRY, Selection, validate
from dailyseg.shapes import (
    ChartOut,
    ErrorBody,
    FirmOut,
    HistoryOut,
    ObservationOut,
    RuleOut,
    StoredFiling,
    StoreResult,
    Validation,
    VersionOut,
)
from dailyseg.store import Store
from dailyseg.watch.monitor import watch
from dailyseg.web.access import READER, STORER, Caller
from dailyseg.web.cache import chart_now, firm_now, firms_now
from dailyseg.web.deps import AsOf, Day, FilingId, From, To, check_range, firm_or_404, get_store, rule_choice, stored_or_404
from dailyseg.web.documents import examined, receive, store_examined, validation_json, with_content
from dailyseg.web.ratelimit import limit_anonymous_upload
from dailyseg.web.security import settings_of
from dailyseg.web.warming import rejudge_soon
from dailyseg.web.work import HeavyWork, Job, heavy_work

ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": text}
    for status, text in {
        401: "a token is needed",
        403: "refused",
        404: "not found",
        413: "upload too large",
        422: "invalid request",
        429: "too many uploads without a token from this address (see Retry-After)",
        503: "busy with other documents (see Retry-After), or the store is not available",
        504: "the work took longer than the server allows",
    }.items()
}

router = APIRouter(prefix="/api", responses=ERRORS)
reading = APIRouter(dependencies=[Depends(READER)])
StoreDep = Annotated[Store, Depends(get_store)]
Upload = Annotated[UploadFile, File(description="a filing in any format dailyseg reads")]

HeavyDep = Annotated[HeavyWork, Depends(heavy_work)]


@reading.get("/firms", response_model=list[FirmOut], tags=["firms"])
def firms(request: Request, store: StoreDep, as_of: AsOf = None) -> list[FirmOut]:
    """Every firm, worst first: its status (rule ids of its current findings) and its latest filing of record by statement."""
    return [FirmOut.of(f) for f in firms_now(request, store, as_of)]


@reading.get("/firms/{firm}", response_model=FirmOut, tags=["firms"])
def firm(request: Request, firm: str, store: StoreDep, as_of: AsOf = None) -> FirmOut:
    """One firm, by firm id or by any name it filed under."""
    status = firm_now(request, store, firm, as_of)
    if status is None:
        raise HTTPException(404, f"no firm {firm!r} in the store")
    return FirmOut.of(status)


@reading.get("/rules", response_model=list[RuleOut], tags=["rules"])
def rules() -> list[RuleOut]:
    """Every rule: id, question, tier, severity, what it looks at, where it is shown, citation and notice."""
    return [RuleOut.of(r) for r in REGISTRY.values()]


@reading.get("/firms/{firm}/filings", response_model=list[VersionOut], tags=["filings"])
def firm_filings(firm: str, store: StoreDep, start: From = None, end: To = None, record_only: bool = False) -> list[VersionOut]:
    """The firm's filings in End Date order, every version (or only the filings of record)."""
    check_range(start, end)
    return [VersionOut.of(v) for v in store.filings(firm_or_404(store, firm), start, end, record_only=record_only)]


@reading.get("/firms/{firm}/versions/{end_date}", response_model=list[VersionOut], tags=["filings"])
def versions(firm: str, end_date: Day, store: StoreDep) -> list[VersionOut]:
    """Every version the firm filed for one End Date, first received first."""
    return [VersionOut.of(v) for v in store.versions(firm_or_404(store, firm), end_date)]


@reading.get("/firms/{firm}/history", response_model=HistoryOut, tags=["history"])
def history(
    firm: str,
    store: StoreDep,
    code: Annotated[list[str], Query(description="catalogue codes, e.g. 7190 (repeat for several)", min_length=1)],
    start: From = None,
    end: To = None,
) -> Response:
    """The values of codes on each End Date's filing of record, in date order."""
    check_range(start, end)
    codes = [key_of(c) for c in code]
    unknown = [c for c in codes if c not in CATALOGUE.refs]
    if unknown:
        raise HTTPException(422, f"invalid request: code {', '.join(unknown)} is not in the catalogue")
    firm_id = firm_or_404(store, firm)
    points = store.history(firm_id, codes, start, end)
    # Years of daily values: written straight from the model, without validating the answer again.
    return Response(HistoryOut.of(firm_id, codes, points).model_dump_json(), media_type="application/json")


@reading.get("/firms/{firm}/chart", response_model=ChartOut, tags=["history"])
def chart(request: Request, firm: str, store: StoreDep, start: From = None, end: To = None) -> Response:
    """Requirement, funds, excess and target of each statement over time, in columns (what the charts draw)."""
    check_range(start, end)
    return Response(chart_now(request, store, firm_or_404(store, firm), start, end), media_type="application/json")


@reading.get("/firms/{firm}/findings", response_model=list[ObservationOut], tags=["history"])
def firm_findings(firm: str, store: StoreDep, start: From = None, end: To = None) -> list[ObservationOut]:
    """The monitor's findings for the firm over time (deficiency, below target, 25% drawdown, missing days, ...)."""
    check_range(start, end)
    return [ObservationOut.of(o) for o in watch(store, firm_or_404(store, firm), start, end)]


@reading.get("/filings/{filing_id}", response_model=StoredFiling, tags=["filings"])
def filing(filing_id: FilingId, store: StoreDep, choice: Annotated[Selection, Depends(rule_choice)]) -> StoredFiling:
    """One stored version: the filing, its findings, and every version of the same day."""
    version, stored = stored_or_404(store, filing_id)
    same_day = [v for v in store.versions(version.firm_id, version.end_date) if v.form == version.form]
    return StoredFiling.of(version, same_day, stored, validate(stored, choice.ids, tier=choice.tier))


@reading.post("/validate", response_model=Validation, tags=["validation"])
async def validate_document(
    request: Request, file: Upload, choice: Annotated[Selection, Depends(rule_choice)], heavy: HeavyDep
) -> Response:
    """Read and check an uploaded document without storing it: its filings, their findings, and read problems.

    An unreadable document is answered 200 with `ok: false` and the problems that say why. `rules` and `strict`
    choose the rules as `dailyseg validate --rules` and `--strict` do; the answer is what `dailyseg validate
    --json` writes for the same document (amounts are compared exactly: the tolerance is 0). Without a token,
    uploads are limited per client address (429); the document is read in a worker process (503 when the
    server is busy, 504 past its deadline, 413 past its memory bound).
    """
    await limit_anonymous_upload(request)
    limit = settings_of(request).max_upload_bytes
    name, content = await receive(file, limit)
    body = await heavy.run(lambda job: job.in_worker(validation_json, name, content, limit, choice))
    return Response(body, media_type="application/json")


@router.post(
    "/filings",
    response_model=StoreResult,
    status_code=201,
    tags=["filings"],
    responses={200: {"model": StoreResult, "description": "every filing was stored before"}},
)
async def store_filing(
    request: Request, who: Annotated[Caller, Depends(STORER)], file: Upload, store: StoreDep, heavy: HeavyDep
) -> JSONResponse:
    """Store the filings of an uploaded document (a bearer token: the write token, or a preparer's own token).

    All or none: 201 when something new was stored, 200 when every filing was already present, 422
    (with the problems) when no filing could be read. Filings with findings are stored as filed.
    """
    assert who.actor is not None
    actor = who.actor.name
    limit = settings_of(request).max_upload_bytes
    name, content = await receive(file, limit)

    def read_and_store(job: Job) -> JSONResponse:
        found = with_content(job.in_worker(examined, name, content, limit), content)
        if not found.filings:
            reasons = "; ".join(str(p) for p in found.problems[:3]) or "no filing found"
            raise HTTPException(422, f"no filing could be read from {name}: {reasons}")
        outcomes = store_examined(store, found, actor)
        fresh = any(o.status in ("stored", "amended") for o in outcomes)
        body = StoreResult.of(name, outcomes, found.problems).model_dump(mode="json")
        return JSONResponse(body, status_code=201 if fresh else 200)

    stored = await heavy.run(read_and_store)
    rejudge_soon(request)
    return stored


router.include_router(reading)
