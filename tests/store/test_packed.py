"""A filing's amounts packed in one row (store/packed.py) read back as they went in, for any text and cents."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dailyseg.store.content_hash import Value
from dailyseg.store.packed import CENT_BYTES, Lines, cents_bytes, lines_id, lines_text

_text = st.text(st.characters(codec="utf-8"), max_size=12)
_values = st.lists(st.tuples(_text, _text, st.integers(-(2**63), 2**63 - 1), _text), max_size=30, unique_by=lambda value: value[0])


@given(_values)
def test_packed_amounts_read_back_as_written(values: list[Value]) -> None:
    text, cents = lines_text(values), cents_bytes(values)
    lines = Lines.read(text)
    assert lines.amounts(cents) == [(statement, code, amount, label) for code, statement, amount, label in values]
    assert len(cents) == CENT_BYTES * len(values)
    assert json.loads(text) == [[code, statement, label] for code, statement, _, label in values]
    for code, _, amount, _ in values:
        assert lines.cents_of(cents, code) == amount
    absent = "code not among them" + "".join(code for code, _, _, _ in values)
    assert lines.cents_of(cents, absent) is None


@given(_values, _values)
def test_a_lines_id_is_a_positive_bigint_made_from_the_text_alone(first: list[Value], second: list[Value]) -> None:
    one, other = lines_text(first), lines_text(second)
    assert 0 <= lines_id(one) < 2**63
    assert (lines_id(one) == lines_id(other)) == (one == other)  # no collision among generated texts


def test_cents_of_the_wrong_length_are_refused() -> None:
    values: list[Value] = [("7010", "segregation", 1, ""), ("7020", "segregation", -2, "")]
    lines = Lines.read(lines_text(values))
    with pytest.raises(ValueError, match="15 bytes of cents for 2 lines"):
        lines.amounts(cents_bytes(values)[:-1])
