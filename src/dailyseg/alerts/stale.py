"""The stale-confirmation check: a depository balance the depository has not confirmed for N business days.

`dailyseg reconcile --db` stores, each day it runs, every balance it compared and whether the books and the
depository agreed (`dailyseg.store.confirmations`). Funds count in the daily computation only while the
depository holds them as the books say (17 CFR 1.20(d), 1.32(a)); a balance that one day's confirmation
does not match may be a timing difference, one that goes unmatched day after day is not. So for each balance
of the firm's latest stored reconciliation (a balance absent from it was closed on both sides), the business
days since it last matched are counted up to the as-of day, a day with no reconciliation at all counting as
unmatched; from the N-th the balance is stale (`STALE_AFTER_DAYS`, `--stale-after`).

The event is dated at the business day the N-th unmatched day fell on, which later runs find again: it is
one event, delivered once, however long the balance stays stale. The balances of one statement that went
stale on the same day are one event (the event's identity has no room for a depository).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from dailyseg.calendar import business_days
from dailyseg.catalogue import CATALOGUE
from dailyseg.checks import Hit
from dailyseg.checks.computation import STALE_CONFIRMATION
from dailyseg.money import cents_text
from dailyseg.store.confirmations import Confirmation, Standing, firm_ids, standings
from dailyseg.store.store import Store
from dailyseg.watch.monitor import Observation

RULE = STALE_CONFIRMATION.id
_STATEMENT_OF_CLASS = {s.customer_class: s.id for s in CATALOGUE.statements}


@dataclass(frozen=True)
class Stale:
    """A balance unmatched from `since` on, stale from `stale_on` (the N-th unmatched business day)."""

    latest: Confirmation  # the balance as the latest reconciliation states it
    last_matched: date | None
    since: date
    stale_on: date


def stale_balances(held: Iterable[Standing], as_of: date, after: int) -> list[Stale]:
    """The balances among `held` (a firm's latest reconciliation up to `as_of`) unmatched for `after` business days
    or more by `as_of`, in the order given."""
    if after < 1:
        raise ValueError(f"a balance is stale after 1 business day or more, not {after}")
    found = []
    for s in held:
        start = s.last_matched + timedelta(days=1) if s.last_matched is not None else s.first_seen
        unmatched = business_days(start, as_of)
        if len(unmatched) >= after:
            found.append(Stale(s.latest, s.last_matched, unmatched[0], unmatched[after - 1]))
    return found


def _described(s: Stale) -> str:
    c = s.latest
    matched = f"last matched {s.last_matched}" if s.last_matched else "never matched"
    return (
        f"{c.depository} {c.customer_class} {c.asset.replace('_', ' ')} in {c.currency} ({matched}; on {c.business_date} books "
        f"{cents_text(c.books_cents)}, confirmed {cents_text(c.confirmed_cents)})"
    )


def observations(firm_id: str, stale: Iterable[Stale], after: int) -> Iterator[Observation]:
    """One event per statement and day on which balances went stale."""
    groups: dict[tuple[date, str | None], list[Stale]] = {}
    for s in stale:
        groups.setdefault((s.stale_on, _STATEMENT_OF_CLASS.get(s.latest.customer_class)), []).append(s)
    for (day, statement), held in sorted(groups.items(), key=lambda item: (item[0][0], item[0][1] or "")):
        what = "balance" if len(held) == 1 else f"{len(held)} balances"
        hit = Hit(
            f"{firm_id} {day}: depository {what} without a matching confirmation for {after} business days: "
            + "; ".join(_described(s) for s in held),
            statement=statement,
            expected=f"a matching confirmation within {after} business days",
            actual="; ".join(f"last matched {s.last_matched}" if s.last_matched else "never matched" for s in held),
            since=min(s.since for s in held),
        )
        yield Observation(firm_id, day, STALE_CONFIRMATION.stamp(hit))


def stale_confirmations(store: Store, firm_id: str | None, as_of: date, after: int) -> list[Observation]:
    """The stale-confirmation events of one firm (None: every firm with a stored reconciliation) as of `as_of`."""
    found: list[Observation] = []
    for firm in [firm_id] if firm_id is not None else firm_ids(store):
        found.extend(observations(firm, stale_balances(standings(store, firm, as_of), as_of, after), after))
    return found
