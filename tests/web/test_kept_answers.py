"""Answers kept in the store once for every server process (web.cache over store.answers).

Two applications over one store stand for two server processes: what the first judged (a firm's status, its
part of the overview's feed, its whole chart, its history pages, the figures the totals add up), the
second reads and does not judge again, and gives the same answers. After a new filing for one firm, only that
firm is judged again. What warming judges at a start is what the pages ask first. A chart range cut from the
kept whole chart is the chart of that range.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from dailyseg.store import Store
from dailyseg.store.synthetic import daily_filing
from dailyseg.store.tables import firm_answers
from dailyseg.web import Settings, cache, create_app, history_view
from dailyseg.web.cache import RevisionCache
from dailyseg.web.charts import CHARTED, chart_of, chart_within
from dailyseg.web.history_view import history_page, page_from_json, page_to_json, range_days
from dailyseg.web.overview_view import TOTALLED, columns_from_json, columns_to_json
from dailyseg.web.warming import Rejudging
from tests.web.support import ALPHA, AMENDED_DAY, MARKUP_FIRM, seed

# Every firm page, chart, overview and firms list a visitor reads, and the API's answers beside them.
PATHS = ["/", "/overview", "/api/overview", "/api/firms", "/overview/totals.json"]
FIRM_PATHS = [
    "/firms/{firm}",
    "/firms/{firm}?page=2",
    "/api/firms/{firm}",
    "/api/firms/{firm}/chart",
    "/api/firms/{firm}/chart?from=2024-02-01",
]


@pytest.fixture
def store_url(seeded_store_url: str) -> str:
    """This module's tests run on a seeded SQLite store of their own (not the suite's parametrised empty one)."""
    return seeded_store_url


def _judging(monkeypatch: pytest.MonkeyPatch) -> Counter[tuple[str, str]]:
    """Count each judging by (what, firm id), while still judging."""
    judged: Counter[tuple[str, str]] = Counter()

    def counted(what: str, module: Any, name: str, firm_at: int = 1) -> None:
        """Count the calls of `module.name` by the firm id among its arguments (after the store, or first)."""
        original: Callable[..., Any] = getattr(module, name)

        def judge(*args: Any) -> Any:
            judged[what, args[firm_at]] += 1
            return original(*args)

        monkeypatch.setattr(module, name, judge)

    counted("status", cache, "firm_status")
    counted("feed", cache, "watched_firm")
    counted("chart", cache, "chart_of", firm_at=0)
    counted("history", history_view, "range_days")
    counted("columns", Store, "history_columns")  # the chart's query, and the figures the overview's totals add up
    return judged


def _answers(client: TestClient, firms: list[str]) -> dict[str, Any]:
    """Each path's answer: the JSON of the API, the page's text less what differs by process (the form tokens)."""
    found: dict[str, Any] = {}
    for path in [*PATHS, *(p.format(firm=f) for f in firms for p in FIRM_PATHS)]:
        response = client.get(path)
        assert response.status_code == 200, path
        found[path] = response.json() if "json" in response.headers["content-type"] else _without_tokens(response.text)
    return found


def _without_tokens(page: str) -> str:
    return "\n".join(line for line in page.splitlines() if "csrf" not in line.lower())


def _client(url: str) -> TestClient:
    return TestClient(create_app(Settings(db_url=url)))


def test_a_second_process_reads_what_the_first_judged(store_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with Store.open(store_url) as store:
        firms = store.firm_ids()
    judged = _judging(monkeypatch)
    with _client(store_url) as first:
        made = _answers(first, firms)
    assert {firm for _, firm in judged} == set(firms)
    judged.clear()
    with _client(store_url) as second:
        read = _answers(second, firms)
    assert judged == Counter()
    assert read == made


def test_after_a_new_filing_only_that_firm_is_judged_again(store_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with Store.open(store_url) as store:
        firms = store.firm_ids()
        beta = store.require(MARKUP_FIRM)
        judged = _judging(monkeypatch)
        with _client(store_url) as first:
            _answers(first, firms)
        judged.clear()
        # An amendment of the firm's latest day: the store's latest End Date, so every other status still holds.
        store.ingest_filing(
            daily_filing(
                MARKUP_FIRM, date(2024, 3, 28), requirement=Decimal(1000), funds=Decimal(2000), target=Decimal(50), status="AMENDED"
            ),
            source="beta-amended",
        )
        with _client(store_url) as second:
            after = _answers(second, firms)
    assert {firm for _, firm in judged} == {beta}
    assert judged["status", beta] >= 1 and judged["feed", beta] == 1 and judged["chart", beta] == 1
    assert "deficiency" not in after[f"/api/firms/{beta}"]["status"]


def test_answers_warmed_at_start_are_what_the_pages_ask_first(store_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with Store.open(store_url) as store:
        firms = store.firm_ids()
        assert Rejudging(RevisionCache(), lambda: store, 0).settle() == len(firms)
        stopped = Rejudging(RevisionCache(), lambda: store, 0)
        stopped.stop()
        assert stopped.settle() == 0
    judged = _judging(monkeypatch)
    first_asked = ["/firms/{firm}", "/api/firms/{firm}/chart"]  # the firm page and its chart, over the default range
    with _client(store_url) as later:
        for path in ["/", "/overview", "/overview/totals.json", *(p.format(firm=f) for f in firms for p in first_asked)]:
            assert later.get(path).status_code == 200
    assert judged == Counter()


def test_answers_as_of_another_day_stay_in_the_process(store_url: str) -> None:
    with Store.open(store_url) as store:
        firm = store.require(ALPHA)
        with _client(store_url) as client:
            assert client.get(f"/api/firms/{firm}?as_of=2024-03-20").json()["as_of"] == "2024-03-20"
            assert client.get("/api/overview?as_of=2024-03-20").status_code == 200
            assert client.get(f"/api/firms/{firm}").status_code == 200
        with store.engine.connect() as conn:
            kept = {(str(kind), str(key)) for kind, key in conn.execute(select(firm_answers.c.kind, firm_answers.c.key))}
    assert ("status", "2024-03-28") in kept
    assert not any("2024-03-20" in key for _, key in kept)


def test_warming_a_store_that_cannot_be_opened_says_so_once_and_tries_again(store_url: str, caplog: pytest.LogCaptureFixture) -> None:
    failures = [OSError("no such store")] * 2
    with Store.open(store_url) as store:

        def opened() -> Store:
            if failures:
                raise failures.pop()
            return store

        warming = Rejudging(RevisionCache(), opened, 0)
        assert warming.settle() == 0
        assert warming.settle() == 0
        assert caplog.text.count("judging changed firms ahead of their visitors failed (tried again later): no such store") == 1
        assert "Traceback" not in caplog.text
        assert warming.settle() == len(store.firm_ids())
    caplog.clear()
    stopping = Rejudging(RevisionCache(), lambda: Store.open("sqlite:////nonexistent/folder/store.sqlite", create=False), 0)
    stopping.stop()  # a server stopping closes the store under the warming: nothing is said
    assert not stopping.attempt()
    assert caplog.text == ""


# -- each kept shape read back is what was judged, and a range cut from the whole chart is the range's chart --


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    with Store.open(f"sqlite:///{tmp_path_factory.mktemp('kept') / 'store.sqlite'}") as store:
        seed(store)
        yield store


def test_history_pages_read_back_are_the_judged_ones(seeded: Store) -> None:
    for firm in seeded.firm_ids():
        for start, end in ((None, None), (date(2024, 2, 1), date(2024, 3, 15)), (AMENDED_DAY, AMENDED_DAY)):
            rows = range_days(seeded, firm, start, end, date(2024, 3, 28))
            for page in (1, 2):
                found = history_page(seeded, firm, rows, page)
                assert page_from_json(page_to_json(found)) == found


def test_the_totals_figures_read_back_are_the_judged_ones(seeded: Store) -> None:
    for firm in seeded.firm_ids():
        columns = seeded.history_columns(firm, TOTALLED)
        assert columns_from_json(columns_to_json(columns)) == columns


_bounds = st.none() | st.dates(min_value=date(2013, 7, 1), max_value=date(2024, 4, 30))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(firm=st.sampled_from([ALPHA, MARKUP_FIRM, "Citigroup Global Markets Inc."]), start=_bounds, length=st.none() | st.integers(0, 120))
def test_a_range_cut_from_the_whole_chart_is_the_chart_of_that_range(
    seeded: Store, firm: str, start: date | None, length: int | None
) -> None:
    firm_id = seeded.require(firm)
    end = None if length is None else (start or date(2024, 1, 2)) + timedelta(days=length)
    whole = chart_of(firm_id, seeded.history_columns(firm_id, CHARTED))
    assert chart_within(whole, start, end) == chart_of(firm_id, seeded.history_columns(firm_id, CHARTED, start, end))
