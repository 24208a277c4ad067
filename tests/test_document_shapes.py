"""Documents in the shapes real filings take (tests/data/shapes), each read to exactly what it must give.

The shapes are those seen in text extracted from posted WinJammer PDFs and in web mirrors of them; the
content is invented. `expected.toml` says, per document, the header, the cover targets, which values are
absent and every problem, with the line and code it names.
"""

from __future__ import annotations

import tomllib
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

import dailyseg
from dailyseg.filing import Target
from tests.conftest import DATA
from tests.test_pdf_text import PRINTED

SHAPES = DATA / "shapes"
EXPECTED: dict[str, dict[str, Any]] = tomllib.loads((SHAPES / "expected.toml").read_text("utf-8"))
TARGETS = {
    "segregation": Target("minimum_dollars", Decimal(150_000_000)),
    "secured": Target("minimum_percent", Decimal(10)),
    "swaps": Target("dollar_range", Decimal(50_000_000), Decimal(75_000_000)),
}


def _values(expected: dict[str, Any]) -> dict[str, Decimal]:
    codes = list(PRINTED)
    cut = codes.index(expected["absent_from"]) if "absent_from" in expected else len(codes)
    absent = set(expected.get("absent", ()))
    return {code: Decimal(PRINTED[code]) for code in codes[:cut] if code not in absent}


def test_every_document_has_its_expectation() -> None:
    assert sorted(p.stem for p in SHAPES.glob("*.txt")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_document_reads_to_what_it_must_give(name: str) -> None:
    expected = EXPECTED[name]
    result = dailyseg.read(SHAPES / f"{name}.txt")
    problems = [(p.line, p.code, p.message) for p in result.problems]
    wanted = [(p["line"], p.get("code"), p["message"]) for p in expected.get("problems", ())]
    assert problems == wanted
    for problem, want in zip(result.problems, expected.get("problems", ()), strict=True):
        assert want["found"] in problem.found
        assert problem.source.endswith(f"{name}.txt")
    assert [(f.header.status, f.header.submit_date) for f in result.filings] == [
        (f["status"], date.fromisoformat(f["submit_date"])) for f in expected["filings"]
    ]
    for filing in result.filings:
        header = filing.header
        assert (header.end_date, header.firm_name, header.form) == (
            date(2015, 9, 15),
            "Example Futures Clearing LLC",
            "Daily Seg - FOCUS II",
        )
        assert dict(filing.amounts) == _values(expected)
        assert filing.cover is not None
        assert filing.cover.targets == tuple((c, TARGETS[c]) for c in expected.get("targets", TARGETS))
        assert (filing.cover.contact_name, filing.cover.contact_email) == ("Jane Q. Roe", "jroe@example-futures.com")
