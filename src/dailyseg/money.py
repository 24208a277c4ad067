"""Exact amounts: reading, writing and the one place where money is rounded.

Amounts are `Decimal` everywhere in Python. The filing is made in whole dollars; anything finer (cents
from a book, a rate conversion) is rounded by `to_dollars` alone, half away from zero (ROUND_HALF_UP in
`decimal`'s terms, which rounds magnitudes, so -0.5 becomes -1), the rounding an accountant does by hand.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

# Twelve digits before the point reach 999 billion dollars; fifteen leave room for any firm while keeping
# cents inside a signed 64-bit integer, which the engines and databases use.
MAX_INTEGER_DIGITS = 15
MAX_FRACTION_DIGITS = 2

# Only the digits are matched by a pattern; the parentheses, sign, "$" and the spaces between them are
# peeled off by hand first. A single pattern with a run of optional `\s*` between optional parts is
# ambiguous, and backtracks polynomially (about n^4) on many spaces followed by a non-digit.
_DIGITS = re.compile(r"([0-9][0-9,]*)(?:\.([0-9]*))?")


def fits(amount: Decimal) -> bool:
    """Whether an amount has few enough digits before the point to be printed, read back and stored."""
    return abs(amount) < _LIMIT


_LIMIT = Decimal(10) ** MAX_INTEGER_DIGITS


class AmountError(ValueError):
    """Text that is not an amount; the message says what was found."""


def parse_amount(text: str) -> Decimal:
    """Read "1,234", "-1,234", "(1,234)", "$1,234.50" exactly; reject anything else with a clear reason."""
    # Fast path for what filings mostly print, whole dollars "1,234" or "-1,234": the same value the
    # general path below gives, without its peeling (readers turn thousands of amounts a second).
    negative = text[:1] == "-"
    digits = text[1:] if negative else text
    if digits[:1].isdigit() and digits.isascii():
        digits = digits.replace(",", "")
        if digits.isdigit() and len(digits) <= MAX_INTEGER_DIGITS:
            value = Decimal(digits)
            return -value if negative else value
    parts = _split(text)
    if parts is None:
        raise AmountError(f"not an amount: {text.strip()[:40]!r}")
    opening, sign, whole, fraction, closing = parts
    if bool(opening) != bool(closing):
        raise AmountError(f"unbalanced parentheses in {text.strip()!r}")
    if opening and sign == "-":
        raise AmountError(f"both parentheses and a minus sign in {text.strip()!r}")
    digits = whole.replace(",", "").lstrip("0") or "0"
    if len(digits) > MAX_INTEGER_DIGITS:
        raise AmountError(f"amount of {len(digits)} digits exceeds the {MAX_INTEGER_DIGITS}-digit limit")
    if fraction is not None and len(fraction) > MAX_FRACTION_DIGITS:
        raise AmountError(f"amount {text.strip()!r} has more than {MAX_FRACTION_DIGITS} decimal places")
    try:
        value = Decimal(f"{digits}.{fraction}" if fraction else digits)
    except InvalidOperation as error:  # pragma: no cover - the pattern admits only digits
        raise AmountError(f"not an amount: {text!r}") from error
    return -value if (opening or sign == "-") else value


def _split(text: str) -> tuple[bool, str, str, str | None, bool] | None:
    """The parts of "( - $ 1,234.50 )", peeled off in linear time.

    Each step takes a part only where no later part could start, so the result is the one the old single
    pattern gave (spaces allowed around the parentheses, sign and "$"), without its backtracking.
    """
    rest = text.strip()
    opening = rest[:1] == "("
    if opening:
        rest = rest[1:].lstrip()
    closing = rest[-1:] == ")"
    if closing:
        rest = rest[:-1].rstrip()
    sign = rest[:1] if rest[:1] in ("+", "-") else ""
    if sign:
        rest = rest[1:].lstrip()
    if rest[:1] == "$":
        rest = rest[1:].lstrip()
    match = _DIGITS.fullmatch(rest)
    if match is None:
        return None
    return opening, sign, match.group(1), match.group(2), closing


def format_amount(amount: Decimal, *, parentheses: bool = False, separators: bool = True) -> str:
    """Write an amount as the form prints it: "1,234", "-1,234", or "(1,234)" with `parentheses`."""
    magnitude = abs(amount)
    text = f"{magnitude:,}" if separators else f"{magnitude}"
    if amount < 0:
        return f"({text})" if parentheses else f"-{text}"
    return text


def to_dollars(amount: Decimal) -> Decimal:
    """Round to whole dollars, half away from zero. The only rounding of money in dailyseg."""
    return amount.quantize(Decimal(1), rounding=ROUND_HALF_UP)


def canonical(amount: Decimal) -> Decimal:
    """The same value without a positive exponent or trailing noise, so equal amounts print alike."""
    if amount == amount.to_integral_value():
        return amount.quantize(Decimal(1))
    return amount.normalize()


def to_cents(amount: Decimal) -> int:
    """Integer cents for engines and databases; refuses to lose a fraction of a cent."""
    cents = amount * 100
    if cents != cents.to_integral_value():
        raise AmountError(f"{amount} has a fraction of a cent")
    return int(cents)


def cents_text(cents: int) -> str:
    """Integer cents as the text of their exact amount ("12345" -> "123.45", "1200" -> "12"), as
    `str(from_cents(cents))` writes it but without building a Decimal: chart data turns thousands at once."""
    whole, part = divmod(abs(cents), 100)
    sign = "-" if cents < 0 else ""
    if part == 0:
        return f"{sign}{whole}"
    return f"{sign}{whole}.{part:02d}".rstrip("0")


def from_cents(cents: int) -> Decimal:
    """`canonical(Decimal(cents) / 100)`, built directly in each of its three shapes (whole dollars, tens of
    cents, cents) rather than normalised afterwards: the store turns thousands at once."""
    whole, part = divmod(cents, 100)
    if not part:
        return Decimal(whole)
    return Decimal(cents).scaleb(-2) if part % 10 else Decimal(cents // 10).scaleb(-1)
