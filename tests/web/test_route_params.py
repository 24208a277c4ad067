"""No 500 for bad parameters, and the security headers on every response: each route of the app, walked.

Each route and method (read from the app's router, tests/web/routes.py) is asked once with good parameters,
then with each parameter in turn set to each bad value (huge and negative ids, dates at the ends of the
calendar and a day past the month's end, empty, long, percent-encoded and non-ASCII text): the answer is
never 5xx and always carries the headers the pages carry. The errors the app makes itself (404, 405, 422,
the 500 handler, redirects, static files) are checked for the headers too.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from dailyseg.store import Store
from dailyseg.web import Settings, create_app
from dailyseg.web.deps import get_store
from tests.web.routes import RouteParams, good_values, missing_headers, routes_of
from tests.web.support import WRITE_TOKEN

AUTH = {"Authorization": f"Bearer {WRITE_TOKEN}"}  # a known token: the walk is not rate-limited
BAD = [
    "9223372036854775808",  # 2**63: past SQLite's integers
    "2147483648",  # 2**31: past PostgreSQL's INTEGER
    "-1",
    "0",
    "9999-12-31",
    "0001-01-01",
    "2024-02-30",
    "10000-01-01",
    "",
    "x" * 5000,
    "%00",
    "..",
    "é☃\u202e",
    "<script>",
]


@pytest.fixture(scope="module")
def walker(seeded_url: str) -> Iterator[TestClient]:
    app = create_app(Settings(db_url=seeded_url, write_token=WRITE_TOKEN, max_upload_bytes=200_000))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@pytest.fixture(scope="module")
def filing_id(seeded_url: str) -> int:
    with Store.open(seeded_url) as store:
        return store.filings("alpha-futures")[0].id


def ask(client: TestClient, route: RouteParams, values: dict[str, str], sample: bytes) -> tuple[int, object]:
    url = route.url(values)
    query = {name: values[name] for name in route.query_params}
    files = {"file": ("citi.txt", sample)} if route.method == "POST" else None
    answer = client.request(route.method, url, params=query, files=files, headers=AUTH, follow_redirects=False)
    return answer.status_code, answer.headers


@pytest.mark.slow
def test_every_route_with_good_and_bad_parameters(walker: TestClient, filing_id: int, sample: bytes) -> None:
    routes = routes_of(walker.app)  # type: ignore[arg-type]
    assert len(routes) >= 20
    failures = []
    for route in routes:
        good = good_values(filing_id)
        status, headers = ask(walker, route, good, sample)
        if status >= 500 or missing_headers(headers):
            failures.append((route.method, route.path, "good", status, missing_headers(headers)))
        for name in (*route.path_params, *route.query_params):
            for bad in BAD:
                status, headers = ask(walker, route, {**good, name: bad}, sample)
                if status >= 500 or missing_headers(headers):
                    failures.append((route.method, route.path, f"{name}={bad[:20]!r}", status, missing_headers(headers)))
    assert failures == []


@pytest.mark.parametrize("path", ["/api/filings/9223372036854775808", "/filings/9223372036854775808", "/filings/2147483648/download/pdf"])
def test_ids_past_the_stores_integers_are_422(walker: TestClient, path: str) -> None:
    answer = walker.get(path)
    assert answer.status_code == 422 and not missing_headers(answer.headers)


@pytest.mark.parametrize("query", ["to=9999-12-31", "from=0001-01-01", "from=0001-01-01&to=9999-12-31"])
@pytest.mark.parametrize("path", ["/firms/alpha-futures/findings", "/api/firms/alpha-futures/findings", "/firms/alpha-futures"])
def test_dates_at_the_ends_of_the_calendar_are_422_with_a_message(walker: TestClient, path: str, query: str) -> None:
    answer = walker.get(f"{path}?{query}")
    assert answer.status_code == 422
    assert "dates must be from 1900-01-01 to 2199-12-31" in answer.text


def test_as_of_at_the_ends_of_the_calendar_is_422(walker: TestClient) -> None:
    for day in ("9999-12-31", "0001-01-01"):
        assert walker.get(f"/api/firms?as_of={day}").status_code == 422


def test_a_trailing_slash_redirect_stays_on_this_site_whatever_the_host_header(walker: TestClient) -> None:
    for path, target in (
        ("/api/health/", "/api/health"),
        ("/upload/?x=1", "/upload?x=1"),
        ("/firms/alpha-futures/", "/firms/alpha-futures"),
    ):
        answer = walker.get(path, headers={"Host": "evil.example"}, follow_redirects=False)
        assert answer.status_code == 307 and answer.headers["location"] == target, path
        assert not missing_headers(answer.headers)
    # A path that would read as another host after the redirect gets none.
    for path in ("//evil.example/", "/\\evil.example/"):
        answer = walker.get(path, headers={"Host": "evil.example"}, follow_redirects=False)
        assert "evil.example" not in answer.headers.get("location", ""), path


def test_errors_static_files_and_the_500_handler_carry_the_security_headers(walker: TestClient, seeded_url: str) -> None:
    for answer in (
        walker.get("/nowhere"),
        walker.get("/api/nowhere"),
        walker.delete("/api/firms"),
        walker.get("/api/firms?as_of=x"),
        walker.get("/static/app.css"),
        walker.post("/api/validate", files={"file": ("big.txt", b"a" * 300_000)}),
    ):
        assert answer.status_code in (200, 404, 405, 413, 422) and not missing_headers(answer.headers), answer.url

    def broken() -> Store:
        raise RuntimeError("a defect")

    app = create_app(Settings(db_url=seeded_url))
    app.dependency_overrides[get_store] = broken
    with TestClient(app, raise_server_exceptions=False) as client:
        for path in ("/api/firms", "/"):
            answer = client.get(path)
            assert answer.status_code == 500 and not missing_headers(answer.headers), path
            assert "internal error" in answer.text
