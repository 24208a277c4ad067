"""A firm's status judges its earlier filings of record by the events alone, read in part (`defects="latest"`):
the answer must be the very one judging every rule on every whole filing gives, on stores with deficiencies,
shortfalls, drawdowns, late and missing days, amendments (in and out of order) and filings that do not foot."""

from __future__ import annotations

import tempfile
from dataclasses import replace
from datetime import date, timedelta
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dailyseg.calendar import business_days
from dailyseg.catalogue import CATALOGUE
from dailyseg.checks import Selection
from dailyseg.filing import Filing
from dailyseg.store import Store
from dailyseg.store.synthetic import Faults, series
from dailyseg.watch import status
from dailyseg.watch.monitor import Defects, FirmWatch, Observation, UnusualMoveRule, watch_firm

FIRM = "Fast Path Futures LLC"
DAYS = business_days(date(2024, 1, 2), date(2024, 3, 29))
STATEMENTS = [s.id for s in CATALOGUE.statements]
# Inside the series, as a missing day must be; the late weeks are where the status looks.
INNER = DAYS[1:-1]


def _plain(store: Store, firm_id: str, start: date, end: date, as_of: date | None) -> FirmWatch:
    """`watch_latest` as it was: every filing of record judged by every rule."""
    return watch_firm(store, firm_id, start, end, selection=Selection(), unusual=UnusualMoveRule(), as_of=as_of, defects="every day")


def _broken(filing: Filing) -> Filing:
    """The filing with its segregation requirement a dollar off: it no longer foots (a formulas error)."""
    code = str(CATALOGUE.statement_by_id["segregation"].requirement)
    entries = tuple(replace(e, amount=e.amount + 1) if e.ref == code else e for e in filing.entries)
    return replace(filing, entries=entries)


statement_days = st.lists(st.tuples(st.sampled_from(INNER), st.sampled_from(STATEMENTS)), max_size=4).map(tuple)


@st.composite
def faults(draw: st.DrawFn) -> Faults:
    amended = draw(st.lists(st.sampled_from(INNER), max_size=3, unique=True))
    first = draw(st.lists(st.sampled_from([d for d in INNER if d not in amended]), max_size=2, unique=True))
    taken = set(amended) | set(first)
    missing = draw(st.lists(st.sampled_from([d for d in INNER if d not in taken]), max_size=3, unique=True))
    deficiency = draw(statement_days)
    # A drawdown needs the prior business day filed with its usual excess (not deficient, not missing); one a
    # series, as its excess recovers only slowly.
    unusual = {d for d, _ in deficiency} | set(missing)
    after = [day for before, day in pairwise(INNER) if before not in unusual]
    return Faults(
        deficiency=deficiency,
        below_target=draw(statement_days),
        drawdown=draw(st.lists(st.tuples(st.sampled_from(after), st.sampled_from(STATEMENTS)), max_size=1).map(tuple)),
        late=tuple(draw(st.lists(st.sampled_from(DAYS), max_size=4, unique=True))),
        missing_day=tuple(missing),
        amended=tuple(amended),
        amended_first=tuple(first),
    )


def _store(path: Path, fault: Faults, broken: set[date], seed: int) -> Store:
    filings = [_broken(f) if f.header.end_date in broken else f for f in series(FIRM, DAYS[0], DAYS[-1], seed=seed, faults=fault)]
    store = Store.open(f"sqlite:///{path}")
    store.ingest_filings(filings, source="generated")
    return store


@pytest.mark.slow
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    fault=faults(),
    broken=st.sets(st.sampled_from(DAYS), max_size=3),
    seed=st.integers(0, 2**16),
    as_of=st.lists(st.sampled_from([*DAYS[-30:], DAYS[-1] + timedelta(days=9)]), min_size=1, max_size=3),
)
def test_status_is_the_plain_one(fault: Faults, broken: set[date], seed: int, as_of: list[date]) -> None:
    with tempfile.TemporaryDirectory() as folder, _store(Path(folder) / "store.sqlite", fault, broken, seed) as store:
        for day in [None, *as_of]:
            fast = status.firm_status(store, FIRM, day)
            plain = status.firm_status(store, FIRM, day, _plain)
            assert fast == plain
        # The feed shows only events: judging the earlier records by the events alone leaves every one of them.
        end = DAYS[-1]
        assert [o for o in _judged(store, end, "latest") if o.finding.is_event] == [
            o for o in _judged(store, end, "every day") if o.finding.is_event
        ]


def _judged(store: Store, end: date, defects: Defects) -> list[Observation]:
    watched = watch_firm(store, FIRM, DAYS[0], end, selection=Selection(), unusual=UnusualMoveRule(), as_of=end, defects=defects)
    return watched.observations


def test_latest_keeps_every_event_and_the_latest_defects(tmp_path: Path) -> None:
    """What the partial judging leaves out is exactly the defects of the earlier filings of record."""
    broken = {DAYS[20], DAYS[-1]}
    fault = Faults(deficiency=((DAYS[18], "segregation"),), amended=(DAYS[30],), missing_day=(DAYS[40],), late=(DAYS[-1],))
    with _store(tmp_path / "store.sqlite", fault, broken, seed=3) as store:
        every, latest = _judged(store, DAYS[-1], "every day"), _judged(store, DAYS[-1], "latest")
    left_out = [o for o in every if o not in latest]
    assert latest == [o for o in every if o not in left_out]
    assert {(o.end_date, o.finding.rule) for o in left_out} == {(DAYS[20], "formulas")}
    assert {(o.end_date, o.finding.rule) for o in latest if not o.finding.is_event} >= {(DAYS[-1], "formulas")}
    assert {(o.end_date, o.finding.rule) for o in latest if o.finding.is_event} >= {
        (DAYS[18], "deficiency"),
        (DAYS[30], "amended"),
        (DAYS[40], "missing-day"),
        (DAYS[-1], "late-initial"),
    }
