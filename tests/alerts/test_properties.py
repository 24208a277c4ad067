"""Properties of the retry schedule and of the webhook signature."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from dailyseg.alerts.backoff import FIRST_WAIT, LONGEST_WAIT, MAX_ATTEMPTS, is_final, wait_after
from dailyseg.alerts.webhook import signature, verify


@given(st.integers(min_value=1, max_value=10_000), st.integers(min_value=1, max_value=10_000))
def test_backoff_never_shrinks_and_stays_bounded(a: int, b: int) -> None:
    first, second = sorted((a, b))
    assert FIRST_WAIT <= wait_after(first) <= wait_after(second) <= LONGEST_WAIT


def test_the_schedule_doubles_then_ends_at_the_documented_limit() -> None:
    assert [wait_after(n) for n in (1, 2, 3)] == [timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4)]
    assert next(n for n in range(1, 100) if is_final(n)) == MAX_ATTEMPTS == 15
    assert sum((wait_after(n) for n in range(1, MAX_ATTEMPTS)), timedelta()) < timedelta(days=2)


@given(st.text(min_size=1), st.binary(), st.binary())
def test_a_signature_verifies_exactly_when_the_body_is_unchanged(secret: str, body: bytes, other: bytes) -> None:
    header = signature(secret, body)
    assert header.startswith("sha256=") and len(header) == 7 + 64
    assert verify(secret, body, header)
    assert verify(secret, other, header) == (other == body)
    assert not verify(secret, body, None)
