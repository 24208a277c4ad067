"""A standing fuzz of every HTTP route's parameters: never a 5xx, always the security headers.

For each route of the app (read from its router, so new routes are fuzzed too), hypothesis draws a value for
each path and query parameter: the good value (so the route's deeper code runs), or a hostile one (huge and
negative integers, dates at and past the calendar's ends, empty, very long, percent-encodings, `..`,
unicode), put into the URL percent-encoded or as it is. The app runs in process (TestClient) over the
seeded SQLite store, as the other API tests do.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from dailyseg.store import Store
from dailyseg.web import Settings, create_app
from tests.web.routes import RouteParams, good_values, missing_headers, routes_of
from tests.web.support import WRITE_TOKEN
from tests.web.test_route_params import AUTH

ROUTES = routes_of(create_app(Settings(write_token=WRITE_TOKEN)))
EDGES = [
    "0001-01-01",
    "9999-12-31",
    "1899-12-31",
    "2200-01-01",
    "2024-02-29",
    "2023-02-29",
    "2024-04-31",
    "2024-13-01",
    "+2024-01-01",
    "2024-1-1",
    "",
    " ",
    "..",
    "../..",
    "%2e%2e",
    "%2F",
    "%00",
    "%ff",
    "%",
    "true",
    "false",
    "deficiency",
    "7190",
    "[7190]",
    "alpha-futures",
    "ALPHA FUTURES, L.L.C.",
    "json",
    "app.css",
]
HOSTILE = st.one_of(
    st.integers(min_value=-(2**80), max_value=2**80).map(str),
    st.sampled_from(EDGES),
    st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)).map(date.isoformat),
    st.text(max_size=30),
    st.integers(min_value=1_000, max_value=20_000).map(lambda n: "9" * n),
    st.integers(min_value=1_000, max_value=5_000).map(lambda n: "é" * n),
)


@pytest.fixture(scope="module")
def fuzzed(seeded_url: str) -> Iterator[tuple[TestClient, dict[str, str]]]:
    with Store.open(seeded_url) as store:
        good = good_values(store.filings("alpha-futures")[0].id)
    app = create_app(Settings(db_url=seeded_url, write_token=WRITE_TOKEN, max_upload_bytes=200_000))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client, good


@pytest.mark.slow
@pytest.mark.parametrize("route", ROUTES, ids=[f"{r.method} {r.path}" for r in ROUTES])
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data(), raw=st.booleans())
def test_no_route_answers_5xx_or_without_the_headers(
    fuzzed: tuple[TestClient, dict[str, str]], route: RouteParams, data: st.DataObject, raw: bool
) -> None:
    client, good = fuzzed
    names = (*route.path_params, *route.query_params)
    values = {name: data.draw(st.one_of(st.just(good[name]), HOSTILE), label=name) for name in names}
    assume(values.get("fmt") != "pdf")  # a PDF takes seconds to render; test_route_params asks for one
    files = {"file": ("f.txt", b"x [7010]\n")} if route.method == "POST" else None
    try:
        answer = client.request(
            route.method,
            route.url({**good, **values}, raw=raw),
            params={name: values[name] for name in route.query_params},
            files=files,
            headers=AUTH,
            follow_redirects=False,
        )
    except Exception as error:  # the test client's own URL check (httpx's or httpx2's InvalidURL)
        if type(error).__name__ != "InvalidURL" and not isinstance(error, UnicodeEncodeError):
            raise
        assume(False)  # not a URL a client can send
        return
    assert answer.status_code < 500, answer.text[:300]
    assert not missing_headers(answer.headers)
