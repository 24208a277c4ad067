"""Answers kept in the store for every server process (store/answers.py), on SQLite and PostgreSQL.

An answer read back must be the answer judged; it is judged once per firm revision whichever process asks
first; two processes keeping it at once neither fail nor keep it twice; a new filing makes only its firm's
answer be judged again, and the firm's answers of older revisions go.
"""

from __future__ import annotations

import threading
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from dailyseg.checks import REGISTRY, Hit
from dailyseg.standing import Standing
from dailyseg.store import Store
from dailyseg.store.answers import MAX_KEYS, Keeper, answer, keep_answer, kept_answer
from dailyseg.store.synthetic import daily_filing, series
from dailyseg.store.tables import firm_answers
from dailyseg.watch.monitor import Observation
from dailyseg.watch.status import FirmStatus, StatementFigures, firm_status, status_from_json, status_to_json

START, END = date(2024, 1, 2), date(2024, 3, 28)


def _seeded(url: str) -> Store:
    store = Store.open(url)
    store.ingest_filings(list(series("Alpha Futures LLC", START, END, seed=1)), source="alpha")
    store.ingest_filings(list(series("Beta Clearing Inc", START, END, seed=2)), source="beta")
    for day, funds in ((END - timedelta(days=1), Decimal(900)), (END, Decimal(800))):  # a firm in deficiency since the day before
        store.ingest_filing(
            daily_filing("Gamma Deficient LLC", day, requirement=Decimal(1000), funds=funds, target=Decimal(50)), source="gamma"
        )
    return store


def _rows(store: Store) -> list[tuple[str, str, str, str]]:
    c = firm_answers.c
    with store.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(c.firm_id, c.kind, c.key, c.revision).order_by(c.firm_id, c.kind, c.key))]


def test_a_kept_status_is_the_judged_one_and_is_judged_once_per_revision(store_url: str) -> None:
    with _seeded(store_url) as store:
        firm = store.require("Gamma Deficient LLC")
        revision = store.firm_revision(firm)
        judged: list[str] = []

        def judge() -> FirmStatus | None:
            judged.append(firm)
            return firm_status(store, firm, END)

        first = answer(store, firm, "status", END.isoformat(), revision, judge, status_to_json, status_from_json)
        again = answer(store, firm, "status", END.isoformat(), revision, judge, status_to_json, status_from_json)
        assert first is not None and "deficiency" in first.status
        assert again == first == firm_status(store, firm, END)
        assert judged == [firm]
        assert kept_answer(store, firm, "status", END.isoformat(), revision) == status_to_json(first)


def test_a_new_filing_judges_only_its_firms_answer_again_and_drops_the_older_one(store_url: str) -> None:
    with _seeded(store_url) as store:
        alpha, beta = store.require("Alpha Futures LLC"), store.require("Beta Clearing Inc")
        judged: list[str] = []

        def status(firm: str) -> FirmStatus | None:
            def judge() -> FirmStatus | None:
                judged.append(firm)
                return firm_status(store, firm, END)

            return answer(store, firm, "status", END.isoformat(), store.firm_revision(firm), judge, status_to_json, status_from_json)

        status(alpha), status(beta)
        before = status(beta)
        amended = daily_filing("Alpha Futures LLC", END, requirement=Decimal(1000), funds=Decimal(900), status="AMENDED")
        store.ingest_filing(amended, source="alpha-amended")
        after = status(alpha), status(beta)

        assert judged == [alpha, beta, alpha]
        assert after[0] == firm_status(store, alpha, END) and after[0] is not None and "deficiency" in after[0].status
        assert after[1] == before
        revisions = {firm: f"{store.firm_revision(firm)[0]}:{store.firm_revision(firm)[1]}" for firm in (alpha, beta)}
        assert _rows(store) == [(alpha, "status", END.isoformat(), revisions[alpha]), (beta, "status", END.isoformat(), revisions[beta])]


def test_an_answer_judged_across_a_new_filing_is_not_kept_under_the_older_revision(store_url: str) -> None:
    with _seeded(store_url) as store:
        firm = store.require("Alpha Futures LLC")
        older = store.firm_revision(firm)
        store.ingest_filing(
            daily_filing("Alpha Futures LLC", END + timedelta(days=1), requirement=Decimal(5), funds=Decimal(9)), source="late"
        )
        assert not keep_answer(store, firm, "status", "", older, "null")
        assert _rows(store) == []
        # An answer left to encode when kept (ten years of figures take milliseconds) is not encoded at all.
        encoded: list[str] = []

        def encode() -> str:
            encoded.append("null")
            return "null"

        assert not keep_answer(store, firm, "status", "", older, encode)
        assert encoded == []
        assert keep_answer(store, firm, "status", "", store.firm_revision(firm), encode)
        assert encoded == ["null"] and len(_rows(store)) == 1


def test_processes_keeping_the_same_answer_at_once_neither_fail_nor_keep_it_twice(store_url: str) -> None:
    with _seeded(store_url) as first:
        firm = first.require("Alpha Futures LLC")
        revision = first.firm_revision(firm)
        stores = [first, *(Store.open(store_url) for _ in range(5))]  # an engine each, as each server process has
        start = threading.Barrier(len(stores))
        kept: list[bool] = []

        def keep(store: Store) -> None:
            start.wait()
            kept.append(keep_answer(store, firm, "chart", "", revision, '{"same": true}'))

        threads = [threading.Thread(target=keep, args=(s,)) for s in stores]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        for store in stores[1:]:
            store.close()
        assert kept == [True] * len(stores)
        with first.engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(firm_answers)).scalar() == 1
        assert kept_answer(first, firm, "chart", "", revision) == '{"same": true}'


def test_a_keeper_writes_what_it_was_handed_by_the_time_it_is_closed(store_url: str) -> None:
    with _seeded(store_url) as store:
        keeper = Keeper()
        firms = store.firm_ids()
        for firm in firms:
            for day in ("2024-03-27", "2024-03-28"):
                keeper.keep(store, firm, "status", day, store.firm_revision(firm), f'"{firm} {day}"')
        keeper.close()
        assert [(firm, key) for firm, _, key, _ in _rows(store)] == [(f, d) for f in sorted(firms) for d in ("2024-03-27", "2024-03-28")]
        assert kept_answer(store, firms[0], "status", "2024-03-28", store.firm_revision(firms[0])) == f'"{firms[0]} 2024-03-28"'


def test_a_firm_keeps_a_bounded_number_of_answers_of_a_kind(store_url: str) -> None:
    with _seeded(store_url) as store:
        firm = store.require("Beta Clearing Inc")
        revision = store.firm_revision(firm)
        days = [(START + timedelta(days=i)).isoformat() for i in range(MAX_KEYS + 1)]  # as many ?as_of= as a visitor likes
        kept = [keep_answer(store, firm, "status", day, revision, "null") for day in days]
        assert kept == [True] * MAX_KEYS + [False]
        assert len(_rows(store)) == MAX_KEYS
        assert keep_answer(store, firm, "feed", "2024-01-01", revision, "[]")  # another kind has its own bound


# -- a status read back equals the status kept, for any figures and findings ---------------------------------

_amounts = st.none() | st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=-(10**13), max_value=10**13)
# Amounts as a reader may leave them: any exponent, trailing zeros kept ("1.10", "1E+3").
_exact = st.decimals(allow_nan=False, allow_infinity=False)
_days = st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31))
_texts = st.text(max_size=30)


@st.composite
def _observations(draw: st.DrawFn) -> Observation:
    rule = REGISTRY[draw(st.sampled_from(sorted(REGISTRY)))]
    value = st.none() | _exact | _texts
    hit = Hit(
        message=draw(_texts),
        statement=draw(st.none() | st.sampled_from(["segregation", "secured", "swaps"])),
        codes=tuple(draw(st.lists(st.sampled_from(["7010", "7180", "8715.A"]), max_size=3))),
        expected=draw(value),
        actual=draw(value),
        difference=draw(st.none() | _exact),
        since=draw(st.none() | _days),
        citation=draw(st.sampled_from(["", "17 CFR 1.20"])),
    )
    return Observation(draw(st.sampled_from(["alpha", "beta"])), draw(_days), rule.stamp(hit))


@st.composite
def _statuses(draw: st.DrawFn) -> FirmStatus:
    statements = {}
    for sid in draw(st.lists(st.sampled_from(["segregation", "secured", "swaps"]), unique=True)):
        place = Standing(sid, draw(_amounts), draw(_amounts), draw(_amounts), draw(_amounts), draw(_texts), draw(_amounts))
        statements[sid] = StatementFigures(place, draw(st.none() | _exact))
    findings = tuple(draw(st.lists(_observations(), max_size=5)))
    return FirmStatus(draw(_texts), draw(_texts), draw(st.none() | _days), draw(st.none() | _days), statements, findings)


@settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow])
@given(_statuses())
def test_a_status_read_back_is_the_status_kept(status: FirmStatus) -> None:
    back = status_from_json(status_to_json(status))
    assert back == status
    assert back is not None
    # Equal Decimals may differ in their digits ("1.10" and "1.1"); the kept ones are the same text.
    assert [str(s.standing.funds) for s in back.statements.values()] == [str(s.standing.funds) for s in status.statements.values()]
    assert [repr(o.finding.expected) for o in back.findings] == [repr(o.finding.expected) for o in status.findings]
