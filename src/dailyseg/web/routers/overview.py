"""The industry at a glance: today's board, totals across firms over time, shares and ranks, the events feed."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from dailyseg.store import Store
from dailyseg.store.totals import RunningTotals
from dailyseg.web.cache import answers, firm_watch_now, firms_now, totalled
from dailyseg.web.deps import AsOf, From, To, check_range, get_store
from dailyseg.web.overview_shapes import OverviewOut, TotalsOut
from dailyseg.web.overview_view import (
    DEFAULT_DAYS,
    GROUP_TITLES,
    MAX_DAYS,
    Overview,
    Totals,
    overview,
    totals,
    within,
)
from dailyseg.web.respond import page
from dailyseg.web.security import require_read
from dailyseg.web.templating import render_template
from dailyseg.web.views import DEFAULT_WINDOW, MARKS

# The pages are not in the API schema; /api/overview is.
router = APIRouter(dependencies=[Depends(require_read)])
StoreDep = Annotated[Store, Depends(get_store)]
Days = Annotated[int, Query(ge=1, le=MAX_DAYS, description="the feed's length: the events of this many calendar days up to the as-of day")]


def overview_now(request: Request, store: Store, as_of: date | None, days: int) -> Overview:
    """The board, shares and feed, kept while the store is unchanged (the firms' status is `firms_now`'s, and
    each firm's part of the feed is kept per firm, so one firm's new filing makes only its part again)."""
    firms = firms_now(request, store, as_of)
    return answers(request).get(
        store, ("overview", as_of, days), lambda: overview(store, firms, days, partial(firm_watch_now, request, store))
    )


def totals_now(request: Request, store: Store) -> Totals:
    """Every End Date's totals over firms, kept while the store is unchanged; made again from the process's
    running totals (`store.totals.RunningTotals`), which take out and add again only the firms whose revision
    moved, reading their figures (kept per firm, in the store too, for every server process) from the table held
    before: only the days filed since are read."""
    kept = answers(request)
    running: RunningTotals[tuple[int, int]] = request.app.state.totals

    def made() -> Totals:
        filed = {firm_id: revision for firm_id, revision in kept.firm_revisions(store).items() if revision[0]}  # [0]: its last filing
        return totals(running.now(filed, partial(totalled, kept, store)))

    return kept.get(store, ("overview-totals",), made)


def chart_range(found: Overview, start: date | None, end: date | None) -> tuple[date | None, date | None]:
    """The totals' range: as asked, else the year up to the board's day."""
    if start is None and end is None and found.board is not None:
        return found.board.day - DEFAULT_WINDOW, found.board.day
    return start, end


@router.get("/overview", response_class=HTMLResponse, include_in_schema=False)
def overview_page(
    request: Request, store: StoreDep, as_of: AsOf = None, days: Days = DEFAULT_DAYS, start: From = None, end: To = None
) -> HTMLResponse:
    """The board of the as-of day, the totals chart (range in ?from=&to=), shares and ranks, the events feed."""
    check_range(start, end)
    found = overview_now(request, store, as_of, days)
    start, end = chart_range(found, start, end)
    overdue = found.board.overdue(datetime.now(UTC)) if found.board else False

    def body() -> Markup:
        shown = within(totals_now(request, store), start, end)
        return Markup(
            render_template(
                "_overview_body.html.j2",
                {
                    "o": found,
                    "overdue": overdue,
                    "titles": GROUP_TITLES,
                    "marks": MARKS,
                    "totals": shown,
                    "latest": len(shown.dates) - 1,
                    "start": start,
                    "end": end,
                    "as_of": as_of,
                    "feed_first": found.board.day - timedelta(days=days - 1) if found.board else None,
                },
            )
        )

    # The board, shares, totals and feed tables are most of the page's time; they change with the store only.
    key = ("overview-html", as_of, days, start, end, overdue)
    return page(request, "overview.html.j2", {"body": answers(request).get(store, key, body)})


@router.get("/overview/totals.json", response_model=TotalsOut, include_in_schema=False)
def totals_data(request: Request, store: StoreDep) -> Response:
    """Every End Date's totals as the overview's chart draws them (the firm chart's columns)."""
    body = answers(request).get(store, ("overview-totals-json",), lambda: TotalsOut.of(totals_now(request, store)).model_dump_json())
    return Response(body, media_type="application/json")


@router.get("/api/overview", response_model=OverviewOut, tags=["overview"])
def overview_api(
    request: Request, store: StoreDep, as_of: AsOf = None, days: Days = DEFAULT_DAYS, start: From = None, end: To = None
) -> Response:
    """The industry at a glance: the as-of day's board (filed, not filed, late, deficient, under target, from each
    firm's status), each firm's share and rank of the requirement per statement, the totals over firms per End
    Date from `from` to `to` (default: the year to the as-of day), and the events of the last `days` days."""
    check_range(start, end)
    found = overview_now(request, store, as_of, days)
    start, end = chart_range(found, start, end)
    now = datetime.now(UTC)

    def body() -> str:
        return OverviewOut.of(found, within(totals_now(request, store), start, end), now).model_dump_json()

    # The time asked at changes the answer only through whether the due time has passed (`overdue`).
    key = ("overview-json", as_of, days, start, end, found.board.overdue(now) if found.board else False)
    return Response(answers(request).get(store, key, body), media_type="application/json")
