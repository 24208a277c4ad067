"""Benchmark: the stale-confirmation check over stored reconciliations (what each `monitor` and `watch` pass
runs), against a plain baseline in the same run.

Run by hand: `.venv/bin/python benchmarks/stale_confirmations.py [--firms 20] [--years 2] [--balances 20]`.

A SQLite store of reconciliations is built untimed: for every firm and business day, `--balances` balances, one
firm in five with a balance that stops matching 10 business days before the end. Then, each in its own process
so that its peak memory (ru_maxrss) is its own, median of 5 runs (firm_status.run):
  stale     dailyseg.alerts.stale.stale_confirmations: every firm's rows read back and each balance of its
            latest reconciliation judged, as of the last day.
  baseline  plain sqlite3: every stored row fetched as tuples, nothing judged: the floor of reading them.
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path

import harness
from dailyseg.calendar import business_days
from dailyseg.store import Store
from dailyseg.store.confirmations import Confirmation, record
from firm_status import RUNS, run

END = date(2024, 12, 31)


def build(path: Path, firms: int, years: int, balances: int) -> int:
    days = business_days(date(END.year - years + 1, 1, 1), END)
    now = datetime(2025, 1, 2, tzinfo=UTC)
    with Store.open(f"sqlite:///{path}") as store:
        for firm in range(firms):
            for number, day in enumerate(days):
                drifting = firm % 5 == 0 and number >= len(days) - 10
                rows = [
                    Confirmation(day, f"BANK{b:03d}", "futures", "cash", "USD", 10_000_00 + b, 10_000_00 + b - (drifting and b == 0))
                    for b in range(balances)
                ]
                record(store, f"firm-{firm:02d}", day, rows, now)
    return len(days) * firms * balances


def stale(path: Path) -> int:
    from dailyseg.alerts.stale import stale_confirmations

    with Store.open(f"sqlite:///{path}") as store:
        return len(stale_confirmations(store, None, END, 3))


def baseline(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return len(conn.execute("SELECT * FROM confirmations ORDER BY firm_id, business_date").fetchall())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--firms", type=int, default=20)
    parser.add_argument("--years", type=int, default=2)
    parser.add_argument("--balances", type=int, default=20)
    presets = {
        "small": {"firms": 5, "years": 1, "balances": 10},
        "medium": {"firms": 20, "years": 2, "balances": 20},
        "large": {"firms": 60, "years": 3, "balances": 40},
    }
    options = harness.parse(parser, presets)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "store.sqlite"
        rows = build(path, options.firms, options.years, options.balances)
        print(f"{options.firms} firms x {options.years} years x {options.balances} balances: {rows} rows; median of {RUNS} runs")
        measured = {}
        for name, work in (("stale", stale), ("baseline", baseline)):
            seconds, count, peak = measured[name] = run(work, path)
            print(f"{name:<9} {seconds * 1000:8.1f} ms  {count} {'events' if name == 'stale' else 'rows'}  peak {peak / 1024:.0f} MiB")
    (ours, _, our_peak), (plain, _, plain_peak) = measured["stale"], measured["baseline"]
    harness.record(
        harness.Figure(
            "stale-confirmation check",
            ours * 1000,
            plain * 1000,
            "ms",
            "every stored row fetched by plain SQL",
            True,
            our_peak / 1024,
            plain_peak / 1024,
        )
    )


if __name__ == "__main__":
    main()
