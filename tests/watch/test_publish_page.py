"""publish's page as users read it: a table per statement named as the catalogue names it, deficiencies
said in words with negatives in parentheses, no store ids, a chart whose titles and legend stay clear of
the panels and whose dates are days; and the files it writes get the usual mode."""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from dailyseg.calendar import business_days
from dailyseg.catalogue import CATALOGUE
from dailyseg.cli import main
from dailyseg.store import Store
from dailyseg.store.synthetic import daily_filing, series
from dailyseg.watch import publish
from dailyseg.watch.nfa import read_text
from dailyseg.watch.nfa_html import html_text
from tests.watch.conftest import AMENDED, DEFICIENT, FIRM

D = Decimal
NAMES = {"secured": "Secured Amounts", "segregation": "Segregation Statement", "swaps": "Swaps Statement"}
HEADERS = ["End Date", "Amount required", "Total funds", "Excess (deficiency)", "Target residual interest", "Notes"]


class _Tables(HTMLParser):
    """The daily tables of a page: for each, its heading cells and its rows as (row class, cell texts)."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[tuple[list[str], list[tuple[str, list[str]]]]] = []
        self._cell: list[str] | None = None
        self._row: list[str] = []
        self._row_class = ""
        self._in_head = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        given = dict(attrs)
        if tag == "table" and given.get("class") == "daily":
            self.tables.append(([], []))
        elif self.tables and tag == "thead":
            self._in_head = True
        elif self.tables and tag == "tr":
            self._row, self._row_class = [], given.get("class") or ""
        elif self.tables and tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if not self.tables:
            return
        if tag in ("td", "th") and self._cell is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._in_head and self._row_class != "running":
            self.tables[-1][0].extend(self._row)
        elif tag == "tr" and not self._in_head:
            self.tables[-1][1].append((self._row_class, self._row))
        elif tag == "thead":
            self._in_head = False

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def daily_tables(page: str) -> list[tuple[list[str], list[tuple[str, list[str]]]]]:
    parser = _Tables()
    parser.feed(page)
    return parser.tables


@pytest.fixture(scope="module")
def html_page(year_url: str) -> str:
    result = CliRunner().invoke(main, ["publish", FIRM, "--db", year_url])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.slow  # a year in a store and its chart: seconds
def test_a_table_per_statement_named_by_the_catalogue(html_page: str) -> None:
    tables = daily_tables(html_page)
    assert [head for head, _ in tables] == [HEADERS] * 3
    for statement in CATALOGUE.statements:
        assert f'<h2 id="daily-{statement.id}">{NAMES[statement.id]}</h2>' in html_page
        assert f"{FIRM}: {NAMES[statement.id]}</th>" in html_page  # the heading a printed page repeats
    # No heading, cell or chart label is an id (the ids appear only inside attributes).
    assert not re.findall(r">\s*(secured|segregation|swaps|seg|requirement|funds|excess|target)\s*<", html_page)
    for _, rows in tables:
        assert [cells[0] for _, cells in rows] == [d.isoformat() for d in business_days(date(2023, 3, 10), date(2024, 3, 8))]


@pytest.mark.slow
def test_a_deficiency_is_said_in_words_and_negatives_in_parentheses(html_page: str, year_url: str) -> None:
    with Store.open(year_url) as store:
        figures = next(d for d in publish.publication(store, FIRM).days if d.end_date == DEFICIENT and d.statement == "segregation")
    excess = figures.values["excess"]
    assert excess is not None and excess < 0
    segregation = daily_tables(html_page)[[s.id for s in CATALOGUE.statements].index("segregation")][1]
    marked = [(kind, cells) for kind, cells in segregation if "Deficiency" in cells[-1]]
    assert marked == [
        (
            "deficiency",
            [DEFICIENT.isoformat(), *(f"{v:,}" if v >= 0 else f"({-v:,})" for v in figures.values.values() if v is not None), "Deficiency"],
        )
    ]
    assert f"({-excess:,})" in html_page and f"-{-excess:,}" not in html_page
    others = [cells for table in daily_tables(html_page) for _, cells in table[1] if cells[0] == DEFICIENT.isoformat()]
    assert sum("Deficiency" in cells[-1] for cells in others) == 1  # the other statements were not short


@pytest.mark.slow
def test_an_amended_day_names_its_versions_and_no_store_id_is_shown(html_page: str, year_url: str) -> None:
    with Store.open(year_url) as store:
        versions = store.versions(FIRM, AMENDED)
        pub = publish.publication(store, FIRM)
    initial, amended = versions
    note = f"Amended: version 1 (INITIAL, submitted {initial.submit_date}); version 2 (AMENDED, submitted {amended.submit_date}), of record"
    for _, rows in daily_tables(html_page):
        assert [(kind, cells[-1]) for kind, cells in rows if kind and "deficiency" not in kind] == [("amended", note)]
    text = html_text(html_page)
    assert f"Customer funds as of 2024-03-08, from the filing of record: version 1 (INITIAL, submitted {pub.latest.submit_date})." in text
    # The summary named the filing of record by its store id ("filing of record 259"): now by its version.
    assert pub.latest.id > 100 and str(pub.latest.id) not in re.findall(r"(?<![\d,.\-$])\d+(?![\d,.%\-])", text)
    assert not re.search(r"\bid\b", text, re.IGNORECASE)


def test_amounts_print_as_the_form_does() -> None:
    amount = publish._environment().filters["amount"]
    assert [amount(D(-3604516)), amount(D(1234)), amount(None)] == ["(3,604,516)", "1,234", ""]


@pytest.fixture(scope="module")
def short_pub(tmp_path_factory: pytest.TempPathFactory) -> publish.Publication:
    """Two weeks with an amended, deficient last day: enough for the chart and the read-back, in a second."""
    url = f"sqlite:///{tmp_path_factory.mktemp('short') / 's.sqlite'}"
    with Store.open(url) as store:
        store.ingest_filings(list(series(FIRM, date(2024, 2, 26), date(2024, 3, 8))), source="history")
        store.ingest_filing(daily_filing(FIRM, date(2024, 3, 8), requirement=D(2000), funds=D(1500), status="AMENDED"), source="amended")
        return publish.publication(store, FIRM)


@pytest.mark.slow  # vl-convert's first drawing takes seconds
def test_the_chart_names_panels_keeps_its_legend_below_and_draws_days(short_pub: publish.Publication) -> None:
    spec = publish.chart_spec(short_pub)
    encoding = spec["spec"]["encoding"]
    assert encoding["color"]["legend"]["orient"] == "bottom" and encoding["strokeDash"]["legend"]["orient"] == "bottom"
    assert encoding["x"]["timeUnit"] == "utcyearmonthdate" and "%H" not in encoding["x"]["axis"]["format"]
    assert encoding["x"]["axis"]["tickMinStep"] == 86_400_000
    assert encoding["y"]["axis"]["titlePadding"] >= 8 and encoding["y"]["title"] == "US dollars"
    assert spec["data"]["format"]["parse"]["date"] == "utc:'%Y-%m-%d'"
    assert spec["facet"]["row"]["header"]["labelAngle"] == 0 and spec["config"]["padding"]["right"] > 0
    svg = publish.chart_svg(short_pub)
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert set(NAMES.values()) <= set(texts) and not set(NAMES) & set(texts)
    assert {"Amount required", "Total funds", "Excess (deficiency)", "Target residual interest"} <= set(texts)
    assert not [t for t in texts if re.search(r"\d{1,2} ?(AM|PM)|\d\d:\d\d", t)], texts
    assert {t for t in texts if re.fullmatch(r"\d{4}-\d{2}-\d{2}", t)} <= {f"2024-{m:02d}-{d:02d}" for m in (2, 3) for d in range(1, 32)}


def test_the_summary_still_reads_back_with_a_deficient_amended_day(short_pub: publish.Publication) -> None:
    """import-nfa reads the page: the notes of a day both deficient and amended must not read as a figure."""
    page = publish.render_publication(short_pub, links=("html", "pdf"))
    read = read_text(html_text(page), "acme.txt")
    assert {p.severity for p in read.problems} <= {"warning"}, read.problems
    assert {s.pool: s.values["excess"] for s in read.summaries} == {"seg": D(-500), "secured": D(-500), "swaps": D(-500)}
    assert "Deficiency</strong>. <span" in page


@pytest.fixture
def umask_002() -> Iterator[None]:
    previous = os.umask(0o002)
    try:
        yield
    finally:
        os.umask(previous)


@pytest.mark.usefixtures("umask_002")
def test_written_files_get_the_mode_of_new_files(short_pub: publish.Publication, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The defect: publish's files came out 0600; they get 0666 & ~umask (0664 here), and the posting set too."""
    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    with Store.open(url) as store:
        store.ingest_filings(list(series(FIRM, date(2024, 3, 4), date(2024, 3, 8))), source="history")
    monkeypatch.setattr("dailyseg.render.pdf.html_to_pdf", lambda html: b"%PDF-1.7 stand-in")
    page = tmp_path / "out" / "page.html"
    assert CliRunner().invoke(main, ["publish", FIRM, "--db", url, "-o", str(page)]).exit_code == 0
    folder = tmp_path / "posted"
    done = CliRunner().invoke(main, ["publish", FIRM, "--db", url, "--format", "posting-set", "-o", str(folder)])
    assert done.exit_code == 0, done.output
    written = [page, *(p for p in folder.rglob("*") if p.is_file())]
    assert len(written) == 1 + 5 + 2
    assert {p.name: stat.S_IMODE(p.stat().st_mode) for p in written} == {p.name: 0o664 for p in written}
    assert stat.S_IMODE((folder / "days").stat().st_mode) == 0o775
    assert not [p for p in tmp_path.rglob("*.tmp")]


def test_posting_set_options_are_checked(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    no_folder = CliRunner().invoke(main, ["publish", FIRM, "--db", url, "--format", "posting-set"])
    assert no_folder.exit_code == 2 and "name it with -o DIR" in no_folder.output
    stray = CliRunner().invoke(main, ["publish", FIRM, "--db", url, "--day-pdfs"])
    assert stray.exit_code == 2 and "--day-pdfs adds to --format posting-set" in stray.output
