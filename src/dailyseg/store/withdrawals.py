"""The ledger of withdrawals of a firm's own funds (residual interest) from each class, kept in the store.

    recorded ──approve──> approved ──execute──> executed      (needs approval: more than 25%, dailyseg.withdrawals.rules)
    recorded ──────────────────────execute──> executed         (within 25%, or for customers)
    recorded or approved ──cancel──> cancelled                 (never once executed: the money has moved)

Recording a withdrawal reads the prior business day's computation of its class from the store (`basis`):

* the latest close of that End Date that a signer approved (approved or filed; the firm's own computation,
  signed off), else
* the filing of record of that End Date in the history store (what the firm filed, as ingested),

each only if it carries the class's excess line. A draft or reviewed close is not a complete computation: it
may still change. The business day of a withdrawal is the date of its time in the filing zone
(America/New_York, calendar.FILING_ZONE); the prior business day is the business day before it.

With no basis a withdrawal not for customers is refused (withdrawal-gate) and the refusal is logged. Otherwise
the withdrawal is assessed against the basis's residual interest with the earlier withdrawals of its series
(same firm, class and basis day); one that needs approval gets its 1.23(d) notice drafted in the same
transaction. Every step is one audited transaction (store/audit.py), run one after another behind the log's
head, so two withdrawals recorded at once are assessed one after the other, never against the same total.

A cancelled withdrawal stays in the ledger (who cancelled it, when and why) but no longer counts: withdrawals
recorded after the cancellation are measured without it, and the series' estimate after leaves it out. Those
recorded before keep the decision made when they were recorded (`needs_approval` is never taken back: an
approval asked for stays asked for), and its 1.23(d) notice, unless sent, says it is not to be sent
(store/notices.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Connection, Row

from dailyseg.calendar import FILING_ZONE, previous_business_day
from dailyseg.catalogue import CATALOGUE
from dailyseg.checks import Finding
from dailyseg.money import from_cents, to_cents
from dailyseg.notices.draft import WithdrawalParticulars, withdrawal_notice
from dailyseg.standing import standing
from dailyseg.store.amounts import read_amounts
from dailyseg.store.audit import Chain, Event, audited, utc
from dailyseg.store.content import CLOSE_AMOUNTS, stored_filings
from dailyseg.store.database import store_errors
from dailyseg.store.identity import firm_id_of
from dailyseg.store.notices import dsro_of, insert_notice
from dailyseg.store.people import Actor
from dailyseg.store.tables import aliases, close_values, closes, filings, notices, users, withdrawals
from dailyseg.store.versions import records_by
from dailyseg.store.workflow import Refused
from dailyseg.withdrawals.rules import Assessment, Basis, assess, gate

if TYPE_CHECKING:
    from dailyseg.store.store import Store

State = Literal["recorded", "approved", "executed", "cancelled"]
COUNTED = ("recorded", "approved", "executed")  # the states that count toward a series
MAX_REASON = 300  # characters of a cancellation's reason, as the API's body allows


@dataclass(frozen=True)
class Withdrawal:
    """One withdrawal as the ledger holds it; amounts exact (`usd` is the amount in US dollars)."""

    id: int
    firm_id: str
    firm_name: str
    statement: str
    amount: Decimal
    currency: str
    usd: Decimal
    recipient: str
    purpose: str
    for_customers: bool
    at: datetime
    basis_date: date
    basis: str | None
    residual_interest: Decimal | None
    target: Decimal | None
    series: Decimal
    needs_approval: bool
    state: State
    recorded_by: str
    approved_by: str | None
    approved_at: datetime | None
    executed_by: str | None
    executed_at: datetime | None
    notice_id: int | None
    cancelled_by: str | None
    cancelled_at: datetime | None
    cancel_reason: str | None

    @property
    def counts(self) -> bool:
        """Whether it counts toward its series (every state but cancelled)."""
        return self.state in COUNTED


@dataclass(frozen=True)
class Standings:
    """A class's residual interest on a basis day and after the withdrawals measured against it, beside its target."""

    firm_id: str
    statement: str
    basis_date: date
    basis: str | None
    residual_interest: Decimal | None
    withdrawn: Decimal
    estimated_after: Decimal | None
    target: Decimal | None

    @property
    def below_target(self) -> bool:
        return self.estimated_after is not None and self.target is not None and self.estimated_after < self.target


@dataclass(frozen=True)
class Recorded:
    withdrawal: Withdrawal
    assessment: Assessment


class Gated(Refused):
    """A withdrawal refused by withdrawal-gate: the finding says why and cites the rule. The refusal is logged."""

    def __init__(self, finding: Finding) -> None:
        super().__init__("denied", f"refused ({finding.citation}): {finding.message}")
        self.finding = finding


class Missing(Refused):
    """No such withdrawal: invalid (exit code 2 on the command line), and 404 on the web."""

    def __init__(self, withdrawal_id: int) -> None:
        super().__init__("invalid", f"no withdrawal {withdrawal_id} in the store")


def business_day(at: datetime) -> date:
    """The day a withdrawal is made on, in the filing zone."""
    return at.astimezone(FILING_ZONE).date()


def _firm_of(conn: Connection, key: str) -> str:
    found = conn.execute(select(aliases.c.firm_id).where(aliases.c.name_key == key)).scalar()
    return str(found) if found is not None else firm_id_of(key)


def basis_of(conn: Connection, firm_id: str, statement: str, day: date) -> tuple[Basis, str] | None:
    """The computation of `day` a withdrawal from `statement` is measured against, and the firm's name on it;
    None when there is none (see the module's description for the order of preference)."""
    excess = str(CATALOGUE.statement_by_id[statement].excess)
    signed = conn.execute(
        select(closes.c.id, closes.c.name_key)
        .where(closes.c.end_date == day, closes.c.state.in_(("approved", "filed")))
        .where(closes.c.id.in_(select(close_values.c.close_id).where(close_values.c.code == excess)))
        .order_by(closes.c.id.desc())
    ).all()
    for row in signed:
        if _firm_of(conn, row.name_key) == firm_id:
            filing = stored_filings(conn, closes, CLOSE_AMOUNTS, [int(row.id)])[int(row.id)]
            return Basis(day, f"close {row.id}", standing(filing, statement)), filing.header.firm_name
    versions = conn.execute(
        select(filings.c.id, filings.c.status, filings.c.submit_date, filings.c.end_date)
        .join(aliases, aliases.c.name_key == filings.c.name_key)
        .where(aliases.c.firm_id == firm_id, filings.c.end_date == day)
    ).all()
    record = records_by(versions, lambda r: r.end_date).get(day)
    if record is None:
        return None
    filing = stored_filings(conn, filings, read_amounts, [int(record.id)])[int(record.id)]
    place = standing(filing, statement)
    if place.excess is None:
        return None
    return Basis(day, f"filing {record.id}", place), filing.header.firm_name


def _name_of(conn: Connection, firm_id: str, given: str) -> str:
    """The name the firm last filed under, else the name the withdrawal was recorded with."""
    query = (
        select(filings.c.firm_name)
        .join(aliases, aliases.c.name_key == filings.c.name_key)
        .where(aliases.c.firm_id == firm_id)
        .order_by(filings.c.end_date.desc(), filings.c.id.desc())
        .limit(1)
    )
    found = conn.execute(query).scalar()
    return str(found) if found is not None else given


def _series(conn: Connection, firm_id: str, statement: str, basis_date: date) -> tuple[Decimal, Decimal]:
    """The series' withdrawals so far, cancelled ones left out: not for customers, and all of them (US dollars)."""
    query = select(withdrawals.c.for_customers, func.sum(withdrawals.c.usd_cents)).where(
        withdrawals.c.firm_id == firm_id,
        withdrawals.c.statement == statement,
        withdrawals.c.basis_date == basis_date,
        withdrawals.c.state.in_(COUNTED),
    )
    sums = {bool(customers): int(total or 0) for customers, total in conn.execute(query.group_by(withdrawals.c.for_customers))}
    return from_cents(sums.get(False, 0)), from_cents(sums.get(False, 0) + sums.get(True, 0))


def _withdrawals(conn: Connection, rows: Sequence[Row[Any]]) -> list[Withdrawal]:
    names = {int(i): str(n) for i, n in conn.execute(select(users.c.id, users.c.name))}
    ids = [int(r.id) for r in rows]
    query = select(notices.c.withdrawal_id, notices.c.id).where(notices.c.withdrawal_id.in_(ids))
    noticed = {int(w): int(n) for w, n in conn.execute(query)} if ids else {}

    def cents(value: int | None) -> Decimal | None:
        return from_cents(int(value)) if value is not None else None

    def who(user_id: int | None) -> str | None:
        return names[int(user_id)] if user_id is not None else None

    return [
        Withdrawal(
            id=int(r.id),
            firm_id=r.firm_id,
            firm_name=r.firm_name,
            statement=r.statement,
            amount=from_cents(int(r.cents)),
            currency=r.currency,
            usd=from_cents(int(r.usd_cents)),
            recipient=r.recipient,
            purpose=r.purpose,
            for_customers=bool(r.for_customers),
            at=utc(r.at),
            basis_date=r.basis_date,
            basis=r.basis,
            residual_interest=cents(r.residual_cents),
            target=cents(r.target_cents),
            series=from_cents(int(r.series_cents)),
            needs_approval=bool(r.needs_approval),
            state=r.state,
            recorded_by=names[int(r.recorded_by)],
            approved_by=who(r.approved_by),
            approved_at=utc(r.approved_at) if r.approved_at is not None else None,
            executed_by=who(r.executed_by),
            executed_at=utc(r.executed_at) if r.executed_at is not None else None,
            notice_id=noticed.get(int(r.id)),
            cancelled_by=who(r.cancelled_by),
            cancelled_at=utc(r.cancelled_at) if r.cancelled_at is not None else None,
            cancel_reason=r.cancel_reason,
        )
        for r in rows
    ]


def _one(conn: Connection, withdrawal_id: int) -> Withdrawal:
    return _withdrawals(conn, conn.execute(select(withdrawals).where(withdrawals.c.id == withdrawal_id)).all())[0]


def _may_act(actor: Actor, doing: str) -> None:
    if not (actor.has("preparer") or actor.has("signer")):
        raise Refused("denied", f"{actor.name} may not {doing}: that needs the preparer or signer role")


@dataclass(frozen=True)
class Request:
    """A withdrawal as it is asked for: `usd` is its amount in US dollars (the amount itself when in USD)."""

    firm: str
    statement: str
    amount: Decimal
    currency: str
    usd: Decimal
    recipient: str
    purpose: str
    for_customers: bool
    at: datetime


def _checked(request: Request) -> None:
    if request.statement not in CATALOGUE.statement_by_id:
        raise Refused("invalid", f"no class {request.statement!r}; classes: {', '.join(s.id for s in CATALOGUE.statements)}")
    if request.amount <= 0 or request.usd <= 0:
        raise Refused("invalid", "a withdrawal's amount is positive")
    if len(request.currency) != 3 or not request.currency.isalpha():
        raise Refused("invalid", f"a currency is its three-letter ISO 4217 code, not {request.currency!r}")
    if request.currency.upper() == "USD" and request.usd != request.amount:
        raise Refused("invalid", "a withdrawal in USD has its amount as its US dollar amount")
    if not request.recipient.strip() or not request.purpose.strip():
        raise Refused("invalid", "a withdrawal names its recipient and its purpose")
    if request.at.tzinfo is None:
        raise Refused("invalid", "a withdrawal's time has its zone (2024-03-05T10:00-05:00)")
    for amount in (request.amount, request.usd):
        to_cents(amount)  # refuses a fraction of a cent (money.AmountError)


def record(store: Store, actor: Actor, request: Request, *, firm_id: str) -> Recorded:
    """Record a withdrawal (see the module's description); Gated when withdrawal-gate refuses it."""
    _may_act(actor, "record withdrawals")
    _checked(request)
    day = business_day(request.at)
    basis_day = previous_business_day(day)
    with audited(store, kept="no withdrawal was recorded") as (conn, chain):
        found = basis_of(conn, firm_id, request.statement, basis_day)
        basis, firm_name = found if found is not None else (None, _name_of(conn, firm_id, request.firm))
        detail: dict[str, Any] = {
            "statement": request.statement,
            "amount": str(request.amount),
            "currency": request.currency.upper(),
            "usd": str(request.usd),
            "recipient": request.recipient,
            "purpose": request.purpose,
            "for_customers": request.for_customers,
            "at": request.at.isoformat(),
            "basis_date": basis_day.isoformat(),
            "via": actor.via,
        }
        refusal = gate(request.statement, day, basis_day, basis, for_customers=request.for_customers)
        if refusal is not None:
            # Logged and committed, then refused: the attempt stays on record.
            chain.append(
                Event(
                    actor.name,
                    "withdrawal-refused",
                    firm_id,
                    day,
                    None,
                    None,
                    detail | {"rule": refusal.rule, "citation": refusal.citation},
                )
            )
        else:
            made = _record_in(conn, chain, actor, request, firm_id, firm_name, day, basis_day, basis, detail)
    if refusal is not None:
        raise Gated(refusal)
    return made


def _record_in(
    conn: Connection,
    chain: Chain,
    actor: Actor,
    request: Request,
    firm_id: str,
    firm_name: str,
    day: date,
    basis_day: date,
    basis: Basis | None,
    detail: dict[str, Any],
) -> Recorded:
    """Assess and insert a withdrawal the gate let through, with its notice when it needs approval."""
    earlier, earlier_all = _series(conn, firm_id, request.statement, basis_day)
    assessment = assess(
        request.statement, basis, request.usd, for_customers=request.for_customers, earlier=earlier, earlier_all=earlier_all
    )
    withdrawal_id = _insert(conn, actor, request, firm_id, firm_name, basis_day, basis, assessment)
    detail = detail | {
        "basis": basis.source if basis else None,
        "series": str(assessment.series),
        "needs_approval": assessment.needs_approval,
    }
    chain.append(Event(actor.name, "withdrawal-record", firm_id, day, f"withdrawal {withdrawal_id}", None, detail))
    if assessment.finding is not None and basis is not None and assessment.estimated_after is not None:
        particulars = WithdrawalParticulars(
            request.amount,
            request.currency.upper(),
            request.usd,
            request.recipient,
            request.purpose,
            request.at,
            day,
            assessment.series,
            assessment.estimated_after,
            assessment.short_of_target,
        )
        draft = withdrawal_notice(
            assessment.finding, basis.standing, basis.source, particulars, firm_id=firm_id, firm_name=firm_name, dsro=dsro_of(conn, firm_id)
        )
        insert_notice(conn, chain, actor, draft, withdrawal_id=withdrawal_id)
    return Recorded(_one(conn, withdrawal_id), assessment)


def _insert(
    conn: Connection,
    actor: Actor,
    request: Request,
    firm_id: str,
    firm_name: str,
    basis_day: date,
    basis: Basis | None,
    assessment: Assessment,
) -> int:
    target = basis.standing.target if basis is not None else None
    row = {
        "firm_id": firm_id,
        "firm_name": firm_name,
        "statement": request.statement,
        "cents": to_cents(request.amount),
        "currency": request.currency.upper(),
        "usd_cents": to_cents(request.usd),
        "recipient": request.recipient,
        "purpose": request.purpose,
        "for_customers": request.for_customers,
        "at": request.at.astimezone(UTC),
        "basis_date": basis_day,
        "basis": basis.source if basis is not None else None,
        "residual_cents": to_cents(basis.residual_interest) if basis is not None else None,
        "target_cents": to_cents(target) if target is not None else None,
        "series_cents": to_cents(assessment.series),
        "needs_approval": assessment.needs_approval,
        "state": "recorded",
        "recorded_by": actor.user_id,
        "recorded_at": datetime.now(UTC),
    }
    return int(conn.execute(insert(withdrawals).values(row).returning(withdrawals.c.id)).scalar_one())


def _step(
    store: Store,
    actor: Actor,
    withdrawal_id: int,
    action: str,
    starts: Sequence[str],
    changes: dict[str, Any],
    check: Callable[[Row[Any]], None],
) -> Withdrawal:
    """Move a withdrawal forward in one audited transaction, from one of `starts`, checked by its row count."""
    with audited(store, kept=f"withdrawal {withdrawal_id} was not changed") as (conn, chain):
        row = conn.execute(select(withdrawals).where(withdrawals.c.id == withdrawal_id).with_for_update()).first()
        if row is None:
            raise Missing(withdrawal_id)
        check(row)
        if row.state not in starts:
            found = _withdrawals(conn, [row])[0]
            by = {"approved": found.approved_by, "executed": found.executed_by, "cancelled": found.cancelled_by}.get(row.state)
            raise Refused("conflict", f"withdrawal {withdrawal_id} is {row.state}" + (f" (by {by})" if by else "") + ": nothing was done")
        moved = conn.execute(
            update(withdrawals).where(withdrawals.c.id == withdrawal_id, withdrawals.c.state == row.state).values(**changes)
        )
        if moved.rowcount != 1:
            raise Refused("conflict", f"withdrawal {withdrawal_id} changed while this {action} ran: nothing was done")
        detail = {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in changes.items() if not k.endswith("_by")} | {
            "via": actor.via
        }
        chain.append(
            Event(actor.name, f"withdrawal-{action}", row.firm_id, business_day(utc(row.at)), f"withdrawal {withdrawal_id}", None, detail)
        )
        return _one(conn, withdrawal_id)


def approve(store: Store, actor: Actor, withdrawal_id: int) -> Withdrawal:
    """A signer's written pre-approval of a withdrawal that needs one; never by the person who recorded it."""
    if not actor.has("signer"):
        raise Refused("denied", f"{actor.name} may not approve withdrawals: that needs the signer role")

    def check(row: Row[Any]) -> None:
        if row.recorded_by == actor.user_id:
            raise Refused("denied", f"{actor.name} recorded withdrawal {row.id} and may not approve it: another person must")
        if not row.needs_approval:
            raise Refused(
                "invalid",
                f"withdrawal {row.id} is within 25% of the prior day's residual interest (or for customers): it needs no approval",
            )

    changes = {"state": "approved", "approved_by": actor.user_id, "approved_at": datetime.now(UTC)}
    return _step(store, actor, withdrawal_id, "approve", ("recorded",), changes, check)


def execute(store: Store, actor: Actor, withdrawal_id: int, *, at: datetime | None = None) -> Withdrawal:
    """Mark a withdrawal made (at `at`, default now; never in the future): one that needs approval only once approved."""
    _may_act(actor, "execute withdrawals")
    moment = utc(at) if at is not None else datetime.now(UTC)
    if moment > datetime.now(UTC):
        raise Refused("invalid", f"the execution time {moment.isoformat()} is in the future")

    def check(row: Row[Any]) -> None:
        if row.needs_approval and row.state == "recorded":
            raise Refused(
                "conflict", f"withdrawal {row.id} needs a signer's approval before it is executed (17 CFR 1.23(d)): it is not approved"
            )

    changes = {"state": "executed", "executed_by": actor.user_id, "executed_at": moment}
    return _step(store, actor, withdrawal_id, "execute", ("recorded", "approved"), changes, check)


def cancel(store: Store, actor: Actor, withdrawal_id: int, *, reason: str) -> Withdrawal:
    """Cancel a withdrawal not executed (a preparer or signer, as recording one), saying why: it stops counting
    toward its series, and its notice, unless sent, says it is not to be sent. An executed one cannot be: the
    funds have left the class (conflict)."""
    _may_act(actor, "cancel withdrawals")
    why = reason.strip()
    if not why or len(why) > MAX_REASON:
        raise Refused("invalid", f"a cancellation says why the withdrawal is cancelled, in 1 to {MAX_REASON} characters (given {len(why)})")

    def check(row: Row[Any]) -> None:
        if row.state == "executed":
            raise Refused("conflict", f"withdrawal {row.id} was executed: the funds have left the class and it cannot be cancelled")

    changes = {"state": "cancelled", "cancelled_by": actor.user_id, "cancelled_at": datetime.now(UTC), "cancel_reason": why}
    return _step(store, actor, withdrawal_id, "cancel", ("recorded", "approved"), changes, check)


def list_withdrawals(store: Store, *, firm_id: str | None = None, start: date | None = None, end: date | None = None) -> list[Withdrawal]:
    """Withdrawals by time, then id; of one firm and of basis days from `start` to `end` when asked."""
    query = select(withdrawals).order_by(withdrawals.c.at, withdrawals.c.id)
    if firm_id is not None:
        query = query.where(withdrawals.c.firm_id == firm_id)
    if start is not None:
        query = query.where(withdrawals.c.basis_date >= start)
    if end is not None:
        query = query.where(withdrawals.c.basis_date <= end)
    with store_errors(store.engine.url), store.engine.connect() as conn:
        return _withdrawals(conn, conn.execute(query).all())


def standings_after(found: Sequence[Withdrawal]) -> list[Standings]:
    """Each series' residual interest, what was withdrawn against it and the estimate after, beside the target:
    as the withdrawals were recorded (each kept its basis's figures), in the order the series first appear; a
    cancelled withdrawal is not counted as withdrawn."""
    series: dict[tuple[str, str, date], list[Withdrawal]] = {}
    for w in found:
        series.setdefault((w.firm_id, w.statement, w.basis_date), []).append(w)
    result = []
    for (firm_id, statement, day), items in series.items():
        based = next((w for w in items if w.residual_interest is not None), None)
        withdrawn = sum((w.usd for w in items if w.counts), Decimal(0))
        residual = based.residual_interest if based is not None else None
        after = residual - withdrawn if residual is not None else None
        result.append(
            Standings(firm_id, statement, day, based.basis if based else None, residual, withdrawn, after, based.target if based else None)
        )
    return result
