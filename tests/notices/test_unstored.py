"""Drafts kept nowhere (from books, without a close to keep them): for any figures, the same drafts a stored filing
gets, and every rendering and the JSON say NOT STORED beside DRAFT — NOT SENT, never a sending."""

from __future__ import annotations

import html
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dailyseg.checks import Context, validate
from dailyseg.notices.draft import FILING_EVENTS, notices_of
from dailyseg.notices.render import DRAFT_STATUS, NOT_STORED, render_html, render_text
from dailyseg.notices.shapes import NoticeOut
from dailyseg.standing import standings
from dailyseg.store.notices import drafts_of, unstored
from dailyseg.store.synthetic import daily_filing
from dailyseg.store.workflow import Refused

DAY = date(2024, 3, 4)
FIRM = "Acme Futures LLC"
amounts = st.integers(min_value=1, max_value=10**12).map(Decimal)


@settings(deadline=None)  # the first example loads the holiday calendar (the late-initial rule)
@given(requirement=amounts, funds=amounts, target=amounts)
def test_unstored_drafts_are_a_filings_drafts_and_say_not_stored(requirement: Decimal, funds: Decimal, target: Decimal) -> None:
    filing = daily_filing(FIRM, DAY, requirement=requirement, funds=funds, target=target)
    drafts = drafts_of(filing, firm_id="acme-futures", what="the books")
    findings = validate(filing, list(FILING_EVENTS), Context())
    assert drafts == notices_of(findings, standings(filing), firm_id="acme-futures", firm_name=FIRM, end_date=DAY, dsro=None)
    found = unstored(drafts)
    assert [n.draft for n in found] == drafts
    for rendered in (render_text(found), html.unescape(render_html(found))):
        assert rendered.count(NOT_STORED) == len(found) and rendered.count(DRAFT_STATUS) >= len(found)
        assert "SENT 20" not in rendered and "Notice None" not in rendered
    for n in found:
        shape = NoticeOut.of(n)
        assert (shape.id, shape.status, shape.sent_at, shape.filing_id, shape.close_id, shape.drafted_by) == (
            None,
            "draft",
            None,
            None,
            None,
            None,
        )


def test_an_event_the_books_lack_is_refused_naming_them() -> None:
    filing = daily_filing(FIRM, DAY, requirement=Decimal(1_000), funds=Decimal(2_000))
    assert drafts_of(filing, firm_id="acme-futures", what="the books b") == []
    with pytest.raises(Refused, match=r"the books b \(Acme Futures LLC 2024-03-04\) has no deficiency event"):
        drafts_of(filing, kinds=["deficiency"], firm_id="acme-futures", what="the books b")
