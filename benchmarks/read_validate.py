"""Read and validate the sample filing repeatedly on one core; compare with a bare regex scan in the same run.

Run by hand (not collected by pytest):

    .venv/bin/python benchmarks/read_validate.py [--seconds 5] [--json]

Reports filings per second and peak memory (tracemalloc during a short separate pass, and the process's
maximum resident set size) for dailyseg's `read` + `validate` and for the baseline, which scans the
`value [code]` pairs into a dict of `Decimal` with no model, no layout and no validation.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import sys
import time
import tracemalloc
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import dailyseg
import harness

SAMPLE = Path(__file__).resolve().parent.parent / "examples" / "daily-seg-citigroup-2013-07-25.txt"
_PAIR = re.compile(r"(-?[\d,]+)(?:</u>|</b>|\s)*\[(\d{4})\]")


def baseline(text: str) -> dict[str, Decimal]:
    """The least a reader can do: every `value [code]` pair, as exact amounts."""
    return {code: Decimal(value.replace(",", "")) for value, code in _PAIR.findall(text)}


def dailyseg_read_validate(text: str) -> int:
    result = dailyseg.read(text, text=True)
    return sum(len(dailyseg.validate(filing)) for filing in result.filings)


def rate(work: Callable[[str], object], text: str, seconds: float) -> tuple[float, float, int]:
    """Filings per wall-clock second and per CPU second over `seconds` of wall time, and the number of runs.

    CPU seconds matter on a shared machine, where other processes take turns on the core.
    """
    work(text)  # warm caches (catalogue, compiled patterns, holiday calendar)
    runs, started, cpu = 0, time.perf_counter(), time.process_time()
    deadline = started + seconds
    while time.perf_counter() < deadline:
        for _ in range(50):
            work(text)
        runs += 50
    return runs / (time.perf_counter() - started), runs / (time.process_time() - cpu), runs


def traced_peak(work: Callable[[str], object], text: str, runs: int = 200) -> int:
    tracemalloc.start()
    try:
        for _ in range(runs):
            work(text)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="wall time per measured workload")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = harness.parse(parser, {"small": {"seconds": 1.0}, "medium": {"seconds": 3.0}, "large": {"seconds": 10.0}})
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    text = SAMPLE.read_text("utf-8")
    assert len(baseline(text)) == 80 and dailyseg_read_validate(text) == 0
    results = {}
    for name, work in (("baseline regex scan", baseline), ("dailyseg read + validate", dailyseg_read_validate)):
        per_second, per_cpu_second, runs = rate(work, text, args.seconds)
        results[name] = {
            "filings_per_second": round(per_second),
            "filings_per_cpu_second": round(per_cpu_second),
            "runs": runs,
            "tracemalloc_peak_bytes": traced_peak(work, text),
        }
    maxrss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    report = {"python": sys.version.split()[0], "seconds": args.seconds, "ru_maxrss_kib": maxrss_kib, "results": results}
    ours, base = results["dailyseg read + validate"], results["baseline regex scan"]
    harness.record(
        harness.Figure(
            "read + validate the sample",
            ours["filings_per_cpu_second"],
            base["filings_per_cpu_second"],
            "filings/CPU s",
            "bare regex scan",
            lower_is_better=False,
            peak_mib=ours["tracemalloc_peak_bytes"] / 2**20,
            baseline_peak_mib=base["tracemalloc_peak_bytes"] / 2**20,
        )
    )
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(f"Python {report['python']}, one core, {args.seconds:g} s per workload, sample {SAMPLE.name}")
    for name, values in results.items():
        print(
            f"  {name:<26} {values['filings_per_second']:>7,} filings/s ({values['filings_per_cpu_second']:>7,} per CPU second)"
            f"   tracemalloc peak {values['tracemalloc_peak_bytes'] / 1024:>6,.0f} KiB"
        )
    print(f"  process max RSS {maxrss_kib / 1024:,.1f} MiB")


if __name__ == "__main__":
    main()
