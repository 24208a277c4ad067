"""The daily close in real Chromium against `dailyseg serve`, and two approvals at once through the web.

The walk-through is the team's day: a preparer computes the draft from the demo books, a second preparer
reviews it with a comment on a line, a signer approves it, the preparer marks it filed, and each signs out.
"""

from __future__ import annotations

import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Page, expect

import dailyseg
from dailyseg.compute.demo import generate
from dailyseg.store import Store, workflow
from dailyseg.store.audit import entries, verify
from dailyseg.store.people import authenticate
from dailyseg.store.sessions import SESSION_COOKIE, sign_in
from dailyseg.web import Settings, create_app
from tests.web.signing import PASSWORD, add_team, form_token
from tests.web.signing import sign_in as sign_in_client
from tests.web.support import SAMPLE, Console, Server, screenshot, start_server, stop_server

pytestmark = pytest.mark.slow  # a server of its own, Argon2 sign-ins, a computation from books


@pytest.fixture(scope="module")
def close_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("close-server")
    url = f"sqlite:///{tmp / 'store.sqlite'}"
    with Store.open(url) as store:
        add_team(store)
    books = tmp / "books"
    generate(books, accounts=60, positions_per_account=2, target=dailyseg.read(SAMPLE).filing)
    running = start_server(tmp, url, books={"demo": books})
    yield running
    stop_server(running)


def _sign_in(page: Page, server: Server, name: str) -> None:
    page.goto(server.url + "/closes")  # not signed in: the sign-in page, coming back here
    expect(page).to_have_url(server.url + "/login?next=/closes")
    page.get_by_label("User name").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Daily closes")).to_be_visible()
    expect(page.locator("header .who")).to_have_text(f"Signed in as {name}")


def _sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.locator("header .account")).to_contain_text("Sign in")


def test_the_daily_close_from_draft_to_filed(page: Page, console: Console, close_server: Server) -> None:
    page.goto(close_server.url + "/login")
    screenshot(page, "login")
    _sign_in(page, close_server, "pat")
    page.get_by_role("button", name="Compute and make the draft").click()
    expect(page.locator("#state")).to_have_text("draft", timeout=90_000)  # the first computation warms the engine
    expect(page.get_by_role("heading", level=1)).to_contain_text("Citigroup Global Markets Inc. 2013-07-25")
    expect(page.locator("#line-7190")).to_contain_text("371,003,045")
    close_url = page.url
    page.get_by_role("button", name="Mark reviewed").click()  # pat made it: four eyes refuse
    expect(page.locator("#refusal")).to_contain_text("pat made close 1 and may not review it: another person must")
    _sign_out(page)

    _sign_in(page, close_server, "quinn")
    page.get_by_role("link", name="close 1").click()
    page.get_by_label("Comments, one a line").fill("7040=ties to the ledger\nchecked against the bank letters")
    screenshot(page, "close-draft")
    page.get_by_role("button", name="Mark reviewed").click()
    expect(page.locator("#state")).to_have_text("reviewed")
    expect(page.locator("ul.comments")).to_contain_text("line 7040: ties to the ledger")
    expect(page.locator("ul.comments")).to_contain_text("whole filing: checked against the bank letters")
    expect(page.get_by_text("Approving needs a signer other than pat.")).to_be_visible()
    _sign_out(page)

    _sign_in(page, close_server, "sam")
    page.goto(close_url)
    page.get_by_role("button", name="Approve").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#state")).to_have_text("approved")
    page.get_by_label("The filing system's reference").fill("WJ-123")
    page.get_by_role("button", name="Mark filed").click()
    expect(page.locator("#state")).to_have_text("filed")
    expect(page.locator(".facts")).to_contain_text("by sam, reference WJ-123")
    screenshot(page, "close-filed")
    page.get_by_role("link", name="Closes").click()
    row = page.locator("#closes tbody tr").first
    expect(row).to_contain_text("filed")
    expect(row).to_contain_text("2013-07-26 12:00")  # due at noon New York time of the next business day
    expect(row).to_contain_text("filed late")
    screenshot(page, "closes")
    page.get_by_role("link", name="Audit").click()
    expect(page.locator("#entries")).to_contain_text("approve")
    page.get_by_role("link", name="Verify the chain and every stored filing").click()
    expect(page.locator("#verified")).to_contain_text("Verified:")
    screenshot(page, "audit")
    _sign_out(page)

    _sign_in(page, close_server, "alice")
    page.get_by_role("link", name="Users").click()
    page.get_by_text("Change vic").click()
    page.get_by_role("button", name="Issue a token for vic").click()
    expect(page.locator("#issued-token")).to_contain_text("dst_")
    screenshot(page, "admin")
    _sign_out(page)
    assert console.errors == ["Failed to load resource: the server responded with a status of 403 (Forbidden)"]
    with Store.open(close_server.db_url) as store:
        done = [(e.actor, e.action) for e in entries(store) if e.subject == "close 1"]
        assert done == [("pat", "draft"), ("quinn", "review"), ("sam", "approve"), ("sam", "file")]
        assert verify(store).ok


def test_the_upload_page_asks_a_viewer_to_sign_in_as_a_preparer(page: Page, console: Console, close_server: Server) -> None:
    _sign_in(page, close_server, "vic")
    page.goto(close_server.url + "/upload")
    page.set_input_files("#file", str(SAMPLE))
    page.locator("details.store summary").click()
    page.get_by_role("button", name="Validate and store").click()
    expect(page.get_by_role("alert")).to_contain_text("vic may not store filings: sign in as a preparer to store")
    expect(page.locator(".verdict")).to_contain_text("Citigroup Global Markets Inc. 2013-07-25 INITIAL: valid")
    screenshot(page, "upload-refused")
    assert console.errors == ["Failed to load resource: the server responded with a status of 403 (Forbidden)"]


# -- two approvals at once, through the web, on both databases -------------------------------------------
def _approve(server: Server, close_id: int, session_id: str, csrf_cookie: str, token: str) -> tuple[int, str]:
    body = urllib.parse.urlencode({"csrf_token": token}).encode()
    request = urllib.request.Request(f"{server.url}/closes/{close_id}/approve", data=body, method="POST")
    request.add_header("Cookie", f"{SESSION_COOKIE}={session_id}; dailyseg_csrf={csrf_cookie}")
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:  # a step that worked: 303 to the close's page
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as refused:
        return refused.code, refused.read().decode()


def _at_once(server: Server, close_id: int, sessions: dict[str, str], csrf_cookie: str, token: str) -> dict[str, tuple[int, str]]:
    """Each signer's approval of the close, sent together from threads of their own; each one's status and page."""
    barrier = threading.Barrier(len(sessions))
    results: dict[str, tuple[int, str]] = {}

    def approve(name: str) -> None:
        barrier.wait()
        results[name] = _approve(server, close_id, sessions[name], csrf_cookie, token)

    threads = [threading.Thread(target=approve, args=(name,)) for name in sessions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    return results


def _form_token(server: Server) -> tuple[str, str]:
    with urllib.request.urlopen(server.url + "/login", timeout=30) as answer:
        cookie = answer.headers["set-cookie"].split(";")[0].split("=", 1)[1]
        return cookie, form_token(answer.read().decode())


def test_two_signers_approving_at_once_through_the_web(store_url: str, tmp_path: Path) -> None:
    filing = dailyseg.read(SAMPLE).filing
    with Store.open(store_url) as store:
        add_team(store)
        with store.engine.connect() as conn:
            pat, quinn = (authenticate(conn, name=n, password=PASSWORD) for n in ("pat", "quinn"))
        sessions = {name: sign_in(store, Settings(), name, PASSWORD, "127.0.0.1")[1] for name in ("sam", "sid")}
        server = start_server(tmp_path, store_url)
        try:
            csrf_cookie, token = _form_token(server)
            for attempt in range(3):
                day = replace(filing, header=replace(filing.header, end_date=date(2013, 7, 25 + attempt)))
                close_id = workflow.draft(store, pat, day, source="s", errors=[]).id
                workflow.review(store, quinn, close_id)
                results = _at_once(server, close_id, sessions, csrf_cookie, token)
                statuses = sorted(status for status, _ in results.values())
                assert statuses == [200, 409], results
                winner = workflow.get_close(store, close_id).approved_by
                [loser_text] = [text for status, text in results.values() if status == 409]
                assert f"close {close_id} is approved (by {winner}), not reviewed: nothing was done" in loser_text
            assert verify(store).ok
        finally:
            stop_server(server)


def test_error_findings_need_a_written_override_to_approve_on_the_web(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    with Store.open(url) as store:
        add_team(store)
        with store.engine.connect() as conn:
            pat, quinn = (authenticate(conn, name=n, password=PASSWORD) for n in ("pat", "quinn"))
        made = workflow.draft(store, pat, dailyseg.read(SAMPLE).filing, source="s", errors=["S1: 7040 does not foot"])
        workflow.review(store, quinn, made.id)
        with TestClient(create_app(Settings(db_url=url, heavy_workers=1))) as client:
            sign_in_client(client, "sam")
            page = client.get(f"/closes/{made.id}")
            assert "Override reason (the draft has 1 error finding: approving needs a written reason)" in page.text
            token = form_token(page.text)
            refused = client.post(f"/closes/{made.id}/approve", data={"csrf_token": token})
            assert refused.status_code == 422 and "has 1 error findings (S1: 7040 does not foot)" in refused.text
            done = client.post(f"/closes/{made.id}/approve", data={"csrf_token": token, "override": "the bank letter came late"})
            assert done.status_code == 200 and "errors overridden: the bank letter came late" in done.text
            assert client.get("/closes/99").status_code == 404
        assert workflow.get_close(store, made.id).override_reason == "the bank letter came late"


def test_an_uploaded_document_becomes_the_days_draft(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    with Store.open(url) as store:
        add_team(store)
        with TestClient(create_app(Settings(db_url=url, heavy_workers=1))) as client:

            def draft_upload() -> tuple[int, str, str]:
                data = {"csrf_token": form_token(client.get("/upload").text), "action": "draft"}
                answer = client.post("/upload", data=data, files={"file": ("citi.txt", SAMPLE.read_bytes())}, follow_redirects=False)
                return answer.status_code, answer.headers.get("location", ""), answer.text

            sign_in_client(client, "sam")
            status, _, text = draft_upload()
            assert status == 403 and "sam may not prepare or review filings: sign in as a preparer to make the day&#39;s draft" in text
            sign_in_client(client, "pat")
            assert "Validate and make the draft" in client.get("/upload").text
            assert draft_upload()[:2] == (303, "/closes/1")
        made = workflow.get_close(store, 1)
        assert (made.state, made.prepared_by, made.errors) == ("draft", "pat", ())
