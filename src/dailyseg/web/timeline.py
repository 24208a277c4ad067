"""The monitor's findings on a timeline: one mark per finding, placed by End Date, one lane per severity.

The geometry is computed here and drawn by the template as SVG; each mark has a shape per severity
(square, triangle, circle) and a title, so the timeline reads without colour, and the list below it
carries the same findings as text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from dailyseg.watch.monitor import Observation

WIDTH = 1000
LANE = 26
LEFT = 70
RIGHT = 10
LANES = ("error", "warning", "notice")
SHAPES = {"error": "■", "warning": "▲", "notice": "●"}


@dataclass(frozen=True)
class Mark:
    x: float
    y: float
    severity: str
    anchor: str
    title: str


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True)
class Timeline:
    start: date
    end: date
    marks: list[Mark]
    ticks: list[Tick]
    observations: list[tuple[str, Observation]]
    height: int = LANE * len(LANES) + 24
    width: int = WIDTH
    left: int = LEFT
    lanes: tuple[str, ...] = LANES


def timeline(observations: list[Observation], start: date, end: date) -> Timeline:
    span = max((end - start).days, 1)

    def x_of(day: date) -> float:
        return round(LEFT + (WIDTH - LEFT - RIGHT) * (day - start).days / span, 1)

    ordered = sorted(observations, key=lambda o: (o.end_date, LANES.index(o.finding.severity), o.finding.rule))
    anchored = [(f"finding-{i}", o) for i, o in enumerate(ordered)]
    marks = [
        Mark(
            x_of(o.end_date),
            LANE * LANES.index(o.finding.severity) + LANE / 2,
            o.finding.severity,
            anchor,
            f"{o.end_date}: {o.finding.message}",
        )
        for anchor, o in anchored
    ]
    months = []
    day = date(start.year, start.month, 1)
    while day <= end:
        if day >= start:
            months.append(day)
        day = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    step = max(1, len(months) // 8)
    ticks = [Tick(x_of(m), m.strftime("%b %Y")) for m in months[::step]]
    return Timeline(start, end, marks, ticks, anchored)
