"""The JSON API over a real store (SQLite; the write path on PostgreSQL too), and its OpenAPI schema."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import dailyseg
from dailyseg.render import render_json
from dailyseg.store import Store
from dailyseg.web import Settings, create_app
from tests.web.support import ALPHA, AMENDED_DAY, MARKUP_FIRM, WRITE_TOKEN

AUTH = {"Authorization": f"Bearer {WRITE_TOKEN}"}


def test_firms_list_every_firm_with_amounts_as_strings(client: TestClient) -> None:
    firms = {f["firm_id"]: f for f in client.get("/api/firms").json()}
    assert set(firms) == {"alpha-futures", "beta-b-clearing-b-and-script-alert-x-script", "citigroup-global-markets"}
    beta = firms["beta-b-clearing-b-and-script-alert-x-script"]
    assert beta["name"] == MARKUP_FIRM
    assert beta["statements"]["segregation"] == {
        "requirement": "1000",
        "funds": "800",
        "excess": "-200",
        "target": "50",
        "target_source": "line 7194",
        "over_target": "-250",
        "excess_percent": "-20.00",
        "excess_change": "-100",
    }
    # The defect: the store flagged "under-target" beside the deficiency; a deficiency is the one, stronger event.
    assert beta["status"][0] == "deficiency" and "below-target" not in beta["status"]
    assert [f["rule"] for f in beta["findings"]][:1] == ["deficiency"]
    assert beta["findings"][0]["notice"].startswith("immediate notice")
    citi = firms["citigroup-global-markets"]
    assert citi["latest_end_date"] == "2013-07-25" and citi["statements"]["segregation"]["excess"] == "371003045"


def test_a_firm_by_id_or_by_name_and_a_clear_404(client: TestClient) -> None:
    assert client.get("/api/firms/alpha-futures").json()["name"] == ALPHA
    assert client.get("/api/firms/ALPHA FUTURES, L.L.C.").json()["firm_id"] == "alpha-futures"
    missing = client.get("/api/firms/nobody")
    assert missing.status_code == 404 and missing.json() == {"error": {"status": 404, "message": "no firm 'nobody' in the store"}}


def test_filings_versions_and_one_filing(client: TestClient) -> None:
    day = AMENDED_DAY.isoformat()
    listed = client.get("/api/firms/alpha-futures/filings", params={"from": day, "to": day}).json()
    assert [(v["version"], v["status"], v["is_record"]) for v in listed] == [(1, "INITIAL", False), (2, "AMENDED", True)]
    assert client.get(f"/api/firms/alpha-futures/versions/{day}").json() == listed
    records = client.get("/api/firms/alpha-futures/filings", params={"record_only": True}).json()
    assert len(records) == len({v["end_date"] for v in records}) == 61
    one = client.get(f"/api/filings/{listed[1]['id']}").json()
    assert one["version"]["status"] == "AMENDED" and [v["id"] for v in one["versions"]] == [v["id"] for v in listed]
    assert all(set(f) >= {"rule", "severity", "codes", "message"} for f in one["findings"])
    assert isinstance(one["filing"]["statements"]["segregation"]["7180"], str)
    assert client.get("/api/filings/999999").status_code == 404


def test_history_gives_the_filing_of_record_for_each_day(client: TestClient, seeded_url: str) -> None:
    day = AMENDED_DAY.isoformat()
    body = client.get("/api/firms/alpha-futures/history", params={"code": ["7180", "7190"], "from": day, "to": day}).json()
    with Store.open(seeded_url) as store:
        record = next(v for v in store.versions("alpha-futures", AMENDED_DAY) if v.is_record)
        filing = store.get(record.id)[1]
    assert body["codes"] == ["7180", "7190"]
    assert [(p["code"], Decimal(p["value"]), p["amended"]) for p in body["points"]] == [
        ("7180", filing[7180], True),
        ("7190", filing[7190], True),
    ]


def test_chart_data_in_columns(client: TestClient) -> None:
    chart = client.get("/api/firms/alpha-futures/chart").json()
    assert len(chart["dates"]) == len(chart["filing_ids"]) == len(chart["amended"]) == 61
    assert chart["dates"] == sorted(chart["dates"])
    segregation = chart["statements"]["segregation"]
    assert segregation["codes"] == {"requirement": "7060", "funds": "7180", "excess": "7190", "target": "7194"}
    for i in range(len(chart["dates"])):
        funds, requirement, excess = (Decimal(segregation["series"][p][i]) for p in ("funds", "requirement", "excess"))
        assert funds - requirement == excess
    assert chart["amended"][chart["dates"].index(AMENDED_DAY.isoformat())] is True


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/api/firms/alpha-futures/history?code=9999", "invalid request: code 9999 is not in the catalogue"),
        ("/api/firms/alpha-futures/history", "invalid request: code: Field required"),
        ("/api/firms/alpha-futures/filings?from=2024-13-01", "invalid request: from: Input should be a valid date"),
        ("/api/firms/alpha-futures/chart?from=2024-03-01&to=2024-01-01", "invalid request: from 2024-03-01 is after to 2024-01-01"),
    ],
)
def test_bad_queries_are_422_with_a_message(client: TestClient, path: str, message: str) -> None:
    answer = client.get(path)
    assert answer.status_code == 422
    assert answer.json()["error"]["message"].startswith(message)


def test_storing_needs_the_write_token(fresh_client: TestClient, sample: bytes) -> None:
    files = {"file": ("citi.txt", sample)}
    assert fresh_client.post("/api/filings", files=files).status_code == 401
    wrong = fresh_client.post("/api/filings", files=files, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401 and wrong.json()["error"]["message"] == "the write token is not valid"
    assert fresh_client.get("/api/firms").json() == []


def test_the_firms_list_is_kept_only_while_the_store_is_unchanged(fresh_client: TestClient, sample: bytes, tmp_path: Path) -> None:
    assert fresh_client.get("/api/firms").json() == []  # kept: an empty store
    fresh_client.post("/api/filings", files={"file": ("citi.txt", sample)}, headers=AUTH)
    assert [f["firm_id"] for f in fresh_client.get("/api/firms").json()] == ["citigroup-global-markets"]
    renamed = sample.replace(b"Citigroup Global Markets Inc.", b"Citi Futures Desk LLC")
    fresh_client.post("/api/filings", files={"file": ("renamed.txt", renamed)}, headers=AUTH)
    assert len(fresh_client.get("/api/firms").json()) == 2
    url = str(fresh_client.app.state.settings.db_url)  # type: ignore[attr-defined]
    with Store.open(url) as store:  # another process joins the two names
        store.alias("Citi Futures Desk LLC", "citigroup-global-markets")
    assert [f["firm_id"] for f in fresh_client.get("/api/firms").json()] == ["citigroup-global-markets"]


def test_a_server_without_a_write_token_refuses_every_write(tmp_path: Path, sample: bytes) -> None:
    with TestClient(create_app(Settings(db_url=f"sqlite:///{tmp_path / 's.sqlite'}"))) as no_writes:
        refused = no_writes.post("/api/filings", files={"file": ("citi.txt", sample)}, headers=AUTH)
    assert refused.status_code == 403 and "accepts no writes" in refused.json()["error"]["message"]


def test_post_filings_stores_once_then_reports_already_present(store_url: str, sample: bytes) -> None:
    settings = Settings(db_url=store_url, write_token=WRITE_TOKEN)
    with TestClient(create_app(settings)) as api:
        first = api.post("/api/filings", files={"file": ("citi.txt", sample)}, headers=AUTH)
        assert first.status_code == 201
        [outcome] = first.json()["outcomes"]
        assert outcome["status"] == "stored" and outcome["firm"] == "Citigroup Global Markets Inc."
        again = api.post("/api/filings", files={"file": ("citi.txt", sample)}, headers=AUTH)
        assert again.status_code == 200 and again.json()["outcomes"][0]["status"] == "already-present"
        stored = api.get(f"/api/filings/{outcome['filing_id']}").json()
    assert Decimal(stored["filing"]["statements"]["segregation"]["7190"]) == dailyseg.read(sample).filing[7190]


def test_post_filings_refuses_an_unreadable_document(fresh_client: TestClient) -> None:
    answer = fresh_client.post("/api/filings", files={"file": ("notes.txt", b"hello\n")}, headers=AUTH)
    assert answer.status_code == 422
    assert answer.json()["error"]["message"].startswith("no filing could be read from notes.txt: notes.txt:1: no Daily Segregation")


def test_an_amendment_posted_becomes_the_filing_of_record(fresh_client: TestClient, sample: bytes) -> None:
    filing = dailyseg.read(sample).filing
    fresh_client.post("/api/filings", files={"file": ("citi.txt", sample)}, headers=AUTH)
    amended = render_json(filing).replace('"status": "INITIAL"', '"status": "AMENDED"').replace('"371003045"', '"371003046"')
    answer = fresh_client.post("/api/filings", files={"file": ("amended.json", amended.encode())}, headers=AUTH)
    assert answer.status_code == 201 and answer.json()["outcomes"][0]["status"] == "amended"
    versions = fresh_client.get("/api/firms/citigroup-global-markets/versions/2013-07-25").json()
    assert [(v["version"], v["is_record"]) for v in versions] == [(1, False), (2, True)]


def test_reading_can_be_closed_by_a_read_token(seeded_url: str) -> None:
    settings = Settings(db_url=seeded_url, read_token="reader", write_token=WRITE_TOKEN)
    with TestClient(create_app(settings)) as private:
        assert private.get("/api/firms").status_code == 401
        assert private.get("/").status_code == 401
        assert private.get("/api/firms", headers={"Authorization": "Bearer reader"}).status_code == 200
        assert private.get("/api/firms", headers=AUTH).status_code == 200
        assert private.get("/api/health").status_code == 200


def test_openapi_schema_describes_the_api(client: TestClient) -> None:
    schema = client.get("/api/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    paths = schema["paths"]
    for path in (
        "/api/firms",
        "/api/firms/{firm}",
        "/api/firms/{firm}/filings",
        "/api/firms/{firm}/versions/{end_date}",
        "/api/firms/{firm}/history",
        "/api/firms/{firm}/chart",
        "/api/filings/{filing_id}",
        "/api/validate",
        "/api/filings",
    ):
        assert path in paths, path
    assert not any(p == "/" or p.startswith(("/upload", "/firms/", "/static")) for p in paths)
    post = paths["/api/filings"]["post"]
    assert "multipart/form-data" in post["requestBody"]["content"]
    assert {"201", "401", "413", "422"} <= set(post["responses"])
    point = schema["components"]["schemas"]["PointOut"]["properties"]["value"]
    assert point["type"] == "string"
    figures = schema["components"]["schemas"]["StatementFigures"]["properties"]
    assert all("number" not in str(prop) for prop in figures.values())
    error = schema["components"]["schemas"]["ErrorBody"]
    assert error["properties"]["error"]["$ref"].endswith("ErrorDetail")


def test_monitor_findings_name_their_day(client: TestClient) -> None:
    found = client.get("/api/firms/beta-b-clearing-b-and-script-alert-x-script/findings").json()
    deficiencies = [(f["end_date"], f["statement"], f["actual"]) for f in found if f["rule"] == "deficiency"]
    assert ("2024-03-28", "segregation", "-200") in deficiencies and ("2024-03-27", "segregation", "-100") in deficiencies
    amended = client.get(
        "/api/firms/alpha-futures/findings", params={"from": AMENDED_DAY.isoformat(), "to": AMENDED_DAY.isoformat()}
    ).json()
    assert any(f["rule"] == "amended" and f["end_date"] == AMENDED_DAY.isoformat() for f in amended)


@pytest.mark.slow  # seconds of work: runs in the full suite, not in the fast tier
def test_downloads_in_every_format(client: TestClient, seeded_url: str) -> None:
    with Store.open(seeded_url) as store:
        [citi] = store.filings("citigroup-global-markets")
    for fmt, start in (("text", b"\n"), ("json", b"{"), ("csv", b"firm,"), ("pdf", b"%PDF")):
        answer = client.get(f"/filings/{citi.id}/download/{fmt}")
        assert answer.status_code == 200 and answer.content.startswith(start), fmt
        assert answer.headers["content-disposition"].startswith('attachment; filename="daily-seg-citigroup-global-markets-2013-07-25-v1.')
    assert dailyseg.read(client.get(f"/filings/{citi.id}/download/text").content).filing[7190] == Decimal(371003045)
    assert client.get(f"/filings/{citi.id}/download/..%2F..%2Fetc%2Fpasswd").status_code == 404


def test_chart_data_follows_new_filings(fresh_client: TestClient, sample: bytes) -> None:
    fresh_client.post("/api/filings", files={"file": ("citi.txt", sample)}, headers=AUTH)
    chart = "/api/firms/citigroup-global-markets/chart"
    assert fresh_client.get(chart).json()["statements"]["segregation"]["series"]["excess"] == ["371003045"]
    amended = render_json(dailyseg.read(sample).filing).replace('"status": "INITIAL"', '"status": "AMENDED"')
    fresh_client.post("/api/filings", files={"file": ("a.json", amended.replace('"371003045"', '"371003046"').encode())}, headers=AUTH)
    after = fresh_client.get(chart).json()
    assert after["statements"]["segregation"]["series"]["excess"] == ["371003046"] and after["amended"] == [True]
