"""For generated filings, reading what was rendered as text, JSON, CSV, HTML or PDF gives back the same filings.

Covers included: the cover page carries the residual interest targets that the target checks use, so a
format that dropped it would store a filing of record without them, and `diff` would see no difference.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dailyseg
from dailyseg.filing import Filing
from dailyseg.render import render_csv, render_html, render_json, render_pdf, render_text
from tests.strategies import covers, documents, filings

Renderer = Callable[[list[Filing]], str]


RENDERERS: dict[str, Renderer] = {"text": render_text, "json": render_json, "csv": render_csv, "html": render_html}


@st.composite
def documents_with_covers(draw: st.DrawFn, max_size: int = 3) -> list[Filing]:
    """Documents whose every filing has a cover page (some with no target, some with one of each class)."""
    return [replace(filing, cover=draw(covers())) for filing in draw(documents(max_size=max_size))]


def assert_reads_back(name: str, document: str | bytes, items: list[Filing]) -> None:
    result = dailyseg.read(document, text=True) if isinstance(document, str) else dailyseg.read(document)
    assert result.problems == (), name
    assert list(result.filings) == items, name


@pytest.mark.slow  # seconds of work: runs in the full suite, not in the fast tier
@settings(max_examples=120, deadline=None)
@given(items=documents())
def test_read_inverts_render(items: list[Filing]) -> None:
    # One generated document serves every format: generation costs more than reading.
    for name, render in RENDERERS.items():
        assert_reads_back(name, render(items), items)


@pytest.mark.slow  # seconds of work: runs in the full suite, not in the fast tier
@settings(max_examples=120, deadline=None)
@given(items=documents_with_covers())
def test_read_inverts_render_with_cover_pages(items: list[Filing]) -> None:
    for name, render in RENDERERS.items():
        assert_reads_back(name, render(items), items)


@pytest.mark.slow  # WeasyPrint takes about a second a document
@settings(max_examples=8, deadline=None)
@given(items=documents_with_covers(max_size=2))
def test_read_inverts_render_pdf(items: list[Filing]) -> None:
    assert_reads_back("pdf", render_pdf(items), items)


@pytest.mark.slow  # seconds of work: runs in the full suite, not in the fast tier
@settings(max_examples=100, deadline=None)
@given(filing=filings(foot=True))
def test_filings_built_to_foot_pass_every_formula(filing: Filing) -> None:
    assert dailyseg.validate(filing, ["formulas"]) == []
