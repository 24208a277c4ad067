"""The faster ingest and history (issue 16, part 3) give what the plain paths give, on SQLite and PostgreSQL.

The content hash is now written out piece by piece instead of through `serial.filing_to_dict` and the JSON
encoder; it must be the very same hash, or every stored filing and every hash the audit log recorded would
stop matching. Filing rows are written with ids handed out in the transaction, value rows by COPY on
PostgreSQL, and the history reads plain tuples from a covering index: each checked against the slower,
plainer way of getting the same answer.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from alembic.config import Config
from alembic.runtime.environment import EnvironmentContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event, insert, select, text

from dailyseg.filing import Entry, Filing
from dailyseg.money import to_cents
from dailyseg.serial import filing_to_dict
from dailyseg.store import Store
from dailyseg.store.amounts import read_amounts
from dailyseg.store.audit import verify
from dailyseg.store.content_hash import content_hash
from dailyseg.store.ingest import prepare
from dailyseg.store.migrate import script_directory
from dailyseg.store.synthetic import Level, daily_filing, filing_of, series
from dailyseg.store.tables import filings as filing_heads
from dailyseg.store.tables import firm_answers, metadata
from tests.strategies import filings

D = Decimal
FIRM = "Acme Futures LLC"
DAY = date(2024, 3, 4)  # a Monday
SHARED = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def reference_hash(filing: Filing) -> str:
    """The definition the store has always used: SHA-256 of the filing's serial form as sorted compact JSON."""
    text = json.dumps(filing_to_dict(filing), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _storable(filing: Filing) -> bool:
    return filing.header.end_date is not None and bool(filing.header.firm_name.strip()) and bool(filing.entries)


@pytest.mark.slow
@settings(deadline=None)
@given(filings())
def test_content_hash_is_the_hash_stored_before(filing: Filing) -> None:
    assert content_hash(filing) == reference_hash(filing)
    if _storable(filing):
        prepared = prepare(filing, "x")
        assert prepared.content_hash == reference_hash(filing)
        assert [cents for _, _, cents, _ in prepared.amounts] == [to_cents(e.amount) for e in filing.entries]


def _changed(filing: Filing, what: str) -> Filing:
    header, first = filing.header, filing.entries[0]
    if what == "amount":
        return replace(filing, entries=(replace(first, amount=first.amount + D("0.01")), *filing.entries[1:]))
    if what == "code":
        taken, new = {e.ref for e in filing.entries}, first.ref + "9"
        while new in taken:
            new += "9"
        return replace(filing, entries=(replace(first, ref=new, label="moved"), *filing.entries[1:]))
    if what == "status":
        return replace(filing, header=replace(header, status="AMENDED" if header.status != "AMENDED" else "INITIAL"))
    if what == "end_date":
        return replace(filing, header=replace(header, end_date=(header.end_date or date(2024, 1, 2)) + timedelta(days=1)))
    if what == "submit_date":
        return replace(filing, header=replace(header, submit_date=(header.submit_date or date(2024, 1, 2)) + timedelta(days=1)))
    if what == "firm":
        return replace(filing, header=replace(header, firm_name=header.firm_name + " X"))
    return replace(filing, header=replace(header, form=header.form + " X"))


@pytest.mark.slow
@settings(deadline=None)
@given(filings(), st.sampled_from(["amount", "code", "status", "end_date", "submit_date", "firm", "form"]))
def test_equal_filings_hash_alike_and_any_change_shows(filing: Filing, what: str) -> None:
    same = Filing(filing.header, filing.layout, tuple(reversed(filing.entries)), filing.cover, filing.statements)
    assert content_hash(same) == content_hash(filing)
    if filing.entries or what not in ("amount", "code"):
        assert content_hash(_changed(filing, what) if filing.entries else _changed(_with_entry(filing), what)) != content_hash(filing)


def _with_entry(filing: Filing) -> Filing:
    return replace(filing, entries=(Entry("segregation", "7010", D(1)),))


def test_a_hash_recorded_before_the_change_still_finds_its_filing(sample_filing: Filing, tmp_path: Any) -> None:
    # Computed with the JSON definition before this change: a store written then keeps matching.
    assert content_hash(sample_filing) == reference_hash(sample_filing)
    with Store.open(f"sqlite:///{tmp_path / 's.sqlite'}") as store:
        first = store.ingest_filing(sample_filing, source="a.txt")
        again = store.ingest_filing(sample_filing, source="b.txt")
    assert (first.status, again.status, again.filing_id) == ("stored", "already-present", first.filing_id)


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    with Store.open(store_url) as opened:
        yield opened


def _versions() -> st.SearchStrategy[list[Filing]]:
    """Filings of one firm over a week: originals, amendments (some before their original), repeats; some of
    every statement, some of the segregation statement only (other lines, without the other statements' codes)."""

    def one_filing(day: int, status: str, submit: date | None, funds: int, whole: bool) -> Filing:
        end = DAY + timedelta(days=day)
        if whole:
            return daily_filing(FIRM, end, requirement=D(100), funds=D(funds), status=status, submit=submit)
        return filing_of(FIRM, end, {"segregation": Level(D(100), D(funds - 100), D(0))}, status=status, submit=submit)

    one = st.builds(
        one_filing,
        st.integers(0, 4),
        st.sampled_from(["INITIAL", "AMENDED"]),
        st.one_of(st.none(), st.dates(DAY, DAY + timedelta(days=9))),
        st.integers(90, 130),
        st.booleans(),
    )
    return st.lists(one, min_size=1, max_size=12)


@pytest.mark.slow
@SHARED
@given(batch=_versions())
def test_a_batch_stores_what_the_same_filings_one_by_one_store(store: Store, batch: list[Filing]) -> None:
    _empty(store)
    outcomes = store.ingest_filings(batch, source="batch")
    together = [_outcome(o, store) for o in outcomes]
    stored = [o.filing_id for o in outcomes if o.status != "already-present" and o.filing_id is not None]
    assert stored == sorted(set(stored))  # new ids rise in the order the filings were offered
    assert [store.get(o.filing_id)[1] if o.filing_id else None for o in outcomes] == batch  # each round-trips exactly
    assert {o.status for o in store.ingest_filings(batch, source="again")} == {"already-present"}
    history = _history(store)
    assert history == _history_by_hand(store)
    _empty(store)
    one_by_one = [store.ingest_filing(f, source="batch") for f in batch]
    alone = [_outcome(o, store) for o in one_by_one]
    assert together == alone
    assert _history(store) == history


@pytest.mark.slow
@SHARED
@given(first=_versions(), then=st.lists(st.tuples(_versions(), st.booleans()), min_size=1, max_size=3))
def test_the_history_read_since_a_revision_is_the_whole_read_again(
    store: Store, first: list[Filing], then: list[tuple[list[Filing], bool]]
) -> None:
    """What the overview's running totals read after a firm's filings: the days filed since, put in their place."""
    _empty(store)
    store.ingest_filings(first, source="first")
    firm_id, codes = store.require(FIRM), ["7190", "7060", "7360"]
    held, largest = store.history_columns(firm_id, codes), store.firm_revision(firm_id)[0]
    for batch, another_firm_too in then:
        if another_firm_too:  # another firm's filings move nothing of this one's
            store.ingest_filing(daily_filing("Other Futures LLC", DAY, requirement=D(5), funds=D(9)), source="other")
        stored = [o for o in store.ingest_filings(batch, source="then") if o.status != "already-present" and o.filing_id is not None]
        assert store.days_filed_since(firm_id, largest) == sorted({o.end_date for o in stored if o.end_date is not None})
        held = store.history_columns_since(firm_id, codes, held, largest)
        assert held == store.history_columns(firm_id, codes)
        largest = store.firm_revision(firm_id)[0]
    assert store.history_columns_since(firm_id, codes[:1], held, largest) == held.only(codes[:1])  # nothing filed since


def _empty(store: Store) -> None:
    """Empty the store for the next example (every table, children first; the audit chain goes on from its head)."""
    with store.engine.begin() as conn:
        for table in reversed(metadata.sorted_tables):
            if table.name != "audit_head":
                conn.execute(table.delete())


def _outcome(outcome: Any, store: Store) -> tuple[Any, ...]:
    """An outcome as comparable between stores: ids replaced by what they name."""
    version = store.get(outcome.filing_id)[0] if outcome.filing_id is not None else None
    reason = outcome.reason.split("; filing ")[0]
    return (outcome.status, outcome.end_date, version.version if version else None, version.content_hash if version else None, reason)


def _history(store: Store) -> list[tuple[Any, ...]]:
    table = store.history_columns(FIRM, ["7190", "7060", "7360"])
    hashes = [store.get(i)[0].content_hash for i in table.filing_ids]
    return list(zip(table.dates, hashes, table.amended, *table.cents.values(), strict=True))


def _history_by_hand(store: Store) -> list[tuple[Any, ...]]:
    """The same columns from each day's filing of record as `filings` lists it and its values as `get` reads them."""
    versions = store.filings(FIRM)
    rows = []
    for version in (v for v in versions if v.is_record):
        others = [v for v in versions if (v.end_date, v.form) == (version.end_date, version.form)]
        amounts = {e.ref: to_cents(e.amount) for e in store.get(version.id)[1].entries}
        amended = version.status == "AMENDED" or len(others) > 1
        rows.append((version.end_date, version.content_hash, amended, *(amounts.get(c) for c in ("7190", "7060", "7360"))))
    return rows


def test_a_batch_is_written_with_a_fixed_number_of_statements(store: Store) -> None:
    """Regression: filing rows went in with one INSERT ... RETURNING each; the statements of a batch no longer
    grow with its size."""
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *rest: Any) -> None:
        statements.append(statement)

    event.listen(store.engine, "before_cursor_execute", count)
    days = [DAY + timedelta(days=i) for i in range(60)]
    store.ingest_filings([daily_filing(FIRM, d, requirement=D(1), funds=D(2)) for d in days[:5]], source="a")
    few = len(statements)
    statements.clear()
    store.ingest_filings([daily_filing(FIRM, d, requirement=D(1), funds=D(2)) for d in days[5:]], source="b")
    event.remove(store.engine, "before_cursor_execute", count)
    assert len(statements) <= few  # 55 filings take no more statements than 5 (COPY is not counted here)


def test_upgrading_from_0008_keeps_every_value_and_the_history(store_url: str) -> None:
    """Down to 0012 (values one row each) and 0008 (before the WITHOUT ROWID table) and up again to the packed
    amounts (0013): every value, the history and the audit log's hashes come through each step."""
    filed = list(series(FIRM, date(2024, 1, 1), date(2024, 2, 29), seed=3))
    with Store.open(store_url) as opened:
        opened.ingest_filings(filed, source="jan-feb")
        before = (_packed_rows(opened), opened.history_columns(FIRM, ["7190", "7010"]))
        for revision in ("0012", "0008"):
            _migrate(opened, revision)
            assert _value_rows(opened) == before[0]
    with Store.open(store_url) as opened:  # opening upgrades it to the packed amounts again
        assert (_packed_rows(opened), opened.history_columns(FIRM, ["7190", "7010"])) == before
        assert verify(opened).ok


def test_upgrading_to_0014_deletes_the_firms_days_kept_as_answers_and_keeps_the_rest(store_url: str) -> None:
    """The firm page reads its range's days since 0014; the days answers kept before are garbage nothing replaces."""
    with Store.open(store_url) as opened:
        opened.ingest_filings(list(series(FIRM, date(2024, 1, 1), date(2024, 1, 31), seed=3)), source="jan")
        firm = opened.require(FIRM)
        _migrate(opened, "0013")
        kept = [{"firm_id": firm, "kind": kind, "key": "", "revision": "1:2", "body": "[]"} for kind in ("days", "status", "history")]
        with opened.engine.begin() as conn:
            conn.execute(insert(firm_answers), kept)
    with Store.open(store_url) as opened, opened.engine.connect() as conn:
        assert sorted(conn.execute(select(firm_answers.c.kind)).scalars()) == ["history", "status"]


def _packed_rows(store: Store) -> list[tuple[Any, ...]]:
    """(filing id, code, statement, cents, label) of every stored amount, by filing and code."""
    with store.engine.connect() as conn:
        ids = [int(i) for i in conn.execute(select(filing_heads.c.id)).scalars()]
        found = read_amounts(conn, ids)
    rows = sorted((i, code, statement, cents, label) for i, amounts in found.items() for statement, code, cents, label in amounts)
    assert len(found) == len(ids) > 0
    return rows


def _value_rows(store: Store) -> list[tuple[Any, ...]]:
    """The same from `filing_values`, where the values were kept before revision 0013."""
    with store.engine.connect() as conn:
        rows = conn.execute(text("SELECT filing_id, code, statement, cents, label FROM filing_values ORDER BY filing_id, code")).all()
    return [tuple(r) for r in rows]


def _migrate(store: Store, revision: str) -> None:
    """Downgrade the store's schema to `revision` (what opening it with an older dailyseg would have found)."""
    script = script_directory()

    def steps(current: Any, context: Any) -> Any:
        return script._downgrade_revs(revision, current)

    with store.engine.begin() as connection:
        environment = EnvironmentContext(Config(), script, fn=steps, destination_rev=revision)
        with environment:
            environment.configure(connection=connection, target_metadata=metadata, fn=steps, transactional_ddl=True)
            environment.run_migrations()
