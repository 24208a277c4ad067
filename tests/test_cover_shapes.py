"""Cover pages as real filings print them: label variants, mangled amounts, and targets read only when certain.

Each shape is read twice, through `dailyseg.read` of a whole document (so the reader's path to the cover
parser is exercised) and through `parse_cover` directly (so a failure points at the parser). The content
is invented.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dailyseg
from dailyseg.catalogue import CATALOGUE
from dailyseg.filing import CoverPage, Filing, Header, Target, TargetKindId
from dailyseg.parse.cover import parse_cover
from dailyseg.problems import Problem
from dailyseg.render import renderer

HEADER = "W I N J A M M E R  F I L I N G  INITIAL\nEnd Date:9/15/2015 Firm Name:Acme Futures LLC Form:Daily Seg - FOCUS II\n"
FIELDS = "Name of Company Acme Futures LLC Contact Name Ann Lee Contact Phone Number 212-555-0100 Contact e-mail ann@acme.test"
LABELS = CATALOGUE.cover.target_labels
KINDS = CATALOGUE.cover.target_kinds
ZEROS = ("0", "0", "0 0", "0 0")


def options(*cells: str, sep: str = " ") -> str:
    """The four options of a class as PDF text prints them: each label, then its amounts."""
    return " ".join(f"{k.letter}.{sep}{k.label} {cell}" for k, cell in zip(KINDS, cells, strict=True))


def cover(
    segregation: str, secured: str = options(*ZEROS), swaps: str = options(*ZEROS), fields: str = FIELDS, apostrophe: str = "'"
) -> str:
    """The cover page text, one line a class, as extracted from a PDF."""
    lines = [fields] + [
        label.replace("'", apostrophe) + f" {body}" for label, body in zip(LABELS.values(), (segregation, secured, swaps), strict=True)
    ]
    return "\n".join([*lines, "Attach supporting documents"])


def document(text: str) -> str:
    return f"{HEADER}{CATALOGUE.cover.heading}\n{text}\n"


Reader = Callable[[str], tuple[CoverPage, tuple[Problem, ...]]]


def through_read(text: str) -> tuple[CoverPage, tuple[Problem, ...]]:
    result = dailyseg.read(document(text), text=True)
    filing = result.filing
    assert filing.cover is not None
    return filing.cover, result.problems


def through_parser(text: str) -> tuple[CoverPage, tuple[Problem, ...]]:
    page, problems = parse_cover(" ".join(text.splitlines()), "<cover>", 3)
    return page, tuple(problems)


READERS = pytest.mark.parametrize("read", [through_read, through_parser], ids=["read", "parse_cover"])


def dollars(amount: int) -> Target:
    return Target("minimum_dollars", Decimal(amount))


def only_problem(problems: tuple[Problem, ...], statement: str) -> Problem:
    assert len(problems) == 1, problems
    assert statement in problems[0].message
    return problems[0]


@READERS
def test_the_email_labelled_contact_address(read: Reader) -> None:
    page, problems = read(cover(options("1,000", "0", "0 0", "0 0"), fields=FIELDS.replace("Contact e-mail", "Contact Address")))
    assert (page.contact_phone, page.contact_email, problems) == ("212-555-0100", "ann@acme.test", ())


@READERS
@pytest.mark.parametrize("apostrophe", ["'", "\u2019", " "], ids=["straight", "typographic", "dropped"])
def test_apostrophes_in_the_target_labels(read: Reader, apostrophe: str) -> None:
    text = cover(
        options("150,000,000", *ZEROS[1:]),
        options("0", "10", "0 0", "0 0"),
        options("0", "0", "50,000,000 75,000,000", "0 0"),
        apostrophe=apostrophe,
    )
    page, problems = read(text)
    assert problems == ()
    assert page.targets == (
        ("segregation", dollars(150_000_000)),
        ("secured", Target("minimum_percent", Decimal(10))),
        ("swaps", Target("dollar_range", Decimal(50_000_000), Decimal(75_000_000))),
    )


@READERS
def test_option_letters_without_a_space_and_amounts_in_the_blanks(read: Reader) -> None:
    segregation = (
        "a.Minimum dollar amount: 12,000,000; or b.Minimum percentage of customer segregated funds required: 0% ; or "
        "c.Dollar amount range between: 0 and 0 ; or d.Percentage range of customer segregated funds required between: 0% and 0%."
    )
    swaps = (
        "a.Minimum dollar amount: 0; or b.Minimum percentage of customer segregated funds required:% ; or 0 "
        "c.Dollar amount range between:and ; or 0 0 d.Percentage range of customer segregated funds required between: 2.5% and 7.25%."
    )
    page, problems = read(cover(segregation, swaps=swaps))
    assert problems == ()
    assert page.targets == (("segregation", dollars(12_000_000)), ("swaps", Target("percent_range", Decimal("2.5"), Decimal("7.25"))))


@READERS
@pytest.mark.parametrize("garbled", ["12,000, ,000,000", "12,000 ,000,000", "12,00O,000", "012,000"])
def test_an_amount_mangled_by_extraction_is_a_problem_not_a_guess(read: Reader, garbled: str) -> None:
    page, problems = read(cover(options("0", "5", "0 0", "0 0"), options(garbled, *ZEROS[1:])))
    problem = only_problem(problems, "secured")
    assert problem.found.split()[0] in garbled
    assert page.targets == (("segregation", Target("minimum_percent", Decimal(5))),)  # the other classes still read


@READERS
def test_a_class_with_every_option_zero_has_no_target_and_no_problem(read: Reader) -> None:
    # This is how the form (and dailyseg's own text rendering) prints a class with no stated target.
    page, problems = read(cover(options(*ZEROS)))
    assert (page.targets, problems) == ((), ())


@READERS
def test_two_chosen_options_are_a_problem(read: Reader) -> None:
    page, problems = read(cover(options("1,000,000", "10", "0 0", "0 0")))
    problem = only_problem(problems, "segregation")
    assert "more than one option" in problem.message
    assert "1000000" in problem.found and "10" in problem.found
    assert page.targets == ()


@READERS
@pytest.mark.parametrize(
    "cells", [("0", "0", "5,000 0 7", "0 0"), ("0", "0", "0 0", "5"), ("0 3", "0", "0 0", "0 0"), ("(5,000)", "0", "0 0", "0 0")]
)
def test_an_option_with_the_wrong_amounts_is_a_problem(read: Reader, cells: tuple[str, str, str, str]) -> None:
    page, problems = read(cover(options(*cells)))
    only_problem(problems, "segregation")
    assert page.targets == ()


@READERS
def test_a_range_whose_high_bound_is_below_its_low_bound_is_a_problem(read: Reader) -> None:
    page, problems = read(cover(options("0", "0", "75,000,000 50,000,000", "0 0")))
    only_problem(problems, "segregation")
    assert page.targets == ()


@READERS
def test_reading_a_long_run_of_digit_groups_takes_linear_time(read: Reader) -> None:
    def seconds(size: int) -> float:
        text = cover(options("1," * (size // 2) + "1", *ZEROS[1:]))
        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            page, problems = read(text)
            best = min(best, time.perf_counter() - start)
        only_problem(problems, "segregation")
        assert page.targets == ()
        return best

    small, large = seconds(4_000), seconds(40_000)
    assert small < 1 and large < 1
    assert large < 30 * small + 0.05  # ten times the text: about ten times the time, far from a hundred


# -- generated targets, rendered as the form prints them and mangled as extraction does ----------------------

PERCENT = st.integers(0, 100_00).map(lambda n: Decimal(n).scaleb(-2))
DOLLARS = st.integers(0, 10**15 - 1).map(Decimal) | st.integers(0, 10**8).map(lambda n: Decimal(n).scaleb(-2))


@st.composite
def generated_targets(draw: st.DrawFn) -> Target:
    kind = draw(st.sampled_from(KINDS))
    values = PERCENT if "percent" in kind.id else DOLLARS
    kind_id: TargetKindId = kind.id  # type: ignore[assignment]
    if kind.bounds == 1:
        return Target(kind_id, draw(values.filter(bool)))
    low, high = sorted(draw(st.tuples(values, values.filter(bool))))
    return Target(kind_id, low, high)


@st.composite
def generated_covers(draw: st.DrawFn) -> CoverPage:
    chosen = draw(st.sets(st.sampled_from(list(LABELS))))
    return CoverPage(
        "Acme Futures LLC", "Ann Lee", "212-555-0100", "ann@acme.test", tuple((s, draw(generated_targets())) for s in LABELS if s in chosen)
    )


def mangle(text: str, data: st.DataObject) -> str:
    """Mangle the rendered cover page the way PDF extraction and other filers' forms do."""
    draw = data.draw
    apostrophe = draw(st.sampled_from(["'", "\u2019", " ", ""]))
    text = text.replace("FCM's", f"FCM{apostrophe}s")
    letters = draw(st.sets(st.sampled_from("abcd")))
    text = re.sub(r"\t([a-d])\. ", lambda m: f"\t{m.group(1)}." if m.group(1) in letters else m.group(0), text)
    if draw(st.booleans()):
        text = text.replace("Contact e-mail", "Contact Address")
    if draw(st.booleans()):
        text = text.replace("\n\t", " ")  # the options flattened onto their class's line, as in PDF text
    return text


@settings(max_examples=100, deadline=None)
@given(page=generated_covers(), data=st.data())
def test_generated_targets_read_back_through_mangled_labels(page: CoverPage, data: st.DataObject) -> None:
    filing = Filing.of(Header("INITIAL", date(2015, 9, 15), "Acme Futures LLC", "Daily Seg - FOCUS II"), {}, cover=page)
    rendered = renderer("text")([filing])
    assert isinstance(rendered, str)
    text = mangle(rendered, data)
    result = dailyseg.read(text, text=True)
    assert result.problems == ()
    assert result.filing.cover == page


def test_targets_are_kept_in_the_cover_pages_order() -> None:
    """The defect: a filing read back from the store (JSON with sorted keys) had its targets in another order and
    was not equal to the filing ingested."""
    from dailyseg.filing import CoverPage, Target

    targets = (("segregation", Target("minimum_dollars", Decimal(1))), ("secured", Target("minimum_percent", Decimal(2))))
    assert CoverPage(targets=tuple(reversed(targets))) == CoverPage(targets=targets)
    assert CoverPage(targets=tuple(reversed(targets))).targets == targets
