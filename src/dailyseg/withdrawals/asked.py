"""A withdrawal as a person asks for it (the command line's options, a page's form, the API's body) made into
the ledger's `Request`, one way for all three: amounts read exactly, a currency other than USD only with its
amount in US dollars (the firm's rate, which dailyseg does not guess)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from dailyseg.money import AmountError, parse_amount
from dailyseg.store.withdrawals import Request
from dailyseg.store.workflow import Refused


def amount_of(text: str, what: str) -> Decimal:
    """An amount as typed ("2500000", "2,500,000.50"), exactly; refused (invalid) with what it was given as."""
    try:
        return parse_amount(text.strip())
    except AmountError as problem:
        raise Refused("invalid", f"{what} {text!r}: {problem}") from None


def request_of(
    firm: str,
    statement: str,
    amount: str,
    currency: str,
    usd: str | None,
    recipient: str,
    purpose: str,
    for_customers: bool,
    at: datetime,
    *,
    names: tuple[str, str] = ("amount", "usd"),
) -> Request:
    """The ledger's request; `names` are what the amount and the US dollar amount are called where they were typed."""
    value = amount_of(amount, names[0])
    code = currency.strip().upper() or "USD"
    if code != "USD" and not (usd or "").strip():
        raise Refused(
            "invalid", f"a withdrawal in {code} needs {names[1]}, its amount in US dollars, to be measured against residual interest"
        )
    dollars = amount_of(usd, names[1]) if usd and usd.strip() else value
    return Request(firm, statement, value, code, dollars, recipient.strip(), purpose.strip(), for_customers, at)
