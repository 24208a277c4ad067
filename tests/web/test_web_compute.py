"""The compute page: books chosen by a configured name (never a path), the computed filing, each line explained."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import dailyseg
from dailyseg.compute.demo import generate
from dailyseg.web import Settings, create_app
from tests.web.support import SAMPLE


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("books")
    generate(folder, accounts=60, positions_per_account=2, target=dailyseg.read(SAMPLE).filing)
    return folder


@pytest.fixture
def app_client(books: Path, tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(db_url=f"sqlite:///{tmp_path / 's.sqlite'}", books={"demo": books})
    with TestClient(create_app(settings)) as client:
        yield client


def _token(client: TestClient) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/compute").text)
    assert match is not None
    return match.group(1)


@pytest.mark.slow  # seconds of work: runs in the full suite, not in the fast tier
def test_compute_shows_the_filing_and_explains_each_line(app_client: TestClient) -> None:
    form = app_client.get("/compute").text
    assert '<option value="demo">demo</option>' in form
    answer = app_client.post("/compute", data={"books": "demo", "csrf_token": _token(app_client)})
    assert answer.status_code == 200
    assert "371,003,045" in answer.text and 'href="/compute/demo/lines/7190"' in answer.text
    line = app_client.get("/compute/demo/lines/7190")
    assert line.status_code == 200 and "7190 = 7180 - 7060" in line.text.replace("&gt;", ">")
    customers = app_client.get("/compute/demo/lines/7010").text
    assert "Largest contributors" in customers and "rounded once to" in customers


def test_compute_takes_names_not_paths(app_client: TestClient, books: Path) -> None:
    token = _token(app_client)
    for name in (str(books), "../demo", "/etc"):
        refused = app_client.post("/compute", data={"books": name, "csrf_token": token})
        assert refused.status_code == 404 and "no books named" in refused.text
    assert app_client.get("/compute/..%2F..%2Fetc/lines/7190").status_code == 404
    assert app_client.post("/compute", data={"books": "demo", "csrf_token": "forged"}).status_code == 403
