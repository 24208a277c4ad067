"""Read a hundred thousand damaged documents; count exceptions and slow reads, beside a plain decode-and-split.

Run by hand (not collected by pytest):

    .venv/bin/python benchmarks/fuzz_read.py [--count 100000] [--seed 0] [--workers 2] [--keep DIR] [--json]

The documents are the sample, the WinJammer PDF text and renders (text, JSON, CSV) of generated filings,
each damaged by `mutate` of tests/test_fuzz_read.py (the CI fuzz target's damage, run here at scale); every
other one is read as a `str` holding lone surrogates where its bytes are not UTF-8. Document `i` is made
from `--seed` and `i` alone, so any of them can be made again. Reports exceptions (an exception raised, or
one caught by `read`'s last line of defence, which is a reader's bug all the same), documents under 1 MB
read in more than a second, the slowest document, the distribution of read times, throughput and peak
memory; the baseline decodes each document and splits it into lines, in the same process, just before.
Reproducers are written to `--keep` (default /tmp/dailyseg-fuzz-SEED).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import resource
import statistics
import sys
import time
import tracemalloc
from datetime import date
from pathlib import Path
from random import Random
from typing import Any, NamedTuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the damage is the fuzz target's: tests/test_fuzz_read.py

from tests.test_fuzz_read import SEEDS, mutate, rendered  # noqa: E402

import dailyseg  # noqa: E402
import harness  # noqa: E402
from dailyseg.store.synthetic import series  # noqa: E402

SLOW = 1.0  # seconds: a document under 1 MB read slower than this is a finding
SMALL = 1_000_000
DEFENCE = "cannot read the document:"  # the problem of read's last line of defence
_CHUNK = 250


def seed_documents() -> list[bytes]:
    """The documents that are damaged: the two real ones, and generated filings as dailyseg renders them."""
    documents = [path.read_bytes() for path in SEEDS]
    filings = list(series("Example Futures LLC", date(2024, 3, 4), date(2024, 3, 8), seed=7))
    for fmt in ("text", "json", "csv"):
        documents.append(rendered(filings[:1], fmt))
        documents.append(rendered(filings, fmt))
    return documents


_DOCUMENTS: list[bytes] = []


def document(seed: int, index: int) -> bytes | str:
    """Document `index` of a run: the same for the same seed, in any process."""
    if not _DOCUMENTS:
        _DOCUMENTS.extend(seed_documents())
    rng = Random(seed * 1_000_003 + index)
    damaged = mutate(rng.choice(_DOCUMENTS), rng)
    return damaged.decode("utf-8", "surrogateescape") if index % 2 else damaged


def baseline(data: bytes | str) -> int:
    """The least any reader does: decode the text and split it into lines."""
    text = data if isinstance(data, str) else data.decode("utf-8", "replace")
    return len(text.splitlines())


def read(data: bytes | str) -> dailyseg.ReadResult:
    return dailyseg.read(data, text=True) if isinstance(data, str) else dailyseg.read(data)


class Timing(NamedTuple):
    number: int  # the document's index in the run
    size: int
    read_seconds: float
    baseline_seconds: float


class Chunk(NamedTuple):
    timings: list[Timing]
    exceptions: list[tuple[int, str]]
    maxrss_kib: int


def run_chunk(job: tuple[int, int, int]) -> Chunk:
    """Read documents `start` to `stop` of the run; an exception is kept with its index, never raised."""
    seed, start, stop = job
    timings, exceptions = [], []
    for index in range(start, stop):
        data = document(seed, index)
        size = len(data)
        began = time.perf_counter()
        baseline(data)
        middle = time.perf_counter()
        try:
            result = read(data)
            ended = time.perf_counter()
            defended = [p.message for p in result.problems if p.severity == "fatal" and p.message.startswith(DEFENCE)]
            if defended:
                exceptions.append((index, defended[0]))
        except Exception as error:  # the finding this benchmark exists for
            ended = time.perf_counter()
            exceptions.append((index, f"raised {type(error).__name__}: {error}"[:300]))
        timings.append(Timing(index, size, ended - middle, middle - began))
    return Chunk(timings, exceptions, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def keep(folder: Path, name: str, data: bytes | str) -> Path:
    """A reproducer: the bytes of the document (a `str` one as UTF-8 with its lone surrogates escaped)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8", "surrogateescape"))
    return path


def retimed(data: bytes | str, runs: int = 3) -> float:
    """The fastest of a few reads, for a document that was slow once: load on the machine is not a finding."""
    best = float("inf")
    for _ in range(runs):
        began = time.perf_counter()
        read(data)
        best = min(best, time.perf_counter() - began)
    return best


def traced_peaks(seed: int, indexes: list[int]) -> tuple[int, int]:
    """tracemalloc peaks of the baseline and of `read` over the same documents (the largest of the run)."""
    peaks = []
    for work in (baseline, read):
        tracemalloc.start()
        try:
            for index in indexes:
                work(document(seed, index))
            peaks.append(tracemalloc.get_traced_memory()[1])
        finally:
            tracemalloc.stop()
    return peaks[0], peaks[1]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000, help="documents to read")
    parser.add_argument("--seed", type=int, default=0, help="seed of the run: the same seed makes the same documents")
    parser.add_argument("--workers", type=int, default=2, help="processes (the development machine has 2 cores)")
    parser.add_argument("--keep", type=Path, default=None, help="folder for reproducers (default /tmp/dailyseg-fuzz-SEED)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = harness.parse(parser, {"small": {"count": 2000}, "medium": {"count": 20_000}, "large": {"count": 100_000}})
    folder = args.keep or Path(f"/tmp/dailyseg-fuzz-{args.seed}")
    jobs = [(args.seed, start, min(start + _CHUNK, args.count)) for start in range(0, args.count, _CHUNK)]
    timings: list[Timing] = []
    exceptions: list[tuple[int, str]] = []
    maxrss = 0
    began = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(args.workers, maxtasksperchild=40) as pool:
        for chunk in pool.imap_unordered(run_chunk, jobs):
            timings += chunk.timings
            exceptions += chunk.exceptions
            maxrss = max(maxrss, chunk.maxrss_kib)
    wall = time.perf_counter() - began

    exceptions.sort()
    reproducers = [str(keep(folder, f"exception-{index}.bin", document(args.seed, index))) for index, _ in exceptions[:5]]
    slowest = max(timings, key=lambda t: t.read_seconds)
    slowest_path = keep(folder, f"slowest-{slowest.number}.bin", document(args.seed, slowest.number))
    slow = []
    for timing in sorted(timings, key=lambda t: -t.read_seconds):
        if timing.read_seconds <= SLOW:
            break
        if timing.size < SMALL:
            data = document(args.seed, timing.number)
            again = retimed(data)
            if again > SLOW:
                slow.append(
                    {
                        "index": timing.number,
                        "size": timing.size,
                        "seconds": round(again, 3),
                        "file": str(keep(folder, f"slow-{timing.number}.bin", data)),
                    }
                )
    largest = [t.number for t in sorted(timings, key=lambda t: -t.size)[:50]]
    peak_baseline, peak_read = traced_peaks(args.seed, largest)
    reads = [t.read_seconds for t in timings]
    bases = [t.baseline_seconds for t in timings]
    report: dict[str, Any] = {
        "python": sys.version.split()[0],
        "documents": len(timings),
        "seed": args.seed,
        "workers": args.workers,
        "wall_seconds": round(wall, 1),
        "bytes": sum(t.size for t in timings),
        "exceptions": len(exceptions),
        "first_exceptions": [{"index": i, "error": e, "file": f} for (i, e), f in zip(exceptions, reproducers, strict=False)],
        "slow_under_1mb": slow,
        "slowest": {"index": slowest.number, "size": slowest.size, "seconds": round(slowest.read_seconds, 3), "file": str(slowest_path)},
        "read_ms": {
            "median": round(statistics.median(reads) * 1000, 3),
            "p99": round(percentile(reads, 0.99) * 1000, 2),
            "max": round(max(reads) * 1000, 1),
        },
        "baseline_ms": {
            "median": round(statistics.median(bases) * 1000, 3),
            "p99": round(percentile(bases, 0.99) * 1000, 2),
            "max": round(max(bases) * 1000, 1),
        },
        "read_documents_per_second": round(len(reads) / sum(reads)),
        "read_mb_per_second": round(sum(t.size for t in timings) / sum(reads) / 1e6, 2),
        "baseline_documents_per_second": round(len(bases) / sum(bases)),
        "worker_maxrss_mib": round(maxrss / 1024, 1),
        "tracemalloc_peak_50_largest_kib": {"baseline": round(peak_baseline / 1024), "read": round(peak_read / 1024)},
    }
    peaks = report["tracemalloc_peak_50_largest_kib"]
    harness.record(
        harness.Figure(
            "read damaged documents",
            report["read_documents_per_second"],
            report["baseline_documents_per_second"],
            "documents/busy s",
            "decode and split lines",
            lower_is_better=False,
            peak_mib=peaks["read"] / 1024,
            baseline_peak_mib=peaks["baseline"] / 1024,
        )
    )
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(
        f"Python {report['python']}, {args.workers} workers, seed {args.seed}: "
        f"{report['documents']:,} documents, {report['bytes'] / 1e6:,.0f} MB in {wall:,.1f} s"
    )
    print(f"  exceptions: {report['exceptions']}")
    for found in report["first_exceptions"]:
        print(f"    document {found['index']}: {found['error']}  ({found['file']})")
    print(f"  documents under 1 MB read in over {SLOW:g} s (fastest of 3 again): {len(slow)}")
    for found in slow[:5]:
        print(f"    document {found['index']}: {found['size']:,} bytes, {found['seconds']} s  ({found['file']})")
    s = report["slowest"]
    print(f"  slowest: document {s['index']}, {s['size']:,} bytes, {s['seconds']} s  ({s['file']})")
    for name, key, rate in (("read", "read_ms", "read_documents_per_second"), ("baseline", "baseline_ms", "baseline_documents_per_second")):
        ms = report[key]
        print(f"  {name:<8} median {ms['median']} ms, p99 {ms['p99']} ms, max {ms['max']} ms; {report[rate]:,} documents per busy second")
    print(f"  read throughput {report['read_mb_per_second']} MB per busy second of a worker")
    print(
        f"  peak memory: worker max RSS {report['worker_maxrss_mib']} MiB; tracemalloc over the 50 largest documents: "
        f"baseline {peaks['baseline']:,} KiB, read {peaks['read']:,} KiB"
    )


if __name__ == "__main__":
    main()
