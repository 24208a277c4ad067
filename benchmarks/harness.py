"""What every benchmark shares with the runner (benchmarks/run.py): a `--size` and the figures it reports.

A benchmark keeps its own options and its own printed report; `--size small|medium|large` only changes the
defaults of its size options (an option given on the command line still wins), so a run can be repeated
at a known size. Its headline figures, each beside the plain baseline measured in the same run, go to the
file named by $DAILYSEG_BENCH_FIGURES when the runner sets it, one JSON object a line.
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

SIZES = ("small", "medium", "large")
FIGURES_ENV = "DAILYSEG_BENCH_FIGURES"


def parse(parser: argparse.ArgumentParser, presets: Mapping[str, Mapping[str, Any]]) -> argparse.Namespace:
    """Parse the command line after adding `--size`, whose preset gives the defaults of the options it names."""
    parser.add_argument("--size", choices=SIZES, help="preset sizes (the options' own defaults without it): " + _described(presets))
    size = parser.parse_known_args()[0].size
    if size is not None:
        parser.set_defaults(**presets[size])
    return parser.parse_args()


def _described(presets: Mapping[str, Mapping[str, Any]]) -> str:
    return "; ".join(f"{size}: " + ", ".join(f"{k}={v}" for k, v in values.items()) for size, values in presets.items())


@dataclass(frozen=True)
class Figure:
    """One headline figure and its baseline from the same run. `lower_is_better` for times, not for rates;
    peaks are resident or traced memory in MiB, when the benchmark measures them."""

    name: str
    value: float
    baseline: float
    unit: str
    baseline_name: str
    lower_is_better: bool = True
    peak_mib: float | None = None
    baseline_peak_mib: float | None = None

    @property
    def ratio(self) -> float:
        """How many times the baseline's cost dailyseg's is: above 1 is slower, whatever the unit."""
        if not self.value or not self.baseline:
            return float("nan")
        return self.value / self.baseline if self.lower_is_better else self.baseline / self.value


def record(*figures: Figure) -> None:
    """Hand the figures to the runner (nothing to do when run by hand: the printed report says it all)."""
    path = os.environ.get(FIGURES_ENV)
    if not path:
        return
    with open(path, "a", encoding="utf-8") as out:
        for figure in figures:
            out.write(json.dumps({**asdict(figure), "ratio": figure.ratio}) + "\n")
