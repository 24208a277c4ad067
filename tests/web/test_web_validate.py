"""The validate endpoint and the upload page, in process (FastAPI's TestClient): no store involved."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient

import dailyseg
from dailyseg.render import render_csv, render_json

MARKUP = '<script>alert("x")</script><b>Bold & Co</b>'


def form_token(client: TestClient, path: str = "/upload") -> str:
    page = client.get(path)
    assert page.status_code == 200
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match is not None
    return match.group(1)


def test_validate_reads_the_sample_and_answers_amounts_as_strings(client: TestClient, sample: bytes) -> None:
    answer = client.post("/api/validate", files={"file": ("citi.txt", sample, "text/plain")})
    assert answer.status_code == 200
    body = answer.json()
    assert body["ok"] is True
    assert body["source"] == "citi.txt"
    [filing] = body["filings"]
    assert filing["firm"] == "Citigroup Global Markets Inc."
    assert filing["end_date"] == "2013-07-25"
    assert filing["findings"] == []
    assert filing["filing"]["statements"]["segregation"]["7190"] == "371003045"


@pytest.mark.parametrize("render", [render_json, render_csv])
def test_validate_reads_dailyseg_json_and_csv(client: TestClient, sample: bytes, render: object) -> None:
    filing = dailyseg.read(sample).filing
    document = render(filing).encode()  # type: ignore[operator]
    body = client.post("/api/validate", files={"file": ("f", document)}).json()
    assert body["ok"] is True
    assert Decimal(body["filings"][0]["filing"]["statements"]["segregation"]["7190"]) == filing[7190]


def test_validate_reports_findings_on_a_broken_filing(client: TestClient, sample: bytes) -> None:
    broken = sample.replace(b"371,003,045", b"371,003,046", 1)
    body = client.post("/api/validate", files={"file": ("broken.txt", broken)}).json()
    assert body["ok"] is False
    findings = body["filings"][0]["findings"]
    assert any("7190" in f["codes"] and f["severity"] == "error" for f in findings)
    assert all(f["difference"] is None or isinstance(f["difference"], str) for f in findings)


def test_validate_explains_an_unreadable_document(client: TestClient) -> None:
    body = client.post("/api/validate", files={"file": ("notes.txt", b"just some words\n")}).json()
    assert body["ok"] is False and body["filings"] == []
    [problem] = body["problems"]
    assert problem["severity"] == "fatal" and problem["source"] == "notes.txt"


def test_upload_name_is_reduced_to_a_harmless_label(client: TestClient) -> None:
    body = client.post("/api/validate", files={"file": ("../../etc/<passwd>", b"x\n")}).json()
    assert body["source"] == "_passwd_"


def test_a_document_past_the_limit_gets_a_clear_413(client: TestClient) -> None:
    answer = client.post("/api/validate", files={"file": ("big.txt", b"a" * 200_001)})
    assert answer.status_code == 413
    assert answer.json() == {"error": {"status": 413, "message": "upload too large: a document may hold at most 200,000 bytes"}}
    huge = client.post("/api/validate", files={"file": ("huge.txt", b"a" * 400_000)})
    assert huge.status_code == 413 and "upload too large" in huge.json()["error"]["message"]


def test_errors_are_json_with_a_message(client: TestClient) -> None:
    missing = client.get("/api/no-such-thing")
    assert missing.status_code == 404 and missing.json()["error"]["message"] == "nothing here: /api/no-such-thing"
    no_file = client.post("/api/validate")
    assert no_file.status_code == 422 and no_file.json()["error"]["message"] == "invalid request: file: Field required"
    wrong_method = client.get("/api/validate")
    assert wrong_method.status_code == 405 and "GET is not allowed" in wrong_method.json()["error"]["message"]


def test_upload_page_shows_the_filing_like_the_form(client: TestClient, sample: bytes) -> None:
    answer = client.post("/upload", data={"csrf_token": form_token(client)}, files={"file": ("citi.txt", sample)})
    assert answer.status_code == 200
    assert "valid</strong>" in answer.text
    assert 'id="line-7190"' in answer.text and "371,003,045" in answer.text


def test_upload_page_refuses_a_form_without_its_token(client: TestClient, sample: bytes) -> None:
    forged = client.post("/upload", data={"csrf_token": "forged"}, files={"file": ("citi.txt", sample)})
    assert forged.status_code == 403 and "did not come from this site" in forged.text
    token = form_token(client)
    client.cookies.clear()
    client.cookies.set("dailyseg_csrf", "x" * 43)
    other_browser = client.post("/upload", data={"csrf_token": token}, files={"file": ("citi.txt", sample)})
    assert other_browser.status_code == 403


def test_markup_in_a_firm_name_is_shown_as_text(client: TestClient, sample: bytes) -> None:
    filing = dailyseg.read(sample).filing
    document = render_json(filing).replace("Citigroup Global Markets Inc.", MARKUP.replace('"', '\\"')).encode()
    page = client.post("/upload", data={"csrf_token": form_token(client)}, files={"file": ("f.json", document)}).text
    assert "<script>alert" not in page and "<b>Bold" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;b&gt;Bold &amp; Co&lt;/b&gt;" in page


def test_pages_send_security_headers(client: TestClient) -> None:
    headers = client.get("/upload").headers
    assert "default-src 'self'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    assert "samesite=strict" in headers["set-cookie"].lower() and "httponly" in headers["set-cookie"].lower()


def test_static_files_come_from_a_fixed_list(client: TestClient) -> None:
    assert client.get("/static/uplot.min.js").status_code == 200
    for probe in ("/static/..%2Fapp.py", "/static/%2e%2e/settings.py", "/static/../../pyproject.toml", "/static/templates"):
        assert client.get(probe).status_code == 404
