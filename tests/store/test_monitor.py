"""Monitoring findings over a scripted month of filings, with exact dates and values."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from dailyseg.calendar import business_days
from dailyseg.checks.history import robust_z, unusual_moves
from dailyseg.cli import main
from dailyseg.store import Store
from dailyseg.store.synthetic import daily_filing
from dailyseg.watch.monitor import UnusualMoveRule, monitor, watch

D = Decimal
M = D(1_000_000)
DAYS = business_days(date(2024, 1, 2), date(2024, 2, 15))
PATTERN = [1, -1, 2, -2, 3, -3]


def _scenario(store: Store) -> None:
    requirement = D(1_000_000_000)
    for i, day in enumerate(DAYS):
        requirement += (200 if i == 25 else PATTERN[i % len(PATTERN)]) * M
        excess = {5: D(-10), 8: 40 * M}.get(i, 100 * M)
        if i == 10:
            continue  # a business day with no filing
        submit = day + timedelta(days=7) if i == 12 else None
        store.ingest_filing(
            daily_filing("Watch Co", day, requirement=requirement, funds=requirement + excess, target=50 * M, submit=submit), source=str(i)
        )
        if i == 3:
            amended = daily_filing("Watch Co", day, requirement=requirement, funds=requirement + 90 * M, target=50 * M, status="AMENDED")
            store.ingest_filing(amended, source="amended")


@pytest.fixture
def watched(store_url: str) -> Store:
    store = Store.open(store_url)
    _scenario(store)
    return store


def test_findings(watched: Store) -> None:
    seen = watch(watched, "watch co")
    summary = [(o.end_date, o.finding.rule, o.finding.statement, o.finding.codes[:1]) for o in seen if o.finding.rule != "unusual-move"]
    seg = [(d, r, c) for d, r, s, c in summary if s in ("segregation", None)]
    assert seg == [
        (DAYS[3], "amended", ("7500",)),
        (DAYS[5], "deficiency", ("7190",)),
        (DAYS[5], "drawdown-25", ("7190",)),
        (DAYS[8], "below-target", ("7190",)),
        (DAYS[8], "drawdown-25", ("7190",)),
        (DAYS[10], "missing-day", ()),
        (DAYS[12], "late-initial", ()),
    ]
    deficiency = next(o.finding for o in seen if o.finding.rule == "deficiency" and o.finding.statement == "segregation")
    assert (deficiency.actual, deficiency.severity) == (D(-10), "error")
    assert deficiency.message == f"watch {DAYS[5]}: Daily Segregation - Segregation Statement: deficiency of 10"
    assert (deficiency.question, deficiency.since) == ("firm", DAYS[5])
    below = next(o.finding for o in seen if o.finding.rule == "below-target" and o.finding.statement == "secured")
    assert (below.expected, below.actual, below.difference) == (50 * M, 40 * M, -10 * M)
    drop = next(o.finding for o in seen if o.finding.rule == "drawdown-25" and o.end_date == DAYS[8] and o.finding.statement == "swaps")
    assert (drop.actual, drop.difference, drop.citation) == (40 * M, -60 * M, "17 CFR 22.17(c)")
    assert "fell 60,000,000 (60.0%)" in drop.message
    amended = next(o.finding for o in seen if o.finding.rule == "amended")
    assert "7500 (secured line 1A): 440,000,000 -> 436,000,000" in amended.message and "and 22 more" in amended.message
    assert {"7190", "7180", "7380", "8730"} <= set(amended.codes)
    late = next(o.finding for o in seen if o.finding.rule == "late-initial")
    assert late.actual == str(DAYS[12] + timedelta(days=7))


def test_unusual_moves_exactly(watched: Store) -> None:
    moves = [o for o in watch(watched) if o.finding.rule == "unusual-move"]
    assert {o.end_date for o in moves} == {DAYS[25]}
    segregation = {o.finding.codes[0]: o.finding.difference for o in moves if o.finding.statement == "segregation"}
    assert segregation == {
        "7060": 200 * M,
        "7070": 60 * M,
        "7080": 20 * M,
        "7100": 70 * M,
        "7110": 30 * M,
        "7140": 10 * M,
        "7170": 10 * M,
        "7180": 200 * M,
    }
    assert "robust z" in moves[0].finding.message and "at least 1,000,000" in moves[0].finding.message


def test_monitor_returns_findings_for_a_period(watched: Store) -> None:
    findings = monitor(watched, "Watch Co", start=DAYS[9], end=DAYS[13])
    assert [(f.rule, f.message.split(":")[0]) for f in findings] == [
        ("missing-day", f"watch {DAYS[10]}"),
        ("late-initial", f"watch {DAYS[12]}"),
    ]


def test_robust_z_values() -> None:
    assert robust_z(D(10), [D(1), D(2), D(3)]) == D("0.6745") * 8
    assert robust_z(D(5), [D(2), D(2)]) is None
    assert robust_z(D(2), [D(2), D(2)]) == 0


@given(st.lists(st.integers(-(10**9), 10**9), min_size=0, max_size=40), st.integers(0, 10**9))
def test_small_moves_are_never_unusual(values: list[int], shift: int) -> None:
    rule = UnusualMoveRule(min_move=D(10**10))
    series = [(date(2024, 1, 1) + timedelta(days=i), D(v + shift)) for i, v in enumerate(values)]
    assert list(unusual_moves(series, rule)) == []


def test_monitor_command(watched: Store) -> None:
    url = watched.engine.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(main, ["monitor", "Watch Co", "--from", str(DAYS[4]), "--to", str(DAYS[6]), "--db", url, "--json"])
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert "robust z-score" in report["unusual_move_rule"]
    assert {(f["end_date"], f["rule"], f["statement"], f["actual"]) for f in report["findings"]} == {
        (str(DAYS[5]), "deficiency", s, "-10") for s in ("segregation", "secured", "swaps")
    } | {(str(DAYS[5]), "drawdown-25", s, "-10") for s in ("segregation", "secured", "swaps")}
    text = CliRunner().invoke(main, ["monitor", "--db", url, "--to", str(DAYS[3])])
    assert text.exit_code == 0 and "Unusual move: robust z-score" in text.output
