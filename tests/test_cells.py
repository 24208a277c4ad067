"""CSV cells a spreadsheet shows as text: one test per character OWASP names, and the exact round trip."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dailyseg.cells import from_cell, to_cell


@pytest.mark.parametrize("first", ["=", "+", "-", "@", "\t", "\r"])
def test_a_text_beginning_with_a_formula_character_is_written_as_text(first: str) -> None:
    text = f'{first}HYPERLINK("http://example.invalid","Firm")'
    assert to_cell(text) == "'" + text
    assert from_cell(to_cell(text)) == text


@pytest.mark.parametrize("number", ["-1,234", "-1234.50", "+12", "0", "1,000,000"])
def test_numbers_stay_numbers(number: str) -> None:
    assert to_cell(number) == number


@pytest.mark.parametrize("text", ["Acme Futures LLC", "'s-Hertogenbosch Clearing", "", "'", "1 - Net ledger balance"])
def test_other_text_is_written_as_it_is(text: str) -> None:
    assert to_cell(text) == text
    assert from_cell(text) == text


@given(st.text())
def test_reading_a_cell_gives_back_the_text_written(text: str) -> None:
    cell = to_cell(text)
    assert from_cell(cell) == text
    # Only a number may begin with a character a spreadsheet reads as the start of a formula.
    assert cell[:1] not in set("=+-@\t\r") or re.fullmatch(r"[+-]?[0-9][0-9,]*(?:\.[0-9]+)?", cell)
