"""The dead-man check on the firm's own daily close: a business day's close not filed by noon (New York) of the
next business day, or not drafted at all, is a close-overdue event, delivered once."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from click.testing import CliRunner

from dailyseg.alerts.deadman import CLOSE_RULE, overdue_closes
from dailyseg.calendar import FILING_ZONE
from dailyseg.checks import REGISTRY
from dailyseg.cli.app import main
from dailyseg.store import Store
from dailyseg.store.people import Actor, add_user
from dailyseg.store.synthetic import daily_filing
from dailyseg.store.workflow import approve, draft, file, review
from tests.alerts.conftest import FIRM, FIRM_ID, Receiver

pytestmark = pytest.mark.slow  # each test hashes four people's passwords (Argon2id): seconds of setup
PASSWORD = "correct horse battery"
MON, TUE, WED = date(2024, 3, 4), date(2024, 3, 5), date(2024, 3, 6)


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2024, 3, day, hour, minute, tzinfo=FILING_ZONE)


@pytest.fixture
def team(store_url: str) -> Iterator[tuple[Store, Actor, Actor, Actor]]:
    """A store with two preparers and a signer."""
    with Store.open(store_url) as store:
        admin = add_user(store, None, "alice", PASSWORD, ["admin"])
        pat, quinn = (add_user(store, admin, name, PASSWORD, ["preparer"]) for name in ("pat", "quinn"))
        yield store, pat, quinn, add_user(store, admin, "sam", PASSWORD, ["signer"])


def _draft(store: Store, actor: Actor, day: date) -> int:
    filing = daily_filing(FIRM, day, requirement=Decimal(1000), funds=Decimal(2000))
    return draft(store, actor, filing, source="books", errors=[]).id


def test_an_open_close_is_overdue_from_its_due_time_and_a_filed_one_never(team: tuple[Store, Actor, Actor, Actor]) -> None:
    store, pat, quinn, sam = team
    filed = _draft(store, pat, MON)
    review(store, quinn, filed)
    approve(store, sam, filed)
    file(store, pat, filed, at=datetime(2024, 3, 5, 16, 0, tzinfo=UTC))
    reviewed = _draft(store, pat, TUE)
    review(store, quinn, reviewed)
    assert overdue_closes(store, None, _at(6, 11, 59)) == []  # Tuesday's close is due Wednesday at noon
    (late,) = overdue_closes(store, None, _at(6, 12, 0))
    assert (late.firm_id, late.end_date, late.finding.rule) == (FIRM_ID, TUE, CLOSE_RULE)
    assert REGISTRY[CLOSE_RULE].question == "firm" and late.finding.is_event
    assert f"the daily close (close {reviewed}) is reviewed, not filed; it was due 2024-03-06T12:00-05:00" in late.finding.message
    assert late.finding.actual == f"reviewed (close {reviewed})"
    # Two days later Wednesday has no close at all, and is due too; an amendment under way of a filed day is not.
    draft(store, pat, daily_filing(FIRM, MON, requirement=Decimal(1000), funds=Decimal(2100)), source="books", errors=[], amend_reason="x")
    found = overdue_closes(store, FIRM_ID, _at(7, 12, 0))
    assert [(o.end_date, o.finding.actual) for o in found] == [(TUE, f"reviewed (close {reviewed})"), (WED, "last close 2024-03-05")]
    assert overdue_closes(store, "another-firm", _at(7, 12, 0)) == []


def test_a_long_silence_after_the_last_close_is_not_reported_day_by_day(team: tuple[Store, Actor, Actor, Actor]) -> None:
    store, pat, _, _ = team
    opened = _draft(store, pat, MON)
    assert [o.end_date for o in overdue_closes(store, None, _at(8, 12, 0))] == [MON, TUE, WED, date(2024, 3, 7)]
    assert [o.finding.actual for o in overdue_closes(store, None, _at(11, 12, 0))] == [f"draft (close {opened})"]


def test_monitor_notify_delivers_the_overdue_close_once(team: tuple[Store, Actor, Actor, Actor], listening: Receiver) -> None:
    store, pat, _, _ = team
    _draft(store, pat, MON)
    db = store.engine.url.render_as_string(hide_password=False)
    runner = CliRunner()
    assert runner.invoke(main, ["alerts", "subscribe", "--webhook", listening.url, "--from", "2024-01-01", "--db", db]).exit_code == 0
    for _ in range(2):
        run = runner.invoke(main, ["monitor", "--notify", "--json", "--db", db])
        assert run.exit_code == 0, run.stderr
        assert [f["rule"] for f in json.loads(run.stdout)["findings"]] == [CLOSE_RULE]
    (got,) = listening.received
    assert (json.loads(got.body)["rule"], json.loads(got.body)["end_date"]) == (CLOSE_RULE, "2024-03-04")
    run = runner.invoke(main, ["monitor", "--notify", "--rules", "deficiency", "--json", "--db", db])
    assert run.exit_code == 0 and json.loads(run.stdout)["findings"] == []  # not chosen: not checked
