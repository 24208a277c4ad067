"""Notices of a firm's own computation, kept with its daily close, on SQLite and PostgreSQL: drafted from books
with a deficiency, every required field and the computed figures; drafted twice, one notice; the close filed and
its filing stored, the close's notice stays the close's beside the filing's own."""

from __future__ import annotations

import pytest

from dailyseg.compute import Computation, compute, read_books
from dailyseg.notices.draft import CFTC, TO_STATE
from dailyseg.notices.render import DRAFT_STATUS, render_text
from dailyseg.standing import standing
from dailyseg.store.audit import entries, verify
from dailyseg.store.notices import close_of_day, draft_for_close, draft_for_filing, get_notice, list_notices
from dailyseg.store.workflow import Refused, approve, draft, file, review
from dailyseg.web.close_steps import error_findings
from tests.close.conftest import Team
from tests.notices.books_support import FIRM, FUNDS, REQUIREMENT, SHORTFALL, deficient_books

pytestmark = pytest.mark.slow  # people sign in with Argon2 (about a second each)


@pytest.fixture(scope="module")
def computed(tmp_path_factory: pytest.TempPathFactory) -> Computation:
    return compute(read_books(deficient_books(tmp_path_factory.mktemp("books"))), "duckdb")


def test_a_close_notice_is_drafted_once_and_stays_with_the_close(team: Team, computed: Computation) -> None:
    filing = computed.filing
    close = draft(team.store, team.pat, filing, source="books", errors=error_findings(computed.findings))
    assert close_of_day(team.store, filing) == close

    [notice] = draft_for_close(team.store, team.sam, close.id)
    d = notice.draft
    assert (notice.close_id, notice.filing_id, notice.withdrawal_id, notice.drafted_by) == (close.id, None, None, "sam")
    assert (d.kind, d.statement, d.firm_name, d.end_date, d.citation) == (
        "deficiency",
        "segregation",
        FIRM,
        filing.header.end_date,
        "17 CFR 1.12(h)",
    )
    assert d.addressees[0] == CFTC and d.to_state == TO_STATE
    place = standing(filing, "segregation")
    figures = {f.label: f.amount for f in d.figures}
    assert (figures["Requirement"], figures["Funds"], figures["Excess"]) == (place.requirement, place.funds, place.excess)
    assert (figures["Requirement"], figures["Funds"], figures["Shortfall"]) == (REQUIREMENT, FUNDS, SHORTFALL)
    text = render_text([notice])
    assert f"Notice {notice.id}: " in text and DRAFT_STATUS in text and "NOT STORED" not in text and "SENT 20" not in text

    assert draft_for_close(team.store, team.pat, close.id) == [notice]  # drafted again: the notice kept
    drafted = [e for e in entries(team.store) if e.action == "notice-draft"]
    assert [(e.subject, e.detail["close"], e.detail["filing"]) for e in drafted] == [(f"notice {notice.id}", close.id, None)]

    review(team.store, team.quinn, close.id)
    approve(team.store, team.sid, close.id, override="deposited at once")
    file(team.store, team.pat, close.id)
    filing_id = team.store.ingest_filing(filing, source="filed").filing_id
    assert filing_id is not None
    [of_filing] = draft_for_filing(team.store, team.pat, filing_id)
    assert get_notice(team.store, notice.id) == notice  # the close's notice stays the close's
    assert [n.of for n in list_notices(team.store, firm_id=d.firm_id)] == [f"close {close.id}", f"filing {filing_id}"]
    assert list_notices(team.store, close_id=close.id) == [notice]
    assert (of_filing.close_id, of_filing.draft.figures) == (None, d.figures)  # the same figures, the filing's own notice
    assert verify(team.store).ok


def test_drafting_for_a_close_is_refused_plainly(team: Team, computed: Computation) -> None:
    close = draft(team.store, team.pat, computed.filing, source="books", errors=[])
    with pytest.raises(Refused, match="no close 99 in the store") as missing:
        draft_for_close(team.store, team.pat, 99)
    assert missing.value.kind == "invalid"
    with pytest.raises(Refused, match=f"close {close.id} .* has no below-target event") as absent:
        draft_for_close(team.store, team.pat, close.id, kinds=["below-target"])
    assert absent.value.kind == "invalid"
    with pytest.raises(Refused, match="needs the preparer or signer role") as denied:
        draft_for_close(team.store, team.admin, close.id)
    assert denied.value.kind == "denied" and list_notices(team.store) == []


def test_the_day_of_a_close_is_its_latest_draft_not_superseded(team: Team, computed: Computation) -> None:
    assert close_of_day(team.store, computed.filing) is None
    first = draft(team.store, team.pat, computed.filing, source="books", errors=[])
    second = draft(team.store, team.quinn, computed.filing, source="books again", errors=[])
    found = close_of_day(team.store, computed.filing)
    assert found is not None and (found.id, found.state) == (second.id, "draft") and first.id != second.id
    with pytest.raises(Refused, match=f"close {first.id} was superseded by a newer draft of {FIRM} 2013-07-25") as superseded:
        draft_for_close(team.store, team.pat, first.id)
    assert superseded.value.kind == "conflict" and list_notices(team.store) == []
