"""Read and validate the sample filing repeatedly on one core; compare with a bare regex scan in the same run.

Run by hand (not collected by pytest):

    .venv/bin/python benchmarks/read_validate.py [--seconds 5] [--json]

Reports filings per second and peak memory (tracemalloc during a short separate pass, and the process's
maximum resident set size) for dailyseg's `read` + `validate` (with the compiled scanner when it is built),
for the same read on the pure-Python path, and for the baseline, which scans the `value [code]` pairs into a
dict of `Decimal` with no model, no layout and no validation.
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
from dailyseg.parse.source import decode
from dailyseg.parse.text import read_text
from dailyseg.parse.tokens import COMPILED, scan_pure

SAMPLE = Path(__file__).resolve().parent.parent / "examples" / "daily-seg-citigroup-2013-07-25.txt"
_PAIR = re.compile(r"(-?[\d,]+)(?:</u>|</b>|\s)*\[(\d{4})\]")


def baseline(text: str) -> dict[str, Decimal]:
    """The least a reader can do: every `value [code]` pair, as exact amounts."""
    return {code: Decimal(value.replace(",", "")) for value, code in _PAIR.findall(text)}


def dailyseg_read_validate(text: str) -> int:
    result = dailyseg.read(text, text=True)
    return sum(len(dailyseg.validate(filing)) for filing in result.filings)


def pure_read_validate(text: str) -> int:
    """`dailyseg_read_validate` on the pure-Python path: the steps `dailyseg.read` takes for text, with the pattern's tokens."""
    decoded = decode("<text>", text.encode("utf-8"))
    assert decoded.text is not None
    filings, _ = read_text(decoded.text, "<text>", scan_pure, plain=False)
    return sum(len(dailyseg.validate(filing)) for filing in filings)


Workload = tuple[str, Callable[[str], object]]


def rates(workloads: tuple[Workload, ...], text: str, seconds: float) -> dict[str, tuple[float, float, int]]:
    """Filings per wall-clock second and per CPU second of each workload over `seconds` of wall time, and its runs.

    CPU seconds matter on a shared machine, where other processes take turns on the core. The workloads take
    turns in short chunks, so that a change in the machine's load in the course of the run falls on each alike.
    """
    for _, work in workloads:
        work(text)  # warm caches (catalogue, compiled patterns, holiday calendar)
    totals = {name: [0, 0.0, 0.0] for name, _ in workloads}
    deadline = time.perf_counter() + seconds * len(workloads)
    while time.perf_counter() < deadline:
        for name, work in workloads:
            started, cpu = time.perf_counter(), time.process_time()
            for _ in range(20):
                work(text)
            total = totals[name]
            total[0] += 20
            total[1] += time.perf_counter() - started
            total[2] += time.process_time() - cpu
    return {name: (runs / wall, runs / cpu, int(runs)) for name, (runs, wall, cpu) in totals.items()}


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
    assert len(baseline(text)) == 80 and dailyseg_read_validate(text) == 0 == pure_read_validate(text)
    results = {}
    workloads: tuple[Workload, ...] = (
        ("baseline regex scan", baseline),
        ("dailyseg read + validate", dailyseg_read_validate),
        ("pure-Python path", pure_read_validate),
    )
    for (name, work), (per_second, per_cpu_second, runs) in zip(workloads, rates(workloads, text, args.seconds).values(), strict=True):
        results[name] = {
            "filings_per_second": round(per_second),
            "filings_per_cpu_second": round(per_cpu_second),
            "runs": runs,
            "tracemalloc_peak_bytes": traced_peak(work, text),
        }
    maxrss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    report = {
        "python": sys.version.split()[0],
        "seconds": args.seconds,
        "compiled": COMPILED,
        "ru_maxrss_kib": maxrss_kib,
        "results": results,
    }
    ours, base, pure = results["dailyseg read + validate"], results["baseline regex scan"], results["pure-Python path"]
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
    harness.record(
        harness.Figure(
            "read + validate the sample, compiled scanner",
            ours["filings_per_cpu_second"],
            pure["filings_per_cpu_second"],
            "filings/CPU s",
            "pure-Python path",
            lower_is_better=False,
            peak_mib=ours["tracemalloc_peak_bytes"] / 2**20,
            baseline_peak_mib=pure["tracemalloc_peak_bytes"] / 2**20,
        )
    )
    if args.json:
        print(json.dumps(report, indent=2))
        return
    scanner = "compiled scanner" if COMPILED else "no compiled scanner (pure-Python path only)"
    print(f"Python {report['python']}, one core, {args.seconds:g} s per workload, {scanner}, sample {SAMPLE.name}")
    for name, values in results.items():
        print(
            f"  {name:<26} {values['filings_per_second']:>7,} filings/s ({values['filings_per_cpu_second']:>7,} per CPU second)"
            f"   tracemalloc peak {values['tracemalloc_peak_bytes'] / 1024:>6,.0f} KiB"
        )
    print(f"  process max RSS {maxrss_kib / 1024:,.1f} MiB")


if __name__ == "__main__":
    main()
