"""publish --format posting-set: the folder an FCM posts, its page linking to every day's filing and to each
version of an amended day, the day documents dailyseg's own renderings of the filings."""

from __future__ import annotations

import io
import time
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

import dailyseg
from dailyseg.calendar import business_days
from dailyseg.cli import main
from dailyseg.render.html import render_html
from dailyseg.store import Store
from dailyseg.store.synthetic import Faults, series
from tests.watch.conftest import AMENDED, FIRM


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.hrefs.append(href)


def links(page: str) -> list[str]:
    parser = _Links()
    parser.feed(page)
    return parser.hrefs


def _publish(url: str, folder: Path, *extra: str) -> None:
    result = CliRunner().invoke(main, ["publish", FIRM, "--db", url, "--format", "posting-set", "-o", str(folder), *extra])
    assert result.exit_code == 0, result.output


@pytest.mark.slow  # a year of HTML days and the page's PDF: seconds
def test_a_year_posting_set_links_every_day_and_every_version(year_url: str, tmp_path: Path) -> None:
    folder = tmp_path / "posted"
    started = time.perf_counter()
    _publish(year_url, folder)
    took = time.perf_counter() - started
    days = [d.isoformat() for d in business_days(date(2023, 3, 10), date(2024, 3, 8))]
    written = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
    assert written == sorted(["index.html", "index.pdf", *(f"days/{d}.html" for d in days), f"days/{AMENDED}-v1.html"])
    page = (folder / "index.html").read_text("utf-8")
    hrefs = links(page)
    assert set(hrefs) == {f"days/{d}.html" for d in days} | {f"days/{AMENDED}-v1.html"}  # each exists: see `written`
    assert hrefs.count(f"days/{AMENDED}-v1.html") == 3  # from each statement's table
    with Store.open(year_url) as store:
        (initial, first), (amended, record) = [(v, store.get(v.id)[1]) for v in store.versions(FIRM, AMENDED)]
    assert (initial.status, amended.status) == ("INITIAL", "AMENDED")
    assert (folder / "days" / f"{AMENDED}-v1.html").read_text("utf-8") == render_html(first)
    assert (folder / "days" / f"{AMENDED}.html").read_text("utf-8") == render_html(record)
    assert dailyseg.read(folder / "days" / f"{AMENDED}.html").filing.amounts == record.amounts
    index_pdf = PdfReader(io.BytesIO((folder / "index.pdf").read_bytes()))
    assert "Amended: version 1 (INITIAL" in "\n".join(p.extract_text() for p in index_pdf.pages)
    assert took < 120, f"a year's posting set without day PDFs took {took:.1f} s"


@pytest.mark.slow  # renders a PDF per day: about two seconds each
def test_day_pdfs_are_the_filings_and_read_back(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    day = date(2024, 3, 6)
    with Store.open(url) as store:
        store.ingest_filings(list(series(FIRM, date(2024, 3, 5), date(2024, 3, 7), faults=Faults(amended=(day,)))), source="history")
        record = store.get(store.versions(FIRM, day)[-1].id)[1]
    folder = tmp_path / "posted"
    _publish(url, folder, "--day-pdfs")
    names = sorted(p.name for p in (folder / "days").iterdir())
    stems = ["2024-03-05", "2024-03-06", "2024-03-06-v1", "2024-03-07"]
    assert names == sorted(f"{stem}.{ext}" for stem in stems for ext in ("html", "pdf"))
    read = dailyseg.read(folder / "days" / "2024-03-06.pdf")
    assert read.filing.amounts == record.amounts and read.filing.header.status == "AMENDED"
    hrefs = links((folder / "index.html").read_text("utf-8"))
    assert {"days/2024-03-06.pdf", "days/2024-03-06-v1.pdf", "days/2024-03-05.pdf"} <= set(hrefs)
