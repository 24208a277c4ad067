"""Notices kept with their filing, their close (or withdrawal): drafted once, sent when a person records that they were.

A filing in the store never changes, nor do a close's figures, so the notice of one of their events is drafted
once per event and statement (`uq_notices_filing_event`, `uq_notices_close_event`): drafting again gives the
notice already kept, sent or not. A close's notice stays the close's when the close is filed and its filing
stored: that filing's own notices are drafted from it, apart. Its fields are frozen as JSON when drafted; only
`sent_at`, `sent_by` and `sent_reference` are ever written afterwards, once, by `mark_sent`, which is the only
thing that can make a notice say it was sent.

A firm's computation from its books that has no close in the store is drafted `unstored`: the same drafts,
kept nowhere, which every rendering says.

Drafting and marking sent are audited transactions (store/audit.py: `notice-draft`, `notice-sent`).

The notice of a withdrawal that is then cancelled (store/withdrawals.py: `cancel`) is never deleted, nor is its
frozen body changed: it is read with its withdrawal's cancellation (`withdrawn`), which every rendering states,
and a notice not yet sent is then not to be sent (`mark_sent` refuses it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection, Row

from dailyseg.checks import REGISTRY, Context
from dailyseg.filing import Filing
from dailyseg.notices.draft import FILING_EVENTS, Draft, notices_of
from dailyseg.standing import standings
from dailyseg.store.audit import Chain, Event, audited, utc
from dailyseg.store.database import store_errors
from dailyseg.store.identity import firm_id_of, name_key
from dailyseg.store.people import Actor
from dailyseg.store.tables import aliases, cftc_rows, notices, users, withdrawals
from dailyseg.store.workflow import Close, Refused, close_filing, get_close, list_closes

if TYPE_CHECKING:
    from dailyseg.store.store import Store


@dataclass(frozen=True)
class Withdrawn:
    """The cancellation of the withdrawal a notice is about: when, by whom and why."""

    withdrawal_id: int
    at: datetime
    by: str
    reason: str


@dataclass(frozen=True)
class Notice:
    """A stored notice: its draft, what it belongs to, who drafted it, and whether (when, by whom) it was sent."""

    id: int
    draft: Draft
    filing_id: int | None
    withdrawal_id: int | None
    close_id: int | None
    drafted_by: str
    drafted_at: datetime
    sent_by: str | None
    sent_at: datetime | None
    reference: str | None
    withdrawn: Withdrawn | None  # its withdrawal was cancelled (None: it was not, or it is a filing's notice)

    @property
    def sent(self) -> bool:
        return self.sent_at is not None

    @property
    def stored(self) -> bool:
        return True

    @property
    def of(self) -> str:
        """What it belongs to, as the listings name it: "filing 3", "close 2" or "withdrawal 5"."""
        if self.filing_id is not None:
            return f"filing {self.filing_id}"
        return f"close {self.close_id}" if self.close_id is not None else f"withdrawal {self.withdrawal_id}"

    @property
    def status(self) -> Literal["draft", "sent", "withdrawn"]:
        """Sent once recorded; else withdrawn when its withdrawal was cancelled (not to be sent); else a draft."""
        return "sent" if self.sent else "withdrawn" if self.withdrawn is not None else "draft"


@dataclass(frozen=True)
class Unstored:
    """A notice drafted from a firm's books with no close in the store to keep it: the draft, read like a stored
    notice (every rendering and the JSON take either), with no id, no drafter and nothing it belongs to; it is
    never sent, since no sending of it can be recorded."""

    draft: Draft
    drafted_at: datetime
    id: None = field(default=None, init=False)
    filing_id: None = field(default=None, init=False)
    withdrawal_id: None = field(default=None, init=False)
    close_id: None = field(default=None, init=False)
    drafted_by: None = field(default=None, init=False)
    sent_by: None = field(default=None, init=False)
    sent_at: None = field(default=None, init=False)
    reference: None = field(default=None, init=False)
    withdrawn: None = field(default=None, init=False)
    status: Literal["draft"] = field(default="draft", init=False)
    sent: bool = field(default=False, init=False)
    stored: bool = field(default=False, init=False)
    of: str = field(default="not stored", init=False)


AnyNotice = Notice | Unstored


def _names(conn: Connection) -> dict[int, str]:
    return {int(i): str(n) for i, n in conn.execute(select(users.c.id, users.c.name))}


def _cancelled(conn: Connection, names: dict[int, str], rows: Sequence[Row[Any]]) -> dict[int, Withdrawn]:
    """The cancellations of the withdrawals of these notices, by withdrawal id."""
    ids = [int(r.withdrawal_id) for r in rows if r.withdrawal_id is not None]
    if not ids:
        return {}
    query = select(withdrawals.c.id, withdrawals.c.cancelled_at, withdrawals.c.cancelled_by, withdrawals.c.cancel_reason).where(
        withdrawals.c.id.in_(ids), withdrawals.c.state == "cancelled"
    )
    return {
        int(w.id): Withdrawn(int(w.id), utc(w.cancelled_at), names[int(w.cancelled_by)], str(w.cancel_reason)) for w in conn.execute(query)
    }


def _notices(conn: Connection, rows: Sequence[Row[Any]]) -> list[Notice]:
    names = _names(conn)
    cancelled = _cancelled(conn, names, rows)
    return [
        Notice(
            id=int(r.id),
            draft=Draft.from_json(r.body),
            filing_id=r.filing_id,
            withdrawal_id=r.withdrawal_id,
            close_id=r.close_id,
            drafted_by=names[int(r.drafted_by)],
            drafted_at=utc(r.drafted_at),
            sent_by=names[int(r.sent_by)] if r.sent_by is not None else None,
            sent_at=utc(r.sent_at) if r.sent_at is not None else None,
            reference=r.sent_reference,
            withdrawn=cancelled.get(int(r.withdrawal_id)) if r.withdrawal_id is not None else None,
        )
        for r in rows
    ]


def may_draft(actor: Actor) -> None:
    """Drafting a notice is the reporting team's work: a preparer or a signer."""
    if not (actor.has("preparer") or actor.has("signer")):
        raise Refused("denied", f"{actor.name} may not draft notices: that needs the preparer or signer role")


def dsro_of(conn: Connection, firm_id: str) -> str | None:
    """The firm's DSRO as the CFTC's latest month-end row names it (`import-cftc`), when one was imported."""
    query = (
        select(cftc_rows.c.dsro)
        .join(aliases, aliases.c.name_key == cftc_rows.c.name_key)
        .where(aliases.c.firm_id == firm_id, cftc_rows.c.dsro != "")
        .order_by(cftc_rows.c.as_of.desc(), cftc_rows.c.id.desc())
        .limit(1)
    )
    found = conn.execute(query).scalar()
    return str(found) if found is not None else None


def insert_notice(
    conn: Connection,
    chain: Chain,
    actor: Actor,
    draft: Draft,
    *,
    filing_id: int | None = None,
    withdrawal_id: int | None = None,
    close_id: int | None = None,
) -> int:
    """Keep a draft inside the caller's audited transaction (a filing's or a close's event, or a withdrawal being recorded)."""
    row = {
        "kind": draft.kind,
        "filing_id": filing_id,
        "withdrawal_id": withdrawal_id,
        "close_id": close_id,
        "firm_id": draft.firm_id,
        "statement": draft.statement,
        "end_date": draft.end_date,
        "body": draft.to_json(),
        "drafted_by": actor.user_id,
        "drafted_at": datetime.now(UTC),
    }
    notice_id = int(conn.execute(insert(notices).values(row).returning(notices.c.id)).scalar_one())
    detail = {"kind": draft.kind, "statement": draft.statement, "filing": filing_id, "withdrawal": withdrawal_id, "via": actor.via}
    if close_id is not None:
        detail["close"] = close_id
    chain.append(Event(actor.name, "notice-draft", draft.firm_id, draft.end_date, f"notice {notice_id}", None, detail))
    return notice_id


def drafts_of(
    filing: Filing,
    *,
    kinds: Sequence[str] = (),
    context: Context | None = None,
    firm_id: str,
    what: str,
    dsro: str | None = None,
) -> list[Draft]:
    """The drafts of the events of `filing` that require a notice (of `kinds` when given; each of them must be
    found), `what` naming the filing in a refusal. `context` carries the undermargined amounts, when known (1.12(j))."""
    unknown = [k for k in kinds if k not in FILING_EVENTS]
    if unknown:
        raise Refused("invalid", f"no notice of a filing's event {unknown[0]!r}; events that require one: {', '.join(FILING_EVENTS)}")
    header = filing.header
    if header.end_date is None:
        raise Refused("invalid", f"{what} ({header.firm_name}) has no End Date: a notice is of a day's computation")
    findings = REGISTRY.validate(filing, list(kinds or FILING_EVENTS), context)
    drafts = notices_of(findings, standings(filing), firm_id=firm_id, firm_name=header.firm_name, end_date=header.end_date, dsro=dsro)
    missing = sorted(set(kinds) - {d.kind for d in drafts})
    if missing:
        raise Refused("invalid", f"{what} ({header.firm_name} {header.end_date}) has no {missing[0]} event to give notice of")
    return drafts


def _kept(
    store: Store,
    actor: Actor,
    filing: Filing,
    firm_id: str,
    of: Literal["filing_id", "close_id"],
    key: int,
    kinds: Sequence[str],
    context: Context | None,
) -> list[Notice]:
    """The notices of `filing`'s events, kept with filing or close `key` (`of`): drafted now, or as kept before."""
    what = f"{of.removesuffix('_id')} {key}"
    with audited(store, kept=f"no notice of {what} was kept") as (conn, chain):
        drafts = drafts_of(filing, kinds=kinds, context=context, firm_id=firm_id, what=what, dsro=dsro_of(conn, firm_id))
        column = notices.c[of]
        kept = {(r.kind, r.statement): int(r.id) for r in conn.execute(select(notices).where(column == key))}
        ids = [kept.get((d.kind, d.statement)) or insert_notice(conn, chain, actor, d, **{of: key}) for d in drafts]
        return _notices(conn, _ordered(conn, ids))


def draft_for_filing(
    store: Store, actor: Actor, filing_id: int, *, kinds: Sequence[str] = (), context: Context | None = None
) -> list[Notice]:
    """The notices of the events of stored filing `filing_id` that require one (of `kinds` when given), drafted
    and kept now, or as kept before. `context` carries the undermargined amounts, when known (1.12(j))."""
    may_draft(actor)
    try:
        version, filing = store.get(filing_id)
    except KeyError:
        raise Refused("invalid", f"no filing {filing_id} in the store") from None
    return _kept(store, actor, filing, version.firm_id, "filing_id", filing_id, kinds, context)


def draft_for_close(
    store: Store, actor: Actor, close_id: int, *, kinds: Sequence[str] = (), context: Context | None = None
) -> list[Notice]:
    """The notices of the events of close `close_id`'s figures (its draft, as computed or read), kept with the
    close: drafted now, or as kept before. A superseded draft's figures were replaced by a newer draft of the day,
    so a notice is drafted from that one (those drafted before are kept, and read)."""
    may_draft(actor)
    close = get_close(store, close_id)
    if close.state == "superseded":
        raise Refused(
            "conflict", f"close {close_id} was superseded by a newer draft of {close.firm_name} {close.end_date}: draft its notice"
        )
    return _kept(store, actor, close_filing(store, close_id), close.firm_id, "close_id", close_id, kinds, context)


def close_of_day(store: Store, filing: Filing) -> Close | None:
    """The close of `filing`'s firm, form and End Date that is not superseded (the latest: a filed day's
    amendment after the filed close), or None when the store has none."""
    header = filing.header
    firm_id = store.resolve(header.firm_name) or firm_id_of(name_key(header.firm_name))
    day = [c for c in list_closes(store, firm_id, header.end_date, header.end_date) if c.form == header.form and c.state != "superseded"]
    return day[-1] if day else None


def unstored(drafts: Sequence[Draft]) -> list[Unstored]:
    now = datetime.now(UTC)
    return [Unstored(d, now) for d in drafts]


def _ordered(conn: Connection, ids: Sequence[int]) -> list[Row[Any]]:
    rows = {int(r.id): r for r in conn.execute(select(notices).where(notices.c.id.in_(list(ids))))}
    return [rows[i] for i in ids]


def get_notice(store: Store, notice_id: int) -> Notice:
    with store_errors(store.engine.url), store.engine.connect() as conn:
        rows = conn.execute(select(notices).where(notices.c.id == notice_id)).all()
        if not rows:
            raise Refused("invalid", f"no notice {notice_id} in the store")
        return _notices(conn, rows)[0]


def list_notices(store: Store, *, firm_id: str | None = None, filing_id: int | None = None, close_id: int | None = None) -> list[Notice]:
    """Notices by End Date, then id; of one firm, one filing or one close when asked."""
    query = select(notices).order_by(notices.c.end_date, notices.c.id)
    if firm_id is not None:
        query = query.where(notices.c.firm_id == firm_id)
    if filing_id is not None:
        query = query.where(notices.c.filing_id == filing_id)
    if close_id is not None:
        query = query.where(notices.c.close_id == close_id)
    with store_errors(store.engine.url), store.engine.connect() as conn:
        return _notices(conn, conn.execute(query).all())


def mark_sent(store: Store, actor: Actor, notice_id: int, *, at: datetime | None = None, reference: str | None = None) -> Notice:
    """Record that notice `notice_id` was sent at `at` (default now; never in the future), once."""
    may_draft(actor)
    moment = utc(at) if at is not None else datetime.now(UTC)
    if moment > datetime.now(UTC):
        raise Refused("invalid", f"the sending time {moment.isoformat()} is in the future: a notice is marked sent after it was sent")
    with audited(store, kept=f"notice {notice_id} was not marked sent") as (conn, chain):
        row = conn.execute(select(notices).where(notices.c.id == notice_id).with_for_update()).first()
        if row is None:
            raise Refused("invalid", f"no notice {notice_id} in the store")
        found = _notices(conn, [row])[0]
        if found.sent:
            raise Refused(
                "conflict", f"notice {notice_id} was marked sent at {utc(row.sent_at).isoformat()} by {found.sent_by}: nothing was done"
            )
        if found.withdrawn is not None:
            raise Refused(
                "conflict",
                f"notice {notice_id} is of withdrawal {found.withdrawn.withdrawal_id}, cancelled at "
                f"{found.withdrawn.at.isoformat()} by {found.withdrawn.by}: it is not to be sent, and nothing was done",
            )
        if moment < utc(row.drafted_at):
            raise Refused(
                "invalid", f"notice {notice_id} was drafted at {utc(row.drafted_at).isoformat()}: it cannot have been sent before"
            )
        changes = {"sent_at": moment, "sent_by": actor.user_id, "sent_reference": reference}
        moved = conn.execute(update(notices).where(notices.c.id == notice_id, notices.c.sent_at.is_(None)).values(**changes))
        if moved.rowcount != 1:
            raise Refused("conflict", f"notice {notice_id} changed while it was being marked sent: nothing was done")
        detail = {"sent_at": moment.isoformat(), "reference": reference, "kind": row.kind, "via": actor.via}
        chain.append(Event(actor.name, "notice-sent", row.firm_id, row.end_date, f"notice {notice_id}", None, detail))
        return _notices(conn, conn.execute(select(notices).where(notices.c.id == notice_id)).all())[0]
