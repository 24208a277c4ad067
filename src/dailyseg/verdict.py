"""Whether a document is ok, decided in one place for the command line and the API.

A document is ok when at least one filing was read, no problem stopped a read (fatal or error), and no finding
is an error, whether a defect (a formula that does not foot) or an event rated error (a deficiency).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dailyseg.checks import Finding
    from dailyseg.problems import Problem


def read_errors(problems: Iterable[Problem]) -> int:
    return sum(1 for p in problems if p.stops_reading)


def errors(problems: Iterable[Problem], findings: Iterable[Iterable[Finding]]) -> int:
    """Read errors and error findings, over every filing of a document."""
    return read_errors(problems) + sum(1 for found in findings for f in found if f.severity == "error")


def document_ok(problems: Iterable[Problem], findings: Iterable[Iterable[Finding]]) -> bool:
    found = list(findings)
    return bool(found) and errors(problems, found) == 0
