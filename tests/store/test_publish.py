"""publish: the 12-month 1.55(o) page with amended days marked, the summary by holding type, the chart."""

from __future__ import annotations

import io
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from dailyseg.cli import main
from dailyseg.store import Store
from dailyseg.store.synthetic import daily_filing, series
from dailyseg.watch.publish import publication

D = Decimal


def _load(url: str) -> None:
    with Store.open(url) as store:
        store.ingest_filings(list(series("Acme Futures LLC", date(2023, 1, 2), date(2024, 3, 8))), source="history")
        amended = daily_filing("Acme Futures LLC", date(2024, 3, 5), requirement=D(1000), funds=D(2000), target=D(100), status="AMENDED")
        store.ingest_filing(amended, source="amended")


@pytest.mark.slow  # seconds of work: runs in the full suite, not in the fast tier
def test_publication_figures(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    _load(url)
    with Store.open(url) as store:
        pub = publication(store, "acme futures")
    assert (pub.start, pub.end) == (date(2023, 3, 10), date(2024, 3, 8))
    assert min(d.end_date for d in pub.days) == date(2023, 3, 10)
    amended = [d for d in pub.days if d.amended]
    assert {d.end_date for d in amended} == {date(2024, 3, 5)} and len(amended) == 3
    seg = next(d for d in amended if d.statement == "segregation")
    assert seg.values == {"requirement": D(1000), "funds": D(2000), "excess": D(1000), "target": D(100)}
    summary = {s.statement.id: s for s in pub.summary}
    percents = {h.label: h.percent for h in summary["segregation"].holdings}
    # series() spreads segregation funds 30/10/35/15/5/5 over 7070/7080/7100/7110/7140/7170.
    assert percents == {
        "Cash at banks": D("30.0"),
        "Funds at DCOs and other FCMs": D("40.0"),
        "Customer-owned securities": D("0.0"),
        "Investments of customer funds": D("25.0"),
        "Cash on hand": D("5.0"),
    }
    assert sum(h.amount for h in summary["segregation"].holdings) == summary["segregation"].values["funds"]


@pytest.mark.slow  # renders a PDF
def test_publish_html_and_pdf(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    _load(url)
    html = CliRunner().invoke(main, ["publish", "Acme Futures LLC", "--db", url])
    assert html.exit_code == 0, html.output
    page = html.output
    assert "<svg" in page and "17 CFR 1.55(o)" in page and "Percentage of funds by holding type" in page
    marked = re.findall(r"<tr class=\"amended\">\s*<th scope=\"row\">([0-9-]+)</th>", page)
    assert marked == ["2024-03-05"] * 3  # in each statement's table
    assert "Amended</span>: version 1 (INITIAL, submitted 2024-03-06); version 2 (AMENDED, submitted 2024-03-06), of record" in page
    assert page.count('<th scope="row">2023-03-10</th>') == 3 and "2023-03-09" not in page
    out = tmp_path / "acme.pdf"
    pdf = CliRunner().invoke(main, ["publish", "acme-futures", "--format", "pdf", "-o", str(out), "--db", url])
    assert pdf.exit_code == 0, pdf.output
    reader = PdfReader(io.BytesIO(out.read_bytes()))
    first = reader.pages[0].extract_text()
    assert "Acme Futures LLC" in first and "Cash at banks 40.0% 30.0% 30.0%" in first and "Amount required" in first
    assert "2024-03-05 1,000 2,000 1,000 100 Amended: version 1" in "\n".join(p.extract_text() for p in reader.pages[1:])


def test_publish_unknown_firm(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    _load(url)
    result = CliRunner().invoke(main, ["publish", "nobody", "--db", url])
    assert result.exit_code == 2 and "no firm 'nobody'" in result.output
