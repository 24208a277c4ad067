"""Text extracted from a WinJammer PDF of the full layout: banner, cover page and pages flattened into long lines."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

import dailyseg
from dailyseg.filing import CoverPage, Filing, Target
from dailyseg.render import render_text
from tests.conftest import DATA

FIXTURE = DATA / "winjammer-pdf-text.txt"

# Every value of the fixture as printed (parentheses are negatives); the statements foot exactly.
PRINTED: dict[str, int] = {
    # secured
    "7305": 50_000_000,
    "7315": 812_345_678,
    "7317": 20_569_616,
    "7325": 50_275_146,
    "7335": 6_939_409,
    "7337": -6_984_471,
    "7345": 883_145_378,
    "7351": 1_250_000,
    "7352": -1_000_000,
    "7354": 250_000,
    "7355": 883_395_378,
    "7360": 883_395_378,
    "7500": 323_655_746,
    "7520": 10_000_000,
    "7530": 333_655_746,
    "7540": 0,
    "7560": 274_394_717,
    "7570": 274_394_717,
    "7580": 1_000_000,
    "7590": 0,
    "7600": -250_000,
    "7610": 0,
    "7615": 0,
    "7620": 750_000,
    "7640": 5_000_000,
    "7650": 2_000_000,
    "7660": -125_000,
    "7670": 0,
    "7675": 0,
    "7680": 6_875_000,
    "7700": 446_961_968,
    "7710": 20_569_616,
    "7720": 50_275_146,
    "7730": 6_939_409,
    "7735": -6_984_471,
    "7740": 517_761_668,
    "7760": 0,
    "7765": 0,
    "7770": 1_133_437_131,
    "7380": 250_041_753,
    "7780": 88_339_538,
    "7785": 161_702_215,
    # segregation
    "7010": 5_778_968_167,
    "7020": 1_330_141_481,
    "7030": -456_775_330,
    "7032": 1_044_184_015,
    "7033": -748_265_657,
    "7040": 6_948_252_676,
    "7045": 40_441_753,
    "7047": -34_848_789,
    "7050": 5_592_964,
    "7060": 6_953_845_640,
    "7070": 3_523_336_137,
    "7080": 0,
    "7090": 90_717_143,
    "7100": 182_260_849,
    "7110": 1_941_383_426,
    "7120": 1_236_215_698,
    "7130": 51_904_840,
    "7132": 1_044_184_015,
    "7133": -748_265_657,
    "7140": -96_406,
    "7150": 0,
    "7160": 3_208_640,
    "7170": 0,
    "7180": 7_324_848_685,
    "7190": 371_003_045,
    "7194": 150_000_000,
    "7198": 221_003_045,
    # swaps
    "8500": 835_787_997,
    "8510": 1_225_183_186,
    "8520": 1_298_396_033,
    "8530": 0,
    "8540": 0,
    "8550": 3_359_367_216,
    "8560": 25_498_911,
    "8570": -24_710_182,
    "8580": 788_729,
    "8590": 3_360_155_945,
    "8600": 225_582_898,
    "8610": 0,
    "8620": 75_926_701,
    "8630": 2_265_470_551,
    "8640": 0,
    "8650": 1_149_256_485,
    "8660": 45_292_807,
    "8670": 0,
    "8680": 0,
    "8690": 0,
    "8700": 0,
    "8710": 0,
    "8715.A": 100_000,
    "8715.B": 0,
    "8715.C": 250_000,
    "8715": 350_000,
    "8720": 3_761_879_442,
    "8730": 401_723_497,
    "8760": 50_000_000,
    "8770": 351_723_497,
}


@pytest.fixture(scope="module")
def filing() -> Filing:
    result = dailyseg.read(FIXTURE)
    assert result.problems == ()
    return result.filing


def test_pages_are_long_flattened_lines() -> None:
    text = FIXTURE.read_text("utf-8")
    assert text.startswith("W I N J A M M E R  F I L I N G  INITIAL")
    assert max(len(line) for line in text.splitlines()) > 1000
    assert "(6,984,471) [7735]" in text and "250,000 350,000 [8715]" in text


def test_every_value_as_printed(filing: Filing) -> None:
    assert dict(filing.amounts) == {code: Decimal(value) for code, value in PRINTED.items()}
    assert filing.layout == "full"
    assert filing.statements == ("secured", "segregation", "swaps")
    assert (filing[7047], filing[7050]) == (Decimal(-34_848_789), Decimal(5_592_964))
    assert [filing[key] for key in ("8715.A", "8715.B", "8715.C", "8715")] == [Decimal(100_000), 0, Decimal(250_000), Decimal(350_000)]


def test_header_from_the_banner_and_one_line(filing: Filing) -> None:
    header = filing.header
    assert (header.status, header.firm_name, header.form) == ("INITIAL", "Example Futures Clearing LLC", "Daily Seg - FOCUS II")
    assert (header.end_date, header.submit_date) == (date(2015, 9, 15), date(2015, 9, 16))


def test_cover_page_and_its_targets(filing: Filing) -> None:
    assert filing.cover == CoverPage(
        company="Example Futures Clearing LLC",
        contact_name="Jane Q. Roe",
        contact_phone="212-555-0142",
        contact_email="jroe@example-futures.com",
        targets=(
            ("segregation", Target("minimum_dollars", Decimal(150_000_000))),
            ("secured", Target("minimum_percent", Decimal(10))),
            ("swaps", Target("dollar_range", Decimal(50_000_000), Decimal(75_000_000))),
        ),
    )


def test_the_filing_passes_every_check(filing: Filing) -> None:
    assert dailyseg.validate(filing) == []


def test_rendering_the_full_layout_reads_back_equal(filing: Filing) -> None:
    assert dailyseg.read(render_text(filing), text=True).filings == (filing,)
