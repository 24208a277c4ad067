"""What the close's pages, the upload page and the close's API share: how a refusal of the workflow is answered,
which findings a draft records, the firm a listing names, and drafts from the server's books or a document.

They live here, not in one router, so the pages and `/api/closes` make drafts and refuse steps the same way.
"""

from __future__ import annotations

from collections.abc import Iterable

from fastapi import Request

from dailyseg.checks import Finding
from dailyseg.store import Store, workflow
from dailyseg.store.identity import firm_id_of, name_key
from dailyseg.store.people import Actor
from dailyseg.store.workflow import Close, Refused
from dailyseg.web.computing import Computations
from dailyseg.web.documents import Examined
from dailyseg.web.work import HeavyWork

# 403 for who asks (a role, four eyes), 409 for a close no longer in the state the step needs (someone got
# there first), 422 for error findings not overridden or a request that names nothing it can act on.
STATUS_OF: dict[str, int] = {"denied": 403, "conflict": 409, "errors": 422, "invalid": 422}


def error_findings(findings: Iterable[Finding]) -> list[str]:
    """The error findings a draft records for its signer, written as the command line writes them."""
    return [f"{f.rule}: {f.message}" for f in findings if f.severity == "error"]


def close_firm_id(store: Store, firm: str) -> str:
    """The firm id of a firm named as `dailyseg closes FIRM` takes it: a firm whose filings are not yet in the
    history store is known by its name's key alone."""
    return store.resolve(firm) or firm_id_of(name_key(firm))


def _draft(request: Request, store: Store, actor: Actor, books: str, reason: str | None, amends: int | None) -> Close:
    """A draft (or an amendment of close `amends`) of the filing computed from the books named `books`, with its
    error findings. An amendment amends a filed close, from books of its firm, form and day: otherwise it would
    land on another day's filing."""
    amended = workflow.get_close(store, amends) if amends is not None else None
    if amended is not None and amended.state != "filed":
        raise Refused("conflict", f"close {amended.id} is {amended.state}, not filed: only a filed close is amended")
    computations: Computations = request.app.state.computations
    _, computation = computations.get(books)
    header = computation.filing.header
    made_day = (name_key(header.firm_name), header.form, header.end_date)
    if amended is not None and made_day != (name_key(amended.firm_name), amended.form, amended.end_date):
        day = f"{header.firm_name} {header.end_date}"
        raise Refused(
            "invalid", f"the books {books!r} are of {day}, not of close {amended.id}'s day ({amended.firm_name} {amended.end_date})"
        )
    errors = error_findings(computation.findings)
    return workflow.draft(store, actor, computation.filing, source=f"books {books}", errors=errors, amend_reason=reason)


async def drafted(
    request: Request, store: Store, heavy: HeavyWork, actor: Actor, books: str, reason: str | None = None, amends: int | None = None
) -> Close | Refused:
    """The day's draft from the books named `books` (an amendment of close `amends` with `reason`), or why not.

    Computing is heavy work (web/work.py): it runs in a heavy thread, never on the event loop."""

    def run(_: object) -> Close | Refused:
        try:
            return _draft(request, store, actor, books, reason, amends)
        except Refused as refusal:
            return refusal

    return await heavy.run(run)


def draft_examined(store: Store, actor: Actor, found: Examined) -> Close:
    """An uploaded document's one filing as the day's draft, with its error findings (the firm files it as it is)."""
    if len(found.filings) != 1:
        raise Refused("invalid", f"a draft is one filing: {found.name} holds {len(found.filings)}")
    checked = found.filings[0]
    return workflow.draft(store, actor, checked.filing, source=found.name, errors=error_findings(checked.findings))
