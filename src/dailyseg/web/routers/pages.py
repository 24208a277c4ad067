"""The store's pages: every firm, one firm over time, one filing laid out like the form."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse

from dailyseg.store import Store
from dailyseg.web.charts import PARTS
from dailyseg.web.deps import check_range, get_store
from dailyseg.web.respond import page
from dailyseg.web.security import require_read
from dailyseg.web.views import MARKS, days_of, default_window, statement_columns

router = APIRouter(dependencies=[Depends(require_read)], include_in_schema=False)
StoreDep = Annotated[Store, Depends(get_store)]


@router.get("/", response_class=HTMLResponse)
def firms(request: Request, store: StoreDep, q: str = "") -> HTMLResponse:
    query = q.strip()
    listed = [f for f in store.firms() if not query or query.lower() in f.name.lower() or query.lower() in f.firm_id]
    return page(
        request,
        "firms.html.j2",
        {"firms": listed, "q": query, "columns": statement_columns(), "parts": PARTS, "marks": MARKS},
    )


@router.get("/firms/{firm}", response_class=HTMLResponse)
def firm(
    request: Request,
    firm: str,
    store: StoreDep,
    start: Annotated[date | None, Query(alias="from")] = None,
    end: Annotated[date | None, Query(alias="to")] = None,
) -> HTMLResponse:
    check_range(start, end)
    summary = store.firm(firm)
    if summary is None:
        raise HTTPException(404, f"no firm {firm!r} in the store")
    start, end = default_window(summary.latest_end_date, start, end)
    days = days_of(store.filings(summary.firm_id, start, end))
    return page(
        request,
        "firm.html.j2",
        {"firm": summary, "days": days, "start": start, "end": end, "columns": statement_columns(), "parts": PARTS, "marks": MARKS},
    )
