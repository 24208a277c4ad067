"""A close's events on its page, on SQLite and PostgreSQL: a deficient close's banners offer a preparer the notice,
drafting it keeps it with the close (once), the banner then links it, and the notice's pages name the close."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from dailyseg.notices.render import DRAFT_STATUS
from dailyseg.store import workflow
from dailyseg.store.notices import get_notice, list_notices
from dailyseg.store.synthetic import daily_filing
from tests.web.ledger_support import Office

pytestmark = pytest.mark.slow  # Argon2 sign-ins

FIRM = "Acme Futures LLC"
DAY = date(2024, 3, 4)


def _close(team: Office, funds: int) -> int:
    """A draft close of FIRM's day, its three classes' funds `funds` against a requirement of 1,000,000."""
    filing = daily_filing(FIRM, DAY, requirement=Decimal(1_000_000), funds=Decimal(funds))
    return workflow.draft(team.store, team.actor("quinn"), filing, source="test", errors=[]).id


def test_a_deficient_close_drafts_its_notice_from_its_banner(team: Office) -> None:
    close_id = _close(team, 900_000)
    page = team.browser("vic").get(f"/closes/{close_id}").text
    assert 'data-rule="deficiency"' in page and "Segregation deficiency (100,000); 17 CFR 1.12(h) notice" in page
    assert "Notice not drafted yet" in page  # a viewer reads it, drafting is a preparer's
    page = team.browser("pat").get(f"/closes/{close_id}").text
    assert page.count(f'action="/closes/{close_id}/notices"') == 3 and page.count(">Draft the notice</button>") == 3

    status, location, _ = team.post(
        "pat", f"/closes/{close_id}/notices", {"event": "deficiency", "statement": "secured"}, page=f"/closes/{close_id}"
    )
    assert status == 303 and location.startswith("/notices/")
    notice = get_notice(team.store, int(location.rsplit("/", 1)[1]))
    assert (notice.close_id, notice.filing_id, notice.draft.kind, notice.draft.statement) == (close_id, None, "deficiency", "secured")
    again = team.post("pat", f"/closes/{close_id}/notices", {"event": "deficiency", "statement": "secured"}, page=f"/closes/{close_id}")
    assert again[:2] == (303, location) and len(list_notices(team.store, close_id=close_id)) == 3  # drafted once, each class

    page = team.browser("vic").get(f"/closes/{close_id}").text
    assert f'<a href="/notices/{notice.id}">Notice: {DRAFT_STATUS}</a>' in page and "Draft the notice" not in page
    shown = team.browser("vic").get(f"/notices/{notice.id}").text
    assert f'<a href="/closes/{close_id}">close {close_id}</a>' in shown
    listed = team.browser("vic").get(f"/notices?close_id={close_id}").text
    assert f"3 notices of close {close_id}" in listed and listed.count(f'<a href="/closes/{close_id}">close {close_id}</a>') == 3
    api = team.browser(None).get("/api/notices", params={"close_id": close_id}, headers=team.bearer("vic")).json()
    assert sorted((n["close_id"], n["filing_id"], n["statement"]) for n in api) == [
        (close_id, None, s) for s in ("secured", "segregation", "swaps")
    ]


def test_drafting_a_close_notice_is_a_preparers_and_needs_an_event(team: Office) -> None:
    covered = _close(team, 2_000_000)
    assert 'class="banner event' not in team.browser("pat").get(f"/closes/{covered}").text
    status, _, said = team.post("pat", f"/closes/{covered}/notices", page=f"/closes/{covered}")
    assert status == 422 and f"close {covered} has no event that requires a notice" in said
    status, _, said = team.post("pat", "/closes/99/notices", {"event": "deficiency"}, page="/closes")
    assert status == 422 and "no close 99 in the store" in said
    deficient = _close(team, 900_000)
    assert team.post("vic", f"/closes/{deficient}/notices", {"event": "deficiency"}, page=f"/closes/{deficient}")[0] == 403
    assert list_notices(team.store) == []
    _close(team, 900_000)  # a newer draft of the day: the deficient one is superseded, and no notice is drafted from it
    page = team.browser("pat").get(f"/closes/{deficient}").text
    assert page.count("No notice was drafted here.") == 3 and f'action="/closes/{deficient}/notices"' not in page
    status, _, said = team.post("pat", f"/closes/{deficient}/notices", {"event": "deficiency"}, page=f"/closes/{deficient}")
    assert status == 409 and f"close {deficient} was superseded" in said
