"""Cancelling a withdrawal in the store, on SQLite and PostgreSQL: one not executed stops counting toward its
series' 25%, its notice is withdrawn (never deleted), an executed one cannot be cancelled, and every act is
audited with who, when and why."""

from __future__ import annotations

import itertools
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dailyseg.notices.render import WITHDRAWN_STATUS, render_text
from dailyseg.notices.shapes import NoticeOut
from dailyseg.store.audit import entries, verify
from dailyseg.store.notices import get_notice, mark_sent
from dailyseg.store.synthetic import daily_filing
from dailyseg.store.withdrawals import Missing, Request, approve, cancel, execute, list_withdrawals, record, standings_after
from dailyseg.store.workflow import Refused
from tests.close.conftest import Team

pytestmark = pytest.mark.slow  # people sign in with Argon2 (about a second each)

NEW_YORK = ZoneInfo("America/New_York")
TUESDAY, WEDNESDAY = date(2024, 3, 5), date(2024, 3, 6)
_FIRMS = itertools.count()


def _at(hour: int) -> datetime:
    return datetime(WEDNESDAY.year, WEDNESDAY.month, WEDNESDAY.day, hour, tzinfo=NEW_YORK)


def _filed(team: Team, firm: str, residual: int) -> str:
    """Tuesday's filing of `firm`, each class with this residual interest; the firm's id."""
    filing = daily_filing(firm, TUESDAY, requirement=Decimal(10_000_000), funds=Decimal(10_000_000 + residual))
    team.store.ingest_filing(filing, source="test")
    return team.store.require(firm)


def _record(team: Team, firm: str, firm_id: str, amount: int, hour: int, *, for_customers: bool = False) -> int:
    value = Decimal(amount)
    asked = Request(firm, "segregation", value, "USD", value, "Parent Holdings", "dividend", for_customers, _at(hour))
    return record(team.store, team.pat, asked, firm_id=firm_id).withdrawal.id


def _refusal(kind: str, call: object, *args: object, **kwargs: object) -> Refused:
    with pytest.raises(Refused) as caught:
        call(*args, **kwargs)  # type: ignore[operator]
    assert caught.value.kind == kind, caught.value
    return caught.value


def test_a_cancelled_withdrawal_stops_counting_and_its_notice_is_withdrawn(team: Team) -> None:
    """Residual interest 1,000,000 (25%: 250,000): 200,000 then 100,000 crosses it; 200,000 cancelled, a further
    40,000 is measured without it (140,000) and needs no approval; the 100,000 keeps the approval it was asked for."""
    firm = "Cancel Futures LLC"
    firm_id = _filed(team, firm, 1_000_000)
    first = _record(team, firm, firm_id, 200_000, 9)
    second = _record(team, firm, firm_id, 100_000, 10)
    crossed = next(w for w in list_withdrawals(team.store) if w.id == second)
    assert crossed.needs_approval and crossed.notice_id is not None

    done = cancel(team.store, team.quinn, first, reason="  booked twice  ")
    assert (done.state, done.cancelled_by, done.cancel_reason) == ("cancelled", "quinn", "booked twice")
    assert done.cancelled_at is not None
    third = _record(team, firm, firm_id, 40_000, 11)
    found = {w.id: w for w in list_withdrawals(team.store)}
    assert (found[third].needs_approval, found[third].series) == (False, Decimal(140_000))
    assert found[second].needs_approval  # decided when it was recorded: an approval asked for stays asked for
    [after] = standings_after(list(found.values()))
    assert (after.withdrawn, after.estimated_after) == (Decimal(140_000), Decimal(860_000))

    approve(team.store, team.sam, second)
    cancelled = cancel(team.store, team.pat, second, reason="dividend postponed")  # approved, not executed
    notice = get_notice(team.store, cancelled.notice_id or 0)
    assert notice.status == "withdrawn" and notice.withdrawn is not None
    assert (notice.withdrawn.withdrawal_id, notice.withdrawn.by, notice.withdrawn.reason) == (second, "pat", "dividend postponed")
    text = render_text([notice])
    assert f"{WITHDRAWN_STATUS}: withdrawal {second} was cancelled " in text and "by pat: dividend postponed" in text
    shape = NoticeOut.of(notice)
    assert (shape.status, shape.cancelled_by, shape.cancel_reason) == ("withdrawn", "pat", "dividend postponed")
    refused = _refusal("conflict", mark_sent, team.store, team.sam, notice.id)
    assert f"is of withdrawal {second}, cancelled at" in str(refused) and "not to be sent" in str(refused)
    assert not get_notice(team.store, notice.id).sent

    cancels = [e for e in entries(team.store) if e.action == "withdrawal-cancel"]
    assert [(e.actor, e.subject, e.detail["cancel_reason"]) for e in cancels] == [
        ("quinn", f"withdrawal {first}", "booked twice"),
        ("pat", f"withdrawal {second}", "dividend postponed"),
    ]
    assert verify(team.store).ok


def test_what_cannot_be_cancelled(team: Team) -> None:
    firm = "Executed Futures LLC"
    firm_id = _filed(team, firm, 1_000_000)
    made = _record(team, firm, firm_id, 10, 9)
    execute(team.store, team.pat, made)
    refused = _refusal("conflict", cancel, team.store, team.pat, made, reason="too late")
    assert str(refused) == f"withdrawal {made} was executed: the funds have left the class and it cannot be cancelled"

    other = _record(team, firm, firm_id, 10, 10)
    assert "alice may not cancel withdrawals" in str(_refusal("denied", cancel, team.store, team.admin, other, reason="no"))
    assert "says why" in str(_refusal("invalid", cancel, team.store, team.pat, other, reason="   "))
    assert "says why" in str(_refusal("invalid", cancel, team.store, team.pat, other, reason="x" * 301))
    missing = _refusal("invalid", cancel, team.store, team.pat, 9999, reason="gone")
    assert isinstance(missing, Missing) and str(missing) == "no withdrawal 9999 in the store"
    cancel(team.store, team.pat, other, reason="mistyped amount")
    again = _refusal("conflict", cancel, team.store, team.sam, other, reason="again")
    assert str(again) == f"withdrawal {other} is cancelled (by pat): nothing was done"
    assert "is cancelled" in str(_refusal("conflict", execute, team.store, team.pat, other))
    assert [w.state for w in list_withdrawals(team.store)] == ["executed", "cancelled"]  # kept, never deleted


def test_a_notice_sent_before_the_cancellation_stays_sent_and_says_so(team: Team) -> None:
    firm = "Sent Futures LLC"
    firm_id = _filed(team, firm, 100)
    made = _record(team, firm, firm_id, 26, 9)
    notice_id = next(w.notice_id for w in list_withdrawals(team.store) if w.id == made)
    assert notice_id is not None
    mark_sent(team.store, team.sam, notice_id, reference="DSRO portal")
    cancel(team.store, team.pat, made, reason="not made")
    notice = get_notice(team.store, notice_id)
    assert notice.status == "sent" and notice.withdrawn is not None
    assert f"(reference DSRO portal); afterwards withdrawal {made} was cancelled " in render_text([notice])


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    residual=st.integers(min_value=0, max_value=10**9),
    steps=st.lists(
        st.one_of(
            st.tuples(st.just("record"), st.integers(min_value=1, max_value=5 * 10**8), st.booleans()),
            st.tuples(st.just("cancel"), st.integers(min_value=0, max_value=9), st.just(False)),
        ),
        min_size=1,
        max_size=6,
    ),
)
def test_the_approval_requirement_is_the_rule_over_the_uncancelled(team: Team, residual: int, steps: list[tuple[str, int, bool]]) -> None:
    """Whatever records and cancellations are interleaved, each withdrawal needs approval exactly when the rule,
    applied to the withdrawals of its series not cancelled when it was recorded, says so; the estimate after
    leaves every cancelled one out."""
    firm = f"Cancelling Firm {next(_FIRMS)} LLC"
    firm_id = _filed(team, firm, residual)
    live: dict[int, tuple[int, bool]] = {}  # uncancelled withdrawals: amount, for customers
    made: list[int] = []
    for hour, (step, number, for_customers) in enumerate(steps):
        if step == "cancel":
            if made:
                chosen = made[number % len(made)]
                if chosen in live:
                    cancel(team.store, team.pat, chosen, reason="hypothesis")
                    del live[chosen]
            continue
        withdrawal_id = _record(team, firm, firm_id, number, 1 + hour, for_customers=for_customers)
        series = number + sum(a for a, customers in live.values() if not customers) if not for_customers else 0
        found = next(w for w in list_withdrawals(team.store, firm_id=firm_id) if w.id == withdrawal_id)
        assert found.needs_approval == (not for_customers and series * 4 > residual)
        made.append(withdrawal_id)
        live[withdrawal_id] = (number, for_customers)
    standings = standings_after(list_withdrawals(team.store, firm_id=firm_id))
    if made:
        [after] = standings
        assert after.withdrawn == sum(a for a, _ in live.values())
        assert after.estimated_after == residual - after.withdrawn
