"""Start-up cost: whole processes of dailyseg beside `python -c pass`, interleaved in the same run.

Run by hand (not collected by pytest):

    .venv/bin/python benchmarks/startup.py [--repeat 20] [--cache-bytecode] [--json]

"library read + validate" is the library's whole part of `dailyseg validate`: import, read the sample and
validate it, with no command line. Each workload runs `--repeat` times, one run of each in turn, so that a
busy moment of a shared machine falls on all of them alike. For each: median and 95th-percentile wall time,
median CPU time (user + system of the child, from `os.wait4`), median peak resident set (the child's
`ru_maxrss`) and the ratio of the medians to the baseline's. Standard output goes to a pipe, as in a
script, and is read to the end.

The development environment sets PYTHONDONTWRITEBYTECODE and an editable install has no bytecode for
dailyseg's own modules, so each run compiles them from source. `--cache-bytecode` runs the children with a
temporary PYTHONPYCACHEPREFIX instead (written by an unmeasured first run), as an installed package starts.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import harness

SAMPLE = Path(__file__).resolve().parent.parent / "examples" / "daily-seg-citigroup-2013-07-25.txt"
DAILYSEG = Path(sys.executable).with_name("dailyseg")
WORKLOADS: dict[str, list[str]] = {
    "python -c pass (baseline)": [sys.executable, "-c", "pass"],
    'python -c "import dailyseg"': [sys.executable, "-c", "import dailyseg"],
    "library read + validate": [sys.executable, "-c", f"import dailyseg; dailyseg.validate(dailyseg.read({str(SAMPLE)!r}).filing)"],
    "dailyseg --help": [str(DAILYSEG), "--help"],
    "dailyseg validate <sample>": [str(DAILYSEG), "validate", str(SAMPLE)],
}
BASELINE = next(iter(WORKLOADS))


def run_once(command: list[str], env: dict[str, str]) -> dict[str, float]:
    """One run: wall seconds, CPU seconds and peak RSS in KiB of the child, which must succeed."""
    with tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        child = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=errors, env=env)
        assert child.stdout is not None
        child.stdout.read()
        child.stdout.close()
        # wait4 rather than Popen.wait: it gives this child's own resource usage.
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode != 0:
            errors.seek(0)
            tail = errors.read().decode("utf-8", "replace")[-1500:]
            raise RuntimeError(f"{' '.join(command)} exited with {child.returncode}:\n{tail}")
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "maxrss_kib": usage.ru_maxrss}


def summary(runs: list[dict[str, float]]) -> dict[str, float]:
    walls = [r["wall"] for r in runs]
    return {
        "wall_p50_ms": statistics.median(walls) * 1000,
        "wall_p95_ms": statistics.quantiles(walls, n=20, method="inclusive")[-1] * 1000,
        "cpu_p50_ms": statistics.median(r["cpu"] for r in runs) * 1000,
        "maxrss_p50_mib": statistics.median(r["maxrss_kib"] for r in runs) / 1024,
    }


def bytecode_note(cached: bool) -> str:
    """Whether dailyseg's own modules start from cached bytecode or are compiled in every run."""
    if cached:
        return "bytecode cached under a temporary PYTHONPYCACHEPREFIX (--cache-bytecode)"
    spec = importlib.util.find_spec("dailyseg")
    origin = spec.origin if spec else None
    if origin and Path(importlib.util.cache_from_source(origin)).exists():
        return "dailyseg's bytecode cached"
    return "dailyseg's modules compiled from source in every run (no cached bytecode" + (
        "; PYTHONDONTWRITEBYTECODE is set)" if sys.dont_write_bytecode else ")"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20, help="runs of each workload")
    parser.add_argument("--cache-bytecode", action="store_true", help="children keep their bytecode in a temporary cache")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = harness.parse(parser, {"small": {"repeat": 5}, "medium": {"repeat": 10}, "large": {"repeat": 20}})
    if args.repeat < 2:
        parser.error("--repeat: at least 2 runs, for a 95th percentile")
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ)
        if args.cache_bytecode:
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            env["PYTHONPYCACHEPREFIX"] = cache
        load_before = os.getloadavg()[0]
        runs: dict[str, list[dict[str, float]]] = {name: [] for name in WORKLOADS}
        for command in WORKLOADS.values():  # one unmeasured run each: page cache (and bytecode) warm for all
            run_once(command, env)
        for _ in range(args.repeat):
            for name, command in WORKLOADS.items():
                runs[name].append(run_once(command, env))
    results = {name: summary(measured) for name, measured in runs.items()}
    base = results[BASELINE]
    for values in results.values():
        values["wall_x_baseline"] = values["wall_p50_ms"] / base["wall_p50_ms"]
        values["cpu_x_baseline"] = values["cpu_p50_ms"] / base["cpu_p50_ms"]
    report: dict[str, Any] = {
        "python": sys.version.split()[0],
        "repeat": args.repeat,
        "load": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "bytecode": bytecode_note(args.cache_bytecode),
        "results": results,
    }
    harness.record(
        *(
            harness.Figure(
                name,
                v["cpu_p50_ms"],
                base["cpu_p50_ms"],
                "CPU ms",
                BASELINE,
                peak_mib=v["maxrss_p50_mib"],
                baseline_peak_mib=base["maxrss_p50_mib"],
            )
            for name, v in results.items()
            if name != BASELINE
        )
    )
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(f"Python {report['python']}, {args.repeat} runs of each, interleaved; load {load_before:.2f} -> {report['load'][1]:.2f}")
    print(f"  {report['bytecode']}")
    print(f"  {'workload':<28} {'wall p50':>9} {'wall p95':>9} {'CPU p50':>9} {'peak RSS':>9} {'x baseline (wall, CPU)':>23}")
    for name, v in results.items():
        print(
            f"  {name:<28} {v['wall_p50_ms']:>6.1f} ms {v['wall_p95_ms']:>6.1f} ms {v['cpu_p50_ms']:>6.1f} ms"
            f" {v['maxrss_p50_mib']:>5.1f} MiB {v['wall_x_baseline']:>13.1f} {v['cpu_x_baseline']:>8.1f}"
        )


if __name__ == "__main__":
    main()
