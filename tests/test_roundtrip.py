"""For generated filings, reading what was rendered as text, JSON or CSV gives back the same filings."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import pytest
from hypothesis import given, settings

import dailyseg
from dailyseg.filing import Filing
from dailyseg.render import render_csv, render_json, render_text
from tests.strategies import documents, filings

Renderer = Callable[[Iterable[Filing]], str]


RENDERERS: dict[str, Renderer] = {"text": render_text, "json": render_json, "csv": render_csv}


@pytest.mark.slow  # seconds of work: runs in the full suite, not in the fast tier
@settings(max_examples=120, deadline=None)
@given(items=documents())
def test_read_inverts_render(items: list[Filing]) -> None:
    # One generated document serves all three formats: generation costs more than reading.
    for name, render in RENDERERS.items():
        result = dailyseg.read(render(items), text=True)
        assert result.problems == (), name
        assert list(result.filings) == items, name


@pytest.mark.slow  # seconds of work: runs in the full suite, not in the fast tier
@settings(max_examples=100, deadline=None)
@given(filing=filings(foot=True))
def test_filings_built_to_foot_pass_every_formula(filing: Filing) -> None:
    assert dailyseg.validate(filing, ["formulas"]) == []
