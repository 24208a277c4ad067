"""Reconciliations with depository confirmations, as `dailyseg reconcile --db` stored them.

A run records, for one firm and confirmation date, every balance it compared (depository, class, asset,
currency): the books' and the confirmed amounts in integer cents and whether they matched. The day's rows are
replaced in one transaction, so a rerun of the same day leaves exactly its own rows and a run that fails
part-way leaves the day as it was. The stale-confirmation rule (`dailyseg.alerts.stale`) reads each balance's
span back (`standings`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Row, Select, case, delete, func, insert, select

from dailyseg.store.database import store_errors
from dailyseg.store.tables import confirmations

if TYPE_CHECKING:
    from dailyseg.store.store import Store

_COLUMNS = (
    "firm_id",
    "business_date",
    "depository",
    "customer_class",
    "asset",
    "currency",
    "books_cents",
    "confirmed_cents",
    "matched",
    "recorded_at",
)


@dataclass(frozen=True)
class Confirmation:
    """One balance of one day's reconciliation: the books' and the depository's amounts, in cents."""

    business_date: date
    depository: str
    customer_class: str
    asset: str
    currency: str
    books_cents: int
    confirmed_cents: int

    @property
    def matched(self) -> bool:
        return self.books_cents == self.confirmed_cents

    @property
    def balance(self) -> tuple[str, str, str, str]:
        """What names the balance across days: (depository, class, asset, currency)."""
        return (self.depository, self.customer_class, self.asset, self.currency)


def record(store: Store, firm_id: str, business_date: date, rows: Sequence[Confirmation], now: datetime) -> int:
    """Replace the firm's rows of `business_date` with `rows`, all or nothing; how many were stored."""
    if any(r.business_date != business_date for r in rows):
        raise ValueError(f"every row of a reconciliation of {business_date} must carry that date")
    at = now.astimezone(UTC)
    values = [
        dict(zip(_COLUMNS, (firm_id, business_date, *r.balance, r.books_cents, r.confirmed_cents, r.matched, at), strict=True))
        for r in rows
    ]
    day = (confirmations.c.firm_id == firm_id) & (confirmations.c.business_date == business_date)
    kept = f"the reconciliation of {firm_id} {business_date} was not stored"
    with store_errors(store.engine.url, kept=kept), store.engine.begin() as conn:
        conn.execute(delete(confirmations).where(day))
        if values:
            conn.execute(insert(confirmations), values)
    return len(values)


@dataclass(frozen=True)
class Standing:
    """A balance of a firm's latest reconciliation, with the first day it was stored and the last day it matched."""

    latest: Confirmation
    first_seen: date
    last_matched: date | None


def standings(store: Store, firm_id: str, as_of: date) -> list[Standing]:
    """Each balance of the firm's latest reconciliation up to `as_of`, in balance order, with its span: what the
    stale-confirmation rule judges. Three queries whatever the history's length: the database aggregates it."""
    c = confirmations.c
    key = (c.depository, c.customer_class, c.asset, c.currency)
    seen = (c.firm_id == firm_id) & (c.business_date <= as_of)
    spans = select(*key, func.min(c.business_date), func.max(case((c.matched, c.business_date)))).where(seen).group_by(*key)
    with store_errors(store.engine.url), store.engine.connect() as conn:
        latest_day = conn.execute(select(func.max(c.business_date)).where(seen)).scalar()
        if latest_day is None:
            return []
        span = {(str(r[0]), str(r[1]), str(r[2]), str(r[3])): (r[4], r[5]) for r in conn.execute(spans)}
        latest = conn.execute(_rows().where(c.firm_id == firm_id, c.business_date == latest_day)).all()
    held = [_confirmation(r) for r in latest]
    return [Standing(r, *span[r.balance]) for r in held]


def _rows() -> Select[Any]:
    c = confirmations.c
    query = select(c.business_date, c.depository, c.customer_class, c.asset, c.currency, c.books_cents, c.confirmed_cents)
    return query.order_by(c.business_date, c.depository, c.customer_class, c.asset, c.currency)


def _confirmation(r: Row[Any]) -> Confirmation:
    return Confirmation(
        r.business_date, str(r.depository), str(r.customer_class), str(r.asset), str(r.currency), int(r.books_cents), int(r.confirmed_cents)
    )


def history(store: Store, firm_id: str, end: date | None = None) -> list[Confirmation]:
    """The firm's stored rows up to `end` (None: all), by date, then balance."""
    query = _rows().where(confirmations.c.firm_id == firm_id)
    if end is not None:
        query = query.where(confirmations.c.business_date <= end)
    with store_errors(store.engine.url), store.engine.connect() as conn:
        return [_confirmation(r) for r in conn.execute(query)]


def firm_ids(store: Store) -> list[str]:
    """The firms with a stored reconciliation, sorted."""
    query = select(confirmations.c.firm_id).distinct().order_by(confirmations.c.firm_id)
    with store_errors(store.engine.url), store.engine.connect() as conn:
        return [str(f) for f in conn.execute(query).scalars()]
