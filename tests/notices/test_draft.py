"""A draft without a store: what it is made of, and that it is kept exactly (JSON and back)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dailyseg.checks import Context, validate
from dailyseg.notices.draft import BLANK, CFTC, TO_STATE, Draft, filing_notice, notices_of
from dailyseg.standing import standings
from dailyseg.store.synthetic import daily_filing

DAY = date(2024, 3, 4)
amounts = st.integers(min_value=1, max_value=10**12).map(Decimal)


@settings(deadline=None)  # the first example loads the holiday calendar (the late-initial rule)
@given(requirement=amounts, funds=amounts, target=amounts, undermargined=amounts)
def test_a_notice_for_each_event_found_kept_exactly(requirement: Decimal, funds: Decimal, target: Decimal, undermargined: Decimal) -> None:
    """Whatever the figures: one draft per event and class that requires a notice, its shortfall the finding's,
    its key lines the standing's, and the same draft after JSON and back."""
    filing = daily_filing("Acme Futures LLC", DAY, requirement=requirement, funds=funds, target=target)
    findings = validate(filing, context=Context(undermargined={"swaps": undermargined}))
    places = standings(filing)
    drafts = notices_of(findings, places, firm_id="acme-futures", firm_name="Acme Futures LLC", end_date=DAY, dsro=None)
    noticed = [(f.rule, f.statement) for f in findings if f.rule in ("deficiency", "below-target", "below-undermargined")]
    assert sorted((d.kind, d.statement) for d in drafts) == sorted(noticed)
    for d in drafts:
        figures = {f.label: f.amount for f in d.figures}
        place = places[d.statement]
        assert (figures["Requirement"], figures["Funds"], figures["Excess"]) == (place.requirement, place.funds, place.excess)
        assert figures["Shortfall"] is not None and figures["Shortfall"] > 0
        assert d.addressees[0] == CFTC and d.addressees[1].startswith(BLANK) and d.to_state == TO_STATE
        assert Draft.from_json(d.to_json()) == d


def test_only_an_event_that_requires_a_notice_is_drafted() -> None:
    filing = daily_filing("Acme Futures LLC", DAY, requirement=Decimal(10), funds=Decimal(5))
    found = next(f for f in validate(filing) if f.rule == "deficiency")
    place = standings(filing)[str(found.statement)]
    with pytest.raises(ValueError, match="does not require a notice"):
        filing_notice(replace(found, rule="formulas"), place, firm_id="a", firm_name="A", end_date=DAY, dsro="CME")
    drafted = filing_notice(found, place, firm_id="a", firm_name="A", end_date=DAY, dsro="CME")
    assert drafted.addressees[1] == "CME (designated self-regulatory organization)"
