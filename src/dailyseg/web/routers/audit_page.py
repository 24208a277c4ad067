"""The audit page: the log's entries, by firm, user and dates, and the result of walking the chain.

Entries and the walk come from `dailyseg.store.audit` (`entries`, `verify`), as `dailyseg audit log` and
`dailyseg audit verify` print them. The walk rebuilds every stored close and ingested filing and hashes it
again, which takes time on a large store: it runs only when asked for (`/audit/verify`), in a heavy thread.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from dailyseg.store import Store
from dailyseg.store.audit import Verification, entries, verify
from dailyseg.web.access import MEMBER, Caller
from dailyseg.web.deps import From, To, check_range, get_store
from dailyseg.web.respond import page
from dailyseg.web.work import HeavyWork, heavy_work

router = APIRouter(include_in_schema=False)
StoreDep = Annotated[Store, Depends(get_store)]
Member = Annotated[Caller, Depends(MEMBER)]


def _audit_page(
    request: Request, store: Store, firm: str, user: str, start: date | None, end: date | None, checked: Verification | None
) -> HTMLResponse:
    firm_id = (store.resolve(firm) or firm) if firm else None
    found = entries(store, firm_id=firm_id, start=start, end=end, actor=user or None)
    context = {"entries": found, "firm": firm, "who": user, "start": start, "end": end, "verification": checked}
    return page(request, "audit.html.j2", context)


@router.get("/audit", response_class=HTMLResponse)
def audit(
    request: Request,
    store: StoreDep,
    _: Member,
    firm: Annotated[str, Query(max_length=300, description="a firm's id or name")] = "",
    user: Annotated[str, Query(max_length=100, description="who acted")] = "",
    start: From = None,
    end: To = None,
) -> HTMLResponse:
    """The log in order, filtered by firm, user and the days of the events (UTC)."""
    check_range(start, end)
    return _audit_page(request, store, firm.strip(), user.strip(), start, end, None)


@router.get("/audit/verify", response_class=HTMLResponse)
async def audit_verify(request: Request, store: StoreDep, _: Member, heavy: Annotated[HeavyWork, Depends(heavy_work)]) -> HTMLResponse:
    """The whole log with the result of `verify`: the first break in the chain and every filing that no longer matches."""
    return await heavy.run(lambda _: _audit_page(request, store, "", "", None, None, verify(store)))
