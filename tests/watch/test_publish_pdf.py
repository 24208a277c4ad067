"""publish's PDF on Letter landscape: every column of the daily tables on every page, their headings repeated
on each page, "Page N of M" on each, no store id, and the page's font embedded."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path
from typing import cast

import pytest
from click.testing import CliRunner
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, PdfObject

from dailyseg.catalogue import CATALOGUE
from dailyseg.cli import main
from dailyseg.store import Store
from tests.watch.conftest import DEFICIENT, FIRM

HEADERS = ["End Date", "Amount required", "Total funds", "Excess (deficiency)", "Target residual interest", "Notes"]
NAMES = {"secured": "Secured Amounts", "segregation": "Segregation Statement", "swaps": "Swaps Statement"}
LETTER_LANDSCAPE = (792, 612)  # points


@pytest.fixture(scope="module")
def pdf(year_url: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("pdf") / "acme.pdf"
    result = CliRunner().invoke(main, ["publish", FIRM, "--format", "pdf", "-o", str(out), "--db", year_url])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def pages(pdf: Path) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf.read_bytes())).pages]


@pytest.mark.slow  # lays out 25 pages: seconds
def test_every_page_of_the_daily_tables_shows_every_column(pdf: Path, pages: list[str]) -> None:
    reader = PdfReader(io.BytesIO(pdf.read_bytes()))
    assert {(round(p.mediabox.width), round(p.mediabox.height)) for p in reader.pages} == {LETTER_LANDSCAPE}
    daily = pages[1:]
    assert len(daily) >= 3 * 7  # a year of each statement takes pages: the headings must repeat on them
    statements = []
    for number, text in enumerate(daily, start=2):
        lines = text.splitlines()
        heading = next(i for i, line in enumerate(lines) if line.startswith("End Date"))
        assert lines[heading] == " ".join(HEADERS), (number, lines[heading])
        named = re.fullmatch(rf"{FIRM}: (.+)", lines[heading - 1])
        assert named is not None, (number, lines[: heading + 1])
        statements.append(named.group(1))
        # Every row carries its four amounts: nothing cut at the right edge.
        rows = [line for line in lines if re.match(r"\d{4}-\d{2}-\d{2} ", line)]
        assert rows and all(len(re.findall(r"\(?[\d,]+\)?", row.split(" ", 1)[1])) >= 4 for row in rows), number
    assert sorted(set(statements), key=statements.index) == [NAMES[s.id] for s in CATALOGUE.statements]


@pytest.mark.slow
def test_each_page_is_numbered_and_the_deficiency_is_marked(pages: list[str], year_url: str) -> None:
    total = len(pages)
    for number, text in enumerate(pages, start=1):
        assert text.rstrip().endswith(f"Page {number} of {total}"), text[-80:]
        assert f"{FIRM} - customer funds, 17 CFR 1.55(o)" in text
    whole = "\n".join(pages)
    deficient = [line for line in whole.splitlines() if line.startswith(DEFICIENT.isoformat()) and "Deficiency" in line]
    assert len(deficient) == 1 and re.search(r" \([\d,]+\) [\d,]+ Deficiency$", deficient[0]), deficient
    assert not re.search(r"(?<![\d,])-\d", whole.replace(" - customer funds", ""))  # no minus-sign amounts
    with Store.open(year_url) as store:
        latest = store.filings(FIRM, record_only=True)[-1]
    # The summary named the filing of record by its store id ("filing of record 259"): now by its version.
    first = pages[0]
    assert "filing of record: version 1 (INITIAL, submitted" in first and latest.id > 100
    assert str(latest.id) not in re.findall(r"(?<![\d,.\-$])\d+(?![\d,.%\-])", whole)


def _dictionary(value: PdfObject) -> DictionaryObject:
    found = value.get_object()
    assert isinstance(found, DictionaryObject), found
    return found


@pytest.mark.slow
def test_the_font_of_the_page_is_embedded(pdf: Path) -> None:
    reader = PdfReader(io.BytesIO(pdf.read_bytes()))
    fonts: dict[str, bool] = {}
    for page in reader.pages:
        for reference in _dictionary(_dictionary(page["/Resources"])["/Font"]).values():
            font = _dictionary(reference)
            descendants = font.get("/DescendantFonts")
            descendant = _dictionary(cast(ArrayObject, descendants.get_object())[0]) if descendants is not None else font
            descriptor = _dictionary(descendant["/FontDescriptor"])
            fonts[str(font["/BaseFont"]).split("+", 1)[-1]] = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
    assert fonts and all(fonts.values()) and {name.replace("-", "") for name in fonts} <= {"DejaVuSans", "DejaVuSansBold"}, fonts


@pytest.mark.slow
def test_pdffonts_lists_the_font_embedded(pdf: Path) -> None:
    if shutil.which("pdffonts") is None:
        pytest.skip("pdffonts (Debian's poppler-utils) is not installed; test_the_font_of_the_page_is_embedded checks the same with pypdf")
    listed = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    rows = [line.split() for line in listed]
    assert rows and all(row[0].split("+", 1)[-1].startswith("DejaVu-Sans") for row in rows), listed
    assert all(row[-5] == "yes" for row in rows), listed  # the "emb" column
