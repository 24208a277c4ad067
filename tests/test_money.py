"""Exact money: the text forms of amounts read back to the same value, and cents convert without loss."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from dailyseg.money import canonical, cents_text, format_amount, from_cents, parse_amount, to_cents, to_dollars

# The amounts dailyseg accepts: up to 15 digits of dollars (money.MAX_INTEGER_DIGITS).
CENTS = st.integers(-(10**17) + 1, 10**17 - 1)


@given(CENTS)
def test_cents_text_is_the_exact_amount(cents: int) -> None:
    assert cents_text(cents) == str(from_cents(cents))
    assert str(from_cents(cents)) == str(canonical(Decimal(cents) / 100))
    assert to_cents(Decimal(cents_text(cents))) == cents


@given(CENTS, st.booleans())
def test_format_then_parse_gives_back_the_amount(cents: int, parentheses: bool) -> None:
    amount = from_cents(cents)
    assert parse_amount(format_amount(amount, parentheses=parentheses)) == amount


def test_rounding_is_half_away_from_zero() -> None:
    assert [to_dollars(Decimal(x)) for x in ("0.5", "1.49", "-0.5", "-2.5", "2.51")] == [1, 1, -1, -3, 3]
