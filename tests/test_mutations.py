"""Changing any one coded value of the sample makes exactly the formulas that use it fail, naming the code."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

import dailyseg
from dailyseg.catalogue import CATALOGUE
from dailyseg.filing import Filing
from tests.conftest import SAMPLE

CODES = [ref for ref in dailyseg.read(SAMPLE).filing.amounts if ref.isdigit()]


def test_every_coded_value_is_mutated() -> None:
    assert len(CODES) == 80


def mutated(filing: Filing, code: str) -> Filing:
    """The filing with one amount moved by a dollar in the direction its sign rule allows."""
    step = Decimal(-1) if CATALOGUE.row(code, filing.layout).sign == "nonpos" else Decimal(1)
    entries = tuple(replace(e, amount=e.amount + step) if e.ref == code else e for e in filing.entries)
    return replace(filing, entries=entries)


@pytest.mark.parametrize("code", CODES)
def test_one_dollar_breaks_exactly_the_formulas_that_use_the_code(sample_filing: Filing, code: str) -> None:
    filing = mutated(sample_filing, code)
    formulas = {f.target: f for f in CATALOGUE.formulas_for(filing.layout) if CATALOGUE.statement_of(f.target) in filing.statements}
    expected = {f.id for f in formulas.values() if code in f.refs}
    assert expected, f"every coded line of the sample is in some formula; {code} is in none"

    findings = dailyseg.validate(filing, ["formulas", "ties"])
    failing = set()
    for finding in findings:
        formula = formulas[finding.codes[0]]
        assert finding.message.startswith(f"{formula.id}:")
        assert code in finding.codes
        assert finding.rule == ("ties" if formula.severity == "warning" else "formulas")
        assert finding.difference is not None and abs(finding.difference) == 1
        failing.add(formula.id)
    assert failing == expected
    assert len(findings) == len(expected)
