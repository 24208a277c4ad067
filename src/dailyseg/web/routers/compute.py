"""The compute page: pick a books folder the server knows (by name) and see the computed filing, line by line.

Computing is heavy work (`dailyseg.web.work`): it runs in a heavy thread, within the limits on work at once
and the deadline, never on the event loop.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from dailyseg.catalogue import CATALOGUE
from dailyseg.compute.lineage import explain
from dailyseg.render.html import render_fragment
from dailyseg.web.access import READER
from dailyseg.web.computing import Computations
from dailyseg.web.explain_view import explain_view
from dailyseg.web.respond import page
from dailyseg.web.security import csrf_checked, settings_of
from dailyseg.web.work import HeavyWork, Job, heavy_work

router = APIRouter(dependencies=[Depends(READER)], include_in_schema=False)
HeavyDep = Annotated[HeavyWork, Depends(heavy_work)]


def _computations(request: Request) -> Computations:
    kept: Computations = request.app.state.computations
    return kept


@router.get("/compute", response_class=HTMLResponse)
def compute_form(request: Request) -> HTMLResponse:
    return page(request, "compute.html.j2", {"names": sorted(settings_of(request).books), "chosen": None, "computation": None})


@router.post("/compute", response_class=HTMLResponse, dependencies=[Depends(csrf_checked)])
async def compute_books(request: Request, books: Annotated[str, Form()], heavy: HeavyDep) -> HTMLResponse:
    """Computing only shows the filing, so whoever may read may compute; making it the day's draft is /closes."""
    return await heavy.run(lambda _: _computed_page(request, books))


def _computed_page(request: Request, books: str) -> HTMLResponse:
    _, computation = _computations(request).get(books)
    lines = [e for e in computation.filing.entries if e.known]
    return page(
        request,
        "compute.html.j2",
        {
            "names": sorted(settings_of(request).books),
            "chosen": books,
            "computation": computation,
            "lines": [(e, CATALOGUE.row(e.ref, computation.filing.layout)) for e in lines],
            "fragment": Markup(render_fragment(computation.filing, computation.findings)),
        },
    )


@router.get("/compute/{books}/lines/{code}", response_class=HTMLResponse)
async def explain_line(request: Request, books: str, code: str, heavy: HeavyDep) -> HTMLResponse:
    """How one computed line was made: its rule, the rows by currency, the largest contributors, the sum."""

    def explained(_: Job) -> HTMLResponse:
        book, computation = _computations(request).get(books)
        try:
            explanation = explain(book, computation, code)
        except KeyError as error:
            raise HTTPException(404, str(error.args[0])) from None
        view = explain_view(explanation, computation.filing.layout, computation.totals.rates)
        return page(request, "explain.html.j2", {"books": books, "x": view})

    return await heavy.run(explained)
