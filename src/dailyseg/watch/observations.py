"""Everything the store has observed of a firm from outside its own filings, one list: CFTC rows and NFA summaries.

A reviewer asking "what have the regulators published about this firm" wants every figure and every word of
each observation with the file it came from, whichever source it is; the two sources keep their own tables
(their shapes differ), so they are put side by side here, by as-of date, CFTC first, then NFA by pool.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Literal

from dailyseg.watch.nfa import MEASURES

if TYPE_CHECKING:
    from dailyseg.store import Store
    from dailyseg.store.cftc_rows import StoredRow
    from dailyseg.store.nfa_rows import StoredSummary

Source = Literal["cftc", "nfa"]
_YES_NO = {True: "Y", False: "N"}


@dataclass(frozen=True)
class FirmObservation:
    """One stored observation: amounts exact, percentages of funds by breakdown and label, words by field."""

    source: Source
    file: str
    as_of: date
    firm_name: str
    pool: str | None  # NFA summaries are of one pool; a CFTC row gives every pool
    amounts: dict[str, Decimal]
    percentages: dict[str, dict[str, Decimal]]
    texts: dict[str, str]


def _of_cftc(row: StoredRow) -> FirmObservation:
    words = {"registered_as": row.registered_as, "dsro": row.dsro} | {k: _YES_NO[v] for k, v in row.flags.items()} | row.texts
    texts = {k: v for k, v in sorted(words.items()) if v}
    return FirmObservation("cftc", row.source, row.as_of, row.firm_name, None, dict(sorted(row.values.items())), {}, texts)


def _of_nfa(summary: StoredSummary) -> FirmObservation:
    texts = {"nfa_id": summary.nfa_id} if summary.nfa_id else {}
    amounts = {m: summary.values[m] for m in MEASURES if m in summary.values}  # in the page's order
    return FirmObservation("nfa", summary.source, summary.as_of, summary.firm_name, summary.pool, amounts, summary.shares, texts)


def observations(store: Store, firm: str, start: date | None = None, end: date | None = None) -> list[FirmObservation]:
    """A firm's stored CFTC rows and NFA summaries with an as-of date from `start` to `end` (KeyError if unknown)."""
    found = [_of_cftc(r) for r in store.stored_cftc_rows(firm)] + [_of_nfa(s) for s in store.nfa_summaries(firm)]
    kept = [o for o in found if (start is None or o.as_of >= start) and (end is None or o.as_of <= end)]
    return sorted(kept, key=lambda o: (o.as_of, o.source, o.pool or ""))
