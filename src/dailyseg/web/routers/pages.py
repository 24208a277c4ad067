"""The store's pages: every firm, one firm over time, one filing laid out like the form."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup
from starlette.concurrency import run_in_threadpool

from dailyseg.checks import validate
from dailyseg.render.html import render_fragment
from dailyseg.store import Store
from dailyseg.watch.monitor import watch
from dailyseg.web.cache import answers, firm_now, firms_now
from dailyseg.web.deps import FilingId, From, To, check_range, get_store, stored_or_404
from dailyseg.web.downloads import FORMATS, file_name, render_as
from dailyseg.web.filing_view import banners, neighbours, record_of, summary
from dailyseg.web.history_view import MAX_PAGE, days_table
from dailyseg.web.respond import page
from dailyseg.web.security import require_read
from dailyseg.web.templating import render_template
from dailyseg.web.timeline import SHAPES, timeline
from dailyseg.web.views import FIRM_PARTS, FIRMS_PARTS, MARKS, comparisons, default_window, firms_statement_columns
from dailyseg.web.work import HeavyWork, Job, heavy_work

router = APIRouter(dependencies=[Depends(require_read)], include_in_schema=False)
StoreDep = Annotated[Store, Depends(get_store)]


@router.get("/", response_class=HTMLResponse)
def firms(request: Request, store: StoreDep, q: str = "", grid: Literal["compact", "full"] = "compact") -> HTMLResponse:
    """Every firm, worst first; the compact figures per statement, or every key line with ?grid=full."""
    from dailyseg.web.views import FIRMS_FULL_PARTS, firms_statement_columns, worst_first

    query = q.strip()
    listed = [f for f in firms_now(request, store) if not query or query.lower() in f.name.lower() or query.lower() in f.firm_id]
    full = grid == "full"
    return page(
        request,
        "firms.html.j2",
        {
            "rows": worst_first(listed),
            "q": query,
            "full": full,
            "columns": firms_statement_columns(),
            "parts": FIRMS_FULL_PARTS if full else FIRMS_PARTS,
            "marks": MARKS,
        },
    )


@router.get("/firms/{firm}", response_class=HTMLResponse)
def firm(
    request: Request,
    firm: str,
    store: StoreDep,
    start: From = None,
    end: To = None,
    page_number: Annotated[int, Query(alias="page", ge=1, le=MAX_PAGE, description="page of the table, 1 the latest")] = 1,
) -> HTMLResponse:
    """One firm: its latest figures, charts and findings over the range, and its days a page at a time.

    The range (?from=&to=, default the year to the as-of day) is the charts' and the table's alike; the table
    lists every business day of it, latest first, 60 a page (?page=), days without a filing as NOT FILED.
    """
    check_range(start, end)
    summary = firm_now(request, store, firm)
    if summary is None:
        raise HTTPException(404, f"no firm {firm!r} in the store")
    start, end = default_window(summary.as_of or summary.latest_end_date, start, end)
    return page(
        request,
        "firm.html.j2",
        {
            "firm": summary,
            "days_table": days_table(answers(request), store, summary, start, end, page_number),
            "start": start,
            "end": end,
            "columns": firms_statement_columns(),
            "parts": FIRM_PARTS,
            "marks": MARKS,
        },
    )


@router.get("/filings/{filing_id}", response_class=HTMLResponse)
def filing(request: Request, filing_id: FilingId, store: StoreDep) -> HTMLResponse:
    version, stored = stored_or_404(store, filing_id)
    same_day = [v for v in store.versions(version.firm_id, version.end_date) if v.form == version.form]
    findings = validate(stored)
    compared = comparisons(store, version, stored, same_day)
    # The day-over-day change first (and open); the changes from earlier versions of the day after it, closed.
    compared.sort(key=lambda c: c.other.end_date == version.end_date)
    return page(
        request,
        "filing.html.j2",
        {
            "version": version,
            "filing": stored,
            "same_day": same_day,
            "comparisons": compared,
            "findings": findings,
            "banners": banners(store, version, findings),
            "record": record_of(same_day, version),
            "neighbours": neighbours(store, version),
            "summary": summary(findings),
            "fragment": Markup(render_fragment(stored, findings)),
            "formats": FORMATS,
        },
    )


@router.get("/filings/{filing_id}/download/{fmt}")
async def download(filing_id: FilingId, fmt: str, store: StoreDep, heavy: Annotated[HeavyWork, Depends(heavy_work)]) -> Response:
    """The stored filing as a file; a heavy format (PDF) is rendered in a worker process, within the heavy limits."""
    chosen = FORMATS.get(fmt)
    if chosen is None:
        raise HTTPException(404, f"no download format {fmt!r}; choose one of {', '.join(FORMATS)}")

    def render(job: Job | None) -> Response:
        version, stored = stored_or_404(store, filing_id)
        name = file_name(version.firm_id, stored, version.version, chosen)
        body = job.in_worker(render_as, fmt, stored) if job is not None else chosen.render(stored)
        return Response(body, media_type=chosen.media_type, headers={"content-disposition": f'attachment; filename="{name}"'})

    return await heavy.run(render) if chosen.heavy else await run_in_threadpool(render, None)


@router.get("/firms/{firm}/findings", response_class=HTMLResponse)
def findings(
    request: Request,
    firm: str,
    store: StoreDep,
    start: From = None,
    end: To = None,
    partial: bool = False,
) -> HTMLResponse:
    """The monitor's findings for a period on a timeline: a page, or (partial) the section the firm page inserts."""
    check_range(start, end)
    summary = firm_now(request, store, firm)
    if summary is None or summary.latest_end_date is None:
        raise HTTPException(404, f"no firm {firm!r} in the store")
    start, end = default_window(summary.latest_end_date, start, end)
    first, last = start or summary.latest_end_date, end or summary.latest_end_date
    context = {"firm": summary, "tl": timeline(watch(store, summary.firm_id, first, last), first, last), "shapes": SHAPES}
    if partial:
        return HTMLResponse(render_template("_timeline.html.j2", context))
    return page(request, "timeline.html.j2", context)
