"""The real filing in examples/ reads to exactly what it prints, passes every check and survives rendering."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import dailyseg
from dailyseg.filing import Filing
from dailyseg.render import render_text

# Every coded value of the sample, typed from the file as printed (statement order of the file).
PRINTED: dict[str, str] = {
    # Secured Amounts
    "7360": "928,007,886",
    "7370": "1,115,812,131",
    "7380": "187,804,245",
    "7500": "323,655,746",
    "7520": "0",
    "7530": "323,655,746",
    "7540": "0",
    "7560": "274,394,717",
    "7570": "274,394,717",
    "7580": "0",
    "7590": "0",
    "7600": "0",
    "7610": "0",
    "7615": "0",
    "7620": "0",
    "7640": "0",
    "7650": "0",
    "7660": "0",
    "7670": "0",
    "7675": "0",
    "7680": "0",
    "7700": "446,961,968",
    "7710": "20,569,616",
    "7720": "50,275,146",
    "7730": "6,939,409",
    "7735": "-6,984,471",
    "7740": "517,761,668",
    "7760": "0",
    "7765": "0",
    "7770": "1,115,812,131",
    # Segregation Statement
    "7010": "5,778,968,167",
    "7020": "1,330,141,481",
    "7030": "-456,775,330",
    "7032": "1,044,184,015",
    "7033": "-748,265,657",
    "7040": "6,948,252,676",
    "7045": "40,441,753",
    "7047": "-34,848,789",
    "7050": "5,592,964",
    "7060": "6,953,845,640",
    "7070": "3,523,336,137",
    "7080": "0",
    "7090": "90,717,143",
    "7100": "182,260,849",
    "7110": "1,941,383,426",
    "7120": "1,236,215,698",
    "7130": "51,904,840",
    "7132": "1,044,184,015",
    "7133": "-748,265,657",
    "7140": "-96,406",
    "7150": "0",
    "7160": "3,208,640",
    "7170": "0",
    "7180": "7,324,848,685",
    "7190": "371,003,045",
    # Swaps Statement
    "8500": "835,787,997",
    "8510": "1,225,183,186",
    "8520": "1,298,396,033",
    "8530": "0",
    "8540": "0",
    "8550": "3,359,367,216",
    "8560": "25,498,911",
    "8570": "-24,710,182",
    "8580": "788,729",
    "8590": "3,360,155,945",
    "8600": "225,582,898",
    "8610": "0",
    "8620": "75,926,701",
    "8630": "2,265,470,551",
    "8640": "0",
    "8650": "1,149,256,485",
    "8660": "45,292,807",
    "8670": "0",
    "8680": "0",
    "8690": "0",
    "8700": "0",
    "8710": "0",
    "8715": "0",
    "8720": "3,761,529,442",
    "8730": "401,373,497",
}

# The swaps line 12 sub-lines A, B and C are printed without codes; the reader keeps them as components.
COMPONENTS = {"8715.A": Decimal(0), "8715.B": Decimal(0), "8715.C": Decimal(0)}

# A `value [code]` pair as printed: the last amount before the code, markup around it ignored.
PAIR = re.compile(r"(-?\(?[\d,]+\)?)(?:</u>|</b>|\s)*\[(\d{4})\]")


def printed(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))


def pairs(text: str) -> set[tuple[str, Decimal]]:
    return {(code, printed(value.replace("(", "-").replace(")", ""))) for value, code in PAIR.findall(text)}


def test_the_table_has_eighty_coded_values() -> None:
    assert len(PRINTED) == 80


def test_reads_exactly_the_printed_values(sample_filing: Filing) -> None:
    expected = {code: printed(value) for code, value in PRINTED.items()} | COMPONENTS
    assert dict(sample_filing.amounts) == expected
    assert sample_filing[7190] == Decimal("371003045")
    assert sample_filing.line("segregation", "14") == Decimal("371003045")
    assert sample_filing.unknown == ()


def test_header_and_layout(sample_filing: Filing) -> None:
    header = sample_filing.header
    assert header.status == "INITIAL"
    assert header.end_date == date(2013, 7, 25)
    assert header.firm_name == "Citigroup Global Markets Inc."
    assert header.form == "Daily Seg - FOCUS II"
    assert header.submit_date == date(2013, 7, 26)
    assert sample_filing.layout == "2013"
    assert sample_filing.statements == ("secured", "segregation", "swaps")
    assert sample_filing.cover is None


def test_no_read_problem_and_no_finding(sample_path: Path, sample_filing: Filing) -> None:
    assert dailyseg.read(sample_path).problems == ()
    assert dailyseg.validate(sample_filing) == []


def test_rendered_text_reads_back_equal(sample_filing: Filing) -> None:
    again = dailyseg.read(render_text(sample_filing), text=True)
    assert again.problems == ()
    assert again.filing == sample_filing


def test_rendered_text_has_every_printed_pair(sample_text: str, sample_filing: Filing) -> None:
    original = pairs(sample_text)
    assert len(original) == 80
    assert original == {(code, printed(value)) for code, value in PRINTED.items()}
    assert pairs(render_text(sample_filing)) == original
