"""The undermargined amount as a person types it (the command line's `--undermargined CLASS=AMOUNT`, the filing
page's field), read one way for both: it is not on the filing (17 CFR 1.12(j), 1.22), so the person drafting the
below-undermargined notice supplies it, exactly, and never below zero."""

from __future__ import annotations

from decimal import Decimal

from dailyseg.money import AmountError, parse_amount
from dailyseg.store.workflow import Refused


def undermargined_amount(text: str, what: str) -> Decimal:
    """The amount, exactly; refused (invalid) naming `what` it was typed as, what was expected and what was found."""
    try:
        value = parse_amount(text.strip())
    except AmountError as problem:
        raise Refused("invalid", f"{what}: expected an amount such as 1500000 or 1,500,000.50; {problem}") from None
    if value < 0:
        raise Refused("invalid", f"{what}: expected an amount of zero or more, found {text.strip()!r}")
    return value
