"""Every table as CSV (and XLSX where a spreadsheet user wants it), a firm's history, charts as PNG and SVG.

Each download is the table its page shows, for the same parameters (the firms list's search and grid, the
firm page's range, the overview's as-of day and days), made by `dailyseg.web.exports_view`. A filing's lines
are its CSV download (`/filings/{id}/download/csv`), which the filing page links beside the form; each of its
comparison tables is `/filings/{id}/changes/{other}.csv`.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response

from dailyseg.shapes import ChartOut
from dailyseg.store import Store
from dailyseg.store.diff import diff_filings
from dailyseg.watch.status import FirmStatus
from dailyseg.web.cache import chart_now, firm_now, firms_now
from dailyseg.web.deps import AsOf, FilingId, From, To, check_range, get_store, stored_or_404
from dailyseg.web.exports_view import (
    board_table,
    changes_table,
    chart_image,
    download,
    feed_table,
    firm_chart_spec,
    firms_table,
    history_table,
    safe_name,
    shares_table,
    table_file,
    totals_table,
)
from dailyseg.web.history_view import figured, filed_days, range_days
from dailyseg.web.overview_view import DEFAULT_DAYS, within
from dailyseg.web.routers.overview import Days, overview_now, totals_now
from dailyseg.web.security import require_read
from dailyseg.web.views import FIRMS_FULL_PARTS, FIRMS_PARTS, default_window, firms_statement_columns, worst_first
from dailyseg.web.work import HeavyWork, heavy_work

router = APIRouter(dependencies=[Depends(require_read)], include_in_schema=False)
StoreDep = Annotated[Store, Depends(get_store)]
Sheet = Literal["csv", "xlsx"]
Image = Literal["svg", "png"]


@router.get("/firms.{sheet}")
def firms_file(request: Request, store: StoreDep, sheet: Sheet, q: str = "", grid: Literal["compact", "full"] = "compact") -> Response:
    """The firms list as shown for the same ?q= and ?grid=: worst first, the compact or the full figures."""
    query = q.strip().lower()
    listed = [f for f in firms_now(request, store) if not query or query in f.name.lower() or query in f.firm_id]
    parts = FIRMS_FULL_PARTS if grid == "full" else FIRMS_PARTS
    table = firms_table(worst_first(listed), firms_statement_columns(), parts)
    as_of = listed[0].as_of.isoformat() if listed and listed[0].as_of else ""
    return table_file(table, safe_name("firms", as_of), sheet)


def _firm_range(request: Request, store: Store, firm: str, start: From, end: To) -> tuple[FirmStatus, From, To]:
    """The firm and the firm page's range for the same ?from=&to= (404 for an unknown firm)."""
    check_range(start, end)
    summary = firm_now(request, store, firm)
    if summary is None:
        raise HTTPException(404, f"no firm {firm!r} in the store")
    start, end = default_window(summary.as_of or summary.latest_end_date, start, end)
    return summary, start, end


@router.get("/filings/{filing_id}/changes/{other_id}.{sheet}")
def changes_file(filing_id: FilingId, other_id: FilingId, store: StoreDep, sheet: Sheet) -> Response:
    """The lines that differ from another stored version to this one: a comparison table of the filing page (the
    previous business day's filing, an earlier version of the day), or any two versions a user names."""
    version, filing = stored_or_404(store, filing_id)
    other, earlier = stored_or_404(store, other_id)
    table = changes_table(other, version, diff_filings(earlier, filing))
    name = safe_name("changes", version.firm_id, *(f"{v.end_date.isoformat()}-v{v.version}" for v in (other, version)))
    return table_file(table, name, sheet)


@router.get("/firms/{firm}/history.{sheet}")
def history_file(request: Request, firm: str, store: StoreDep, sheet: Sheet, start: From = None, end: To = None) -> Response:
    """Every row of the firm page's table for the range (all its pages), latest first."""
    summary, start, end = _firm_range(request, store, firm, start, end)
    rows = figured(store, summary.firm_id, range_days(store, summary.firm_id, start, end, summary.as_of))
    span = [d.isoformat() for d in (start, end) if d is not None]
    return table_file(history_table(rows), safe_name("history", summary.firm_id, *span), sheet)


@router.get("/firms/{firm}/chart.{image}")
async def chart_file(
    request: Request,
    firm: str,
    store: StoreDep,
    image: Image,
    heavy: Annotated[HeavyWork, Depends(heavy_work)],
    start: From = None,
    end: To = None,
) -> Response:
    """The firm's chart for the range as an image: one panel per statement (the publish page's chart), drawn
    within the heavy limits (admission, deadline). vl-convert runs in the job's thread, not in a worker process:
    its JavaScript engine reserves more address space at start than a worker's memory bound allows."""
    summary, start, end = _firm_range(request, store, firm, start, end)
    firm_id = summary.firm_id
    chart = ChartOut.model_validate_json(chart_now(request, store, firm_id, start, end))
    days = filed_days(store, firm_id, start, end)
    if not chart.dates or not days:
        raise HTTPException(404, f"{firm_id} has no figures to chart in this range")
    first, last = start or date.fromisoformat(chart.dates[0]), end or date.fromisoformat(chart.dates[-1])
    spec = firm_chart_spec(days[0].record, chart, first, last)

    body = await heavy.run(lambda _: chart_image(spec, image))
    return download(body, safe_name("chart", firm_id, str(first), str(last)), image)


@router.get("/overview/board.csv")
def board_file(request: Request, store: StoreDep, as_of: AsOf = None) -> Response:
    """The overview's board: a row per firm in each group (a deficient firm is also a filed one)."""
    found = overview_now(request, store, as_of, DEFAULT_DAYS)
    if found.board is None:
        raise HTTPException(404, "the store holds no filing")
    return table_file(board_table(found.board), safe_name("board", found.board.day.isoformat()), "csv")


@router.get("/overview/events.csv")
def events_file(request: Request, store: StoreDep, as_of: AsOf = None, days: Days = DEFAULT_DAYS) -> Response:
    """The overview's feed for the same ?days=, newest first, with each event's rule, statement and filing."""
    found = overview_now(request, store, as_of, days)
    day = found.board.day.isoformat() if found.board else ""
    return table_file(feed_table(found.feed), safe_name("events", day, f"{days}-days"), "csv")


@router.get("/overview/shares.csv")
def shares_file(request: Request, store: StoreDep, as_of: AsOf = None) -> Response:
    """Every statement's ranking in one table, a row per firm and statement."""
    found = overview_now(request, store, as_of, DEFAULT_DAYS)
    day = found.board.day.isoformat() if found.board else ""
    return table_file(shares_table(found.shares), safe_name("shares", day), "csv")


@router.get("/overview/totals.csv")
def totals_file(request: Request, store: StoreDep, start: From = None, end: To = None) -> Response:
    """The totals over firms of every End Date from ?from= to ?to= (default: all)."""
    check_range(start, end)
    span = [d.isoformat() for d in (start, end) if d is not None]
    return table_file(totals_table(within(totals_now(request, store), start, end)), safe_name("totals", *span), "csv")
