# ruff: noqa: F811 (the overview's fixtures, imported, are the parameters of the tests here)
"""Every table as CSV (and XLSX), read back and compared with the table the page shows; charts as SVG and PNG.

Over the overview's store (`test_overview.industry`): eight firms, one named like a spreadsheet formula.
"""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from PIL import Image

from dailyseg.cells import from_cell
from dailyseg.store import Store
from dailyseg.web.exports_view import Column, Table, exact_in_a_double, xlsx_bytes
from dailyseg.web.templating import amount
from tests.web.html_tables import table_rows

# The overview's store and client, module-scoped fixtures shared by import.
from tests.web.test_overview import AMENDED, FORMULA, GAP, GAP_DAY, LATE, LATEST, industry_url, web  # noqa: F401

SAFE_NAME = re.compile(r'attachment; filename="[A-Za-z0-9._-]+"')


def read_csv(web: TestClient, url: str, **params: Any) -> list[dict[str, str]]:
    got = web.get(url, params=params)
    assert got.status_code == 200, got.text
    assert got.headers["content-type"] == "text/csv; charset=utf-8"
    assert SAFE_NAME.fullmatch(got.headers["content-disposition"]), got.headers["content-disposition"]
    return list(csv.DictReader(io.StringIO(got.text)))


def firm_id_of(web: TestClient, name: str) -> str:
    return str(next(f["firm_id"] for f in web.get("/api/firms").json() if f["name"] == name))


@pytest.mark.parametrize("grid", ["compact", "full"])
def test_the_firms_csv_is_the_firms_table_as_shown(web: TestClient, grid: str) -> None:
    html = web.get("/", params={"grid": grid}).text
    assert f'href="/firms.csv?grid={grid}"' in html and f'href="/firms.xlsx?grid={grid}"' in html
    shown = table_rows(html, "firms")
    rows = read_csv(web, "/firms.csv", grid=grid)
    assert [r["Firm id"] for r in rows] == [s.attrs["data-firm"] for s in shown]  # worst first, as listed
    status = {f["firm_id"]: f["status"] for f in web.get("/api/firms").json()}
    for row, page in zip(rows, shown, strict=True):
        assert from_cell(row["Firm"]) == page.cells[0].text
        assert row["Status"].split() == (status[row["Firm id"]] or ["ok"])
        figures = [c for c in page.cells if "data-part" in c.attrs]
        assert len(row) == 4 + len(figures)
        values = list(row.values())[3:-1]
        for cell, text in zip(figures, values, strict=True):
            assert (Decimal(text) if text else None) == (Decimal(cell.attrs["data-value"]) if cell.attrs["data-value"] else None)
        assert row["Latest"] == page.cells[-1].text


def test_the_firms_csv_keeps_the_search(web: TestClient) -> None:
    rows = read_csv(web, "/firms.csv", q="golf")
    assert [r["Firm"] for r in rows] == ["Golf Capital LLC"]


def test_a_name_a_spreadsheet_would_run_is_text_in_csv_and_xlsx(web: TestClient) -> None:
    got = web.get("/firms.csv")
    assert "\n" + "'=HYPERLINK" not in got.text  # the id column comes first; the name is further along the line
    rows = list(csv.reader(io.StringIO(got.text)))
    cell = next(r[1] for r in rows if r[1].startswith("'="))
    assert from_cell(cell) == FORMULA
    book = load_workbook(io.BytesIO(web.get("/firms.xlsx").content))
    sheet = book.active
    assert sheet is not None
    names = [c for c in sheet["B"] if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert [c.value for c in names] == ["'" + FORMULA] and names[0].data_type == "s"
    assert not any(c.data_type == "f" for row in sheet.iter_rows() for c in row)


def test_the_firms_xlsx_holds_the_csvs_figures_as_exact_numbers(web: TestClient) -> None:
    rows = read_csv(web, "/firms.csv")
    got = web.get("/firms.xlsx")
    assert got.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert SAFE_NAME.fullmatch(got.headers["content-disposition"])
    sheet = load_workbook(io.BytesIO(got.content)).active
    assert sheet is not None
    table = [[c.value for c in row] for row in sheet.iter_rows()]
    header, body = table[0], table[1:]
    assert header == list(rows[0]) and sheet.freeze_panes == "A2"
    assert len(body) == len(rows)
    for sheet_row, csv_row in zip(body, rows, strict=True):
        for title, value in zip(header, sheet_row, strict=True):
            text = csv_row[str(title)]
            if isinstance(value, int | float):  # a whole amount reads back as an int
                assert Decimal(repr(value)) == Decimal(text), (title, value, text)
            elif title == "Latest":
                assert value is not None and value.date().isoformat() == text
            else:
                assert (value or "") == text, (title, value, text)
    numbers = [c for row in sheet.iter_rows(min_row=2) for c in row if isinstance(c.value, int | float)]
    assert numbers and all(c.number_format in ("#,##0;(#,##0)", "#,##0.00;(#,##0.00)", "0.00") for c in numbers)


def test_an_amount_a_double_would_round_is_text_in_xlsx() -> None:
    assert exact_in_a_double(Decimal("371003045")) and exact_in_a_double(Decimal("-3604516.25")) and exact_in_a_double(Decimal("12.34"))
    assert not exact_in_a_double(Decimal("12345678901234567")) and not exact_in_a_double(Decimal("0.1234567890123456789"))
    table = Table("t", (Column("Amount"), Column("Share", percent=True)), [(Decimal("12345678901234567"), Decimal("12.34"))])
    sheet = load_workbook(io.BytesIO(xlsx_bytes(table))).active
    assert sheet is not None
    assert sheet["A2"].value == "12345678901234567" and sheet["A2"].data_type == "s"
    assert sheet["B2"].value == 12.34 and sheet["B2"].number_format == "0.00"


def test_a_firms_history_csv_and_xlsx_are_its_table(web: TestClient) -> None:
    firm_id = firm_id_of(web, GAP)
    html = web.get(f"/firms/{firm_id}").text
    assert f'href="/firms/{firm_id}/history.csv?from=2023-03-29&amp;to=2024-03-28"' in html
    shown = table_rows(html, "filings")
    rows = read_csv(web, f"/firms/{firm_id}/history.csv", **{"from": "2023-03-29", "to": "2024-03-28"})
    assert [r["End Date"] for r in rows] == [s.attrs["data-date"] for s in shown]
    gap = next(r for r in rows if r["End Date"] == GAP_DAY.isoformat())
    assert gap["Marks"] == "NOT FILED" and gap["Status"] == "" and gap["Versions"] == "none"
    for row, page in zip(rows, shown, strict=True):
        assert row["Marks"].replace("; ", " ") == (page.cells[1].text if page.cells[1].text != "OK" else "")
        figures = [c for c in page.cells if "data-part" in c.attrs]
        texts = [v for k, v in row.items() if k.endswith(("Excess", "Day change", "Excess vs target"))]
        assert [Decimal(t) if t else None for t in texts] == [Decimal(v) if (v := c.attrs["data-value"]) else None for c in figures]
        assert row["Filing id"] == (page.cells[0].links[0].rsplit("/", 1)[1] if page.cells[0].links else "")
    sheet = load_workbook(io.BytesIO(web.get(f"/firms/{firm_id}/history.xlsx").content)).active
    assert sheet is not None
    assert [c.value.date().isoformat() for c in sheet["A"][1:]] == [r["End Date"] for r in rows]


def test_a_late_filing_is_marked_late_in_the_history_csv(web: TestClient) -> None:
    rows = read_csv(web, f"/firms/{firm_id_of(web, LATE)}/history.csv")
    assert next(r for r in rows if r["End Date"] == LATEST.isoformat())["Marks"] == "LATE"
    assert all(r["Marks"] == "" for r in rows if r["End Date"] != LATEST.isoformat())


def test_the_overviews_board_events_shares_and_totals_csvs_are_its_tables(web: TestClient) -> None:
    answer = web.get("/api/overview").json()
    board = read_csv(web, "/overview/board.csv")
    expected = [(g, f["firm_id"], str(f["filing_id"] or "")) for g, firms in answer["board"]["groups"].items() for f in firms]
    titles = {"filed": "Filed", "not_filed": "Not filed", "late": "Late", "deficient": "Deficient", "under_target": "Under target"}
    assert [(r["Group"], r["Firm id"], r["Filing id"]) for r in board] == [(titles[g], f, i) for g, f, i in expected]
    assert {r["Day"] for r in board} == {LATEST.isoformat()}
    events = read_csv(web, "/overview/events.csv", days=10)
    shown = table_rows(web.get("/overview").text, "feed")
    assert [(r["End Date"], r["Firm id"], r["Rule"]) for r in events] == [
        (s.attrs["data-date"], s.attrs["data-firm"], s.attrs["data-rule"]) for s in shown
    ]
    assert [r["Mark"] for r in events] == [s.cells[2].text for s in shown]
    on_latest = [e for e in answer["feed"] if e["event"]["end_date"] == LATEST.isoformat()]
    assert len(read_csv(web, "/overview/events.csv", days=1)) == len(on_latest)
    shares = read_csv(web, "/overview/shares.csv")
    flat = [(s["firm_id"], Decimal(s["requirement"]), Decimal(s["share"])) for listed in answer["shares"].values() for s in listed]
    assert [(r["Firm id"], Decimal(r["Requirement"]), Decimal(r["Share %"])) for r in shares] == flat
    totals = read_csv(web, "/overview/totals.csv")
    series = answer["totals"]["statements"]["segregation"]["series"]
    assert [r["End Date"] for r in totals] == answer["totals"]["dates"]
    assert [Decimal(r["Segregation Statement Excess"]) for r in totals] == [Decimal(v) for v in series["excess"]]
    assert [int(r["Firms"]) for r in totals] == answer["totals"]["firms"]


def test_a_filings_lines_csv_is_linked_beside_the_form_and_holds_its_lines(industry_url: str, web: TestClient) -> None:
    with Store.open(industry_url) as store:
        version = store.filings(firm_id_of(web, GAP), LATEST, LATEST)[0]
        _, filing = store.get(version.id)
    html = web.get(f"/filings/{version.id}").text
    link = f"/filings/{version.id}/download/csv"
    assert f'href="{link}"' in html
    rows = list(csv.DictReader(io.StringIO(web.get(link).text)))
    assert {(r["statement"], r["code"]): Decimal(r["value"]) for r in rows} == {(e.statement, e.ref): e.amount for e in filing.entries}


@pytest.mark.slow
@pytest.mark.parametrize("suffix", ["svg", "png"])
def test_a_firms_chart_as_an_image_of_the_right_type(web: TestClient, suffix: str) -> None:
    firm_id = firm_id_of(web, GAP)
    html = web.get(f"/firms/{firm_id}").text
    assert f'href="/firms/{firm_id}/chart.{suffix}?from=2023-03-29&amp;to=2024-03-28"' in html
    got = web.get(f"/firms/{firm_id}/chart.{suffix}", params={"from": "2024-03-18", "to": "2024-03-28"})
    assert got.status_code == 200, got.text
    assert got.headers["content-disposition"] == f'attachment; filename="chart-{firm_id}-2024-03-18-2024-03-28.{suffix}"'
    if suffix == "svg":
        assert got.headers["content-type"] == "image/svg+xml"
        root = ET.fromstring(got.content)
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
        text = " ".join(t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text"))
        assert "Segregation Statement" in text and "2024-03-18" in text
    else:
        assert got.headers["content-type"] == "image/png" and got.content[:8] == b"\x89PNG\r\n\x1a\n"
        with Image.open(io.BytesIO(got.content)) as image:
            assert image.format == "PNG" and image.width > 600 and image.height > 300
    assert web.get(f"/firms/{firm_id}/chart.{suffix}", params={"from": "2020-01-01", "to": "2020-01-31"}).status_code == 404
    assert web.get(f"/firms/{firm_id}/chart.gif").status_code == 422


def test_an_unknown_firm_has_no_exports(web: TestClient) -> None:
    for url in ("/firms/nobody/history.csv", "/firms/nobody/history.xlsx", "/firms/nobody/chart.svg"):
        assert web.get(url).status_code == 404


def test_each_comparison_table_of_a_filing_page_is_its_csv(web: TestClient) -> None:
    """The amended day's page compares with the previous business day and with version 1: each table's CSV holds
    its rows, with exact amounts, an empty cell where a line was not filed, and the versions in its headings."""
    firm = firm_id_of(web, AMENDED)
    latest = [f for f in web.get(f"/api/firms/{firm}/filings").json() if f["end_date"] == LATEST.isoformat()]
    amended = max(latest, key=lambda f: f["version"])
    html = web.get(f"/filings/{amended['id']}").text
    others = re.findall(rf'href="/filings/{amended["id"]}/changes/(\d+)\.csv"', html)
    assert len(others) == 2 and len(set(others)) == 2
    for other in others:
        shown = table_rows(html, f"changes-{other}")
        rows = read_csv(web, f"/filings/{amended['id']}/changes/{other}.csv")
        assert shown and len(rows) == len(shown)
        before, after = list(rows[0])[4:6]
        assert re.fullmatch(r"\d{4}-\d\d-\d\d v\d+", before) and after == f"{LATEST.isoformat()} v{amended['version']}"
        for row, page in zip(rows, shown, strict=True):
            assert row["Code"] == page.cells[0].text and f"{row['Statement']} {row['Line']}" == page.cells[1].text
            for text, cell in zip((row[before], row[after], row["Change"]), page.cells[3:6], strict=True):
                assert cell.text == ("not filed" if not text and cell is not page.cells[5] else amount(Decimal(text) if text else None))
    workbook = web.get(f"/filings/{amended['id']}/changes/{others[0]}.xlsx")
    assert workbook.status_code == 200 and workbook.content[:2] == b"PK"


def test_a_comparison_with_a_filing_not_stored_is_404(web: TestClient) -> None:
    got = web.get("/filings/1/changes/999999.csv")
    assert got.status_code == 404 and "no filing 999999" in got.text
