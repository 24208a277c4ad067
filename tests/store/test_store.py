"""The Store API on SQLite and on a real PostgreSQL server: versions, records, duplicates, firms, history."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

import dailyseg
from dailyseg.render import render_json, render_text
from dailyseg.store import HistoryPoint, Store, StoreError
from dailyseg.store.synthetic import daily_filing
from dailyseg.store.tables import filing_amounts, filings
from dailyseg.watch.status import firm_status

D = Decimal
DAY = date(2024, 3, 4)  # a Monday


@pytest.fixture
def store(store_url: str) -> Store:
    return Store.open(store_url)


def test_round_trip_is_exact(store: Store) -> None:
    filing = daily_filing("Acme Futures LLC", DAY, requirement=D("1234567890.12"), funds=D("1300000000.99"), target=D(5))
    outcome = store.ingest_filing(filing, source="a.json")
    assert (outcome.status, outcome.firm, outcome.end_date) == ("stored", "Acme Futures LLC", DAY)
    assert outcome.filing_id is not None
    version, back = store.get(outcome.filing_id)
    assert back == filing
    assert back[7190] == D("65432110.87")
    assert (version.firm_id, version.version, version.is_record, version.status) == ("acme-futures", 1, True, "INITIAL")


def test_same_content_twice_is_stored_once(store: Store) -> None:
    filing = daily_filing("Acme Futures LLC", DAY, requirement=D(100), funds=D(150))
    first = store.ingest_filing(filing, source="a.txt")
    second = store.ingest_filing(filing, source="copy/a.json")
    assert second.status == "already-present" and second.filing_id == first.filing_id
    with store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(filings)).scalar() == 1
        assert conn.execute(select(func.count()).select_from(filing_amounts)).scalar() == 1


def test_amendment_chain_keeps_every_version(store: Store) -> None:
    initial = daily_filing("Acme Futures LLC", DAY, requirement=D(100), funds=D(150))
    amended = daily_filing("Acme Futures LLC", DAY, requirement=D(100), funds=D(140), status="AMENDED", submit=date(2024, 3, 6))
    again = daily_filing("Acme Futures LLC", DAY, requirement=D(100), funds=D(145), status="AMENDED", submit=date(2024, 3, 7))
    outcomes = [store.ingest_filing(f, source=str(i)) for i, f in enumerate((initial, amended, again))]
    assert [o.status for o in outcomes] == ["stored", "amended", "amended"]
    versions = store.versions("Acme Futures", DAY)
    assert [(v.version, v.status, v.is_record) for v in versions] == [(1, "INITIAL", False), (2, "AMENDED", False), (3, "AMENDED", True)]
    assert store.get(versions[0].id)[1] == initial  # the original stays readable
    assert store.history("acme-futures", ["7190"]) == [HistoryPoint(DAY, "7190", D(45), versions[2].id, True)]


def test_out_of_order_arrival_keeps_the_amendment_of_record(store: Store) -> None:
    initial = daily_filing("Acme Futures LLC", DAY, requirement=D(100), funds=D(150))
    amended = daily_filing("Acme Futures LLC", DAY, requirement=D(100), funds=D(140), status="AMENDED", submit=date(2024, 3, 6))
    assert store.ingest_filing(amended, source="late.txt").status == "amended"
    assert store.ingest_filing(initial, source="early.txt").status == "stored"
    records = store.filings("acme-futures", record_only=True)
    assert [(r.status, r.version, r.arrival) for r in records] == [("AMENDED", 2, 1)]
    point = store.history("Acme Futures", ["7190"])[0]
    assert (point.value, point.amended) == (D(40), True)


def test_name_variants_are_one_firm(store: Store) -> None:
    names = ["Citigroup Global Markets Inc.", "CITIGROUP GLOBAL MARKETS INC", "Citigroup Global Markets, Inc", "citigroup global markets"]
    for i, name in enumerate(names):
        store.ingest_filing(daily_filing(name, date(2024, 3, 4 + i), requirement=D(100), funds=D(110 + i)), source=name)
    assert store.firm_ids() == ["citigroup-global-markets"]
    assert [p.value for p in store.history("CITIGROUP GLOBAL MARKETS, INC.", ["7190"])] == [D(10), D(11), D(12), D(13)]
    summary = firm_status(store, "Citigroup Global Markets Inc.")
    assert summary is not None and summary.name == "citigroup global markets" and summary.latest_end_date == date(2024, 3, 7)


def test_alias_joins_a_renamed_firm(store: Store) -> None:
    store.ingest_filing(daily_filing("Old Name Securities LLC", DAY, requirement=D(1), funds=D(2)), source="a")
    store.ingest_filing(daily_filing("New Name Securities LLC", date(2024, 3, 5), requirement=D(1), funds=D(3)), source="b")
    assert len(store.firm_ids()) == 2
    assert store.alias("New Name Securities", "old-name-securities") == "old-name-securities"
    assert store.firm_ids() == ["old-name-securities"]
    assert [p.value for p in store.history("New Name Securities LLC", ["7190"])] == [D(1), D(2)]


def test_filings_between_dates_and_firm_status(store: Store) -> None:
    for offset, funds in enumerate((D(150), D(90), D(104))):
        day = date(2024, 3, 4 + offset)
        store.ingest_filing(daily_filing("Acme", day, requirement=D(100), funds=funds, target=D(5)), source=str(offset))
    listed = store.filings("acme", date(2024, 3, 5), date(2024, 3, 6))
    assert [v.end_date for v in listed] == [date(2024, 3, 5), date(2024, 3, 6)]
    summary = firm_status(store, "acme")
    assert summary is not None
    assert summary.statements["segregation"].standing.excess == D(4)
    assert summary.statements["segregation"].standing.target == D(5)
    assert summary.status[0] == "below-target"
    late = daily_filing("Acme", date(2024, 3, 7), requirement=D(100), funds=D(50), submit=date(2024, 3, 12))
    store.ingest_filing(late, source="late")
    summary = firm_status(store, "acme")
    # A deficiency is the one, stronger event: the firm is not also reported under its target.
    assert summary is not None and summary.status == ("deficiency", "drawdown-25", "late-initial")


def test_history_picks_records_in_date_order(store: Store) -> None:
    days = [date(2024, 3, d) for d in (6, 4, 5)]
    for day in days:
        store.ingest_filing(daily_filing("Acme", day, requirement=D(100), funds=D(100 + day.day)), source=str(day))
    points = store.history("acme", ["7190", "7060"], start=date(2024, 3, 5))
    assert [(p.end_date.day, p.code, p.value) for p in points] == [
        (5, "7190", D(5)),
        (5, "7060", D(100)),
        (6, "7190", D(6)),
        (6, "7060", D(100)),
    ]


def test_history_of_a_firm_under_two_names_is_in_date_order(store: Store) -> None:
    """The history query asks the database for no order: a firm's names each give their days in index order,
    and the days of a firm that filed under two names, alternately, must still come out in date order."""
    for day in range(4, 12):
        name = "Acme" if day % 2 else "Acme Renamed"
        store.ingest_filing(daily_filing(name, date(2024, 3, day), requirement=D(100), funds=D(100 + day)), source=str(day))
    store.alias("Acme Renamed", "acme")
    points = store.history("acme", ["7190"])
    assert [(p.end_date.day, p.value) for p in points] == [(day, D(day)) for day in range(4, 12)]
    assert store.history_columns("acme", []).dates == [date(2024, 3, day) for day in range(4, 12)]


def test_unstorable_filing_is_unreadable(store: Store) -> None:
    filing = daily_filing("", DAY, requirement=D(1), funds=D(2))
    outcome = store.ingest_filing(filing, source="blank")
    assert outcome.status == "unreadable" and "no firm name" in outcome.reason
    assert store.firm_ids() == []


def test_ingest_path_reads_every_format(store: Store, tmp_path: Path) -> None:
    filing = daily_filing("Acme", DAY, requirement=D(100), funds=D(150))
    (tmp_path / "a.txt").write_text(render_text([filing]))
    (tmp_path / "a.json").write_text(render_json([filing]))
    (tmp_path / "bad.txt").write_text("nothing here")
    assert [o.status for o in store.ingest_path(tmp_path / "a.txt")] == ["stored"]
    assert [o.status for o in store.ingest_path(tmp_path / "a.json")] == ["already-present"]
    bad = store.ingest_path(tmp_path / "bad.txt")
    assert [o.status for o in bad] == ["unreadable"] and "bad.txt" in bad[0].source
    missing = store.ingest_path(tmp_path / "missing.txt")
    assert missing[0].status == "unreadable" and "cannot open" in missing[0].reason


def test_get_unknown_id_and_unknown_firm(store: Store) -> None:
    with pytest.raises(KeyError):
        store.get(99)
    with pytest.raises(KeyError):
        store.history("nobody", ["7190"])
    assert firm_status(store, "nobody") is None


def test_open_without_create_refuses_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no store"):
        Store.open(f"sqlite:///{tmp_path / 'none.sqlite'}", create=False)
    with pytest.raises(StoreError, match="unsupported"):
        Store.open("mysql://x/y")


def test_one_batch_with_repeats_and_two_versions_of_a_day(store: Store) -> None:
    first = daily_filing("Acme", DAY, requirement=D(100), funds=D(150))
    second = daily_filing("Acme", DAY, requirement=D(100), funds=D(140), status="AMENDED")
    other = daily_filing("Acme", date(2024, 3, 5), requirement=D(100), funds=D(130))
    outcomes = store.ingest_filings([first, second, first, other], source="batch.json")
    assert [o.status for o in outcomes] == ["stored", "amended", "already-present", "stored"]
    assert outcomes[2].filing_id == outcomes[0].filing_id
    assert [(v.version, v.is_record) for v in store.versions("acme", DAY)] == [(1, False), (2, True)]


def test_ingest_paths_batches_documents_and_keeps_every_guarantee(store: Store, tmp_path: Path) -> None:
    """Several documents in one transaction: duplicates across documents stored once, an amendment in the
    same batch as its original kept as version 2, unreadable documents and filings reported in place."""
    first = daily_filing("Acme Futures LLC", DAY, requirement=D(100), funds=D(150))
    amended = daily_filing("ACME FUTURES, L.L.C.", DAY, requirement=D(100), funds=D(140), status="AMENDED")
    later = daily_filing("Acme Futures LLC", date(2024, 3, 5), requirement=D(100), funds=D(130))
    too_long = daily_filing("Z" * 301, DAY, requirement=D(1), funds=D(2))
    (tmp_path / "1.txt").write_text(render_text([first]))
    (tmp_path / "2.json").write_text(render_json([first, amended]))
    (tmp_path / "3.txt").write_text("nothing here")
    (tmp_path / "4.json").write_text(render_json([later, too_long]))
    paths = [tmp_path / name for name in ("1.txt", "2.json", "3.txt", "4.json", "missing.txt")]
    read: list[Path] = []
    outcomes = store.ingest_paths(paths, batch=3, on_document=read.append)
    assert read == paths
    assert [(o.status, Path(o.source).name) for o in outcomes] == [
        ("stored", "1.txt"),
        ("already-present", "2.json"),
        ("amended", "2.json"),
        ("unreadable", "3.txt"),
        ("stored", "4.json"),
        ("unreadable", "4.json"),
        ("unreadable", "missing.txt"),
    ]
    assert outcomes[1].filing_id == outcomes[0].filing_id
    assert "firm name is longer than 300 characters" in outcomes[5].reason
    versions = store.versions("acme-futures", DAY)
    assert [(v.version, v.is_record, v.status) for v in versions] == [(1, False, "INITIAL"), (2, True, "AMENDED")]
    again = store.ingest_paths(paths, batch=500)
    assert [o.status for o in again] == ["already-present"] * 3 + ["unreadable", "already-present", "unreadable", "unreadable"]
    with store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(filings)).scalar() == 3
        assert conn.execute(select(func.count()).select_from(filing_amounts)).scalar() == 3


def test_revision_changes_exactly_when_a_filing_is_stored_or_names_are_joined(store: Store) -> None:
    """The defect: joining two names (`alias`) left the revision as it was, so cached charts and firm lists
    went on showing two firms."""
    empty = store.revision()
    filing = daily_filing("Acme", DAY, requirement=D(100), funds=D(150))
    stored = store.ingest_filing(filing, source="a")
    first = store.revision()
    assert first != empty and first[0] == stored.filing_id
    store.ingest_filing(filing, source="again")
    assert store.revision() == first
    other = store.ingest_filing(daily_filing("Acme Two", DAY, requirement=D(100), funds=D(150)), source="b")
    before_alias = store.revision()
    assert before_alias[0] == other.filing_id
    store.alias("Acme Two", "acme")
    assert store.revision() != before_alias and store.revision()[0] == other.filing_id


def test_nothing_outside_the_store_runs_sql_on_its_tables() -> None:
    """Only `dailyseg.store` may speak SQL to the store: the rest of the package uses the Store's methods."""
    package = Path(dailyseg.__file__).parent
    speaks_sql = re.compile(r"sqlalchemy|store\.tables|store\.bulk")
    found = [
        f"{path.relative_to(package)}:{number}: {line.strip()}"
        for path in sorted(package.rglob("*.py"))
        if path.relative_to(package).parts[0] != "store"
        for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1)
        if speaks_sql.search(line)
    ]
    assert found == []
