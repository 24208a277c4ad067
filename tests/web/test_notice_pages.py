"""Notices on the web, on SQLite and PostgreSQL: a deficient filing's banner links its notice, drafting through
the page stores it, the notice page shows every field and DRAFT — NOT SENT until its sending is recorded (never
before it was drafted, once), the PDF download read back by text extraction, and the API's JSON is the command
line's."""

from __future__ import annotations

import io
import json
import re
from datetime import date
from decimal import Decimal

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from dailyseg.cli import main
from dailyseg.notices.draft import CFTC, TO_STATE
from dailyseg.notices.render import DRAFT_STATUS
from dailyseg.store.audit import entries, verify
from dailyseg.store.notices import get_notice
from dailyseg.store.synthetic import daily_filing
from tests.web.ledger_support import Office
from tests.web.signing import PASSWORD

pytestmark = pytest.mark.slow  # Argon2 sign-ins, and a PDF laid out in a worker process

FIRM = "Acme Futures LLC"
DAY = date(2024, 3, 4)


def _deficient(team: Office) -> int:
    """A stored filing whose three classes are short of their requirement by 100,000."""
    filing = daily_filing(FIRM, DAY, requirement=Decimal(1_000_000), funds=Decimal(900_000))
    filing_id = team.store.ingest_filing(filing, source="test").filing_id
    assert filing_id is not None
    return filing_id


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#39;", "'")


def test_a_deficiency_drafted_from_its_banner_shown_and_marked_sent(team: Office) -> None:
    filing_id = _deficient(team)
    assert "Notice not drafted yet" in team.browser(None).get(f"/filings/{filing_id}").text  # reading is open
    filing_page = team.browser("pat").get(f"/filings/{filing_id}").text
    assert filing_page.count(">Draft the notice</button>") == 3  # one banner per class
    status, location, _ = team.post("pat", f"/filings/{filing_id}/notices", {"event": "deficiency", "statement": "secured"})
    assert status == 303 and location.startswith("/notices/")
    notice = get_notice(team.store, int(location.rsplit("/", 1)[1]))
    assert (notice.filing_id, notice.draft.kind, notice.draft.statement, notice.sent) == (filing_id, "deficiency", "secured", False)

    filing_page = team.browser("vic").get(f"/filings/{filing_id}").text
    assert f'<a href="/notices/{notice.id}">Notice: {DRAFT_STATUS}</a>' in filing_page
    assert "Draft the notice" not in filing_page  # all three were drafted at once

    shown = team.browser("vic").get(f"/notices/{notice.id}")
    assert shown.status_code == 200
    text = _text(shown.text)
    assert f'id="status">{DRAFT_STATUS}<' in shown.text
    for field in (CFTC, "designated self-regulatory organization", FIRM, "acme-futures", "End Date 2024-03-04", "17 CFR 1.12(h)"):
        assert field in text, field
    for label in (*TO_STATE, "Shortfall 100,000", "Secured Amounts"):
        assert label in text, label
    assert "Mark sent" not in shown.text  # a viewer may not record the sending

    status, _, refused = team.post("sam", f"/notices/{notice.id}/sent", {"at": "2024-03-04T09:00"}, page=f"/notices/{notice.id}")
    assert status == 422 and "it cannot have been sent before" in refused and DRAFT_STATUS in refused
    status, location, _ = team.post("sam", f"/notices/{notice.id}/sent", {"reference": "e-mail to the DSRO"})
    assert (status, location) == (303, f"/notices/{notice.id}")
    sent = get_notice(team.store, notice.id)
    assert sent.sent and sent.sent_by == "sam" and sent.reference == "e-mail to the DSRO"
    page = team.browser("vic").get(f"/notices/{notice.id}").text
    assert DRAFT_STATUS not in page and "SENT " in page and "by sam (reference e-mail to the DSRO)" in page
    assert "Notice sent " in team.browser("vic").get(f"/filings/{filing_id}").text
    again = team.post("pat", f"/notices/{notice.id}/sent", {}, page=f"/notices/{notice.id}")
    assert again[0] == 409 and f"notice {notice.id} was marked sent at" in again[2]
    assert [(e.actor, e.action) for e in entries(team.store) if e.subject == f"notice {notice.id}"] == [
        ("pat", "notice-draft"),
        ("sam", "notice-sent"),
    ]
    assert verify(team.store).ok

    pdf = team.browser("vic").get(f"/notices/{notice.id}/download/pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    extracted = " ".join((p.extract_text() or "") for p in PdfReader(io.BytesIO(pdf.content)).pages)
    for field in ("SENT", "by sam", FIRM, "Shortfall", "100,000", TO_STATE[0]):
        assert field in extracted, field
    assert DRAFT_STATUS not in extracted
    assert "SENT" in team.browser("vic").get(f"/notices/{notice.id}/download/text").text


def test_who_may_draft_and_record_the_sending(team: Office) -> None:
    filing_id = _deficient(team)
    assert team.post("vic", f"/filings/{filing_id}/notices", {"event": "deficiency"})[0] == 403
    assert team.post("sam", f"/filings/{filing_id}/notices", {"event": "deficiency"})[0] == 403  # drafting is a preparer's
    status, location, _ = team.post(None, f"/filings/{filing_id}/notices", {"event": "deficiency"}, page=f"/filings/{filing_id}")
    assert status == 303 and location == f"/login?next=/filings/{filing_id}"
    assert team.post("pat", f"/filings/{filing_id}/notices", {"event": "below-target"})[0] == 422  # no such event
    assert team.browser(None).get("/notices", follow_redirects=False).status_code == 303  # the team's record: sign in
    assert team.browser(None).get("/api/notices").status_code == 401
    status, location, _ = team.post("pat", f"/filings/{filing_id}/notices", {"event": "deficiency"})
    notice_id = int(location.rsplit("/", 1)[1])
    assert team.post("vic", f"/notices/{notice_id}/sent")[0] == 403
    assert not get_notice(team.store, notice_id).sent


def test_the_apis_notices_are_the_command_lines(team: Office, store_url: str) -> None:
    filing_id = _deficient(team)
    team.post("pat", f"/filings/{filing_id}/notices", {"event": "deficiency"})
    listed = team.browser("vic").get("/notices").text
    assert listed.count('href="/notices/') == 3 and "DRAFT — NOT SENT" in listed
    cli = CliRunner().invoke(main, ["notice", "list", "--db", store_url, "--format", "json"], catch_exceptions=False)
    api = team.browser(None).get("/api/notices", headers=team.bearer("vic"))
    assert api.status_code == 200 and json.loads(cli.stdout) == api.json()
    assert [n["kind"] for n in api.json()] == ["deficiency"] * 3 and api.json()[0]["figures"][0]["amount"] == "1000000"
    one = CliRunner().invoke(main, ["notice", "show", "1", "--db", store_url, "--format", "json"], catch_exceptions=False)
    assert json.loads(one.stdout) == [team.browser("vic").get("/api/notices/1").json()]
    assert team.browser("vic").get("/api/notices/99").status_code == 404


def test_below_undermargined_drafted_from_the_filing_page(team: Office, store_url: str) -> None:
    """The undermargined amount is not on the filing: the page's field takes it, exactly; bad input is a 422 page
    naming what was expected and found; the notice drafted is the one `dailyseg notice --undermargined` drafts."""
    filing = daily_filing(FIRM, DAY, requirement=Decimal(1_000_000), funds=Decimal(1_100_000))  # residual interest 100,000
    filing_id = team.store.ingest_filing(filing, source="test").filing_id
    assert filing_id is not None
    page = team.browser("pat").get(f"/filings/{filing_id}").text
    assert 'name="undermargined"' in page and ">Draft a below-undermargined notice</button>" in page
    assert 'name="undermargined"' not in team.browser("vic").get(f"/filings/{filing_id}").text

    def drafted(amount: str, statement: str = "secured") -> tuple[int, str, str]:
        form = {"event": "below-undermargined", "statement": statement, "undermargined": amount}
        return team.post("pat", f"/filings/{filing_id}/notices", form, page=f"/filings/{filing_id}")

    for amount, statement, said in (
        ("lots", "secured", "the undermargined amount: expected an amount such as 1500000 or 1,500,000.50; not an amount: 'lots'"),
        ("-5", "secured", "the undermargined amount: expected an amount of zero or more, found '-5'"),
        ("1.001", "secured", "more than 2 decimal places"),
        ("", "secured", "the below-undermargined notice needs the class's undermargined amount: it is not on the filing"),
        ("5", "gold", "swaps, found 'gold'"),
        ("100,000", "secured", "has no below-undermargined event to give notice of"),  # covered exactly: no event
    ):
        status, _, text = drafted(amount, statement)
        assert status == 422 and said in _text(text), (amount, _text(text))
    assert [e for e in entries(team.store) if e.action == "notice-draft"] == []  # nothing drafted

    status, location, _ = drafted("150,000.50")
    assert status == 303 and location.startswith("/notices/")
    notice_id = int(location.rsplit("/", 1)[1])
    shown = _text(team.browser("vic").get(location).text)
    for field in ("Notice of residual interest below the undermargined amount", "17 CFR 1.12(j)", "Secured Amounts"):
        assert field in shown, field
    assert "Undermargined amount 150,000.50" in shown and "Shortfall 50,000.50" in shown and DRAFT_STATUS in shown
    asked = ["--filing-id", str(filing_id), "--undermargined", "secured=150,000.50", "--event", "below-undermargined"]
    cli = CliRunner().invoke(
        main,
        ["notice", *asked, "--db", store_url, "--format", "json", "--as", "pat"],
        env={"DAILYSEG_PASSWORD": PASSWORD},
        catch_exceptions=False,
    )
    assert cli.exit_code == 0, cli.output
    by_cli = {n["statement"]: n for n in json.loads(cli.stdout)}
    assert by_cli["secured"] == team.browser("vic").get(f"/api/notices/{notice_id}").json()  # the same notice, kept once
