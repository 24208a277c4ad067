"""Run every benchmark in benchmarks/ at one size; keep the results with the machine's description; print one table.

    benchmarks/run [--size small|medium|large] [--only NAME ...] [--results DIR]

Each benchmark (every `*.py` here but this runner and its harness) runs in its own process, one after the
other, with `--size`; its printed report, exit status and headline figures (each beside the plain baseline
measured in the same run, see harness.py) are written to benchmarks/results/<time>-<size>.json together
with the machine: CPUs, model, memory, load before and after, Python, the packages' versions and the commit.
The table's ratio is dailyseg's cost over the baseline's (above 1 is slower) for times and rates alike.
Exits 1 if a benchmark failed or reported no figure. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from harness import FIGURES_ENV, SIZES

HERE = Path(__file__).resolve().parent
NOT_BENCHMARKS = {"run.py", "harness.py"}
PACKAGES = ("dailyseg", "duckdb", "ibis-framework", "pyspark", "pyarrow", "pandas", "sqlalchemy", "psycopg", "fastapi", "uvicorn", "httpx")


def benchmarks() -> dict[str, Path]:
    return {path.stem: path for path in sorted(HERE.glob("*.py")) if path.name not in NOT_BENCHMARKS}


def _first(path: str, key: str) -> str:
    try:
        lines = Path(path).read_text().splitlines()
    except OSError:
        return ""
    return next((line.split(":", 1)[1].strip() for line in lines if line.startswith(key)), "")


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def _quiet(command: list[str]) -> str:
    """A command's first line of output, or "" when it cannot run (no git, no Java): a description, not a check."""
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=30, cwd=HERE)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return (done.stdout or done.stderr).strip().splitlines()[0] if (done.stdout or done.stderr).strip() else ""


def machine() -> dict[str, Any]:
    """What the figures depend on, so that a later run can tell a faster machine from a faster dailyseg."""
    memory_kib = _first("/proc/meminfo", "MemTotal").split()
    return {
        "cpu_count": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "cpu_model": _first("/proc/cpuinfo", "model name") or platform.processor(),
        "memory_gib": round(int(memory_kib[0]) / 2**20, 1) if memory_kib else None,
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "java": _quiet(["java", "-version"]),
        "packages": {name: _version(name) for name in PACKAGES},
        "commit": _quiet(["git", "rev-parse", "HEAD"]),
        "uncommitted_changes": bool(_quiet(["git", "status", "--porcelain"])),
    }


def run_one(name: str, script: Path, size: str) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile("r", suffix=".jsonl") as figures:
        began, load = time.perf_counter(), os.getloadavg()[0]
        done = subprocess.run(
            [sys.executable, str(script), "--size", size], capture_output=True, text=True, env={**os.environ, FIGURES_ENV: figures.name}
        )
        reported = [json.loads(line) for line in figures.read().splitlines()]
    return {
        "benchmark": name,
        "exit_status": done.returncode,
        "wall_s": round(time.perf_counter() - began, 1),
        "load": [round(load, 2), round(os.getloadavg()[0], 2)],
        "figures": reported,
        "output": done.stdout,
        "errors": done.stderr[-4000:],
    }


def _number(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


def table(results: list[dict[str, Any]]) -> str:
    header = ("benchmark", "figure", "dailyseg", "baseline", "unit", "ratio", "peak MiB (dailyseg / baseline)")
    rows = [header]
    for result in results:
        if result["exit_status"] != 0 or not result["figures"]:
            last = (result["errors"].strip().splitlines() or ["no figures reported"])[-1]
            rows.append((result["benchmark"], f"FAILED (exit {result['exit_status']}): {last[:90]}", "", "", "", "", ""))
        for f in result["figures"]:
            figure = f"{f['name']} (vs {f['baseline_name']})"
            peaks = f"{_number(f['peak_mib'])} / {_number(f['baseline_peak_mib'])}"
            ratio = f"{f['ratio']:.2f}x"
            rows.append((result["benchmark"], figure, _number(f["value"]), _number(f["baseline"]), f["unit"], ratio, peaks))
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    right = {2, 3, 5}
    return "\n".join(
        "  ".join(cell.rjust(w) if i in right else cell.ljust(w) for i, (cell, w) in enumerate(zip(row, widths, strict=True))).rstrip()
        for row in rows
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=SIZES, default="small", help="the size every benchmark runs at (default small)")
    parser.add_argument("--only", nargs="+", choices=sorted(benchmarks()), metavar="NAME", help="run only these benchmarks")
    parser.add_argument("--results", type=Path, default=HERE / "results", help="folder for the JSON results")
    args = parser.parse_args()
    chosen = {name: path for name, path in benchmarks().items() if not args.only or name in args.only}
    started = datetime.now(UTC)
    described = machine()
    cpus = f"{described['cpu_count']} CPUs ({described['cpu_model']}), {described['memory_gib']} GiB"
    print(f"{len(chosen)} benchmarks at size {args.size}; {cpus}")
    results = []
    for name, path in chosen.items():
        print(f"  {name} ...", end="", flush=True)
        result = run_one(name, path, args.size)
        results.append(result)
        print(f" {result['wall_s']} s" + ("" if result["exit_status"] == 0 else f", exit {result['exit_status']}"), flush=True)
    args.results.mkdir(parents=True, exist_ok=True)
    out = args.results / f"{started:%Y%m%dT%H%M%SZ}-{args.size}.json"
    report = {"started": started.isoformat(), "size": args.size, "machine": described, "results": results}
    out.write_text(json.dumps(report, indent=2) + "\n", "utf-8")
    print(table(results))
    print(f"results: {out}")
    sys.exit(1 if any(r["exit_status"] != 0 or not r["figures"] for r in results) else 0)


if __name__ == "__main__":
    main()
