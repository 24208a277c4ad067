"""NFA summaries and CFTC text columns in the store, on SQLite and PostgreSQL: stored exactly, once, with their
source, joined to the firm of its filings; and the migration that moved the B/D? flag keeps what was stored."""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from alembic.config import Config
from alembic.runtime.environment import EnvironmentContext
from sqlalchemy import create_engine, insert, select

from dailyseg.store import Store
from dailyseg.store.migrate import script_directory
from dailyseg.store.synthetic import daily_filing
from dailyseg.store.tables import aliases, cftc_rows, cftc_texts, cftc_values, metadata, nfa_shares
from dailyseg.watch.cftc import import_table
from dailyseg.watch.monthend import compare_month_end
from dailyseg.watch.nfa_import import import_file
from dailyseg.watch.observations import observations
from tests.watch import nfa_pages as pages

D = Decimal


def _page(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return str(path)


def test_summaries_are_stored_exactly_once_with_their_source(store_url: str, tmp_path: Path) -> None:
    path = _page(tmp_path, "granite.txt", pages.ALL_POOLS)
    with Store.open(store_url) as store:
        first = import_file(store, path)
        again = import_file(store, path)
        stored = store.nfa_summaries("Granite Futures Corp.")
        percent = store.engine.connect().execute(select(nfa_shares.c.hundredths)).scalar()
    assert (first.stored, first.already_present, again.stored, again.already_present) == (3, 0, 0, 3)
    assert [(s.pool, s.as_of, s.nfa_id, s.source, s.values.get("excess")) for s in stored] == [
        ("secured", date(2017, 9, 30), "0299999", path, D(100_000)),
        ("seg", date(2017, 9, 30), "0299999", path, D(100_000)),
        ("swaps", date(2017, 9, 30), "0299999", path, D(0)),
    ]
    assert stored[1].shares == {"holding": {"Bank": D(100)}} and percent == 10_000  # hundredths of a percent


def test_negative_amounts_and_percentages_round_trip(store_url: str, tmp_path: Path) -> None:
    with Store.open(store_url) as store:
        import_file(store, _page(tmp_path, "ocean.txt", pages.SWAPS_DEFICIENT))
        (summary,) = store.nfa_summaries("ocean-swaps")
    assert summary.values == {"funds": D(75_000), "required": D(100_000), "excess": D(-25_000), "target": D(-5_000)}
    assert summary.shares == {"holding": {"Bank": D("60.1"), "Clearing Organization": D(40)}}


def test_a_damaged_file_stores_nothing(store_url: str, tmp_path: Path) -> None:
    half = pages.SEG_WITH_NAVIGATION.replace("Amount Required to be in Segregation$900,000", "Amount Required to be in Segregation$9OO,000")
    with Store.open(store_url) as store:
        result = import_file(store, _page(tmp_path, "half.txt", pages.SECURED_BARE + half))
        assert result.refused and len(result.summaries) == 1 and (result.stored, result.already_present) == (0, 0)
        assert store.resolve("Harbor Futures") is None


def test_a_summary_joins_the_firm_of_its_filings_and_sits_beside_them(store_url: str, tmp_path: Path) -> None:
    with Store.open(store_url) as store:
        store.ingest_filing(
            daily_filing("Acme Futures, LLC", date(2017, 6, 30), requirement=D(900_000), funds=D(1_000_000), target=D(50_000)), source="a"
        )
        path = _page(tmp_path, "acme.txt", pages.SEG_WITH_NAVIGATION)
        import_file(store, path)
        assert store.resolve("ACME FUTURES LLC") == "acme-futures"
        figures = {f.measure: f for f in compare_month_end(store, "acme-futures")}
    assert {f.statement for f in figures.values()} == {"segregation"}
    funds = figures["funds"]
    assert (funds.cftc, funds.nfa, funds.filed, funds.nfa_difference, funds.nfa_source, funds.status) == (
        None,
        D(1_000_250),
        D(1_000_000),
        D(-250),
        path,
        "differs",
    )
    assert (figures["required"].status, figures["target"].status) == ("agrees", "agrees")


def _table(path: Path) -> Path:
    with path.open("w", newline="") as handle:
        rows = [
            [
                "Rank",
                "FCM",
                "Reg As",
                "B/D?",
                "DSRO",
                "A/O Date",
                "Cust Seg Assets",
                "Cust Seg Required",
                "Excess Seg Funds",
                "Remarks (a)",
            ],
            ["1", "Acme Futures LLC", "FCM", "Y", "CME", "06/30/2017", "1,000,000", "900,000", "100,000", "see note (a)"],
        ]
        csv.writer(handle).writerows(rows)
    return path


def test_cftc_text_columns_are_stored_as_written(store_url: str, tmp_path: Path) -> None:
    with Store.open(store_url) as store:
        report = import_table(store, _table(tmp_path / "t.csv"))
        (row,) = store.stored_cftc_rows("acme futures")
        with store.engine.connect() as conn:
            texts = dict(conn.execute(select(cftc_texts.c.field, cftc_texts.c.text)).all())
            fields = set(conn.execute(select(cftc_values.c.field)).scalars())
        again = import_table(store, _table(tmp_path / "t.csv"))
    assert report.imported == 1 and again.already_present == 1
    assert row.texts == {"other:rank": "1", "other:remarks": "see note (a)"} and row.flags == {"broker_dealer": True}
    assert texts == {"flag:broker_dealer": "Y", "other:rank": "1", "other:remarks": "see note (a)"}
    assert fields == {"seg_funds", "seg_required", "seg_excess"}  # amounts only


def test_observations_list_both_sources_by_date(store_url: str, tmp_path: Path) -> None:
    with Store.open(store_url) as store:
        import_table(store, _table(tmp_path / "t.csv"))
        import_file(store, _page(tmp_path, "acme.txt", pages.SEG_WITH_NAVIGATION))
        found = observations(store, "acme-futures")
        none = observations(store, "acme-futures", start=date(2017, 7, 1))
    assert [(o.source, o.pool, o.as_of) for o in found] == [("cftc", None, date(2017, 6, 30)), ("nfa", "seg", date(2017, 6, 30))]
    assert found[0].texts == {
        "broker_dealer": "Y",
        "dsro": "CME",
        "other:rank": "1",
        "other:remarks": "see note (a)",
        "registered_as": "FCM",
    }
    assert found[1].texts == {"nfa_id": "0312456"} and found[1].percentages["holding"]["Bank"] == D("45.2")
    assert none == []


def _at_0001(url: str) -> None:
    """A store built by the first migration only, as a store made before 0002 is."""
    script = script_directory()
    engine = create_engine(url)

    def steps(revision: Any, context: Any) -> Any:
        return script._upgrade_revs("0001", revision)

    with engine.begin() as connection:
        environment = EnvironmentContext(Config(), script, fn=steps, destination_rev="0001")
        with environment:
            environment.configure(connection=connection, target_metadata=metadata, fn=steps, transactional_ddl=True)
            environment.run_migrations()
    engine.dispose()


def test_migration_moves_the_b_d_flag_to_the_texts(store_url: str) -> None:
    _at_0001(store_url)
    engine = create_engine(store_url)
    with engine.begin() as conn:
        conn.execute(insert(aliases).values(name_key="BIG CLEARING", firm_id="big-clearing"))
        row = {"name_key": "BIG CLEARING", "firm_name": "Big Clearing Corp", "as_of": date(2006, 12, 31), "row_hash": "h", "source": "s"}
        row_id = conn.execute(insert(cftc_rows).values(**row, imported_at=date(2007, 1, 1))).inserted_primary_key[0]  # type: ignore[index]
        conn.execute(
            insert(cftc_values),
            [{"row_id": row_id, "field": "flag:broker_dealer", "cents": 0}, {"row_id": row_id, "field": "seg_funds", "cents": 500}],
        )
    engine.dispose()
    with Store.open(store_url) as store:
        (stored,) = store.stored_cftc_rows("big-clearing")
        assert store.cftc_month_ends("big-clearing") == [(date(2006, 12, 31), {"seg_funds": D(5)})]
    assert (stored.flags, stored.values, stored.texts) == ({"broker_dealer": False}, {"seg_funds": D(5)}, {})
