"""Withdrawals on the web and the API, on SQLite and PostgreSQL: within 25% no approval is needed; past it a
signer other than the recorder approves before it is executed; before the prior day's computation it is refused
with 17 CFR 1.23(b); who may do what; the API's JSON is the command line's; the page at 390 px in Chromium."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from playwright.sync_api import Page, expect

from dailyseg.cli import main
from dailyseg.store import Store
from dailyseg.store.audit import entries, verify
from dailyseg.store.synthetic import daily_filing
from dailyseg.store.withdrawals import list_withdrawals
from tests.web.ledger_support import Office
from tests.web.signing import PASSWORD, add_team
from tests.web.support import Console, screenshot, start_server, stop_server
from tests.web.test_accessibility import PHONE, problems_of

pytestmark = pytest.mark.slow  # Argon2 sign-ins

FIRM = "Acme Futures LLC"
MONDAY = date(2024, 3, 4)
TUESDAY, WEDNESDAY = "2024-03-05T10:00", "2024-03-06T10:00"  # New York time, as the page's field sends it


def _monday(store: Store) -> None:
    """Monday's filing: residual interest 1,000,000 in each class, target 600,000 (25% is 250,000)."""
    filing = daily_filing(FIRM, MONDAY, requirement=Decimal(10_000_000), funds=Decimal(11_000_000), target=Decimal(600_000))
    store.ingest_filing(filing, source="test")


def _form(amount: str, at: str = TUESDAY, **more: str) -> dict[str, str]:
    asked = {"firm": FIRM, "statement": "segregation", "amount": amount, "recipient": "Parent Holdings", "purpose": "dividend"}
    return asked | {"at": at} | more


def _row(team: Office, withdrawal_id: int) -> str:
    page = team.browser("vic").get("/withdrawals").text
    return page.split(f'<tr id="withdrawal-{withdrawal_id}">')[1].split("</tr>")[0]


def _recorded(team: Office, name: str, amount: str) -> int:
    status, location, text = team.post(name, "/withdrawals", _form(amount))
    assert status == 303, text
    return int(location.rsplit("-", 1)[1])


def test_within_and_past_25_percent_with_four_eyes(team: Office) -> None:
    _monday(team.store)
    small = _recorded(team, "pat", "100,000")
    assert "not needed" in _row(team, small) and "none" in _row(team, small)
    assert team.post("pat", f"/withdrawals/{small}/execute")[0] == 303
    assert "executed" in _row(team, small)

    big = _recorded(team, "pat", "200000")  # with the first: 300,000, past 250,000
    row = _row(team, big)
    assert "needed: past 25%" in row and 'href="/notices/' in row and "a signer other than pat approves it" in row
    status, _, refused = team.post("pat", f"/withdrawals/{big}/execute")
    assert status == 409 and "needs a signer&#39;s approval before it is executed (17 CFR 1.23(d))" in refused
    assert 'id="refusal"' in refused

    own = _recorded(team, "both", "10")  # past 25% too: the series is over it
    status, _, refused = team.post("both", f"/withdrawals/{own}/approve")
    assert status == 403 and f"both recorded withdrawal {own} and may not approve it: another person must" in refused
    assert team.post("sam", f"/withdrawals/{big}/approve")[0] == 303
    assert "approved sam" in _row(team, big)
    assert team.post("pat", f"/withdrawals/{big}/execute")[0] == 303
    assert "executed pat" in _row(team, big)
    assert team.post("sam", f"/withdrawals/{big}/approve")[0] == 409  # not recorded any more

    page = team.browser("vic").get("/withdrawals").text
    standings = page.split('id="standings"')[1]
    # Residual interest 1,000,000 less 300,010 withdrawn: 699,990, above the target of 600,000.
    for figure in ("2024-03-04", "1,000,000", "300,010", "699,990", "600,000", "at or above"):
        assert figure in standings, figure
    done = [e.action for e in entries(team.store) if (e.subject or "").startswith("withdrawal")]
    assert done.count("withdrawal-record") == 3 and "withdrawal-approve" in done and done.count("withdrawal-execute") == 2
    assert verify(team.store).ok


def test_before_the_prior_days_computation_it_is_refused_with_the_citation(team: Office) -> None:
    _monday(team.store)
    status, _, refused = team.post("pat", "/withdrawals", _form("10", at=WEDNESDAY))
    assert status == 403 and "refused (17 CFR 1.23(b))" in refused and "prior business day 2024-03-05" in refused
    assert 'value="Parent Holdings"' in refused  # what was typed is kept on the page
    assert list_withdrawals(team.store) == []
    assert [e.action for e in entries(team.store, actor="pat") if e.action.startswith("withdrawal")] == ["withdrawal-refused"]
    status, _, _ = team.post("pat", "/withdrawals", _form("10", at=WEDNESDAY, for_customers="true"))  # for customers: not gated
    assert status == 303
    assert team.post("pat", "/withdrawals", _form("ten"))[0] == 422
    assert team.post("pat", "/withdrawals", _form("10", currency="EUR"))[0] == 422  # another currency needs its USD amount


def test_who_may_do_what(team: Office) -> None:
    _monday(team.store)
    assert team.post("vic", "/withdrawals", _form("10"))[0] == 403
    assert team.post("sam", "/withdrawals", _form("10"))[0] == 403  # recording is a preparer's
    status, location, _ = team.post(None, "/withdrawals", _form("10"))
    assert status == 303 and location == "/login?next=/withdrawals"
    assert team.browser(None).post("/api/withdrawals", json=_form("10")).status_code == 401
    assert team.browser(None).post("/api/withdrawals", json=_form("10"), headers=team.bearer("vic")).status_code == 403
    assert team.browser(None).get("/api/withdrawals").status_code == 401
    assert "Record the withdrawal" not in team.browser("vic").get("/withdrawals").text
    assert list_withdrawals(team.store) == []


def test_the_api_and_the_command_line_give_the_same_ledger(team: Office, store_url: str) -> None:
    _monday(team.store)
    api = team.browser(None)
    pat, sam = team.bearer("pat"), team.bearer("sam")
    body = _form("300000", at="2024-03-05T10:00:00-05:00")
    made = api.post("/api/withdrawals", json=body, headers=pat)
    assert made.status_code == 201, made.text
    found = made.json()
    assert (found["needs_approval"], found["state"], found["series"], found["residual_interest"]) == (True, "recorded", "300000", "1000000")
    assert api.post(f"/api/withdrawals/{found['id']}/execute", headers=pat).status_code == 409
    assert api.post(f"/api/withdrawals/{found['id']}/approve", headers=pat).status_code == 403  # a preparer's token
    assert api.post(f"/api/withdrawals/{found['id']}/approve", headers=sam).json()["approved_by"] == "sam"
    executed = api.post(f"/api/withdrawals/{found['id']}/execute", headers=pat, json={"at": "2024-03-05T11:00-05:00"})
    assert (executed.json()["state"], executed.json()["executed_at"]) == ("executed", "2024-03-05T16:00:00+00:00")
    refused = api.post("/api/withdrawals", json=_form("10", at="2024-03-06T10:00-05:00"), headers=pat)
    assert refused.status_code == 403 and "17 CFR 1.23(b)" in refused.json()["error"]["message"]

    cli = CliRunner().invoke(main, ["withdrawal", "list", "--db", store_url, "--format", "json"], catch_exceptions=False)
    listed = api.get("/api/withdrawals", headers=sam)
    assert listed.status_code == 200 and json.loads(cli.stdout) == listed.json()
    assert listed.json()["standings"][0]["estimated_after"] == "700000" and not listed.json()["standings"][0]["below_target"]
    later = api.get("/api/withdrawals", headers=sam, params={"firm": FIRM, "from": "2024-03-05"})
    assert later.json() == {"withdrawals": [], "standings": []}


def test_cancel_on_the_page_and_the_api(team: Office) -> None:
    """Cancelled from its row's button (a preparer, as recording; CSRF checked): it stops counting toward the
    series, its notice is withdrawn; the API answers 404, 409 and 422 in its error shape."""
    _monday(team.store)
    big = _recorded(team, "pat", "300000")  # past 250,000: needs approval, notice drafted
    assert f'action="/withdrawals/{big}/cancel"' in team.browser("pat").get("/withdrawals").text
    assert f'action="/withdrawals/{big}/cancel"' not in team.browser("sam").get("/withdrawals").text
    assert team.post("sam", f"/withdrawals/{big}/cancel", {"reason": "no"})[0] == 403
    status, _, refused = team.post("pat", f"/withdrawals/{big}/cancel", {"reason": " "})
    assert status == 422 and "a cancellation says why the withdrawal is cancelled" in refused
    assert team.post("pat", f"/withdrawals/{big}/cancel", {"reason": "board said no"})[:2] == (303, f"/withdrawals#withdrawal-{big}")
    row = _row(team, big)
    assert "cancelled pat: board said no" in row and "cancelled: not counted" in row and "/cancel" not in row
    notice_id = next(w.notice_id for w in list_withdrawals(team.store) if w.id == big)
    notice = team.browser("pat").get(f"/notices/{notice_id}").text
    assert 'id="status">WITHDRAWN — NOT TO BE SENT: withdrawal' in notice and "Mark sent" not in notice
    assert "WITHDRAWN — NOT TO BE SENT" in team.browser("vic").get("/notices").text
    assert "not to be sent" in team.post("sam", f"/notices/{notice_id}/sent", {}, page=f"/notices/{notice_id}")[2]

    api, pat = team.browser(None), team.bearer("pat")
    small = api.post("/api/withdrawals", json=_form("100", at="2024-03-05T11:00-05:00"), headers=pat).json()
    assert small["needs_approval"] is False and small["series"] == "100"  # the cancelled 300,000 left out
    missing = api.post("/api/withdrawals/999/cancel", json={"reason": "x"}, headers=pat)
    assert (missing.status_code, missing.json()) == (404, {"error": {"status": 404, "message": "no withdrawal 999 in the store"}})
    assert api.post(f"/api/withdrawals/{small['id']}/cancel", json={"reason": ""}, headers=pat).status_code == 422
    assert api.post(f"/api/withdrawals/{small['id']}/cancel", json={}, headers=pat).status_code == 422
    assert api.post(f"/api/withdrawals/{small['id']}/cancel", json={"reason": "x"}, headers=team.bearer("vic")).status_code == 403
    assert api.post(f"/api/withdrawals/{small['id']}/execute", headers=pat).status_code == 200
    executed = api.post(f"/api/withdrawals/{small['id']}/cancel", json={"reason": "late"}, headers=pat)
    assert executed.status_code == 409 and "was executed" in executed.json()["error"]["message"]
    again = api.post(f"/api/withdrawals/{big}/cancel", json={"reason": "again"}, headers=pat)
    assert again.status_code == 409 and again.json()["error"]["message"] == f"withdrawal {big} is cancelled (by pat): nothing was done"
    listed = api.get("/api/withdrawals", headers=pat).json()
    assert [(w["state"], w["cancelled_by"]) for w in listed["withdrawals"]] == [("cancelled", "pat"), ("executed", None)]
    assert listed["standings"][0]["withdrawn"] == "100"
    assert [e.actor for e in entries(team.store) if e.action == "withdrawal-cancel"] == ["pat"]
    assert verify(team.store).ok


@pytest.mark.browser
def test_the_withdrawals_page_at_390_px(page: Page, console: Console, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    with Store.open(url) as store:
        add_team(store)
        _monday(store)
    server = start_server(tmp_path, url)
    try:
        page.set_viewport_size(PHONE)
        page.goto(server.url + "/withdrawals")
        page.get_by_label("User name").fill("pat")
        page.get_by_label("Password").fill(PASSWORD)
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", name="Withdrawals of residual interest")).to_be_visible()
        page.get_by_label("Firm (its id or a name it filed under)").fill(FIRM)
        page.get_by_label("Class").select_option("segregation")
        page.get_by_label("Amount", exact=True).fill("300,000")
        page.get_by_label("Recipient").fill("Parent Holdings")
        page.get_by_label("Purpose").fill("dividend")
        page.get_by_label("Time (New York time").fill(TUESDAY)
        page.get_by_role("button", name="Record the withdrawal").press("Enter")  # by keyboard
        expect(page.locator("#withdrawals tbody tr").first).to_contain_text("needed: past 25%")
        expect(page.locator("#withdrawals tbody tr").first).to_contain_text("a signer other than pat approves it")
        expect(page.locator("#standings")).to_contain_text("700,000")
        page.get_by_label("Firm (its id or a name it filed under)").fill(FIRM)
        page.get_by_label("Class").select_option("segregation")
        page.get_by_label("Amount", exact=True).fill("10")
        page.get_by_label("Recipient").fill("Parent Holdings")
        page.get_by_label("Purpose").fill("dividend")
        page.get_by_label("Time (New York time").fill(WEDNESDAY)  # Tuesday's computation is not stored
        page.get_by_role("button", name="Record the withdrawal").click()
        expect(page.locator("#refusal")).to_contain_text("refused (17 CFR 1.23(b))")
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0
        screenshot(page, "withdrawals")
        page.set_viewport_size(PHONE)
        # Signed in, with rows: the pages the accessibility walk sees only as the sign-in page. Notice 1 is the 1.23(d) one.
        found = {url: problems_of(page, server.url + url) for url in ("/withdrawals", "/notices", "/notices/1")}
        assert found == {url: [] for url in found}, found
    finally:
        stop_server(server)
    assert console.errors == ["Failed to load resource: the server responded with a status of 403 (Forbidden)"]  # the refusal
