"""Shapes of real published documents (banners, page furniture, damage, foreign digits, long lines) read right."""

from __future__ import annotations

import time
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dailyseg
from dailyseg.filing import Filing
from dailyseg.parse.text import clean_lines, read_text
from dailyseg.render import render_text
from dailyseg.store.synthetic import daily_filing
from tests.conftest import DATA


@pytest.fixture(scope="module")
def filing() -> Filing:
    return daily_filing(
        "Shape Futures LLC", date(2024, 3, 5), requirement=Decimal(1_000_000), funds=Decimal(1_500_000), target=Decimal(100_000)
    )


@pytest.fixture(scope="module")
def text(filing: Filing) -> str:
    return render_text(filing)


@pytest.mark.parametrize(
    "banner",
    ["W I N J A M M E R F I L I N G", "W  I  N  J  A  M  M  E  R    F  I  L  I  N  G", "1 W I N J A M M E R F I L I N G"],
)
def test_a_spaced_banner_gives_the_status(text: str, filing: Filing, banner: str) -> None:
    amended = text.replace("**INITIAL**", f"{banner} AMENDED 1" if banner[0] == "1" else f"{banner}. AMENDED")
    result = dailyseg.read(amended, text=True)
    assert result.problems == ()
    assert result.filing.header.status == "AMENDED"
    assert result.filing.amounts == filing.amounts


def test_page_furniture_is_not_a_new_filing(text: str, filing: Filing) -> None:
    lines = text.splitlines()
    at = next(i for i, line in enumerate(lines) if "[7100]" in line)
    lines[at:at] = ["2", "W I N J A M M E R  F I L I N G  INITIAL", "**Daily Segregation - Segregation Statement**"]
    lines.insert(0, 'Download "End Date:3/5/2024"')
    result = dailyseg.read("\n".join(lines), text=True)
    assert result.problems == ()
    assert result.filings == (filing,)


def test_furniture_contradicting_the_header_is_a_problem(text: str) -> None:
    result = dailyseg.read('Download "Firm Name:Other LLC"\n' + text, text=True)
    (problem,) = result.problems
    assert problem.message == "page furniture contradicts the header: firm name"
    assert (problem.expected, problem.found) == ("Shape Futures LLC", "Other LLC")
    assert len(result.filings) == 1


@pytest.mark.parametrize(
    "damaged",
    ["323,65x,746", "abc", "", "1e9", "323,655,746-", "32 3,655,746", "(323,655,746"],
)
def test_a_damaged_amount_is_reported_and_not_stored(text: str, damaged: str) -> None:
    bad = text.replace("<b><u>600,000</u></b> [7500]", f"{damaged} [7500]")
    result = dailyseg.read(bad, text=True)
    (problem,) = result.problems
    assert problem.code == "7500"
    assert damaged in problem.found
    assert problem.line == next(n for n, line in enumerate(bad.splitlines(), start=1) if "[7500]" in line)
    assert "7500" not in result.filing


@pytest.mark.parametrize("code", ["[٧٠١٠]", "[𝟳𝟬𝟭𝟬]"])
def test_codes_in_other_digits_are_not_read(text: str, code: str) -> None:
    result = dailyseg.read(text.replace("[7010]", code), text=True)
    assert "7010" not in result.filing
    assert [p.message for p in result.problems] == ["cannot read the code: not ASCII digits"]


def _timed(document: str) -> float:
    started = time.perf_counter()
    read_text(document, "t")
    clean_lines(document)
    return time.perf_counter() - started


@pytest.mark.parametrize(
    "unit",
    ["1 ", "<script ", "<br ", "<html><br "],
    ids=["pair-before-heading", "script", "br", "br-in-html"],
)
def test_worst_cases_take_linear_time(unit: str) -> None:
    # The best of a few runs: one run's time is mostly what else the machine was doing then.
    small, large = (min(_timed("<p>" + unit * (size // len(unit))) for _ in range(5)) for size in (8_000, 80_000))
    assert large < 1.0
    assert large < 30 * max(small, 1e-3)


@pytest.mark.parametrize("fragment", ["\t<u>525,000</u> [7", "\t<u>525,000</u> [71"])
def test_a_document_cut_mid_statement_says_where_it_stops(text: str, fragment: str) -> None:
    cut = text[: text.index(fragment) + len(fragment)]
    result = dailyseg.read(cut, text=True)
    ends = [p for p in result.problems if p.message.startswith("the document ends early, in Daily Segregation - Segregation Statement")]
    assert len(ends) == 1
    assert "[7100]" in ends[0].expected and "Swaps Statement" in ends[0].expected
    assert ends[0].line == len(cut.splitlines())


_FILING = daily_filing(
    "Shape Futures LLC", date(2024, 3, 5), requirement=Decimal(1_000_000), funds=Decimal(1_500_000), target=Decimal(100_000)
)
_LINES = render_text(_FILING).splitlines()


_HEADER = [line for line in _LINES[: _LINES.index("**Daily Segregation - Secured Amounts**")] if line]


def _page_top(lines: list[str], at: int, number: int, banner: str) -> list[str]:
    """What a PDF page repeats at its top: its number, the banner, the header, and the heading of the statement
    whose text runs on (also when the page break falls just after that statement's last line)."""
    top = [str(number), *([banner] if banner else []), *_HEADER]
    before = lines[:at]
    heading = next((i for i in range(len(before) - 1, -1, -1) if before[i].startswith("**Daily Segregation - ")), None)
    if heading is not None and "**INITIAL**" not in before[heading:]:
        top.append(before[heading])
    return top


@settings(max_examples=60, deadline=None)
@given(
    doubled=st.booleans(),
    pages=st.lists(st.integers(0, len(_LINES)), max_size=4, unique=True),
    banner=st.sampled_from(["", "W I N J A M M E R  F I L I N G  INITIAL", "1 W  I  N  J  A  M  M  E  R  F  I  L  I  N  G  INITIAL 1"]),
)
def test_perturbed_documents_read_back_as_one_filing(doubled: bool, pages: list[int], banner: str) -> None:
    """Page breaks anywhere, each repeating the page number, banner, header and the running statement's heading."""
    lines = [line.replace(" ", "  ") if doubled and "[" in line else line for line in _LINES]
    for number, at in enumerate(sorted(pages, reverse=True), start=2):
        lines[at:at] = _page_top(lines, at, number, banner)
    result = dailyseg.read("\n".join(lines), text=True)
    assert result.problems == ()
    assert result.filings == (_FILING,)


@pytest.mark.parametrize("statement", ["Secured Amounts", "Segregation Statement", "Swaps Statement"])
def test_a_page_break_after_a_statements_last_line_is_not_a_new_filing(statement: str) -> None:
    """The defect: the header and heading a page repeats after a statement's last line opened a second filing."""
    lines = list(_LINES)
    heading = lines.index(f"**Daily Segregation - {statement}**")
    after = next((i for i in range(heading, len(lines)) if lines[i] == "**INITIAL**"), len(lines))
    lines[after:after] = _page_top(lines, after, 2, "W I N J A M M E R  F I L I N G  INITIAL")
    result = dailyseg.read("\n".join(lines), text=True)
    assert result.problems == ()
    assert result.filings == (_FILING,)


@pytest.mark.parametrize("separator", ["", "\f2\n", "\nW I N J A M M E R  F I L I N G\n"])
def test_the_same_filing_twice_is_two_filings(separator: str) -> None:
    """A second copy under the same header is told from a page of the first by its first amount."""
    text = render_text(_FILING)
    result = dailyseg.read(text + separator + text, text=True)
    assert result.problems == ()
    assert result.filings == (_FILING, _FILING)


def test_a_copy_without_its_header_is_a_second_filing() -> None:
    body = "\n".join(_LINES[_LINES.index("**Daily Segregation - Secured Amounts**") :])
    result = dailyseg.read(render_text(_FILING) + "\n" + body, text=True)
    assert result.problems == ()
    assert result.filings == (_FILING, _FILING)


@pytest.mark.parametrize("cut", ["after a line", "inside a label", "after a line marker"])
def test_a_document_cut_at_a_line_break_says_where_it_stops(text: str, cut: str) -> None:
    """The defect: cut at a line break, a document read with no problem and a formula said the line was "filed 0"."""
    lines = text.splitlines()
    at = next(i for i, line in enumerate(lines) if "[7180]" in line) + 1
    tail = {"after a line": [], "inside a label": ["14.\tExcess (defic"], "after a line marker": ["14."]}[cut]
    result = dailyseg.read("\n".join(lines[:at] + tail) + "\n", text=True)
    (end,) = result.problems
    assert end.message == "the document ends early, in Daily Segregation - Segregation Statement after [7180]"
    assert end.expected == "absent: [7190], [7194], [7198]; statements Daily Segregation - Swaps Statement"
    assert end.line == at + len(tail)
    findings = dailyseg.validate(result.filing)
    assert not any("filed 0" in f.message for f in findings)
    assert [f.codes for f in findings if f.rule == "complete"] == [("7190",)]  # the target lines are optional


def test_a_whole_last_label_without_its_amount_is_not_a_cut(text: str) -> None:
    """A rendered filing prints the labels of lines it has no value for: the `complete` rule reports them."""
    lines = text.splitlines()
    last = next(i for i, line in enumerate(lines) if "[7198]" in line)
    label = lines[last].split("\t<b>")[0]
    result = dailyseg.read("\n".join([*lines[:last], label]) + "\n", text=True)
    assert result.problems == ()


def test_problems_of_one_kind_are_capped_and_the_rest_counted() -> None:
    """The defect: a 2 MB damaged input gave a million problems (887 MB in process, 248 MB printed)."""
    from dailyseg.problems import PROBLEMS_PER_KIND

    filing = daily_filing("Capped Co", date(2024, 3, 4), requirement=Decimal(100), funds=Decimal(150))
    damaged = render_text([filing]) + "\n".join("12,3x4 [7010]" for _ in range(5000)) + "\n"
    result = dailyseg.read(damaged.encode())
    damaged_amounts = [p for p in result.problems if "more problems like this" not in p.message and p.code == "7010"]
    summary = [p for p in result.problems if "more problems like this" in p.message]
    assert len(damaged_amounts) <= PROBLEMS_PER_KIND and len(summary) >= 1
    assert [p.found.split(",")[0] for p in summary] == ["5000 in all"] and summary[0].message.startswith("4980 more problems")
    assert len(result.problems) < 5 * PROBLEMS_PER_KIND


def test_cells_on_lines_of_their_own_read_back() -> None:
    """The defects: "12." alone on its line was no line marker, so 12.A/B/C were amounts without a code; and an
    option's amount alone on its line was taken for a page number, so the class silently had no target."""
    filing = dailyseg.read(DATA / "winjammer-pdf-text.txt").filing
    result = dailyseg.read(render_text(filing).replace("\t", "\n"), text=True)
    assert result.problems == ()
    assert result.filings == (filing,)


def test_a_page_number_at_the_foot_of_the_cover_page_is_furniture() -> None:
    filing = dailyseg.read(DATA / "winjammer-pdf-text.txt").filing
    text = render_text(filing)
    cover_ends = text.index("\n\n**INITIAL**", text.index("Cover Page"))
    text = text[:cover_ends] + "\n3" + text[cover_ends:]
    result = dailyseg.read(text, text=True)
    assert result.problems == ()
    assert result.filings == (filing,)
