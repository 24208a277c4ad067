"""The reader's compiled scanner (`dailyseg.parse._tokens`) and its pure-Python path give the same results.

The extension follows the token pattern by hand for speed; the pattern stays the definition. These tests hold
the two to the same tokens over generated lines, and to the same filings and problems over generated,
rendered and damaged documents, so the fallback a machine without a compiler uses reads what every other does.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import dailyseg
from dailyseg.filing import Entry, Filing, Header
from dailyseg.parse import tokens
from dailyseg.parse.text import clean_lines, read_text
from dailyseg.parse.tokens import scan_compiled, scan_pure
from tests.conftest import SAMPLE
from tests.strategies import documents
from tests.test_fuzz_read import SEEDS, mutate, rendered

_tokens = pytest.importorskip("dailyseg.parse._tokens", reason="the C scanner was not built (no compiler at install)")

# What statement text is made of: digits, separators, signs, brackets, markers, blanks of every kind `\s` takes,
# word characters that block a token and a few letters that start a marker.
_LINE_ALPHABET = "0123456789,.()[]$+-:  \t\n\x0b\x0c\x1c\x1f_ABCDEFaxZ"
_lines = st.text(alphabet=_LINE_ALPHABET, max_size=80) | st.lists(
    st.sampled_from(["1,234", "(1,234)", "-5", "+6", "$7", "0", "12.5", "3.", "12.", "A.", "E.", "[7010]", "[12]", " ", "\t", "]", "x"]),
    max_size=30,
).map("".join)
_SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@_SETTINGS
@given(line=_lines)
def test_the_extension_gives_the_patterns_tokens_or_hands_the_line_back(line: str) -> None:
    found = _tokens.scan(line)
    assert found is None or found == scan_pure(line)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        # A run glued to the "]" of a pair may backtrack into the run: the pattern's to read.
        ("Cash [7520]5", None),
        # Text outside ASCII takes Unicode classes for `\s` and `\w`: the pattern's too.
        ("Cash\u00a01 [7010]", None),
        ("1. Cash 12.5 [7010]", [(0, 2, "1", None, None, None, False, None, -1), (8, 19, None, None, "12.5", "7010", False, None, 14)]),
        ("3 25. x", [(0, 1, None, None, "3", None, True, None, -1), (2, 5, "25", None, None, None, False, None, -1)]),
    ],
)
def test_the_extension_on_known_lines(line: str, expected: list[tokens.Token] | None) -> None:
    assert _tokens.scan(line) == expected


def test_every_line_of_the_sample_is_read_by_the_extension() -> None:
    """The fast path is the path the sample takes: no line is handed back to the pattern."""
    lines = clean_lines(SAMPLE.read_text("utf-8"))
    assert all(_tokens.scan(line) == scan_pure(line) for line in lines)


def _both_paths_agree(text: str) -> None:
    pure = read_text(text, "<t>", scan_pure)
    compiled = read_text(text, "<t>", scan_compiled)
    assert compiled == pure


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(filings=documents(), fmt=st.sampled_from(["text", "html"]), rng=st.randoms(use_true_random=False), damage=st.booleans())
def test_generated_and_mutated_documents_read_alike_both_ways(filings: list[Filing], fmt: str, rng: random.Random, damage: bool) -> None:
    data = rendered(filings, fmt)
    if damage:
        data = mutate(data, rng)
    _both_paths_agree(data.decode("utf-8", "replace"))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(seed=st.sampled_from(SEEDS), rng=st.randoms(use_true_random=False))
def test_damaged_real_documents_read_alike_both_ways(seed: Path, rng: random.Random) -> None:
    _both_paths_agree(mutate(seed.read_bytes(), rng).decode("utf-8", "replace"))


def test_dailyseg_pure_selects_the_pattern() -> None:
    """`DAILYSEG_PURE=1` is the switch to the pure path, for a machine where the extension misbehaves."""
    probe = "from dailyseg.parse import tokens; print(tokens.COMPILED, tokens.scan is tokens.scan_pure)"
    for value, expected in (("1", "False True"), ("0", "True False")):
        env = {**os.environ, "DAILYSEG_PURE": value}
        done = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
        assert done.stdout.split() == expected.split()


def test_without_the_extension_the_reader_uses_the_pattern() -> None:
    """A machine where the extension was not built (no compiler) reads the sample alike on the pure path."""
    probe = (
        "import sys; sys.modules['dailyseg.parse._tokens'] = None; import dailyseg; from dailyseg.parse import tokens; "
        "print(tokens.BUILT, tokens.scan is tokens.scan_pure, len(dailyseg.read(sys.argv[1]).filing.entries))"
    )
    done = subprocess.run([sys.executable, "-c", probe, str(SAMPLE)], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "True", str(len(dailyseg.read(SAMPLE).filing.entries))]


def test_a_filing_keeps_entries_already_canonical_and_makes_the_rest_canonical() -> None:
    """Regression: the constructor reuses canonical entries instead of rebuilding them, and still canonicalises."""
    header = Header("INITIAL", None, "A", "Form 1-FR-FCM")
    whole, cents = Entry("segregation", "7010", Decimal("5")), Entry("segregation", "7020", Decimal("1.50"))
    filing = Filing(header, "2013", (whole, cents))
    assert filing.entries[0] is whole
    assert filing.entries[1].amount.as_tuple() == Decimal("1.5").as_tuple()
    assert Filing(header, "2013", (Entry("segregation", "7010", Decimal("5.00")),)).entries[0].amount.as_tuple() == whole.amount.as_tuple()
