"""Versions that reach the store out of order, on SQLite and on a real PostgreSQL server.

A day's versions are ordered by what they are (INITIAL before AMENDED, then by Submit Date, then by
arrival), never by arrival alone; the filing of record is the last of them. Each regression test names
the defect it guards against: a late INITIAL reported as an amendment, `diff FIRM DATE` comparing
filing 1 with itself, and the monitor reporting the change backwards.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dailyseg.cli import main
from dailyseg.filing import Filing
from dailyseg.shapes import VersionOut
from dailyseg.store import Store
from dailyseg.store.diff import diff_filings
from dailyseg.store.synthetic import daily_filing

D = Decimal
DAY = date(2024, 3, 4)  # a Monday
FIRM = "Acme Futures LLC"
FIRM_ID = "acme-futures"
INITIAL = daily_filing(FIRM, DAY, requirement=D(100), funds=D(150), submit=date(2024, 3, 5))
AMENDED = daily_filing(FIRM, DAY, requirement=D(100), funds=D(140), status="AMENDED", submit=date(2024, 3, 6))
AMENDED_AGAIN = daily_filing(FIRM, DAY, requirement=D(100), funds=D(145), status="AMENDED", submit=date(2024, 3, 7))


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    with Store.open(store_url) as opened:
        yield opened


def _ids(store: Store, *filings: Filing) -> list[int]:
    ids = []
    for i, filing in enumerate(filings):
        outcome = store.ingest_filing(filing, source=f"{i}.json")
        assert outcome.filing_id is not None
        ids.append(outcome.filing_id)
    return ids


def _diff(url: str, *arguments: str) -> dict[str, object]:
    done = CliRunner().invoke(main, ["diff", *arguments, "--db", url, "--json"])
    assert done.exit_code == 1, done.output
    report: dict[str, object] = json.loads(done.output)
    return report


def _line(report: dict[str, object], code: str) -> tuple[str, str, str]:
    lines = report["lines"]
    assert isinstance(lines, list)
    found = next(line for line in lines if line["code"] == code)
    return found["before"], found["after"], found["change"]


# -- regressions ---------------------------------------------------------------------------------------------


def test_an_initial_arriving_after_its_amendment_is_stored_not_amended(store: Store) -> None:
    """Defect: the late INITIAL was reported "amended", as if it were a further version."""
    amended = store.ingest_filing(AMENDED, source="amended.json")
    initial = store.ingest_filing(INITIAL, source="initial.json")
    assert (amended.status, amended.reason) == ("amended", "version 1 of 1 of 2024-03-04")
    assert initial.status == "stored"
    assert initial.reason == (
        f"version 1 of 2 of 2024-03-04: arrived after its amendment; filing {amended.filing_id} stays the filing of record"
    )


def test_the_same_two_in_one_batch_report_alike(store: Store) -> None:
    outcomes = store.ingest_filings([AMENDED, INITIAL], source="batch.json")
    assert [o.status for o in outcomes] == ["amended", "stored"]
    assert "arrived after its amendment" in outcomes[1].reason


def test_diff_firm_date_compares_the_initial_with_the_amendment(store: Store, store_url: str) -> None:
    """Defect: with the AMENDED stored first (filing 1), `diff FIRM DATE` compared filing 1 with itself."""
    amended_id, initial_id = _ids(store, AMENDED, INITIAL)
    report = _diff(store_url, FIRM_ID, DAY.isoformat())
    before, after = report["before"], report["after"]
    assert isinstance(before, dict) and isinstance(after, dict)
    assert (before["id"], before["status"], before["version"]) == (initial_id, "INITIAL", 1)
    assert (after["id"], after["status"], after["version"], after["is_record"]) == (amended_id, "AMENDED", 2, True)
    assert _line(report, "7190") == ("50", "40", "-10")  # excess: INITIAL's, then AMENDED's
    assert _line(report, "7180") == ("150", "140", "-10")
    shown = CliRunner().invoke(main, ["diff", FIRM_ID, DAY.isoformat(), "--db", store_url])
    assert f"--- filing {initial_id}" in shown.output and f"+++ filing {amended_id}" in shown.output


def test_the_monitor_reports_the_amendment_forwards(store: Store) -> None:
    """Defect: the monitor diffed by arrival, so a late INITIAL read as an amendment undoing the change."""
    from dailyseg.watch.monitor import watch

    amended_id, initial_id = _ids(store, AMENDED, INITIAL)
    found = [o.finding for o in watch(store, FIRM_ID) if o.finding.rule == "amended"]
    assert len(found) == 1
    forwards = diff_filings(INITIAL, AMENDED)[0].describe()
    backwards = diff_filings(AMENDED, INITIAL)[0].describe()
    assert f"version 2 (AMENDED, filing {amended_id})" in found[0].message
    assert forwards in found[0].message and backwards not in found[0].message
    assert f"filing {initial_id}" not in found[0].message


def test_versions_are_listed_in_order_not_by_arrival(store: Store) -> None:
    """Defect: versions were listed, numbered and chosen by arrival (the stored version column)."""
    amended_id, initial_id = _ids(store, AMENDED, INITIAL)
    versions = store.versions(FIRM_ID, DAY)
    assert [(v.id, v.status, v.version, v.arrival, v.is_record) for v in versions] == [
        (initial_id, "INITIAL", 1, 2, False),
        (amended_id, "AMENDED", 2, 1, True),
    ]
    assert store.filings(FIRM_ID) == versions
    assert store.day_versions(FIRM_ID) == {(DAY, INITIAL.header.form): versions}
    assert [store.get(v.id)[0] for v in versions] == versions
    assert [(v.id, v.version) for v in store.filings(FIRM_ID, record_only=True)] == [(amended_id, 2)]
    assert [VersionOut.of(v).model_dump()["version"] for v in versions] == [1, 2]
    point = store.history(FIRM_ID, ["7190"])[0]
    assert (point.value, point.filing_id, point.amended) == (D(40), amended_id, True)


# -- two amendments arriving in reverse Submit Date order ----------------------------------------------------


def test_two_amendments_in_reverse_submit_order(store: Store, store_url: str) -> None:
    later = store.ingest_filing(AMENDED_AGAIN, source="later.json")
    earlier = store.ingest_filing(AMENDED, source="earlier.json")
    assert [later.status, earlier.status] == ["amended", "amended"]
    assert (
        earlier.reason
        == f"version 1 of 2 of 2024-03-04: arrived after a later amendment; filing {later.filing_id} stays the filing of record"
    )
    versions = store.versions(FIRM_ID, DAY)
    assert [(v.id, v.submit_date, v.version, v.is_record) for v in versions] == [
        (earlier.filing_id, date(2024, 3, 6), 1, False),
        (later.filing_id, date(2024, 3, 7), 2, True),
    ]
    report = _diff(store_url, FIRM_ID, DAY.isoformat())
    before, after = report["before"], report["after"]
    assert isinstance(before, dict) and isinstance(after, dict)
    assert (before["id"], after["id"]) == (earlier.filing_id, later.filing_id)
    assert _line(report, "7190") == ("40", "45", "5")


def test_a_late_initial_goes_first_and_the_newest_amendment_stays_of_record(store: Store, store_url: str) -> None:
    later, earlier, initial = _ids(store, AMENDED_AGAIN, AMENDED, INITIAL)
    assert [v.id for v in store.versions(FIRM_ID, DAY)] == [initial, earlier, later]
    report = _diff(store_url, FIRM_ID, DAY.isoformat())
    assert _line(report, "7190") == ("40", "45", "5")  # the record against the version just before it


def test_diff_of_a_day_with_one_version_says_so(store: Store, store_url: str) -> None:
    (only,) = _ids(store, INITIAL)
    done = CliRunner().invoke(main, ["diff", FIRM_ID, DAY.isoformat(), "--db", store_url])
    assert done.exit_code == 2
    assert f"has one version for 2024-03-04 (filing {only}): there is no earlier version to compare" in done.output


# -- any order of arrival ------------------------------------------------------------------------------------

_FIRMS = itertools.count()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), amendments=st.integers(min_value=1, max_value=3), initial_offset=st.integers(min_value=0, max_value=9))
def test_any_order_of_arrival_gives_the_same_order_and_record(
    store: Store, data: st.DataObject, amendments: int, initial_offset: int
) -> None:
    """An INITIAL and k AMENDED versions with distinct Submit Dates, arriving in any order: the versions are
    listed INITIAL first, then by Submit Date, numbered 1..n, and the latest-submitted AMENDED is of record."""
    firm = f"Permutation {next(_FIRMS)} Futures"
    offsets = data.draw(st.lists(st.integers(min_value=1, max_value=30), min_size=amendments, max_size=amendments, unique=True))
    made = [daily_filing(firm, DAY, requirement=D(100), funds=D(150), submit=DAY + timedelta(days=initial_offset))]
    made += [
        daily_filing(firm, DAY, requirement=D(100), funds=D(150 + n), status="AMENDED", submit=DAY + timedelta(days=n)) for n in offsets
    ]
    arrival = data.draw(st.permutations(range(len(made))))
    outcomes = {i: store.ingest_filing(made[i], source=f"{i}.json") for i in arrival}
    assert {i: o.status for i, o in outcomes.items()} == {i: "stored" if i == 0 else "amended" for i in range(len(made))}
    expected = [0, *sorted(range(1, len(made)), key=lambda i: offsets[i - 1])]
    versions = store.versions(firm, DAY)
    assert [v.id for v in versions] == [outcomes[i].filing_id for i in expected]
    assert [v.version for v in versions] == list(range(1, len(made) + 1))
    assert [v.arrival for v in versions] == [arrival.index(i) + 1 for i in expected]
    assert [v.is_record for v in versions] == [False] * amendments + [True]
    assert store.get(versions[-1].id) == (versions[-1], made[expected[-1]])
