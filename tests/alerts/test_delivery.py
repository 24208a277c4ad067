"""Delivering the monitor's events to real receivers on this machine, on both databases: signed webhook
bodies, e-mail by SMTP, one delivery per event across runs, and redelivery once a receiver is back."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

from dailyseg.alerts.backoff import MAX_ATTEMPTS
from dailyseg.alerts.deliver import notify, send_due
from dailyseg.alerts.events import events_of
from dailyseg.alerts.webhook import verify
from dailyseg.store import Store
from dailyseg.store.alert_rows import add_subscription, claim, deliveries, due, remove_subscription
from dailyseg.watch.monitor import watch
from tests.alerts.conftest import DAY, FIRM_ID, Receiver, Smtp

NOW = datetime(2024, 3, 5, 15, 0, tzinfo=UTC)
BASE = "https://dailyseg.example"
SECRET = "s3cret-for-tests"


def _webhook(store: Store, url: str, *, firm_id: str | None = None, rules: tuple[str, ...] = (), from_date: date | None = None) -> int:
    return add_subscription(store, firm_id=firm_id, rules=rules, from_date=from_date, channel="webhook", target=url, secret=SECRET, now=NOW)


def _run(store: Store, now: datetime = NOW, env: dict[str, str] | None = None) -> tuple[int, int]:
    report = notify(store, events_of(watch(store)), now, env or {}, BASE)
    return report.queued, report.count("delivered")


def test_each_event_is_posted_once_signed_across_runs(deficient: Store, listening: Receiver) -> None:
    _webhook(deficient, listening.url)
    assert _run(deficient) == (3, 3)
    assert _run(deficient, NOW + timedelta(hours=1)) == (0, 0)
    assert _run(deficient, NOW + timedelta(days=3)) == (0, 0)
    assert len(listening.received) == 3
    bodies = []
    for got in listening.received:
        assert got.path == "/hook"
        assert got.headers["content-type"] == "application/json"
        assert verify(SECRET, got.body, got.headers["x-dailyseg-signature"])
        assert not verify("another secret", got.body, got.headers["x-dailyseg-signature"])
        assert int(got.headers["x-dailyseg-timestamp"]) > 0
        body = json.loads(got.body)
        assert got.headers["x-dailyseg-event"] == body["event_id"]
        bodies.append(body)
    assert sorted(b["statement"] for b in bodies) == ["secured", "segregation", "swaps"]
    segregation = next(b for b in bodies if b["statement"] == "segregation")
    assert segregation["firm_id"] == FIRM_ID and segregation["rule"] == "deficiency" and segregation["severity"] == "error"
    assert segregation["end_date"] == DAY.isoformat() and segregation["codes"] == ["7190"]
    assert segregation["figures"] == {"expected": "0", "actual": "-100", "difference": "-100"}
    assert segregation["citation"] == "17 CFR 1.12(h)" and "immediate notice" in segregation["notice"]
    assert segregation["link"] == f"{BASE}/firms/{FIRM_ID}/findings"
    log = deliveries(deficient)
    assert [d.state for d in log] == ["delivered"] * 3 and all(d.attempts == 1 and d.delivered_at for d in log)


def test_a_receiver_down_gets_every_event_once_it_is_back(deficient: Store, receiver: Receiver) -> None:
    _webhook(deficient, receiver.url)
    assert _run(deficient) == (3, 0)
    pending = deliveries(deficient, state="pending")
    assert len(pending) == 3 and all(d.attempts == 1 and "cannot reach" in (d.last_error or "") for d in pending)
    # Found again while the receiver is still down: nothing new is queued, and nothing is tried before its time.
    assert _run(deficient, NOW + timedelta(seconds=30)) == (0, 0)
    assert all(d.attempts == 1 for d in deliveries(deficient))
    receiver.start()
    assert send_due(deficient, NOW + timedelta(seconds=30), {}).outcomes == []
    later = send_due(deficient, NOW + timedelta(minutes=2), {})
    assert [o.state for o in later.outcomes] == ["delivered"] * 3
    assert send_due(deficient, NOW + timedelta(days=1), {}, everything=True).outcomes == []
    assert _run(deficient, NOW + timedelta(days=1)) == (0, 0)
    assert len(receiver.received) == 3
    assert len({json.loads(r.body)["event_id"] for r in receiver.received}) == 3
    assert all(d.state == "delivered" and d.attempts == 2 for d in deliveries(deficient))


def test_a_refusing_receiver_is_retried_to_the_limit_then_failed(deficient: Store, listening: Receiver) -> None:
    listening.status = 500
    _webhook(deficient, listening.url, rules=("deficiency",), firm_id=FIRM_ID)
    _run(deficient)
    for _ in range(MAX_ATTEMPTS):
        send_due(deficient, NOW, {}, everything=True)
    log = deliveries(deficient)
    assert [d.state for d in log] == ["failed"] * 3
    assert all(d.attempts == MAX_ATTEMPTS and d.next_attempt_at is None and (d.last_error or "").startswith("HTTP 500") for d in log)
    assert len(listening.received) == 3 * MAX_ATTEMPTS
    assert due(deficient, None) == []


def test_mail_goes_by_smtp_once_per_event(deficient: Store, smtp: Smtp) -> None:
    add_subscription(
        deficient, firm_id=FIRM_ID, rules=("deficiency",), from_date=None, channel="email", target="a@x.test,b@x.test", secret=None, now=NOW
    )
    assert _run(deficient, env=smtp.env) == (3, 3)
    assert _run(deficient, NOW + timedelta(hours=2), env=smtp.env) == (0, 0)
    assert len(smtp.mailbox.messages) == 3
    recipients, mail = next((r, m) for r, m in smtp.mailbox.messages if "segregation" in str(m["Subject"]))
    assert recipients == ["a@x.test", "b@x.test"]
    assert mail["From"] == "alerts@dailyseg.test"
    assert mail["Subject"] == f"[dailyseg] error deficiency: {FIRM_ID} {DAY} segregation"
    text = mail.get_payload(decode=True).decode("utf-8")  # type: ignore[union-attr]
    assert "actual: -100" in text and "17 CFR 1.12(h)" in text and f"/firms/{FIRM_ID}/findings" in text


def test_mail_without_a_server_configured_stays_pending_and_says_why(deficient: Store) -> None:
    add_subscription(deficient, firm_id=None, rules=(), from_date=None, channel="email", target="a@x.test", secret=None, now=NOW)
    _run(deficient)
    assert {d.last_error for d in deliveries(deficient, state="pending")} == {
        "e-mail is not configured: set DAILYSEG_SMTP_HOST (and DAILYSEG_SMTP_PORT, DAILYSEG_SMTP_FROM) to send it"
    }


def test_subscriptions_choose_firm_rules_and_days(deficient: Store, listening: Receiver) -> None:
    _webhook(deficient, listening.url, firm_id="someone-else")
    _webhook(deficient, listening.url, rules=("below-target",))
    _webhook(deficient, listening.url, from_date=DAY + timedelta(days=1))
    wanted = _webhook(deficient, listening.url, firm_id=FIRM_ID, rules=("deficiency", "amended"), from_date=DAY)
    _run(deficient)
    assert {d.subscription_id for d in deliveries(deficient)} == {wanted}


def test_a_removed_subscription_fails_its_pending_deliveries_and_hears_nothing_more(deficient: Store, receiver: Receiver) -> None:
    gone = _webhook(deficient, receiver.url)
    _run(deficient)
    assert remove_subscription(deficient, gone, NOW)
    assert not remove_subscription(deficient, gone, NOW)
    assert {(d.state, d.last_error) for d in deliveries(deficient)} == {("failed", "subscription removed before delivery")}
    receiver.start()
    assert send_due(deficient, NOW + timedelta(days=1), {}, everything=True).outcomes == []
    assert receiver.received == []


def test_two_senders_never_both_claim_a_delivery(deficient: Store, receiver: Receiver) -> None:
    _webhook(deficient, receiver.url)
    _run(deficient)
    first = due(deficient, None)[0]
    assert claim(deficient, first, NOW + timedelta(minutes=5))
    assert not claim(deficient, first, NOW + timedelta(minutes=5))
