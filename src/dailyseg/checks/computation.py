"""Rules over a computation from the firm's books and over a reconciliation with depository confirmations.

Declared here with every other rule; the computation (`dailyseg.compute.assemble`) and the reconciliation
(`dailyseg.compute.reconcile`) hand their hits to these rules to stamp.
"""

from __future__ import annotations

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

RULES = (ACKNOWLEDGMENT_LETTER, UNPLACED_BALANCE, CURRENCY_COVER, CONFIRMATION_MISMATCH)
