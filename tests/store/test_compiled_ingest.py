"""The store's compiled ingest step (`dailyseg.store._ingest`) prepares what the Python path prepares.

`prepare` takes a filing's value rows and the amounts' part of the content hash from the C extension when it
covers the filing, and from `_amount_rows` (the definition) when it hands the filing back. Any difference
would store other cents or other hashes depending on whether the machine had a compiler, so both paths are
run on generated filings, including amounts, codes, labels and statement names chosen to sit on the edges of
what the extension covers, and must agree on every `Prepared` field or on the refusal's words.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import TypeVar

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dailyseg.catalogue import CATALOGUE
from dailyseg.filing import Entry, Filing, Header
from dailyseg.money import to_cents
from dailyseg.store import ingest
from dailyseg.store.ingest import NotStorable, Prepared, prepare
from dailyseg.store.packed import Lines
from dailyseg.store.synthetic import series
from tests.store.test_fast_ingest import reference_hash
from tests.strategies import any_amount, filings

_ingest = pytest.importorskip("dailyseg.store._ingest", reason="the ingest extension was not built (no compiler at install)")

_CODE_LIMIT = ingest._CODE_LIMIT
T = TypeVar("T")
# What the extension covers: every amount's text plain, with at most 18 digits of cents; ASCII text throughout.
_PLAIN_AMOUNT = re.compile(r"-?([0-9]+)(?:\.([0-9]{1,2}))?")


def _prepared(filing: Filing, *, compiled: bool) -> Prepared | str:
    """`prepare` by one path: its result, or the words of its refusal."""
    saved = ingest.COMPILED
    ingest.COMPILED = compiled
    try:
        return prepare(filing, "generated.txt", "ab" * 32)
    except NotStorable as refusal:
        return f"refused: {refusal}"
    finally:
        ingest.COMPILED = saved


def _covered(filing: Filing) -> bool:
    texts = [e.ref for e in filing.entries] + [e.statement for e in filing.entries] + list(filing.statements)
    texts += [e.label for e in filing.entries if e.ref not in CATALOGUE.refs]
    if not all(text.isascii() for text in texts) or any(len(e.ref) > _CODE_LIMIT for e in filing.entries):
        return False
    for entry in filing.entries:
        plain = _PLAIN_AMOUNT.fullmatch(str(entry.amount))
        if plain is None or len(plain[1]) + 2 > 18:
            return False
    return True


def _packed(filing: Filing) -> object:
    return _ingest.packed(filing.entries, filing.statements, ingest._KNOWN_CODES, _CODE_LIMIT)


def _assert_alike(filing: Filing) -> None:
    compiled, pure = _prepared(filing, compiled=True), _prepared(filing, compiled=False)
    assert compiled == pure
    assert (_packed(filing) is not None) == _covered(filing)
    if isinstance(compiled, Prepared):
        assert compiled.content_hash == reference_hash(filing)
        known = CATALOGUE.refs
        filed = [(e.statement, e.ref, to_cents(e.amount), "" if e.ref in known else e.label) for e in filing.entries]
        assert compiled.amounts == filed and compiled.value_count == len(filed)
        assert all(type(cents) is int for _, _, cents, _ in compiled.amounts)


@pytest.mark.slow
@settings(max_examples=150, deadline=None)
@given(filings())
def test_both_paths_prepare_generated_filings_alike(filing: Filing) -> None:
    _assert_alike(filing)


def _mostly(usual: st.SearchStrategy[T], rare: st.SearchStrategy[T]) -> st.SearchStrategy[T]:
    """`usual` four times in five, so that a filing of several entries is often covered whole."""
    return st.integers(0, 4).flatmap(lambda pick: rare if pick == 3 else usual)


# Text that JSON escapes and plain text, for codes, labels and statement names; now and then outside ASCII.
_ascii = st.lists(st.sampled_from(['"', "\\", "\n", "\t", "\x01", "\x1f", "\x7f", "a", "Z", "7", " "]), max_size=6).map("".join)
_awkward = _mostly(_ascii, _ascii.map(lambda text: text + "\u00e9\u20ac"))
_amounts = _mostly(
    any_amount,
    st.one_of(
        st.decimals(allow_nan=False, allow_infinity=False, min_value=-(10**20), max_value=10**20),
        st.integers(-(10**19), 10**19).map(lambda n: Decimal(n).scaleb(-2)),
        st.sampled_from([Decimal("0.001"), Decimal("1E-7"), Decimal("-0"), Decimal("-0.00"), Decimal("NaN"), Decimal("1E+17")]),
    ),
)


@st.composite
def _awkward_filings(draw: st.DrawFn) -> Filing:
    statements = draw(st.lists(st.sampled_from(["segregation", "secured", "swaps"]) | _awkward, min_size=1, max_size=3, unique=True))
    codes = draw(
        st.lists(
            st.sampled_from(sorted(CATALOGUE.refs)[:30]) | _awkward.filter(bool) | st.text(alphabet="7A", min_size=11, max_size=13),
            unique=True,
            max_size=8,
        )
    )
    entries = tuple(Entry(draw(st.sampled_from(statements)), code, draw(_amounts), draw(_awkward)) for code in codes)
    header = Header(
        status="INITIAL", end_date=date(2024, 3, 4), firm_name=draw(_awkward.filter(str.strip)) + " LLC", form="Seg", submit_date=None
    )
    return Filing(header, "2013", entries, None, tuple(statements))


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(_awkward_filings())
def test_both_paths_prepare_awkward_amounts_codes_and_labels_alike(filing: Filing) -> None:
    _assert_alike(filing)


@pytest.mark.parametrize(
    ("amount", "covered"),
    [
        (Decimal("12.5"), True),
        (Decimal("-0.01"), True),
        (Decimal("9999999999999999.99"), True),  # 18 digits of cents
        (Decimal("99999999999999999.99"), False),  # 19: the Python path stores it
        (Decimal("99999999999999999999999"), False),  # too large for a BIGINT: the Python path refuses it
        (Decimal("0.001"), False),  # a fraction of a cent: refused
        (Decimal("1E-7"), False),
    ],
)
def test_the_extension_hands_back_what_it_does_not_cover(amount: Decimal, covered: bool) -> None:
    filing = next(iter(series("Acme Futures LLC", date(2024, 3, 4), date(2024, 3, 4))))
    first = filing.entries[0]
    changed = replace(filing, entries=(replace(first, amount=amount), *filing.entries[1:]))
    assert (_packed(changed) is not None) == covered
    _assert_alike(changed)


def test_the_stores_own_filings_take_the_compiled_path(sample_filing: Filing) -> None:
    for filing in [*series("Benchmark Firm 00 LLC", date(2024, 1, 1), date(2024, 3, 31), seed=3), sample_filing]:
        assert _packed(filing) is not None
        _assert_alike(filing)


class _Restated(Entry):
    """An entry class whose amount is no slot (a property over it): the extension must read it as Python does."""

    @property
    def amount(self) -> Decimal:
        return Decimal("2.50")


def test_the_extension_reads_each_entry_as_python_reads_it_whatever_its_class() -> None:
    """Regression for reading fields from their slots: the extension keeps where the last entry class it saw keeps
    them, so entries of two classes in turn must each be read by their own class's rule."""
    plain = (Entry("segregation", "7010", Decimal("1.00")), Entry("segregation", "7020", Decimal("-3.25")))
    restated = object.__new__(_Restated)
    for name, value in (("statement", "segregation"), ("ref", "7030"), ("label", "")):
        object.__setattr__(restated, name, value)
    Entry.__dict__["amount"].__set__(restated, Decimal("9.99"))  # the slot under the property holds another amount
    entries = (plain[0], restated, plain[1])
    found = _ingest.packed(entries, ("segregation",), ingest._KNOWN_CODES, _CODE_LIMIT)
    assert found is not None
    assert Lines.read(found[0]).amounts(found[1]) == [
        ("segregation", "7010", 100, ""),
        ("segregation", "7030", 250, ""),
        ("segregation", "7020", -325, ""),
    ]


def test_pure_selects_the_python_path() -> None:
    code = "from dailyseg.store import ingest; print(ingest.BUILT, ingest.COMPILED)"
    shown = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env={**os.environ, "DAILYSEG_PURE": "1"}
    )
    assert shown.stdout.split() == ["True", "False"]
