"""The stale-confirmation check: a depository balance with no matching stored confirmation for N business days
is one event, dated at the N-th unmatched business day, listed by the monitor and delivered once."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from dailyseg.alerts.stale import RULE, Stale, stale_balances, stale_confirmations
from dailyseg.alerts.webhook import verify
from dailyseg.calendar import business_days
from dailyseg.checks import REGISTRY
from dailyseg.checks.computation import STALE_AFTER_DAYS
from dailyseg.cli.app import main
from dailyseg.store import Store
from dailyseg.store.confirmations import Confirmation, record, standings
from tests.alerts.conftest import Receiver

NOW = datetime(2024, 3, 1, 20, 0, tzinfo=UTC)
# Business days from Wednesday 2024-03-20 on: Good Friday (2024-03-29) and the weekends are not among them.
DAYS = business_days(date(2024, 3, 20), date(2024, 4, 30))


def _row(day: date, books: int, confirmed: int, depository: str = "BANK", customer_class: str = "futures") -> Confirmation:
    return Confirmation(day, depository, customer_class, "cash", "USD", books, confirmed)


def _keep(store: Store, firm_id: str, rows: list[Confirmation]) -> None:
    for day in sorted({r.business_date for r in rows}):
        record(store, firm_id, day, [r for r in rows if r.business_date == day], NOW)


def _stale(store: Store, firm_id: str, as_of: date, after: int) -> list[Stale]:
    return stale_balances(standings(store, firm_id, as_of), as_of, after)


def test_a_balance_is_stale_from_the_nth_unmatched_business_day(store_url: str) -> None:
    friday, monday, tuesday, wednesday = date(2024, 3, 1), date(2024, 3, 4), date(2024, 3, 5), date(2024, 3, 6)
    with Store.open(store_url) as store:
        rows = [_row(friday, 100, 100), _row(monday, 100, 90)]  # no run at all on Tuesday or Wednesday: unmatched too
        _keep(store, "acme", rows)
        assert _stale(store, "acme", tuesday, 3) == []
        assert _stale(store, "acme", wednesday, 3) == [Stale(rows[1], friday, monday, wednesday)]
        assert [s.stale_on for s in _stale(store, "acme", date(2024, 3, 11), 3)] == [wednesday]  # the same day, later
        assert [s.stale_on for s in _stale(store, "acme", monday, 1)] == [monday]
        assert _stale(store, "acme", friday, 1) == []
        _keep(store, "acme", [_row(wednesday, 90, 90)])
        assert _stale(store, "acme", wednesday, 3) == []
        with pytest.raises(ValueError, match="after 1 business day or more, not 0"):
            _stale(store, "acme", wednesday, 0)


def test_only_the_balances_of_the_latest_reconciliation_are_watched(store_url: str) -> None:
    with Store.open(store_url) as store:
        closed = _row(date(2024, 3, 4), 5, 0, depository="OLD")  # gone from both sides by the next run
        _keep(store, "acme", [closed, _row(date(2024, 3, 5), 1, 1), _row(date(2024, 3, 11), 1, 0)])
        assert _stale(store, "acme", date(2024, 3, 7), 3) == []  # OLD, never matched, is not in the 03-05 run
        assert [(s.latest.depository, s.since) for s in _stale(store, "acme", date(2024, 3, 13), 3)] == [("BANK", date(2024, 3, 6))]


_FIRMS = iter(range(1_000_000))


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """One SQLite store for every example of the property test, each example a firm of its own."""
    with Store.open(f"sqlite:///{tmp_path_factory.mktemp('stale') / 'store.sqlite'}") as store:
        yield store


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.sampled_from(["matched", "unmatched", "none"]), min_size=1, max_size=len(DAYS) - 5),
    st.integers(min_value=0, max_value=5),
    st.integers(min_value=1, max_value=6),
)
def test_stale_exactly_when_the_unmatched_run_reaches_n(shared: Store, history: list[str], quiet: int, after: int) -> None:
    """For any history of runs (matched, unmatched, no run) followed by `quiet` days without a run: stale exactly
    when the business days since the last match (or since the balance first appeared) number `after` or more."""
    history[-1] = history[-1] if history[-1] != "none" else "unmatched"  # the latest run holds the balance
    firm = f"firm-{next(_FIRMS)}"
    _keep(
        shared,
        firm,
        [_row(day, 100, 100 if state == "matched" else 99) for day, state in zip(DAYS, history, strict=False) if state != "none"],
    )
    as_of = DAYS[len(history) - 1 + quiet]
    matched = [i for i, state in enumerate(history) if state == "matched"]
    start = matched[-1] + 1 if matched else min(i for i, state in enumerate(history) if state != "none")
    found = _stale(shared, firm, as_of, after)
    assert bool(found) == (len(history) + quiet - start >= after)
    if found:
        assert found[0].stale_on == DAYS[start + after - 1] and found[0].since == DAYS[start]
        assert found[0].last_matched == (DAYS[matched[-1]] if matched else None)


def test_the_event_names_each_balance_per_statement_and_day(store_url: str) -> None:
    with Store.open(store_url) as store:
        monday = date(2024, 3, 4)
        held = [_row(monday, 100, 90), _row(monday, 7, 0, depository="DCO"), _row(monday, 5, 0, customer_class="swaps")]
        record(store, "acme-futures", monday, held, NOW)
        found = stale_confirmations(store, None, date(2024, 3, 6), STALE_AFTER_DAYS)
    assert [(o.firm_id, o.end_date, o.finding.statement) for o in found] == [
        ("acme-futures", date(2024, 3, 6), "segregation"),
        ("acme-futures", date(2024, 3, 6), "swaps"),
    ]
    futures, swaps = (o.finding for o in found)
    assert futures.rule == RULE and futures.is_event and futures.severity == REGISTRY[RULE].severity == "warning"
    assert futures.since == monday and futures.citation == "17 CFR 1.20(d); 1.32(a)" and swaps.citation == "17 CFR 22.5; 22.2(g)(1)"
    assert "2 balances without a matching confirmation for 3 business days" in futures.message
    assert "BANK futures cash in USD (never matched; on 2024-03-04 books 1, confirmed 0.9)" in futures.message
    assert futures.expected == "a matching confirmation within 3 business days"


def _run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def test_monitor_lists_it_and_notify_delivers_it_once(store_url: str, listening: Receiver) -> None:
    with Store.open(store_url) as store:
        record(store, "acme-futures", date(2024, 3, 1), [_row(date(2024, 3, 1), 100, 100)], NOW)
        record(store, "acme-futures", date(2024, 3, 4), [_row(date(2024, 3, 4), 100, 90)], NOW)
    env = {"HOOK": "receiver-secret"}
    subscribe = ("alerts", "subscribe", "--webhook", listening.url, "--secret-env", "HOOK", "--rule", RULE, "--from", "2024-01-01")
    assert _run(*subscribe, "--db", store_url, env=env)[0] == 0
    code, out, _ = _run("monitor", "--as-of", "2024-03-05", "--json", "--db", store_url)
    assert code == 0 and json.loads(out)["findings"] == []
    code, out, _ = _run("monitor", "--as-of", "2024-03-06", "--format", "csv", "--db", store_url)
    assert code == 0 and out.splitlines()[1].startswith("2024-03-06,acme-futures,event,warning,stale-confirmation,2024-03-04,")
    assert _run("monitor", "--as-of", "2024-03-06", "--stale-after", "4", "--json", "--db", store_url)[1].count(RULE) == 0
    for as_of in ("2024-03-06", "2024-03-06", "2024-03-08"):
        code, _, err = _run("monitor", "--notify", "--as-of", as_of, "--db", store_url)
        assert code == 0, err
    (got,) = listening.received
    body = json.loads(got.body)
    assert verify("receiver-secret", got.body, got.headers["x-dailyseg-signature"])
    assert (body["rule"], body["end_date"], body["since"], body["statement"]) == (RULE, "2024-03-06", "2024-03-04", "segregation")
    assert body["figures"]["actual"] == "last matched 2024-03-01"
