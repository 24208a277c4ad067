"""The daily close: a filing's way from draft to filed, with four eyes, and the log of every step.

    draft ──review──> reviewed ──approve──> approved ──file──> filed
      (a preparer)   (a preparer, not     (a signer, not the      (a preparer or signer: the time,
                      the one who made it) one who made it)        and the filing system's reference)

A draft is computed from books or taken from a document by a preparer. Its amounts are written once and
never changed: a new draft of the same firm, form and End Date supersedes the drafts not yet filed
(`superseded`), an approved one included, so an approved filing is never altered, only replaced. A filed
filing is changed only by an amendment (`amend`), a new draft with status AMENDED and a written reason
that goes through the same steps. Error findings (recorded when the draft is made) block approval unless
the signer overrides them with a written reason.

Every step is one audited transaction (audit.py): it locks the log's head first, so steps run one after
another, reads the close, checks who may do it, moves the state with `UPDATE ... WHERE state = <the state
the step starts from>` checked by its row count, and appends its entry. Two signers approving at once:
one wins; the other finds the close approved and is told by whom. A crash leaves the step wholly done or
not begun, and the log agreeing with the state.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection, Row

from dailyseg.calendar import due_at, is_late
from dailyseg.filing import Filing
from dailyseg.store.audit import Event, audited, utc
from dailyseg.store.bulk import insert_rows
from dailyseg.store.content import CLOSE_AMOUNTS, stored_filings
from dailyseg.store.database import store_errors
from dailyseg.store.firms import ensure_aliases
from dailyseg.store.identity import firm_id_of
from dailyseg.store.ingest import NotStorable, filing_row, prepare
from dailyseg.store.people import Actor
from dailyseg.store.tables import aliases, close_comments, close_values, closes, users

if TYPE_CHECKING:
    from dailyseg.store.store import Store

State = Literal["draft", "reviewed", "approved", "filed", "superseded"]
OPEN: tuple[State, ...] = ("draft", "reviewed", "approved")
RefusalKind = Literal["denied", "conflict", "errors", "invalid"]


class Refused(Exception):
    """A step that may not happen: who asked (denied), the state it found (conflict), error findings not
    overridden (errors), or a request that names nothing it can act on (invalid)."""

    def __init__(self, kind: RefusalKind, message: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class Comment:
    author: str
    code: str | None
    text: str
    at: datetime


@dataclass(frozen=True)
class Close:
    id: int
    firm_id: str
    firm_name: str
    form: str
    end_date: date
    status: str
    state: State
    content_hash: str
    errors: tuple[str, ...]
    prepared_by: str
    reviewed_by: str | None
    approved_by: str | None
    filed_by: str | None
    override_reason: str | None
    amends: int | None
    amend_reason: str | None
    filed_at: datetime | None
    reference: str | None
    created_at: datetime
    comments: tuple[Comment, ...]

    @property
    def due_at(self) -> datetime:
        return due_at(self.end_date)

    @property
    def late(self) -> bool:
        """Filed after its due time, or not filed and past it."""
        return is_late(self.end_date, self.filed_at or datetime.now(UTC))


def _firm_of(conn: Connection, key: str) -> str:
    found = conn.execute(select(aliases.c.firm_id).where(aliases.c.name_key == key)).scalar()
    return str(found) if found is not None else firm_id_of(key)


def _names(conn: Connection) -> dict[int, str]:
    return {int(i): str(n) for i, n in conn.execute(select(users.c.id, users.c.name))}


def _closes(conn: Connection, rows: Sequence[Row[Any]]) -> list[Close]:
    names = _names(conn)
    ids = [int(r.id) for r in rows]
    said: dict[int, list[Comment]] = {i: [] for i in ids}
    if ids:
        query = select(close_comments).where(close_comments.c.close_id.in_(ids)).order_by(close_comments.c.id)
        for c in conn.execute(query):
            said[int(c.close_id)].append(Comment(names[int(c.user_id)], c.code, c.text, utc(c.created_at)))

    def who(user_id: int | None) -> str | None:
        return names[user_id] if user_id is not None else None

    return [
        Close(
            id=int(r.id),
            firm_id=_firm_of(conn, r.name_key),
            firm_name=r.firm_name,
            form=r.form,
            end_date=r.end_date,
            status=r.status,
            state=r.state,
            content_hash=r.content_hash,
            errors=tuple(json.loads(r.error_findings)),
            prepared_by=names[int(r.prepared_by)],
            reviewed_by=who(r.reviewed_by),
            approved_by=who(r.approved_by),
            filed_by=who(r.filed_by),
            override_reason=r.override_reason,
            amends=r.amends,
            amend_reason=r.amend_reason,
            filed_at=utc(r.filed_at) if r.filed_at is not None else None,
            reference=r.reference,
            created_at=utc(r.created_at),
            comments=tuple(said[int(r.id)]),
        )
        for r in rows
    ]


def get_close(store: Store, close_id: int) -> Close:
    with store_errors(store.engine.url), store.engine.connect() as conn:
        rows = conn.execute(select(closes).where(closes.c.id == close_id)).all()
        if not rows:
            raise Refused("invalid", f"no close {close_id} in the store")
        return _closes(conn, rows)[0]


def close_filing(store: Store, close_id: int) -> Filing:
    """A close's filing as its rows hold it."""
    with store_errors(store.engine.url), store.engine.connect() as conn:
        found = stored_filings(conn, closes, CLOSE_AMOUNTS, [close_id])
    if close_id not in found:
        raise Refused("invalid", f"no close {close_id} in the store")
    return found[close_id]


def list_closes(store: Store, firm_id: str | None = None, start: date | None = None, end: date | None = None) -> list[Close]:
    """Closes by End Date, then id; of one firm (its id) and period when asked."""
    query = select(closes).order_by(closes.c.end_date, closes.c.id)
    if start is not None:
        query = query.where(closes.c.end_date >= start)
    if end is not None:
        query = query.where(closes.c.end_date <= end)
    with store_errors(store.engine.url), store.engine.connect() as conn:
        found = _closes(conn, conn.execute(query).all())
    return [c for c in found if firm_id is None or c.firm_id == firm_id]


def draft(store: Store, actor: Actor, filing: Filing, *, source: str, errors: Sequence[str], amend_reason: str | None = None) -> Close:
    """Record `filing` as a new draft (an amendment of the day's filed filing when `amend_reason` is given).

    `errors` are the error findings of its computation or validation, which approval will have to face.
    The drafts of the day not yet filed are superseded.
    """
    if amend_reason is not None and not amend_reason.strip():
        raise Refused("invalid", "an amendment needs a reason")
    if amend_reason is not None:
        filing = replace(filing, header=replace(filing.header, status="AMENDED"))
    try:
        item = prepare(filing, source)
    except NotStorable as error:
        raise Refused("invalid", str(error)) from None
    head = filing_row(item)
    with audited(store, kept="no draft was stored") as (conn, chain):
        if not actor.has("preparer"):
            raise Refused("denied", f"{actor.name} may not make drafts: that needs the preparer role")
        ensure_aliases(conn, [item.name_key])  # a firm known only by its closes is a firm the store knows
        day = conn.execute(
            select(closes.c.id, closes.c.state).where(
                closes.c.name_key == item.name_key, closes.c.form == head["form"], closes.c.end_date == item.end_date
            )
        ).all()
        filed = [int(r.id) for r in day if r.state == "filed"]
        what = f"{head['firm_name']} {item.end_date.isoformat()}"
        if filed and amend_reason is None:
            raise Refused("conflict", f"{what} was filed (close {filed[-1]}): change it with an amendment (`dailyseg amend` with a reason)")
        if not filed and amend_reason is not None:
            raise Refused("invalid", f"{what} has not been filed: there is nothing to amend")
        superseded = [int(r.id) for r in day if r.state in OPEN]
        if superseded:
            conn.execute(update(closes).where(closes.c.id.in_(superseded), closes.c.state.in_(OPEN)).values(state="superseded"))
        row = {
            key: head[key]
            for key in ("name_key", "firm_name", "form", "end_date", "status", "submit_date", "layout", "statements", "cover")
        }
        row |= {
            "content_hash": item.content_hash,
            "source": source,
            "error_findings": json.dumps(list(errors)),
            "state": "draft",
            "prepared_by": actor.user_id,
            "amends": filed[-1] if filed and amend_reason is not None else None,
            "amend_reason": amend_reason,
            "created_at": datetime.now(UTC),
        }
        close_id = int(conn.execute(insert(closes).values(row).returning(closes.c.id)).scalar_one())
        rows = [(close_id, code, statement, cents, label) for statement, code, cents, label in item.amounts]
        insert_rows(conn, close_values, ("close_id", "code", "statement", "cents", "label"), rows)
        detail: dict[str, Any] = {"source": source, "status": head["status"], "errors": list(errors), "superseded": superseded}
        detail |= {"via": actor.via, "values": item.value_count}
        if amend_reason is not None:
            detail |= {"amends": filed[-1], "reason": amend_reason}
        action = "amend" if amend_reason else "draft"
        chain.append(
            Event(actor.name, action, _firm_of(conn, item.name_key), item.end_date, f"close {close_id}", item.content_hash, detail)
        )
        return _closes(conn, conn.execute(select(closes).where(closes.c.id == close_id)).all())[0]


def _step(
    store: Store,
    actor: Actor,
    close_id: int,
    *,
    action: str,
    start: State,
    to: State,
    changes: dict[str, Any],
    detail: dict[str, Any],
    check: Callable[[Row[Any]], None] | None = None,
    comments: Sequence[tuple[str | None, str]] = (),
) -> Close:
    """Move a close from `start` to `to` in one audited transaction (see the module's description)."""
    with audited(store, kept=f"close {close_id} was not changed") as (conn, chain):
        row = conn.execute(select(closes).where(closes.c.id == close_id).with_for_update()).first()
        if row is None:
            raise Refused("invalid", f"no close {close_id} in the store")
        if row.state != start:
            found = _closes(conn, [row])[0]
            by = {"reviewed": found.reviewed_by, "approved": found.approved_by, "filed": found.filed_by}.get(row.state)
            raise Refused(
                "conflict", f"close {close_id} is {row.state}" + (f" (by {by})" if by else "") + f", not {start}: nothing was done"
            )
        if check is not None:
            check(row)
        moved = conn.execute(update(closes).where(closes.c.id == close_id, closes.c.state == start).values(state=to, **changes))
        if moved.rowcount != 1:
            raise Refused("conflict", f"close {close_id} changed while this {action} ran: nothing was done")
        now = datetime.now(UTC)
        for code, text in comments:
            conn.execute(insert(close_comments).values(close_id=close_id, user_id=actor.user_id, code=code, text=text, created_at=now))
        firm = _firm_of(conn, row.name_key)
        event = Event(actor.name, action, firm, row.end_date, f"close {close_id}", row.content_hash, detail | {"via": actor.via})
        chain.append(event)
        return _closes(conn, conn.execute(select(closes).where(closes.c.id == close_id)).all())[0]


def _four_eyes(actor: Actor, doing: str) -> Callable[[Row[Any]], None]:
    def check(row: Row[Any]) -> None:
        if row.prepared_by == actor.user_id:
            raise Refused("denied", f"{actor.name} made close {row.id} and may not {doing} it: another person must")

    return check


def review(store: Store, actor: Actor, close_id: int, comments: Sequence[tuple[str | None, str]] = ()) -> Close:
    """Mark a draft reviewed, with comments on lines (a code) or on the whole filing (None)."""
    if not actor.has("preparer"):
        raise Refused("denied", f"{actor.name} may not review: that needs the preparer role")
    said = [{"code": code, "text": text} for code, text in comments]
    changes = {"reviewed_by": actor.user_id}
    check = _four_eyes(actor, "review")
    detail = {"comments": said}
    return _step(
        store,
        actor,
        close_id,
        action="review",
        start="draft",
        to="reviewed",
        changes=changes,
        detail=detail,
        check=check,
        comments=comments,
    )


def approve(store: Store, actor: Actor, close_id: int, override: str | None = None) -> Close:
    """Approve a reviewed close; error findings need `override`, a written reason."""
    if not actor.has("signer"):
        raise Refused("denied", f"{actor.name} may not approve: that needs the signer role")
    if override is not None and not override.strip():
        raise Refused("invalid", "an override needs a written reason")
    four_eyes = _four_eyes(actor, "approve")

    def check(row: Row[Any]) -> None:
        four_eyes(row)
        errors = json.loads(row.error_findings)
        if errors and override is None:
            raise Refused(
                "errors", f"close {row.id} has {len(errors)} error findings ({errors[0]}): approve with an override and its reason"
            )

    detail = {"override": override}
    changes = {"approved_by": actor.user_id, "override_reason": override}
    return _step(store, actor, close_id, action="approve", start="reviewed", to="approved", changes=changes, detail=detail, check=check)


def file(store: Store, actor: Actor, close_id: int, *, at: datetime | None = None, reference: str | None = None) -> Close:
    """Mark an approved close as submitted to the CFTC and the DSRO, at `at` (default now)."""
    if not (actor.has("preparer") or actor.has("signer")):
        raise Refused("denied", f"{actor.name} may not file: that needs the preparer or signer role")
    moment = utc(at) if at is not None else datetime.now(UTC)
    if moment > datetime.now(UTC):
        raise Refused("invalid", f"the filing time {moment.isoformat()} is in the future")
    changes = {"filed_by": actor.user_id, "filed_at": moment, "reference": reference}
    detail = {"filed_at": moment.isoformat(), "reference": reference, "late": is_late(_end_date(store, close_id), moment)}
    return _step(store, actor, close_id, action="file", start="approved", to="filed", changes=changes, detail=detail)


def _end_date(store: Store, close_id: int) -> date:
    with store_errors(store.engine.url), store.engine.connect() as conn:
        found = conn.execute(select(closes.c.end_date).where(closes.c.id == close_id)).scalar()
    if found is None:
        raise Refused("invalid", f"no close {close_id} in the store")
    return found if isinstance(found, date) else date.fromisoformat(str(found))
