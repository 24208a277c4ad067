"""The explain page prints amounts as the rest of the web does (separators, negatives in parentheses), names
lines by their catalogue labels and columns by readable headers, and shows the FX rate of each currency."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import dailyseg
from dailyseg.catalogue import CATALOGUE
from dailyseg.compute.demo import generate
from dailyseg.compute.lineage import Explanation
from dailyseg.web import Settings, create_app
from dailyseg.web.explain_view import HEADERS, explain_view
from dailyseg.web.templating import render_template
from tests.web.support import SAMPLE

RATES = {"EUR": Decimal("1.32450000"), "USD": Decimal(1)}


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _page(explanation: Explanation) -> str:
    view = explain_view(explanation, "FOCUS II", RATES)
    return render_template("explain.html.j2", {"books": "demo", "x": view, "request": None, "csrf_token": "", "nonce": ""})


def test_a_formula_line_names_its_terms_and_prints_negatives_in_parentheses() -> None:
    x = explain_view(
        Explanation("7190", "Excess", "S5: 7190 = 7180 - 7060", Decimal(-34848789), terms=(
            {"code": "7180", "sign": "+", "value": Decimal(1000)},
            {"code": "7060", "sign": "-", "value": Decimal(34849789)},
        )),
        "FOCUS II",
        RATES,
    )  # fmt: skip
    assert x.value == "(34,848,789)"
    assert [(t.code, t.label, t.value) for t in x.terms] == [
        ("7180", CATALOGUE.row("7180", "FOCUS II").label, "1,000"),
        ("7060", CATALOGUE.row("7060", "FOCUS II").label, "34,849,789"),
    ]


def test_sums_by_currency_show_their_rate_and_readable_headers() -> None:
    by_currency = (
        {"currency": "EUR", "rows": 2, "amount": Decimal("-985000.1"), "usd": Decimal("-1304632.632450")},
        {"currency": "USD", "rows": 3, "amount": Decimal("83.40"), "usd": Decimal("83.40")},
    )
    contributors = ({"account": "F1", "currency": "EUR", "amount": Decimal("-985000.1"), "usd": Decimal("-1304632.632450")},)
    x = explain_view(
        Explanation("7030", "Unrealized", "sum", Decimal(-1304549), Decimal("-1304549.228685"), 5, by_currency, contributors),
        "FOCUS II",
        RATES,
    )
    assert x.exact == "(1,304,549.228685)" and x.value == "(1,304,549)"
    assert x.rates == [("EUR", "1.3245"), ("USD", "1")]
    assert x.by_currency is not None and x.contributors is not None
    assert [h for h, _ in x.by_currency.headers] == ["Currency", "Rows", "Amount (in currency)", HEADERS["rate"], "Amount (USD)"]
    assert [c.text for c in x.by_currency.rows[0]] == ["EUR", "2", "(985,000.1)", "1.3245", "(1,304,632.63245)"]
    assert [h for h, _ in x.contributors.headers] == ["Account", "Currency", "Amount (in currency)", HEADERS["rate"], "Amount (USD)"]


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("explain-books")
    generate(folder, accounts=60, positions_per_account=2, target=dailyseg.read(SAMPLE).filing)
    return folder


@pytest.fixture
def app_client(books: Path, tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(db_url=f"sqlite:///{tmp_path / 's.sqlite'}", books={"demo": books}))) as client:
        yield client


@pytest.mark.slow  # computes the demo books: seconds of work
def test_explain_pages_use_the_web_number_format_labels_and_rates(app_client: TestClient) -> None:
    formula = app_client.get("/compute/demo/lines/7190")
    assert formula.status_code == 200
    text = _text(formula.text)
    assert "7190 = 7180 - 7060" in text.replace("&gt;", ">")
    assert "371,003,045" in text and CATALOGUE.row("7180").label in text and CATALOGUE.row("7060").label in text
    summed = _text(app_client.get("/compute/demo/lines/7030").text)
    amounts = re.findall(r"-?\(?\d[\d,]*(?:\.\d+)?\)?", summed)
    assert not [a for a in amounts if a.startswith("-")], "negatives are printed in parentheses"
    figures = summed.split(" Value ", 1)[1]
    assert not re.search(r"(?<![\w.,])\d{4,}", figures), "every amount has separators"
    assert "rounded once to (" in summed
    assert "FX rates used" in summed and "1 EUR = 1.3245 USD" in summed and "1 CAD = 0.9712 USD" in summed
    assert "Amount (in currency)" in summed and "FX rate (USD per unit)" in summed and "Account" in summed
    assert ">usd<" not in app_client.get("/compute/demo/lines/7030").text
    depository = _text(app_client.get("/compute/demo/lines/7500").text)
    assert "Depository" in depository and "Counted" in depository and ">counted<" not in depository
