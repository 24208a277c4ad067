"""The withdrawal ledger in the store, on SQLite and PostgreSQL: the gate, the 25% series, approval with four
eyes, execution, the notice it drafts and the audit log of every act."""

from __future__ import annotations

import itertools
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dailyseg.store import workflow
from dailyseg.store.audit import entries, verify
from dailyseg.store.notices import get_notice
from dailyseg.store.synthetic import daily_filing
from dailyseg.store.withdrawals import Gated, Request, approve, execute, list_withdrawals, record, standings_after
from dailyseg.store.workflow import Refused
from tests.close.conftest import Team

pytestmark = pytest.mark.slow  # people sign in with Argon2 (about a second each)

NEW_YORK = ZoneInfo("America/New_York")
MONDAY, TUESDAY, WEDNESDAY = date(2024, 3, 4), date(2024, 3, 5), date(2024, 3, 6)
_FIRMS = itertools.count()


def _at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=NEW_YORK)


def _request(firm: str, amount: str, *, at: datetime, for_customers: bool = False, statement: str = "segregation") -> Request:
    value = Decimal(amount)
    return Request(firm, statement, value, "USD", value, "Parent Holdings", "dividend", for_customers, at)


def _filed(team: Team, firm: str, day: date, residual: str, target: str = "0") -> str:
    """A firm's filing of `day` stored, each class with this residual interest; the firm's id."""
    filing = daily_filing(firm, day, requirement=Decimal(10_000_000), funds=Decimal(10_000_000) + Decimal(residual), target=Decimal(target))
    team.store.ingest_filing(filing, source="test")
    return team.store.require(firm)


def _refusal(kind: str, call: object, *args: object, **kwargs: object) -> Refused:
    with pytest.raises(Refused) as caught:
        call(*args, **kwargs)  # type: ignore[operator]
    assert caught.value.kind == kind, caught.value
    return caught.value


def test_no_withdrawal_before_the_prior_days_computation(team: Team) -> None:
    """Nothing of Tuesday stored: a Wednesday withdrawal is refused with 1.23(b), and the attempt is logged; one for
    customers is recorded; a draft close of Tuesday is not a complete computation, an approved one is."""
    firm_id = _filed(team, "Acme Futures LLC", MONDAY, "1000000")
    refused = _refusal("denied", record, team.store, team.pat, _request("Acme Futures LLC", "10", at=_at(WEDNESDAY)), firm_id=firm_id)
    assert isinstance(refused, Gated) and "17 CFR 1.23(b)" in str(refused) and "2024-03-05" in str(refused)
    assert list_withdrawals(team.store) == []
    assert [e.action for e in entries(team.store, actor="pat")] == ["withdrawal-refused"]
    for_customers = record(team.store, team.pat, _request("Acme Futures LLC", "10", at=_at(WEDNESDAY), for_customers=True), firm_id=firm_id)
    assert (for_customers.withdrawal.basis, for_customers.withdrawal.needs_approval) == (None, False)

    tuesday = daily_filing("Acme Futures LLC", TUESDAY, requirement=Decimal(100), funds=Decimal(500))
    made = workflow.draft(team.store, team.pat, tuesday, source="books", errors=[])
    _refusal("denied", record, team.store, team.pat, _request("Acme Futures LLC", "10", at=_at(WEDNESDAY)), firm_id=firm_id)
    workflow.review(team.store, team.quinn, made.id)
    workflow.approve(team.store, team.sam, made.id)
    done = record(team.store, team.pat, _request("Acme Futures LLC", "10", at=_at(WEDNESDAY)), firm_id=firm_id)
    assert (done.withdrawal.basis, done.withdrawal.residual_interest) == (f"close {made.id}", Decimal(400))


def test_a_series_past_a_quarter_needs_approval_four_eyes_and_a_notice(team: Team) -> None:
    firm_id = _filed(team, "Acme Futures LLC", TUESDAY, "1000000", target="500000")
    first = record(team.store, team.pat, _request("Acme Futures LLC", "200000", at=_at(WEDNESDAY, 9)), firm_id=firm_id).withdrawal
    assert (first.needs_approval, first.notice_id, first.series) == (False, None, Decimal(200000))
    customers = record(
        team.store, team.pat, _request("Acme Futures LLC", "400000", at=_at(WEDNESDAY, 10), for_customers=True), firm_id=firm_id
    )
    assert not customers.withdrawal.needs_approval
    second = record(team.store, team.pat, _request("Acme Futures LLC", "50000.01", at=_at(WEDNESDAY, 11)), firm_id=firm_id)
    assert second.withdrawal.needs_approval and second.withdrawal.notice_id is not None
    assert second.assessment.estimated_after == Decimal("349999.99")
    notice = get_notice(team.store, second.withdrawal.notice_id)
    assert (notice.draft.kind, notice.withdrawal_id, notice.sent) == ("withdrawal-25", second.withdrawal.id, False)
    third = record(team.store, team.pat, _request("Acme Futures LLC", "1", at=_at(WEDNESDAY, 12)), firm_id=firm_id).withdrawal
    assert third.needs_approval and third.notice_id not in (None, second.withdrawal.notice_id)
    other_class = record(team.store, team.pat, _request("Acme Futures LLC", "1", at=_at(WEDNESDAY, 12), statement="swaps"), firm_id=firm_id)
    assert not other_class.withdrawal.needs_approval

    wid = second.withdrawal.id
    assert "not approved" in str(_refusal("conflict", execute, team.store, team.pat, wid))
    _refusal("denied", approve, team.store, team.quinn, wid)  # a preparer is no signer
    _refusal("invalid", approve, team.store, team.sam, first.id)  # within 25%: nothing to approve
    approved = approve(team.store, team.sam, wid)
    assert (approved.state, approved.approved_by) == ("approved", "sam")
    assert "approved (by sam)" in str(_refusal("conflict", approve, team.store, team.sid, wid))
    executed = execute(team.store, team.quinn, wid)
    assert (executed.state, executed.executed_by) == ("executed", "quinn")
    assert execute(team.store, team.pat, first.id).state == "executed"

    after = {s.statement: s for s in standings_after(list_withdrawals(team.store))}
    assert (after["segregation"].withdrawn, after["segregation"].estimated_after) == (Decimal("650001.01"), Decimal("349998.99"))
    assert after["segregation"].below_target and not after["swaps"].below_target
    actions = [e.action for e in entries(team.store) if e.action.startswith(("withdrawal", "notice"))]
    assert actions.count("notice-draft") == 2 and actions[-3:] == ["withdrawal-approve", "withdrawal-execute", "withdrawal-execute"]
    assert verify(team.store).ok


def test_four_eyes_the_recorder_may_not_approve(team: Team) -> None:
    firm_id = _filed(team, "Acme Futures LLC", TUESDAY, "100")
    made = record(team.store, team.both, _request("Acme Futures LLC", "26", at=_at(WEDNESDAY)), firm_id=firm_id).withdrawal
    assert "recorded withdrawal" in str(_refusal("denied", approve, team.store, team.both, made.id))
    assert approve(team.store, team.sam, made.id).state == "approved"


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    residual=st.integers(min_value=0, max_value=10**9),
    series=st.lists(st.tuples(st.integers(min_value=1, max_value=5 * 10**8), st.booleans()), min_size=1, max_size=5),
)
def test_the_stored_series_needs_approval_exactly_past_a_quarter(team: Team, residual: int, series: list[tuple[int, bool]]) -> None:
    """The ledger decides as the rule does, whatever the amounts: each example is a new firm."""
    firm = f"Series Firm {next(_FIRMS)} LLC"
    firm_id = _filed(team, firm, TUESDAY, str(residual))
    total = 0
    for hour, (amount, for_customers) in enumerate(series):
        made = record(
            team.store, team.pat, _request(firm, str(amount), at=_at(WEDNESDAY, 9 + hour), for_customers=for_customers), firm_id=firm_id
        )
        total += 0 if for_customers else amount
        assert made.withdrawal.needs_approval == (not for_customers and total * 4 > residual)
        assert (made.withdrawal.notice_id is not None) == made.withdrawal.needs_approval
