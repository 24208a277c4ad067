"""Notices as documents, on SQLite and PostgreSQL: for each event kind, every required field; the PDF read back
by text extraction; never a claim of sending before `mark_sent`."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from dailyseg.checks import Context
from dailyseg.money import format_amount
from dailyseg.notices.draft import CFTC, COMPLIANCE, TO_STATE, WITHDRAWAL_TO_STATE
from dailyseg.notices.render import DRAFT_STATUS, render_html, render_pdf, render_text
from dailyseg.standing import standing
from dailyseg.store.audit import entries, verify
from dailyseg.store.notices import Notice, draft_for_filing, get_notice, list_notices, mark_sent
from dailyseg.store.synthetic import daily_filing
from dailyseg.store.withdrawals import Request, record
from dailyseg.store.workflow import Refused
from tests.close.conftest import Team

pytestmark = pytest.mark.slow  # people sign in with Argon2, and PDFs are laid out (about a second each)

FIRM = "Acme Futures LLC"
DAY = date(2024, 3, 4)


@dataclass(frozen=True)
class Case:
    """An event kind: the filing's requirement, funds and target, the undermargined input, and the shortfall."""

    kind: str
    funds: str
    target: str
    undermargined: str | None
    shortfall: str


CASES = [
    Case("deficiency", "900000", "0", None, "100000"),
    Case("below-target", "1050000", "100000", None, "50000"),
    Case("below-undermargined", "1200000", "0", "250000", "50000"),
]


def _context(case: Case) -> Context:
    return Context(undermargined={"segregation": Decimal(case.undermargined)} if case.undermargined else {})


def _drafted(team: Team, case: Case) -> tuple[list[Notice], int]:
    filing = daily_filing(FIRM, DAY, requirement=Decimal(1_000_000), funds=Decimal(case.funds), target=Decimal(case.target))
    filing_id = team.store.ingest_filing(filing, source="test").filing_id
    assert filing_id is not None
    return draft_for_filing(team.store, team.pat, filing_id, kinds=[case.kind], context=_context(case)), filing_id


def _pdf_text(found: list[Notice]) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(render_pdf(found))).pages)


def _holds_every_field(text: str, notice: Notice) -> None:
    d = notice.draft
    for needed in (CFTC, "designated self-regulatory organization", d.firm_name, d.end_date.isoformat(), d.statement_name, d.citation):
        assert needed in text, needed
    for figure in d.figures:
        assert figure.label in text and figure.amount is not None and format_amount(figure.amount) in text, figure
    for blank in d.to_state:
        assert blank in text, blank


@pytest.mark.parametrize("case", CASES, ids=[c.kind for c in CASES])
def test_each_filing_event_drafts_a_notice_with_every_field(team: Team, case: Case) -> None:
    found, filing_id = _drafted(team, case)
    statements = {"segregation"} if case.kind == "below-undermargined" else {"segregation", "secured", "swaps"}
    assert {n.draft.statement for n in found} == statements and {n.draft.kind for n in found} == {case.kind}
    notice = next(n for n in found if n.draft.statement == "segregation")
    d = notice.draft
    assert (d.firm_name, d.end_date, notice.filing_id, notice.sent, notice.drafted_by) == (FIRM, DAY, filing_id, False, "pat")
    assert d.addressees[0] == CFTC and "designated self-regulatory organization" in d.addressees[1]
    assert d.to_state == TO_STATE and d.to_sign == ""
    filing = team.store.get(filing_id)[1]
    place = standing(filing, "segregation")
    figures = {f.label: f.amount for f in d.figures}
    expected = {"Requirement": place.requirement, "Funds": place.funds, "Excess": place.excess, "Target": place.target}
    assert {k: figures[k] for k in expected} == expected and figures["Shortfall"] == Decimal(case.shortfall)
    text = _pdf_text([notice])
    _holds_every_field(text, notice)
    assert DRAFT_STATUS in text and "SENT 20" not in text
    again = draft_for_filing(team.store, team.quinn, filing_id, kinds=[case.kind], context=_context(case))
    assert again == found  # drafted once: the notices kept before
    assert [e.action for e in entries(team.store)].count("notice-draft") == len(found)


def test_a_withdrawal_past_a_quarter_drafts_its_notice(team: Team) -> None:
    filing = daily_filing(FIRM, DAY, requirement=Decimal(1_000_000), funds=Decimal(1_400_000), target=Decimal(150_000))
    team.store.ingest_filing(filing, source="test")
    at = datetime(2024, 3, 5, 10, 30, tzinfo=ZoneInfo("America/New_York"))
    request = Request(FIRM, "secured", Decimal(300_000), "USD", Decimal(300_000), "Parent Holdings", "dividend to the parent", False, at)
    made = record(team.store, team.pat, request, firm_id=team.store.require(FIRM))
    assert made.withdrawal.notice_id is not None
    notice = get_notice(team.store, made.withdrawal.notice_id)
    d = notice.draft
    assert (d.kind, d.citation, d.statement, d.end_date, d.event_at) == (
        "withdrawal-25",
        "17 CFR 30.7(g)(3)-(5)",
        "secured",
        date(2024, 3, 5),
        at,
    )
    figures = {f.label: f.amount for f in d.figures}
    assert figures["Excess"] == Decimal(400_000) and figures["Estimated residual interest after the withdrawal"] == Decimal(100_000)
    assert figures["Shortfall against the target after the withdrawal"] == Decimal(50_000)
    assert dict(d.facts)["Recipient"] == "Parent Holdings" and d.to_state == WITHDRAWAL_TO_STATE and d.to_sign == COMPLIANCE
    text = _pdf_text([notice])
    _holds_every_field(text, notice)
    for needed in ("Parent Holdings", "dividend to the parent", "Signature", "remains in compliance", DRAFT_STATUS):
        assert needed in text, needed


def test_a_notice_says_sent_only_after_mark_sent_and_only_once(team: Team) -> None:
    found, _ = _drafted(team, CASES[0])
    notice = found[0]
    for rendered in (render_text([notice]), render_html([notice])):
        assert DRAFT_STATUS in rendered and "SENT 20" not in rendered
    future = datetime.now(UTC) + timedelta(hours=1)
    with pytest.raises(Refused, match="in the future"):
        mark_sent(team.store, team.pat, notice.id, at=future)
    with pytest.raises(Refused, match="cannot have been sent before"):
        mark_sent(team.store, team.pat, notice.id, at=notice.drafted_at - timedelta(minutes=1))
    with pytest.raises(Refused) as caught:
        mark_sent(team.store, team.admin, notice.id)
    assert caught.value.kind == "denied"
    assert not get_notice(team.store, notice.id).sent
    sent = mark_sent(team.store, team.sam, notice.id, reference="e-mail to the DSRO")
    assert (sent.sent, sent.sent_by, sent.reference) == (True, "sam", "e-mail to the DSRO")
    text = render_text([sent])
    assert DRAFT_STATUS not in text and "SENT " in text and "by sam (reference e-mail to the DSRO)" in text
    with pytest.raises(Refused) as again:
        mark_sent(team.store, team.pat, notice.id)
    assert again.value.kind == "conflict" and "by sam" in str(again.value)
    assert [n.sent for n in list_notices(team.store, firm_id=notice.draft.firm_id)].count(True) == 1
    assert [e.action for e in entries(team.store) if e.subject == f"notice {notice.id}"] == ["notice-draft", "notice-sent"]
    assert verify(team.store).ok


def test_asking_for_an_event_the_filing_lacks_is_refused(team: Team) -> None:
    filing = daily_filing(FIRM, DAY, requirement=Decimal(1_000), funds=Decimal(2_000))
    filing_id = team.store.ingest_filing(filing, source="test").filing_id
    assert filing_id is not None and draft_for_filing(team.store, team.pat, filing_id) == []
    with pytest.raises(Refused, match="has no deficiency event"):
        draft_for_filing(team.store, team.pat, filing_id, kinds=["deficiency"])
    with pytest.raises(Refused, match="no notice of a filing's event 'drawdown-25'"):
        draft_for_filing(team.store, team.pat, filing_id, kinds=["drawdown-25"])
    with pytest.raises(Refused, match="no filing 99"):
        draft_for_filing(team.store, team.pat, 99)
