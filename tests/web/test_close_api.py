"""The daily close on the JSON API (`/api/closes`), on SQLite and PostgreSQL (`store_url`).

The team of tests/web/signing.py acts with personal tokens (`dst_...`): pat drafts, quinn reviews, sam approves,
pat files. The API's steps are the workflow's (store/workflow.py), so what is checked here is what HTTP adds:
the statuses of refusals, the error shape, the JSON of each answer, and that `dailyseg closes --format json`
writes what `GET /api/closes` answers.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from httpx2 import Response

import dailyseg
from dailyseg.cli import main
from dailyseg.compute.demo import generate
from dailyseg.store import Store
from dailyseg.store.people import add_user, issue_token
from dailyseg.web import Settings, create_app
from tests.web.signing import PASSWORD, TEAM, sign_in
from tests.web.support import SAMPLE, WRITE_TOKEN

pytestmark = pytest.mark.slow  # Argon2 for each of the team, a computation from books, a worker process for uploads

FIRM = "citigroup-global-markets"
DAY = "2013-07-25"


@dataclass
class Api:
    client: TestClient
    tokens: dict[str, str]
    db_url: str

    def as_(self, name: str | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[name]}"} if name else {}

    def post(self, name: str | None, path: str, **given: Any) -> Response:
        return self.client.post(path, headers=self.as_(name), **given)

    def get(self, name: str | None, path: str, **given: Any) -> Response:
        return self.client.get(path, headers=self.as_(name), **given)


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Demo books whose computed filing is the sample, value for value (Citigroup, 2013-07-25)."""
    folder = tmp_path_factory.mktemp("close-api") / "demo"
    generate(folder, accounts=60, positions_per_account=2, target=dailyseg.read(SAMPLE).filing)
    return folder


@pytest.fixture
def api(store_url: str, books: Path) -> Iterator[Api]:
    with Store.open(store_url) as store:
        admin = add_user(store, None, "alice", PASSWORD, ["admin"])
        for name, roles in TEAM.items():
            add_user(store, admin, name, PASSWORD, roles)
        tokens = {name: issue_token(store, admin, name)[1] for name in TEAM}
    settings = Settings(db_url=store_url, write_token=WRITE_TOKEN, books={"demo": books}, heavy_workers=1)
    with TestClient(create_app(settings)) as client:
        yield Api(client, tokens, store_url)


def broken_document() -> bytes:
    """The sample with 7040 a dollar off: formula S1 no longer holds, an error finding the signer must face."""
    return SAMPLE.read_bytes().replace(b"<u>6,948,252,676</u> [7040]", b"<u>6,948,252,677</u> [7040]")


def ok(answer: Response, status: int = 200) -> Any:
    assert answer.status_code == status, answer.text
    return answer.json()


def refused(answer: Response, status: int, words: str) -> None:
    """An API error: the status, and the error shape carrying it and the reason."""
    assert answer.status_code == status, answer.text
    error = answer.json()["error"]
    assert error["status"] == status and words in error["message"], error


def draft(api: Api, name: str = "pat", document: bytes | None = None) -> dict[str, Any]:
    """The sample's day drafted by `name` from an uploaded document (the broken one by default)."""
    content = broken_document() if document is None else document
    return ok(api.post(name, "/api/closes", files={"file": ("citi.txt", content)}), 201)  # type: ignore[no-any-return]


def test_the_close_from_draft_to_filed_and_amended(api: Api) -> None:
    made = draft(api)
    assert made["state"] == "draft" and made["firm_id"] == FIRM and made["end_date"] == DAY and made["status"] == "INITIAL"
    assert made["prepared_by"] == "pat" and made["reviewed_by"] is None and made["comments"] == []
    assert [e.split(":")[:2] for e in made["errors"]] == [["formulas", " S1"], ["formulas", " S3"]]
    assert made["due_at"] == "2013-07-26T12:00:00-04:00" and made["late"] is True  # noon New York time of the next business day
    close = f"/api/closes/{made['id']}"

    comments = [{"code": "7040", "text": "ties to the ledger"}, {"text": " checked against the bank letters "}]
    reviewed = ok(api.post("quinn", f"{close}/review", json={"comments": comments}))
    assert reviewed["state"] == "reviewed" and reviewed["reviewed_by"] == "quinn"
    said = [(c["author"], c["code"], c["text"]) for c in reviewed["comments"]]
    assert said == [("quinn", "7040", "ties to the ledger"), ("quinn", None, "checked against the bank letters")]

    refused(api.post("sam", f"{close}/approve"), 422, "has 2 error findings (formulas: S1")
    approved = ok(api.post("sam", f"{close}/approve", json={"override": "the ledger is right; the statement is resubmitted"}))
    assert approved["state"] == "approved" and approved["approved_by"] == "sam"
    assert approved["override_reason"] == "the ledger is right; the statement is resubmitted"

    filed = ok(api.post("pat", f"{close}/file", json={"at": "2013-07-26T11:40", "reference": "WJ-123"}))
    assert filed["state"] == "filed" and filed["filed_by"] == "pat" and filed["reference"] == "WJ-123"
    assert filed["filed_at"] == "2013-07-26T15:40:00+00:00" and filed["late"] is False  # 11:40 on New York's clock, before noon

    detail = ok(api.get("vic", close))  # any member reads
    assert {k: v for k, v in detail.items() if k not in ("steps", "filing")} == filed
    assert [(s["action"], s["actor"]) for s in detail["steps"]] == [
        ("draft", "pat"),
        ("review", "quinn"),
        ("approve", "sam"),
        ("file", "pat"),
    ]
    assert all(s["at"].endswith("+00:00") for s in detail["steps"])
    figures = dict(detail["filing"]["statements"])
    assert figures["segregation"]["7040"] == "6948252677" and figures["segregation"]["7190"] == "371003045"

    refused(api.post("pat", "/api/closes", data={"books": "demo"}), 409, "was filed")
    amended = ok(api.post("pat", f"{close}/amend", json={"books": "demo", "reason": "7040 mistyped"}), 201)
    assert amended["status"] == "AMENDED" and amended["state"] == "draft" and amended["errors"] == []
    assert amended["amends"] == made["id"] and amended["amend_reason"] == "7040 mistyped"
    refused(api.post("pat", f"/api/closes/{amended['id']}/amend", json={"books": "demo", "reason": "again"}), 409, "not filed")

    listed = ok(api.get("sam", "/api/closes", params={"firm": "Citigroup Global Markets Inc.", "from": DAY, "to": DAY}))
    assert [(c["id"], c["state"]) for c in listed] == [(made["id"], "filed"), (amended["id"], "draft")]
    assert ok(api.get("sam", "/api/closes", params={"state": "draft"})) == [amended]
    assert ok(api.get("sam", "/api/closes", params={"firm": "someone-else"})) == []


def test_a_draft_from_books_supersedes_the_open_one(api: Api) -> None:
    first = draft(api)
    second = ok(api.post("quinn", "/api/closes", data={"books": "demo"}), 201)
    assert second["prepared_by"] == "quinn" and second["errors"] == [] and second["end_date"] == DAY
    assert ok(api.get("pat", f"/api/closes/{first['id']}"))["state"] == "superseded"
    refused(api.post("pat", f"/api/closes/{first['id']}/review"), 409, f"close {first['id']} is superseded, not draft")


def test_four_eyes_and_roles(api: Api) -> None:
    made = draft(api)
    close = f"/api/closes/{made['id']}"
    refused(api.post("pat", f"{close}/review"), 403, "pat made close")
    refused(api.post("vic", "/api/closes", data={"books": "demo"}), 403, "vic may not prepare or review filings")
    refused(api.post(None, "/api/closes", data={"books": "demo"}), 401, "send a token")
    refused(api.post(None, f"{close}/review"), 401, "send a token")
    service = api.client.post(f"{close}/review", headers={"Authorization": f"Bearer {WRITE_TOKEN}"})
    refused(service, 403, "service may not")  # the shared write token holds no role of the close
    refused(api.get(None, "/api/closes"), 401, "send a token")
    ok(api.post("quinn", f"{close}/review"))
    refused(api.post("quinn", f"{close}/approve"), 403, "quinn may not approve filings")
    # A signed-in browser's cookie does not write through the API: only bearer tokens do (no forgery from other sites).
    assert sign_in(api.client, "sam").status_code == 303
    refused(api.client.post(f"{close}/approve", json={"override": "x"}), 401, "send a token")
    assert ok(api.client.get(close))["state"] == "reviewed"  # the cookie still reads


def test_bad_requests(api: Api) -> None:
    made = draft(api)
    close = f"/api/closes/{made['id']}"
    refused(api.post("quinn", f"{close}/review", json={"comments": [{"code": "line 7", "text": "x"}]}), 422, "comments.0.code")
    refused(api.post("quinn", f"{close}/review", json={"comments": [{"text": "  "}]}), 422, "comments.0.text")
    refused(api.post("quinn", f"{close}/review", json={"comments": [{"text": "a\x00b"}]}), 422, "NUL")
    refused(api.post("quinn", f"{close}/review", json={"comment": "typo"}), 422, "comment")
    refused(api.post("sam", f"{close}/approve"), 409, "is draft, not reviewed")
    ok(api.post("quinn", f"{close}/review"))
    refused(api.post("sam", f"{close}/approve", json={"overide": "misspelt"}), 422, "overide")
    refused(api.post("sam", f"{close}/approve", json={"override": " "}), 422, "override")
    ok(api.post("sam", f"{close}/approve", json={"override": "accepted"}))
    refused(api.post("pat", f"{close}/file", json={"at": "yesterday"}), 422, "is not a date and time")
    refused(api.post("pat", f"{close}/file", json={"at": "2199-01-01T10:00"}), 422, "is in the future")
    refused(api.post("pat", f"{close}/file", json={"reference": "x" * 201}), 422, "reference")
    refused(api.post("pat", "/api/closes/999/file"), 404, "no close 999")
    refused(api.get("pat", "/api/closes/999"), 404, "no close 999")
    refused(api.post("pat", "/api/closes"), 422, "either `books`")
    refused(api.post("pat", "/api/closes", data={"books": "demo"}, files={"file": ("citi.txt", b"x")}), 422, "either `books`")
    refused(api.post("pat", "/api/closes", data={"books": "nowhere"}), 404, "no books named 'nowhere'")
    refused(
        api.post("pat", "/api/closes", files={"file": ("two.txt", SAMPLE.read_bytes() * 2)}), 422, "a draft is one filing: two.txt holds 2"
    )
    refused(api.post("pat", f"{close}/amend", json={"books": "demo"}), 422, "reason")
    refused(api.get("pat", "/api/closes", params={"state": "lost"}), 422, "state")
    refused(api.get("pat", "/api/closes", params={"from": "2024-02-01", "to": "2024-01-01"}), 422, "is after")


def test_two_approvals_at_once_one_wins_the_other_is_told(api: Api) -> None:
    made = draft(api)
    close = f"/api/closes/{made['id']}"
    ok(api.post("quinn", f"{close}/review"))
    barrier = threading.Barrier(2)
    answers: dict[str, Response] = {}

    def approve(name: str) -> None:
        barrier.wait()
        answers[name] = api.post(name, f"{close}/approve", json={"override": f"{name} accepts"})

    threads = [threading.Thread(target=approve, args=(name,)) for name in ("sam", "sid")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(a.status_code for a in answers.values()) == [200, 409], {n: a.text for n, a in answers.items()}
    winner = next(n for n, a in answers.items() if a.status_code == 200)
    loser = next(n for n, a in answers.items() if a.status_code == 409)
    refused(answers[loser], 409, f"is approved (by {winner})")
    detail = ok(api.get("pat", close))
    assert detail["approved_by"] == winner and [s["actor"] for s in detail["steps"] if s["action"] == "approve"] == [winner]


def test_closes_on_the_command_line_is_get_api_closes(api: Api) -> None:
    made = draft(api)
    ok(api.post("quinn", f"/api/closes/{made['id']}/review", json={"comments": [{"code": "7040", "text": "ties"}]}))
    ok(api.post("quinn", "/api/closes", data={"books": "demo"}), 201)

    def cli(*arguments: str) -> Any:
        done = CliRunner().invoke(main, ["closes", *arguments, "--db", api.db_url, "--format", "json"], catch_exceptions=False)
        assert done.exit_code == 0, done.output
        return done.stdout

    listed = ok(api.get("vic", "/api/closes"))
    assert [c["state"] for c in listed] == ["superseded", "draft"]
    assert json.loads(cli()) == listed
    chosen = {"from": DAY, "to": DAY}
    assert json.loads(cli(FIRM, "--from", DAY, "--to", DAY)) == ok(api.get("vic", "/api/closes", params={"firm": FIRM, **chosen}))


def test_the_schema_lists_the_close_api() -> None:
    schema = ok(TestClient(create_app(Settings())).get("/api/openapi.json"))
    operations = {(method.upper(), path) for path, item in schema["paths"].items() if path.startswith("/api/closes") for method in item}
    assert operations == {
        ("GET", "/api/closes"),
        ("POST", "/api/closes"),
        ("GET", "/api/closes/{close_id}"),
        *(("POST", f"/api/closes/{{close_id}}/{step}") for step in ("review", "approve", "file", "amend")),
    }
    assert all(item[m]["tags"] == ["closes"] for p, item in schema["paths"].items() if p.startswith("/api/closes") for m in item)
    assert {"CloseOut", "CloseDetail", "ReviewIn", "ApproveIn", "FileIn", "AmendIn"} <= set(schema["components"]["schemas"])
