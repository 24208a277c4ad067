"""A filing with a cover page, perturbed the ways real documents are, reads back whole.

The perturbations are those of text extracted from posted PDFs and of web mirrors: spaced-out banners, doubled
spaces, apostrophes typographic or dropped, other cover labels, page breaks at any line with the page number
(alone, as "Page k of n" or glued to the last word) and the banner, header and running statement heading
repeated at the top of the next page, the header block also at the foot of every page (a PDF's running header
lands there in its text, the last page's included), and table cells each on a line of their own. Every value,
the header and the targets must come back, with no problem.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dailyseg
from dailyseg.filing import Filing
from dailyseg.render import render_text
from tests.conftest import DATA

_FLATTENED = (DATA / "winjammer-pdf-text.txt").read_text("utf-8")
_FILING: Filing = dailyseg.read(_FLATTENED, text=True).filing
_RENDERED = render_text(_FILING)
_BANNERS = ("W I N J A M M E R  F I L I N G  INITIAL", "W  I  N  J  A  M  M  E  R    F  I  L  I  N  G. INITIAL")
_APOSTROPHES = ("FCM's", "FCM\u2019s", "FCM s")


def _is_heading(line: str) -> bool:
    return "Daily Segregation - " in line and len(line) < 60


def _is_header(line: str) -> bool:
    return "INITIAL" in line or (":" in line and any(f in line for f in ("End Date", "Firm Name", "Form:", "Submit Date")))


def _page_top(lines: list[str], at: int, number: int, banner: str) -> list[str]:
    """The banner and header the document shows, and the heading of the statement whose text runs on."""
    header = [line for line in lines[: next(i for i, line in enumerate(lines) if _is_heading(line))] if line.strip()]
    top = [banner.replace("INITIAL", f"INITIAL {number}"), *header[1:]]
    heading = next((i for i in range(at - 1, -1, -1) if _is_heading(lines[i])), None)
    if heading is not None and not any(_is_header(line) for line in lines[heading:at]):
        top.append(lines[heading])
    return top


@st.composite
def perturbed(draw: st.DrawFn) -> str:
    lines = draw(st.sampled_from([_RENDERED, _FLATTENED])).splitlines()
    apostrophe = draw(st.sampled_from(_APOSTROPHES))
    doubled = draw(st.booleans())
    lines = [line.replace("FCM's", apostrophe) for line in lines]
    if draw(st.booleans()):
        lines = [line.replace("Contact e-mail", "Contact Address") for line in lines]
    if draw(st.booleans()):
        lines = [line.replace("a. Minimum", "a.Minimum") for line in lines]
    if doubled:
        lines = [line.replace(" ", "  ") if "[" in line else line for line in lines]
    if draw(st.booleans()):  # a cell per line, as pages with one table cell per source line give
        lines = "\n".join(lines).replace("\t", "\n").splitlines()
    first_heading = next(i for i, line in enumerate(lines) if _is_heading(line))
    header = [line for line in lines[:first_heading] if line.strip()][1:]
    foot = header if draw(st.booleans()) else []  # the header block at the foot of each page too
    breaks = draw(st.lists(st.integers(first_heading + 1, len(lines)), max_size=5, unique=True))
    if foot:
        lines += [*foot, f"Page {len(breaks) + 1} of 9"]
    for number, at in enumerate(sorted(breaks, reverse=True), start=2):
        numbering = draw(st.sampled_from(["alone", "page of", "glued"]))
        top = _page_top(lines, at, number, draw(st.sampled_from(_BANNERS)))
        if numbering == "glued" and lines[at - 1][-1:].isalpha() and not foot:
            lines[at - 1] += str(number - 1)
        else:
            top.insert(0, str(number - 1) if numbering == "alone" else f"Page {number - 1} of 9")
        lines[at:at] = [*foot, *top]
    return "\n".join(lines) + "\n"


@pytest.mark.slow  # seconds of work: runs in the full suite, not in the fast tier
@settings(max_examples=150, deadline=None)
@given(document=perturbed())
def test_a_perturbed_document_reads_back_whole(document: str) -> None:
    result = dailyseg.read(document, text=True)
    assert result.problems == ()
    assert result.filings == (_FILING,)
