"""The same data gives the same JSON from the command line and from the API (both come from dailyseg.shapes).

Each test asks the command line (`--json`) and the API in process (FastAPI's TestClient) the same question,
over the seeded store or the same document, and compares the two answers whole. A document is given to the
command line by a relative path and uploaded under the same name, so its `source` is the same text too.
"""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

import dailyseg
from dailyseg.cli import main
from dailyseg.filing import Filing
from dailyseg.render import render_json
from dailyseg.shapes import FindingOut, PointOut, StatementFigures, VersionOut
from tests.web.support import ALPHA, AMENDED_DAY, SAMPLE, WRITE_TOKEN

FIRMS = ("alpha-futures", "beta-b-clearing-b-and-script-alert-x-script", "citigroup-global-markets")


def cli_json(*arguments: str, code: int | None = None) -> Any:
    done = CliRunner().invoke(main, list(arguments), catch_exceptions=False)
    if code is not None:
        assert done.exit_code == code, done.output
    return json.loads(done.stdout)


def api_json(client: TestClient, path: str, **params: Any) -> Any:
    answer = client.get(path, params=params)
    assert answer.status_code == 200, answer.text
    return answer.json()


def faulty_document() -> bytes:
    """Two filings: one made with `Filing.of` that is in deficiency, does not foot and holds cents; the sample."""
    sample = dailyseg.read(SAMPLE).filing
    amounts: dict[int | str, Decimal] = dict(sample.amounts.items())
    amounts |= {"7190": Decimal("-1304549.23"), "7520": Decimal("0.00")}
    header = replace(sample.header, firm_name="Made By Hand LLC")
    made = Filing.of(header, amounts, layout=sample.layout)
    return render_json([made, sample]).encode("utf-8")


@pytest.mark.parametrize("strict", [False, True])
def test_validate_on_the_command_line_is_post_api_validate(
    client: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, strict: bool
) -> None:
    content = faulty_document()
    monkeypatch.chdir(tmp_path)
    Path("two.json").write_bytes(content)
    cli = cli_json("validate", "--json", "two.json", *(["--strict"] if strict else []), code=1)
    answer = client.post("/api/validate", files={"file": ("two.json", content)}, params={"strict": strict})
    assert answer.status_code == 200
    assert cli == answer.json()
    made, sample = cli["filings"]
    rules = {f["rule"] for f in made["findings"]}
    assert {"deficiency", "formulas"} <= rules and sample["findings"] == []
    deficiency = next(f for f in made["findings"] if f["rule"] == "deficiency")
    assert deficiency["actual"] == "-1304549.23"
    assert cli["tier"] == ("strict" if strict else "basic") and cli["tolerance"] == "0"


def test_an_unreadable_document_is_the_same_report(client: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("empty.txt").write_bytes(b"")
    cli = cli_json("validate", "--json", "empty.txt", code=2)
    api = client.post("/api/validate", files={"file": ("empty.txt", b"")}).json()
    assert cli == api
    assert cli["ok"] is False and cli["filings"] == [] and cli["problems"][0]["severity"] == "fatal"


@pytest.mark.parametrize("as_of", [None, "2024-03-01"])
def test_firms(client: TestClient, seeded_url: str, as_of: str | None) -> None:
    chosen = ["--as-of", as_of] if as_of else []
    cli = cli_json("firms", "--db", seeded_url, "--json", *chosen, code=0)
    api = api_json(client, "/api/firms", **({"as_of": as_of} if as_of else {}))
    assert cli == api
    listed = {f["firm_id"] for f in cli}
    assert listed == (set(FIRMS) if as_of is None else set(FIRMS) - {FIRMS[1]})  # beta first filed on 2024-03-27
    for firm in cli:
        assert api_json(client, f"/api/firms/{firm['firm_id']}", **({"as_of": as_of} if as_of else {})) == firm


@pytest.mark.parametrize("firm", FIRMS)
def test_a_firms_filings(client: TestClient, seeded_url: str, firm: str) -> None:
    cli = cli_json("filings", firm, "--db", seeded_url, "--json", code=0)
    assert cli == api_json(client, f"/api/firms/{firm}/filings")
    assert cli and set(cli[0]) == set(VersionOut.model_fields)
    records = cli_json("filings", firm, "--db", seeded_url, "--json", "--record-only", "--from", "2024-03-01", "--to", "2024-03-20")
    assert records == api_json(client, f"/api/firms/{firm}/filings", record_only=True, **{"from": "2024-03-01", "to": "2024-03-20"})


def test_a_firms_filings_by_name_and_an_amended_day(client: TestClient, seeded_url: str) -> None:
    day = AMENDED_DAY.isoformat()
    cli = cli_json("filings", ALPHA, "--db", seeded_url, "--json", "--from", day, "--to", day, code=0)
    assert [v["status"] for v in cli] == ["INITIAL", "AMENDED"]
    assert cli == api_json(client, f"/api/firms/{ALPHA}/filings", **{"from": day, "to": day})
    assert cli == api_json(client, f"/api/firms/alpha-futures/versions/{day}")


def test_history(client: TestClient, seeded_url: str) -> None:
    period = {"from": "2024-02-01", "to": "2024-03-20"}
    cli = cli_json(
        "history",
        "alpha-futures",
        "--code",
        "7190",
        "--code",
        "7060",
        "--from",
        period["from"],
        "--to",
        period["to"],
        "--db",
        seeded_url,
        "--json",
    )
    assert cli == api_json(client, "/api/firms/alpha-futures/history", code=["7190", "7060"], **period)
    assert cli["firm_id"] == "alpha-futures" and cli["codes"] == ["7190", "7060"]
    assert cli["points"] and set(cli["points"][0]) == set(PointOut.model_fields)
    assert any(p["amended"] for p in cli["points"])


@pytest.mark.parametrize("firm", FIRMS)
def test_the_monitors_findings(client: TestClient, seeded_url: str, firm: str) -> None:
    cli = cli_json("monitor", firm, "--db", seeded_url, "--json")
    assert cli["findings"] == api_json(client, f"/api/firms/{firm}/findings")
    assert cli["rules"] == [r["id"] for r in cli["rule_details"].values()]


def test_the_monitors_findings_over_a_period(client: TestClient, seeded_url: str) -> None:
    period = {"from": "2024-03-01", "to": "2024-03-28"}
    beta = FIRMS[1]
    cli = cli_json("monitor", beta, "--from", period["from"], "--to", period["to"], "--db", seeded_url, "--json")
    assert cli["findings"] == api_json(client, f"/api/firms/{beta}/findings", **period)
    assert "deficiency" in {f["rule"] for f in cli["findings"]}
    assert list(cli["findings"][0])[:2] == ["firm_id", "end_date"]
    assert set(cli["findings"][0]) == {"firm_id", "end_date", *FindingOut.model_fields}


def test_rules(client: TestClient) -> None:
    assert cli_json("rules", "--json", code=0) == api_json(client, "/api/rules")


def test_storing_a_document(fresh_client: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`ingest --json` and POST /api/filings say the same of each filing (the reports around them differ:
    many documents on the command line, one upload with its read problems in the API)."""
    monkeypatch.chdir(tmp_path)
    Path("citi.txt").write_bytes(SAMPLE.read_bytes())
    cli = cli_json("ingest", "citi.txt", "--db", f"sqlite:///{tmp_path / 'cli.sqlite'}", "--json", code=0)
    answer = fresh_client.post(
        "/api/filings", files={"file": ("citi.txt", SAMPLE.read_bytes())}, headers={"Authorization": f"Bearer {WRITE_TOKEN}"}
    )
    assert answer.status_code == 201
    assert cli["outcomes"] == answer.json()["outcomes"]
    assert [o["status"] for o in cli["outcomes"]] == ["stored"]


def test_amounts_are_the_exact_text(client: TestClient) -> None:
    """No amount field is a JSON number (which most readers turn into a float) in the schema or the answers."""
    schema = api_json(client, "/api/openapi.json")["components"]["schemas"]
    for name in ("FindingOut", "PointOut", "StatementFigures"):
        assert "number" not in json.dumps(schema[name]), name
    assert set(schema["StatementFigures"]["properties"]) == set(StatementFigures.model_fields)
    beta = api_json(client, f"/api/firms/{FIRMS[1]}")
    assert beta["statements"]["segregation"]["excess_percent"] == "-20.00"
