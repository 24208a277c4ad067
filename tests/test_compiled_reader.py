"""The reader's compiled parts (`dailyseg.parse._tokens`) and its pure-Python path give the same results.

The extension follows the token pattern by hand for speed, and reads plain documents whole (`read_plain`); the
pattern and the Python reader stay the definition. These tests hold the two to the same tokens over generated
lines, and to the same filings and problems over generated, rendered, edited and damaged documents, so the
fallback a machine without a compiler uses reads what every other does.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
from collections.abc import Callable
from dataclasses import astuple, dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import dailyseg
from dailyseg.filing import Entry, Filing, Header, exact_cents
from dailyseg.money import to_cents
from dailyseg.parse import text as text_reader
from dailyseg.parse import tokens
from dailyseg.parse.text import TextReader, clean_lines, read_text
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
    """The same filings and problems; the plain reader's cents are the amounts' own, and validation (on integer
    cents where the plain reader read the filing, else on `Decimal`s) finds the same."""
    pure = read_text(text, "<t>", scan_pure, plain=False)
    compiled = read_text(text, "<t>", scan_compiled, plain=True)
    assert compiled == pure
    for filing in compiled[0]:
        cents = exact_cents(filing)
        assert cents is None or cents == {ref: to_cents(amount) for ref, amount in filing.amounts.items()}
    findings = [dailyseg.validate(filing, tier="strict") for filing in compiled[0]]
    assert findings == [dailyseg.validate(filing, tier="strict") for filing in pure[0]]


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


def _plain(text: str) -> bool:
    """Whether the compiled plain reader reads the document (rather than handing it to the Python reader)."""
    return TextReader("<t>").read_plain(text) is not None


def test_the_sample_is_read_whole_by_the_plain_reader() -> None:
    text = SAMPLE.read_text("utf-8")
    assert _plain(text)
    assert exact_cents(read_text(text, "<t>", scan_compiled, plain=True)[0][0]) is not None  # validated on integer cents
    assert read_text(text, "<t>", scan_compiled, plain=True) == read_text(text, "<t>", scan_pure, plain=False)


# Lines that a plain document may hold or that make it not plain, inserted, replacing a line or edited into one:
# each is read alike both ways whichever reader takes the document.
_EDITS = st.sampled_from(
    [
        "",
        "Page 3",
        "3",
        "12.",
        "A.",
        "W I N J A M M E R   F I L I N G",
        "INITIAL",
        "amended",
        "**Firm Name:Other & Co.**",
        "End Date:13/45/2013",
        "Form:Daily Seg 1-FR",
        "Submit Date:7/26/2013 Form:x",
        "Daily Segregation - Cover Page",
        "**Daily Segregation - Swaps Statement**",
        "Daily Segregation - Segregation Statement and more",
        "\tA. Cash\t<b><u>12.50</u></b> [7010]",
        "\tB. Other\t<u>(1,234)</u> [7020]",
        "\tC. Cash\t<u>1.234</u> [7030]",
        "\tCash\t<u>0 0</u> [8715]",
        "\tCash\t0",
        "Label 5 [99999]",
        "Label\t5 [1234]",
        "Regulation 30.7 accounts\t5",
        "Total3",
        "x [12] y",
        "Cash [7520]5",
        "<br>",
        "a &amp; b",
        'Download "INITIAL"',
        "\u00a0Cash 1 [7010]",
        "32 3,655,746 [7010]",
        "-0 [7010]",
        "007 [7360]",
        "1,000,000,000,000,000 [7360]",
    ]
)


@pytest.mark.slow
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(
    filings=documents(max_size=2),
    edits=st.lists(st.tuples(st.integers(0, 10_000), st.sampled_from(["insert", "replace", "append"]), _EDITS), max_size=3),
    crlf=st.booleans(),
)
def test_edited_documents_read_alike_both_ways(filings: list[Filing], edits: list[tuple[int, str, str]], crlf: bool) -> None:
    lines = rendered(filings, "text").decode("utf-8").split("\n")
    for at, how, text in edits:
        at %= len(lines)
        if how == "insert":
            lines.insert(at, text)
        elif how == "replace":
            lines[at] = text
        else:
            lines[at] += text
    _both_paths_agree(("\r\n" if crlf else "\n").join(lines))


def test_most_rendered_text_documents_are_plain() -> None:
    """The equivalence tests above exercise the plain reader: dailyseg's own text output is what it reads."""
    found = []

    @settings(max_examples=40, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(filings=documents(max_size=1))
    def plain(filings: list[Filing]) -> None:
        found.append(_plain(rendered(filings, "text").decode("utf-8")))

    plain()
    assert sum(found) >= len(found) // 2


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda text: text.replace("Citigroup", "Citigroup &amp;"), id="entity"),
        pytest.param(lambda text: "<table>" + text, id="block markup"),
        pytest.param(lambda text: text.replace("Citigroup", "Citigroup\u00e9"), id="not ASCII"),
        pytest.param(lambda text: text.replace("**INITIAL**", "**INITIAL**\n\n3", 1), id="page number"),
        pytest.param(lambda text: text.replace("[7010]", "[7010] 5 [7010]"), id="code twice"),
        pytest.param(lambda text: text.replace("5,778,968,167", "5,778,968,167.125"), id="three decimals"),
        pytest.param(lambda text: text.replace("[7360]", "[7010]"), id="code of another statement"),
        pytest.param(lambda text: text + "\nW I N J A M M E R  F I L I N G\n", id="banner"),
    ],
)
def test_the_plain_reader_hands_back_what_is_not_plain(change: Callable[[str], str]) -> None:
    text = change(SAMPLE.read_text("utf-8"))
    assert not _plain(text)
    _both_paths_agree(text)


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda text: text.replace("\n", "\r\n"), id="CRLF"),
        pytest.param(lambda text: text.replace("Citigroup", "Citigroup & Co."), id="ampersand"),
        pytest.param(lambda text: text.replace("5,778,968,167", "5,778,968,167.50"), id="cents"),
        pytest.param(lambda text: text.replace("[7010]", "[9999]"), id="unknown code"),
    ],
)
def test_the_plain_reader_reads_what_is_plain(change: Callable[[str], str]) -> None:
    text = change(SAMPLE.read_text("utf-8"))
    assert _plain(text)
    _both_paths_agree(text)


def test_a_filing_told_its_amounts_are_canonical_is_the_filing_built_without_it() -> None:
    filing = dailyseg.read(SAMPLE).filing
    again = Filing(filing.header, filing.layout, tuple(reversed(filing.entries)), filing.cover, filing.statements, True)
    assert again == filing and again.entries == filing.entries


@dataclass(frozen=True)
class _DictEntry:
    """An entry class keeping its fields in a dict, as `Entry` did before it had slots."""

    statement: str
    ref: str
    amount: Decimal
    label: str = ""


def test_the_plain_reader_makes_entries_of_a_class_without_slots_too() -> None:
    """The extension writes `Entry`'s slots directly, and sets the attributes of any other class as its `__init__` would."""
    text = SAMPLE.read_text("utf-8")
    args = (text_reader._PLAIN_HEADINGS, text_reader._STATEMENT_OF, text_reader._COMPONENTS, Decimal)
    slotted, plain = _tokens.read_plain(text, *args, Entry), _tokens.read_plain(text, *args, _DictEntry)
    read = [(e[0], e[1], e[2], {ref: astuple(entry) for ref, entry in e[3].items()}) for e in slotted if e[0] == tokens.PLAIN_HEADING]
    assert read == [(e[0], e[1], e[2], {ref: astuple(entry) for ref, entry in e[3].items()}) for e in plain if e[0] == tokens.PLAIN_HEADING]
    assert all(type(entry) is _DictEntry for e in plain if e[0] == tokens.PLAIN_HEADING for entry in e[3].values())
    assert sum(len(e[3]) for e in slotted if e[0] == tokens.PLAIN_HEADING) == len(dailyseg.read(SAMPLE).filing.entries)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(SAMPLE.read_text("utf-8"), id="sample"),
        pytest.param("\x01\x02\x03 binary " * 20, id="control characters"),
        pytest.param("   \n\t ", id="blank"),
        pytest.param("%PDF-1.4 not really", id="pdf"),
    ],
)
def test_an_ascii_str_reads_as_its_bytes(text: str) -> None:
    """Regression: `read` takes an ASCII `str` as its own decoded text, with the checks its bytes get."""
    as_text, as_bytes = dailyseg.read(text, text=True), dailyseg.read(text.encode("ascii"))
    assert as_text.filings == as_bytes.filings
    assert [(p.message, p.line, p.severity) for p in as_text.problems] == [(p.message, p.line, p.severity) for p in as_bytes.problems]
