"""Rules over a computation from the firm's books, over a reconciliation with depository confirmations, and over
both kept in the store through the business days.

Declared here with every other rule; the computation (`dailyseg.compute.assemble`), the reconciliation
(`dailyseg.compute.reconcile`), the stale-confirmation check (`dailyseg.alerts.stale`) and the dead-man check
of the daily close (`dailyseg.alerts.deadman`) hand their hits to these rules to stamp.
"""

from __future__ import annotations

from dailyseg.checks.history import NOT_FILING_DAYS
from dailyseg.checks.registry import Rule

ACKNOWLEDGMENT_LETTER = Rule(
    "acknowledgment-letter",
    question="filing",
    tier="basic",
    severity="warning",
    scope="computation",
    citation="17 CFR 1.20(d); 22.5; 30.7(c)",
    description="A depository balance left out of funds because no written acknowledgment letter is on file.",
)
UNPLACED_BALANCE = Rule(
    "unplaced-balance",
    question="filing",
    tier="basic",
    severity="error",
    scope="computation",
    citation="catalogue sources",
    description="A balance in the books (class, asset, depository kind) that no line of the form reports: the computation "
    "would leave it out.",
)
CURRENCY_COVER = Rule(
    "currency-cover",
    question="firm",
    tier="basic",
    severity="warning",
    scope="computation",
    citation="17 CFR 1.49(e)",
    description="Each currency's obligations are covered by funds in that currency or a permitted substitute (USD, or "
    "CAD, EUR, GBP, JPY for other currencies).",
)
CONFIRMATION_MISMATCH = Rule(
    "confirmation-mismatch",
    question="filing",
    tier="basic",
    severity="error",
    scope="reconciliation",
    citation="17 CFR 1.32(a); 1.20(d)",
    description="A depository's confirmed balance differs from the books' balance for the same class, asset and currency.",
)
# Business days a depository balance may go without a matching confirmation before it is stale (`--stale-after`).
STALE_AFTER_DAYS = 3
STALE_CONFIRMATION = Rule(
    "stale-confirmation",
    question="firm",
    tier="basic",
    severity="warning",
    scope="confirmations",
    citation="17 CFR 1.20(d); 1.32(a)",
    citations={"secured": "17 CFR 30.7(c); 30.7(l)(1)", "swaps": "17 CFR 22.5; 22.2(g)(1)"},
    description=f"A depository balance (depository, class, asset, currency) of the latest stored reconciliation has had no "
    f"matching confirmation for {STALE_AFTER_DAYS} business days (`--stale-after`): the funds counted in the daily "
    "computation are not known to be held where the books say.",
    notice="confirm the balance with the depository; if the funds cannot be confirmed, they do not count in the daily "
    "computation, and books not current need notice the same day (17 CFR 1.12(c))",
)
CLOSE_OVERDUE = Rule(
    "close-overdue",
    question="firm",
    tier="basic",
    severity="warning",
    scope="close",
    citation="17 CFR 1.32(d); 22.2(g)(3); 30.7(l)(3)",
    description="The firm's own daily close (`dailyseg close`) for a business day is not filed by its due time, noon in New "
    f"York of the next business day: drafted, reviewed or approved but not filed, or (one of the first {NOT_FILING_DAYS} "
    "business days after its last close) not drafted at all.",
    notice="file the statements; if the daily computation was not prepared, notice the same day (17 CFR 1.12(c))",
)

RULES = (ACKNOWLEDGMENT_LETTER, UNPLACED_BALANCE, CURRENCY_COVER, CONFIRMATION_MISMATCH, STALE_CONFIRMATION, CLOSE_OVERDUE)
