"""The standalone HTML page: looks like the form, shows negatives in parentheses, marks findings on their lines."""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal

import dailyseg
from dailyseg.catalogue import CATALOGUE
from dailyseg.filing import Filing
from dailyseg.render import render_html


def row_of(page: str, code: str) -> str:
    match = re.search(rf'<tr [^>]*id="line-{code}">.*?</tr>', page, re.DOTALL)
    assert match is not None, code
    return match.group(0)


def test_headings_codes_and_negatives(sample_filing: Filing) -> None:
    page = render_html(sample_filing)
    assert page.startswith("<!DOCTYPE html>")
    for statement in CATALOGUE.statements:
        assert f"<h3>{statement.heading}</h3>" in page
    for ref in sample_filing.amounts:
        if ref.isdigit():
            assert f"[{ref}]" in page, ref
    assert '<span class="amt neg">(6,984,471)</span>' in row_of(page, "7735")
    assert "(748,265,657)" in page and "-748,265,657" not in page
    assert 'class="finding' not in page


def test_a_finding_is_marked_on_its_line(sample_filing: Filing) -> None:
    entries = tuple(replace(e, amount=e.amount + 1) if e.ref == "7040" else e for e in sample_filing.entries)
    mutated = replace(sample_filing, entries=entries)
    page = render_html(mutated, [dailyseg.validate(mutated)])
    row = row_of(page, "7040")
    assert '<div class="finding error" role="note">' in row
    assert "S1: line 7040 should be" in row
    assert 'class="finding' not in row_of(page, "7190")


def test_markup_in_a_firm_name_is_escaped(sample_filing: Filing) -> None:
    hostile = replace(sample_filing, header=replace(sample_filing.header, firm_name="<script>alert(1)</script> Futures"))
    page = render_html(hostile)
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Futures" in page
    assert hostile[7190] == Decimal(371003045)
